import gzip
import json
import posixpath
import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from xieguan.accounts.models import ApiToken


def test_shell_asks_for_sign_in(demo):
    response = Client().get("/m/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("who", ["cg1", "cun1", "inst"])
def test_shell_is_the_field_app_without_inline_script(demo, login, who):
    response = login(demo.users[who]).get("/m/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "待发送箱" in html and "新建信息报告" in html
    assert "<script>" not in html and " on" + "click=" not in html and "style=" not in html
    assert 'rel="manifest"' in html
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp


def test_service_worker_is_served_for_the_m_scope(demo):
    response = Client().get("/m/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/m/"
    body = response.content.decode()
    assert body.startswith('const SHELL = ["/m/"')
    assert 'addEventListener("fetch"' in body
    # The worker keeps every module the page loads, or /m/ would not open offline.
    kept = json.loads(body.split("\n", 1)[0].removeprefix("const SHELL = ").removesuffix(";"))
    assert {f"/static/{name}" for name in _module_graph()} <= set(kept)
    assert {"/static/field/field.css", "/static/field/icon-192.png"} <= set(kept)


def test_manifest_makes_it_installable(demo):
    response = Client().get("/m/manifest.webmanifest")
    assert response["Content-Type"].startswith("application/manifest+json")
    body = response.json()
    assert body["start_url"] == body["scope"] == "/m/"
    assert body["display"] == "standalone"
    assert {i["sizes"] for i in body["icons"]} == {"192x192", "512x512"}
    assert body["name"] == "卫生监督协管 · 外勤"


def test_token_is_issued_to_the_signed_in_user_only(demo, login, comanager_in):
    assert Client().post("/m/token").status_code == 401
    assert ApiToken.objects.count() == 0
    response = login(comanager_in).post("/m/token")
    assert response.status_code == 200
    key = response.json()["token"]
    assert ApiToken.objects.get().user == comanager_in
    me = Client().get("/api/me", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert me.status_code == 200


def test_token_needs_the_csrf_token(demo, comanager_in):
    client = Client(enforce_csrf_checks=True)
    client.force_login(comanager_in)
    assert client.post("/m/token").status_code == 403
    assert ApiToken.objects.count() == 0


def test_first_load_stays_within_the_budget(demo, login, comanager_in):
    """Issue 18: the first load of /m/ (page, scripts, styles, icon, and here
    also the manifest and the worker) within 30 KB gzip-compressed, scripts
    read from what the page itself loads."""
    html = login(comanager_in).get("/m/").content
    assets = _static_refs(html.decode())
    assert "field/main.js" in assets and "field/field.css" in assets and "field/icon-192.png" in assets
    sizes = {name: len(gzip.compress(open(finders.find(name), "rb").read())) for name in assets}
    manifest = len(gzip.compress(Client().get("/m/manifest.webmanifest").content))
    worker = len(gzip.compress(Client().get("/m/sw.js").content))
    total = len(gzip.compress(html)) + sum(sizes.values()) + manifest + worker
    assert total <= 30 * 1024, f"{total} bytes: past the field app's 30 KB first-load budget"


def test_the_shell_loads_main_as_a_module_and_preloads_every_module_it_imports(demo, login, comanager_in):
    html = login(comanager_in).get("/m/").content.decode()
    assert '<script type="module" src="/static/field/main.js">' in html
    preloaded = set(re.findall(r'<link rel="modulepreload" href="/static/([^"]+)">', html))
    assert preloaded | {"field/main.js"} == _module_graph()
    # One GPS capture and one signature pad, shared with the desktop pages.
    assert {"core/geo.js", "core/signature.js"} <= preloaded


def _static_refs(html: str) -> set[str]:
    return set(re.findall(r'(?:src|href)="/static/([^"]+)"', html))


def _module_graph(start: str = "field/main.js") -> set[str]:
    """Every module main.js reaches through its imports, as static paths."""
    seen: set[str] = set()
    todo = [start]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        source = Path(finders.find(name)).read_text()
        for target in re.findall(r'^import [^;]*? from "(\.{1,2}/[^"]+)";', source, re.M):
            todo.append(posixpath.normpath(posixpath.join(posixpath.dirname(name), target)))
    return seen


@pytest.mark.parametrize(("who", "inspects"), [("cg1", True), ("inst", True), ("cun1", False)])
def test_only_those_who_inspect_get_the_inspection_form(demo, login, who, inspects):
    page = login(demo.users[who]).get("/m/").content.decode()
    assert ('data-new="inspection"' in page) is inspects
    assert 'data-new="report"' in page
