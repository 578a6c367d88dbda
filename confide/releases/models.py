"""The release table. Who the recipient is, how to reach them, what is described, the expiry
event, the signer's typed name and a representative's authority are stored only as ciphertext
(`*_enc`, the client's data key); kinds, categories, dates and states stay in clear so the
lifecycle and the disclosure workflow can use them without decrypting."""

from __future__ import annotations

from django.db import models

from confide.accounts.models import Agency, User
from confide.core.models import BaseModel
from confide.records.models import Client
from confide.releases.enums import (
    RecipientType,
    ReleaseKind,
    ReleasePurpose,
    ReleaseState,
    RevokedBy,
)


class Release(BaseModel):
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="releases")
    kind = models.CharField(max_length=40, choices=ReleaseKind.choices)
    state = models.CharField(max_length=8, choices=ReleaseState.choices, default=ReleaseState.DRAFT)
    recipient_type = models.CharField(max_length=40, choices=RecipientType.choices)
    recipient_name_enc = models.BinaryField()
    recipient_contact_enc = models.BinaryField()
    discloser_enc = models.BinaryField(help_text="Who may disclose (the 'from whom').")
    purpose = models.CharField(max_length=40, choices=ReleasePurpose.choices)
    purpose_detail_enc = models.BinaryField()
    categories = models.JSONField(default=list)
    description_enc = models.BinaryField(help_text="Specific description: amount and kind.")
    records_from = models.DateField(null=True, blank=True)
    records_to = models.DateField(null=True, blank=True)
    starts_on = models.DateField()
    expires_on = models.DateField(null=True, blank=True, help_text="Last day in effect.")
    expiry_event_enc = models.BinaryField()
    expiry_event_on = models.DateField(
        null=True, blank=True, help_text="When the expiry event was recorded as having happened."
    )
    part2_tpo = models.BooleanField(default=False, help_text="Part 2 single consent for TPO.")
    statements = models.JSONField(default=list, help_text="Required statements the form holds.")
    signer_name_enc = models.BinaryField()
    signed_on = models.DateField(null=True, blank=True)
    signer_is_representative = models.BooleanField(default=False)
    representative_authority_enc = models.BinaryField()
    signed_at = models.DateTimeField(null=True, blank=True)
    signed_recorded_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.CharField(max_length=8, choices=RevokedBy.choices, blank=True)
    revocation_recorded_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["client", "starts_on"], name="release_client_start")]
