"""config/settings.py read from the environment (issue 17 item 1): each case
starts its own Python process with a controlled environment, so the settings
of the test process stay as they are."""

from __future__ import annotations

import hashlib
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
OLD_CONSTANT = "embedded-default-only-for-local-use-never-in-production-xieguan"
STRONG_KEY = "Q7v-Jx2mZp9LkR4tW8nB1cF6hD3sG5yA0eUiOoPq_TrVbNmXzKl"  # 52 characters, not used anywhere
SHOW = "import django; django.setup(); from django.conf import settings as s; print(s.DEBUG, s.SECRET_KEY)"


def start(tmp_path: Path, code: str = SHOW, **env: str) -> subprocess.CompletedProcess[str]:
    """Python with Django set up, in an environment without SECRET_KEY, DEBUG or
    other settings of this machine unless given, and a var dir of its own."""
    base = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG", "DATABASE_URL"}}
    full = {**base, "DJANGO_SETTINGS_MODULE": "config.settings", "XIEGUAN_VAR_DIR": str(tmp_path), **env}
    return subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code], cwd=ROOT, env=full, capture_output=True, text=True, check=False, timeout=120
    )


def test_without_secret_key_a_random_key_is_made_once_and_kept(tmp_path):
    first = start(tmp_path)
    assert first.returncode == 0, first.stderr
    debug, key = first.stdout.split()
    assert debug == "False"
    key_file = tmp_path / "secret_key"
    assert key_file.read_text().strip() == key and len(key) >= 50
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    again = start(tmp_path)
    assert again.stdout.split()[1] == key
    # another installation (another var dir) gets a key of its own
    other = start(tmp_path / "other")
    assert other.stdout.split()[1] != key


def test_processes_starting_together_agree_on_the_key(tmp_path):
    env = {**{k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG"}}}
    env.update({"DJANGO_SETTINGS_MODULE": "config.settings", "XIEGUAN_VAR_DIR": str(tmp_path)})
    processes = [
        subprocess.Popen(  # noqa: S603 - our own interpreter and code
            [sys.executable, "-c", SHOW], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(4)
    ]
    keys = {process.communicate(timeout=120)[0].split()[1] for process in processes}
    assert len(keys) == 1
    assert keys == {(tmp_path / "secret_key").read_text().strip()}
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".secret_key")] == []


def test_the_old_published_key_is_gone_from_the_code():
    source = (ROOT / "config" / "settings.py").read_text()
    assert OLD_CONSTANT not in source
    assert hashlib.sha256(OLD_CONSTANT.encode()).hexdigest() in source  # still recognised, as its hash


def test_debug_is_off_unless_set(tmp_path):
    assert start(tmp_path).stdout.split()[0] == "False"
    assert start(tmp_path, DEBUG="1").stdout.split()[0] == "True"
    assert start(tmp_path, DEBUG="off").stdout.split()[0] == "False"


def test_an_empty_secret_key_stops_start_up(tmp_path):
    result = start(tmp_path, SECRET_KEY="")
    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY is set but empty" in result.stderr
    assert not (tmp_path / "secret_key").exists()


@pytest.mark.parametrize(
    "key",
    [
        OLD_CONSTANT,
        "django-insecure-" + "k3v9!x@q7m#p2z$w8r^t5y&u1i*o4s(d6f)g0h",
        "changeme",
        "a" * 64,
    ],
)
def test_a_published_or_weak_secret_key_stops_start_up_with_debug_off(tmp_path, key):
    result = start(tmp_path, SECRET_KEY=key)
    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY is a published, default or too short key" in result.stderr
    assert "secrets.token_urlsafe(50)" in result.stderr


def test_a_weak_secret_key_is_allowed_while_debugging(tmp_path):
    result = start(tmp_path, SECRET_KEY="changeme", DEBUG="1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "changeme"]


def test_a_strong_secret_key_from_the_environment_is_used(tmp_path):
    result = start(tmp_path, SECRET_KEY=STRONG_KEY)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", STRONG_KEY]
    assert not (tmp_path / "secret_key").exists()


@pytest.mark.parametrize(("name", "value"), [("DEBUG", "ture"), ("HTTPS", "enabled"), ("STATIC_FROM_APPS", "2")])
def test_a_yes_no_setting_with_a_typo_stops_start_up_naming_it(tmp_path, name, value):
    result = start(tmp_path, **{name: value})
    assert result.returncode != 0
    assert f"ImproperlyConfigured: {name}='{value}' is not a yes/no value" in result.stderr
    assert "1, true, yes, on" in result.stderr and "0, false, no, off" in result.stderr


@pytest.mark.parametrize(("name", "value"), [("LOCKOUT_FAILURES", "five"), ("SESSION_IDLE_MINUTES", "30m")])
def test_a_number_setting_that_is_not_a_number_stops_start_up_naming_it(tmp_path, name, value):
    result = start(tmp_path, **{name: value})
    assert result.returncode != 0
    assert f"ImproperlyConfigured: {name}='{value}' is not a whole number" in result.stderr


def test_the_embedded_default_still_serves_static_files_from_the_apps(tmp_path):
    code = "import django; django.setup(); from django.conf import settings as s; print(s.STATIC_FROM_APPS)"
    assert start(tmp_path, code=code).stdout.strip() == "True"
    assert start(tmp_path, code=code, STATIC_FROM_APPS="0").stdout.strip() == "False"
