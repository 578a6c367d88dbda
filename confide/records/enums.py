"""Kinds and states of records."""

from django.db import models


class NoteKind(models.TextChoices):
    PROGRESS = "progress", "Progress note"
    CONTACT = "contact", "Contact note"
    ASSESSMENT = "assessment", "Assessment"
    PSYCHOTHERAPY = "psychotherapy", "Psychotherapy note (kept separately)"


class NoteStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SIGNED = "signed", "Signed"


class CaseStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"
