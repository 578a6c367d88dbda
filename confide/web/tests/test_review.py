"""The privacy officer's review work: the queue of emergency grants (with the overdue flag),
one grant with its decrypted reason, closing it, and opening a record for a review purpose."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from confide.access import services
from confide.access.models import AccessGrant
from confide.core import clock
from confide.ledger.models import Event
from confide.testing import World, actor
from confide.training.services import conflict_declare
from confide.web.tests.support import browser, text

QUEUE = reverse("web:grant_queue")
OPEN = reverse("web:review_open")


def _grant(world: World, text_: str = "Client in crisis at the front desk.") -> AccessGrant:
    return services.break_glass_open(
        actor=actor(world.other_worker_a),
        client_id=world.client_a.id,
        reason_category="crisis_contact",
        reason_text=text_,
        reauthenticated=True,
    )


def _age(grant: AccessGrant, days: int) -> None:
    then = clock.now() - dt.timedelta(days=days)
    AccessGrant.objects.filter(id=grant.id).update(
        starts_at=then, expires_at=then + dt.timedelta(hours=1)
    )


def test_the_queue_lists_staff_time_and_category_never_the_client(world: World) -> None:
    _grant(world)
    page = browser(world.privacy_a).get(QUEUE)
    assert page.status_code == 200
    body = text(page)
    assert "other_a" in body
    assert "Crisis contact outside the care team" in body
    assert "Rosalind" not in body
    assert "A-1001" not in body
    assert "Client in crisis" not in body


@pytest.mark.parametrize("persona", ["worker_a", "supervisor_a", "admin_a", "intake_a"])
def test_the_queue_is_for_privacy_officers(world: World, persona: str) -> None:
    assert browser(getattr(world, persona)).get(QUEUE).status_code == 403


def test_grants_unreviewed_past_the_limit_are_flagged_on_the_queue_and_dashboard(
    world: World,
) -> None:
    _age(_grant(world), days=8)
    _grant(world, "Second, recent.")
    http = browser(world.privacy_a)
    assert "1 unreviewed for more than the review limit" in text(http.get(QUEUE))
    home = text(http.get(reverse("web:dashboard")))
    assert "1 emergency access unreviewed for more than 7 days" in home
    assert "2 emergency accesses awaiting review" in home


def test_a_grant_seven_days_old_is_not_yet_overdue(world: World) -> None:
    _age(_grant(world), days=6)
    assert "unreviewed for more than" not in text(browser(world.privacy_a).get(QUEUE))


def test_the_privacy_officer_reads_the_reason_and_that_read_is_on_the_ledger(
    world: World,
) -> None:
    grant = _grant(world)
    page = browser(world.privacy_a).get(reverse("web:grant_review", args=[grant.id]))
    assert page.status_code == 200
    assert "Client in crisis at the front desk." in text(page)
    event = Event.objects.get(event_type="records:client:viewed", subject_id=str(grant.id))
    assert event.client_id == world.client_a.id
    assert event.actor_id == world.privacy_a.id


def test_the_supervisor_sees_a_summary_without_the_client_or_the_reason(world: World) -> None:
    world.other_worker_a.supervisor = world.supervisor_a
    world.other_worker_a.save(update_fields=["supervisor"])
    grant = _grant(world)
    page = browser(world.supervisor_a).get(reverse("web:grant_review", args=[grant.id]))
    assert page.status_code == 200
    assert "Client in crisis" not in text(page)
    assert "Close the review" not in text(page)
    assert str(world.client_a.id) not in page.content.decode()
    refused = browser(world.supervisor_a).post(
        reverse("web:grant_review", args=[grant.id]), {"outcome": "misuse", "note": "x"}
    )
    assert refused.status_code == 403
    assert AccessGrant.objects.get().reviewed_at is None


@pytest.mark.parametrize("persona", ["worker_a", "other_worker_a", "admin_a", "worker_b"])
def test_anyone_else_finds_no_such_grant(world: World, persona: str) -> None:
    grant = _grant(world)
    url = reverse("web:grant_review", args=[grant.id])
    assert browser(getattr(world, persona)).get(url).status_code == 404


def test_a_privacy_officer_walled_from_the_client_never_sees_the_grant(world: World) -> None:
    grant = _grant(world)
    conflict_declare(
        actor=actor(world.privacy_a), client_id=world.client_a.id, relationship="friend"
    )
    http = browser(world.privacy_a)
    assert http.get(reverse("web:grant_review", args=[grant.id])).status_code == 404
    assert "other_a" not in text(http.get(QUEUE))


@pytest.mark.parametrize("outcome", ["justified", "misuse"])
def test_closing_a_grant_records_the_outcome_and_note(world: World, outcome: str) -> None:
    grant = _grant(world)
    url = reverse("web:grant_review", args=[grant.id])
    http = browser(world.privacy_a)
    response = http.post(url, {"outcome": outcome, "note": "Checked with the team lead."})
    assert response["Location"] == QUEUE
    grant.refresh_from_db()
    assert grant.review_outcome == outcome
    assert grant.reviewed_by_id == world.privacy_a.id
    page = text(http.get(url))
    assert "Checked with the team lead." in page
    assert "Close the review" not in page
    again = http.post(url, {"outcome": "justified", "note": "Again."})
    assert again.status_code == 409
    assert "already been reviewed" in text(again)


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"outcome": "fine", "note": "x"},
        {"outcome": "justified"},
        {"outcome": "misuse", "note": "x" * 1001},
    ],
)
def test_an_incomplete_review_changes_nothing(world: World, data: dict[str, str]) -> None:
    grant = _grant(world)
    response = browser(world.privacy_a).post(reverse("web:grant_review", args=[grant.id]), data)
    assert response.status_code == 400
    assert AccessGrant.objects.get().reviewed_at is None
    assert not Event.objects.filter(event_type="access:grant:reviewed").exists()


def test_reviewing_another_agencys_grant_or_a_forged_id_is_not_found(world: World) -> None:
    url = reverse("web:grant_review", args=["00000000-0000-4000-8000-000000000000"])
    assert browser(world.privacy_a).post(url, {"outcome": "misuse", "note": "x"}).status_code == 404


# --- review purpose ------------------------------------------------------------------------

ROSALIND = {"legal_name": "Rosalind Quenby", "date_of_birth": "1984-03-09"}
PURPOSE = {"purpose": "complaint", "note": "Complaint 2025-14 about a disclosure."}


def test_opening_a_record_for_a_review_purpose_needs_reauthentication(world: World) -> None:
    response = browser(world.privacy_a).post(OPEN, {**ROSALIND, **PURPOSE})
    assert response["Location"].startswith(reverse("web:reauth"))
    assert not AccessGrant.objects.exists()


def test_the_privacy_officer_reads_the_record_under_a_review_banner(world: World) -> None:
    http = browser(world.privacy_a, reauth=True)
    detail = reverse("web:client_detail", args=[world.client_a.id])
    assert http.get(detail).status_code == 404  # no client content without a purpose
    response = http.post(OPEN, {**ROSALIND, **PURPOSE})
    assert response["Location"] == detail
    page = text(http.get(detail))
    assert "Privacy review access until" in page
    assert "Rosalind" in page
    grant = AccessGrant.objects.get()
    assert grant.kind == "privacy_review"
    assert grant.reason_category == "complaint"


@pytest.mark.parametrize("persona", ["worker_a", "supervisor_a", "admin_a", "intake_a"])
def test_review_purposes_are_for_privacy_officers(world: World, persona: str) -> None:
    response = browser(getattr(world, persona), reauth=True).post(OPEN, {**ROSALIND, **PURPOSE})
    assert response.status_code == 403
    assert not AccessGrant.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {**PURPOSE},
        {**ROSALIND, "note": "x"},
        {**ROSALIND, "purpose": "curiosity", "note": "x"},
        {**ROSALIND, "purpose": "complaint", "note": ""},
        {**ROSALIND, "purpose": "complaint", "note": "x" * 1001},
        {"legal_name": "Marisol Ketterly", "date_of_birth": "1975-11-02", **PURPOSE},
    ],
)
def test_a_bad_or_unmatched_review_request_opens_nothing(
    world: World, data: dict[str, str]
) -> None:
    response = browser(world.privacy_a, reauth=True).post(OPEN, data)
    assert response.status_code == 400
    assert not AccessGrant.objects.filter(kind="privacy_review").exists()


def test_from_a_grant_the_review_opens_that_grants_client(world: World) -> None:
    grant = _grant(world)
    http = browser(world.privacy_a, reauth=True)
    form = http.get(f"{OPEN}?grant={grant.id}")
    assert form.status_code == 200
    assert "The client of the emergency access under review." in text(form)
    response = http.post(
        OPEN, {"grant_id": str(grant.id), "purpose": "break_glass_review", "note": "Reviewing."}
    )
    assert response["Location"] == reverse("web:client_detail", args=[world.client_a.id])


def test_a_grant_id_of_another_agency_opens_nothing(world: World) -> None:
    http = browser(world.privacy_a, reauth=True)
    forged = "00000000-0000-4000-8000-000000000000"
    assert http.get(f"{OPEN}?grant={forged}").status_code == 404
    response = http.post(OPEN, {"grant_id": forged, **PURPOSE})
    assert response.status_code == 404
    assert not AccessGrant.objects.exists()
