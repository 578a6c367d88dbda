"""Client-requested restrictions on who may use their record. Agreed ones bind the access
policy; requested, denied and ended ones are kept for the record."""

from __future__ import annotations

from django.db import models

from confide.accounts.models import Agency, Program, User
from confide.consent.enums import RestrictionKind, RestrictionStatus
from confide.core.models import BaseModel
from confide.records.models import Client


class Restriction(BaseModel):
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="restrictions")
    kind = models.CharField(max_length=16, choices=RestrictionKind.choices)
    staff = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    program = models.ForeignKey(
        Program, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        max_length=16, choices=RestrictionStatus.choices, default=RestrictionStatus.REQUESTED
    )
    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
