"""The page → API map of inspections, monthly, reports, outreach and
complaints (issue 19 item 2, part 1). A placeholder until that part is
merged: tests/test_api_parity.py expects these apps' pages to be unmapped
(xfail, strict) while this is empty, and checks them strictly once it is not."""

from __future__ import annotations

PARITY: dict[str, list[str] | str] = {}
