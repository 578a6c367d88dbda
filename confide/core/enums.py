"""Enumerations shared across apps."""

from __future__ import annotations

from django.db import models


class Role(models.TextChoices):
    PRACTITIONER = "practitioner", "Practitioner"
    SUPERVISOR = "supervisor", "Supervisor"
    PRIVACY_OFFICER = "privacy_officer", "Privacy officer"
    ADMINISTRATOR = "administrator", "Administrator"
    INTAKE = "intake", "Intake"


class Label(models.TextChoices):
    """Sensitivity labels on notes and attachments."""

    PSYCHOTHERAPY = "psychotherapy", "Psychotherapy notes"
    PART2_SUD = "part2_sud", "42 CFR Part 2 (substance use)"
    HIV = "hiv", "HIV"
    DV_LOCATION = "dv_location", "Domestic violence location"
    MINOR_CONSENTED = "minor_consented", "Minor consented alone"
