"""Ledger event types: `area:object:past-tense-verb`."""

from __future__ import annotations

from django.db import models


class EventType(models.TextChoices):
    SIGN_IN = "accounts:session:signed_in"
    SIGN_IN_FAILED = "accounts:session:sign_in_failed"
    SIGN_IN_LOCKED = "accounts:session:locked_out"
    MFA_FAILED = "accounts:session:mfa_failed"
    SIGN_OUT = "accounts:session:signed_out"
    SESSION_EXPIRED = "accounts:session:expired"
    REAUTHENTICATED = "accounts:session:reauthenticated"
    MFA_ENROLLED = "accounts:mfa:enrolled"
    TOKEN_CREATED = "accounts:token:created"
    TOKEN_REVOKED = "accounts:token:revoked"
    TOKEN_REJECTED = "accounts:token:rejected"
    USER_CREATED = "accounts:user:created"
    CLIENT_CREATED = "records:client:created"
    CLIENT_UPDATED = "records:client:updated"
    CLIENT_VIEWED = "records:client:viewed"
    CLIENT_SEARCHED = "records:client:searched"
    CASE_CREATED = "records:case:created"
    NOTE_CREATED = "records:note:created"
    NOTE_UPDATED = "records:note:updated"
    NOTE_SIGNED = "records:note:signed"
    NOTE_VIEWED = "records:note:viewed"
    ATTACHMENT_CREATED = "records:attachment:created"
    ATTACHMENT_DOWNLOADED = "records:attachment:downloaded"
