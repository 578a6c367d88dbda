"""A crash mid-write leaves nothing behind: each consent service writes its rows and its ledger
events in one transaction, so a failure in the ledger (or after it) undoes the rows too."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.db.models import Model

from confide.consent import services
from confide.consent.models import (
    Acknowledgement,
    CommunicationPreference,
    Contact,
    DisclosureRestriction,
    PersonalRepresentative,
)
from confide.consent.tests.support import act
from confide.ledger import services as ledger
from confide.ledger.tests.support import events_since, ledger_mark
from confide.testing import World


class Crash(RuntimeError):
    pass


def _crash_on_event(monkeypatch: pytest.MonkeyPatch, number: int) -> None:
    """Let `number - 1` ledger events through, then fail."""
    original = ledger.record
    seen = {"events": 0}

    def record(**kwargs: Any) -> Any:
        seen["events"] += 1
        if seen["events"] >= number:
            raise Crash("the ledger failed")
        return original(**kwargs)

    monkeypatch.setattr(ledger, "record", record)


CASES: dict[str, tuple[Callable[[World], object], type[Model], int]] = {
    "preference": (
        lambda w: services.communication_preference_set(
            actor=act(w.worker_a), client_id=w.client_a.id, channel="email", allowed=False
        ),
        CommunicationPreference,
        1,
    ),
    "contact": (
        lambda w: services.contact_add(
            actor=act(w.worker_a),
            client_id=w.client_a.id,
            kind="friend",
            person=services.PersonInput(name="A"),
            may_be_told=["emergency"],
            decision="agreed",
        ),
        Contact,
        1,
    ),
    "representative": (
        lambda w: services.representative_add(
            actor=act(w.worker_a),
            client_id=w.client_a.id,
            kind="parent",
            scope=["education"],
            person=services.PersonInput(name="P"),
            authority="Parent",
            starts_on=dt.date(2025, 1, 1),
        ),
        PersonalRepresentative,
        1,
    ),
    # The self-pay request writes two events; failing on the second undoes the first too.
    "self_pay": (
        lambda w: services.disclosure_restriction_request(
            actor=act(w.worker_a),
            client_id=w.client_a.id,
            recipient_kind="health_plan",
            recipient="Plan",
            information="Visits",
            paid_in_full=True,
        ),
        DisclosureRestriction,
        2,
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_failure_in_the_ledger_leaves_no_row(
    world: World, monkeypatch: pytest.MonkeyPatch, case: str
) -> None:
    call, model, crash_at = CASES[case]
    mark = ledger_mark()
    _crash_on_event(monkeypatch, crash_at)
    with pytest.raises(Crash):
        call(world)
    assert not model._default_manager.exists()
    assert events_since(mark) == []


def test_an_acknowledgement_is_undone_with_its_event(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    (notice, *_) = services.notice_publish(
        actor=act(world.privacy_a), texts=services.shipped_notice_texts(), material=True
    )
    _crash_on_event(monkeypatch, 1)
    with pytest.raises(Crash):
        services.acknowledgement_record(
            actor=act(world.worker_a),
            client_id=world.client_a.id,
            notice_id=notice.id,
            typed_name="R",
        )
    assert not Acknowledgement.objects.exists()


def test_the_database_keeps_one_preference_per_channel(world: World) -> None:
    saved = services.communication_preference_set(
        actor=act(world.worker_a), client_id=world.client_a.id, channel="text", allowed=True
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        CommunicationPreference.objects.create(
            agency_id=saved.agency_id,
            client_id=saved.client_id,
            channel="text",
            allowed=False,
            recorded_by_id=saved.recorded_by_id,
        )
