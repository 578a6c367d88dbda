"""In-app notifications. Their text names ids and kinds of events, never client data."""

from __future__ import annotations

from django.db import models

from confide.accounts.models import Agency, User
from confide.core.models import BaseModel


class Notification(BaseModel):
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    recipient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=64)
    message = models.CharField(max_length=300)
    link = models.CharField(max_length=200, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
