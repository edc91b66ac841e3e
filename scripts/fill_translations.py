"""Fill empty msgstr entries of the zh_Hans catalogues from a JSON file of
{msgid: translation} (for a plural, msgid|||msgid_plural: [forms]).
Used when adding many strings at once; it never overwrites a translation."""

from __future__ import annotations

import json
import pathlib
import sys

import polib

ROOT = pathlib.Path(__file__).resolve().parent.parent


def main(path: str) -> None:
    table = json.loads(pathlib.Path(path).read_text(encoding="utf-8"))
    missing = []
    for po_path in sorted(ROOT.glob("xieguan/**/locale/zh_Hans/LC_MESSAGES/django.po")):
        po = polib.pofile(str(po_path))
        po.metadata["Language"] = "zh_Hans"
        po.metadata["Plural-Forms"] = "nplurals=1; plural=0;"
        for entry in po:
            if entry.obsolete:
                continue
            key = entry.msgid + ("|||" + entry.msgid_plural if entry.msgid_plural else "")
            if "fuzzy" in entry.flags:
                # msgmerge's guess from a similar string: never trust it.
                entry.flags.remove("fuzzy")
                entry.msgstr = ""
                entry.msgstr_plural = {0: ""} if entry.msgid_plural else {}
                entry.previous_msgid = None
                entry.previous_msgid_plural = None
            if entry.msgid_plural:
                if not entry.msgstr_plural.get(0) and key in table:
                    forms = table[key]
                    entry.msgstr_plural = {0: forms[0] if isinstance(forms, list) else forms}
            elif not entry.msgstr and key in table:
                entry.msgstr = table[key]
            if not (entry.msgstr or entry.msgstr_plural.get(0)):
                missing.append(f"{po_path.relative_to(ROOT)}: {entry.msgid}")
        po.save()
    for line in missing:
        print("missing:", line)


if __name__ == "__main__":
    main(sys.argv[1])
