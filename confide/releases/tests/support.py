"""Builders for release tests: a complete input of each kind."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

from confide.core.actor import Actor
from confide.releases import services
from confide.releases.enums import ReleaseKind, Statement
from confide.releases.lifecycle import today
from confide.releases.models import Release
from confide.releases.validation import ReleaseInput, SignatureInput

ALL_STATEMENTS = tuple(Statement.values)


def complete(kind: str = ReleaseKind.HIPAA_AUTHORIZATION, **changes: Any) -> ReleaseInput:
    """A release of `kind` holding every element its kind requires."""
    base = ReleaseInput(
        kind=kind,
        recipient_type="health_care_provider",
        recipient_name="Lakeside Family Clinic",
        recipient_contact="Records office, 12 Lake Road",
        discloser="The agency's North team",
        purpose="care_coordination",
        purpose_detail="Coordinating counseling with the family doctor",
        categories=("general", "mental_health_general"),
        description="Assessment and progress notes from the last six months",
        starts_on=today(),
        expires_on=today() + dt.timedelta(days=180),
        statements=ALL_STATEMENTS,
    )
    if kind == ReleaseKind.PSYCHOTHERAPY_NOTES:
        base = replace(base, categories=("psychotherapy_notes",))
    if kind == ReleaseKind.PART2_CONSENT:
        base = replace(base, categories=("substance_use_part2",))
    if kind == ReleaseKind.VAWA_RELEASE:
        base = replace(base, categories=("dv_victim_pii",), recipient_type="social_service_agency")
    return replace(base, **changes)


def signature(**changes: Any) -> SignatureInput:
    return replace(SignatureInput(signer_name="Rosalind Quenby", signed_on=today()), **changes)


def signed(actor: Actor, client_id: Any, data: ReleaseInput | None = None) -> Release:
    release = services.release_create(actor=actor, client_id=client_id, data=data or complete())
    return services.release_sign(actor=actor, release_id=release.id, signature=signature())
