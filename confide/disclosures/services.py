"""Writers of the disclosure workflow, part one: the agency's disclosure profile, opening a
request (the engine decides at once), and the review of requests the engine leaves open.

Packets, redactions and deliveries are in `release.py`. Every function here is one transaction
that asks `access`, validates, writes, and records its ledger event.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q

from confide.access.lookups import get_authorized
from confide.access.policy import Action, authorize
from confide.accounts.models import User
from confide.core import clock
from confide.core.actor import Actor
from confide.core.enums import Role
from confide.core.errors import NotFound, NotPermitted, ValidationFailed
from confide.core.ids import parse_id, row_or_not_found
from confide.crypto.envelope import DataKey, DecryptionFailed, client_key
from confide.disclosures import decisions as dec
from confide.disclosures import prefill
from confide.disclosures.engine.decision import Outcome
from confide.disclosures.engine.facts import (
    ANY_STATE,
    US_STATE_CODES,
    EntityType,
    LegalInstrument,
    Purpose,
    Recipient,
)
from confide.disclosures.enums import RequestStatus, ReviewOutcome
from confide.disclosures.errors import (
    MissingFacts,
    NoProfile,
    NotReleasable,
    OwnRequest,
    ReviewNotOpen,
    readable,
)
from confide.disclosures.models import DisclosureProfile, DisclosureRequest
from confide.ledger import services as ledger
from confide.ledger.enums import EventType
from confide.messaging.services import notify, resolve
from confide.records import files
from confide.records.errors import RecordUnreadable
from confide.records.models import Attachment, Client
from confide.records.validation import Problems

MAX_RECIPIENT = 200
MAX_ADDRESS = 500
MAX_DESCRIPTION = 2000
MAX_NAMES = 2000
MAX_REASON = 2000
MAX_FILENAME = 200
EARLIEST = dt.date(1900, 1, 1)
TABLE = "disclosures_request"
TEXT_COLUMNS = ("recipient", "recipient_address", "description", "extra_names", "facts")


def purpose_of(column: str) -> str:
    """The encryption purpose (AAD) of a request's encrypted column."""
    return f"{TABLE}.{column}"


def key_for(client_id: UUID) -> DataKey:
    try:
        return client_key(client_id)
    except DecryptionFailed:
        raise RecordUnreadable() from None


# ---- the agency's disclosure profile ------------------------------------------------------------


@transaction.atomic
def profile_set(*, actor: Actor, jurisdiction_state: str, entity_type: str) -> DisclosureProfile:
    """Set the agency's state and kind of entity, which every decision reads.

    Needs an administrator. Writes disclosures:profile:changed. Raises NotPermitted,
    ValidationFailed.
    """
    if actor.role != Role.ADMINISTRATOR:
        raise NotPermitted("Only an administrator sets the agency's disclosure profile.")
    problems: dict[str, str] = {}
    state = jurisdiction_state.strip().upper() if isinstance(jurisdiction_state, str) else None
    if state is None or (state and (state == ANY_STATE or state not in US_STATE_CODES)):
        problems["jurisdiction_state"] = "must be a two-letter US state code, or blank"
    if entity_type not in EntityType.__members__.values():
        problems["entity_type"] = "must be one of: " + ", ".join(e.value for e in EntityType)
    if problems:
        raise ValidationFailed(problems)
    profile, _ = DisclosureProfile.objects.update_or_create(
        agency_id=actor.agency_id,
        defaults={
            "jurisdiction_state": state or "",
            "entity_type": entity_type,
            "updated_by_id": actor.user_id,
        },
    )
    ledger.record(
        actor=actor,
        event_type=EventType.DISCLOSURE_PROFILE_CHANGED,
        subject_type="disclosure_profile",
        subject_id=profile.id,
        details={"state": state or None, "entity_type": entity_type},
    )
    return profile


def profile_of(agency_id: UUID) -> DisclosureProfile:
    profile = DisclosureProfile.objects.filter(agency_id=agency_id).first()
    if profile is None:
        raise NoProfile()
    return profile


# ---- opening a request --------------------------------------------------------------------------


@dataclass(frozen=True)
class Upload:
    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class RequestInput:
    """What the staff member says about the proposed disclosure. `facts` holds only the facts
    Confide cannot know (`prefill.STAFF_FACTS`), in the engine's vocabulary."""

    recipient: str
    recipient_type: str
    purpose: str
    description: str
    categories: list[str]
    date_from: dt.date
    date_to: dt.date
    recipient_address: str = ""
    legal_instrument: str = "none"
    facts: dict[str, Any] = field(default_factory=dict)
    extra_names: str = ""
    instrument: Upload | None = None
    release_id: str | None = None


def _enum_value(p: Problems, name: str, value: object, allowed: list[str]) -> str:
    if not isinstance(value, str) or value not in allowed:
        p.fields[name] = "must be one of: " + ", ".join(allowed)
        return ""
    return value


def _clean_dates(p: Problems, data: RequestInput) -> None:
    start = p.past_date("date_from", data.date_from, earliest=EARLIEST)
    end = p.past_date("date_to", data.date_to, earliest=EARLIEST)
    if "date_from" not in p.fields and "date_to" not in p.fields and start > end:
        p.fields["date_to"] = "must be on or after the start date"


def _clean_categories(p: Problems, categories: object) -> list[str]:
    if not isinstance(categories, list | tuple) or not all(isinstance(c, str) for c in categories):
        p.fields["categories"] = "must be a list of categories"
        return []
    unknown = sorted(set(categories) - set(dec.CATEGORIES))
    if unknown:
        p.fields["categories"] = "unknown; allowed: " + ", ".join(dec.CATEGORIES)
    elif not categories:
        p.fields["categories"] = "choose at least one category"
    return [c for c in dec.CATEGORIES if c in categories]


def _clean_staff_facts(p: Problems, facts: object) -> dict[str, Any]:
    if not isinstance(facts, dict):
        p.fields["facts"] = "must be an object"
        return {}
    known = sorted(set(facts) - prefill.STAFF_FACTS)
    if known:
        p.fields["facts"] = "these facts come from the record and cannot be given: " + ", ".join(
            known
        )
    other = facts.get("other")
    if isinstance(other, dict) and set(other) - prefill.STAFF_OTHER:
        p.fields["facts"] = "facts.other may hold only: " + ", ".join(sorted(prefill.STAFF_OTHER))
    return dict(facts)


@dataclass(frozen=True)
class _Clean:
    texts: dict[str, str]
    categories: list[str]
    facts: dict[str, Any]


def clean_request(data: RequestInput) -> _Clean:
    """Validate shape and sizes; every problem is named at once."""
    p = Problems()
    texts = {
        "recipient": p.text("recipient", data.recipient, limit=MAX_RECIPIENT),
        "recipient_address": p.text(
            "recipient_address", data.recipient_address, limit=MAX_ADDRESS, required=False
        ),
        "description": p.text("description", data.description, limit=MAX_DESCRIPTION),
        "extra_names": p.text("extra_names", data.extra_names, limit=MAX_NAMES, required=False),
    }
    _enum_value(p, "recipient_type", data.recipient_type, [r.value for r in Recipient])
    _enum_value(p, "purpose", data.purpose, [r.value for r in Purpose])
    _enum_value(p, "legal_instrument", data.legal_instrument, [r.value for r in LegalInstrument])
    categories = _clean_categories(p, data.categories)
    _clean_dates(p, data)
    facts = _clean_staff_facts(p, data.facts)
    if data.instrument is not None:
        p.text("instrument", data.instrument.filename, limit=MAX_FILENAME)
        files.check_upload(p, content_type=data.instrument.content_type, data=data.instrument.data)
        if "file" in p.fields:
            p.fields["instrument"] = p.fields.pop("file")
    p.raise_if_any()
    return _Clean(texts, categories, facts)


def _engine_facts(
    known: Mapping[str, object], staff: Mapping[str, Any], data: RequestInput
) -> dict[str, object]:
    """The engine's input (without info_category): staff answers, then what the record knows,
    so a known fact always wins."""
    facts: dict[str, object] = {k: v for k, v in staff.items() if k != "other"}
    other = dict(staff.get("other") or {})
    other.update(known.get("other") or {})  # type: ignore[call-overload]
    facts.update({k: v for k, v in known.items() if k != "other"})
    if other:
        facts["other"] = other
    facts["recipient_type"] = data.recipient_type
    facts["purpose"] = data.purpose
    facts["legal_instrument"] = data.legal_instrument
    return facts


def _chosen_release(release_id: object) -> UUID | None:
    if release_id in (None, ""):
        return None
    parsed = parse_id(release_id) if isinstance(release_id, str | UUID) else None
    if parsed is None:
        raise ValidationFailed({"release_id": "is not a release id"})
    return parsed


def _per_category(consents: Mapping[str, Mapping[str, object]]) -> dict[str, dict[str, object]]:
    return {category: {"consent": dict(consent)} for category, consent in consents.items()}


def _status_for(decisions: Mapping[str, Mapping[str, Any]]) -> RequestStatus:
    outcomes = {dec.outcome_of(e) for e in decisions.values()}
    if Outcome.NEEDS_REVIEW in outcomes:
        return RequestStatus.IN_REVIEW
    return RequestStatus.READY if dec.releasable(decisions) else RequestStatus.REFUSED


def _store_instrument(actor: Actor, client: Client, key: DataKey, upload: Upload) -> Attachment:
    """The legal instrument, stored like any attachment (encrypted, staged until commit)."""
    attachment = Attachment(
        id=uuid.uuid4(),
        agency_id=client.agency_id,
        client=client,
        note=None,
        uploaded_by_id=actor.user_id,
        content_type=upload.content_type,
        size=len(upload.data),
        labels=[],
    )
    attachment.filename_enc = key.encrypt_text(
        "records_attachment.filename", attachment.id, upload.filename.strip()
    )
    files.store(attachment, key.encrypt("records_attachment.blob", attachment.id, upload.data))
    try:
        attachment.save(force_insert=True)
    except BaseException:
        files.remove(attachment)
        raise
    transaction.on_commit(lambda: files.promote(attachment))
    return attachment


@readable
@transaction.atomic
def request_create(*, actor: Actor, client_id: UUID | str, data: RequestInput) -> DisclosureRequest:
    """Open a disclosure request; the engine decides each requested category at once.

    Needs disclosure:request on the client (care team). Facts known to Confide are filled in
    from the record and cannot be overridden. A request needing review notifies the reviewers.
    Writes disclosures:request:created (outcome, categories, rule ids; never text). Raises
    NotFound, NoProfile, ValidationFailed (every bad field, including facts the engine rejects),
    RecordUnreadable.
    """
    client, decision = get_authorized(actor, Client, client_id, Action.DISCLOSURE_REQUEST)
    clean = clean_request(data)
    chosen = _chosen_release(data.release_id)
    profile = profile_of(actor.agency_id)
    key = key_for(client.id)
    day = clock.today()
    known = prefill.known_facts(
        client=client, key=key, profile=profile, day=day, recipient_type=data.recipient_type
    )
    scope = prefill.Scope(data.purpose, data.recipient_type, data.date_from, data.date_to)
    try:
        consents, releases = prefill.consent_for(
            client.id, scope, clean.categories, day=day, chosen=chosen
        )
    except NotFound:
        raise ValidationFailed({"release_id": "is not a release of this client"}) from None
    facts = _engine_facts(known.facts, clean.facts, data)
    decisions = dec.evaluate_categories(facts, clean.categories, _per_category(consents), as_of=day)
    request = DisclosureRequest(
        id=uuid.uuid4(),
        agency_id=actor.agency_id,
        client=client,
        requested_by_id=actor.user_id,
        status=_status_for(decisions),
        recipient_type=data.recipient_type,
        purpose=data.purpose,
        categories=clean.categories,
        date_from=data.date_from,
        date_to=data.date_to,
        legal_instrument=data.legal_instrument,
        decisions=decisions,
        outcome=dec.overall(decisions).value,
    )
    if data.instrument is not None:
        request.instrument = _store_instrument(actor, client, key, data.instrument)
    request.release_id = chosen
    stored = {
        "known": known.facts,
        "sources": known.sources,
        "consent": consents,
        "releases": releases,
        "answered": clean.facts,
        "categories_in_range": prefill.categories_in_range(
            actor, client, data.date_from, data.date_to
        ),
    }
    _encrypt(request, key, {**clean.texts, "facts": json.dumps(stored, sort_keys=True)})
    request.save(force_insert=True)
    ledger.record(
        actor=actor,
        event_type=EventType.DISCLOSURE_REQUESTED,
        subject_type="disclosure_request",
        subject_id=request.id,
        client_id=client.id,
        policy_ids=decision.policy_ids,
        details=_decision_details(request),
    )
    if request.status == RequestStatus.IN_REVIEW:
        _notify_reviewers(actor, request)
    return request


def _encrypt(request: DisclosureRequest, key: DataKey, texts: Mapping[str, str]) -> None:
    for column, text in texts.items():
        setattr(request, f"{column}_enc", key.encrypt_text(purpose_of(column), request.id, text))


def _decision_details(request: DisclosureRequest) -> dict[str, ledger.DetailValue]:
    rules = sorted({r for e in request.decisions.values() for r in e["decision"]["rules"]})
    return {
        "outcome": request.outcome,
        "status": request.status,
        "categories": list(request.categories),
        "recipient_type": request.recipient_type,
        "purpose": request.purpose,
        "rules": rules,
        "instrument": str(request.instrument_id) if request.instrument_id else None,
    }


def reviewers_for(request: DisclosureRequest) -> list[User]:
    """Privacy officers of the agency and supervisors who may review this client's requests
    (the policy decides each; walls and restrictions apply), never the requester."""
    from confide.accounts.actors import actor_for

    people = (
        get_user_model()
        .objects.filter(
            Q(role=Role.PRIVACY_OFFICER) | Q(role=Role.SUPERVISOR),
            agency_id=request.agency_id,
            is_active=True,
        )
        .exclude(id=request.requested_by_id)
    )
    client = Client.objects.get(id=request.client_id)
    return [
        u
        for u in people
        if authorize(
            actor_for(u, channel="system", mfa_verified=False), Action.DISCLOSURE_REVIEW, client
        ).allowed
    ]


def _notify_reviewers(actor: Actor, request: DisclosureRequest) -> None:
    notify(
        recipients=reviewers_for(request),
        kind="disclosure_review",
        message="A disclosure request needs your review.",
        link=f"/disclosures/{request.id}/",
    )


# ---- review -------------------------------------------------------------------------------------


def locked_request(actor: Actor, request_id: UUID | str) -> DisclosureRequest:
    """A request of the actor's agency, locked for update; NotFound otherwise."""
    rows = DisclosureRequest.objects.select_for_update().filter(agency_id=actor.agency_id)
    return row_or_not_found(rows, request_id, "disclosure request")


def authorized_request(
    actor: Actor, request_id: UUID | str, action: Action, *, lock: bool = False
) -> tuple[DisclosureRequest, tuple[str, ...]]:
    """The request and the deciding policy ids if `action` is allowed on its client."""
    query = DisclosureRequest.objects.filter(agency_id=actor.agency_id)
    if lock:
        query = query.select_for_update()
    found = row_or_not_found(query, request_id, "disclosure request")
    try:
        _, decision = get_authorized(actor, Client, found.client_id, action)
    except NotFound:
        raise NotFound("disclosure request") from None
    return found, decision.policy_ids


def stored_facts(key: DataKey, request: DisclosureRequest) -> dict[str, Any]:
    raw = key.decrypt_text(purpose_of("facts"), request.id, request.facts_enc)
    loaded: dict[str, Any] = json.loads(raw)
    return loaded


def _merge(answered: Mapping[str, Any], answers: Mapping[str, Any]) -> dict[str, Any]:
    """The stored answers updated by new ones; an answer of None clears that fact."""
    merged = dict(answered)
    for name, value in answers.items():
        if isinstance(value, dict) and isinstance(merged.get(name), dict):
            merged[name] = {**merged[name], **value}
        else:
            merged[name] = value
        if isinstance(merged[name], dict):
            merged[name] = {k: v for k, v in merged[name].items() if v is not None}
            if not merged[name]:
                del merged[name]
        elif merged[name] is None:
            del merged[name]
    return merged


@readable
@transaction.atomic
def request_review(
    *,
    actor: Actor,
    request_id: UUID | str,
    approve: bool,
    reason: str,
    answers: dict[str, Any] | None = None,
) -> DisclosureRequest:
    """Sign off (or decline) a request the engine left for review, with a recorded reason.

    The reviewer answers the facts the engine named as missing; the engine decides again with
    them. Approval releases only categories the engine now allows, and judgment calls the engine
    leaves open without missing facts; a prohibition stands. Needs disclosure:review
    (supervisor or privacy officer; never the requester). Writes disclosures:request:reviewed.
    Raises NotFound, OwnRequest, ReviewNotOpen, ValidationFailed (no reason; facts still missing).
    """
    request, policy_ids = authorized_request(actor, request_id, Action.DISCLOSURE_REVIEW, lock=True)
    if request.requested_by_id == actor.user_id:
        raise OwnRequest()
    if request.status != RequestStatus.IN_REVIEW:
        raise ReviewNotOpen()
    p = Problems()
    cleaned_reason = p.text("reason", reason, limit=MAX_REASON)
    staff = _clean_staff_facts(p, answers or {})
    p.raise_if_any()
    key = key_for(request.client_id)
    stored = stored_facts(key, request)
    stored["answered"] = _merge(stored["answered"], staff)
    decisions = dict(request.decisions)
    open_categories = [c for c, e in decisions.items() if dec.outcome_of(e) is Outcome.NEEDS_REVIEW]
    facts = _engine_facts(stored["known"], stored["answered"], _as_input(request))
    again = dec.evaluate_categories(
        facts,
        open_categories,
        _per_category(stored.get("consent", {})),
        as_of=clock.today(),
    )
    still_missing = dec.missing_of(again)
    if approve and still_missing:
        raise MissingFacts(still_missing)
    for category, entry in again.items():
        entry["approved_by_review"] = approve and dec.outcome_of(entry) is Outcome.NEEDS_REVIEW
        decisions[category] = entry
    request.decisions = decisions
    request.outcome = dec.overall(decisions).value
    allowed = dec.releasable(decisions) if approve else frozenset()
    request.status = RequestStatus.READY if allowed else RequestStatus.REFUSED
    request.review_outcome = ReviewOutcome.APPROVED if approve else ReviewOutcome.DECLINED
    request.reviewed_by_id = actor.user_id
    request.reviewed_at = clock.now()
    request.review_reason_enc = key.encrypt_text(
        purpose_of("review_reason"), request.id, cleaned_reason
    )
    request.facts_enc = key.encrypt_text(
        purpose_of("facts"), request.id, json.dumps(stored, sort_keys=True)
    )
    request.version += 1
    request.save()
    ledger.record(
        actor=actor,
        event_type=EventType.DISCLOSURE_REVIEWED,
        subject_type="disclosure_request",
        subject_id=request.id,
        client_id=request.client_id,
        policy_ids=policy_ids,
        details={**_decision_details(request), "review": request.review_outcome},
    )
    resolve(  # reviewed: the work every reviewer was asked for is done
        agency_id=request.agency_id, kind="disclosure_review", link=f"/disclosures/{request.id}/"
    )
    notify(
        recipients=get_user_model().objects.filter(id=request.requested_by_id),
        kind="disclosure_reviewed",
        message="Your disclosure request was reviewed.",
        link=f"/disclosures/{request.id}/",
    )
    return request


def _as_input(request: DisclosureRequest) -> RequestInput:
    """The request's enumerated fields, for rebuilding the engine's input."""
    return RequestInput(
        recipient="",
        recipient_type=request.recipient_type,
        purpose=request.purpose,
        description="",
        categories=list(request.categories),
        date_from=request.date_from,
        date_to=request.date_to,
        legal_instrument=request.legal_instrument or "none",
    )


def _releases_relied_on(request: DisclosureRequest) -> list[str]:
    """The ids of the releases of information the request's releasable categories rest on with
    a consent the engine accepted (a release on file the engine saw as invalid is not relied on).
    """
    stored = stored_facts(key_for(request.client_id), request)
    used = stored.get("releases", {})
    relied: list[str] = []
    for category in sorted(dec.releasable(request.decisions)):
        release_id = used.get(category) or ""
        consent = stored.get("consent", {}).get(category, {})
        if release_id and consent.get("valid") is True and release_id not in relied:
            relied.append(release_id)
    return relied


def require_consents_in_effect(request: DisclosureRequest) -> None:
    """Refuse to release on a release of information that has since been revoked or has
    expired (164.508(b)(5), 42 CFR 2.31: a revocation is honoured at once). Only releases that
    a releasable category rests on with a consent the engine accepted are checked.

    Raises NotReleasable naming what changed.
    """
    from confide.releases.errors import ReleaseNotUsable
    from confide.releases.selectors import require_active_release

    day = clock.today()
    for release_id in _releases_relied_on(request):
        try:
            require_active_release(release_id, request.client_id, day)
        except (ReleaseNotUsable, NotFound) as error:
            raise NotReleasable(
                f"the release of information it rests on is no longer usable ({error.message}) "
                "Open a new request."
            ) from None


def rests_on_a_representatives_signature(request: DisclosureRequest) -> bool:
    """Whether a release of information the request rests on (the same ones
    `require_consents_in_effect` checks) was signed by a personal representative, not by the
    client. A parent or guardian cannot authorize what a minor consented to alone (45 CFR
    164.502(g)(3); 42 CFR 2.14; domain brief 4.2, 8.6 and 13), so such a release
    is decided for the guardian audience (`packets.audience_for`).
    """
    from confide.releases.selectors import signed_by_a_representative

    relied = _releases_relied_on(request)
    return bool(relied) and signed_by_a_representative(relied, request.client_id)
