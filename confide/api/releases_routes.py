"""Releases of information over the API: list a client's, record one, sign, revoke, record the
expiry event, and download the FHIR R4 Consent or the client's PDF copy.

Thin calls to `confide.releases` selectors and services (which ask the access policy, write the
ledger and check every rule). Ids are plain strings so that a malformed id, a forged one and
another agency's all reach the lookup and get the same 404.

Mount in `confide/api/api.py` before the record router (whose catch-all answers any other path):
`api.add_router("/releases", releases_router)`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID

from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Schema, Status
from pydantic import StrictBool

from confide.api.auth import actor_of
from confide.api.schemas import ErrorOut, InputSchema
from confide.releases import selectors, services
from confide.releases.enums import (
    Category,
    RecipientType,
    ReleaseKind,
    ReleasePurpose,
    Statement,
)
from confide.releases.enums import (
    Status as ReleaseStatus,
)
from confide.releases.fhir import consent_resource
from confide.releases.pdf import release_pdf
from confide.releases.selectors import ReleaseDetail
from confide.releases.validation import (
    MAX_AUTHORITY,
    MAX_CONTACT,
    MAX_DESCRIPTION,
    MAX_EVENT,
    MAX_NAME,
    MAX_PURPOSE_DETAIL,
    ReleaseInput,
    SignatureInput,
)
from confide.web.downloads import download

READ_ERRORS: dict[int, type[ErrorOut]] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut}
WRITE_ERRORS: dict[int, type[ErrorOut]] = {**READ_ERRORS, 409: ErrorOut, 422: ErrorOut}


class ReleaseIn(InputSchema):
    kind: ReleaseKind
    recipient_type: RecipientType
    recipient_name: str = Field("", max_length=MAX_NAME, description="Who may receive it.")
    recipient_contact: str = Field("", max_length=MAX_CONTACT)
    discloser: str = Field("", max_length=MAX_NAME, description="Who may disclose it.")
    purpose: ReleasePurpose | None = None
    purpose_detail: str = Field("", max_length=MAX_PURPOSE_DETAIL)
    categories: list[Category] = Field(default_factory=list, max_length=len(Category.values))
    description: str = Field("", max_length=MAX_DESCRIPTION)
    records_from: dt.date | None = None
    records_to: dt.date | None = None
    starts_on: dt.date
    expires_on: dt.date | None = Field(None, description="The last day in effect.")
    expiry_event: str = Field("", max_length=MAX_EVENT)
    part2_tpo: StrictBool = Field(False, description="Part 2 single consent for TPO.")
    statements: list[Statement] = Field(
        default_factory=list,
        max_length=len(Statement.values),
        description="The required statements the signed form holds.",
    )

    def to_input(self) -> ReleaseInput:
        return ReleaseInput(
            kind=self.kind.value,
            recipient_type=self.recipient_type.value,
            recipient_name=self.recipient_name,
            recipient_contact=self.recipient_contact,
            discloser=self.discloser,
            purpose=self.purpose.value if self.purpose else "",
            purpose_detail=self.purpose_detail,
            categories=tuple(c.value for c in self.categories),
            description=self.description,
            records_from=self.records_from,
            records_to=self.records_to,
            starts_on=self.starts_on,
            expires_on=self.expires_on,
            expiry_event=self.expiry_event,
            part2_tpo=self.part2_tpo,
            statements=tuple(s.value for s in self.statements),
        )


class SignIn(InputSchema):
    signer_name: str = Field("", max_length=MAX_NAME, description="The typed signature.")
    signed_on: dt.date | None = None
    signer_is_representative: StrictBool = False
    representative_authority: str = Field("", max_length=MAX_AUTHORITY)


class ExpiryEventIn(InputSchema):
    occurred_on: dt.date


class ReleaseOut(Schema):
    id: UUID
    client_id: UUID
    kind: ReleaseKind
    status: ReleaseStatus
    is_active: bool
    recipient_type: RecipientType
    recipient_name: str
    recipient_contact: str
    discloser: str
    purpose: ReleasePurpose
    purpose_detail: str
    categories: list[Category]
    description: str
    records_from: dt.date | None
    records_to: dt.date | None
    starts_on: dt.date
    expires_on: dt.date | None
    expiry_event: str
    expiry_event_on: dt.date | None
    part2_tpo: bool
    statements: list[Statement]
    signer_name: str
    signed_on: dt.date | None
    signer_is_representative: bool
    representative_authority: str
    signed_at: dt.datetime | None
    revoked_at: dt.datetime | None
    revoked_by: str


def _out(detail: ReleaseDetail) -> ReleaseOut:
    f = detail.on_file
    return ReleaseOut(
        id=f.id,
        client_id=f.client_id,
        kind=f.kind,
        status=f.status,
        is_active=f.is_active,
        recipient_type=f.recipient_type,
        recipient_name=f.recipient_name,
        recipient_contact=detail.recipient_contact,
        discloser=detail.discloser,
        purpose=f.purpose,
        purpose_detail=detail.purpose_detail,
        categories=list(f.categories),
        description=detail.description,
        records_from=f.records_from,
        records_to=f.records_to,
        starts_on=f.starts_on,
        expires_on=f.expires_on,
        expiry_event=f.expiry_event,
        expiry_event_on=detail.expiry_event_on,
        part2_tpo=f.part2_tpo,
        statements=list(detail.statements),
        signer_name=detail.signer_name,
        signed_on=detail.signed_on,
        signer_is_representative=detail.signer_is_representative,
        representative_authority=detail.representative_authority,
        signed_at=detail.signed_at,
        revoked_at=detail.revoked_at,
        revoked_by=detail.revoked_by,
    )


def _detail(request: HttpRequest, release_id: UUID) -> ReleaseOut:
    return _out(selectors.release_get(actor=actor_of(request), release_id=release_id))


def build_router() -> Router:
    """A fresh router (a ninja router can be mounted on one API only)."""
    router = Router(tags=["releases"])

    @router.get(
        "/clients/{client_id}", response={200: list[ReleaseOut], **READ_ERRORS}, url_name="roi_list"
    )
    def roi_list(request: HttpRequest, client_id: str) -> list[ReleaseOut]:
        """A client's releases of information, newest first, with today's status."""
        return [
            _out(d) for d in selectors.release_list(actor=actor_of(request), client_id=client_id)
        ]

    @router.post(
        "/clients/{client_id}", response={201: ReleaseOut, **WRITE_ERRORS}, url_name="roi_create"
    )
    def roi_create(request: HttpRequest, client_id: str, payload: ReleaseIn) -> Status[ReleaseOut]:
        """Record a release as a draft; 422 names every element its kind requires and lacks."""
        actor = actor_of(request)
        release = services.release_create(actor=actor, client_id=client_id, data=payload.to_input())
        return Status(201, _detail(request, release.id))

    @router.get("/{release_id}", response={200: ReleaseOut, **READ_ERRORS}, url_name="roi_detail")
    def roi_detail(request: HttpRequest, release_id: str) -> ReleaseOut:
        """One release in full."""
        return _out(selectors.release_get(actor=actor_of(request), release_id=release_id))

    @router.post(
        "/{release_id}/sign", response={200: ReleaseOut, **WRITE_ERRORS}, url_name="roi_sign"
    )
    def roi_sign(request: HttpRequest, release_id: str, payload: SignIn) -> ReleaseOut:
        """Record the typed signature and its date on a draft."""
        signature = SignatureInput(
            signer_name=payload.signer_name,
            signed_on=payload.signed_on,
            signer_is_representative=payload.signer_is_representative,
            representative_authority=payload.representative_authority,
        )
        release = services.release_sign(
            actor=actor_of(request), release_id=release_id, signature=signature
        )
        return _detail(request, release.id)

    @router.post(
        "/{release_id}/revoke", response={200: ReleaseOut, **WRITE_ERRORS}, url_name="roi_revoke"
    )
    def roi_revoke(request: HttpRequest, release_id: str) -> ReleaseOut:
        """Revoke at once, on the client's word; 409 if already revoked."""
        release = services.release_revoke(actor=actor_of(request), release_id=release_id)
        return _detail(request, release.id)

    @router.post(
        "/{release_id}/expiry-event",
        response={200: ReleaseOut, **WRITE_ERRORS},
        url_name="roi_expiry",
    )
    def roi_expiry(request: HttpRequest, release_id: str, payload: ExpiryEventIn) -> ReleaseOut:
        """Record that the event the release ends on has happened."""
        release = services.release_record_expiry_event(
            actor=actor_of(request), release_id=release_id, occurred_on=payload.occurred_on
        )
        return _detail(request, release.id)

    @router.get(
        "/{release_id}/fhir", response={200: dict[str, Any], **READ_ERRORS}, url_name="roi_fhir"
    )
    def roi_fhir(request: HttpRequest, release_id: str) -> dict[str, Any]:
        """The release as a FHIR R4 Consent resource."""
        detail = selectors.release_get(
            actor=actor_of(request), release_id=release_id, export="fhir"
        )
        return consent_resource(detail)

    @router.get("/{release_id}/pdf", response={200: None, **READ_ERRORS}, url_name="roi_pdf")
    def roi_pdf(request: HttpRequest, release_id: str) -> HttpResponse:
        """The client's copy as a PDF."""
        detail = selectors.release_get(actor=actor_of(request), release_id=release_id, export="pdf")
        return download(release_pdf(detail), "application/pdf", f"release-{detail.id}.pdf")

    return router


router = build_router()
