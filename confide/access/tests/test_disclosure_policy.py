"""The disclosure policy: the care team requests and releases; supervisors of the care team and
the agency's privacy officers sign off reviews; a practitioner never does, nor another agency, a
walled officer or anyone through an emergency grant alone."""

from __future__ import annotations

import pytest

from confide.access import services as access
from confide.access.policy import Action, authorize
from confide.core.enums import Role
from confide.testing import World, actor, make_user
from confide.training import services as training


def test_a_privacy_officer_of_the_agency_may_sign_off_a_review(world: World) -> None:
    decision = authorize(actor(world.privacy_a), Action.DISCLOSURE_REVIEW, world.client_a)
    assert decision.allowed
    assert decision.policy_ids == ("disclosure.privacy_officer_review",)


def test_another_agencys_privacy_officer_may_not_review(world: World) -> None:
    privacy_b = make_user(world.agency_b, "privacy_b@b.test", Role.PRIVACY_OFFICER)
    decision = authorize(actor(privacy_b), Action.DISCLOSURE_REVIEW, world.client_a)
    assert not decision.allowed
    assert "agency.boundary" in decision.policy_ids


def test_a_walled_privacy_officer_may_not_review(world: World) -> None:
    training.conflict_declare(
        actor=actor(world.privacy_a), client_id=world.client_a.id, relationship="neighbour"
    )
    decision = authorize(actor(world.privacy_a), Action.DISCLOSURE_REVIEW, world.client_a)
    assert not decision.allowed
    assert "conflict.wall" in decision.policy_ids


def test_the_care_team_requests_and_releases(world: World) -> None:
    for action in (Action.DISCLOSURE_REQUEST, Action.DISCLOSURE_RELEASE):
        assert authorize(actor(world.worker_a), action, world.client_a).allowed


def test_a_supervisor_of_the_care_team_may_review(world: World) -> None:
    assert authorize(actor(world.supervisor_a), Action.DISCLOSURE_REVIEW, world.client_a).allowed


def test_a_practitioner_never_signs_off_a_review_even_on_their_own_caseload(world: World) -> None:
    who = actor(world.worker_a)
    assert authorize(who, Action.CLIENT_VIEW, world.client_a).allowed
    decision = authorize(who, Action.DISCLOSURE_REVIEW, world.client_a)
    assert not decision.allowed
    assert "disclosure.review.not_practitioner" in decision.policy_ids


@pytest.mark.parametrize(
    "action", [Action.DISCLOSURE_REQUEST, Action.DISCLOSURE_REVIEW, Action.DISCLOSURE_RELEASE]
)
@pytest.mark.parametrize("persona", ["intake_a", "admin_a", "other_worker_a"])
def test_intake_administrators_and_other_teams_may_not(
    world: World, action: Action, persona: str
) -> None:
    assert not authorize(actor(getattr(world, persona)), action, world.client_a).allowed


def test_an_emergency_grant_opens_the_record_but_no_disclosure(world: World) -> None:
    access.break_glass_open(
        actor=actor(world.other_worker_a),
        client_id=world.client_a.id,
        reason_category="imminent_harm",
        reason_text="Policy test.",
        reauthenticated=True,
    )
    who = actor(world.other_worker_a)
    assert authorize(who, Action.CLIENT_VIEW, world.client_a).allowed
    for action in (Action.DISCLOSURE_REQUEST, Action.DISCLOSURE_RELEASE):
        assert not authorize(who, action, world.client_a).allowed
