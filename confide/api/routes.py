"""The record endpoints: thin calls to the same selectors and services as the web pages.

Access decisions, ledger events and domain rules all live in those selectors and services.
Path ids are taken as plain strings so that a malformed id, a forged UUID, another agency's
object and a missing one all reach the lookup and get the same 404.
"""

from __future__ import annotations

from typing import NoReturn

from django.http import HttpRequest
from ninja import P, QueryEx, Router, Status

from confide.api.auth import actor_of
from confide.api.schemas import (
    MAX_PAGE,
    CaseloadOut,
    CaseRowOut,
    ClientOut,
    ErrorOut,
    NoteCreateIn,
    NoteOut,
    NoteSavedOut,
    NoteSignIn,
    NoteUpdateIn,
    note_saved,
)
from confide.core.errors import NotFound
from confide.records import selectors, services

router = Router(tags=["records"])

READ_ERRORS: dict[int, type[ErrorOut]] = {401: ErrorOut, 404: ErrorOut, 410: ErrorOut}
WRITE_ERRORS: dict[int, type[ErrorOut]] = {
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ErrorOut,
}


@router.get("/caseload", response={200: CaseloadOut, 401: ErrorOut, 422: ErrorOut})
def caseload(request: HttpRequest, page: QueryEx[int, P(ge=1, le=MAX_PAGE)] = 1) -> CaseloadOut:
    """The caller's cases, one page at a time, with each client's preferred name."""
    rows, total = selectors.caseload_list(actor=actor_of(request), page=page)
    return CaseloadOut(
        page=page,
        page_size=selectors.CASELOAD_PAGE,
        total=total,
        items=[CaseRowOut.model_validate(row) for row in rows],
    )


@router.get("/clients/{client_id}", response={200: ClientOut, **READ_ERRORS})
def client_detail(request: HttpRequest, client_id: str) -> ClientOut:
    """A client's record: identity, cases and the notes the caller may see."""
    view = selectors.client_get(actor=actor_of(request), client_id=client_id)
    return ClientOut.model_validate(view)


@router.post("/cases/{case_id}/notes", response={201: NoteSavedOut, **WRITE_ERRORS})
def note_create(request: HttpRequest, case_id: str, payload: NoteCreateIn) -> Status[NoteSavedOut]:
    """Start a draft note on a case."""
    note = services.note_create(
        actor=actor_of(request),
        case_id=case_id,
        kind=payload.kind.value,
        body=payload.body,
        labels=[label.value for label in payload.labels],
        occurred_on=payload.occurred_on,
    )
    return Status(201, note_saved(note))


@router.get("/notes/{note_id}", response={200: NoteOut, **READ_ERRORS})
def note_detail(request: HttpRequest, note_id: str) -> NoteOut:
    """One note with its text."""
    return NoteOut.model_validate(selectors.note_get(actor=actor_of(request), note_id=note_id))


@router.patch("/notes/{note_id}", response={200: NoteSavedOut, **WRITE_ERRORS})
def note_update(request: HttpRequest, note_id: str, payload: NoteUpdateIn) -> NoteSavedOut:
    """Save a new text of a draft; 409 if someone saved since `expected_version`."""
    labels = None if payload.labels is None else [label.value for label in payload.labels]
    note = services.note_update_draft(
        actor=actor_of(request),
        note_id=note_id,
        body=payload.body,
        expected_version=payload.expected_version,
        labels=labels,
    )
    return note_saved(note)


@router.post("/notes/{note_id}/sign", response={200: NoteSavedOut, **WRITE_ERRORS})
def note_sign(request: HttpRequest, note_id: str, payload: NoteSignIn) -> NoteSavedOut:
    """Sign a draft; from then on it never changes (corrections are addenda)."""
    note = services.note_sign(
        actor=actor_of(request), note_id=note_id, expected_version=payload.expected_version
    )
    return note_saved(note)


@router.api_operation(
    ["GET", "POST", "PUT", "PATCH", "DELETE"], "/{path:rest}", auth=None, include_in_schema=False
)
def unknown(request: HttpRequest, rest: str) -> NoReturn:
    """Any other path under /api/ answers the API's JSON 404, not the web's HTML page."""
    raise NotFound("page")
