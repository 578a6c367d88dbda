"""What administrators change that the access policy reads: a staff member's supervisor, trainee
status, designations and teams; the agency's HIV restriction and training validity. Only
administrators; the ledger names the fields changed; the next request sees the change."""

from __future__ import annotations

import uuid

import pytest

from confide.access.policy import Action, authorize
from confide.accounts.models import Agency, Team, User
from confide.accounts.services import agency_settings_update, staff_update_access
from confide.core.enums import Role
from confide.core.errors import NotFound, NotPermitted, ValidationFailed
from confide.ledger.enums import EventType
from confide.ledger.tests.support import events_since, ledger_mark
from confide.testing import World

from .support import act, note

NON_ADMINS = ["worker_a", "supervisor_a", "privacy_a", "intake_a"]


def test_an_administrator_changes_access_settings_and_the_ledger_names_them(
    world: World,
) -> None:
    mark = ledger_mark()
    updated = staff_update_access(
        actor=act(world.admin_a),
        user_id=world.worker_a.id,
        supervisor_id=world.supervisor_a.id,
        is_trainee=True,
        dv_designated=True,
        hiv_designated=False,  # unchanged: not named
        team_ids=[world.team_a1.id, world.team_a2.id],
    )
    assert (updated.supervisor_id, updated.is_trainee, updated.dv_designated) == (
        world.supervisor_a.id,
        True,
        True,
    )
    (event,) = events_since(mark)
    assert event.event_type == EventType.STAFF_UPDATED
    assert (event.subject_type, event.subject_id) == ("user", str(world.worker_a.id))
    assert event.details == {"fields": ["supervisor", "is_trainee", "dv_designated", "teams"]}
    # The next request's actor, and so the policy, sees the change at once.
    a = act(world.worker_a)
    assert a.dv_designated
    assert a.team_ids == {world.team_a1.id, world.team_a2.id}
    assert authorize(a, Action.CLIENT_VIEW, world.client_a_other).allowed
    assert world.worker_a.id in act(world.supervisor_a).supervisee_ids


@pytest.mark.parametrize("persona", NON_ADMINS)
def test_only_administrators_change_staff_access_settings(world: World, persona: str) -> None:
    with pytest.raises(NotPermitted):
        staff_update_access(
            actor=act(getattr(world, persona)), user_id=world.worker_a2.id, dv_designated=True
        )
    assert not User.objects.get(id=world.worker_a2.id).dv_designated


def test_an_administrator_changes_only_their_own_agencys_staff(world: World) -> None:
    for user_id in (world.worker_b.id, uuid.uuid4()):
        with pytest.raises(NotFound):
            staff_update_access(actor=act(world.admin_a), user_id=user_id, dv_designated=True)


@pytest.mark.parametrize("who", ["a_practitioner", "another_agencys", "themselves", "nobody"])
def test_a_supervisor_must_be_a_supervisor_of_the_agency(world: World, who: str) -> None:
    boss = {
        "a_practitioner": world.worker_a2.id,
        "another_agencys": world.worker_b.id,
        "themselves": world.worker_a.id,
        "nobody": uuid.uuid4(),
    }[who]
    with pytest.raises(ValidationFailed) as caught:
        staff_update_access(actor=act(world.admin_a), user_id=world.worker_a.id, supervisor_id=boss)
    assert "supervisor" in caught.value.fields
    assert User.objects.get(id=world.worker_a.id).supervisor_id is None


def test_teams_must_be_the_agencys_and_a_refusal_changes_nothing(world: World) -> None:
    with pytest.raises(ValidationFailed) as caught:
        staff_update_access(
            actor=act(world.admin_a),
            user_id=world.worker_a.id,
            dv_designated=True,
            team_ids=[world.team_a2.id, world.team_b1.id],
        )
    assert "teams" in caught.value.fields
    fresh = User.objects.get(id=world.worker_a.id)
    assert not fresh.dv_designated
    assert list(Team.objects.filter(members=fresh)) == [world.team_a1]


def test_an_administrator_does_not_designate_themselves(world: World) -> None:
    admin = act(world.admin_a)
    with pytest.raises(NotPermitted):
        staff_update_access(actor=admin, user_id=world.admin_a.id, dv_designated=True)
    with pytest.raises(NotPermitted):
        staff_update_access(actor=admin, user_id=world.admin_a.id, hiv_designated=True)
    fresh = User.objects.get(id=world.admin_a.id)
    assert (fresh.dv_designated, fresh.hiv_designated) == (False, False)


def test_an_administrator_turns_the_hiv_restriction_on_and_the_ledger_says_so(
    world: World,
) -> None:
    written = note(world, world.worker_a, world.client_a, labels=["hiv"])
    assert authorize(act(world.worker_a2), Action.NOTE_VIEW, written).allowed
    mark = ledger_mark()
    agency_settings_update(actor=act(world.admin_a), hiv_restricted=True)
    (event,) = events_since(mark)
    assert event.event_type == EventType.AGENCY_SETTINGS_CHANGED
    assert (event.subject_type, event.subject_id) == ("agency", str(world.agency_a.id))
    assert event.details == {"hiv_restricted": True}
    assert not authorize(act(world.worker_a2), Action.NOTE_VIEW, written).allowed
    assert not Agency.objects.get(id=world.agency_b.id).hiv_restricted  # one agency only


@pytest.mark.parametrize(("days", "ok"), [(29, False), (30, True), (730, True), (731, False)])
def test_training_validity_is_30_to_730_days(world: World, days: int, ok: bool) -> None:
    if ok:
        agency_settings_update(actor=act(world.admin_a), training_validity_days=days)
        assert Agency.objects.get(id=world.agency_a.id).training_validity_days == days
        return
    mark = ledger_mark()
    with pytest.raises(ValidationFailed) as caught:
        agency_settings_update(
            actor=act(world.admin_a), hiv_restricted=True, training_validity_days=days
        )
    assert "training_validity_days" in caught.value.fields
    agency = Agency.objects.get(id=world.agency_a.id)
    assert (agency.hiv_restricted, agency.training_validity_days) == (False, 365)
    assert events_since(mark) == []


@pytest.mark.parametrize("persona", NON_ADMINS)
def test_only_administrators_change_agency_settings(world: World, persona: str) -> None:
    with pytest.raises(NotPermitted):
        agency_settings_update(actor=act(getattr(world, persona)), hiv_restricted=True)
    assert not Agency.objects.get(id=world.agency_a.id).hiv_restricted


def test_an_administrator_is_still_not_a_caseworker(world: World) -> None:
    # Giving an administrator teams and designations opens no client content.
    staff_update_access(
        actor=act(world.admin_a), user_id=world.admin_a.id, team_ids=[world.team_a1.id]
    )
    assert not authorize(act(world.admin_a), Action.CLIENT_VIEW, world.client_a).allowed
    assert Role(act(world.admin_a).role) == Role.ADMINISTRATOR
