"""The only readers of confidential record rows. Each asks `access`, decrypts, and writes the
ledger event of what it revealed, in one transaction."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.db import transaction
from django.db.models import Case as DbCase
from django.db.models import Exists, OuterRef, QuerySet, Value, When, prefetch_related_objects

from confide.access.facts import client_grants
from confide.access.lookups import get_authorized
from confide.access.models import GrantKind
from confide.access.policy import (
    Action,
    Decision,
    authorize,
    authorize_many,
    case_prefilter,
    client_prefilter,
    deny_reason,
    note_prefilter,
)
from confide.core.actor import Actor
from confide.core.errors import NotFound, NotPermitted
from confide.core.ids import parse_id
from confide.crypto.blind_index import IDENTIFIER, NAME_DOB, PHONE_LAST4, normalize
from confide.crypto.envelope import DataKey, DecryptionFailed, client_key, client_keys
from confide.crypto.models import BlindIndexRow
from confide.ledger import services as ledger
from confide.ledger.enums import EventType
from confide.ledger.services import DetailValue
from confide.records import files, indexes
from confide.records.enums import CaseStatus, NoteStatus
from confide.records.errors import RecordUnreadable
from confide.records.models import Attachment, Case, Client, Note
from confide.records.validation import MAX_NAME

CASELOAD_PAGE = 50
# The annotation on a timeline's notes saying whether each has attachments.
HAS_FILES = "has_files"


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
    # What the reader may do with it (`note_get` decides; elsewhere nothing is offered), so a
    # page offers only controls that will work: a colleague's draft read under an emergency
    # grant is shown, not handed an editor whose every save is refused.
    may_edit: bool = False
    may_attach: bool = False
    may_add_addendum: bool = False


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
    demographics_only: bool = False
    address_withheld: str | None = None
    withheld_notes: int = 0
    withheld_reason: str | None = None
    grant_kind: str | None = None


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


def _note_view(key: DataKey, note: Note, *, show_attachments: bool = True) -> NoteView:
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
        attachments=_attachment_views(key, note) if show_attachments else [],
    )


def _has_files(note: Note) -> bool:
    """Whether the note has attachments: from the `has_files` flag where the note's query
    carried it (see `_visible_notes`), else by reading them."""
    flag = getattr(note, HAS_FILES, None)
    return bool(note.attachments.all()) if flag is None else bool(flag)


def _attachments_visible(actor: Actor, notes: list[Note]) -> set[UUID]:
    """Notes whose attachments the actor may see (their names are confidential too)."""
    with_files = [n for n in notes if _has_files(n)]
    decisions = authorize_many(actor, Action.ATTACHMENT_VIEW, with_files)
    return {n.id for n, d in zip(with_files, decisions, strict=True) if d.allowed}


def _case_rows(actor: Actor, cases: list[Case], names: dict[UUID, str]) -> list[CaseRow]:
    return [
        CaseRow(
            c.id, c.case_number, c.status, c.opened_on, c.team.name, c.client_id, names[c.client_id]
        )
        for c in cases
    ]


# Open cases first, then closed ones; each newest first.
CASELOAD_ORDER = (
    DbCase(When(status=CaseStatus.OPEN, then=Value(0)), default=Value(1)),
    "-opened_on",
    "id",
)


@transaction.atomic
def caseload_list(*, actor: Actor, page: int = 1) -> tuple[list[CaseRow], int]:
    """The actor's open and closed cases, one page, with client names; and the total count.

    One batch decision for the page. Writes records:client:viewed once for the page, with the
    client ids shown and the deciding policy ids.
    """
    query = case_prefilter(actor).select_related("team", "client").order_by(*CASELOAD_ORDER)
    total = query.count()
    start = max(page - 1, 0) * CASELOAD_PAGE
    rows = list(query[start : start + CASELOAD_PAGE])
    decisions = authorize_many(actor, Action.CLIENT_VIEW, rows)
    cases = [c for c, d in zip(rows, decisions, strict=True) if d.allowed]
    names = {c.client_id: _field(_key(c.client_id), c.client, "preferred_name") for c in cases}
    if cases:
        ledger.record(
            actor=actor,
            event_type=EventType.CLIENT_VIEWED,
            subject_type="caseload",
            details={"clients": sorted(str(i) for i in names), "fields": "name"},
            policy_ids=_policy_ids(d for d in decisions if d.allowed),
        )
    return _case_rows(actor, cases, names), total


def _policy_ids(decisions: Iterable[Decision]) -> tuple[str, ...]:
    return tuple(sorted({pid for d in decisions for pid in d.policy_ids}))


Matcher = Callable[[DataKey, Client], bool]


def _search(
    actor: Actor, candidate_ids: QuerySet[BlindIndexRow, Any], index_name: str, matches: Matcher
) -> list[ClientSummary]:
    """Candidates from a blind index among the clients the actor may find (the prefilter is
    exact for client-level rules), narrowed by decryption to those that really match (the
    truncated index has planned false positives), then one batch decision before anything is
    revealed. Decrypted candidate values are only compared, never returned or logged. Writes
    records:client:searched with the index and the matches (never the query)."""
    candidates = list(
        client_prefilter(actor, Action.CLIENT_SEARCH)
        .filter(id__in=candidate_ids)
        .order_by("created_at", "id")
    )
    keys = client_keys(c.id for c in candidates)
    matched: list[tuple[Client, DataKey]] = []
    for client in candidates:
        key = keys.get(client.id)
        if key is None:
            continue  # shredded or unreadable: never a match
        try:
            if matches(key, client):
                matched.append((client, key))
        except DecryptionFailed:
            continue
    decisions = authorize_many(actor, Action.CLIENT_SEARCH, [c for c, _ in matched])
    found = [
        _summary(key, client)
        for (client, key), decision in zip(matched, decisions, strict=True)
        if decision.allowed
    ]
    ledger.record(
        actor=actor,
        event_type=EventType.CLIENT_SEARCHED,
        details={"index": index_name, "matches": len(found), "clients": [str(c.id) for c in found]},
        policy_ids=_policy_ids(d for d in decisions if d.allowed),
    )
    return found


def _text(key: DataKey, client: Client, column: str) -> str:
    return key.decrypt_text(f"records_client.{column}", client.id, getattr(client, f"{column}_enc"))


def _summary(key: DataKey, client: Client) -> ClientSummary:
    return ClientSummary(
        client.id,
        _text(key, client, "preferred_name"),
        _text(key, client, "legal_name"),
        dt.date.fromisoformat(_text(key, client, "date_of_birth")),
    )


@transaction.atomic
def client_search(*, actor: Actor, legal_name: str, date_of_birth: dt.date) -> list[ClientSummary]:
    """Exact legal name + date of birth among the clients the actor may see.

    The blind index narrows candidates; decryption removes false positives. Writes
    records:client:searched with the number of matches (never the query).
    """
    if not legal_name.strip() or len(legal_name) > MAX_NAME:
        return []
    wanted = normalize(legal_name)

    def matches(key: DataKey, client: Client) -> bool:
        return (
            normalize(_text(key, client, "legal_name")) == wanted
            and _text(key, client, "date_of_birth") == date_of_birth.isoformat()
        )

    ids = indexes.name_dob_candidates(actor.agency_id, legal_name, date_of_birth)
    return _search(actor, ids, NAME_DOB, matches)


@transaction.atomic
def client_search_phone(*, actor: Actor, last_four: str) -> list[ClientSummary]:
    """Clients whose phone number ends in these four digits, among those the actor may see.

    Writes records:client:searched. Bad input (not exactly four digits) finds nothing.
    """
    if not (isinstance(last_four, str) and len(last_four) == 4 and last_four.isascii()):
        return []
    if not last_four.isdigit():
        return []

    def matches(key: DataKey, client: Client) -> bool:
        return indexes.last_four_digits(_text(key, client, "phone")) == last_four

    ids = indexes.phone_last4_candidates(actor.agency_id, last_four)
    return _search(actor, ids, PHONE_LAST4, matches)


@transaction.atomic
def client_search_identifier(*, actor: Actor, kind: str, value: str) -> list[ClientSummary]:
    """Clients holding this identifier exactly (an external case number, a Medicaid number),
    among those the actor may see. Writes records:client:searched. Bad input finds nothing."""
    if not (kind.strip() and value.strip()) or len(kind) > 40 or len(value) > 100:
        return []
    wanted = (normalize(kind), normalize(value))

    def matches(key: DataKey, client: Client) -> bool:
        held = json.loads(_text(key, client, "identifiers"))
        return any((normalize(k), normalize(v)) == wanted for k, v in held.items())

    ids = indexes.identifier_candidates(actor.agency_id, kind, value)
    return _search(actor, ids, IDENTIFIER, matches)


@transaction.atomic
def client_get(*, actor: Actor, client_id: UUID | str) -> ClientView:
    """A client's record: identity, cases, and the notes timeline the actor may see.

    Needs client:view (or client:view_demographics, which shows identity only). The address
    needs client:view_location. Writes records:client:viewed naming the notes shown, the
    deciding policy ids, and the grant used if any. Raises NotFound (also when not allowed),
    RecordUnreadable.
    """
    client, decision = _client_for_view(actor, client_id)
    demographics_only = "intake.demographics" in decision.policy_ids
    key = _key(client.id)
    location = authorize(actor, Action.CLIENT_VIEW_LOCATION, client)
    notes, decisions, withheld = _visible_notes(actor, client, skip=demographics_only)
    grant = _grant_used(actor, client, decision)
    files_ok = _attachments_visible(actor, notes)
    view = ClientView(
        id=client.id,
        legal_name=_field(key, client, "legal_name"),
        preferred_name=_field(key, client, "preferred_name"),
        date_of_birth=dt.date.fromisoformat(_field(key, client, "date_of_birth")),
        phone=_field(key, client, "phone"),
        email=_field(key, client, "email"),
        address=_field(key, client, "address") if location.allowed else "",
        identifiers=json.loads(_field(key, client, "identifiers")),
        cases=[] if demographics_only else _client_cases(actor, client, key),
        notes=[_note_view(key, n, show_attachments=n.id in files_ok) for n in notes],
        demographics_only=demographics_only,
        address_withheld=None if location.allowed else (deny_reason(location) or "Withheld."),
        withheld_notes=len(withheld),
        withheld_reason=_first_reason(withheld),
        grant_kind=grant[0] if grant else None,
    )
    details: dict[str, DetailValue] = {"notes": [str(n.id) for n in notes]}
    if grant:
        details["grant"] = str(grant[1])
    ledger.record(
        actor=actor,
        event_type=EventType.CLIENT_VIEWED,
        subject_type="client",
        subject_id=client.id,
        client_id=client.id,
        policy_ids=_policy_ids([decision, *decisions] + ([location] if location.allowed else [])),
        details=details,
    )
    return view


def client_opens(*, actor: Actor, client: Client) -> bool:
    """Whether `client_get` would show this client to the actor (asks the policy only; reveals
    nothing, so writes no event). Registration uses it to choose where to go next."""
    return any(
        authorize(actor, action, client).allowed
        for action in (Action.CLIENT_VIEW, Action.CLIENT_VIEW_DEMOGRAPHICS)
    )


def _client_for_view(actor: Actor, client_id: UUID | str) -> tuple[Client, Decision]:
    try:
        return get_authorized(actor, Client, client_id, Action.CLIENT_VIEW)
    except (NotFound, NotPermitted):
        return get_authorized(actor, Client, client_id, Action.CLIENT_VIEW_DEMOGRAPHICS)


def _client_cases(actor: Actor, client: Client, key: DataKey) -> list[CaseRow]:
    cases = list(client.cases.select_related("team").order_by("-opened_on"))
    return _case_rows(actor, cases, {client.id: _field(key, client, "preferred_name")})


def _visible_notes(
    actor: Actor, client: Client, *, skip: bool
) -> tuple[list[Note], list[Decision], list[Decision]]:
    """Notes the actor may see with their decisions, and the decisions that withheld others
    where saying why leaks nothing."""
    if skip:
        return [], [], []
    # No join to the case: the policy takes each note's program from the client's facts. Each
    # note says whether it has files, so attachments are read only for the notes that do (a
    # timeline without files, the usual one, costs no attachment query).
    notes = [
        _with_client(n, client)
        for n in note_prefilter(actor, client)
        .select_related("author")
        .annotate(**{HAS_FILES: Exists(Attachment.objects.filter(note_id=OuterRef("pk")))})
        .order_by("-occurred_on", "-created_at")
    ]
    prefetch_related_objects([n for n in notes if _has_files(n)], "attachments")
    shown, allowed, withheld = [], [], []
    for note, decision in zip(notes, authorize_many(actor, Action.NOTE_VIEW, notes), strict=True):
        if decision.allowed:
            shown.append(note)
            allowed.append(decision)
        elif deny_reason(decision):
            withheld.append(decision)
    return shown, allowed, withheld


def _first_reason(decisions: list[Decision]) -> str | None:
    return next((r for r in (deny_reason(d) for d in decisions) if r), None)


def _grant_used(actor: Actor, client: Client, decision: Decision) -> tuple[str, UUID] | None:
    """The emergency or review grant this access relies on, if it relies on one."""
    kinds = {
        "break_glass.emergency": GrantKind.BREAK_GLASS,
        "privacy.review_purpose": GrantKind.PRIVACY_REVIEW,
    }
    for policy_id, kind in kinds.items():
        if policy_id in decision.policy_ids:
            grant_id = client_grants(actor, [client]).get(client.id, {}).get(kind)
            if grant_id is not None:
                return kind.value, grant_id
    return None


def _with_client(note: Note, client: Client) -> Note:
    note.client = client  # the row is already loaded; spare a query per note
    return note


@transaction.atomic
def note_get(*, actor: Actor, note_id: UUID | str) -> NoteView:
    """One note with its text. Needs records:note:view. Writes records:note:viewed."""
    note, decision = get_authorized(actor, Note, note_id, Action.NOTE_VIEW)
    files_ok = _attachments_visible(actor, [note])
    note.case.client = note.client  # the same instance: its facts are loaded once
    signed = note.status == NoteStatus.SIGNED
    view = dataclasses.replace(
        _note_view(_key(note.client_id), note, show_attachments=note.id in files_ok),
        may_edit=not signed and authorize(actor, Action.NOTE_EDIT, note).allowed,
        may_attach=not signed and authorize(actor, Action.ATTACHMENT_CREATE, note).allowed,
        # What `note_add_addendum` asks: an addendum to this note, and a new note on its case.
        may_add_addendum=signed
        and authorize(actor, Action.NOTE_ADDENDUM, note).allowed
        and authorize(actor, Action.NOTE_CREATE, note.case).allowed,
    )
    ledger.record(
        actor=actor,
        event_type=EventType.NOTE_VIEWED,
        subject_type="note",
        subject_id=note.id,
        client_id=note.client_id,
        policy_ids=decision.policy_ids,
        details=_grant_details(actor, note.client, decision),
    )
    return view


@transaction.atomic
def attachment_download(*, actor: Actor, attachment_id: UUID | str) -> tuple[AttachmentView, bytes]:
    """An attachment's name, type and decrypted bytes. Needs records:attachment:view on its
    note. Writes records:attachment:downloaded. Raises NotFound, RecordUnreadable."""
    parsed = parse_id(attachment_id)
    row = (
        Attachment.objects.filter(id=parsed, agency_id=actor.agency_id).first() if parsed else None
    )
    if row is None or row.note_id is None:
        raise NotFound("attachment")
    try:
        note, decision = get_authorized(actor, Note, row.note_id, Action.ATTACHMENT_VIEW)
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
        details=_grant_details(actor, note.client, decision),
    )
    return AttachmentView(row.id, name, row.content_type, row.size), data


def _grant_details(actor: Actor, client: Client, decision: Decision) -> dict[str, DetailValue]:
    grant = _grant_used(actor, client, decision)
    return {"grant": str(grant[1])} if grant else {}
