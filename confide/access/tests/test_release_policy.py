"""The release-of-information policy: the client's care team (by the care-team rules) and the
agency's privacy officers; never intake, another agency, a walled officer or a grant alone."""

from __future__ import annotations

import pytest

from confide.access import services as access
from confide.access.policy import Action, authorize
from confide.accounts.models import User
from confide.core.enums import Role
from confide.testing import World, actor, make_user
from confide.training import services as training

RELEASE = [Action.RELEASE_VIEW, Action.RELEASE_CREATE, Action.RELEASE_SIGN, Action.RELEASE_REVOKE]


@pytest.mark.parametrize("action", RELEASE)
def test_a_privacy_officer_of_the_agency_may_manage_releases(world: World, action: Action) -> None:
    decision = authorize(actor(world.privacy_a), action, world.client_a)
    assert decision.allowed
    assert decision.policy_ids == ("privacy.releases",)


@pytest.mark.parametrize("action", RELEASE)
def test_the_care_team_may_manage_releases(world: World, action: Action) -> None:
    for user in (world.worker_a, world.supervisor_a):
        assert authorize(actor(user), action, world.client_a).allowed


@pytest.mark.parametrize("action", RELEASE)
@pytest.mark.parametrize("persona", ["intake_a", "admin_a", "other_worker_a"])
def test_intake_administrators_and_other_teams_may_not(
    world: World, action: Action, persona: str
) -> None:
    assert not authorize(actor(getattr(world, persona)), action, world.client_a).allowed


@pytest.mark.parametrize("action", RELEASE)
def test_another_agencys_privacy_officer_may_not(world: World, action: Action) -> None:
    privacy_b: User = make_user(world.agency_b, "privacy_b@b.test", Role.PRIVACY_OFFICER)
    decision = authorize(actor(privacy_b), action, world.client_a)
    assert not decision.allowed
    assert "agency.boundary" in decision.policy_ids


def test_a_walled_privacy_officer_may_not(world: World) -> None:
    training.conflict_declare(
        actor=actor(world.privacy_a), client_id=world.client_a.id, relationship="neighbour"
    )
    decision = authorize(actor(world.privacy_a), Action.RELEASE_VIEW, world.client_a)
    assert not decision.allowed
    assert "conflict.wall" in decision.policy_ids


def test_an_emergency_grant_opens_the_record_but_not_its_releases(world: World) -> None:
    access.break_glass_open(
        actor=actor(world.other_worker_a),
        client_id=world.client_a.id,
        reason_category="imminent_harm",
        reason_text="Policy test.",
        reauthenticated=True,
    )
    who = actor(world.other_worker_a)
    assert authorize(who, Action.CLIENT_VIEW, world.client_a).allowed
    assert not authorize(who, Action.RELEASE_VIEW, world.client_a).allowed
