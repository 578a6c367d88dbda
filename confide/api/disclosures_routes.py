"""Disclosure endpoints: thin calls to the same services and selectors as the pages.

Requests are decided by the engine on creation; a reviewer signs off those it leaves open; a
packet is built, its redactions decided, then released (print: the PDF comes back base64-encoded
with its SHA-256; link: the URL and code come back once; verbal: recorded). Uploading a legal
instrument is a page feature (multipart); the API records its kind only. Path ids are plain
strings, so malformed, forged, foreign and missing ids all get the same 404.
"""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any
from uuid import UUID

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from confide.api.auth import actor_of
from confide.api.schemas import ErrorOut, InputSchema
from confide.disclosures import links, packets, release, selectors, services
from confide.disclosures.decisions import CATEGORIES
from confide.disclosures.services import MAX_ADDRESS, MAX_DESCRIPTION, MAX_NAMES, MAX_RECIPIENT

router = Router(tags=["disclosures"])

ERRORS: dict[int, type[ErrorOut]] = {
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    410: ErrorOut,
    422: ErrorOut,
}


class RequestIn(InputSchema):
    recipient: str = Field(max_length=MAX_RECIPIENT)
    recipient_address: str = Field(default="", max_length=MAX_ADDRESS)
    recipient_type: str = Field(max_length=64, description="The engine's recipient_type.")
    purpose: str = Field(max_length=64, description="The engine's purpose.")
    description: str = Field(max_length=MAX_DESCRIPTION)
    categories: list[str] = Field(max_length=len(CATEGORIES))
    date_from: dt.date
    date_to: dt.date
    legal_instrument: str = Field(default="none", max_length=32)
    extra_names: str = Field(default="", max_length=MAX_NAMES)
    release_id: str | None = Field(
        default=None, max_length=64, description="A release on file this rests on (optional)."
    )
    facts: dict[str, Any] = Field(
        default_factory=dict, description="Facts Confide cannot know, in the engine's vocabulary."
    )


class CreatedOut(Schema):
    id: UUID
    status: str
    outcome: str


class CategoryOut(Schema):
    category: str
    outcome: str
    approved_by_review: bool
    releasable: bool
    conditions: list[str]
    citations: list[str]
    rationale: str
    rules: list[str]
    missing_facts: list[str]


class DeliveryOut(Schema):
    id: UUID
    method: str
    disclosed_at: dt.datetime
    digest: str
    client_notice: str


class RequestOut(Schema):
    id: UUID
    client_id: UUID
    status: str
    outcome: str
    recipient: str
    recipient_type: str
    purpose: str
    description: str
    date_from: dt.date
    date_to: dt.date
    categories: list[CategoryOut]
    missing_facts: list[str]
    packet_id: UUID | None
    packet_status: str
    deliveries: list[DeliveryOut]


class ReviewIn(InputSchema):
    approve: bool
    reason: str = Field(max_length=2000)
    answers: dict[str, Any] = Field(default_factory=dict)


class PacketOut(Schema):
    id: UUID
    request_id: UUID
    status: str
    note_ids: list[UUID]
    pending: int
    redactions: list[dict[str, Any]]


class RedactionsIn(InputSchema):
    choices: dict[str, str] = Field(description="{redaction id: accepted | rejected}")


class ReleaseIn(InputSchema):
    method: str = Field(max_length=16, description="print, link or verbal")
    notice_exception: str = Field(default="", max_length=40)
    notice_reason: str = Field(default="", max_length=1000)
    recipient_email: str = Field(default="", max_length=254)
    summary: str = Field(default="", max_length=4000)
    disclosed_at: dt.datetime | None = None
    releases_seen: int | None = Field(
        default=None,
        ge=0,
        description="How many releases of this request the caller has seen; when given, a "
        "release made meanwhile (or this one sent twice) is refused with 409 released_meanwhile.",
    )


class ReleasedOut(Schema):
    delivery_id: UUID
    method: str
    sha256: str
    client_notice: str
    pdf_base64: str | None = None
    link_url: str | None = None
    link_code: str | None = None
    expires_at: dt.datetime | None = None


class QueueOut(Schema):
    id: UUID
    client_id: UUID
    case_numbers: list[str]
    recipient_type: str
    purpose: str
    categories: list[str]
    missing_facts: list[str]
    created_at: dt.datetime


def _request_out(view: selectors.RequestView) -> RequestOut:
    return RequestOut(
        id=view.id,
        client_id=view.client_id,
        status=view.status,
        outcome=view.outcome,
        recipient=view.recipient,
        recipient_type=view.recipient_type,
        purpose=view.purpose,
        description=view.description,
        date_from=view.date_from,
        date_to=view.date_to,
        categories=[
            CategoryOut(
                category=c.category,
                outcome=c.outcome,
                approved_by_review=c.approved_by_review,
                releasable=c.releasable,
                conditions=[code for code, _ in c.conditions],
                citations=c.citations,
                rationale=c.rationale,
                rules=[r.id for r in c.rules],
                missing_facts=c.missing_facts,
            )
            for c in view.categories
        ],
        missing_facts=view.missing_facts,
        packet_id=view.packet_id,
        packet_status=view.packet_status,
        deliveries=[
            DeliveryOut(
                id=d.id,
                method=d.method,
                disclosed_at=d.disclosed_at,
                digest=d.digest,
                client_notice=d.client_notice,
            )
            for d in view.deliveries
        ],
    )


@router.post(
    "/clients/{client_id}/requests",
    response={201: CreatedOut, **ERRORS},
    url_name="disclosure_request_create",
)
def request_create(request: HttpRequest, client_id: str, payload: RequestIn) -> Status[CreatedOut]:
    """Open a disclosure request; the engine decides each category at once."""
    created = services.request_create(
        actor=actor_of(request),
        client_id=client_id,
        data=services.RequestInput(**payload.model_dump()),
    )
    return Status(201, CreatedOut(id=created.id, status=created.status, outcome=created.outcome))


@router.get(
    "/requests/{request_id}",
    response={200: RequestOut, **ERRORS},
    url_name="disclosure_request_detail",
)
def request_detail(request: HttpRequest, request_id: str) -> RequestOut:
    """A request with each category's decision, its review and its releases."""
    return _request_out(selectors.request_get(actor=actor_of(request), request_id=request_id))


@router.post(
    "/requests/{request_id}/review",
    response={200: CreatedOut, **ERRORS},
    url_name="disclosure_request_review",
)
def request_review(request: HttpRequest, request_id: str, payload: ReviewIn) -> CreatedOut:
    """Sign off or decline a request the engine left for review (with a reason)."""
    done = services.request_review(
        actor=actor_of(request),
        request_id=request_id,
        approve=payload.approve,
        reason=payload.reason,
        answers=payload.answers,
    )
    return CreatedOut(id=done.id, status=done.status, outcome=done.outcome)


def _packet_out(actor_request: HttpRequest, packet_id: UUID | str) -> PacketOut:
    view = selectors.packet_get(actor=actor_of(actor_request), packet_id=packet_id)
    return PacketOut(
        id=view.id,
        request_id=view.request_id,
        status=view.status,
        note_ids=[n.id for n in view.notes],
        pending=view.pending,
        redactions=[
            {
                "id": str(s.redaction_id),
                "note_id": str(n.id),
                "text": s.text,
                "entity": s.entity,
                "choice": s.choice,
            }
            for n in view.notes
            for s in n.segments
            if s.redaction_id
        ],
    )


@router.post(
    "/requests/{request_id}/packet",
    response={201: PacketOut, **ERRORS},
    url_name="disclosure_packet_build",
)
def packet_build(request: HttpRequest, request_id: str) -> Status[PacketOut]:
    """Build the release packet (notes chosen by the decision; redactions proposed)."""
    packet = packets.packet_build(actor=actor_of(request), request_id=request_id)
    return Status(201, _packet_out(request, packet.id))


@router.get(
    "/packets/{packet_id}", response={200: PacketOut, **ERRORS}, url_name="disclosure_packet_detail"
)
def packet_detail(request: HttpRequest, packet_id: str) -> PacketOut:
    """A packet with its proposed redactions (and the text each would remove)."""
    return _packet_out(request, packet_id)


@router.post(
    "/packets/{packet_id}/redactions",
    response={200: PacketOut, **ERRORS},
    url_name="disclosure_redactions_decide",
)
def redactions_decide(request: HttpRequest, packet_id: str, payload: RedactionsIn) -> PacketOut:
    """Accept (redact) or reject (keep) proposed redactions."""
    packets.redactions_decide(actor=actor_of(request), packet_id=packet_id, choices=payload.choices)
    return _packet_out(request, packet_id)


@router.post(
    "/requests/{request_id}/release",
    response={201: ReleasedOut, **ERRORS},
    url_name="disclosure_release_send",
)
def release_send(request: HttpRequest, request_id: str, payload: ReleaseIn) -> Status[ReleasedOut]:
    """Release: print (PDF returned), link (URL and code returned once) or verbal (recorded)."""
    done = release.release(
        actor=actor_of(request),
        request_id=request_id,
        method=payload.method,
        notice=release.Notice(payload.notice_exception, payload.notice_reason),
        summary=payload.summary,
        disclosed_at=payload.disclosed_at,
        recipient_email=payload.recipient_email,
        releases_seen=payload.releases_seen,
    )
    d = done.delivery
    return Status(
        201,
        ReleasedOut(
            delivery_id=d.id,
            method=d.method,
            sha256=d.digest,
            client_notice=d.client_notice,
            pdf_base64=base64.b64encode(done.pdf).decode()
            if done.pdf and not done.link_token
            else None,
            link_url=links.link_url(done.link_token) if done.link_token else None,
            link_code=done.link_code,
            expires_at=d.expires_at,
        ),
    )


@router.get("/queue", response={200: list[QueueOut], **ERRORS}, url_name="disclosure_review_queue")
def review_queue(request: HttpRequest) -> list[QueueOut]:
    """Requests waiting for the caller's review (supervisors, privacy officers)."""
    return [
        QueueOut(
            id=r.id,
            client_id=r.client_id,
            case_numbers=r.case_numbers,
            recipient_type=r.recipient_type,
            purpose=r.purpose,
            categories=r.categories,
            missing_facts=r.missing_facts,
            created_at=r.created_at,
        )
        for r in selectors.review_queue(actor=actor_of(request))
    ]
