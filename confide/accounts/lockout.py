"""The sign-in lockout rule, in one place for staff (`User`) and clients (`PortalAccount`).

Both rows carry a failure counter and a pause (`failed_sign_ins`, `locked_until`). A failed
step counts; at CONFIDE_LOCKOUT_THRESHOLD failures sign-in pauses for CONFIDE_LOCKOUT_SECONDS
and the count starts again; a success clears both. These functions only change the row in
memory: the caller saves it and writes its own ledger event (staff and portal events differ),
in its own transaction, with the row locked.
"""

from __future__ import annotations

import datetime as dt
from datetime import timedelta
from typing import Protocol

from django.conf import settings

from confide.core import clock

FIELDS = ["failed_sign_ins", "locked_until", "updated_at"]  # what the caller saves


class Counted(Protocol):
    """A row with the lockout counter (staff users and portal accounts)."""

    failed_sign_ins: int
    locked_until: dt.datetime | None


def is_locked(row: Counted) -> bool:
    return row.locked_until is not None and row.locked_until > clock.now()


def count_failure(row: Counted) -> bool:
    """Count one failed step; True when this failure paused sign-in."""
    row.failed_sign_ins += 1
    if row.failed_sign_ins < settings.CONFIDE_LOCKOUT_THRESHOLD:
        return False
    row.locked_until = clock.now() + timedelta(seconds=settings.CONFIDE_LOCKOUT_SECONDS)
    row.failed_sign_ins = 0
    return True


def clear(row: Counted) -> None:
    """A completed sign-in: no failures, no pause."""
    row.failed_sign_ins, row.locked_until = 0, None
