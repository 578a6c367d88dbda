"""Enumerations of the disclosures app."""

from __future__ import annotations

from django.db import models


class ExcludedKind(models.TextChoices):
    """Disclosures the accounting given to the client leaves out (45 CFR 164.528(a)(1)).

    They are still recorded, so a privacy officer sees every release; they are marked, and the
    client's own accounting (the portal) omits them.
    """

    TPO = "tpo", "Treatment, payment or health care operations (164.528(a)(1)(i))"
    TO_INDIVIDUAL = "to_individual", "To the individual (164.528(a)(1)(ii))"
    INCIDENT_TO = "incident_to", "Incident to a permitted use or disclosure (164.528(a)(1)(iii))"
    AUTHORIZED = "authorized", "Under the client's authorization (164.528(a)(1)(iv))"
    FACILITY_DIRECTORY = "facility_directory", "Facility directory (164.528(a)(1)(v))"
    PERSONS_INVOLVED = "persons_involved", "Persons involved in care (164.528(a)(1)(v))"
    NATIONAL_SECURITY = "national_security", "National security or intelligence (164.528(a)(1)(vi))"
    CORRECTIONAL = "correctional", "Correctional or custodial situation (164.528(a)(1)(vii))"
    LIMITED_DATA_SET = "limited_data_set", "Part of a limited data set (164.528(a)(1)(viii))"
