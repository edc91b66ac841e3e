"""Every write of patrols and inspections (SPEC §4): validated, permitted,
scoped, audited in the same transaction. Pages and the API call these.

One module per feature, imported by name: ``checklists`` (templates,
frequencies, penalty wording), ``records`` (inspections and the submit
rule), ``evidence`` (their photos and signatures, once per slot and signer),
``opinions``, ``followups`` (re-inspections, handovers) and ``plans``;
``common`` holds the few helpers more than one of them uses."""
