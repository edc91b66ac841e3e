"""Pages for patrols and inspections (SPEC §4). Thin: parse, fetch through
scope, call the service, render or redirect.

One module per feature, imported by name from ``urls.py``: ``records``
(lists, what is due, a record and its photos, signatures and PDF),
``opinions``, ``followups`` (re-inspections, handovers), ``registers``
(巡查登记表), ``plans`` and ``checklists`` (checklists, county settings)."""
