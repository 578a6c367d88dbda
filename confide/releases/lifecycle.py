"""A release's status on a day: one rule, used by services, selectors and exports.

Stored state says draft, signed or revoked; whether a signed release is yet in effect, in effect
or expired follows from its dates and the day asked about (the clock's today by default), so an
expired release can never be read as active. Revocation is effective at once and for good.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from confide.core import clock
from confide.releases.enums import ReleaseState, Status
from confide.releases.models import Release


def today() -> dt.date:
    return timezone.localdate(clock.now())


def status_on(release: Release, day: dt.date) -> Status:
    if release.state == ReleaseState.REVOKED:
        return Status.REVOKED
    if release.state == ReleaseState.DRAFT:
        return Status.DRAFT
    if release.expires_on is not None and day > release.expires_on:
        return Status.EXPIRED
    if release.expiry_event_on is not None and day >= release.expiry_event_on:
        return Status.EXPIRED
    if day < release.starts_on:
        return Status.SIGNED
    return Status.ACTIVE
