"""Conflict walls and client-requested restrictions (45 CFR 164.522(a)): a walled or restricted
client does not exist for that staff member, in lists, search, counts and by id; break-the-glass
cannot pass a wall; only agreed restrictions bind."""

from __future__ import annotations

import datetime as dt

import pytest

from confide.access.policy import Action, Decision, authorize
from confide.access.services import break_glass_open
from confide.accounts.models import Program, Team, User
from confide.consent.enums import RestrictionStatus
from confide.consent.services import restriction_decide, restriction_end, restriction_request
from confide.core.enums import Role
from confide.core.errors import NotFound
from confide.records import selectors
from confide.records.models import Client
from confide.testing import World, make_user
from confide.training.services import conflict_declare, conflict_remove

from .support import act, break_glass, note, restriction, review_purpose, wall

QUENBY = ("Rosalind Quenby", dt.date(1984, 3, 9))


def _gone_for(user: User, world: World) -> None:
    """client_a does not exist for this user: not in caseload (rows or count), search or by id."""
    a = act(user)
    rows, total = selectors.caseload_list(actor=a)
    assert world.client_a.id not in {r.client_id for r in rows}
    assert total == len(rows)
    assert selectors.client_search(actor=a, legal_name=QUENBY[0], date_of_birth=QUENBY[1]) == []
    with pytest.raises(NotFound):
        selectors.client_get(actor=a, client_id=world.client_a.id)


def _there_for(user: User, world: World) -> None:
    a = act(user)
    rows, total = selectors.caseload_list(actor=a)
    assert world.client_a.id in {r.client_id for r in rows}
    assert total == len(rows)
    found = selectors.client_search(actor=a, legal_name=QUENBY[0], date_of_birth=QUENBY[1])
    assert [c.id for c in found] == [world.client_a.id]
    assert selectors.client_get(actor=a, client_id=world.client_a.id).id == world.client_a.id


# ---- conflict.wall -------------------------------------------------------------------------


def test_a_wall_makes_the_client_not_exist_for_that_staff_member(world: World) -> None:
    written = note(world, world.worker_a2, world.client_a)
    wall(world.worker_a, world.client_a)
    a = act(world.worker_a)
    for action in (Action.CLIENT_VIEW, Action.CLIENT_SEARCH, Action.NOTE_CREATE):
        assert authorize(a, action, world.client_a) == Decision(False, ("conflict.wall",))
    assert authorize(a, Action.NOTE_VIEW, written) == Decision(False, ("conflict.wall",))
    _gone_for(world.worker_a, world)
    with pytest.raises(NotFound):
        selectors.note_get(actor=a, note_id=written.id)


@pytest.mark.parametrize("persona", ["supervisor_a", "intake_a"])
def test_a_wall_hides_the_client_from_supervisors_and_intake_too(
    world: World, persona: str
) -> None:
    user = getattr(world, persona)
    wall(user, world.client_a)
    a = act(user)
    assert "conflict.wall" in authorize(a, Action.CLIENT_SEARCH, world.client_a).policy_ids
    assert selectors.client_search(actor=a, legal_name=QUENBY[0], date_of_birth=QUENBY[1]) == []
    with pytest.raises(NotFound):
        selectors.client_get(actor=a, client_id=world.client_a.id)


def test_a_wall_binds_only_the_staff_member_it_names(world: World) -> None:
    wall(world.worker_a, world.client_a)
    assert authorize(act(world.worker_a2), Action.CLIENT_VIEW, world.client_a).allowed
    _there_for(world.worker_a2, world)


def test_removing_a_wall_restores_access(world: World) -> None:
    declared = conflict_declare(
        actor=act(world.worker_a), client_id=world.client_a.id, relationship="neighbour"
    )
    _gone_for(world.worker_a, world)
    conflict_remove(actor=act(world.privacy_a), wall_id=declared.id, reason="Declared in error.")
    _there_for(world.worker_a, world)


def test_break_the_glass_cannot_open_a_walled_client(world: World) -> None:
    wall(world.other_worker_a, world.client_a)
    with pytest.raises(NotFound) as walled:
        break_glass(world.other_worker_a, world.client_a)
    with pytest.raises(NotFound) as missing:
        break_glass_open(
            actor=act(world.other_worker_a),
            client_id="0b9b0d3e-0000-4000-8000-000000000000",
            reason_category="imminent_harm",
            reason_text="x",
            reauthenticated=True,
        )
    assert str(walled.value) == str(missing.value)  # same answer as a client that is not there


def test_a_wall_declared_during_a_grant_beats_the_grant(world: World) -> None:
    note(world, world.worker_a, world.client_a)
    break_glass(world.other_worker_a, world.client_a)
    assert authorize(act(world.other_worker_a), Action.CLIENT_VIEW, world.client_a).allowed
    wall(world.other_worker_a, world.client_a, declared_by=world.privacy_a)
    a = act(world.other_worker_a)
    client = Client.objects.get(id=world.client_a.id)  # as the next request loads it
    assert authorize(a, Action.CLIENT_VIEW, client) == Decision(False, ("conflict.wall",))
    with pytest.raises(NotFound):
        selectors.client_get(actor=a, client_id=world.client_a.id)


def test_a_wall_beats_a_privacy_review_purpose(world: World) -> None:
    review_purpose(world.privacy_a, world.client_a)
    wall(world.privacy_a, world.client_a)
    decision = authorize(act(world.privacy_a), Action.CLIENT_VIEW, world.client_a)
    assert decision == Decision(False, ("conflict.wall",))


# ---- restriction.staff and restriction.program ---------------------------------------------


def test_an_agreed_not_staff_restriction_hides_the_client_from_that_staff_member(
    world: World,
) -> None:
    restriction(world.client_a, world.worker_a, staff=world.worker_a2)
    a = act(world.worker_a2)
    assert authorize(a, Action.CLIENT_VIEW, world.client_a) == Decision(
        False, ("restriction.staff",)
    )
    _gone_for(world.worker_a2, world)
    _there_for(world.worker_a, world)


def _second_program(world: World) -> tuple[Program, Team]:
    program = Program.objects.create(agency=world.agency_a, name="Housing")
    return program, Team.objects.create(agency=world.agency_a, program=program, name="Housing")


def test_an_agreed_not_program_restriction_hides_the_client_from_that_programs_staff(
    world: World,
) -> None:
    _, housing = _second_program(world)
    housing_worker = make_user(world.agency_a, "housing@a.test", Role.PRACTITIONER, [housing])
    world.case_of(world.client_a).workers.add(housing_worker)
    family_services = world.team_a1.program
    restriction(world.client_a, world.worker_a, program=family_services)
    for user in (world.worker_a, world.worker_a2, world.supervisor_a):
        assert authorize(act(user), Action.CLIENT_VIEW, world.client_a) == Decision(
            False, ("restriction.program",)
        )
        _gone_for(user, world)
    # Staff of another program, assigned to the case, still serve the client.
    assert authorize(act(housing_worker), Action.CLIENT_VIEW, world.client_a).allowed
    _there_for(housing_worker, world)


@pytest.mark.parametrize(
    "status",
    [RestrictionStatus.REQUESTED, RestrictionStatus.DENIED, RestrictionStatus.ENDED],
)
def test_only_an_agreed_restriction_binds(world: World, status: str) -> None:
    restriction(world.client_a, world.worker_a, staff=world.worker_a2, status=status)
    restriction(world.client_a, world.worker_a, program=world.team_a1.program, status=status)
    for user in (world.worker_a, world.worker_a2):
        assert authorize(act(user), Action.CLIENT_VIEW, world.client_a).allowed
        _there_for(user, world)


def test_a_restriction_binds_from_agreement_and_ends_when_ended(world: World) -> None:
    requested = restriction_request(
        actor=act(world.worker_a),
        client_id=world.client_a.id,
        kind="not_staff",
        staff_id=world.worker_a2.id,
    )
    _there_for(world.worker_a2, world)
    restriction_decide(actor=act(world.privacy_a), restriction_id=requested.id, agree=True)
    _gone_for(world.worker_a2, world)
    restriction_end(actor=act(world.privacy_a), restriction_id=requested.id)
    _there_for(world.worker_a2, world)


def test_a_restriction_also_closes_break_the_glass(world: World) -> None:
    break_glass(world.other_worker_a, world.client_a)
    restriction(world.client_a, world.worker_a, staff=world.other_worker_a)
    decision = authorize(act(world.other_worker_a), Action.CLIENT_VIEW, world.client_a)
    assert decision == Decision(False, ("restriction.staff",))


def test_break_the_glass_cannot_open_a_restricted_client(world: World) -> None:
    restriction(world.client_a, world.worker_a, staff=world.other_worker_a)
    with pytest.raises(NotFound):
        break_glass(world.other_worker_a, world.client_a)
    # A restriction only requested does not bind: the grant opens.
    restriction(world.client_a_other, world.worker_a, staff=world.supervisor_a, status="requested")
    break_glass(world.supervisor_a, world.client_a_other)
