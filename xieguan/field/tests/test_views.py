import pytest
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
    assert "/static/field/field.js" in body and 'addEventListener("fetch"' in body


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


def test_field_app_stays_light():
    """The first load's scripts and styles (the budget: scripts ≤ 100 KB,
    everything ≤ 170 KB compressed); here, uncompressed, with room."""
    from pathlib import Path

    static = Path(__file__).resolve().parents[1] / "static" / "field"
    scripts = sum(p.stat().st_size for p in static.glob("*.js"))
    total = scripts + sum(p.stat().st_size for p in static.glob("*.css")) + (static / "icon-192.png").stat().st_size
    assert scripts < 40_000
    assert total < 80_000
