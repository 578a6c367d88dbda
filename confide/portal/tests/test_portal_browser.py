"""End to end in headless Chromium: a practitioner invites their client to the portal; the client
accepts the invitation (password and authenticator), reads the notice in Spanish and acknowledges
it, under a Spanish statement, with a typed name and a drawn signature, then revokes an active
release after confirming with password and code; at a phone's width the pages with tables still
fit. Screenshots go to test-artifacts/ (portal-*.png)."""

from __future__ import annotations

import base64
import os
import re
import time
from pathlib import Path

import pytest
from django_otp.oath import TOTP

from confide.portal.wording import SPANISH
from confide.web.tests.test_browser import (  # the shared demo server and sign-in steps
    ARTIFACTS,
    CHROMIUM,
    EMAIL,
    FITS,
    PHONE,
    _launch,
    _sign_in,
    server,
)

__all__ = ["server"]  # a fixture, used by name

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed"),
    pytest.mark.skipif(
        os.environ.get("CONFIDE_DATABASE_URL", "").startswith("postgres"),
        reason="the browser test runs once, in the SQLite pass",
    ),
]
PASSWORD = "blue kettle under seven maples"


def _code(key: str, steps_ahead: int = 0) -> str:
    secret = base64.b32decode(key + "=" * (-len(key) % 8))
    totp = TOTP(secret, 30, 0, 6, 0)
    totp.time = time.time() + 30 * steps_ahead
    return f"{totp.token():06d}"


def test_a_client_accepts_an_invitation_acknowledges_and_revokes(
    server: tuple[str, dict[str, str]],
) -> None:
    from playwright.sync_api import expect, sync_playwright

    base, env = server
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as pw:
        browser = _launch(pw)
        staff = browser.new_page()  # type: ignore[attr-defined]
        _sign_in(staff, base, env, EMAIL)
        staff.locator("table.table tbody th a").first.click()
        client_id = re.search(r"/clients/([0-9a-f-]{36})/", staff.url)
        assert client_id is not None
        # The record's consent panel links to the client's portal access page.
        staff.get_by_role("link", name=re.compile("^Client portal access")).click()
        assert staff.url == f"{base}/clients/{client_id.group(1)}/portal/"
        staff.screenshot(path=str(ARTIFACTS / "portal-staff-access.png"), full_page=True)
        staff.get_by_label("The client's language for the portal").select_option("es")
        staff.get_by_label(re.compile("I will give this code to the client")).check()
        staff.get_by_role("button", name="Create an invitation code").click()
        invitation = staff.locator("#invitation-code").inner_text()
        staff.screenshot(path=str(ARTIFACTS / "portal-staff-invitation.png"), full_page=True)

        client = browser.new_context().new_page()  # type: ignore[attr-defined]
        problems: list[str] = []
        client.on(
            "response",
            lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None,
        )
        client.on(
            "console",
            lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None,
        )
        client.goto(f"{base}/portal/welcome/")
        client.get_by_label("Invitation code").fill(invitation)
        client.get_by_role("button", name="Continue").click()
        key = client.locator("#totp-key").inner_text()
        client.get_by_label("Choose a password").fill(PASSWORD)
        client.get_by_label("The same password again").fill(PASSWORD)
        client.get_by_label("6-digit code").fill(_code(key))
        client.get_by_role("button", name="Finish and sign in").click()
        expect(client.get_by_text(re.compile("Your account is ready"))).to_be_visible()

        client.get_by_role("link", name="Your privacy notice").first.click()
        expect(client.locator("article[lang=es] h1")).to_be_visible()
        pad = client.locator("#signature-pad")
        expect(pad).to_be_visible()
        # The acknowledgement is in the notice's language.
        expect(client.locator("section[lang=es] #acknowledgement-form")).to_be_visible()
        client.get_by_label(SPANISH.statement).focus()
        client.keyboard.press("Space")
        client.get_by_label(SPANISH.name).fill("Cliente Demo")
        box = pad.bounding_box()
        assert box is not None
        client.mouse.move(box["x"] + 20, box["y"] + 80)
        client.mouse.down()
        for step in range(1, 20):
            client.mouse.move(box["x"] + 20 + step * 20, box["y"] + 80 + (step % 4) * 12)
        client.mouse.up()
        client.get_by_role("button", name=SPANISH.submit).click()
        expect(client.get_by_text(SPANISH.recorded)).to_be_visible()
        expect(client.get_by_role("link", name=re.compile("PDF copy"))).to_be_visible()
        client.screenshot(path=str(ARTIFACTS / "portal-notice-acknowledged.png"), full_page=True)

        client.get_by_role("link", name="Your releases of information").first.click()
        active = client.locator("tbody tr", has_text="Active").first
        active.locator("th a").click()
        client.get_by_role("link", name="Revoke this release").focus()
        client.keyboard.press("Enter")
        client.get_by_label("Yes, revoke this release now.").check()
        client.get_by_label("Password").fill(PASSWORD)
        client.get_by_label("6-digit code").fill(_code(key, steps_ahead=1))
        client.get_by_role("button", name="Revoke now").click()
        expect(client.get_by_text(re.compile("The release is revoked"))).to_be_visible()
        expect(client.locator("#release-status")).to_have_text("Revoked")
        client.screenshot(path=str(ARTIFACTS / "portal-release-revoked.png"), full_page=True)
        assert problems == []

        # On a phone (375 px) the releases and acknowledgements tables scroll in their own box:
        # the page does not scroll sideways and the header band spans the screen.
        client.set_viewport_size(PHONE)
        for path in ("/portal/releases/", "/portal/notice/"):
            client.goto(f"{base}{path}")
            assert client.evaluate(FITS) == [PHONE["width"], PHONE["width"]], path
        client.screenshot(path=str(ARTIFACTS / "portal-phone-notice.png"), full_page=True)
        browser.close()  # type: ignore[attr-defined]
