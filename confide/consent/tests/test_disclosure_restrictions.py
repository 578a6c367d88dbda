"""Restrictions on disclosure (45 CFR 164.522(a)): recorded on the client's word, decided by a
privacy officer, except the self-pay request to keep a health plan out, which is agreed by rule
(164.522(a)(1)(vi)) and cannot be denied."""

from __future__ import annotations

import uuid

import pytest

from confide.consent.models import DisclosureRestriction
from confide.consent.selectors import disclosure_limits
from confide.consent.services import (
    SELF_PAY_RULE,
    disclosure_restriction_decide,
    disclosure_restriction_end,
    disclosure_restriction_request,
)
from confide.consent.tests.support import act
from confide.core.errors import Conflict, NotFound, NotPermitted, ValidationFailed
from confide.ledger.enums import EventType
from confide.ledger.tests.support import events_since, ledger_mark
from confide.testing import World
from confide.training import services as training


def _request(world: World, **overrides: object) -> DisclosureRestriction:
    arguments: dict[str, object] = {
        "actor": act(world.worker_a),
        "client_id": world.client_a.id,
        "recipient_kind": "health_plan",
        "recipient": "Acme Health Plan",
        "information": "Counselling sessions in March",
        "paid_in_full": True,
    }
    arguments.update(overrides)
    return disclosure_restriction_request(**arguments)  # type: ignore[arg-type]


def test_a_self_pay_request_to_keep_a_health_plan_out_is_agreed_by_rule(world: World) -> None:
    mark = ledger_mark()
    restriction = _request(world)
    assert restriction.status == "agreed"
    assert b"Acme" not in bytes(DisclosureRestriction.objects.get(id=restriction.id).recipient_enc)
    requested, decided = events_since(mark)
    assert requested.event_type == EventType.DISCLOSURE_RESTRICTION_REQUESTED
    assert (decided.event_type, decided.reason) == (
        EventType.DISCLOSURE_RESTRICTION_DECIDED,
        SELF_PAY_RULE,
    )
    assert [limit.id for limit in disclosure_limits(world.client_a.id)] == [restriction.id]
    with pytest.raises(Conflict):
        disclosure_restriction_decide(
            actor=act(world.privacy_a), restriction_id=restriction.id, agree=False
        )
    assert DisclosureRestriction.objects.get(id=restriction.id).status == "agreed"


@pytest.mark.parametrize(("agree", "status"), [(True, "agreed"), (False, "denied")])
def test_other_requests_wait_for_a_privacy_officer(world: World, agree: bool, status: str) -> None:
    restriction = _request(world, recipient_kind="person", recipient="Uncle", paid_in_full=False)
    assert restriction.status == "requested"
    assert disclosure_limits(world.client_a.id) == []
    decided = disclosure_restriction_decide(
        actor=act(world.privacy_a), restriction_id=restriction.id, agree=agree
    )
    assert decided.status == status
    with pytest.raises(Conflict):
        disclosure_restriction_decide(
            actor=act(world.privacy_a), restriction_id=restriction.id, agree=agree
        )


def test_an_agreed_restriction_is_ended_by_a_privacy_officer(world: World) -> None:
    restriction = _request(world)
    with pytest.raises(NotPermitted):
        disclosure_restriction_end(actor=act(world.worker_a), restriction_id=restriction.id)
    ended = disclosure_restriction_end(actor=act(world.privacy_a), restriction_id=restriction.id)
    assert ended.status == "ended"
    assert disclosure_limits(world.client_a.id) == []
    with pytest.raises(Conflict):
        disclosure_restriction_end(actor=act(world.privacy_a), restriction_id=restriction.id)


@pytest.mark.parametrize(
    ("field", "overrides"),
    [
        ("recipient_kind", {"recipient_kind": "neighbour"}),
        ("recipient", {"recipient": ""}),
        ("information", {"information": "x" * 1001}),
        ("paid_in_full", {"paid_in_full": "yes"}),
        ("paid_in_full", {"recipient_kind": "person"}),
    ],
)
def test_bad_requests_are_refused_and_change_nothing(
    world: World, field: str, overrides: dict[str, object]
) -> None:
    mark = ledger_mark()
    with pytest.raises(ValidationFailed) as caught:
        _request(world, **overrides)
    assert field in caught.value.fields
    assert not DisclosureRestriction.objects.exists()
    assert events_since(mark) == []


def test_a_privacy_officer_never_decides_for_a_client_behind_their_wall(world: World) -> None:
    restriction = _request(world, paid_in_full=False, recipient_kind="organization")
    training.conflict_declare(
        actor=act(world.privacy_a), client_id=world.client_a.id, relationship="neighbour"
    )
    for restriction_id in (restriction.id, uuid.uuid4(), "nonsense"):
        with pytest.raises(NotFound):
            disclosure_restriction_decide(
                actor=act(world.privacy_a), restriction_id=restriction_id, agree=True
            )


@pytest.mark.parametrize("persona", ["other_worker_a", "intake_a", "privacy_a", "worker_b"])
def test_only_the_care_team_records_a_request(world: World, persona: str) -> None:
    with pytest.raises(NotFound):
        _request(world, actor=act(getattr(world, persona)))
    assert not DisclosureRestriction.objects.exists()
