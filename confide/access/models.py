"""Time-limited access grants: break-the-glass (emergencies) and privacy review purposes."""

from __future__ import annotations

from django.db import models

from confide.accounts.models import Agency, User
from confide.core.models import BaseModel
from confide.records.models import Client


class GrantKind(models.TextChoices):
    BREAK_GLASS = "break_glass", "Emergency access (break the glass)"
    PRIVACY_REVIEW = "privacy_review", "Privacy review purpose"


class EmergencyReason(models.TextChoices):
    IMMINENT_HARM = "imminent_harm", "Risk of imminent harm to the client or others"
    MEDICAL_EMERGENCY = "medical_emergency", "Medical emergency"
    CRISIS_CONTACT = "crisis_contact", "Crisis contact outside the care team's hours"
    COVERAGE = "coverage", "Urgent coverage for an absent worker"
    OTHER = "other", "Other emergency"


class ReviewPurpose(models.TextChoices):
    ACCESS_AUDIT = "access_audit", "Audit of access to this record"
    COMPLAINT = "complaint", "Investigation of a complaint"
    BREAK_GLASS_REVIEW = "break_glass_review", "Review of an emergency access"
    CLIENT_REQUEST = "client_request", "Client's request (access, amendment, accounting)"
    LEGAL = "legal", "Legal or compliance matter"


class ReviewOutcome(models.TextChoices):
    JUSTIFIED = "justified", "Justified"
    MISUSE = "misuse", "Misuse"


class AccessGrant(BaseModel):
    """One staff member's time-limited access to one client, for a stated reason.

    The free-text reason and review note are encrypted with the client's data key (they may
    describe the client). Every access under a grant is marked on the ledger.
    """

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=16, choices=GrantKind.choices)
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="access_grants")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="access_grants")
    reason_category = models.CharField(max_length=32)
    reason_text_enc = models.BinaryField()
    starts_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    review_outcome = models.CharField(max_length=16, choices=ReviewOutcome.choices, blank=True)
    review_note_enc = models.BinaryField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "client", "expires_at"], name="grant_lookup")]
