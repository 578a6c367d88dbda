"""Registering a client (`services.client_register`): who may, what is checked, how cases are
numbered, and that registration is one transaction with its two ledger events."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from confide.accounts.models import Agency
from confide.core.errors import NotPermitted, ValidationFailed
from confide.ledger import services as ledger
from confide.ledger.enums import EventType
from confide.ledger.models import Event
from confide.records import selectors, services
from confide.records.models import Case
from confide.records.services import ClientInput
from confide.records.tests.support import snapshot
from confide.testing import World, actor, make_client

TODAY = timezone.localdate()
TOMORROW = TODAY + dt.timedelta(days=1)
GOOD = ClientInput(
    legal_name="Imogen Farrow",
    preferred_name="Immy",
    date_of_birth=dt.date(1991, 5, 17),
    phone="555-0142",
    email="imogen@example.test",
    address="12 Mill Lane",
)
FORGED_ID = "00000000-0000-4000-8000-000000000000"


def _register(world: World, who: Any = None, **changes: Any) -> tuple[Any, Case]:
    """Register GOOD (with `changes` to its fields, team_id or opened_on) as `who`."""
    team_id = changes.pop("team_id", world.team_a1.id)
    opened_on = changes.pop("opened_on", None)
    return services.client_register(
        actor=actor(who or world.intake_a),
        data=dataclasses.replace(GOOD, **changes),
        team_id=team_id,
        opened_on=opened_on,
    )


def _refused(call: Any, *fields: str) -> None:
    before = snapshot()
    with pytest.raises(ValidationFailed) as caught:
        call()
    assert set(caught.value.fields) == set(fields), caught.value.fields
    assert snapshot() == before


@pytest.mark.parametrize("role", ["intake_a", "worker_a", "supervisor_a"])
def test_intake_practitioners_and_supervisors_register(world: World, role: str) -> None:
    client, case = _register(world, getattr(world, role))
    assert (client.agency_id, case.client_id, case.team_id) == (
        world.agency_a.id,
        client.id,
        world.team_a1.id,
    )
    assert case.program_id == world.team_a1.program_id
    assert case.opened_on == TODAY  # the agency's today by default
    events = Event.objects.filter(client_id=client.id).values_list(
        "event_type", "subject_id", "actor_id"
    )
    assert sorted(events) == [
        (EventType.CASE_CREATED, str(case.id), getattr(world, role).id),
        (EventType.CLIENT_CREATED, str(client.id), getattr(world, role).id),
    ]


@pytest.mark.parametrize("role", ["privacy_a", "admin_a"])
def test_privacy_officers_and_administrators_are_refused(world: World, role: str) -> None:
    before = snapshot()
    with pytest.raises(NotPermitted):
        _register(world, getattr(world, role))
    assert snapshot() == before


def test_the_role_is_checked_before_the_input(world: World) -> None:
    """A refused role learns nothing from validation, not even that the team id is foreign."""
    with pytest.raises(NotPermitted):
        _register(world, world.admin_a, legal_name="", team_id=world.team_b1.id)


def test_intake_sees_the_registered_client(world: World) -> None:
    client, _ = _register(world)
    view = selectors.client_get(actor=actor(world.intake_a), client_id=client.id)
    assert (view.legal_name, view.preferred_name) == ("Imogen Farrow", "Immy")
    assert view.date_of_birth == GOOD.date_of_birth


BAD_FIELDS: list[tuple[dict[str, Any], str]] = [
    ({"legal_name": ""}, "legal_name"),
    ({"legal_name": "   "}, "legal_name"),
    ({"legal_name": "x" * 201}, "legal_name"),
    ({"legal_name": "a\x00b"}, "legal_name"),
    ({"legal_name": None}, "legal_name"),
    ({"preferred_name": "x" * 201}, "preferred_name"),
    ({"date_of_birth": TOMORROW}, "date_of_birth"),
    ({"date_of_birth": dt.date(1899, 12, 31)}, "date_of_birth"),
    ({"date_of_birth": "1991-05-17"}, "date_of_birth"),
    ({"phone": "5" * 41}, "phone"),
    ({"email": "e" * 255}, "email"),
    ({"address": "a" * 501}, "address"),
    ({"identifiers": {str(i): "x" for i in range(11)}}, "identifiers"),
    ({"team_id": FORGED_ID}, "team"),
    ({"team_id": "not-a-uuid"}, "team"),
    ({"opened_on": TOMORROW}, "opened_on"),
    ({"opened_on": dt.date(1969, 12, 31)}, "opened_on"),
    ({"opened_on": dt.date(1991, 5, 16)}, "opened_on"),  # before the date of birth
    ({"opened_on": "2024-01-01"}, "opened_on"),
]


@pytest.mark.parametrize(("changes", "field"), BAD_FIELDS)
def test_each_bad_field_is_named_and_nothing_is_written(
    world: World, changes: dict[str, Any], field: str
) -> None:
    _refused(lambda: _register(world, **changes), field)


def test_every_bad_field_is_named_at_once(world: World) -> None:
    _refused(
        lambda: _register(
            world,
            legal_name="",
            email="e" * 255,
            date_of_birth=TOMORROW,
            team_id=FORGED_ID,
            opened_on=TOMORROW,
        ),
        "legal_name",
        "email",
        "date_of_birth",
        "team",
        "opened_on",
    )


def test_another_agencys_team_is_a_bad_team_and_nothing_is_written(world: World) -> None:
    """Not a cross-agency write, and the same answer as a team id that does not exist."""
    _refused(lambda: _register(world, team_id=world.team_b1.id), "team")
    assert not Case.objects.filter(team=world.team_b1).exclude(client=world.client_b).exists()


def test_a_team_not_the_callers_own_is_fine_within_the_agency(world: World) -> None:
    """A practitioner may register a client for another team of their agency (a referral)."""
    _, case = _register(world, world.worker_a, team_id=world.team_a2.id)
    assert case.team_id == world.team_a2.id


def test_a_date_in_the_past_is_kept(world: World) -> None:
    _, case = _register(world, opened_on=dt.date(2024, 2, 29))
    assert case.opened_on == dt.date(2024, 2, 29)


def test_numbers_follow_the_agency_prefix_and_are_sequential(world: World) -> None:
    Agency.objects.filter(id=world.agency_a.id).update(case_number_prefix="RB")
    numbers = [_register(world)[1].case_number for _ in range(3)]
    assert numbers == ["RB-00001", "RB-00002", "RB-00003"]
    # Another agency counts on its own.
    _, other = _register(world, world.worker_b, team_id=world.team_b1.id)
    assert other.case_number == "00001"


def test_numbers_continue_after_the_highest_one_not_the_latest(world: World) -> None:
    Agency.objects.filter(id=world.agency_a.id).update(case_number_prefix="RB")
    for number in ("RB-00009", "RB-99999", "RB-00100", "RB-0000100", "XX-99999999"):
        make_client(
            world.agency_a, world.team_a1, name="Old Case", dob=dt.date(1980, 1, 1), number=number
        )
    assert _register(world)[1].case_number == "RB-100000"
    assert _register(world)[1].case_number == "RB-100001"


def test_a_same_name_and_birth_date_registers_again_without_a_word(world: World) -> None:
    """No existence oracle: registering someone who may already be a client (here behind a
    conflict wall, or on another team) answers exactly as for anybody else."""
    first, _ = _register(world)
    second, case = _register(world, world.worker_a2)
    assert first.id != second.id
    assert case.case_number != first.cases.get().case_number


def test_a_crash_in_the_case_event_leaves_no_client(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One transaction: the client, its key, its index rows and both events, or nothing."""
    original = ledger.record

    def crash_on_case(**kwargs: Any) -> Event:
        if kwargs["event_type"] == EventType.CASE_CREATED:
            raise RuntimeError("crash")
        return original(**kwargs)

    monkeypatch.setattr(ledger, "record", crash_on_case)
    before = snapshot()
    with pytest.raises(RuntimeError):
        _register(world)
    assert snapshot() == before
