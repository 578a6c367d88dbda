"""The search page's three exact look-ups: name + date of birth, the phone's last four digits,
and an identifier; each among the clients the user may see, none of them in a URL or the ledger."""

from __future__ import annotations

import pytest
from django.urls import reverse

from confide.ledger.models import Event
from confide.testing import World
from confide.web.tests.support import browser, text

SEARCH = reverse("web:client_search")


def _search(world: World, data: dict[str, str], persona: str = "worker_a") -> str:
    response = browser(getattr(world, persona)).post(SEARCH, data)
    assert response.status_code == 200
    return text(response)


def test_the_page_offers_all_three_look_ups_with_labelled_fields(world: World) -> None:
    page = browser(world.worker_a).get(SEARCH).content.decode()
    for label in ("Legal name (exact)", "Last four digits of the phone number", "Identifier"):
        assert label in page
    assert 'method="post"' in page
    assert 'method="get"' not in page


def test_phone_last_four_finds_a_visible_client(world: World) -> None:
    body = _search(world, {"by": "phone", "phone-last_four": "1001"})
    assert "1 match" in body
    assert "Rosalind Quenby" in body


def test_phone_last_four_does_not_find_clients_the_user_may_not_see(world: World) -> None:
    # 1002 is on another team; 2001 in another agency: the same answer as no client at all.
    for digits in ("1002", "2001", "9999"):
        assert "0 matches" in _search(world, {"by": "phone", "phone-last_four": digits})


def test_an_identifier_finds_a_visible_client_exactly(world: World) -> None:
    data = {"by": "identifier", "identifier-kind": "Medicaid", "identifier-value": "mca-1001"}
    assert "Rosalind Quenby" in _search(world, data)
    other = {"by": "identifier", "identifier-kind": "medicaid", "identifier-value": "MCB-2001"}
    assert "0 matches" in _search(world, other)


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ({"by": "phone", "phone-last_four": "12a4"}, "Enter exactly four digits."),
        ({"by": "phone", "phone-last_four": "123"}, "Enter exactly four digits."),
        ({"by": "phone", "phone-last_four": "12345"}, "at most 4 characters"),
        ({"by": "identifier", "identifier-kind": "medicaid"}, "This field is required."),
        ({"by": "identifier", "identifier-kind": "k", "identifier-value": "v" * 101}, "at most"),
    ],
)
def test_bad_look_ups_are_named_and_search_nothing(
    world: World, data: dict[str, str], problem: str
) -> None:
    body = _search(world, data)
    assert problem in body
    assert "match" not in body.lower().replace("matches exactly", "")
    assert not Event.objects.filter(event_type="records:client:searched").exists()


def test_the_ledger_records_a_phone_search_without_what_was_searched(world: World) -> None:
    _search(world, {"by": "phone", "phone-last_four": "1001"})
    event = Event.objects.get(event_type="records:client:searched")
    assert "1001" not in str(event.details) + event.reason


def test_an_unknown_look_up_kind_searches_nothing(world: World) -> None:
    body = _search(world, {"by": "ssn", "legal_name": "Rosalind Quenby"})
    assert "match" not in body.lower()
    assert not Event.objects.filter(event_type="records:client:searched").exists()


def test_no_match_points_a_practitioner_to_emergency_access_and_no_one_else(
    world: World,
) -> None:
    emergency = "emergency access (recorded and reviewed)"
    assert emergency in _search(world, {"by": "phone", "phone-last_four": "1002"})
    assert emergency not in _search(world, {"by": "phone", "phone-last_four": "1002"}, "intake_a")
    assert emergency not in _search(world, {"by": "phone", "phone-last_four": "1001"})
