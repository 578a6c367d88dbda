"""Client-requested restrictions (45 CFR 164.522(a)): staff record the request, a privacy officer
agrees or denies it, an agreed one can be ended; every step is on the ledger. (What an agreed
restriction does to access is in confide/access/tests/test_walls_and_restrictions.py.)"""

from __future__ import annotations

import uuid

import pytest

from confide.accounts.actors import actor_for
from confide.accounts.models import Program, User
from confide.consent.enums import RestrictionKind, RestrictionStatus
from confide.consent.models import Restriction
from confide.consent.services import restriction_decide, restriction_end, restriction_request
from confide.core.actor import Actor
from confide.core.errors import Conflict, NotFound, NotPermitted, ValidationFailed
from confide.ledger.enums import EventType
from confide.ledger.tests.support import events_since, ledger_mark
from confide.testing import World


def act(user: User) -> Actor:
    return actor_for(User.objects.get(id=user.id), channel="web", mfa_verified=True)


def _request(world: World, **overrides: object) -> Restriction:
    arguments: dict[str, object] = {
        "actor": act(world.worker_a),
        "client_id": world.client_a.id,
        "kind": "not_staff",
        "staff_id": world.worker_a2.id,
    }
    arguments.update(overrides)
    return restriction_request(**arguments)  # type: ignore[arg-type]


def test_staff_who_see_the_client_record_a_request_on_the_ledger(world: World) -> None:
    mark = ledger_mark()
    requested = _request(world)
    assert (requested.status, requested.kind) == (RestrictionStatus.REQUESTED, "not_staff")
    assert (requested.staff_id, requested.requested_by_id) == (
        world.worker_a2.id,
        world.worker_a.id,
    )
    (event,) = events_since(mark)
    assert event.event_type == EventType.RESTRICTION_REQUESTED
    assert (event.subject_id, event.client_id) == (str(requested.id), world.client_a.id)
    assert event.details == {"kind": "not_staff"}


def test_a_program_restriction_names_a_program_of_the_agency(world: World) -> None:
    program = world.team_a1.program
    requested = _request(world, kind="not_program", staff_id=None, program_id=program.id)
    assert (requested.program_id, requested.staff_id) == (program.id, None)
    other = Program.objects.create(agency=world.agency_b, name="Theirs")
    for bad in (other.id, uuid.uuid4(), "nonsense", None):
        with pytest.raises(ValidationFailed) as caught:
            _request(world, kind="not_program", staff_id=None, program_id=bad)
        assert "program" in caught.value.fields


def test_a_staff_restriction_names_a_staff_member_of_the_agency(world: World) -> None:
    for bad in (world.worker_b.id, uuid.uuid4(), "nonsense", None):
        with pytest.raises(ValidationFailed) as caught:
            _request(world, staff_id=bad)
        assert "staff" in caught.value.fields


def test_a_request_needs_a_known_kind(world: World) -> None:
    with pytest.raises(ValidationFailed) as caught:
        _request(world, kind="not_anyone")
    assert "kind" in caught.value.fields
    assert not Restriction.objects.exists()


@pytest.mark.parametrize("persona", ["other_worker_a", "admin_a", "intake_a", "privacy_a"])
def test_only_staff_who_see_the_client_record_a_request(world: World, persona: str) -> None:
    with pytest.raises(NotFound):
        _request(world, actor=act(getattr(world, persona)))
    with pytest.raises(NotFound):
        _request(world, client_id=world.client_b.id)
    assert not Restriction.objects.exists()


@pytest.mark.parametrize(("agree", "status"), [(True, "agreed"), (False, "denied")])
def test_a_privacy_officer_agrees_or_denies_on_the_ledger(
    world: World, agree: bool, status: str
) -> None:
    requested = _request(world)
    mark = ledger_mark()
    decided = restriction_decide(
        actor=act(world.privacy_a), restriction_id=requested.id, agree=agree
    )
    assert (decided.status, decided.decided_by_id) == (status, world.privacy_a.id)
    assert decided.decided_at is not None
    (event,) = events_since(mark)
    assert event.event_type == EventType.RESTRICTION_DECIDED
    assert event.details == {"status": status}


@pytest.mark.parametrize("persona", ["worker_a", "supervisor_a", "admin_a", "intake_a"])
def test_only_a_privacy_officer_decides_or_ends(world: World, persona: str) -> None:
    requested = _request(world)
    with pytest.raises(NotPermitted):
        restriction_decide(
            actor=act(getattr(world, persona)), restriction_id=requested.id, agree=True
        )
    restriction_decide(actor=act(world.privacy_a), restriction_id=requested.id, agree=True)
    with pytest.raises(NotPermitted):
        restriction_end(actor=act(getattr(world, persona)), restriction_id=requested.id)
    assert Restriction.objects.get(id=requested.id).status == RestrictionStatus.AGREED


def test_a_request_is_decided_once(world: World) -> None:
    requested = _request(world)
    restriction_decide(actor=act(world.privacy_a), restriction_id=requested.id, agree=False)
    with pytest.raises(Conflict):
        restriction_decide(actor=act(world.privacy_a), restriction_id=requested.id, agree=True)
    assert Restriction.objects.get(id=requested.id).status == RestrictionStatus.DENIED


def test_only_an_agreed_restriction_is_ended_and_that_is_on_the_ledger(world: World) -> None:
    requested = _request(world)
    with pytest.raises(Conflict):
        restriction_end(actor=act(world.privacy_a), restriction_id=requested.id)
    restriction_decide(actor=act(world.privacy_a), restriction_id=requested.id, agree=True)
    mark = ledger_mark()
    ended = restriction_end(actor=act(world.privacy_a), restriction_id=requested.id)
    assert ended.status == RestrictionStatus.ENDED
    assert [e.event_type for e in events_since(mark)] == [EventType.RESTRICTION_ENDED]
    with pytest.raises(Conflict):
        restriction_end(actor=act(world.privacy_a), restriction_id=requested.id)


def test_another_agencys_restriction_is_not_found(world: World) -> None:
    theirs = restriction_request(
        actor=act(world.worker_b),
        client_id=world.client_b.id,
        kind=RestrictionKind.NOT_STAFF,
        staff_id=world.worker_b.id,
    )
    for restriction_id in (theirs.id, uuid.uuid4(), "nonsense"):
        with pytest.raises(NotFound):
            restriction_decide(
                actor=act(world.privacy_a), restriction_id=restriction_id, agree=True
            )
        with pytest.raises(NotFound):
            restriction_end(actor=act(world.privacy_a), restriction_id=restriction_id)
