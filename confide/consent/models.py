"""Consent tables: client-requested restrictions, disclosure restrictions, confidential
communications, limits-of-confidentiality notices and their acknowledgements, contacts, and
personal representatives.

Agreed `Restriction`s bind the access policy; the others are read by the disclosure workflow
and messaging through `selectors`. Anything that names or reaches a person (names, addresses,
numbers, signatures, descriptions) is stored only as ciphertext (`*_enc`) under the client's
data key; kinds, statuses and dates stay in clear so rules and queues can use them.
"""

from __future__ import annotations

from django.db import models

from confide.accounts.models import Agency, Program, User
from confide.consent.enums import (
    Channel,
    ClientDecision,
    ContactKind,
    Language,
    RecipientKind,
    RepresentativeKind,
    RestrictionKind,
    RestrictionStatus,
    SignatureKind,
)
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


class DisclosureRestriction(BaseModel):
    """A request not to disclose some information to someone outside the agency (164.522(a)).
    One for a health plan about care paid in full out of pocket is agreed by rule."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, related_name="disclosure_restrictions"
    )
    recipient_kind = models.CharField(max_length=16, choices=RecipientKind.choices)
    recipient_enc = models.BinaryField()
    information_enc = models.BinaryField()
    paid_in_full = models.BooleanField(
        default=False, help_text="The client paid for the item in full, out of pocket."
    )
    status = models.CharField(
        max_length=16, choices=RestrictionStatus.choices, default=RestrictionStatus.REQUESTED
    )
    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)


class CommunicationPreference(BaseModel):
    """How the client may be reached on one channel (164.522(b)): whether at all, at which
    address or number, whether a message may be left, and when it is safe."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, related_name="communication_preferences"
    )
    channel = models.CharField(max_length=8, choices=Channel.choices)
    allowed = models.BooleanField()
    leave_message = models.BooleanField(default=False)
    address_enc = models.BinaryField(null=True, blank=True)
    safe_times_enc = models.BinaryField(null=True, blank=True)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client", "channel"], name="one_preference_per_channel")
        ]


class Notice(BaseModel):
    """One language's text of one version of an agency's limits-of-confidentiality notice.
    Published texts never change; a correction is a new version."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField()
    language = models.CharField(max_length=2, choices=Language.choices)
    title = models.CharField(max_length=200)
    body = models.TextField()
    material = models.BooleanField(
        help_text="A material change: clients who acknowledged an earlier version are asked again."
    )
    published_by = models.ForeignKey(User, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "version", "language"], name="one_notice_text_per_language"
            )
        ]


class Acknowledgement(BaseModel):
    """A client's acknowledgement of one notice text, witnessed by a staff member; one the
    client made alone in the portal has no witness (and its ledger event has channel portal)."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="acknowledgements")
    notice = models.ForeignKey(Notice, on_delete=models.PROTECT, related_name="+")
    typed_name_enc = models.BinaryField()
    signature_enc = models.BinaryField(null=True, blank=True)
    signature_kind = models.CharField(max_length=8, choices=SignatureKind.choices)
    witness = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    acknowledged_at = models.DateTimeField()


class Contact(BaseModel):
    """Someone involved in the client's care (164.510(b)) and what the client said they may
    be told."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="contacts")
    kind = models.CharField(max_length=16, choices=ContactKind.choices)
    details_enc = models.BinaryField(help_text="Name, relationship, phone, email, address.")
    may_be_told = models.JSONField(default=list)
    decision = models.CharField(max_length=16, choices=ClientDecision.choices)
    decided_on = models.DateField()
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    ended_at = models.DateTimeField(null=True, blank=True)


class PersonalRepresentative(BaseModel):
    """A person treated as the client for decisions within their authority (164.502(g))."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="representatives")
    kind = models.CharField(max_length=24, choices=RepresentativeKind.choices)
    scope = models.JSONField(default=list)
    details_enc = models.BinaryField(help_text="Name, phone, email, basis of authority.")
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    ended_at = models.DateTimeField(null=True, blank=True)
