"""Restriction kinds and states (HIPAA 164.522(a))."""

from django.db import models


class RestrictionKind(models.TextChoices):
    NOT_STAFF = "not_staff", "Not this staff member"
    NOT_PROGRAM = "not_program", "Not this program"


class RestrictionStatus(models.TextChoices):
    REQUESTED = "requested", "Requested"
    AGREED = "agreed", "Agreed"
    DENIED = "denied", "Denied"
    ENDED = "ended", "Ended"
