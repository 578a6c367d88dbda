"""End to end in headless Chromium: sign in with a TOTP code, open a client, write and sign a
note. Runs a real server process on a throwaway SQLite database loaded with a small demo."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
EMAIL = "practitioner1@riverbend.example"
PASSWORD_PATTERN = re.compile(r"Password for every demo account: (\S+)")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed"),
    pytest.mark.skipif(
        os.environ.get("CONFIDE_DATABASE_URL", "").startswith("postgres"),
        reason="the browser test runs once, in the SQLite pass",
    ),
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    return result.stdout


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str]]]:
    var = tmp_path_factory.mktemp("e2e-var")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "CONFIDE_VAR_DIR": str(var),
        "CONFIDE_DATABASE_URL": f"sqlite:///{var}/e2e.sqlite3",
    }
    _manage(env, "migrate", "--noinput")
    out = _manage(env, "demo_load", "--clients", "6")
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for(port)
        match = PASSWORD_PATTERN.search(out)
        assert match, "demo_load did not print the demo password"
        env["CONFIDE_E2E_PASSWORD"] = match.group(1)
        yield f"http://127.0.0.1:{port}", env
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _wait_for(port: int) -> None:
    deadline = time.time() + 30
    while time.time() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise RuntimeError("the server did not start")


def test_a_practitioner_signs_in_opens_a_client_and_signs_a_note(
    server: tuple[str, dict[str, str]],
) -> None:
    from playwright.sync_api import expect, sync_playwright

    base, env = server
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        page = browser.new_page()
        page.goto(f"{base}/sign-in/")
        page.get_by_label("Email").fill(EMAIL)
        page.get_by_label("Password").fill(env["CONFIDE_E2E_PASSWORD"])
        page.get_by_role("button", name="Continue").click()
        code = re.search(r"\b(\d{6})\b", _manage(env, "demo_code", EMAIL))
        assert code is not None
        page.get_by_label("6-digit code").fill(code.group(1))
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("heading", name="Caseload")).to_be_visible()

        page.locator("table.table tbody th a").first.click()
        expect(page.get_by_role("heading", name="Notes timeline")).to_be_visible()
        page.get_by_role("link", name=re.compile("New note")).first.click()
        page.get_by_label("Note").fill("Home visit. Reviewed the safety plan together.")
        page.get_by_role("button", name="Create draft").click()
        editor = page.get_by_label(re.compile("Note \\(draft"))
        editor.press("Control+End")
        editor.press_sequentially(" Next visit in two weeks.")
        expect(page.locator("#save-status")).to_have_text("Draft saved.", timeout=10_000)
        page.get_by_role("button", name="Sign note").click()
        expect(page.get_by_text("Note signed.")).to_be_visible()
        expect(page.get_by_text("Next visit in two weeks.")).to_be_visible()
        page.screenshot(path=str(ARTIFACTS / "e2e-signed-note.png"), full_page=True)
        browser.close()
