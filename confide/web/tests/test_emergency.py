"""The emergency access (break-the-glass) page: find one client by exact name and date of
birth, give a reason, re-authenticate, and see the record under a banner."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.urls import reverse

from confide.access.models import AccessGrant
from confide.consent.services import restriction_decide, restriction_request
from confide.ledger.models import Event
from confide.messaging.models import Notification
from confide.records.models import Client
from confide.testing import World, actor, late_evening, make_client
from confide.training.services import conflict_declare
from confide.web.tests.support import browser, text

URL = reverse("web:emergency")
ROSALIND = {"legal_name": "Rosalind Quenby", "date_of_birth": "1984-03-09"}
REASON = {
    "reason_category": "imminent_harm",
    "reason_text": "Caller reports a threat.",
    "minutes": 60,
}
NEUTRAL = "No client you could open matches that exact legal name and date of birth."


@pytest.fixture
def supervised(world: World) -> World:
    world.other_worker_a.supervisor = world.supervisor_a
    world.other_worker_a.save(update_fields=["supervisor"])
    return world


def test_it_needs_a_fresh_reauthentication_before_anything(world: World) -> None:
    http = browser(world.other_worker_a)
    for response in (http.get(URL), http.post(URL, {**ROSALIND, **REASON})):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("web:reauth"))
    assert not AccessGrant.objects.exists()
    assert not Event.objects.filter(event_type="records:client:searched").exists()


@pytest.mark.parametrize("persona", ["privacy_a", "admin_a", "intake_a"])
def test_it_is_for_practitioners_and_supervisors_only(world: World, persona: str) -> None:
    response = browser(getattr(world, persona), reauth=True).get(URL)
    assert response.status_code == 403
    assert "Emergency access is for practitioners and supervisors." in text(response)


def test_opening_emergency_access_shows_the_record_under_a_banner_and_tells_people(
    supervised: World, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    world = supervised
    http = browser(world.other_worker_a, reauth=True)
    with django_capture_on_commit_callbacks(execute=True):
        response = http.post(URL, {**ROSALIND, **REASON})
    grant = AccessGrant.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("web:client_detail", args=[world.client_a.id])
    assert grant.user_id == world.other_worker_a.id
    assert grant.reason_category == "imminent_harm"
    assert b"Caller reports" not in bytes(grant.reason_text_enc)
    page = http.get(response["Location"])
    until = dt.datetime.fromisoformat(grant.expires_at.isoformat()).astimezone()
    banner = f"Emergency access until {until:%H:%M} — every view is recorded and will be reviewed"
    assert banner in text(page)
    notified = set(Notification.objects.values_list("recipient__email", flat=True))
    assert notified == {"privacy_a@a.test", "supervisor_a@a.test"}
    assert sorted(m.to[0] for m in mail.outbox) == ["privacy_a@a.test", "supervisor_a@a.test"]
    link = reverse("web:grant_review", args=[grant.id])
    assert all(link in m.body and "Rosalind" not in m.body for m in mail.outbox)
    viewed = Event.objects.filter(event_type="records:client:viewed", client_id=world.client_a.id)
    assert viewed.get().details["grant"] == str(grant.id)


def test_the_lookup_is_on_the_ledger_with_its_match_count_only(world: World) -> None:
    browser(world.other_worker_a, reauth=True).post(URL, {**ROSALIND, **REASON})
    event = Event.objects.get(event_type="records:client:searched")
    assert event.details == {"purpose": "break_glass", "matches": 1}
    assert event.client_id is None
    assert "Rosalind" not in str(event.details) + event.reason


def _neutral(world: World, user: Any, identity: dict[str, str]) -> str:
    response = browser(user, reauth=True).post(URL, {**identity, **REASON})
    assert response.status_code == 400
    return text(response)


def test_no_match_another_agency_and_a_walled_client_all_get_the_same_answer(
    world: World,
) -> None:
    conflict_declare(
        actor=actor(world.other_worker_a), client_id=world.client_a.id, relationship="relative"
    )
    marisol = {"legal_name": "Marisol Ketterly", "date_of_birth": "1975-11-02"}
    nobody = {"legal_name": "Nobody Atall", "date_of_birth": "1999-01-01"}
    answers = {
        _neutral(world, world.other_worker_a, ROSALIND),  # walled
        _neutral(world, world.other_worker_a, marisol),  # another agency's client
        _neutral(world, world.other_worker_a, nobody),
    }
    assert len(answers) == 1
    assert NEUTRAL in answers.pop()
    assert not AccessGrant.objects.exists()


def test_a_client_whose_agreed_restriction_names_the_worker_is_not_offered(world: World) -> None:
    asked = restriction_request(
        actor=actor(world.worker_a),
        client_id=world.client_a.id,
        kind="not_staff",
        staff_id=world.other_worker_a.id,
    )
    restriction_decide(actor=actor(world.privacy_a), restriction_id=asked.id, agree=True)
    assert NEUTRAL in _neutral(world, world.other_worker_a, ROSALIND)
    assert not AccessGrant.objects.exists()


def test_a_client_already_in_reach_needs_no_emergency(world: World) -> None:
    response = browser(world.worker_a, reauth=True).post(URL, {**ROSALIND, **REASON})
    assert response["Location"] == reverse("web:client_detail", args=[world.client_a.id])
    assert not AccessGrant.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"reason_category": ""}, "reason_category"),
        ({"reason_category": "boredom"}, "reason_category"),
        ({"reason_text": ""}, "reason_text"),
        ({"reason_text": "x" * 1001}, "reason_text"),
        ({"minutes": 4}, "minutes"),
        ({"minutes": 241}, "minutes"),
        ({"minutes": "soon"}, "minutes"),
        ({"date_of_birth": "1984-02-31"}, "date_of_birth"),
        ({"legal_name": "x" * 201}, "legal_name"),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(
    world: World, change: dict[str, Any], field: str
) -> None:
    response = browser(world.other_worker_a, reauth=True).post(
        URL, {**ROSALIND, **REASON, **change}
    )
    assert response.status_code == 400
    assert f'id="id_{field}_error"' in response.content.decode()
    assert not AccessGrant.objects.exists()
    assert not Notification.objects.exists()


def test_two_people_with_the_same_name_and_birth_date_are_told_apart_by_record_date(
    world: World,
) -> None:
    twin = make_client(
        world.agency_a, world.team_a1, name="Rosalind Quenby", dob=dt.date(1984, 3, 9), number="A-9"
    )
    http = browser(world.other_worker_a, reauth=True)
    first = http.post(URL, {**ROSALIND, **REASON})
    assert first.status_code == 200
    assert "More than one person" in text(first)
    assert str(twin.id) in first.content.decode()
    forged = http.post(URL, {**ROSALIND, **REASON, "client_id": str(world.client_b.id)})
    assert "More than one person" in text(forged)  # an id not offered is never opened
    assert not AccessGrant.objects.exists()
    chosen = http.post(URL, {**ROSALIND, **REASON, "client_id": str(twin.id)})
    assert chosen["Location"] == reverse("web:client_detail", args=[twin.id])
    assert AccessGrant.objects.get().client_id == twin.id


def test_a_match_shows_the_day_its_record_was_created_where_the_agency_is(world: World) -> None:
    """Records created at 21:30 in New York, already the next day in UTC, show New York's day."""
    twin = make_client(
        world.agency_a, world.team_a1, name="Rosalind Quenby", dob=dt.date(1984, 3, 9), number="A-9"
    )
    http = browser(world.other_worker_a, reauth=True)
    with late_evening(dt.date(2024, 5, 10)) as evening:
        Client.objects.filter(id=world.client_a.id).update(created_at=evening)
        Client.objects.filter(id=twin.id).update(created_at=evening + dt.timedelta(days=1))
        page = text(http.post(URL, {**ROSALIND, **REASON}))
    assert "Person 1: record created 2024-05-10" in page
    assert "Person 2: record created 2024-05-11" in page


def test_post_without_a_csrf_token_opens_nothing(world: World) -> None:
    http = browser(world.other_worker_a, reauth=True, csrf=True)
    assert http.post(URL, {**ROSALIND, **REASON}).status_code == 403
    assert not AccessGrant.objects.exists()


def test_the_name_and_birth_date_never_travel_in_the_url(world: World) -> None:
    page = browser(world.other_worker_a, reauth=True).get(URL)
    assert 'method="post"' in page.content.decode()
    assert 'method="get"' not in page.content.decode()


def test_ending_emergency_access_closes_the_record_again(world: World) -> None:
    http = browser(world.other_worker_a, reauth=True)
    http.post(URL, {**ROSALIND, **REASON})
    grant = AccessGrant.objects.get()
    detail = reverse("web:client_detail", args=[world.client_a.id])
    assert http.get(detail).status_code == 200
    assert http.post(reverse("web:grant_end", args=[grant.id])).status_code == 302
    assert http.get(detail).status_code == 404
    assert Event.objects.filter(event_type="access:grant:revoked").count() == 1


def test_nobody_ends_someone_elses_grant(world: World) -> None:
    browser(world.other_worker_a, reauth=True).post(URL, {**ROSALIND, **REASON})
    grant = AccessGrant.objects.get()
    for persona in ("worker_a", "privacy_a", "worker_b"):
        response = browser(getattr(world, persona)).post(reverse("web:grant_end", args=[grant.id]))
        assert response.status_code == 404
    assert AccessGrant.objects.get().revoked_at is None


def test_a_colleagues_draft_read_in_an_emergency_offers_no_editor(world: World) -> None:
    from confide.access.tests.support import break_glass

    draft = world.note(world.other_worker_a, world.client_a_other, body="Draft about the move.")
    break_glass(world.worker_a, world.client_a_other)
    url = reverse("web:note_detail", args=[draft.id])
    page = browser(world.worker_a).get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert "Draft about the move." in text(page)
    assert "only its author can change or sign it" in text(page)
    for control in ("note_save", "note_sign", "attachment_upload"):
        assert reverse(f"web:{control}", args=[draft.id]) not in body
    own = browser(world.other_worker_a).get(url).content.decode()
    assert reverse("web:note_save", args=[draft.id]) in own
    assert reverse("web:attachment_upload", args=[draft.id]) in own


def test_the_review_page_names_the_case_and_what_was_opened_for_the_officer_only(
    world: World,
) -> None:
    http = browser(world.other_worker_a, reauth=True)
    record = http.post(URL, {**ROSALIND, **REASON})["Location"]
    http.get(record)  # the record page, opened under the grant
    grant = AccessGrant.objects.get()
    link = reverse("web:grant_review", args=[grant.id])
    page = text(browser(world.privacy_a).get(link))
    assert f"Case numbers {world.case_of(world.client_a).case_number}" in page
    assert "What they opened under this access" in page
    assert f"Client Viewed client {world.client_a.id}" in page
    # A change made under the grant is listed too, not only the reads.
    from confide.records import services as records

    records.note_create(
        actor=actor(world.other_worker_a),
        case_id=world.case_of(world.client_a).id,
        kind="progress",
        body="Called the crisis line.",
        labels=[],
    )
    assert "Note Created note" in text(browser(world.privacy_a).get(link))
    supervise_page = text(browser(world.supervisor_a).get(link))
    assert world.case_of(world.client_a).case_number not in supervise_page
    assert "What they opened" not in supervise_page


def test_a_privacy_officer_a_restriction_names_does_not_see_or_review_that_grant(
    world: World,
) -> None:
    from confide.access.tests.support import restriction

    browser(world.other_worker_a, reauth=True).post(URL, {**ROSALIND, **REASON})
    grant = AccessGrant.objects.get()
    restriction(world.client_a, world.worker_a, staff=world.privacy_a)
    link = reverse("web:grant_review", args=[grant.id])
    assert browser(world.privacy_a).get(link).status_code == 404
    queue = text(browser(world.privacy_a).get(reverse("web:grant_queue")))
    assert world.other_worker_a.display_name not in queue


def test_no_addendum_is_offered_where_the_policy_refuses_one(world: World) -> None:
    from confide.access.tests.support import break_glass
    from confide.records import services as records

    draft = world.note(world.other_worker_a, world.client_a_other, body="Signed before.")
    signed = records.note_sign(
        actor=actor(world.other_worker_a), note_id=draft.id, expected_version=draft.version
    )
    break_glass(world.worker_a, world.client_a_other)
    url = reverse("web:note_detail", args=[signed.id])
    addendum = reverse("web:note_addendum", args=[signed.id])
    assert addendum not in browser(world.worker_a).get(url).content.decode()
    assert browser(world.worker_a).post(addendum, {"body": "x"}).status_code in (403, 404)
    assert addendum in browser(world.other_worker_a).get(url).content.decode()
