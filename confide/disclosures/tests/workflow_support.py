"""Builders shared by the workflow tests: an agency profile, signed notes, a request input, a
printed release."""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID

from confide.accounts.models import User
from confide.core.actor import Actor
from confide.core.enums import Role
from confide.disclosures import release, services
from confide.disclosures.models import DisclosureProfile
from confide.records import services as records
from confide.records.models import Client, Note
from confide.testing import World, actor

OTHER_PERSON = "Her brother Tomas Reyes called from 415-555-0199 about the rent."


def set_profile(world: World, state: str = "CA", entity: str = "hipaa_covered_provider") -> None:
    for agency in (world.agency_a, world.agency_b):
        DisclosureProfile.objects.update_or_create(
            agency=agency,
            defaults={
                "jurisdiction_state": state,
                "entity_type": entity,
                "updated_by": world.admin_a if agency == world.agency_a else world.worker_b,
            },
        )


def signed_note(
    author: User,
    client: Client,
    body: str,
    *,
    on: dt.date,
    kind: str = "progress",
    labels: list[str] | None = None,
) -> Note:
    case = client.cases.first()
    assert case is not None
    note = records.note_create(
        actor=actor(author),
        case_id=case.id,
        kind=kind,
        body=body,
        labels=labels or [],
        occurred_on=on,
    )
    return records.note_sign(actor=actor(author), note_id=note.id, expected_version=note.version)


def request_input(**overrides: Any) -> services.RequestInput:
    """A treatment disclosure to another provider (HIPAA permits it; no review needed)."""
    values: dict[str, Any] = {
        "recipient": "Dr. Imogen Vale, Riverside Clinic",
        "recipient_address": "12 Harbour Road",
        "recipient_type": "health_care_provider",
        "purpose": "treatment",
        "description": "Continuity of care after referral",
        "categories": ["general"],
        "date_from": dt.date(2025, 1, 1),
        "date_to": dt.date(2025, 12, 31),
        "legal_instrument": "none",
    }
    values.update(overrides)
    return services.RequestInput(**values)


# A duty-to-warn request (the engine leaves it for review), and what a reviewer answers for it.
THREAT: dict[str, Any] = {
    "recipient_type": "potential_victim",
    "purpose": "prevent_serious_threat",
    "categories": ["mental_health_general"],
}

THREAT_ANSWERS: dict[str, Any] = {
    "threat": {
        "present": True,
        "serious": True,
        "imminent": True,
        "target": "third_party",
        "victim_reasonably_identifiable": True,
    },
    "professional_role": "LCSW",
}


def print_release(
    by: Actor, request_id: UUID, notice: release.Notice | None = None
) -> release.Released:
    """Release the request on paper; the client is told as their preferences allow unless
    `notice` names an exception."""
    return release.release(
        actor=by, request_id=request_id, method="print", notice=notice or release.Notice()
    )


def supervisor_of_team(world: World) -> User:
    assert world.supervisor_a.role == Role.SUPERVISOR
    return world.supervisor_a
