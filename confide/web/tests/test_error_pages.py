"""The pages for an address that is not there (404) or not allowed (403): the portal's own pages
under /portal/, staff pages worded for the user's role."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from confide.portal.tests.support import Clock, clock, enrol, portal_browser
from confide.testing import World, signed_in
from confide.web.tests.support import text

__all__ = ["clock"]

CASELOAD, START = "Back to your caseload", "Back to the start page"


# ---- 404 -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/portal/nonexistent/", "/portal/releases/garbage/"])
def test_an_unknown_portal_address_shows_the_portal_not_found_page(
    world: World, clock: Clock, path: str
) -> None:
    member = enrol(world.worker_a, world.client_a, clock)
    for browser in (HttpClient(), portal_browser(member.account)):
        page = browser.get(path)
        assert page.status_code == 404
        shown = page.content.decode()
        assert "Client portal" in shown
        assert f'href="{reverse("portal:home")}"' in shown
        assert f'href="{reverse("web:sign_in")}"' not in shown
        assert f'href="{reverse("web:dashboard")}"' not in shown
        assert "caseload" not in shown


def test_an_unknown_staff_address_shows_the_staff_not_found_page(world: World) -> None:
    page = HttpClient().get("/no-such-page/")
    assert page.status_code == 404
    assert START in text(page)
    assert "Client portal" not in text(page)


@pytest.mark.parametrize(
    ("persona", "link"),
    [
        ("worker_a", CASELOAD),
        ("supervisor_a", CASELOAD),
        ("admin_a", START),
        ("intake_a", START),
        ("privacy_a", START),
    ],
)
def test_the_way_back_from_a_404_is_named_for_the_role(
    world: World, persona: str, link: str
) -> None:
    http = signed_in(HttpClient(), getattr(world, persona))
    for page in (
        http.get("/no-such-page/"),
        http.get(reverse("web:client_detail", args=["00000000-0000-4000-8000-000000000000"])),
    ):
        assert page.status_code == 404
        assert link in text(page)
        assert "caseload" not in text(page) or link == CASELOAD


def test_the_way_back_from_a_403_is_named_for_the_role(world: World) -> None:
    admin = signed_in(HttpClient(), world.admin_a).get(reverse("web:emergency"))
    assert admin.status_code == 403
    assert START in text(admin)
    assert CASELOAD not in text(admin)
    worker = signed_in(HttpClient(), world.worker_a).get(reverse("web:staff_list"))
    assert worker.status_code == 403
    assert CASELOAD in text(worker)
