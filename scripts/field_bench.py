"""The field app (/m/) under a slow-4G profile, for docs/bench.md.

Against a running server with the demo county (``make run``): headless
Debian Chromium at 390 × 844 signed in as cg1, the page's network throttled
through the DevTools protocol to Lighthouse's mobile profile (150 ms round
trip, 1.6 Mbit/s down, 675 kbit/s up). Measures the first visit, a second
visit online and a visit with no signal: time until the app says it is ready
and the bytes that came over the wire.

    .venv/bin/python scripts/field_bench.py [http://127.0.0.1:8000]
"""

from __future__ import annotations

import gzip
import sys
import time

from playwright.sync_api import sync_playwright

BASE = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000"
SLOW_4G = {"offline": False, "latency": 150, "downloadThroughput": 1.6e6 / 8, "uploadThroughput": 675e3 / 8}


def visit(page, cdp, received: list[int], *, offline: bool = False) -> tuple[float, int]:
    received.clear()
    cdp.send("Network.emulateNetworkConditions", {**SLOW_4G, "offline": offline})
    started = time.perf_counter()
    page.goto(BASE + "/m/")
    page.wait_for_selector("#field[data-ready]", timeout=60000)
    page.wait_for_load_state("networkidle")
    return time.perf_counter() - started, sum(received)


def main() -> None:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
        page = context.new_page()
        page.goto(BASE + "/accounts/login/")
        page.fill("#id_username", "cg1")
        page.fill("#id_password", "Xieguan@2026")
        page.click("main button[type=submit]")
        page.wait_for_url(lambda url: "/accounts/login/" not in url)
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": False})
        received: list[int] = []
        cdp.on("Network.loadingFinished", lambda e: received.append(int(e.get("encodedDataLength", 0))))
        rows = [
            ("first visit to /m/", *visit(page, cdp, received)),
            ("second visit, online", *visit(page, cdp, received)),
        ]
        context.set_offline(True)
        rows.append(("visit with no signal", *visit(page, cdp, received, offline=True)))
        context.set_offline(False)
        token = context.request.post(
            BASE + "/api/auth/token", data={"username": "cg1", "password": "Xieguan@2026"}
        ).json()["token"]
        boot = context.request.get(BASE + "/api/field/bootstrap", headers={"Authorization": f"Bearer {token}"}).body()
        context.request.delete(BASE + "/api/auth/token", headers={"Authorization": f"Bearer {token}"})
        browser.close()
    print("| | time to ready | bytes over the wire |")
    print("|---|---|---|")
    for name, seconds, size in rows:
        print(f"| {name} | {seconds:.2f} s | {size / 1024:.1f} KB |")
    print(
        f"\n/api/field/bootstrap for cg1: {len(boot) / 1024:.1f} KB raw, {len(gzip.compress(boot, 9)) / 1024:.1f} KB gzip"
    )


if __name__ == "__main__":
    main()
