"""The retention policies: approving a client's destruction and placing a legal hold belong to
the privacy officers of the client's agency, and to nobody else; walls still bind them."""

from __future__ import annotations

import pytest

from confide.access.policy import Action, authorize
from confide.accounts.models import User
from confide.core.enums import Role
from confide.testing import World, actor, make_user
from confide.training import services as training

RETENTION = [Action.RETENTION_APPROVE, Action.RETENTION_HOLD]


@pytest.mark.parametrize("action", RETENTION)
def test_a_privacy_officer_of_the_agency_may_approve_and_hold(world: World, action: Action) -> None:
    decision = authorize(actor(world.privacy_a), action, world.client_a)
    assert decision.allowed
    assert "retention.privacy_officer" in decision.policy_ids


@pytest.mark.parametrize("action", RETENTION)
@pytest.mark.parametrize("persona", ["worker_a", "supervisor_a", "admin_a", "intake_a"])
def test_no_other_role_may_even_on_its_own_caseload(
    world: World, action: Action, persona: str
) -> None:
    decision = authorize(actor(getattr(world, persona)), action, world.client_a)
    assert not decision.allowed
    if persona in ("worker_a", "supervisor_a"):  # their care-team permit matched; the forbid won
        assert "retention.privacy_officer_only" in decision.policy_ids


@pytest.mark.parametrize("action", RETENTION)
def test_another_agencys_privacy_officer_may_not(world: World, action: Action) -> None:
    privacy_b: User = make_user(world.agency_b, "privacy_b@b.test", Role.PRIVACY_OFFICER)
    decision = authorize(actor(privacy_b), action, world.client_a)
    assert not decision.allowed
    assert "retention.privacy_officer" not in decision.policy_ids


def test_a_walled_privacy_officer_may_not(world: World) -> None:
    training.conflict_declare(
        actor=actor(world.privacy_a), client_id=world.client_a.id, relationship="neighbour"
    )
    decision = authorize(actor(world.privacy_a), Action.RETENTION_APPROVE, world.client_a)
    assert not decision.allowed
    assert "conflict.wall" in decision.policy_ids
