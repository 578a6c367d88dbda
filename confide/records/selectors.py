"""The only readers of confidential record rows. Each asks `access`, decrypts, and writes the
ledger event of what it revealed, in one transaction."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from uuid import UUID

from django.db import transaction

from confide.access.lookups import get_authorized
from confide.access.policy import (
    Action,
    authorize,
    case_prefilter,
    client_prefilter,
    note_prefilter,
)
from confide.core.actor import Actor
from confide.core.errors import NotFound, NotPermitted
from confide.crypto.envelope import DataKey, DecryptionFailed, client_key
from confide.ledger import services as ledger
from confide.ledger.enums import EventType
from confide.records import files
from confide.records.errors import RecordUnreadable
from confide.records.models import Attachment, Case, Client, Note
from confide.records.services import name_dob_index
from confide.records.validation import MAX_NAME

CASELOAD_PAGE = 50


@dataclass(frozen=True)
class CaseRow:
    case_id: UUID
    case_number: str
    status: str
    opened_on: dt.date
    team_name: str
    client_id: UUID
    client_name: str


@dataclass(frozen=True)
class NoteView:
    id: UUID
    case_id: UUID
    client_id: UUID
    kind: str
    status: str
    labels: list[str]
    body: str
    author_id: UUID
    author_name: str
    occurred_on: dt.date
    signed_at: dt.datetime | None
    version: int
    addendum_to: UUID | None
    attachments: list[AttachmentView]


@dataclass(frozen=True)
class AttachmentView:
    id: UUID
    filename: str
    content_type: str
    size: int


@dataclass(frozen=True)
class ClientView:
    id: UUID
    legal_name: str
    preferred_name: str
    date_of_birth: dt.date
    phone: str
    email: str
    address: str
    identifiers: dict[str, str]
    cases: list[CaseRow]
    notes: list[NoteView]


@dataclass(frozen=True)
class ClientSummary:
    id: UUID
    preferred_name: str
    legal_name: str
    date_of_birth: dt.date


def _key(client_id: UUID) -> DataKey:
    try:
        return client_key(client_id)
    except DecryptionFailed:
        raise RecordUnreadable() from None


def _field(key: DataKey, client: Client, column: str) -> str:
    blob = getattr(client, f"{column}_enc")
    try:
        return key.decrypt_text(f"records_client.{column}", client.id, blob)
    except DecryptionFailed:
        raise RecordUnreadable() from None


def _note_body(key: DataKey, note: Note) -> str:
    try:
        return key.decrypt_text("records_note.body", note.id, note.body_enc)
    except DecryptionFailed:
        raise RecordUnreadable() from None


def _attachment_views(key: DataKey, note: Note) -> list[AttachmentView]:
    return [
        AttachmentView(
            a.id,
            key.decrypt_text("records_attachment.filename", a.id, a.filename_enc),
            a.content_type,
            a.size,
        )
        for a in note.attachments.all()
    ]


def _note_view(key: DataKey, note: Note) -> NoteView:
    return NoteView(
        id=note.id,
        case_id=note.case_id,
        client_id=note.client_id,
        kind=note.kind,
        status=note.status,
        labels=list(note.labels),
        body=_note_body(key, note),
        author_id=note.author_id,
        author_name=note.author.display_name,
        occurred_on=note.occurred_on,
        signed_at=note.signed_at,
        version=note.version,
        addendum_to=note.addendum_to_id,
        attachments=_attachment_views(key, note),
    )


def _case_rows(actor: Actor, cases: list[Case], names: dict[UUID, str]) -> list[CaseRow]:
    return [
        CaseRow(
            c.id, c.case_number, c.status, c.opened_on, c.team.name, c.client_id, names[c.client_id]
        )
        for c in cases
    ]


@transaction.atomic
def caseload_list(*, actor: Actor, page: int = 1) -> tuple[list[CaseRow], int]:
    """The actor's open and closed cases, one page, with client names; and the total count.

    Writes records:client:viewed once for the page, with the client ids shown.
    """
    query = (
        case_prefilter(actor)
        .select_related("team", "client")
        .order_by("status", "-opened_on", "id")
    )
    total = query.count()
    start = max(page - 1, 0) * CASELOAD_PAGE
    cases = [
        c
        for c in query[start : start + CASELOAD_PAGE]
        if authorize(actor, Action.CLIENT_VIEW, c).allowed
    ]
    names = {c.client_id: _field(_key(c.client_id), c.client, "preferred_name") for c in cases}
    if cases:
        ledger.record(
            actor=actor,
            event_type=EventType.CLIENT_VIEWED,
            subject_type="caseload",
            details={"clients": sorted(str(i) for i in names), "fields": "name"},
            policy_ids=(f"care_team.{actor.role.value}",),
        )
    return _case_rows(actor, cases, names), total


@transaction.atomic
def client_search(*, actor: Actor, legal_name: str, date_of_birth: dt.date) -> list[ClientSummary]:
    """Exact legal name + date of birth among the clients the actor may see.

    The blind index narrows candidates; decryption removes false positives. Writes
    records:client:searched with the number of matches (never the query).
    """
    if not legal_name.strip() or len(legal_name) > MAX_NAME:
        return []
    index = name_dob_index(actor.agency_id, legal_name, date_of_birth)
    candidates = client_prefilter(actor).filter(name_dob_index=index)
    wanted = " ".join(legal_name.casefold().split())
    found: list[ClientSummary] = []
    for client in candidates:
        if not authorize(actor, Action.CLIENT_SEARCH, client).allowed:
            continue
        key = _key(client.id)
        name, dob = _field(key, client, "legal_name"), _field(key, client, "date_of_birth")
        if " ".join(name.casefold().split()) == wanted and dob == date_of_birth.isoformat():
            found.append(
                ClientSummary(client.id, _field(key, client, "preferred_name"), name, date_of_birth)
            )
    ledger.record(
        actor=actor,
        event_type=EventType.CLIENT_SEARCHED,
        details={"matches": len(found), "clients": [str(c.id) for c in found]},
    )
    return found


@transaction.atomic
def client_get(*, actor: Actor, client_id: UUID | str) -> ClientView:
    """A client's record: identity, cases, and the notes timeline the actor may see.

    Needs records:client:view. Writes records:client:viewed naming the notes shown. Raises
    NotFound (also when not allowed), RecordUnreadable.
    """
    client, decision = get_authorized(actor, Client, client_id, Action.CLIENT_VIEW)
    key = _key(client.id)
    cases = list(client.cases.select_related("team").order_by("-opened_on"))
    notes = list(
        note_prefilter(actor, client)
        .select_related("author")
        .prefetch_related("attachments")
        .order_by("-occurred_on", "-created_at")
    )
    notes = [
        n for n in notes if authorize(actor, Action.NOTE_VIEW, _with_client(n, client)).allowed
    ]
    view = ClientView(
        id=client.id,
        legal_name=_field(key, client, "legal_name"),
        preferred_name=_field(key, client, "preferred_name"),
        date_of_birth=dt.date.fromisoformat(_field(key, client, "date_of_birth")),
        phone=_field(key, client, "phone"),
        email=_field(key, client, "email"),
        address=_field(key, client, "address"),
        identifiers=json.loads(_field(key, client, "identifiers")),
        cases=_case_rows(actor, cases, {client.id: _field(key, client, "preferred_name")}),
        notes=[_note_view(key, n) for n in notes],
    )
    ledger.record(
        actor=actor,
        event_type=EventType.CLIENT_VIEWED,
        subject_type="client",
        subject_id=client.id,
        client_id=client.id,
        policy_ids=decision.policy_ids,
        details={"notes": [str(n.id) for n in notes]},
    )
    return view


def _with_client(note: Note, client: Client) -> Note:
    note.client = client  # the row is already loaded; spare a query per note
    return note


@transaction.atomic
def note_get(*, actor: Actor, note_id: UUID | str) -> NoteView:
    """One note with its text. Needs records:note:view. Writes records:note:viewed."""
    note, decision = get_authorized(actor, Note, note_id, Action.NOTE_VIEW)
    view = _note_view(_key(note.client_id), note)
    ledger.record(
        actor=actor,
        event_type=EventType.NOTE_VIEWED,
        subject_type="note",
        subject_id=note.id,
        client_id=note.client_id,
        policy_ids=decision.policy_ids,
    )
    return view


@transaction.atomic
def attachment_download(*, actor: Actor, attachment_id: UUID | str) -> tuple[AttachmentView, bytes]:
    """An attachment's name, type and decrypted bytes. Needs records:attachment:view on its
    note. Writes records:attachment:downloaded. Raises NotFound, RecordUnreadable."""
    try:
        parsed = UUID(str(attachment_id))
    except ValueError:
        raise NotFound("attachment") from None
    row = Attachment.objects.filter(id=parsed, agency_id=actor.agency_id).first()
    if row is None or row.note_id is None:
        raise NotFound("attachment")
    try:
        _, decision = get_authorized(actor, Note, row.note_id, Action.ATTACHMENT_VIEW)
    except (NotFound, NotPermitted):
        raise NotFound("attachment") from None
    key = _key(row.client_id)
    try:
        name = key.decrypt_text("records_attachment.filename", row.id, row.filename_enc)
        data = key.decrypt("records_attachment.blob", row.id, files.load(row))
    except (DecryptionFailed, FileNotFoundError):
        raise RecordUnreadable() from None
    ledger.record(
        actor=actor,
        event_type=EventType.ATTACHMENT_DOWNLOADED,
        subject_type="attachment",
        subject_id=row.id,
        client_id=row.client_id,
        policy_ids=decision.policy_ids,
    )
    return AttachmentView(row.id, name, row.content_type, row.size), data
