"""Two registrations at once in one agency (each thread its own connection to a scratch
database): the agency's row lock makes them take consecutive case numbers, neither fails."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable

import pytest
from scratchdb import ScratchDatabase, run_together

from confide.accounts.models import Agency
from confide.records import services
from confide.records.models import Case
from confide.records.services import ClientInput
from confide.testing import actor, build_world

HOLD_SECONDS = 0.3


def test_two_registrations_at_once_take_consecutive_numbers(
    scratch_db: ScratchDatabase, monkeypatch: pytest.MonkeyPatch
) -> None:
    with scratch_db.bound():
        world = build_world()
        Agency.objects.filter(id=world.agency_a.id).update(case_number_prefix="RB")
        intake, worker = actor(world.intake_a), actor(world.worker_a)
    original = services.next_case_number

    def slow_next_case_number(agency: Agency) -> str:
        number = original(agency)
        time.sleep(HOLD_SECONDS)  # the other registration would compute the same number now
        return number

    monkeypatch.setattr(services, "next_case_number", slow_next_case_number)

    def register(who: object, name: str) -> Callable[[], str]:
        def job() -> str:
            _, case = services.client_register(
                actor=who,  # type: ignore[arg-type]
                data=ClientInput(
                    legal_name=name, preferred_name="", date_of_birth=dt.date(1990, 1, 1)
                ),
                team_id=world.team_a1.id,
            )
            return case.case_number

        return job

    outcomes = run_together(
        scratch_db,
        {
            "intake": register(intake, "Ada Quill"),
            "worker": register(worker, "Bram Quill"),
        },
    )
    assert sorted(outcomes.values()) == ["RB-00001", "RB-00002"], outcomes
    with scratch_db.bound():
        numbers = Case.objects.filter(agency=world.agency_a, case_number__startswith="RB-")
        assert numbers.count() == 2
