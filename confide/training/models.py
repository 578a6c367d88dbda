"""Training completions (the training gate) and conflict walls between staff and clients."""

from __future__ import annotations

from django.db import models

from confide.accounts.models import Agency, User
from confide.core.models import BaseModel
from confide.records.models import Client
from confide.training.enums import Relationship


class TrainingCompletion(BaseModel):
    """A completed confidentiality training, current until `expires_on`."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="trainings")
    completed_on = models.DateField()
    expires_on = models.DateField()
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")


class ConflictDeclaration(BaseModel):
    """A staff member's personal relationship with a client: a wall until removed."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="conflicts")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="conflicts")
    relationship = models.CharField(max_length=24, choices=Relationship.choices)
    declared_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "client"],
                condition=models.Q(removed_at=None),
                name="one_active_wall_per_pair",
            )
        ]
