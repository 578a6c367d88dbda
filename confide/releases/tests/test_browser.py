"""In headless Chromium, by keyboard: record a HIPAA authorization from the client page, sign it
and revoke it. Uses the web tests' demo server (a real server process on a throwaway SQLite
database)."""

from __future__ import annotations

import re

from confide.web.tests.test_browser import (  # noqa: F401 (the module's server fixture)
    ARTIFACTS,
    EMAIL,
    _launch,
    _sign_in,
    pytestmark,
    server,
)


def test_a_release_is_recorded_signed_and_revoked_by_keyboard(
    server: tuple[str, dict[str, str]],  # noqa: F811
) -> None:
    from playwright.sync_api import expect, sync_playwright

    base, env = server
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as pw:
        browser = _launch(pw)
        page = browser.new_page()  # type: ignore[attr-defined]
        _sign_in(page, base, env, EMAIL)
        page.locator("table.table tbody th a").first.click()
        page.get_by_role("link", name="Record a release").focus()
        page.keyboard.press("Enter")
        page.get_by_role("link", name=re.compile("^HIPAA authorization")).focus()
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", name=re.compile("HIPAA authorization"))).to_be_visible()

        page.get_by_label("Kind of recipient").select_option("health_care_provider")
        page.get_by_label("Who may receive it (name or class)").focus()
        page.keyboard.type("Lakeside Family Clinic")
        page.keyboard.press("Tab")  # the recipient's contact
        page.keyboard.type("12 Lake Road")
        page.keyboard.press("Tab")  # who may disclose
        page.keyboard.type("North team")
        page.get_by_label("Purpose", exact=True).select_option("care_coordination")
        page.get_by_label("General case record").focus()
        page.keyboard.press("Space")
        page.get_by_label(re.compile("^Specific description")).fill("Assessment of this year")
        page.get_by_label("Expires after (date)").fill("2099-12-31")
        for statement in ("may revoke", "conditioned", "redisclosed"):
            page.get_by_label(re.compile(statement)).focus()
            page.keyboard.press("Space")
        page.get_by_role("button", name="Save as a draft").focus()
        page.keyboard.press("Enter")
        expect(page.get_by_text("Release recorded as a draft.")).to_be_visible()

        page.get_by_label("Signature: the signer's full name, typed").fill("Client Demo")
        page.get_by_role("button", name="Record the signature").focus()
        page.keyboard.press("Enter")
        expect(page.get_by_text("Signature recorded.")).to_be_visible()
        expect(page.locator(".status-active")).to_be_visible()

        page.get_by_label(re.compile("The client asked to revoke")).focus()
        page.keyboard.press("Space")
        page.keyboard.press("Tab")
        page.keyboard.press("Enter")
        expect(page.get_by_text("Revoked. Nothing more may be disclosed under it.")).to_be_visible()
        expect(page.locator(".status-revoked")).to_be_visible()
        page.screenshot(path=str(ARTIFACTS / "e2e-release-revoked.png"), full_page=True)
        browser.close()  # type: ignore[attr-defined]
