"""The pages for an address that is not there (404), not allowed (403) or opened with a method it
does not take (405): the portal's own pages under /portal/, staff pages worded for the user's
role, and page addresses that answer HEAD as they answer GET."""

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


# ---- 405 -----------------------------------------------------------------------------------------


def test_a_form_address_opened_directly_shows_a_page_with_a_way_back(world: World) -> None:
    note = world.note(world.worker_a, world.client_a)
    http = signed_in(HttpClient(), world.worker_a)
    page = http.get(reverse("web:note_sign", args=[note.id]))
    assert page.status_code == 405
    assert page["Allow"] == "POST"
    assert "This address only receives a form" in text(page)
    assert "Nothing was done" in text(page)
    shown = page.content.decode()
    assert f'href="{reverse("web:note_detail", args=[note.id])}"' in shown
    assert CASELOAD in text(page)
    assert page["Cache-Control"].startswith("no-store")


def test_a_form_address_without_a_page_of_its_own_links_to_the_start_page(world: World) -> None:
    page = HttpClient().get(reverse("web:sign_out"))
    assert page.status_code == 405
    assert START in text(page)
    assert "Back to the page of this form" not in text(page)  # its parent is the start page


def test_a_portal_form_address_opened_directly_shows_the_portal_page(
    world: World, clock: Clock
) -> None:
    member = enrol(world.worker_a, world.client_a, clock)
    for browser in (HttpClient(), portal_browser(member.account)):
        page = browser.get(reverse("portal:sign_out"))
        assert page.status_code == 405
        assert page["Allow"] == "POST"
        shown = page.content.decode()
        assert "Client portal" in shown
        assert f'href="{reverse("portal:home")}"' in shown
        assert f'href="{reverse("web:dashboard")}"' not in shown


def test_the_api_keeps_its_own_405(world: World) -> None:
    answer = HttpClient().get("/api/notes/00000000-0000-4000-8000-000000000000/sign")
    assert answer.status_code == 405
    assert b"<html" not in answer.content


# ---- HEAD ----------------------------------------------------------------------------------------


def test_pages_answer_head_as_they_answer_get(world: World, clock: Clock) -> None:
    anonymous = HttpClient()
    for name in ("web:dashboard", "web:sign_in", "portal:home", "portal:sign_in"):
        url = reverse(name)
        assert anonymous.head(url).status_code == anonymous.get(url).status_code != 405
    staff = signed_in(HttpClient(), world.worker_a)
    for url in (
        reverse("web:dashboard"),
        reverse("web:client_detail", args=[world.client_a.id]),
        reverse("web:client_search"),
        reverse("web:consent_record", args=[world.client_a.id]),
        reverse("web:minor_consent"),
    ):
        head = staff.head(url)
        assert head.status_code == 200, url
        assert head.content == b""
    portal = portal_browser(enrol(world.worker_a, world.client_a, clock).account)
    for name in ("portal:home", "portal:notice", "portal:release_list"):
        assert portal.head(reverse(name)).status_code == 200, name
