"""Compile every zh_Hans catalogue (.po → .mo) with polib, so that neither
`make run` nor a production host needs GNU gettext installed."""

from __future__ import annotations

import pathlib

import polib

ROOT = pathlib.Path(__file__).resolve().parent.parent


def main() -> None:
    for po_path in sorted(ROOT.glob("xieguan/**/locale/*/LC_MESSAGES/django.po")):
        po = polib.pofile(str(po_path))
        po.save_as_mofile(str(po_path.with_suffix(".mo")))
        print(f"{po_path.relative_to(ROOT)}: {po.percent_translated()}% translated")


if __name__ == "__main__":
    main()
