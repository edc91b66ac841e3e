"""Every write of patrols and inspections (SPEC §4): validated, permitted,
scoped, audited in the same transaction. Pages and the API call these.

One module per feature, imported by name: ``checklists`` (templates,
frequencies, penalty wording), ``records`` (inspections, their photos and
signatures), ``opinions``, ``followups`` (re-inspections, handovers) and
``plans``; ``common`` holds the few helpers more than one of them uses."""
