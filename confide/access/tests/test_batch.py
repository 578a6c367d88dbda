"""One batch decision per page must decide each row exactly as a single decision would, and the
deciding policy ids of every read and write reach the ledger."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from uuid import UUID

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from confide.access import entities, facts
from confide.access.engine import Decision, Entity
from confide.access.policy import Action, Resource, authorize, authorize_many, case_prefilter
from confide.ledger.enums import EventType
from confide.ledger.tests.support import events_since, ledger_mark
from confide.records import selectors, services
from confide.records.models import Case, Note
from confide.testing import World, make_client

from .support import act, note, supervise


def _second_case(world: World) -> Case:
    return services.case_create(
        actor=None,
        client=world.client_a,
        team=world.team_a2,
        case_number="A-1001-2",
        opened_on=dt.date(2025, 5, 1),
    )


def test_two_cases_of_one_client_in_a_batch_are_decided_each_on_its_own(world: World) -> None:
    # Each case is the client seen through that case (its team, its workers). In one batch the
    # two must not share an entity: worker_a works on the first case only.
    mine, theirs = world.case_of(world.client_a), _second_case(world)
    a = act(world.worker_a)
    for action in (Action.NOTE_CREATE, Action.CLIENT_VIEW):
        singles = [authorize(a, action, c).allowed for c in (mine, theirs)]
        assert singles == [True, False]
        assert [d.allowed for d in authorize_many(a, action, [mine, theirs])] == singles
        assert [d.allowed for d in authorize_many(a, action, [theirs, mine])] == singles[::-1]


def test_a_mixed_batch_matches_single_decisions(world: World) -> None:
    supervise(world.supervisor_a, world.other_worker_a)
    notes: list[Note] = [
        note(world, world.worker_a, world.client_a),
        note(world, world.worker_a, world.client_a, kind="psychotherapy", body="Private."),
        note(world, world.other_worker_a, world.client_a_other, labels=["dv_location"]),
    ]
    resources: list[Resource] = [world.client_a, world.client_a_other, world.client_b, *notes]
    for user in (world.worker_a, world.supervisor_a, world.intake_a, world.worker_b):
        a = act(user)
        for action in (Action.CLIENT_VIEW, Action.NOTE_VIEW, Action.CLIENT_SEARCH):
            fitting = [r for r in resources if isinstance(r, Note) == (action == Action.NOTE_VIEW)]
            assert authorize_many(a, action, fitting) == [authorize(a, action, r) for r in fitting]


def test_a_page_of_decisions_takes_a_fixed_number_of_queries(world: World) -> None:
    def queries() -> tuple[int, int]:
        a = act(world.worker_a)
        page = list(case_prefilter(a).select_related("client"))
        with CaptureQueriesContext(connection) as captured:
            decisions = authorize_many(a, Action.CLIENT_VIEW, page)
        assert all(d.allowed for d in decisions)
        return len(page), len(captured.captured_queries)

    one, before = queries()
    for n in range(6):
        client = make_client(
            world.agency_a,
            world.team_a1,
            name=f"Extra Client{n}",
            dob=dt.date(2000, 1, 1 + n),
            number=f"A-80{n}",
        )
        client.cases.get().workers.add(world.worker_a2)
    seven, after = queries()
    assert (one, seven) == (1, 7)
    assert after == before  # facts load per page, not per row


def test_every_read_names_its_deciding_policies_on_the_ledger(world: World) -> None:
    written = note(world, world.worker_a, world.client_a)
    a = act(world.worker_a)
    mark = ledger_mark()
    selectors.caseload_list(actor=a)
    selectors.client_search(
        actor=a, legal_name="Rosalind Quenby", date_of_birth=dt.date(1984, 3, 9)
    )
    selectors.client_get(actor=a, client_id=world.client_a.id)
    selectors.note_get(actor=a, note_id=written.id)
    events = events_since(mark)
    assert [e.event_type for e in events] == [
        EventType.CLIENT_VIEWED,
        EventType.CLIENT_SEARCHED,
        EventType.CLIENT_VIEWED,
        EventType.NOTE_VIEWED,
    ]
    for event in events:
        assert event.policy_ids == ["care_team.practitioner"]


def test_every_write_names_its_deciding_policies_on_the_ledger(world: World) -> None:
    a = act(world.worker_a)
    mark = ledger_mark()
    written = note(world, world.worker_a, world.client_a)
    services.note_update_draft(actor=a, note_id=written.id, body="Revised.", expected_version=1)
    services.attachment_create(
        actor=a, note_id=written.id, filename="a.txt", content_type="text/plain", data=b"x"
    )
    services.note_sign(actor=a, note_id=written.id, expected_version=2)
    events = events_since(mark)
    assert [e.event_type for e in events] == [
        EventType.NOTE_CREATED,
        EventType.NOTE_UPDATED,
        EventType.ATTACHMENT_CREATED,
        EventType.NOTE_SIGNED,
    ]
    for event in events:
        assert event.policy_ids == ["care_team.practitioner"]


def test_a_policy_that_cannot_be_evaluated_denies(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Cedar skips a policy that errors; were it a forbid (here the wall), skipping it could open
    # access, so any evaluation error denies the request.
    real = entities.client_entity

    def without_walls(client_facts: facts.ClientFacts, ident: UUID | None = None) -> Entity:
        built = real(client_facts, ident)
        assert '"walled":[],' in built.content
        return replace(built, content=built.content.replace('"walled":[],', ""))

    monkeypatch.setattr(entities, "client_entity", without_walls)
    decision = authorize(act(world.worker_a), Action.CLIENT_VIEW, world.client_a)
    assert decision == Decision(False, ("policy.error",))
