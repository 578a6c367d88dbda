"""Client-requested restrictions from the pages: recorded from the record, decided and ended
by a privacy officer, and enforced by the same policy at once."""

from __future__ import annotations

from uuid import UUID

import pytest
from django.urls import reverse

from confide.consent.models import Restriction
from confide.consent.services import restriction_decide, restriction_request
from confide.ledger.models import Event
from confide.testing import World, actor
from confide.web.tests.support import browser, text

QUEUE = reverse("web:restriction_queue")


def _new_url(world: World) -> str:
    return reverse("web:restriction_new", args=[world.client_a.id])


def _requested(world: World, staff_id: UUID | None = None) -> Restriction:
    return restriction_request(
        actor=actor(world.worker_a),
        client_id=world.client_a.id,
        kind="not_staff",
        staff_id=staff_id or world.worker_a2.id,
    )


def test_staff_with_access_record_a_request_from_the_record(world: World) -> None:
    http = browser(world.worker_a)
    page = http.get(_new_url(world))
    assert page.status_code == 200
    html = page.content.decode()
    assert str(world.worker_a2.id) in html
    assert str(world.worker_b.id) not in html  # only the agency's staff and programs
    response = http.post(_new_url(world), {"kind": "not_staff", "staff": str(world.worker_a2.id)})
    assert response["Location"] == reverse("web:client_detail", args=[world.client_a.id])
    restriction = Restriction.objects.get()
    assert (restriction.status, restriction.staff_id) == ("requested", world.worker_a2.id)
    record = text(http.get(response["Location"]))
    assert "Not this staff member worker_a2 Requested" in record


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"kind": "not_staff"},
        {"kind": "not_program"},
        {"kind": "not_everyone"},
        {"kind": "not_staff", "staff": "WORKER_B"},
        {"kind": "not_program", "program": "00000000-0000-4000-8000-000000000000"},
    ],
)
def test_an_incomplete_or_foreign_request_records_nothing(
    world: World, data: dict[str, str]
) -> None:
    if data.get("staff") == "WORKER_B":
        data = {**data, "staff": str(world.worker_b.id)}
    response = browser(world.worker_a).post(_new_url(world), data)
    assert response.status_code == 400
    assert not Restriction.objects.exists()


@pytest.mark.parametrize("persona", ["other_worker_a", "privacy_a", "admin_a", "worker_b"])
def test_staff_without_access_to_the_record_cannot_reach_the_form(
    world: World, persona: str
) -> None:
    http = browser(getattr(world, persona))
    assert http.get(_new_url(world)).status_code == 404
    response = http.post(_new_url(world), {"kind": "not_staff", "staff": str(world.worker_a.id)})
    assert response.status_code == 404
    assert not Restriction.objects.exists()


def test_the_privacy_officer_agrees_and_the_restriction_applies_at_once(world: World) -> None:
    restriction = _requested(world)
    http = browser(world.privacy_a)
    queue = text(http.get(QUEUE))
    assert "A-1001" in queue
    assert "worker_a2" in queue
    assert "Rosalind" not in queue
    http.post(reverse("web:restriction_decide", args=[restriction.id]), {"decision": "agree"})
    assert Restriction.objects.get().status == "agreed"
    blocked = browser(world.worker_a2).get(reverse("web:client_detail", args=[world.client_a.id]))
    assert blocked.status_code == 404
    http.post(reverse("web:restriction_end", args=[restriction.id]))
    assert Restriction.objects.get().status == "ended"
    again = browser(world.worker_a2).get(reverse("web:client_detail", args=[world.client_a.id]))
    assert again.status_code == 200
    kinds = list(
        Event.objects.filter(event_type__startswith="consent:").values_list("event_type", flat=True)
    )
    assert kinds == [
        "consent:restriction:requested",
        "consent:restriction:decided",
        "consent:restriction:ended",
    ]


def test_denying_keeps_access_and_a_decided_request_cannot_be_decided_again(
    world: World,
) -> None:
    restriction = _requested(world)
    url = reverse("web:restriction_decide", args=[restriction.id])
    http = browser(world.privacy_a)
    http.post(url, {"decision": "deny"})
    response = http.post(url, {"decision": "agree"}, follow=True)
    assert "already been decided" in text(response)
    assert Restriction.objects.get().status == "denied"


def test_a_decision_without_a_choice_changes_nothing(world: World) -> None:
    restriction = _requested(world)
    url = reverse("web:restriction_decide", args=[restriction.id])
    browser(world.privacy_a).post(url, {"decision": "maybe"})
    assert Restriction.objects.get().status == "requested"


@pytest.mark.parametrize("persona", ["worker_a", "supervisor_a", "admin_a", "intake_a"])
def test_only_privacy_officers_decide_or_end(world: World, persona: str) -> None:
    restriction = _requested(world)
    http = browser(getattr(world, persona))
    assert http.get(QUEUE).status_code == 403
    url = reverse("web:restriction_decide", args=[restriction.id])
    assert http.post(url, {"decision": "agree"}).status_code == 403
    assert http.post(reverse("web:restriction_end", args=[restriction.id])).status_code == 403
    assert Restriction.objects.get().status == "requested"


def test_another_agencys_privacy_officer_finds_nothing(world: World) -> None:
    from confide.core.enums import Role
    from confide.testing import make_user

    privacy_b = make_user(world.agency_b, "privacy_b@b.test", Role.PRIVACY_OFFICER)
    restriction = _requested(world)
    http = browser(privacy_b)
    assert "A-1001" not in text(http.get(QUEUE))
    url = reverse("web:restriction_decide", args=[restriction.id])
    assert http.post(url, {"decision": "agree"}).status_code == 404
    assert Restriction.objects.get().status == "requested"


def test_an_agreed_restriction_ends_only_once(world: World) -> None:
    restriction = _requested(world)
    restriction_decide(actor=actor(world.privacy_a), restriction_id=restriction.id, agree=True)
    http = browser(world.privacy_a)
    url = reverse("web:restriction_end", args=[restriction.id])
    http.post(url)
    response = http.post(url, follow=True)
    assert "Only an agreed restriction can be ended." in text(response)
