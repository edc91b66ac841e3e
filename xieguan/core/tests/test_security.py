import json
import os
import re
import secrets
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[3]


def test_csp_allows_nothing_inline_and_nothing_outside(demo, login, comanager_in):
    response = login(comanager_in).get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
    assert "script-src 'self'" in csp
    assert "http" not in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_forms_require_csrf(demo, demo_password):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("accounts:login"), {"username": "cg1", "password": demo_password})
    assert response.status_code == 403
    assert "表单已过期" in response.content.decode()


def test_session_expires_after_30_idle_minutes(demo, comanager_in, login):
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    client = login(comanager_in)
    client.get("/")
    assert 29 * 60 < client.session.get_expiry_age() <= 30 * 60


def test_a_session_in_use_slides_but_is_written_at_most_once_a_minute(demo, comanager_in, login, settings):
    """Each use moves the idle timeout forward, but the session's row is
    written once a minute, not on every page; an idle session still ends."""
    import datetime

    from django.contrib.sessions.models import Session
    from django.utils import timezone

    settings.SESSION_REFRESH_SECONDS = 60
    client = login(comanager_in)
    client.get("/")
    key = client.session.session_key
    row = Session.objects.get(session_key=key)
    # A use within the minute writes nothing.
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/").status_code == 200
    assert not [q for q in ctx.captured_queries if "UPDATE" in q["sql"] and "django_session" in q["sql"]]
    assert Session.objects.get(session_key=key).expire_date == row.expire_date
    # Last written 20 minutes ago: the next use slides the expiry 30 minutes ahead.
    session = client.session
    session["_refreshed"] = int(time.time()) - 20 * 60
    session.save()
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() + datetime.timedelta(minutes=10))
    assert client.get("/").status_code == 200
    left = Session.objects.get(session_key=key).expire_date - timezone.now()
    assert datetime.timedelta(minutes=29) < left <= datetime.timedelta(minutes=30)
    # Idle past the expiry: signed out.
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - datetime.timedelta(seconds=1))
    assert "/accounts/login/" in client.get("/").url


def deploy_settings(tmp_path: Path) -> dict[str, str]:
    """The production values docs/deploy.md's settings table lists (the first
    value of each row), with this test's own folder, database and key."""
    table = (ROOT / "docs" / "deploy.md").read_text().split("## Settings", 1)[1].split("\n## ", 1)[0]
    values: dict[str, str] = {}
    for line in table.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) < 2 or not cells[0].startswith("`"):
            continue
        names = re.findall(r"`([A-Z_]+)`", cells[0])
        given = re.findall(r"`([^`]*)`", cells[1])
        values.update(zip(names, given, strict=False))
    assert {"DEBUG", "ALLOWED_HOSTS", "HTTPS", "STATIC_FROM_APPS", "DATABASE_URL"} <= set(values), values
    values.update(
        {
            "SECRET_KEY": secrets.token_urlsafe(50),  # the table asks for 50+ random characters
            "XIEGUAN_VAR_DIR": str(tmp_path),
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",  # the check needs no PostgreSQL server
        }
    )
    return values


def test_check_deploy_prints_nothing_under_the_production_settings_of_deploy_md(tmp_path):
    env = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG"}}
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=ROOT,
        env={**env, **deploy_settings(tmp_path)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "System check identified no issues (0 silenced).", result.stdout
    assert result.stderr == ""


def test_check_deploy_warns_while_static_files_are_served_from_the_apps(tmp_path):
    env = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG"}}
    production = {**deploy_settings(tmp_path), "STATIC_FROM_APPS": "1"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=ROOT,
        env={**env, **production},
        capture_output=True,
        text=True,
        check=False,
    )
    assert "xieguan.W001" in result.stderr and "STATIC_FROM_APPS=0" in result.stderr


def test_password_expiry_sends_the_user_to_change_it(demo, login, comanager_in):
    from datetime import timedelta

    from django.utils import timezone

    comanager_in.password_changed_at = timezone.now() - timedelta(days=settings.PASSWORD_MAX_AGE_DAYS + 1)
    comanager_in.save()
    response = login(comanager_in).get("/")
    assert response.status_code == 302 and response.url == reverse("accounts:password_change")


def test_chinese_error_pages(demo, login, comanager_in):
    response = login(comanager_in).get("/no-such-page/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


def test_server_error_page_is_chinese(rf):
    from xieguan.core.errors import server_error

    request = rf.get("/")
    response = server_error(request)
    assert response.status_code == 500
    assert "系统出错了" in response.content.decode()
    api = server_error(rf.get("/api/areas"))
    assert api.status_code == 500 and "服务器出错" in json.loads(api.content)["detail"]


def test_english_is_available_on_request(demo, login, comanager_in):
    client = login(comanager_in)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert "Areas under" in client.get("/").content.decode()
    assert "的下级区划" in login(comanager_in).get("/").content.decode()


def test_django_admin_is_for_system_administrators_only(demo, login):
    assert login(demo.users["admin"]).get("/admin/").status_code == 200
    for who in ["bureau", "inst", "cg1", "city"]:
        user = demo.users[who]
        user.is_staff = True  # even a staff flag set by mistake does not open it
        user.save()
        response = login(user).get("/admin/")
        assert response.status_code == 302 and "/admin/login/" in response.url, who


def test_api_docs_are_served_by_the_app(db, client):
    response = client.get("/api/docs")
    assert response.status_code == 200
    assert "/static/ninja/swagger-ui-bundle.js" in response.content.decode()
