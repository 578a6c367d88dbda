"""Training completions (recorded by administrators, within a year; the gate opens at once) and
conflict declarations (staff declare their own; privacy officers and administrators declare for
others and remove them with a reason; every step on the ledger)."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.test import override_settings

from confide.accounts.actors import actor_for
from confide.accounts.models import User
from confide.core import clock
from confide.core.actor import Actor
from confide.core.enums import Role
from confide.core.errors import NotFound, NotPermitted, ValidationFailed
from confide.ledger.enums import EventType
from confide.ledger.tests.support import events_since, ledger_mark, ledger_text
from confide.testing import World, make_user
from confide.training.errors import WallAlreadyDeclared
from confide.training.models import ConflictDeclaration, TrainingCompletion
from confide.training.selectors import wall_list
from confide.training.services import (
    conflict_declare,
    conflict_declare_by_identity,
    conflict_remove,
    training_record,
    training_status,
)


def act(user: User) -> Actor:
    return actor_for(User.objects.get(id=user.id), channel="web", mfa_verified=True)


def _today() -> dt.date:
    return clock.today()


# ---- training completions ------------------------------------------------------------------


def test_an_administrator_records_a_completion_and_it_is_on_the_ledger(world: World) -> None:
    user = make_user(world.agency_a, "new@a.test", Role.PRACTITIONER, trained=False)
    assert not act(user).training_current
    assert training_status(user) is None
    mark = ledger_mark()
    done = training_record(actor=act(world.admin_a), user_id=user.id, completed_on=_today())
    assert done.expires_on == _today() + dt.timedelta(days=365)  # the agency's default
    assert (done.recorded_by_id, done.agency_id) == (world.admin_a.id, world.agency_a.id)
    assert act(user).training_current
    assert training_status(user) == done.expires_on
    (event,) = events_since(mark)
    assert event.event_type == EventType.TRAINING_RECORDED
    assert (event.subject_type, event.subject_id) == ("user", str(user.id))
    assert event.details == {"expires_on": done.expires_on.isoformat()}


def test_a_completion_lasts_as_long_as_the_agency_says(world: World) -> None:
    world.agency_a.training_validity_days = 90
    world.agency_a.save()
    done = training_record(
        actor=act(world.admin_a), user_id=world.worker_a.id, completed_on=_today()
    )
    assert done.expires_on == _today() + dt.timedelta(days=90)
    shorter = training_record(
        actor=act(world.admin_a), user_id=world.worker_a.id, completed_on=_today(), valid_days=30
    )
    assert shorter.expires_on == _today() + dt.timedelta(days=30)


def test_an_old_completion_recorded_late_may_already_be_lapsed(world: World) -> None:
    user = make_user(world.agency_a, "late@a.test", Role.PRACTITIONER, trained=False)
    training_record(
        actor=act(world.admin_a),
        user_id=user.id,
        completed_on=_today() - dt.timedelta(days=200),
        valid_days=180,
    )
    assert not act(user).training_current


@pytest.mark.parametrize(("days_ago", "ok"), [(-1, False), (0, True), (366, True), (367, False)])
def test_a_completion_date_must_be_within_the_past_year(
    world: World, days_ago: int, ok: bool
) -> None:
    when = _today() - dt.timedelta(days=days_ago)
    record = dict(actor=act(world.admin_a), user_id=world.worker_a.id, completed_on=when)
    if ok:
        training_record(**record)  # type: ignore[arg-type]
    else:
        before = TrainingCompletion.objects.count()
        with pytest.raises(ValidationFailed) as caught:
            training_record(**record)  # type: ignore[arg-type]
        assert "completed_on" in caught.value.fields
        assert TrainingCompletion.objects.count() == before


def test_a_completion_date_must_be_a_date(world: World) -> None:
    with pytest.raises(ValidationFailed):
        training_record(
            actor=act(world.admin_a),
            user_id=world.worker_a.id,
            completed_on="2025-01-01",  # type: ignore[arg-type]
        )


@pytest.mark.parametrize("persona", ["worker_a", "supervisor_a", "privacy_a", "intake_a"])
def test_only_administrators_record_completions(world: World, persona: str) -> None:
    user = getattr(world, persona)
    with pytest.raises(NotPermitted):
        training_record(actor=act(user), user_id=user.id, completed_on=_today())


def test_an_administrator_records_only_their_own_agencys_staff(world: World) -> None:
    for user_id in (world.worker_b.id, uuid.uuid4(), "not-an-id"):
        with pytest.raises(NotFound):
            training_record(actor=act(world.admin_a), user_id=user_id, completed_on=_today())


# ---- conflict declarations -------------------------------------------------------------------


def test_staff_declare_their_own_relationship_and_it_is_on_the_ledger(world: World) -> None:
    mark = ledger_mark()
    declared = conflict_declare(
        actor=act(world.worker_a), client_id=world.client_a.id, relationship="relative"
    )
    assert (declared.user_id, declared.declared_by_id) == (world.worker_a.id, world.worker_a.id)
    (event,) = events_since(mark)
    assert event.event_type == EventType.CONFLICT_DECLARED
    assert (event.subject_id, event.client_id) == (str(declared.id), world.client_a.id)
    assert event.details == {"staff": str(world.worker_a.id), "relationship": "relative"}


def test_staff_may_declare_for_a_client_they_cannot_see(world: World) -> None:
    # A wall must be possible exactly where access is not (before the client is assigned).
    declared = conflict_declare(
        actor=act(world.worker_a), client_id=world.client_a_other.id, relationship="friend"
    )
    assert declared.client_id == world.client_a_other.id


def test_privacy_officers_declare_for_others(world: World) -> None:
    manager = world.privacy_a
    declared = conflict_declare(
        actor=act(manager),
        client_id=world.client_a.id,
        relationship="former_partner",
        user_id=world.worker_a2.id,
    )
    assert (declared.user_id, declared.declared_by_id) == (world.worker_a2.id, manager.id)


def test_an_administrator_cannot_learn_who_is_a_client_through_walls(world: World) -> None:
    """Administrators see no client content: recording a wall by name and date of birth and
    then finding it listed, with its case numbers, would say who is a client."""
    admin = act(world.admin_a)
    with pytest.raises(NotPermitted):
        conflict_declare_by_identity(
            actor=admin,
            legal_name="Rosalind Quenby",
            date_of_birth=dt.date(1984, 3, 9),
            relationship="friend",
            user_id=world.worker_a2.id,
        )
    with pytest.raises(NotPermitted):
        wall_list(actor=admin)
    assert not ConflictDeclaration.objects.filter(user_id=world.worker_a2.id).exists()


@pytest.mark.parametrize("persona", ["worker_a", "supervisor_a", "intake_a", "admin_a"])
def test_other_staff_do_not_declare_for_someone_else(world: World, persona: str) -> None:
    with pytest.raises(NotPermitted):
        conflict_declare(
            actor=act(getattr(world, persona)),
            client_id=world.client_a.id,
            relationship="friend",
            user_id=world.worker_a2.id,
        )
    assert not ConflictDeclaration.objects.exists()


def test_a_relationship_is_declared_once(world: World) -> None:
    conflict_declare(actor=act(world.worker_a), client_id=world.client_a.id, relationship="friend")
    with pytest.raises(WallAlreadyDeclared):
        conflict_declare(
            actor=act(world.privacy_a),
            client_id=world.client_a.id,
            relationship="relative",
            user_id=world.worker_a.id,
        )
    assert ConflictDeclaration.objects.count() == 1


def test_a_declaration_needs_a_known_relationship(world: World) -> None:
    with pytest.raises(ValidationFailed) as caught:
        conflict_declare(
            actor=act(world.worker_a), client_id=world.client_a.id, relationship="rival"
        )
    assert "relationship" in caught.value.fields


def test_a_declaration_stays_inside_the_agency(world: World) -> None:
    with pytest.raises(NotFound):
        conflict_declare(
            actor=act(world.worker_a), client_id=world.client_b.id, relationship="friend"
        )
    with pytest.raises(NotFound):
        conflict_declare(
            actor=act(world.privacy_a),
            client_id=world.client_a.id,
            relationship="friend",
            user_id=world.worker_b.id,
        )


def test_a_privacy_officer_removes_a_wall_with_a_reason_on_the_ledger(world: World) -> None:
    declared = conflict_declare(
        actor=act(world.worker_a), client_id=world.client_a.id, relationship="neighbour"
    )
    mark = ledger_mark()
    removed = conflict_remove(
        actor=act(world.privacy_a), wall_id=declared.id, reason="  Moved away in 2019.  "
    )
    assert removed.removed_at is not None
    assert removed.removed_by_id == world.privacy_a.id
    (event,) = events_since(mark)
    assert event.event_type == EventType.CONFLICT_REMOVED
    assert (event.subject_id, event.client_id, event.reason) == (
        str(declared.id),
        world.client_a.id,
        "Moved away in 2019.",
    )
    # Removed once; then the same relationship may be declared again.
    with pytest.raises(NotFound):
        conflict_remove(actor=act(world.privacy_a), wall_id=declared.id, reason="again")
    conflict_declare(actor=act(world.worker_a), client_id=world.client_a.id, relationship="friend")
    assert "Quenby" not in ledger_text()


@pytest.mark.parametrize("persona", ["worker_a", "supervisor_a", "intake_a"])
def test_only_privacy_officers_and_administrators_remove_walls(world: World, persona: str) -> None:
    declared = conflict_declare(
        actor=act(world.worker_a), client_id=world.client_a.id, relationship="friend"
    )
    with pytest.raises(NotPermitted):
        conflict_remove(actor=act(getattr(world, persona)), wall_id=declared.id, reason="ok")
    assert ConflictDeclaration.objects.get(id=declared.id).removed_at is None


@pytest.mark.parametrize("reason", ["", "   ", "x" * 501])
def test_removing_a_wall_needs_a_short_reason(world: World, reason: str) -> None:
    declared = conflict_declare(
        actor=act(world.worker_a), client_id=world.client_a.id, relationship="friend"
    )
    with pytest.raises(ValidationFailed):
        conflict_remove(actor=act(world.privacy_a), wall_id=declared.id, reason=reason)


def test_another_agencys_wall_is_not_found(world: World) -> None:
    declared = conflict_declare(
        actor=act(world.worker_b), client_id=world.client_b.id, relationship="friend"
    )
    with pytest.raises(NotFound):
        conflict_remove(actor=act(world.privacy_a), wall_id=declared.id, reason="not ours")


def test_training_stays_current_until_midnight_where_the_agency_is(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An expiry date is the agency's calendar day: 23:00 in Los Angeles on the expiry day is
    still current although it is already the next day in UTC."""
    TrainingCompletion.objects.filter(user=world.worker_a).update(
        expires_on=dt.date(2026, 3, 10), completed_on=dt.date(2025, 3, 10)
    )
    late_evening = dt.datetime(2026, 3, 11, 6, 0, tzinfo=dt.UTC)  # 23:00 PDT on 10 March
    with override_settings(TIME_ZONE="America/Los_Angeles"):
        monkeypatch.setattr(clock, "now", lambda: late_evening)
        assert clock.today() == dt.date(2026, 3, 10)
        assert act(world.worker_a).training_current
        monkeypatch.setattr(clock, "now", lambda: late_evening + dt.timedelta(hours=1))
        assert clock.today() == dt.date(2026, 3, 11)
        assert not act(world.worker_a).training_current
