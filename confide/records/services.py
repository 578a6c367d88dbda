"""The only writers of the case record. Each service is one transaction with its ledger event."""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from dataclasses import dataclass
from uuid import UUID

from django.db import transaction
from django.db.models.functions import Length

from confide.access.lookups import get_authorized
from confide.access.policy import Action
from confide.accounts.models import Agency, Team
from confide.core import clock
from confide.core.actor import Actor
from confide.core.enums import Label, Role
from confide.core.errors import NotPermitted, ValidationFailed
from confide.core.ids import parse_id
from confide.crypto.envelope import DataKey, client_key, create_client_key
from confide.ledger import services as ledger
from confide.ledger.enums import EventType
from confide.records import files, indexes
from confide.records.enums import NoteKind, NoteStatus
from confide.records.errors import DraftConflict, NoteAlreadySigned, NoteNotSigned
from confide.records.models import Attachment, Case, Client, Note
from confide.records.validation import (
    MAX_ADDRESS,
    MAX_EMAIL,
    MAX_IDENTIFIERS,
    MAX_NAME,
    MAX_NOTE_CHARS,
    MAX_PHONE,
    Problems,
)

EARLIEST_BIRTH = dt.date(1900, 1, 1)
EARLIEST_NOTE = dt.date(1970, 1, 1)


@dataclass(frozen=True)
class ClientInput:
    legal_name: str
    preferred_name: str
    date_of_birth: dt.date
    phone: str = ""
    email: str = ""
    address: str = ""
    identifiers: dict[str, str] | None = None


def _clean_client(data: ClientInput) -> ClientInput:
    p = Problems()
    cleaned = _client_fields(p, data)
    p.raise_if_any()
    return cleaned


def _client_fields(p: Problems, data: ClientInput) -> ClientInput:
    """Checks every field of `data`, collecting problems in `p` (the caller raises once)."""
    identifiers = data.identifiers or {}
    if len(identifiers) > MAX_IDENTIFIERS or not all(
        isinstance(k, str) and isinstance(v, str) and len(k) <= 40 and len(v) <= 100
        for k, v in identifiers.items()
    ):
        p.fields["identifiers"] = f"at most {MAX_IDENTIFIERS} short text pairs"
    legal = p.text("legal_name", data.legal_name, limit=MAX_NAME)
    preferred = p.text("preferred_name", data.preferred_name, limit=MAX_NAME, required=False)
    cleaned = ClientInput(
        legal_name=legal,
        preferred_name=preferred or legal,
        date_of_birth=p.past_date("date_of_birth", data.date_of_birth, earliest=EARLIEST_BIRTH),
        phone=p.text("phone", data.phone, limit=MAX_PHONE, required=False),
        email=p.text("email", data.email, limit=MAX_EMAIL, required=False),
        address=p.text("address", data.address, limit=MAX_ADDRESS, required=False),
        identifiers=identifiers,
    )
    return cleaned


def _encrypt_client(client: Client, key: DataKey, data: ClientInput) -> None:
    def enc(column: str, text: str) -> bytes:
        return key.encrypt_text(f"records_client.{column}", client.id, text)

    client.legal_name_enc = enc("legal_name", data.legal_name)
    client.preferred_name_enc = enc("preferred_name", data.preferred_name)
    client.date_of_birth_enc = enc("date_of_birth", data.date_of_birth.isoformat())
    client.phone_enc = enc("phone", data.phone)
    client.email_enc = enc("email", data.email)
    client.address_enc = enc("address", data.address)
    client.identifiers_enc = enc("identifiers", json.dumps(data.identifiers or {}))


def _index_client(client: Client, data: ClientInput) -> None:
    values = indexes.client_values(
        legal_name=data.legal_name,
        date_of_birth=data.date_of_birth,
        phone=data.phone,
        identifiers=data.identifiers or {},
    )
    indexes.index_client(client, values)


@transaction.atomic
def client_create(*, actor: Actor | None, agency: Agency, data: ClientInput) -> Client:
    """Write a client with a fresh data key (no case, no check of who calls).

    A building block: staff register a client through `client_register`, which checks the
    caller and opens the first case in the same transaction; the demo loader and the tests call
    this directly. Writes records:client:created. Raises ValidationFailed naming every bad field.
    """
    cleaned = _clean_client(data)
    client = Client(id=uuid.uuid4(), agency=agency)
    key = create_client_key(client_id=client.id, agency_id=agency.id)
    _encrypt_client(client, key, cleaned)
    client.save(force_insert=True)
    _index_client(client, cleaned)
    ledger.record(
        actor=actor,
        event_type=EventType.CLIENT_CREATED,
        agency_id=agency.id,
        subject_type="client",
        subject_id=client.id,
        client_id=client.id,
    )
    return client


@transaction.atomic
def case_create(
    *, actor: Actor | None, client: Client, team: Team, case_number: str, opened_on: dt.date
) -> Case:
    """Open an episode of service for a client, assigned to a care team of the same agency.

    A building block like `client_create` (no check of who calls; the caller chooses the
    number). Writes records:case:created. Raises ValidationFailed.
    """
    p = Problems()
    number = p.text("case_number", case_number, limit=32)
    if team.agency_id != client.agency_id:
        p.fields["team"] = "must belong to the client's agency"
    p.raise_if_any()
    case = Case.objects.create(
        agency_id=client.agency_id,
        client=client,
        program_id=team.program_id,
        team=team,
        case_number=number,
        opened_on=opened_on,
    )
    ledger.record(
        actor=actor,
        event_type=EventType.CASE_CREATED,
        agency_id=client.agency_id,
        subject_type="case",
        subject_id=case.id,
        client_id=client.id,
    )
    return case


REGISTERING_ROLES = frozenset({Role.INTAKE, Role.PRACTITIONER, Role.SUPERVISOR})
CASE_NUMBER_DIGITS = 5


@transaction.atomic
def client_register(
    *,
    actor: Actor,
    data: ClientInput,
    team_id: UUID | str,
    opened_on: dt.date | None = None,
) -> tuple[Client, Case]:
    """Register a client and open their first case on one of the agency's teams.

    For intake, practitioners and supervisors (NotPermitted for anyone else: administrators and
    privacy officers see no client content). `opened_on` is the agency's today unless given, and
    never in the future. The case number is the agency's next (`next_case_number`), taken under
    a lock on the agency's row, so two registrations at once get two consecutive numbers.

    Registration never looks for an existing client with the same name and date of birth, and
    its answer is the same either way: a conflict wall may hide that client from this caller,
    and registration must not tell them it exists. Intake searches first (the search shows only
    the clients the caller may see); merging duplicates is a known follow-up.

    Writes records:client:created and records:case:created (by `client_create` and
    `case_create`, in this transaction). Raises NotPermitted, ValidationFailed naming every bad
    field (a team id that is not one of the caller's agency's teams is a bad `team`).
    """
    if actor.role not in REGISTERING_ROLES:
        raise NotPermitted("Intake staff, practitioners and supervisors register clients.")
    p = Problems()
    cleaned = _client_fields(p, data)
    parsed = parse_id(team_id)
    team = (
        None
        if parsed is None
        else Team.objects.filter(id=parsed, agency_id=actor.agency_id).first()
    )
    if team is None:
        p.fields["team"] = "must be one of the agency's teams"
    day = p.past_date("opened_on", opened_on or clock.today(), earliest=EARLIEST_NOTE)
    dates_valid = not {"opened_on", "date_of_birth"} & p.fields.keys()
    if dates_valid and day < cleaned.date_of_birth:
        p.fields["opened_on"] = "cannot be before the date of birth"
    if team is None or p.fields:
        raise ValidationFailed(p.fields)
    # One registration at a time per agency, until commit: the next number is then free.
    agency = Agency.objects.select_for_update().get(id=actor.agency_id)
    number = next_case_number(agency)
    client = client_create(actor=actor, agency=agency, data=cleaned)
    case = case_create(actor=actor, client=client, team=team, case_number=number, opened_on=day)
    return client, case


def next_case_number(agency: Agency) -> str:
    """One more than the agency's highest case number of its own form (PREFIX-00001, ...).

    Numbers of another form (a prefix the agency no longer uses, numbers typed in elsewhere) are
    left alone. The caller holds the agency's row lock, or two callers may compute the same
    number (the unique constraint on (agency, case_number) then refuses the second).
    """
    head = f"{agency.case_number_prefix}-" if agency.case_number_prefix else ""
    digits = CASE_NUMBER_DIGITS
    # Only canonical numbers (zero-padded to 5 digits, unpadded beyond), so that the longest,
    # then the greatest, string is the greatest number.
    pattern = rf"^{re.escape(head)}([0-9]{{{digits}}}|[1-9][0-9]{{{digits},}})$"
    last = (
        Case.objects.filter(agency=agency, case_number__regex=pattern)
        .annotate(width=Length("case_number"))
        .order_by("-width", "-case_number")
        .values_list("case_number", flat=True)
        .first()
    )
    following = int(last[len(head) :]) + 1 if last else 1
    return f"{head}{following:0{digits}d}"


def _clean_note(
    p: Problems, kind: str, body: str, labels: list[str]
) -> tuple[NoteKind, str, list[str]]:
    """Checks kind, body and labels, collecting problems in `p` (the caller raises once)."""
    if kind not in NoteKind.values:
        p.fields["kind"] = f"must be one of {', '.join(NoteKind.values)}"
    text = p.text("body", body, limit=MAX_NOTE_CHARS, required=False)
    clean_labels = p.labels("labels", labels)
    note_kind = NoteKind(kind) if kind in NoteKind.values else NoteKind.PROGRESS
    if note_kind == NoteKind.PSYCHOTHERAPY:
        clean_labels = sorted({*clean_labels, Label.PSYCHOTHERAPY.value})
    elif Label.PSYCHOTHERAPY.value in clean_labels:
        p.fields["labels"] = "psychotherapy notes are their own kind of note"
    return note_kind, text, clean_labels


def _note_purpose() -> str:
    return "records_note.body"


@transaction.atomic
def note_create(
    *,
    actor: Actor,
    case_id: UUID | str,
    kind: str,
    body: str,
    labels: list[str],
    occurred_on: dt.date | None = None,
    addendum_to: Note | None = None,
) -> Note:
    """Start a draft note on a case (or an addendum to a signed note of that case).

    Needs records:note:create on the case. Writes records:note:created. Raises NotFound,
    ValidationFailed.
    """
    case, decision = get_authorized(actor, Case, case_id, Action.NOTE_CREATE)
    p = Problems()
    note_kind, text, clean_labels = _clean_note(p, kind, body, labels)
    day = p.past_date("occurred_on", occurred_on or clock.today(), earliest=EARLIEST_NOTE)
    if addendum_to is not None and (
        addendum_to.case_id != case.id or addendum_to.status != NoteStatus.SIGNED
    ):
        p.fields["addendum_to"] = "must be a signed note of the same case"
    p.raise_if_any()
    note = Note(
        id=uuid.uuid4(),
        agency_id=case.agency_id,
        client_id=case.client_id,
        case=case,
        author_id=actor.user_id,
        kind=note_kind,
        labels=clean_labels,
        occurred_on=day,
        addendum_to=addendum_to,
    )
    note.body_enc = client_key(case.client_id).encrypt_text(_note_purpose(), note.id, text)
    note.save(force_insert=True)
    ledger.record(
        actor=actor,
        event_type=EventType.NOTE_CREATED,
        subject_type="note",
        subject_id=note.id,
        client_id=case.client_id,
        policy_ids=decision.policy_ids,
        details={
            "kind": note_kind.value,
            "labels": clean_labels,
            "addendum_to": str(addendum_to.id) if addendum_to else None,
        },
    )
    return note


@transaction.atomic
def note_update_draft(
    *,
    actor: Actor,
    note_id: UUID | str,
    body: str,
    expected_version: int,
    labels: list[str] | None = None,
) -> Note:
    """Save a new text of a draft (autosave or explicit).

    Needs records:note:edit. Writes records:note:updated. Raises NotFound, NoteAlreadySigned,
    DraftConflict (someone saved since `expected_version`; nothing is overwritten),
    ValidationFailed.
    """
    note, decision = get_authorized(actor, Note, note_id, Action.NOTE_EDIT, lock=True)
    if note.status != NoteStatus.DRAFT:
        raise NoteAlreadySigned()
    if note.version != expected_version:
        raise DraftConflict()
    p = Problems()
    _, text, clean_labels = _clean_note(
        p, note.kind, body, note.labels if labels is None else labels
    )
    p.raise_if_any()
    note.body_enc = client_key(note.client_id).encrypt_text(_note_purpose(), note.id, text)
    note.labels = clean_labels
    note.version += 1
    note.save(update_fields=["body_enc", "labels", "version", "updated_at"])
    ledger.record(
        actor=actor,
        event_type=EventType.NOTE_UPDATED,
        subject_type="note",
        subject_id=note.id,
        client_id=note.client_id,
        policy_ids=decision.policy_ids,
        details={"version": note.version},
    )
    return note


@transaction.atomic
def note_sign(*, actor: Actor, note_id: UUID | str, expected_version: int) -> Note:
    """Sign a draft: from now on it is immutable.

    Needs records:note:sign (the author). Writes records:note:signed. Raises NotFound,
    NotPermitted, NoteAlreadySigned, DraftConflict, ValidationFailed (empty note).
    """
    note, decision = get_authorized(actor, Note, note_id, Action.NOTE_SIGN, lock=True)
    if note.status != NoteStatus.DRAFT:
        raise NoteAlreadySigned()
    if note.version != expected_version:
        raise DraftConflict()
    body = client_key(note.client_id).decrypt_text(_note_purpose(), note.id, note.body_enc)
    if not body.strip():
        raise ValidationFailed({"body": "an empty note cannot be signed"})
    note.status = NoteStatus.SIGNED
    note.signed_at = clock.now()
    note.version += 1
    note.save(update_fields=["status", "signed_at", "version", "updated_at"])
    ledger.record(
        actor=actor,
        event_type=EventType.NOTE_SIGNED,
        subject_type="note",
        subject_id=note.id,
        client_id=note.client_id,
        policy_ids=decision.policy_ids,
    )
    return note


@transaction.atomic
def note_add_addendum(*, actor: Actor, note_id: UUID | str, body: str) -> Note:
    """Start a draft addendum that corrects a signed note (the original never changes).

    Needs records:note:addendum. Writes records:note:created. Raises NotFound, NoteNotSigned,
    ValidationFailed.
    """
    original, _ = get_authorized(actor, Note, note_id, Action.NOTE_ADDENDUM)
    if original.status != NoteStatus.SIGNED:
        raise NoteNotSigned()
    addendum = note_create(
        actor=actor,
        case_id=original.case_id,
        kind=original.kind,
        body=body,
        labels=list(original.labels),
        addendum_to=original,
    )
    return addendum


@transaction.atomic
def attachment_create(
    *,
    actor: Actor,
    note_id: UUID | str,
    filename: str,
    content_type: str,
    data: bytes,
) -> Attachment:
    """Attach a file to a draft note (stored encrypted; type checked against its content).

    A file has no sensitivity of its own: it is part of its note, and every decision about it
    (`attachment:view`, `attachment:create`) is made on the note, labels included. Its `labels`
    record the note's when it was attached. A signed note is immutable, attachments included:
    attach to an addendum instead.
    Needs records:attachment:create on the note. Writes records:attachment:created. Raises
    NotFound, NoteAlreadySigned, ValidationFailed (size, type, name).
    """
    note, decision = get_authorized(actor, Note, note_id, Action.ATTACHMENT_CREATE)
    if note.status != NoteStatus.DRAFT:
        raise NoteAlreadySigned()
    p = Problems()
    name = p.text("filename", filename, limit=200)
    files.check_upload(p, content_type=content_type, data=data)
    p.raise_if_any()
    attachment = Attachment(
        id=uuid.uuid4(),
        agency_id=note.agency_id,
        client_id=note.client_id,
        note=note,
        uploaded_by_id=actor.user_id,
        content_type=content_type,
        size=len(data),
        labels=sorted(note.labels),
    )
    key = client_key(note.client_id)
    attachment.filename_enc = key.encrypt_text("records_attachment.filename", attachment.id, name)
    files.store(attachment, key.encrypt("records_attachment.blob", attachment.id, data))
    try:
        attachment.save(force_insert=True)
        _record_attachment(actor, attachment, decision.policy_ids)
    except BaseException:
        files.remove(attachment)  # no row, no file
        raise
    transaction.on_commit(lambda: files.promote(attachment))
    return attachment


def _record_attachment(actor: Actor, attachment: Attachment, policy_ids: tuple[str, ...]) -> None:
    ledger.record(
        actor=actor,
        event_type=EventType.ATTACHMENT_CREATED,
        subject_type="attachment",
        subject_id=attachment.id,
        client_id=attachment.client_id,
        policy_ids=policy_ids,
        details={"size": attachment.size},
    )
