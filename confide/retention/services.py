"""The writers of retention a person acts through: the schedule, legal holds, and approving
destruction. The purge job that carries approvals out is `retention.purge`."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from uuid import UUID

from django.db import transaction

from confide.access.policy import Action, authorize, authorize_many
from confide.core import clock
from confide.core.actor import Actor
from confide.core.errors import NotFound, ValidationFailed
from confide.core.ids import parse_id, row_or_not_found
from confide.crypto.envelope import DataKey, DecryptionFailed, client_key
from confide.ledger import services as ledger
from confide.ledger.enums import EventType
from confide.records.models import Case, Client
from confide.retention.enums import HoldReason
from confide.retention.errors import (
    AlreadyApproved,
    HoldAlreadyReleased,
    NoSchedule,
    NotDue,
    RecordDestroyed,
    UnderLegalHold,
)
from confide.retention.models import (
    LegalHold,
    PurgeBatch,
    PurgeItem,
    RetentionSchedule,
)

# Shredding one client is the purge job's (`retention.purge`); kept importable from here too.
from confide.retention.purge import shred_client as shred_client
from confide.retention.schedule import state_defaults
from confide.retention.selectors import (
    due_clients,
    require_privacy_officer,
    rule_of,
    schedule_current,
)

MAX_YEARS = 100
MAX_HOLD_TEXT = 1000
HOLD_PURPOSE = "retention_legal_hold.details"
RELEASE_PURPOSE = "retention_legal_hold.release_note"

# ---- the schedule -------------------------------------------------------------------------------


def _years(p: dict[str, str], name: str, value: object, low: int, high: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        p[name] = f"must be a whole number from {low} to {high}"
        return low
    return value


@transaction.atomic
def retention_schedule_set(
    *,
    actor: Actor,
    state: str,
    years_after_closure: int | None = None,
    years_after_majority: int | None = None,
    majority_age: int | None = None,
) -> RetentionSchedule:
    """Set the agency's schedule: the state's defaults, or longer periods (never shorter than
    what the state's law requires).

    Needs the privacy officer role (an agency-level act). Writes retention:schedule:set.
    Raises NotPermitted, ValidationFailed.
    """
    require_privacy_officer(actor, "A privacy officer sets the retention schedule.")
    table = state_defaults()
    default = table.get(state) if isinstance(state, str) else None
    if default is None:
        raise ValidationFailed({"state": f"choose one of {', '.join(sorted(table))}"})
    p: dict[str, str] = {}
    closure = _years(
        p,
        "years_after_closure",
        _or(years_after_closure, default.years_after_closure),
        1,
        MAX_YEARS,
    )
    minor = _years(
        p,
        "years_after_majority",
        _or(years_after_majority, default.years_after_majority),
        0,
        MAX_YEARS,
    )
    majority = _years(p, "majority_age", _or(majority_age, default.majority_age), 18, 25)
    floor_closure, floor_minor = default.minimums()
    # An unverified row's law-based value is still a floor (keeping records longer is the safe
    # error), but the refusal says it has not been read in the rule's official text.
    law = (
        f"{state} law"
        if default.verified
        else f"{state} law, as recorded here but not yet verified,"
    )
    if "years_after_closure" not in p and closure < floor_closure:
        p["years_after_closure"] = f"{law} requires at least {floor_closure} ({default.citation})"
    if "years_after_majority" not in p and minor < floor_minor:
        p["years_after_majority"] = f"{law} requires at least {floor_minor} ({default.citation})"
    if "majority_age" not in p and majority < default.majority_age and floor_minor:
        p["majority_age"] = f"{state} law counts from age {default.majority_age}"
    if p:
        raise ValidationFailed(p)
    schedule = RetentionSchedule.objects.create(
        agency_id=actor.agency_id,
        state=state,
        years_after_closure=closure,
        years_after_majority=minor,
        majority_age=majority,
        set_by_id=actor.user_id,
    )
    ledger.record(
        actor=actor,
        event_type=EventType.RETENTION_SCHEDULE_SET,
        subject_type="retention_schedule",
        subject_id=schedule.id,
        details={
            "state": state,
            "years_after_closure": closure,
            "years_after_majority": minor,
            "majority_age": majority,
        },
    )
    return schedule


def _or(value: int | None, default: int) -> int:
    return default if value is None else value


# ---- legal holds --------------------------------------------------------------------------------


def _client_by_case_number(actor: Actor, case_number: object) -> Client:
    if not isinstance(case_number, str) or not case_number.strip() or len(case_number) > 32:
        raise NotFound("client")
    case = (
        Case.objects.filter(agency_id=actor.agency_id, case_number=case_number.strip())
        .select_related("client")
        .first()
    )
    if case is None:
        raise NotFound("client")
    return case.client


def _hold_text(p: dict[str, str], name: str, text: object, *, required: bool) -> str:
    if not isinstance(text, str):
        p[name] = "must be text"
        return ""
    cleaned = text.strip()
    if required and not cleaned:
        p[name] = "is required"
    elif len(cleaned) > MAX_HOLD_TEXT:
        p[name] = f"must be at most {MAX_HOLD_TEXT} characters"
    return cleaned


@transaction.atomic
def legal_hold_place(*, actor: Actor, case_number: str, reason: str, details: str) -> LegalHold:
    """Place a legal hold on the client of a case: their record is not destroyed while it lasts.

    Needs retention:hold on the client (a privacy officer of its agency). Writes
    retention:legal_hold:placed (reason code only; the details are encrypted with the client's
    key). Raises NotFound, ValidationFailed, RecordDestroyed.
    """
    found = _client_by_case_number(actor, case_number)
    # Locked like the purge locks it: a hold and a purge of one client never interleave.
    client = Client.objects.select_for_update().get(id=found.id)
    decision = authorize(actor, Action.RETENTION_HOLD, client)
    if not decision.allowed:
        raise NotFound("client")
    p: dict[str, str] = {}
    if reason not in HoldReason.values:
        p["reason"] = "choose a reason from the list"
    text = _hold_text(p, "details", details, required=True)
    if p:
        raise ValidationFailed(p)
    key = _key_or_destroyed(client.id)
    hold = LegalHold(
        id=uuid.uuid4(),
        agency_id=actor.agency_id,
        client=client,
        reason=reason,
        placed_by_id=actor.user_id,
    )
    hold.details_enc = key.encrypt_text(HOLD_PURPOSE, hold.id, text)
    hold.save(force_insert=True)
    ledger.record(
        actor=actor,
        event_type=EventType.LEGAL_HOLD_PLACED,
        subject_type="legal_hold",
        subject_id=hold.id,
        client_id=client.id,
        policy_ids=decision.policy_ids,
        details={"reason": reason},
    )
    return hold


def _key_or_destroyed(client_id: UUID) -> DataKey:
    try:
        return client_key(client_id)
    except DecryptionFailed:
        raise RecordDestroyed() from None


@transaction.atomic
def legal_hold_release(*, actor: Actor, hold_id: UUID | str, note: str) -> LegalHold:
    """Release a legal hold (the matter ended); the client's schedule applies again.

    Needs retention:hold on the client. Writes retention:legal_hold:released. Raises NotFound,
    HoldAlreadyReleased, ValidationFailed.
    """
    rows = (
        LegalHold.objects.select_for_update(of=("self",))
        .select_related("client")
        .filter(agency_id=actor.agency_id)
    )
    hold = row_or_not_found(rows, hold_id, "legal hold")
    decision = authorize(actor, Action.RETENTION_HOLD, hold.client)
    if not decision.allowed:
        raise NotFound("legal hold")
    if hold.released_at is not None:
        raise HoldAlreadyReleased()
    p: dict[str, str] = {}
    text = _hold_text(p, "note", note, required=True)
    if p:
        raise ValidationFailed(p)
    hold.release_note_enc = _key_or_destroyed(hold.client_id).encrypt_text(
        RELEASE_PURPOSE, hold.id, text
    )
    hold.released_at = clock.now()
    hold.released_by_id = actor.user_id
    hold.save(update_fields=["release_note_enc", "released_at", "released_by", "updated_at"])
    ledger.record(
        actor=actor,
        event_type=EventType.LEGAL_HOLD_RELEASED,
        subject_type="legal_hold",
        subject_id=hold.id,
        client_id=hold.client_id,
        policy_ids=decision.policy_ids,
    )
    return hold


# ---- approval -----------------------------------------------------------------------------------


@transaction.atomic
def purge_batch_approve(
    *, actor: Actor, client_ids: Iterable[UUID | str], today: dt.date, reauthenticated: bool
) -> PurgeBatch:
    """Approve the destruction of due clients as one batch; the purge job carries it out.

    Needs retention:approve on every client (a privacy officer of their agency, not walled
    off) and a fresh re-authentication. Writes retention:purge_batch:approved and, per client,
    retention:client:purge_approved. Raises NotPermitted, ValidationFailed, NoSchedule,
    NotFound (a client they may not act on), NotDue, UnderLegalHold, AlreadyApproved.
    """
    require_privacy_officer(actor, "A privacy officer approves destruction.")
    if not reauthenticated:
        raise ValidationFailed({"password": "confirm your password and code first"})
    parsed = [parse_id(raw) for raw in client_ids]
    if not parsed or None in parsed or len(parsed) > 1000:
        raise ValidationFailed({"clients": "choose between 1 and 1000 clients from the list"})
    wanted = set(p for p in parsed if p is not None)
    schedule = schedule_current(actor.agency_id)
    if schedule is None:
        raise NoSchedule()
    clients = list(Client.objects.filter(id__in=wanted, agency_id=actor.agency_id))
    decisions = authorize_many(actor, Action.RETENTION_APPROVE, clients)
    if len(clients) != len(wanted) or not all(d.allowed for d in decisions):
        raise NotFound("client")
    due = {d.client_id: d for d in due_clients(actor.agency_id, today, rule_of(schedule), wanted)}
    if any(c not in due for c in wanted):
        raise NotDue()
    if any(due[c].held for c in wanted):
        raise UnderLegalHold()
    if any(due[c].approved for c in wanted):
        raise AlreadyApproved()
    batch = PurgeBatch.objects.create(
        agency_id=actor.agency_id, schedule=schedule, approved_by_id=actor.user_id
    )
    PurgeItem.objects.bulk_create(
        PurgeItem(batch=batch, client_id=c, due_on=due[c].due_on, basis=due[c].basis)
        for c in sorted(wanted)
    )
    policy_ids = sorted({p for d in decisions for p in d.policy_ids})
    ledger.record(
        actor=actor,
        event_type=EventType.PURGE_APPROVED,
        subject_type="purge_batch",
        subject_id=batch.id,
        policy_ids=policy_ids,
        details={"clients": len(wanted), "schedule": str(schedule.id)},
    )
    for client_id in sorted(wanted):
        ledger.record(
            actor=actor,
            event_type=EventType.CLIENT_PURGE_APPROVED,
            subject_type="purge_batch",
            subject_id=batch.id,
            client_id=client_id,
            policy_ids=policy_ids,
            details={"due_on": due[client_id].due_on.isoformat(), "basis": due[client_id].basis},
        )
    return batch
