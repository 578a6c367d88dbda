"""Helpers for retention tests: closing cases in the past, a schedule, privacy officers."""

from __future__ import annotations

import datetime as dt

from confide.records.enums import CaseStatus
from confide.records.models import Case, Client
from confide.retention import services
from confide.retention.models import RetentionSchedule
from confide.testing import World, actor

CLOSED_ON = dt.date(2025, 6, 30)
TODAY = dt.date(2033, 1, 1)  # CA: 7 years after CLOSED_ON have passed


def close_cases(
    client: Client, *, opened: dt.date = dt.date(2024, 1, 1), closed: dt.date = CLOSED_ON
) -> None:
    Case.objects.filter(client=client).update(
        status=CaseStatus.CLOSED, opened_on=opened, closed_on=closed
    )


def set_schedule(world: World, state: str = "CA") -> RetentionSchedule:
    return services.retention_schedule_set(actor=actor(world.privacy_a), state=state)
