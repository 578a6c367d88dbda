"""The HIPAA Privacy Rule pack for covered providers, in evaluation order.

Owns only the order (domain brief section 2): breach duties and the individual's rights, then
hard limits (personal representatives, restrictions, psychotherapy notes), then what the law
requires or permits without authorization (164.512), ordinary care (164.506, 164.510(b)), the
media, authorizations, and finally HIPAA's default (no permission, no disclosure).
"""

from __future__ import annotations

from . import Regime
from .breach import breach_notification
from .hipaa_individual import hhs_compliance, individual_rights
from .hipaa_public import (
    abuse_reports,
    court_order,
    judicial,
    law_enforcement,
    oversight,
    required_report,
    threat,
)
from .hipaa_reps import personal_representatives
from .hipaa_rights import authorization, default, media, psychotherapy_notes, restriction
from .hipaa_tpo import family, payment_and_operations, treatment

HIPAA = Regime(
    "hipaa",
    (
        breach_notification,
        individual_rights,
        hhs_compliance,
        personal_representatives,
        restriction,
        psychotherapy_notes,
        court_order,
        abuse_reports,
        required_report,
        threat,
        law_enforcement,
        judicial,
        oversight,
        family,
        treatment,
        payment_and_operations,
        media,
        authorization,
        default,
    ),
)
