"""One source of time, so tests can move it.

Instants are UTC; calendar days (training expiry, note dates, release dates) are the agency's
days, in CONFIDE_TIME_ZONE, so a date-bound rule flips at local midnight, not at UTC midnight."""

from __future__ import annotations

from datetime import date, datetime

from django.utils import timezone


def now() -> datetime:
    return timezone.now()


def today() -> date:
    """Today's date where the agency is (settings.TIME_ZONE, from CONFIDE_TIME_ZONE)."""
    return timezone.localdate(now())
