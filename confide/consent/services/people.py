"""People around the client: contacts involved in their care (45 CFR 164.510(b)) and personal
representatives (164.502(g))."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TypeVar
from uuid import UUID

from django.db import transaction

from confide.access.policy import Action
from confide.consent import validation as check
from confide.consent.enums import (
    AuthorityScope,
    ClientDecision,
    ContactKind,
    MayBeTold,
    RepresentativeKind,
)
from confide.consent.models import Contact, PersonalRepresentative
from confide.consent.sealed import seal_json
from confide.consent.services._common import _consent_client, _uuid
from confide.core import clock
from confide.core.actor import Actor
from confide.core.errors import Conflict, NotFound
from confide.crypto.envelope import client_key
from confide.ledger import services as ledger
from confide.ledger.enums import EventType

M = TypeVar("M", Contact, PersonalRepresentative)


@dataclass(frozen=True)
class PersonInput:
    """Who a contact or representative is and how to reach them (all sealed)."""

    name: str
    relationship: str = ""
    phone: str = ""
    email: str = ""
    address: str = ""


def _person(problems: check.Problems, person: PersonInput) -> dict[str, str]:
    if not isinstance(person, PersonInput):
        problems.add("name", "is required")
        return {}
    return {
        "name": check.text(problems, "name", person.name, check.MAX_NAME, required=True),
        "relationship": check.text(problems, "relationship", person.relationship, check.MAX_SHORT),
        "phone": check.text(problems, "phone", person.phone, check.MAX_SHORT),
        "email": check.text(problems, "email", person.email, check.MAX_SHORT),
        "address": check.text(problems, "address", person.address, check.MAX_ADDRESS),
    }


def _date(problems: check.Problems, name: str, value: object, *, required: bool) -> dt.date | None:
    if value is None and not required:
        return None
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        problems.add(name, "must be a date (YYYY-MM-DD)")
        return None
    return value


@transaction.atomic
def contact_add(
    *,
    actor: Actor,
    client_id: UUID | str,
    kind: str,
    person: PersonInput,
    may_be_told: list[str],
    decision: str,
    decided_on: dt.date | None = None,
) -> Contact:
    """Record someone involved in the client's care, what they may be told, and whether the
    client agreed or objected when asked (an objection means they are told nothing under
    164.510(b)). Needs consent:manage. Writes consent:contact:added. Raises NotFound,
    NotPermitted, ValidationFailed.
    """
    problems = check.Problems()
    kind = check.choice(problems, "kind", kind, ContactKind.values)
    details = _person(problems, person)
    told = check.choices(problems, "may_be_told", may_be_told, MayBeTold.values)
    decision = check.choice(problems, "decision", decision, ClientDecision.values)
    on = _date(problems, "decided_on", decided_on, required=False) or clock.today()
    if decision == ClientDecision.AGREED and not told and "may_be_told" not in problems.fields:
        problems.add("may_be_told", "choose what they may be told, or record an objection")
    if on > clock.today():
        problems.add("decided_on", "cannot be in the future")
    problems.raise_if_any()
    client = _consent_client(actor, client_id, Action.CONSENT_MANAGE)
    contact = Contact(
        agency_id=actor.agency_id,
        client=client,
        kind=kind,
        may_be_told=[] if decision == ClientDecision.OBJECTED else told,
        decision=decision,
        decided_on=on,
        recorded_by_id=actor.user_id,
    )
    contact.details_enc = seal_json(client_key(client.id), "contact.details", contact.id, details)
    contact.save(force_insert=True)
    ledger.record(
        actor=actor,
        event_type=EventType.CONTACT_ADDED,
        subject_type="contact",
        subject_id=contact.id,
        client_id=client.id,
        details={"kind": kind, "decision": decision, "may_be_told": contact.may_be_told},
    )
    return contact


def _owned(model: type[M], actor: Actor, object_id: UUID | str, action: Action) -> M:
    """A consent row of a client the actor may act on for `action`, locked; else NotFound."""
    row = (
        model.objects.select_for_update()
        .filter(id=_uuid(object_id), agency_id=actor.agency_id)
        .first()
    )
    if row is None:
        raise NotFound(model.__name__.lower())
    _consent_client(actor, row.client_id, action)
    return row


@transaction.atomic
def contact_decide(
    *, actor: Actor, contact_id: UUID | str, decision: str, may_be_told: list[str]
) -> Contact:
    """Record the client's new answer about a contact (they may change their mind at any
    time). Needs consent:manage. Writes consent:contact:decision_changed. Raises NotFound,
    NotPermitted, ValidationFailed, Conflict (ended)."""
    problems = check.Problems()
    decision = check.choice(problems, "decision", decision, ClientDecision.values)
    told = check.choices(problems, "may_be_told", may_be_told, MayBeTold.values)
    if decision == ClientDecision.AGREED and not told and "may_be_told" not in problems.fields:
        problems.add("may_be_told", "choose what they may be told, or record an objection")
    problems.raise_if_any()
    contact = _owned(Contact, actor, contact_id, Action.CONSENT_MANAGE)
    if contact.ended_at is not None:
        raise Conflict("This contact was removed; add them again if they are involved again.")
    contact.decision = decision
    contact.may_be_told = [] if decision == ClientDecision.OBJECTED else told
    contact.decided_on = clock.today()
    contact.save(update_fields=["decision", "may_be_told", "decided_on", "updated_at"])
    ledger.record(
        actor=actor,
        event_type=EventType.CONTACT_DECISION_CHANGED,
        subject_type="contact",
        subject_id=contact.id,
        client_id=contact.client_id,
        details={"decision": decision, "may_be_told": contact.may_be_told},
    )
    return contact


@transaction.atomic
def contact_end(*, actor: Actor, contact_id: UUID | str) -> Contact:
    """Remove a contact from the client's list (kept for the record). Needs consent:manage.
    Writes consent:contact:ended. Raises NotFound, NotPermitted, Conflict (already ended)."""
    contact = _owned(Contact, actor, contact_id, Action.CONSENT_MANAGE)
    if contact.ended_at is not None:
        raise Conflict("This contact was already removed.")
    contact.ended_at = clock.now()
    contact.save(update_fields=["ended_at", "updated_at"])
    ledger.record(
        actor=actor,
        event_type=EventType.CONTACT_ENDED,
        subject_type="contact",
        subject_id=contact.id,
        client_id=contact.client_id,
    )
    return contact


# ---- personal representatives (164.502(g)) ---------------------------------------------------


@transaction.atomic
def representative_add(
    *,
    actor: Actor,
    client_id: UUID | str,
    kind: str,
    scope: list[str],
    person: PersonInput,
    authority: str,
    starts_on: dt.date,
    ends_on: dt.date | None = None,
) -> PersonalRepresentative:
    """Link a parent, guardian, conservator or health care agent to the client, with the
    scope of their authority and its basis (a court order, a power of attorney, parenthood).

    Needs consent:manage. Writes consent:representative:added. Raises NotFound, NotPermitted,
    ValidationFailed.
    """
    problems = check.Problems()
    kind = check.choice(problems, "kind", kind, RepresentativeKind.values)
    scopes = check.choices(problems, "scope", scope, AuthorityScope.values)
    if not scopes and "scope" not in problems.fields:
        problems.add("scope", "choose at least one area of authority")
    details = _person(problems, person)
    details["authority"] = check.text(
        problems, "authority", authority, check.MAX_DESCRIPTION, required=True
    )
    start = _date(problems, "starts_on", starts_on, required=True)
    end = _date(problems, "ends_on", ends_on, required=False)
    if start and end and end < start:
        problems.add("ends_on", "must not be before the start date")
    problems.raise_if_any()
    assert start is not None
    client = _consent_client(actor, client_id, Action.CONSENT_MANAGE)
    representative = PersonalRepresentative(
        agency_id=actor.agency_id,
        client=client,
        kind=kind,
        scope=scopes,
        starts_on=start,
        ends_on=end,
        recorded_by_id=actor.user_id,
    )
    representative.details_enc = seal_json(
        client_key(client.id), "representative.details", representative.id, details
    )
    representative.save(force_insert=True)
    ledger.record(
        actor=actor,
        event_type=EventType.REPRESENTATIVE_ADDED,
        subject_type="representative",
        subject_id=representative.id,
        client_id=client.id,
        details={"kind": kind, "scope": scopes},
    )
    return representative


@transaction.atomic
def representative_end(
    *, actor: Actor, representative_id: UUID | str, reason: str
) -> PersonalRepresentative:
    """Stop treating someone as the client's representative: their authority ended, or the
    agency believes treating them so could endanger the client (164.502(g)(5)).

    Needs consent:manage. Writes consent:representative:ended (with the reason code). Raises
    NotFound, NotPermitted, ValidationFailed, Conflict (already ended).
    """
    problems = check.Problems()
    reason = check.choice(problems, "reason", reason, END_REASONS)
    problems.raise_if_any()
    representative = _owned(PersonalRepresentative, actor, representative_id, Action.CONSENT_MANAGE)
    if representative.ended_at is not None:
        raise Conflict("This representative was already ended.")
    representative.ended_at = clock.now()
    representative.save(update_fields=["ended_at", "updated_at"])
    ledger.record(
        actor=actor,
        event_type=EventType.REPRESENTATIVE_ENDED,
        subject_type="representative",
        subject_id=representative.id,
        client_id=representative.client_id,
        reason=reason,
    )
    return representative


END_REASONS = ("authority_ended", "endangerment", "recorded_in_error")
