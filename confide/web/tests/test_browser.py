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

# Every browser test module's marks: skipped without Debian's chromium, run once (SQLite pass).
BROWSER_MARKS = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed"),
    pytest.mark.skipif(
        os.environ.get("CONFIDE_DATABASE_URL", "").startswith("postgres"),
        reason="the browser test runs once, in the SQLite pass",
    ),
]
pytestmark = BROWSER_MARKS


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


def _launch(pw: object) -> object:
    return pw.chromium.launch(  # type: ignore[attr-defined]
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


def _sign_in(page: object, base: str, env: dict[str, str], email: str) -> None:
    from playwright.sync_api import expect

    page.goto(f"{base}/sign-in/")  # type: ignore[attr-defined]
    page.get_by_label("Email").fill(email)  # type: ignore[attr-defined]
    page.get_by_label("Password").fill(env["CONFIDE_E2E_PASSWORD"])  # type: ignore[attr-defined]
    page.get_by_role("button", name="Continue").click()  # type: ignore[attr-defined]
    page.get_by_label("6-digit code").fill(_code(env, email))  # type: ignore[attr-defined]
    page.get_by_role("button", name="Sign in").click()  # type: ignore[attr-defined]
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()  # type: ignore[attr-defined]


def _code(env: dict[str, str], email: str) -> str:
    found = re.search(r"\b(\d{6})\b", _manage(env, "demo_code", email))
    assert found is not None
    return found.group(1)


NEXT_CODE = (
    "import time\n"
    "from django_otp.oath import TOTP\n"
    "from confide.demo.signins import demo_device\n"
    "d = demo_device({email!r})\n"
    "t = TOTP(d.bin_key, d.step, d.t0, d.digits, d.drift)\n"
    "t.time = time.time() + d.step\n"
    "print(f'{{t.token():06d}}')\n"
)


def _reauth(page: object, env: dict[str, str], email: str) -> None:
    # Each code works once: sign-in used this step's, so confirm with the next step's (the
    # device accepts one step of drift).
    found = re.search(
        r"^(\d{6})$", _manage(env, "shell", "-c", NEXT_CODE.format(email=email)), re.M
    )
    assert found is not None
    code = found.group(1)
    page.get_by_label("Password").fill(env["CONFIDE_E2E_PASSWORD"])  # type: ignore[attr-defined]
    page.get_by_label("6-digit code").fill(code)  # type: ignore[attr-defined]
    page.get_by_role("button", name="Confirm").click()  # type: ignore[attr-defined]


NORTH_CLIENT = (
    "from confide.records.models import Case\n"
    "from confide.crypto.envelope import client_key\n"
    "c = Case.objects.filter(team__name='North family team').order_by('case_number')[0].client\n"
    "k = client_key(c.id)\n"
    "print(k.decrypt_text('records_client.legal_name', c.id, c.legal_name_enc) + '|' + "
    "k.decrypt_text('records_client.date_of_birth', c.id, c.date_of_birth_enc))\n"
)


def _shot(page: object, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"access-{name}.png"), full_page=True)  # type: ignore[attr-defined]


def test_emergency_access_is_opened_reviewed_and_closed(
    server: tuple[str, dict[str, str]],
) -> None:
    """A practitioner breaks the glass for a client of another team; the privacy officer sees
    the notification and the overdue-free queue, reads the reason, and closes the review."""
    from playwright.sync_api import expect, sync_playwright

    base, env = server
    ARTIFACTS.mkdir(exist_ok=True)
    name, dob = _manage(env, "shell", "-c", NORTH_CLIENT).strip().splitlines()[-1].split("|")
    worker, privacy = "practitioner2@riverbend.example", "privacy@riverbend.example"
    with sync_playwright() as pw:
        browser = _launch(pw)
        page = browser.new_page()  # type: ignore[attr-defined]
        _sign_in(page, base, env, worker)
        page.get_by_role("link", name="Emergency access", exact=True).first.click()
        expect(page.get_by_role("heading", name="Confirm it's you")).to_be_visible()
        _reauth(page, env, worker)
        expect(page.get_by_role("heading", name="Emergency access")).to_be_visible()
        page.get_by_label("Legal name (exact)").fill(name)
        page.get_by_label("Date of birth").fill(dob)
        page.get_by_label("Reason").select_option("crisis_contact")
        page.get_by_label("What is happening").fill("Client called in crisis; worker is away.")
        _shot(page, "emergency-form")
        page.get_by_role("button", name="Open emergency access").click()
        expect(page.get_by_text("every view is recorded and will be reviewed")).to_be_visible()
        expect(page.get_by_text("only designated staff can see it")).to_be_visible()
        _shot(page, "emergency-record")
        page.get_by_role("button", name="End emergency access now").click()
        expect(page.get_by_text("Your temporary access has ended.")).to_be_visible()

        page = browser.new_page()  # type: ignore[attr-defined]
        _sign_in(page, base, env, privacy)
        expect(page.get_by_role("heading", name="Privacy office")).to_be_visible()
        expect(page.get_by_text("opened emergency access to a client record").first).to_be_visible()
        _shot(page, "privacy-home")
        page.get_by_role("link", name="Emergency reviews").click()
        _shot(page, "grant-queue")
        page.locator("main table a", has_text="Review").first.click()
        expect(page.get_by_text("Client called in crisis; worker is away.")).to_be_visible()
        page.get_by_label("Justified").check()
        page.get_by_label("Review note").fill("Confirmed with the on-call supervisor.")
        _shot(page, "grant-review")
        page.get_by_role("button", name="Record the review").click()
        expect(page.get_by_text("Review recorded.")).to_be_visible()
        for link, shot in (
            ("Restrictions", "restriction-queue"),
            ("Conflict walls", "walls"),
            ("Review a record", "review-open"),
        ):
            page.get_by_role("link", name=link, exact=True).first.click()
            if "reauth" in page.url:
                _reauth(page, env, privacy)
            _shot(page, shot)

        page = browser.new_page()  # type: ignore[attr-defined]
        _sign_in(page, base, env, "admin@riverbend.example")
        _shot(page, "admin-home")
        page.get_by_role("link", name="Staff", exact=True).first.click()
        _shot(page, "staff-list")
        page.locator("tr", has_text="practitioner3@riverbend.example").get_by_role("link").click()
        _shot(page, "staff-detail")
        page.get_by_role("link", name="Agency settings").first.click()
        _shot(page, "agency-settings")
        page.get_by_role("link", name="My declarations").click()
        _shot(page, "relationships")
        browser.close()  # type: ignore[attr-defined]


PHONE = {"width": 375, "height": 800}
PHONE_PAGES = {
    "supervisor@riverbend.example": ["/", "/disclosures/review/", "/minors/consent-by-state/"],
    "admin@harborlight.example": ["/", "/staff/", "/walls/"],
    "privacy@harborlight.example": [
        "/review/restrictions/",
        "/review/disclosure-limits/",
        "/notice/",
        "/retention/",
        "/retention/schedule/",
        "/retention/holds/",
        "/walls/",
    ],
}
FITS = (
    "[document.documentElement.scrollWidth,"
    " document.querySelector('.site-header').getBoundingClientRect().width]"
)


def test_a_deep_link_survives_sign_in_and_pages_fit_a_phone(
    server: tuple[str, dict[str, str]],
) -> None:
    """At 375 px: a signed-out deep link goes through the password and code steps and lands on
    the page asked for; no page scrolls sideways (wide tables scroll inside their own box) and
    the header band spans the screen."""
    from playwright.sync_api import expect, sync_playwright

    base, env = server
    ARTIFACTS.mkdir(exist_ok=True)
    too_wide: list[str] = []
    with sync_playwright() as pw:
        browser = _launch(pw)
        for email, paths in PHONE_PAGES.items():
            page = browser.new_page(viewport=PHONE)  # type: ignore[attr-defined]
            page.goto(f"{base}{paths[-1]}")
            assert page.url == f"{base}/sign-in/?next={paths[-1]}"
            page.get_by_label("Email").fill(email)
            page.get_by_label("Password").fill(env["CONFIDE_E2E_PASSWORD"])
            page.get_by_role("button", name="Continue").click()
            page.get_by_label("6-digit code").fill(_code(env, email))
            page.get_by_role("button", name="Sign in").click()
            expect(page.get_by_role("button", name="Sign out")).to_be_visible()
            assert page.url == f"{base}{paths[-1]}"
            for path in paths:
                page.goto(f"{base}{path}")
                width, header = page.evaluate(FITS)
                if width > PHONE["width"] or header < PHONE["width"]:
                    too_wide.append(f"{email} {path}: page {width} px, header {header} px")
            page.screenshot(path=str(ARTIFACTS / f"phone-{email.split('@')[0]}.png"))
        browser.close()  # type: ignore[attr-defined]
    assert too_wide == []
