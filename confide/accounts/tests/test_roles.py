"""Role changes: administrators only, within their agency, never their own, on the ledger with
the old and the new role, in one transaction."""

from __future__ import annotations

import uuid

import pytest

from confide.accounts.actors import actor_for
from confide.accounts.models import User
from confide.accounts.roles import staff_set_role
from confide.core.enums import Role
from confide.core.errors import NotFound, NotPermitted, ValidationFailed
from confide.ledger import services as ledger_services
from confide.ledger.enums import EventType
from confide.ledger.tests.support import events_since, ledger_mark
from confide.testing import World, actor


def role_of(user: User) -> str:
    return User.objects.get(id=user.id).role


def test_an_administrator_changes_a_role_and_the_ledger_says_from_what_to_what(
    world: World,
) -> None:
    mark = ledger_mark()
    changed = staff_set_role(
        actor=actor(world.admin_a), user_id=world.worker_a.id, role=Role.SUPERVISOR
    )
    assert changed.role == Role.SUPERVISOR
    assert role_of(world.worker_a) == Role.SUPERVISOR
    [event] = events_since(mark)
    assert event.event_type == EventType.ROLE_CHANGED
    assert event.actor_id == world.admin_a.id
    assert event.agency_id == world.agency_a.id
    assert event.subject_type == "user"
    assert event.subject_id == str(world.worker_a.id)
    assert event.details == {"from": "practitioner", "to": "supervisor"}


def test_the_new_role_applies_from_the_next_actor(world: World) -> None:
    staff_set_role(
        actor=actor(world.admin_a), user_id=str(world.intake_a.id), role="privacy_officer"
    )
    user = User.objects.get(id=world.intake_a.id)
    assert actor_for(user, channel="web", mfa_verified=True).role == Role.PRIVACY_OFFICER


@pytest.mark.parametrize(
    "persona", ["worker_a", "supervisor_a", "privacy_a", "intake_a", "worker_b"]
)
def test_only_administrators_change_roles(world: World, persona: str) -> None:
    mark = ledger_mark()
    with pytest.raises(NotPermitted):
        staff_set_role(
            actor=actor(getattr(world, persona)),
            user_id=world.worker_a2.id,
            role=Role.ADMINISTRATOR,
        )
    assert role_of(world.worker_a2) == Role.PRACTITIONER
    assert events_since(mark) == []


@pytest.mark.parametrize("target", ["other_agency", "forged", "malformed", "empty"])
def test_staff_outside_the_agency_or_unknown_are_not_found(world: World, target: str) -> None:
    ids: dict[str, uuid.UUID | str] = {
        "other_agency": world.worker_b.id,
        "forged": uuid.uuid4(),
        "malformed": "1 OR 1=1",
        "empty": "",
    }
    with pytest.raises(NotFound):
        staff_set_role(actor=actor(world.admin_a), user_id=ids[target], role=Role.SUPERVISOR)
    assert role_of(world.worker_b) == Role.PRACTITIONER


def test_nobody_changes_their_own_role(world: World) -> None:
    with pytest.raises(NotPermitted):
        staff_set_role(actor=actor(world.admin_a), user_id=world.admin_a.id, role=Role.INTAKE)
    assert role_of(world.admin_a) == Role.ADMINISTRATOR


@pytest.mark.parametrize("role", ["practitioner", "superuser", "", "ADMINISTRATOR"])
def test_an_unknown_or_unchanged_role_is_refused(world: World, role: str) -> None:
    mark = ledger_mark()
    with pytest.raises(ValidationFailed) as refused:
        staff_set_role(actor=actor(world.admin_a), user_id=world.worker_a.id, role=role)
    assert "role" in refused.value.fields
    assert role_of(world.worker_a) == Role.PRACTITIONER
    assert events_since(mark) == []


def test_a_failed_ledger_write_leaves_the_role_as_it_was(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(**_: object) -> None:
        raise RuntimeError("ledger down")

    monkeypatch.setattr(ledger_services, "record", broken)
    with pytest.raises(RuntimeError):
        staff_set_role(actor=actor(world.admin_a), user_id=world.worker_a.id, role=Role.INTAKE)
    assert role_of(world.worker_a) == Role.PRACTITIONER
