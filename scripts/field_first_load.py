"""The field app's first load, gzip-compressed, for docs/bench.md: the /m/
page as cg1 sees it, every static file it references (modules, style,
icon), the manifest and the service worker, each gzip -9 as WhiteNoise
serves it. Works on a throwaway SQLite database with the demo county; no
server needed.

    .venv/bin/python scripts/field_first_load.py
"""

from __future__ import annotations

import gzip
import os
import re
import sys
import tempfile
from pathlib import Path


def main() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    database = Path(tempfile.mkdtemp()) / "first-load.sqlite3"
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.contrib.staticfiles import finders
    from django.core.management import call_command
    from django.test import Client

    from xieguan.demo.county import load_county

    call_command("migrate", verbosity=0)
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(load_county().users["cg1"])
    page = client.get("/m/").content
    rows = [("/m/ page (cg1)", page)]
    for name in sorted(set(re.findall(r'(?:src|href)="/static/([^"]+)"', page.decode()))):
        rows.append((name, Path(str(finders.find(name))).read_bytes()))
    rows += [("manifest", client.get("/m/manifest.webmanifest").content), ("sw.js", client.get("/m/sw.js").content)]
    print("| file | raw | gzip |\n|---|---|---|")
    for name, body in rows:
        print(f"| {name} | {len(body) / 1024:.1f} KB | {len(gzip.compress(body, 9)) / 1024:.1f} KB |")
    total = sum(len(gzip.compress(body, 9)) for _, body in rows)
    scripts = sum(len(gzip.compress(body, 9)) for name, body in rows if name.endswith(".js"))
    print(f"\nFirst load {total / 1024:.1f} KB gzip, of which scripts {scripts / 1024:.1f} KB.")
    database.unlink()


if __name__ == "__main__":
    main()
