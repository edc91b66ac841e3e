"""Headless Chromium (Debian's, never a downloaded one) against the live
test server. Screenshots of every step go to var/screenshots/<journey>/.
Any request to an address outside the app fails the journey."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from xieguan.demo.seeds import restore_seeded_rows

# Playwright's sync API runs an event loop in this thread; the test's own ORM
# calls are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
# `make test` runs both databases at once, each with its own folder.
SHOTS = Path(os.environ.get("SCREENSHOTS_DIR") or Path(__file__).resolve().parents[2] / "var" / "screenshots")
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
LOCAL = re.compile(r"^(https?|wss?)://(127\.0\.0\.1|localhost)(:\d+)?/|^(data|blob|about):")


def poppler(tool: str, *args: str) -> str:
    """Run a poppler tool (pdftotext, pdftoppm) by its absolute path."""
    path = shutil.which(tool)
    assert path, f"{tool} is missing: apt-get install poppler-utils"
    return subprocess.run([path, *args], capture_output=True, text=True, check=True).stdout  # noqa: S603 - our files


def first_page_png(pdf: Path) -> list[Path]:
    """Render the PDF's first page to PNG beside it (60 dpi), to look at."""
    stem = pdf.with_suffix("")
    poppler("pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(pdf), str(stem))
    return sorted(pdf.parent.glob(stem.name + "*.png"))


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is missing: `make test` installs it (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


class Journey:
    """One user's browser session with numbered screenshots."""

    def __init__(self, browser: Any, base_url: str, folder: Path, viewport: dict[str, int]) -> None:
        self.base_url = base_url
        self.folder = folder
        self.context = browser.new_context(viewport=viewport, locale="zh-CN")
        self.page = self.context.new_page()
        self.outside: list[str] = []
        # Every console error and uncaught exception of every page fails the
        # journey (issue 20: htmx:evalDisallowedError went unnoticed). A page
        # the server refused (403/404 the journey asserts) logs "Failed to
        # load resource" for itself; that is the status, not a page error.
        self.console_errors: list[tuple[str, str]] = []
        self.refused_pages: set[str] = set()
        self.cut_requests: tuple[str, ...] = ()
        self.refusals: list[tuple[str, int]] = []
        self.watch(self.page)
        self.step = 0

    def watch(self, page: Any) -> None:
        """Check a page's requests and collect its console errors (a page
        the journey opens itself is watched too)."""
        page.on("request", self._check_request)
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.console_errors.append((f"uncaught: {error}", "")))
        page.on("response", self._response)

    def _console(self, message: Any) -> None:
        if message.type == "error":
            self.console_errors.append((message.text, (message.location or {}).get("url", "")))

    def _response(self, response: Any) -> None:
        if response.request.resource_type == "document" and response.status >= 400:
            self.refused_pages.add(response.url)

    def cuts(self, *url_parts: str) -> None:
        """The journey aborts requests to these addresses itself (a link cut
        on purpose): their network failure is not a page error."""
        self.cut_requests += url_parts

    def refuses(self, url_part: str, status: int) -> None:
        """The journey provokes this answer on purpose (a 409 conflict the
        phone must show): the browser's note of it is not a page error."""
        self.refusals.append((url_part, status))

    def _expected(self, text: str, url: str) -> bool:
        if not text.startswith("Failed to load resource"):
            return False
        if url in self.refused_pages:
            return True
        if any(url.endswith(part) and f"status of {status} " in text for part, status in self.refusals):
            return True
        return "net::ERR_FAILED" in text and any(part in url for part in self.cut_requests)

    def page_errors(self) -> list[str]:
        """The console errors so far, less a refused page's own status and
        the failures of requests the journey cut on purpose."""
        return [
            f"{text} ({url})" if url else text for text, url in self.console_errors if not self._expected(text, url)
        ]

    def _check_request(self, request: Any) -> None:
        if not LOCAL.match(request.url):
            self.outside.append(request.url)

    def goto(self, path: str) -> Any:
        return self.page.goto(self.base_url + path)

    def login(self, username: str, password: str) -> None:
        self.goto("/accounts/login/")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", password)
        self.page.click("main button[type=submit]")

    def submit(self, selector: str = "main button[type=submit]") -> None:
        """Click a submit button and wait for the page it leads to, so the
        next assertion reads the new page, not the old one."""
        with self.page.expect_navigation():
            self.page.click(selector)

    def shot(self, name: str) -> Path:
        self.step += 1
        path = self.folder / f"{self.step:02d}-{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        # Chromium swallows the first click after a full-page screenshot
        # (the viewport is resized and restored); spend it on the page's
        # top-left corner, where nothing reacts.
        self.page.mouse.move(0, 0)
        self.page.mouse.down()
        self.page.mouse.up()
        return path

    def close(self) -> None:
        self.context.close()
        assert not self.outside, f"requests outside the app: {self.outside}"
        errors = self.page_errors()
        assert not errors, f"console errors: {errors}"


@pytest.fixture
def journey(browser: Any, live_server: Any, request: Any) -> Iterator[Any]:
    # A transactional test before this one flushed what the data migrations seeded.
    restore_seeded_rows()
    folder = SHOTS / request.node.name
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.png"):
        old.unlink()
    opened: list[Journey] = []

    def open_journey(viewport: dict[str, int] = PHONE, subfolder: str = "") -> Journey:
        target = folder / subfolder if subfolder else folder
        target.mkdir(parents=True, exist_ok=True)
        j = Journey(browser, live_server.url, target, viewport)
        opened.append(j)
        return j

    yield open_journey
    for j in opened:
        j.close()
