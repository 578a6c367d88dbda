"""End to end in headless Chromium (the web tests' demo server): a practitioner walks a client
through the notice, the client draws a signature with the pointer, and the consent page shows
it; then an acknowledgement by keyboard alone (typed name, no drawing) is recorded too. Proves
the drawing pad runs from our static file under the site's CSP."""

from __future__ import annotations

import re

from confide.web.tests.test_browser import (  # the shared demo server and sign-in steps
    BROWSER_MARKS,
    EMAIL,
    _launch,
    _sign_in,
    server,
)

__all__ = ["server"]  # a fixture, used by name

pytestmark = BROWSER_MARKS


def test_a_client_signs_the_notice_by_pointer_and_by_keyboard(
    server: tuple[str, dict[str, str]],
) -> None:
    from playwright.sync_api import expect, sync_playwright

    base, env = server
    with sync_playwright() as pw:
        browser = _launch(pw)
        page = browser.new_page()  # type: ignore[attr-defined]
        problems: list[str] = []
        page.on(
            "response",
            lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None,
        )
        page.on(
            "console",
            lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None,
        )
        _sign_in(page, base, env, EMAIL)
        page.locator("table.table tbody th a").first.click()
        page.get_by_role("link", name=re.compile("notice with the client")).click()
        expect(
            page.get_by_role("heading", name="What we keep private, and when we cannot")
        ).to_be_visible()

        pad = page.locator("#signature-pad")
        expect(pad).to_be_visible()  # shown once the script runs
        page.get_by_label(re.compile("We read this notice together")).check()
        page.get_by_label("The client types their full name").fill("Demo Client")
        box = pad.bounding_box()
        assert box is not None
        page.mouse.move(box["x"] + 20, box["y"] + 80)
        page.mouse.down()
        for step in range(1, 20):
            page.mouse.move(box["x"] + 20 + step * 20, box["y"] + 80 + (step % 4) * 12)
        page.mouse.up()
        page.get_by_role("button", name="Record the acknowledgement").click()
        expect(page.get_by_text("Acknowledgement recorded.")).to_be_visible()
        expect(page.get_by_role("img", name="Signature drawn by the client")).to_be_visible()

        # Keyboard only: no pointer, no drawing; the typed name is the acknowledgement.
        page.get_by_role("link", name="Go through the notice with the client").focus()
        page.keyboard.press("Enter")
        page.get_by_label(re.compile("We read this notice together")).focus()
        page.keyboard.press("Space")
        page.keyboard.press("Tab")
        page.keyboard.type("Demo Client")
        page.keyboard.press("Enter")
        expect(page.get_by_text("Acknowledgement recorded.")).to_be_visible()
        expect(page.get_by_role("cell", name="Typed name only")).to_be_visible()
        assert problems == []
        browser.close()  # type: ignore[attr-defined]
