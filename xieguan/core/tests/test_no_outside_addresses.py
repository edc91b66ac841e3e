"""Government networks are closed: no page may reference an address outside
the app (scripts, styles, images, fonts, forms, links)."""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[3]
URL_ATTRS = {"src", "href", "action", "srcset", "poster", "data", "formaction", "manifest"}


class _Refs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.refs: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in URL_ATTRS and value:
                self.refs.append(value)
            if name == "style" and value:
                self.refs.extend(re.findall(r"url\(([^)]+)\)", value))


def outside(ref: str) -> bool:
    ref = ref.strip().strip("'\"")
    return bool(re.match(r"^(?:[a-z][a-z0-9+.-]*:)?//", ref, re.I)) and not re.match(
        r"^(https?:)?//(127\.0\.0\.1|localhost|testserver)", ref
    )


def _pages(demo):
    township, village = demo.townships[0], demo.villages[1]
    return [
        "/",
        reverse("areas:list"),
        reverse("areas:detail", args=[township.pk]),
        reverse("areas:detail", args=[village.pk]),
        reverse("areas:import"),
        reverse("areas:edit", args=[township.pk]),
        reverse("areas:retire", args=[village.pk]),
        reverse("accounts:institution_list"),
        reverse("accounts:institution_detail", args=[demo.stations[0].pk]),
        reverse("accounts:person_list"),
        reverse("accounts:person_detail", args=[demo.users["cg1"].pk]),
        reverse("accounts:person_create"),
        reverse("accounts:transfer_list"),
        reverse("core:audit"),
        reverse("accounts:password_change"),
        "/api/docs",
    ]


@pytest.mark.parametrize("username", ["bureau", "cg1", "city"])
def test_no_page_references_an_outside_address(demo, login, username):
    client = login(demo.users[username])
    for url in [*_pages(demo), reverse("accounts:login")]:
        response = client.get(url, follow=True)
        if "text/html" not in response.headers.get("Content-Type", ""):
            continue
        parser = _Refs()
        parser.feed(response.content.decode())
        bad = [r for r in parser.refs if outside(r)]
        assert not bad, f"{url} references {bad}"


def test_static_files_reference_nothing_outside():
    offenders = []
    for path in (ROOT / "xieguan").rglob("static/**/*"):
        if path.suffix in {".css", ".js", ".html"} and path.is_file():
            text = path.read_text(encoding="utf-8", errors="ignore")
            for match in re.findall(r"(?:url\(|@import\s+|src=|href=)['\"]?((?:https?:)?//[^'\")\s]+)", text):
                if not re.match(r"^(https?:)?//(127\.0\.0\.1|localhost)", match):
                    offenders.append(f"{path.relative_to(ROOT)}: {match}")
    assert not offenders, offenders
