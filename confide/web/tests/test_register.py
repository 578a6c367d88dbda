"""The "Register a client" page: the form, what a good and a bad POST do, where each role goes
next, and that nothing about the client is put in a URL or a title."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from confide.ledger.models import Event
from confide.records.models import Case, Client
from confide.testing import World
from confide.web.tests.support import browser, text

REGISTER = reverse("web:client_register")


def _good(world: World, **changes: str) -> dict[str, str]:
    return {
        "legal_name": "Imogen Farrow",
        "preferred_name": "Immy",
        "date_of_birth": "1991-05-17",
        "phone": "555-0142",
        "email": "imogen@example.test",
        "address": "12 Mill Lane",
        "team": str(world.team_a1.id),
        "opened_on": timezone.localdate().isoformat(),
        **changes,
    }


def _new_client() -> Client:
    return (
        Client.objects.exclude(cases__case_number__startswith="A-")
        .exclude(cases__case_number__startswith="B-")
        .get()
    )


@pytest.mark.parametrize("persona", ["intake_a", "worker_a", "supervisor_a"])
def test_the_form_offers_every_field_and_only_the_agencys_teams(world: World, persona: str) -> None:
    response = browser(getattr(world, persona)).get(REGISTER)
    assert response.status_code == 200
    page = response.content.decode()
    for label in ("Legal name", "Preferred name", "Date of birth", "Phone", "Email", "Address"):
        assert f">{label}</label>" in page
    assert "North team" in page
    assert "South team" in page
    assert "B team" not in page
    assert f'value="{timezone.localdate().isoformat()}"' in page  # opened on: today
    assert 'method="post"' in page
    assert "csrfmiddlewaretoken" in page
    assert 'autocomplete="off"' in page


@pytest.mark.parametrize("persona", ["privacy_a", "admin_a"])
def test_privacy_officers_and_administrators_are_refused(world: World, persona: str) -> None:
    http = browser(getattr(world, persona))
    assert http.get(REGISTER).status_code == 403
    assert http.post(REGISTER, _good(world)).status_code == 403
    assert Client.objects.count() == 3


def test_intake_registers_and_lands_on_the_clients_page(world: World) -> None:
    http = browser(world.intake_a)
    response = http.post(REGISTER, _good(world))
    client = _new_client()
    assert response.status_code == 302
    assert response["Location"] == reverse("web:client_detail", kwargs={"client_id": client.id})
    case = Case.objects.get(client=client)
    assert (case.team_id, case.opened_on) == (world.team_a1.id, timezone.localdate())
    page = text(http.get(response["Location"]))
    assert "Imogen Farrow" in page
    assert f"case {case.case_number} opened" in page


def test_a_practitioner_registering_for_their_own_team_opens_the_record(world: World) -> None:
    response = browser(world.worker_a).post(REGISTER, _good(world))
    assert response["Location"] == reverse(
        "web:client_detail", kwargs={"client_id": _new_client().id}
    )


def test_a_practitioner_registering_for_another_team_sees_only_the_case_number(
    world: World,
) -> None:
    http = browser(world.worker_a)
    response = http.post(REGISTER, _good(world, team=str(world.team_a2.id)))
    assert response.status_code == 302
    assert response["Location"] == REGISTER  # post, redirect, get: no client id anywhere
    case = Case.objects.get(client=_new_client())
    page = text(http.get(REGISTER))
    assert f"case {case.case_number} is open on the team you chose" in page
    assert "Imogen" not in page
    assert "Farrow" not in page
    assert case.team_id == world.team_a2.id


def test_a_bad_post_names_every_problem_and_keeps_what_was_typed(world: World) -> None:
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    data = _good(
        world,
        legal_name="",
        date_of_birth="17/05/1991",
        email="not an email",
        phone="5" * 41,
        opened_on=tomorrow,
    )
    before = Event.objects.count()
    response = browser(world.intake_a).post(REGISTER, data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page
    for field in ("legal_name", "date_of_birth", "email", "phone"):
        assert f'href="#id_{field}"' in page, field  # the error summary links to the field
    assert 'value="Immy"' in page
    assert "12 Mill Lane" in page
    assert Client.objects.count() == 3
    assert Event.objects.count() == before


def test_dates_the_service_refuses_are_shown_on_their_fields(world: World) -> None:
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    response = browser(world.intake_a).post(
        REGISTER, _good(world, date_of_birth=tomorrow, opened_on=tomorrow)
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'href="#id_date_of_birth"' in page
    assert 'href="#id_opened_on"' in page
    assert Client.objects.count() == 3


@pytest.mark.parametrize("team", ["b1", "forged", "nonsense", ""])
def test_a_team_of_another_agency_or_none_is_refused_on_the_form(world: World, team: str) -> None:
    posted: dict[str, Any] = {
        "b1": str(world.team_b1.id),
        "forged": "00000000-0000-4000-8000-000000000000",
        "nonsense": "x",
        "": "",
    }
    response = browser(world.intake_a).post(REGISTER, _good(world, team=posted[team]))
    assert response.status_code == 400
    assert 'href="#id_team"' in response.content.decode()
    assert Client.objects.count() == 3
    assert not Case.objects.filter(team=world.team_b1).exclude(client=world.client_b).exists()


def test_nothing_about_the_client_is_in_a_url_or_the_title(world: World) -> None:
    http = browser(world.intake_a)
    response = http.post(REGISTER, _good(world), follow=True)
    urls = [url for url, _ in response.redirect_chain]
    assert not any("Imogen" in url or "1991" in url for url in urls)
    title = re.search(r"<title>(.*?)</title>", response.content.decode(), re.S)
    assert title is not None
    assert "Imogen" not in title.group(1)


def test_the_post_needs_the_csrf_token(world: World) -> None:
    response = browser(world.intake_a, csrf=True).post(REGISTER, _good(world))
    assert response.status_code == 403
    assert Client.objects.count() == 3


@pytest.mark.parametrize("persona", ["intake_a", "worker_a"])
def test_home_links_to_the_page(world: World, persona: str) -> None:
    page = browser(getattr(world, persona)).get(reverse("web:dashboard")).content.decode()
    assert f'href="{REGISTER}"' in page


def test_home_of_an_administrator_does_not_link_to_the_page(world: World) -> None:
    page = browser(world.admin_a).get(reverse("web:dashboard")).content.decode()
    assert f'href="{REGISTER}"' not in page
