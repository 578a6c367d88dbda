"""Typed request and response bodies of the JSON API.

Inputs validate shape and size only (limits from `confide.records.validation`), reject unknown
fields, and leave domain rules to the services. Outputs mirror what the selectors return; write
endpoints answer with note metadata only (the caller already holds the text it sent).
"""

from __future__ import annotations

import datetime as dt
from uuid import UUID

from ninja import Field, Schema
from pydantic import ConfigDict, StrictInt

from confide.core.enums import Label
from confide.records.enums import CaseStatus, NoteKind, NoteStatus
from confide.records.models import Note
from confide.records.validation import MAX_NOTE_CHARS

MAX_VERSION = 2**31 - 1
MAX_LABELS = len(Label.values)
MAX_PAGE = 10_000


class InputSchema(Schema):
    """Request bodies: unknown fields are an error, not silently dropped."""

    model_config = ConfigDict(extra="forbid")


class NoteCreateIn(InputSchema):
    kind: NoteKind
    body: str = Field(max_length=MAX_NOTE_CHARS)
    labels: list[Label] = Field(default_factory=list, max_length=MAX_LABELS)
    occurred_on: dt.date | None = Field(default=None, description="Defaults to today.")


class NoteUpdateIn(InputSchema):
    body: str = Field(max_length=MAX_NOTE_CHARS, description="The full new text of the draft.")
    expected_version: StrictInt = Field(ge=1, le=MAX_VERSION)
    labels: list[Label] | None = Field(
        default=None, max_length=MAX_LABELS, description="Omit to keep the current labels."
    )


class NoteSignIn(InputSchema):
    expected_version: StrictInt = Field(ge=1, le=MAX_VERSION)


class ErrorOut(Schema):
    error: str = Field(description="A stable code, such as not_found or draft_conflict.")
    message: str
    fields: dict[str, str] | None = Field(
        default=None, description="Each invalid field and its problem (422 only)."
    )


class CaseRowOut(Schema):
    case_id: UUID
    case_number: str
    status: CaseStatus
    opened_on: dt.date
    team_name: str
    client_id: UUID
    client_name: str


class CaseloadOut(Schema):
    page: int
    page_size: int
    total: int
    items: list[CaseRowOut]


class AttachmentOut(Schema):
    id: UUID
    filename: str
    content_type: str
    size: int


class NoteSavedOut(Schema):
    """A note's metadata, as answered by create, update and sign."""

    id: UUID
    case_id: UUID
    client_id: UUID
    kind: NoteKind
    status: NoteStatus
    labels: list[Label]
    author_id: UUID
    occurred_on: dt.date
    signed_at: dt.datetime | None
    version: int
    addendum_to: UUID | None


class NoteOut(NoteSavedOut):
    """A note with its text, as the note selectors reveal it."""

    body: str
    author_name: str
    attachments: list[AttachmentOut]


class ClientOut(Schema):
    id: UUID
    legal_name: str
    preferred_name: str
    date_of_birth: dt.date
    phone: str
    email: str
    address: str
    identifiers: dict[str, str]
    cases: list[CaseRowOut]
    notes: list[NoteOut]
    demographics_only: bool = Field(
        default=False, description="Identity only (intake): no cases or notes."
    )
    address_withheld: str | None = Field(
        default=None, description="Why the address is empty, when it is withheld."
    )
    withheld_notes: int = Field(
        default=0, description="Notes withheld for a reason that can be told (see next)."
    )
    withheld_reason: str | None = Field(default=None, description="What to do about it.")
    grant_kind: str | None = Field(
        default=None, description="break_glass or privacy_review when access rests on a grant."
    )


def note_saved(note: Note) -> NoteSavedOut:
    """Metadata of a note a service has just written (no decryption, no extra read)."""
    return NoteSavedOut(
        id=note.id,
        case_id=note.case_id,
        client_id=note.client_id,
        kind=NoteKind(note.kind),
        status=NoteStatus(note.status),
        labels=[Label(label) for label in note.labels],
        author_id=note.author_id,
        occurred_on=note.occurred_on,
        signed_at=note.signed_at,
        version=note.version,
        addendum_to=note.addendum_to_id,
    )
