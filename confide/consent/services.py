"""The consent app's writers: client-requested restrictions on use (45 CFR 164.522(a); agreed
ones bind the access policy at once) and on disclosure, confidential-communication preferences
(164.522(b)), notices and acknowledgements, contacts (164.510(b)) and personal representatives
(164.502(g)). Each is one transaction with its ledger event; confidential text is sealed with
the client's data key."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar
from uuid import UUID

from django.db import transaction
from django.db.models import Max

from confide.access.lookups import get_authorized
from confide.access.policy import Action
from confide.accounts.models import Agency, Program, User
from confide.consent import validation as check
from confide.consent.enums import (
    AuthorityScope,
    Channel,
    ClientDecision,
    ContactKind,
    Language,
    MayBeTold,
    RecipientKind,
    RepresentativeKind,
    RestrictionKind,
    RestrictionStatus,
    SignatureKind,
)
from confide.consent.models import (
    Acknowledgement,
    CommunicationPreference,
    Contact,
    DisclosureRestriction,
    Notice,
    PersonalRepresentative,
    Restriction,
)
from confide.consent.sealed import seal_json, seal_text
from confide.core import clock
from confide.core.actor import Actor
from confide.core.enums import Role
from confide.core.errors import Conflict, NotFound, NotPermitted, ValidationFailed
from confide.core.ids import parse_id
from confide.crypto.envelope import client_key
from confide.ledger import services as ledger
from confide.ledger.enums import EventType
from confide.records.models import Client
from confide.training.models import ConflictDeclaration

M = TypeVar("M", Contact, PersonalRepresentative)


@transaction.atomic
def restriction_request(
    *,
    actor: Actor,
    client_id: UUID | str,
    kind: str,
    staff_id: UUID | str | None = None,
    program_id: UUID | str | None = None,
) -> Restriction:
    """Record a client's request that a staff member or a program not use their record.

    Needs client:view on the client (staff record it on the client's word). Writes
    consent:restriction:requested. Raises NotFound, ValidationFailed.
    """
    client, _ = get_authorized(actor, Client, client_id, Action.CLIENT_VIEW)
    staff, program = _target(actor, kind, staff_id, program_id)
    restriction = Restriction.objects.create(
        agency_id=actor.agency_id,
        client=client,
        kind=kind,
        staff=staff,
        program=program,
        requested_by_id=actor.user_id,
    )
    ledger.record(
        actor=actor,
        event_type=EventType.RESTRICTION_REQUESTED,
        subject_type="restriction",
        subject_id=restriction.id,
        client_id=client.id,
        details={"kind": kind},
    )
    return restriction


def _target(
    actor: Actor, kind: str, staff_id: UUID | str | None, program_id: UUID | str | None
) -> tuple[User | None, Program | None]:
    if kind == RestrictionKind.NOT_STAFF:
        staff = User.objects.filter(id=_uuid(staff_id), agency_id=actor.agency_id).first()
        if staff is None:
            raise ValidationFailed({"staff": "choose a staff member of this agency"})
        return staff, None
    if kind == RestrictionKind.NOT_PROGRAM:
        program = Program.objects.filter(id=_uuid(program_id), agency_id=actor.agency_id).first()
        if program is None:
            raise ValidationFailed({"program": "choose a program of this agency"})
        return None, program
    raise ValidationFailed({"kind": f"must be one of {', '.join(RestrictionKind.values)}"})


NO_SUCH_ID = UUID(int=0)


def _uuid(raw: UUID | str | None) -> UUID:
    """The id, or an id that matches nothing (malformed input is simply not found)."""
    return parse_id(raw) or NO_SUCH_ID


@transaction.atomic
def restriction_decide(*, actor: Actor, restriction_id: UUID | str, agree: bool) -> Restriction:
    """Agree to or deny a requested restriction. Privacy officers only.

    Writes consent:restriction:decided. Raises NotFound, NotPermitted, Conflict (decided).
    """
    if actor.role != Role.PRIVACY_OFFICER:
        raise NotPermitted("A privacy officer decides restriction requests.")
    restriction = _restriction(actor, restriction_id)
    if restriction.status != RestrictionStatus.REQUESTED:
        raise Conflict("This request has already been decided.")
    restriction.status = RestrictionStatus.AGREED if agree else RestrictionStatus.DENIED
    restriction.decided_by_id, restriction.decided_at = actor.user_id, clock.now()
    restriction.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
    ledger.record(
        actor=actor,
        event_type=EventType.RESTRICTION_DECIDED,
        subject_type="restriction",
        subject_id=restriction.id,
        client_id=restriction.client_id,
        details={"status": restriction.status},
    )
    return restriction


@transaction.atomic
def restriction_end(*, actor: Actor, restriction_id: UUID | str) -> Restriction:
    """End an agreed restriction (on the client's word, or by the agency with notice).
    Privacy officers only. Writes consent:restriction:ended. Raises NotFound, NotPermitted,
    Conflict."""
    if actor.role != Role.PRIVACY_OFFICER:
        raise NotPermitted("A privacy officer ends restrictions.")
    restriction = _restriction(actor, restriction_id)
    if restriction.status != RestrictionStatus.AGREED:
        raise Conflict("Only an agreed restriction can be ended.")
    restriction.status = RestrictionStatus.ENDED
    restriction.save(update_fields=["status", "updated_at"])
    ledger.record(
        actor=actor,
        event_type=EventType.RESTRICTION_ENDED,
        subject_type="restriction",
        subject_id=restriction.id,
        client_id=restriction.client_id,
    )
    return restriction


def _restriction(actor: Actor, restriction_id: UUID | str) -> Restriction:
    found = (
        Restriction.objects.select_for_update()
        .filter(id=_uuid(restriction_id), agency_id=actor.agency_id)
        .first()
    )
    if found is None:
        raise NotFound("restriction")
    return found


# ---- confidential communications (164.522(b)) ------------------------------------------------


def _consent_client(
    actor: Actor, client_id: UUID | str, action: Action, *, lock: bool = False
) -> Client:
    client, _ = get_authorized(actor, Client, client_id, action, lock=lock)
    return client


@transaction.atomic
def communication_preference_set(
    *,
    actor: Actor,
    client_id: UUID | str,
    channel: str,
    allowed: bool,
    leave_message: bool = False,
    address: str = "",
    safe_times: str = "",
) -> CommunicationPreference:
    """Record how the client may be reached on one channel (replacing what was recorded).

    No reason may be asked for (164.522(b)(2)(ii)). A forbidden channel keeps no address.
    Needs consent:manage. Writes consent:communication_preference:set. Raises NotFound,
    NotPermitted, ValidationFailed.
    """
    problems = check.Problems()
    channel = check.choice(problems, "channel", channel, Channel.values)
    allowed = check.flag(problems, "allowed", allowed)
    leave_message = check.flag(problems, "leave_message", leave_message)
    address = check.text(problems, "address", address, check.MAX_ADDRESS)
    safe_times = check.text(problems, "safe_times", safe_times, check.MAX_SHORT)
    problems.raise_if_any()
    client = _consent_client(actor, client_id, Action.CONSENT_MANAGE, lock=True)
    preference = CommunicationPreference.objects.filter(client=client, channel=channel).first()
    if preference is None:
        preference = CommunicationPreference(
            agency_id=actor.agency_id, client=client, channel=channel
        )
    preference.allowed = allowed
    preference.leave_message = allowed and leave_message
    preference.recorded_by_id = actor.user_id
    key = client_key(client.id)
    preference.address_enc = (
        seal_text(key, "communication.address", preference.id, address)
        if allowed and address
        else None
    )
    preference.safe_times_enc = (
        seal_text(key, "communication.safe_times", preference.id, safe_times)
        if allowed and safe_times
        else None
    )
    preference.save()
    ledger.record(
        actor=actor,
        event_type=EventType.COMMUNICATION_PREFERENCE_SET,
        subject_type="communication_preference",
        subject_id=preference.id,
        client_id=client.id,
        details={"channel": channel, "allowed": allowed},
    )
    return preference


# ---- limits-of-confidentiality notices and acknowledgements ----------------------------------

SHIPPED_NOTICES = Path(__file__).resolve().parent / "notices"
PNG_DATA_URL = "data:image/png;base64,"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
MAX_SIGNATURE_BYTES = 256 * 1024


def shipped_notice_texts() -> dict[str, tuple[str, str]]:
    """The notice texts shipped with Confide: {language: (title, body)}; the first line of
    each file is its title."""
    texts = {}
    for language in Language.values:
        title, _, body = (SHIPPED_NOTICES / f"{language}.txt").read_text().partition("\n")
        texts[language] = (title.strip(), body.strip())
    return texts


@transaction.atomic
def notice_publish(
    *, actor: Actor, texts: dict[str, tuple[str, str]], material: bool
) -> list[Notice]:
    """Publish a new version of the agency's notice, one text per language (English required).

    The first version is always material. Privacy officers only. Writes
    consent:notice:published. Raises NotPermitted, ValidationFailed.
    """
    if actor.role != Role.PRIVACY_OFFICER:
        raise NotPermitted("A privacy officer publishes the agency's notice.")
    problems = check.Problems()
    material = check.flag(problems, "material", material)
    if not isinstance(texts, dict) or Language.ENGLISH not in texts:
        problems.add("texts", "an English text is required")
        texts = {}
    cleaned: dict[str, tuple[str, str]] = {}
    for language, pair in texts.items():
        language = check.choice(problems, "language", language, Language.values)
        title, body = pair if isinstance(pair, tuple) and len(pair) == 2 else ("", "")
        title = check.text(
            problems, f"title_{language}", title, check.MAX_NOTICE_TITLE, required=True
        )
        body = check.text(problems, f"body_{language}", body, check.MAX_NOTICE_BODY, required=True)
        cleaned[language] = (title, body)
    problems.raise_if_any()
    Agency.objects.select_for_update().filter(id=actor.agency_id).first()  # one version at a time
    latest = Notice.objects.filter(agency_id=actor.agency_id).aggregate(v=Max("version"))["v"]
    version = (latest or 0) + 1
    notices = [
        Notice.objects.create(
            agency_id=actor.agency_id,
            version=version,
            language=language,
            title=title,
            body=body,
            material=material or version == 1,
            published_by_id=actor.user_id,
        )
        for language, (title, body) in sorted(cleaned.items())
    ]
    ledger.record(
        actor=actor,
        event_type=EventType.NOTICE_PUBLISHED,
        subject_type="notice",
        subject_id=str(version),
        details={"version": version, "languages": sorted(cleaned), "material": notices[0].material},
    )
    return notices


def _signature(problems: check.Problems, signature: str | None) -> bytes | None:
    """The drawn signature's PNG bytes, or None for a typed name only."""
    if signature is None or signature == "":
        return None
    if not isinstance(signature, str) or not signature.startswith(PNG_DATA_URL):
        problems.add("signature", "must be a drawn signature (a PNG image) or left empty")
        return None
    encoded = signature[len(PNG_DATA_URL) :]
    if len(encoded) > MAX_SIGNATURE_BYTES * 4 // 3 + 4:
        problems.add("signature", f"must be at most {MAX_SIGNATURE_BYTES // 1024} KB")
        return None
    try:
        data = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        data = b""
    if not data.startswith(PNG_MAGIC):
        problems.add("signature", "must be a drawn signature (a PNG image) or left empty")
        return None
    return data


@transaction.atomic
def acknowledgement_record(
    *,
    actor: Actor,
    client_id: UUID | str,
    notice_id: UUID | str,
    typed_name: str,
    signature: str | None = None,
) -> Acknowledgement:
    """Record that the client read the current notice and acknowledged it, with their typed
    name and, if they drew one, their signature (a PNG data URL); the actor is the witness.

    Needs consent:notice:acknowledge (care team, intake). Writes consent:notice:acknowledged.
    Raises NotFound, ValidationFailed, Conflict (a newer version was published).
    """
    problems = check.Problems()
    typed_name = check.text(problems, "typed_name", typed_name, check.MAX_NAME, required=True)
    drawn = _signature(problems, signature)
    problems.raise_if_any()
    client = _consent_client(actor, client_id, Action.NOTICE_ACKNOWLEDGE, lock=True)
    notice = Notice.objects.filter(id=_uuid(notice_id), agency_id=actor.agency_id).first()
    if notice is None:
        raise ValidationFailed({"notice": "choose a notice of this agency"})
    if Notice.objects.filter(agency_id=actor.agency_id, version__gt=notice.version).exists():
        raise Conflict("A newer version of the notice was published; show the client that one.")
    acknowledgement = Acknowledgement(
        agency_id=actor.agency_id,
        client=client,
        notice=notice,
        signature_kind=SignatureKind.DRAWN if drawn else SignatureKind.TYPED,
        witness_id=actor.user_id,
        acknowledged_at=clock.now(),
    )
    key = client_key(client.id)
    acknowledgement.typed_name_enc = seal_text(
        key, "acknowledgement.typed_name", acknowledgement.id, typed_name
    )
    if drawn is not None:
        acknowledgement.signature_enc = key.encrypt(
            "consent_acknowledgement.signature", acknowledgement.id, drawn
        )
    acknowledgement.save(force_insert=True)
    ledger.record(
        actor=actor,
        event_type=EventType.NOTICE_ACKNOWLEDGED,
        subject_type="acknowledgement",
        subject_id=acknowledgement.id,
        client_id=client.id,
        details={
            "version": notice.version,
            "language": notice.language,
            "signature": acknowledgement.signature_kind,
        },
    )
    return acknowledgement


# ---- contacts: people involved in the client's care (164.510(b)) -----------------------------


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
    on = _date(problems, "decided_on", decided_on, required=False) or clock.now().date()
    if decision == ClientDecision.AGREED and not told and "may_be_told" not in problems.fields:
        problems.add("may_be_told", "choose what they may be told, or record an objection")
    if on > clock.now().date():
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
    contact.decided_on = clock.now().date()
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


# ---- restrictions on disclosure (164.522(a)(1)), self-pay included ---------------------------

SELF_PAY_RULE = "45 CFR 164.522(a)(1)(vi)"


@transaction.atomic
def disclosure_restriction_request(
    *,
    actor: Actor,
    client_id: UUID | str,
    recipient_kind: str,
    recipient: str,
    information: str,
    paid_in_full: bool = False,
) -> DisclosureRestriction:
    """Record a client's request that some information not be disclosed to someone.

    A request not to tell a health plan about an item the client paid for in full out of
    pocket must be agreed (164.522(a)(1)(vi)): it is agreed at once, by rule. Other requests
    wait for a privacy officer. Needs consent:manage. Writes
    consent:disclosure_restriction:requested (and :decided for a self-pay one). Raises
    NotFound, NotPermitted, ValidationFailed.
    """
    problems = check.Problems()
    recipient_kind = check.choice(problems, "recipient_kind", recipient_kind, RecipientKind.values)
    recipient = check.text(problems, "recipient", recipient, check.MAX_SHORT, required=True)
    information = check.text(
        problems, "information", information, check.MAX_DESCRIPTION, required=True
    )
    paid_in_full = check.flag(problems, "paid_in_full", paid_in_full)
    if paid_in_full and recipient_kind and recipient_kind != RecipientKind.HEALTH_PLAN:
        problems.add("paid_in_full", "applies only to a request about a health plan")
    problems.raise_if_any()
    client = _consent_client(actor, client_id, Action.CONSENT_MANAGE)
    restriction = DisclosureRestriction(
        agency_id=actor.agency_id,
        client=client,
        recipient_kind=recipient_kind,
        paid_in_full=paid_in_full,
        requested_by_id=actor.user_id,
    )
    key = client_key(client.id)
    restriction.recipient_enc = seal_text(
        key, "disclosure_restriction.recipient", restriction.id, recipient
    )
    restriction.information_enc = seal_text(
        key, "disclosure_restriction.information", restriction.id, information
    )
    if paid_in_full:
        restriction.status = RestrictionStatus.AGREED
        restriction.decided_at = clock.now()
    restriction.save(force_insert=True)
    _restriction_event(actor, restriction, EventType.DISCLOSURE_RESTRICTION_REQUESTED)
    if paid_in_full:
        _restriction_event(
            actor, restriction, EventType.DISCLOSURE_RESTRICTION_DECIDED, reason=SELF_PAY_RULE
        )
    return restriction


def _restriction_event(
    actor: Actor, restriction: DisclosureRestriction, event_type: EventType, reason: str = ""
) -> None:
    ledger.record(
        actor=actor,
        event_type=event_type,
        subject_type="disclosure_restriction",
        subject_id=restriction.id,
        client_id=restriction.client_id,
        reason=reason,
        details={
            "recipient_kind": restriction.recipient_kind,
            "paid_in_full": restriction.paid_in_full,
            "status": restriction.status,
        },
    )


def _disclosure_restriction(actor: Actor, restriction_id: UUID | str) -> DisclosureRestriction:
    found = (
        DisclosureRestriction.objects.select_for_update()
        .filter(id=_uuid(restriction_id), agency_id=actor.agency_id)
        .exclude(client_id__in=_walled_clients(actor))
        .first()
    )
    if found is None:
        raise NotFound("restriction")
    return found


def _walled_clients(actor: Actor) -> list[UUID]:
    return list(
        ConflictDeclaration.objects.filter(user_id=actor.user_id, removed_at=None).values_list(
            "client_id", flat=True
        )
    )


@transaction.atomic
def disclosure_restriction_decide(
    *, actor: Actor, restriction_id: UUID | str, agree: bool
) -> DisclosureRestriction:
    """Agree to or deny a requested disclosure restriction. Privacy officers only; never a
    client behind their conflict wall. Writes consent:disclosure_restriction:decided. Raises
    NotFound, NotPermitted, Conflict (already decided, including a self-pay one agreed by
    rule)."""
    if actor.role != Role.PRIVACY_OFFICER:
        raise NotPermitted("A privacy officer decides restriction requests.")
    restriction = _disclosure_restriction(actor, restriction_id)
    if restriction.status != RestrictionStatus.REQUESTED:
        raise Conflict("This request has already been decided.")
    restriction.status = RestrictionStatus.AGREED if agree else RestrictionStatus.DENIED
    restriction.decided_by_id, restriction.decided_at = actor.user_id, clock.now()
    restriction.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
    _restriction_event(actor, restriction, EventType.DISCLOSURE_RESTRICTION_DECIDED)
    return restriction


@transaction.atomic
def disclosure_restriction_end(
    *, actor: Actor, restriction_id: UUID | str
) -> DisclosureRestriction:
    """End an agreed disclosure restriction (on the client's word, or by the agency with
    notice, 164.522(a)(2)). Privacy officers only. Writes consent:disclosure_restriction:ended.
    Raises NotFound, NotPermitted, Conflict (not agreed)."""
    if actor.role != Role.PRIVACY_OFFICER:
        raise NotPermitted("A privacy officer ends restrictions.")
    restriction = _disclosure_restriction(actor, restriction_id)
    if restriction.status != RestrictionStatus.AGREED:
        raise Conflict("Only an agreed restriction can be ended.")
    restriction.status = RestrictionStatus.ENDED
    restriction.save(update_fields=["status", "updated_at"])
    _restriction_event(actor, restriction, EventType.DISCLOSURE_RESTRICTION_ENDED)
    return restriction
