"""Portal accounts and their invitations.

A `PortalAccount` belongs to one client record and is used by that client alone (personal
representatives have no portal access yet, docs/portal.md). It signs in with a sign-in id (random,
shown to the client and to their care team; it names nobody), a password (Argon2, as staff) and a
TOTP code whose secret is sealed under the client's data key, so shredding the client also ends
the account. An `PortalInvitation` holds only the SHA-256 of a single-use secret shown once to the
staff member who made it, and the authenticator secret being enrolled with it (one per
invitation, so a client who scanned it can retry the set-up page). `session_epoch` ends every
earlier session of the account when an invitation is accepted or access is ended.
"""

from __future__ import annotations

from django.db import models

from confide.accounts.models import Agency, User
from confide.consent.enums import Language
from confide.core.models import BaseModel
from confide.records.models import Client


class PortalAccount(BaseModel):
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    client = models.OneToOneField(Client, on_delete=models.PROTECT, related_name="+")
    sign_in_id = models.CharField(max_length=24, unique=True)
    password = models.CharField(max_length=256, blank=True)
    totp_key_enc = models.BinaryField(null=True, blank=True)
    totp_confirmed = models.BooleanField(default=False)
    totp_last_t = models.BigIntegerField(default=-1)
    language = models.CharField(max_length=2, choices=Language.choices, default=Language.ENGLISH)
    failed_sign_ins = models.PositiveIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)
    invited_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    activated_at = models.DateTimeField(null=True, blank=True)
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    session_epoch = models.PositiveIntegerField(
        default=0,
        help_text="Stored in each portal session at sign-in; accepting an invitation or ending "
        "access moves it on, so every earlier session ends at its next request.",
    )

    @property
    def is_usable(self) -> bool:
        """Accepted an invitation (password and second factor set) and not disabled."""
        return self.activated_at is not None and self.disabled_at is None


class PortalInvitation(BaseModel):
    account = models.ForeignKey(PortalAccount, on_delete=models.PROTECT, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    totp_pending_enc = models.BinaryField(
        null=True,
        blank=True,
        help_text="The authenticator secret the client enrols with this invitation, made on the "
        "first visit of the set-up page and kept for later visits (sealed, client's key).",
    )
