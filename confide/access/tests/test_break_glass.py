"""Break-the-glass: a reason, re-authentication, one client, a time limit; immediate notice to the
supervisor and privacy officers (in the app, and by email after commit); every access under the
grant marked on the ledger; review as justified or misuse; overdue reviews flagged. Never across
agencies (and never through a wall: see test_walls_and_restrictions)."""

from __future__ import annotations

import datetime as dt
import uuid
from datetime import timedelta

import pytest
from django.core import mail
from pytest_django import DjangoCaptureOnCommitCallbacks

from confide.access.errors import AlreadyHasAccess, GrantAlreadyReviewed
from confide.access.models import AccessGrant
from confide.access.policy import Action, Decision, authorize
from confide.access.services import (
    break_glass_open,
    break_glass_review,
    grant_end,
    overdue_count,
    unreviewed_grants,
)
from confide.accounts.errors import ReauthRequired
from confide.accounts.models import User
from confide.core import clock
from confide.core.enums import Role
from confide.core.errors import NotFound, NotPermitted, ValidationFailed
from confide.ledger.enums import EventType
from confide.ledger.tests.support import events_since, ledger_mark, ledger_text
from confide.messaging.models import Notification
from confide.records import selectors, services
from confide.testing import World, make_client, make_user

from .support import EMERGENCY_TEXT, act, note, set_user, supervise

REVIEW_NOTE = "Crisis call confirmed by the on-call log; Quenby was at risk."


def _open(world: World, user: User | None = None, **overrides: object) -> AccessGrant:
    arguments: dict[str, object] = {
        "actor": act(user or world.other_worker_a),
        "client_id": world.client_a.id,
        "reason_category": "imminent_harm",
        "reason_text": EMERGENCY_TEXT,
        "reauthenticated": True,
    }
    arguments.update(overrides)
    return break_glass_open(**arguments)  # type: ignore[arg-type]


def _move_clock(monkeypatch: pytest.MonkeyPatch, by: timedelta) -> None:
    later = clock.now() + by
    monkeypatch.setattr(clock, "now", lambda: later)


# ---- opening a grant ----------------------------------------------------------------------


def test_break_the_glass_needs_a_fresh_reauthentication(world: World) -> None:
    with pytest.raises(ReauthRequired):
        _open(world, reauthenticated=False)
    assert not AccessGrant.objects.exists()


@pytest.mark.parametrize("persona", ["intake_a", "privacy_a", "admin_a"])
def test_only_practitioners_and_supervisors_break_the_glass(world: World, persona: str) -> None:
    with pytest.raises(NotPermitted):
        _open(world, getattr(world, persona))
    assert not AccessGrant.objects.exists()


def test_a_supervisor_may_break_the_glass(world: World) -> None:
    _open(world, world.supervisor_a, client_id=world.client_a_other.id)
    decision = authorize(act(world.supervisor_a), Action.CLIENT_VIEW, world.client_a_other)
    assert decision == Decision(True, ("break_glass.emergency",))


def test_nobody_breaks_the_glass_for_a_client_they_can_already_see(world: World) -> None:
    with pytest.raises(AlreadyHasAccess):
        _open(world, world.worker_a)
    _open(world)
    with pytest.raises(AlreadyHasAccess):  # nor twice
        _open(world)


@pytest.mark.parametrize(("minutes", "ok"), [(4, False), (5, True), (240, True), (241, False)])
def test_the_time_limit_is_between_5_and_240_minutes(world: World, minutes: int, ok: bool) -> None:
    if ok:
        grant = _open(world, minutes=minutes)
        assert grant.expires_at - grant.starts_at == timedelta(minutes=minutes)
    else:
        with pytest.raises(ValidationFailed) as caught:
            _open(world, minutes=minutes)
        assert "minutes" in caught.value.fields


def test_the_default_time_limit_is_60_minutes(world: World) -> None:
    grant = _open(world)
    assert grant.expires_at - grant.starts_at == timedelta(minutes=60)


@pytest.mark.parametrize(
    ("category", "text", "field"),
    [("curiosity", EMERGENCY_TEXT, "reason_category"), ("other", "  ", "reason_text")],
)
def test_break_the_glass_needs_a_reason_category_and_text(
    world: World, category: str, text: str, field: str
) -> None:
    with pytest.raises(ValidationFailed) as caught:
        _open(world, reason_category=category, reason_text=text)
    assert field in caught.value.fields


def test_break_the_glass_never_crosses_agencies(world: World) -> None:
    with pytest.raises(NotFound) as other_agency:
        _open(world, client_id=world.client_b.id)
    with pytest.raises(NotFound) as missing:
        _open(world, client_id=uuid.uuid4())
    assert str(other_agency.value) == str(missing.value)
    # Nor does a grant row for another agency's client (forged) open it.
    AccessGrant.objects.create(
        agency=world.agency_a,
        kind="break_glass",
        user=world.other_worker_a,
        client=world.client_b,
        reason_category="other",
        reason_text_enc=b"",
        starts_at=clock.now(),
        expires_at=clock.now() + timedelta(hours=1),
    )
    decision = authorize(act(world.other_worker_a), Action.CLIENT_VIEW, world.client_b)
    assert decision == Decision(False, ("agency.boundary",))


def test_opening_a_grant_is_on_the_ledger_without_its_free_text(world: World) -> None:
    mark = ledger_mark()
    grant = _open(world)
    grant_events = [e for e in events_since(mark) if e.event_type == EventType.GRANT_OPENED]
    assert len(grant_events) == 1
    event = grant_events[0]
    assert (event.subject_id, event.client_id, event.reason) == (
        str(grant.id),
        world.client_a.id,
        "imminent_harm",
    )
    assert event.details == {"kind": "break_glass", "minutes": 60}
    assert "crisis line" not in ledger_text()


# ---- using a grant ----------------------------------------------------------------------------


def test_a_grant_opens_the_record_and_marks_every_access_on_the_ledger(world: World) -> None:
    written = note(world, world.worker_a, world.client_a)
    attachment = services.attachment_create(
        actor=act(world.worker_a),
        note_id=written.id,
        filename="plan.txt",
        content_type="text/plain",
        data=b"safety plan",
    )
    grant = _open(world)
    a = act(world.other_worker_a)
    mark = ledger_mark()
    view = selectors.client_get(actor=a, client_id=world.client_a.id)
    selectors.note_get(actor=a, note_id=written.id)
    _, data = selectors.attachment_download(actor=a, attachment_id=attachment.id)
    assert data == b"safety plan"
    assert view.grant_kind == "break_glass"
    assert [n.id for n in view.notes] == [written.id]
    events = events_since(mark)
    assert [e.event_type for e in events] == [
        EventType.CLIENT_VIEWED,
        EventType.NOTE_VIEWED,
        EventType.ATTACHMENT_DOWNLOADED,
    ]
    for event in events:
        assert event.details["grant"] == str(grant.id)
        assert event.policy_ids == ["break_glass.emergency"]


def test_a_grant_lets_the_emergency_be_documented(world: World) -> None:
    _open(world)
    mark = ledger_mark()
    note(world, world.other_worker_a, world.client_a, body="Called 911 with the client.")
    (event,) = events_since(mark)
    assert event.event_type == EventType.NOTE_CREATED
    assert event.policy_ids == ["break_glass.emergency"]


def test_access_without_a_grant_is_not_marked(world: World) -> None:
    mark = ledger_mark()
    selectors.client_get(actor=act(world.worker_a), client_id=world.client_a.id)
    (event,) = events_since(mark)
    assert "grant" not in event.details


def test_a_grant_covers_one_client_only(world: World) -> None:
    _open(world)
    third = make_client(
        world.agency_a, world.team_a1, name="Ada Ivers", dob=dt.date(1999, 1, 1), number="A-9"
    )
    assert not authorize(act(world.other_worker_a), Action.CLIENT_VIEW, third).allowed


def test_a_grant_ends_at_its_time_limit(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    grant = _open(world, minutes=30)
    _move_clock(monkeypatch, timedelta(minutes=29))
    assert selectors.client_get(actor=act(world.other_worker_a), client_id=world.client_a.id)
    _move_clock(monkeypatch, timedelta(minutes=1, seconds=1))
    assert clock.now() > grant.expires_at
    with pytest.raises(NotFound):
        selectors.client_get(actor=act(world.other_worker_a), client_id=world.client_a.id)
    assert authorize(act(world.other_worker_a), Action.CLIENT_VIEW, world.client_a) == Decision(
        False, ("default.deny",)
    )


def test_ending_a_grant_early_ends_access(world: World) -> None:
    grant = _open(world)
    mark = ledger_mark()
    grant_end(actor=act(world.other_worker_a), grant_id=grant.id)
    assert [e.event_type for e in events_since(mark)] == [EventType.GRANT_REVOKED]
    assert not authorize(act(world.other_worker_a), Action.CLIENT_VIEW, world.client_a).allowed
    with pytest.raises(NotFound):  # and only its holder ends it, once
        grant_end(actor=act(world.other_worker_a), grant_id=grant.id)


def test_only_the_holder_ends_a_grant(world: World) -> None:
    grant = _open(world)
    with pytest.raises(NotFound):
        grant_end(actor=act(world.privacy_a), grant_id=grant.id)


# ---- notifications ----------------------------------------------------------------------------


def test_the_supervisor_and_privacy_officers_are_told_at_once(
    world: World, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    supervise(world.supervisor_a, world.other_worker_a)
    second_privacy = make_user(world.agency_a, "privacy2_a@a.test", Role.PRIVACY_OFFICER)
    privacy_b = make_user(world.agency_b, "privacy_b@b.test", Role.PRIVACY_OFFICER)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        _open(world)
        assert mail.outbox == []  # email only after the transaction commits
    assert callbacks
    told = set(Notification.objects.values_list("recipient_id", flat=True))
    assert told == {world.supervisor_a.id, world.privacy_a.id, second_privacy.id}
    assert privacy_b.id not in told
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [world.supervisor_a.email, world.privacy_a.email, second_privacy.email]
    )


def test_notices_name_no_client(
    world: World, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    supervise(world.supervisor_a, world.other_worker_a)
    with django_capture_on_commit_callbacks(execute=True):
        grant = _open(world)
    texts = [str(m.subject) + str(m.body) for m in mail.outbox]
    texts += list(Notification.objects.values_list("message", flat=True))
    assert texts
    for text in texts:
        for secret in ("Rosalind", "Quenby", "A-1001", "crisis line", str(world.client_a.id)):
            assert secret not in text
    assert all(str(grant.id) in m.body for m in mail.outbox)  # a link to the review


def test_without_a_named_supervisor_the_teams_supervisors_are_told(
    world: World, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        _open(world, world.worker_a, client_id=world.client_a_other.id)
    told = set(Notification.objects.values_list("recipient_id", flat=True))
    assert told == {world.supervisor_a.id, world.privacy_a.id}


def test_inactive_staff_are_not_told(
    world: World, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    supervise(world.supervisor_a, world.other_worker_a)
    set_user(world.supervisor_a, is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        _open(world)
    assert [m.to for m in mail.outbox] == [[world.privacy_a.email]]


def test_a_refused_grant_tells_nobody(
    world: World, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ReauthRequired):
        _open(world, reauthenticated=False)
    assert (mail.outbox, Notification.objects.count()) == ([], 0)


# ---- review -----------------------------------------------------------------------------------


@pytest.mark.parametrize("outcome", ["justified", "misuse"])
def test_a_privacy_officer_closes_a_grant_as_justified_or_misuse(
    world: World, outcome: str
) -> None:
    grant = _open(world)
    assert [g.id for g in unreviewed_grants(act(world.privacy_a))] == [grant.id]
    mark = ledger_mark()
    reviewed = break_glass_review(
        actor=act(world.privacy_a), grant_id=grant.id, outcome=outcome, note=REVIEW_NOTE
    )
    assert (reviewed.review_outcome, reviewed.reviewed_by_id) == (outcome, world.privacy_a.id)
    (event,) = events_since(mark)
    assert event.event_type == EventType.GRANT_REVIEWED
    assert event.details == {"outcome": outcome, "staff": str(world.other_worker_a.id)}
    assert "on-call log" not in ledger_text()
    assert unreviewed_grants(act(world.privacy_a)) == []


def test_the_review_clears_the_officers_notices_and_leaves_the_supervisors(world: World) -> None:
    supervise(world.supervisor_a, world.other_worker_a)
    second_privacy = make_user(world.agency_a, "privacy2_a@a.test", Role.PRIVACY_OFFICER)
    grant = _open(world)
    other = _open(world, world.worker_a, client_id=world.client_a_other.id)

    def unread() -> set[tuple[object, str]]:
        rows = Notification.objects.filter(kind="break_glass", read_at=None)
        return {(n.recipient_id, n.link.split("/")[-2]) for n in rows}

    break_glass_review(
        actor=act(world.privacy_a), grant_id=grant.id, outcome="justified", note=REVIEW_NOTE
    )
    assert (world.privacy_a.id, str(grant.id)) not in unread()
    assert (second_privacy.id, str(grant.id)) not in unread()  # the work is done for them too
    assert (world.supervisor_a.id, str(grant.id)) in unread()  # told, not asked: still theirs
    assert (world.privacy_a.id, str(other.id)) in unread()  # another grant is still waiting


def test_a_grant_is_reviewed_once(world: World) -> None:
    grant = _open(world)
    break_glass_review(
        actor=act(world.privacy_a), grant_id=grant.id, outcome="justified", note=REVIEW_NOTE
    )
    with pytest.raises(GrantAlreadyReviewed):
        break_glass_review(
            actor=act(world.privacy_a), grant_id=grant.id, outcome="misuse", note=REVIEW_NOTE
        )


def test_nobody_reviews_their_own_grant(world: World) -> None:
    grant = _open(world, world.supervisor_a, client_id=world.client_a_other.id)
    set_user(world.supervisor_a, role=Role.PRIVACY_OFFICER)  # later became privacy officer
    with pytest.raises(NotPermitted):
        break_glass_review(
            actor=act(world.supervisor_a), grant_id=grant.id, outcome="justified", note="Fine."
        )


@pytest.mark.parametrize("persona", ["supervisor_a", "admin_a", "worker_a"])
def test_only_privacy_officers_review_grants(world: World, persona: str) -> None:
    grant = _open(world)
    with pytest.raises(NotPermitted):
        break_glass_review(
            actor=act(getattr(world, persona)), grant_id=grant.id, outcome="justified", note="ok"
        )
    assert unreviewed_grants(act(getattr(world, persona))) == []


def test_a_review_needs_an_outcome_and_a_note(world: World) -> None:
    grant = _open(world)
    for outcome, text in (("fine", REVIEW_NOTE), ("misuse", "")):
        with pytest.raises(ValidationFailed):
            break_glass_review(
                actor=act(world.privacy_a), grant_id=grant.id, outcome=outcome, note=text
            )


def test_another_agencys_grant_is_not_found(world: World) -> None:
    grant = _open(world)
    privacy_b = make_user(world.agency_b, "privacy_b@b.test", Role.PRIVACY_OFFICER)
    with pytest.raises(NotFound):
        break_glass_review(
            actor=act(privacy_b), grant_id=grant.id, outcome="misuse", note=REVIEW_NOTE
        )
    assert unreviewed_grants(act(privacy_b)) == []


def test_grants_unreviewed_after_7_days_are_flagged(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    grant = _open(world)
    privacy = act(world.privacy_a)
    _move_clock(monkeypatch, timedelta(days=6, hours=23))
    assert overdue_count(privacy) == 0
    _move_clock(monkeypatch, timedelta(hours=2))
    assert overdue_count(privacy) == 1
    assert overdue_count(act(world.supervisor_a)) == 0  # the flag is the privacy officer's
    break_glass_review(actor=privacy, grant_id=grant.id, outcome="justified", note=REVIEW_NOTE)
    assert overdue_count(privacy) == 0
