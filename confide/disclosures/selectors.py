"""Readers of the disclosure workflow: one request with its decision in plain language, the
review queue, a client's requests, and a packet with its proposed redactions.

Each asks `access`, decrypts only what it shows, and writes the ledger event of what it
revealed in the same transaction. The queue names clients by case number only.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.db import transaction

from confide.access.policy import Action, authorize_many
from confide.accounts.models import User
from confide.core.actor import Actor
from confide.core.enums import Role
from confide.core.errors import NotFound, NotPermitted
from confide.disclosures import decisions as dec
from confide.disclosures import redaction
from confide.disclosures.enums import (
    WITHHELD_REASONS,
    ClientNotice,
    DeliveryMethod,
    NoticeException,
    RedactionChoice,
    RequestStatus,
)
from confide.disclosures.errors import readable
from confide.disclosures.models import Delivery, DisclosureRequest, Redaction, ReleasePacket
from confide.disclosures.packets import packet_for
from confide.disclosures.release import DELIVERY_TABLE
from confide.disclosures.services import authorized_request, key_for, purpose_of, stored_facts
from confide.ledger import services as ledger
from confide.ledger.enums import EventType
from confide.records.models import Case, Client, Note


@dataclass(frozen=True)
class CategoryView:
    category: str
    label: str
    outcome: str
    outcome_label: str
    approved_by_review: bool
    releasable: bool
    conditions: list[tuple[str, str]]
    citations: list[str]
    rationale: str
    rules: list[dec.RuleLine]
    missing_facts: list[str]


@dataclass(frozen=True)
class DeliveryView:
    id: UUID
    method: str
    method_label: str
    disclosed_at: dt.datetime
    released_by: str
    digest: str
    client_notice: str
    notice_label: str
    exception_label: str
    link_state: str


@dataclass(frozen=True)
class RequestView:
    id: UUID
    client_id: UUID
    case_numbers: list[str]
    status: str
    status_label: str
    outcome: str
    recipient: str
    recipient_address: str
    recipient_type: str
    purpose: str
    description: str
    date_from: dt.date
    date_to: dt.date
    legal_instrument: str
    has_instrument: bool
    requested_by: str
    requested_by_id: UUID
    created_at: dt.datetime
    categories: list[CategoryView]
    known_facts: list[tuple[str, str, str]]
    answered_facts: dict[str, Any]
    answered_rows: list[tuple[str, str]]  # the same in words, one row per fact
    in_range: list[tuple[str, int, bool]]
    missing_facts: list[str]
    review_outcome: str
    reviewed_by: str
    review_reason: str
    packet_id: UUID | None
    packet_status: str
    deliveries: list[DeliveryView]
    may_review: bool
    may_release: bool
    may_open_client: bool  # the page links to the client's record only for those it opens to


def _case_numbers(client_ids: list[UUID]) -> dict[UUID, list[str]]:
    numbers: dict[UUID, list[str]] = {}
    for client_id, number in (
        Case.objects.filter(client_id__in=client_ids)
        .order_by("case_number")
        .values_list("client_id", "case_number")
    ):
        numbers.setdefault(client_id, []).append(number)
    return numbers


def _category_views(request: DisclosureRequest) -> list[CategoryView]:
    allowed = dec.releasable(request.decisions)
    views = []
    for category, entry in request.decisions.items():
        d = entry["decision"]
        views.append(
            CategoryView(
                category=category,
                label=dec.CATEGORIES.get(category, category),
                outcome=d["outcome"],
                outcome_label=dec.OUTCOMES.get(d["outcome"], d["outcome"]),
                approved_by_review=bool(entry.get("approved_by_review")),
                releasable=category in allowed,
                conditions=[(c, dec.plain_condition(c)) for c in sorted(d["conditions"])],
                citations=list(d["citations"]),
                rationale=d["rationale"],
                rules=dec.rule_lines(d["rules"]),
                missing_facts=list(d["missing_facts"]),
            )
        )
    return views


def _names(ids: set[UUID | None]) -> dict[UUID, str]:
    return dict(User.objects.filter(id__in=[i for i in ids if i]).values_list("id", "display_name"))


def _link_state(d: Delivery, now: dt.datetime) -> str:
    if d.method != DeliveryMethod.LINK:
        return ""
    if d.used_at:
        return "opened"
    if d.failed_attempts and d.expires_at and d.expires_at > now:
        return f"waiting ({d.failed_attempts} wrong code(s))"
    return "expired" if d.expires_at and d.expires_at <= now else "waiting"


def _deliveries(request: DisclosureRequest, names: dict[UUID, str]) -> list[DeliveryView]:
    from confide.core import clock

    now = clock.now()
    return [
        DeliveryView(
            id=d.id,
            method=d.method,
            method_label=DeliveryMethod(d.method).label,
            disclosed_at=d.disclosed_at,
            released_by=names.get(d.released_by_id, ""),
            digest=d.digest,
            client_notice=d.client_notice,
            notice_label=ClientNotice(d.client_notice).label,
            exception_label=NoticeException(d.notice_exception).label if d.notice_exception else "",
            link_state=_link_state(d, now),
        )
        for d in request.deliveries.order_by("disclosed_at")
    ]


def _allowed(actor: Actor, client: Client, action: Action) -> bool:
    return authorize_many(actor, action, [client])[0].allowed


@readable
@transaction.atomic
def request_get(*, actor: Actor, request_id: UUID | str) -> RequestView:
    """One request: who, what, why, the facts used, each category's decision in plain language,
    the review and the deliveries.

    Needs disclosure:request or disclosure:review on the client. Writes
    disclosures:request:viewed. Raises NotFound (also when not allowed), RecordUnreadable.
    """
    request, policy_ids = _readable_request(actor, request_id)
    client = Client.objects.get(id=request.client_id)
    key = key_for(client.id)

    def text(column: str, blob: bytes | memoryview) -> str:
        return key.decrypt_text(purpose_of(column), request.id, blob) if blob else ""

    stored = stored_facts(key, request)
    packet = ReleasePacket.objects.filter(request=request).first()
    names = _names(
        {request.requested_by_id, request.reviewed_by_id}
        | set(request.deliveries.values_list("released_by_id", flat=True))
    )
    view = RequestView(
        id=request.id,
        client_id=client.id,
        case_numbers=_case_numbers([client.id]).get(client.id, []),
        status=request.status,
        status_label=RequestStatus(request.status).label,
        outcome=request.outcome,
        recipient=text("recipient", request.recipient_enc),
        recipient_address=text("recipient_address", request.recipient_address_enc),
        recipient_type=request.recipient_type,
        purpose=request.purpose,
        description=text("description", request.description_enc),
        date_from=request.date_from,
        date_to=request.date_to,
        legal_instrument=request.legal_instrument,
        has_instrument=request.instrument_id is not None,
        requested_by=names.get(request.requested_by_id, ""),
        requested_by_id=request.requested_by_id,
        created_at=request.created_at,
        categories=_category_views(request),
        known_facts=[
            (name, "unknown" if value is None else str(value), stored["sources"].get(name, ""))
            for name, value in sorted(stored["known"].items())
        ],
        answered_facts=stored["answered"],
        answered_rows=dec.flat_facts(stored["answered"]),
        in_range=[
            (
                dec.CATEGORIES.get(c, c.replace("unmapped:", "label ")),
                n,
                dec.covered(frozenset({c}), frozenset(request.categories)),
            )
            for c, n in stored.get("categories_in_range", {}).items()
        ],
        missing_facts=dec.missing_of(request.decisions),
        review_outcome=request.review_outcome,
        reviewed_by=names.get(request.reviewed_by_id, "") if request.reviewed_by_id else "",
        review_reason=text("review_reason", request.review_reason_enc),
        packet_id=packet.id if packet else None,
        packet_status=packet.status if packet else "",
        deliveries=_deliveries(request, names),
        may_review=request.status == RequestStatus.IN_REVIEW
        and request.requested_by_id != actor.user_id
        and _allowed(actor, client, Action.DISCLOSURE_REVIEW),
        may_release=_allowed(actor, client, Action.DISCLOSURE_RELEASE),
        may_open_client=_allowed(actor, client, Action.CLIENT_VIEW),
    )
    ledger.record(
        actor=actor,
        event_type=EventType.DISCLOSURE_REQUEST_VIEWED,
        subject_type="disclosure_request",
        subject_id=request.id,
        client_id=client.id,
        policy_ids=policy_ids,
    )
    return view


@dataclass(frozen=True)
class QueueRow:
    id: UUID
    client_id: UUID
    case_numbers: list[str]
    recipient_type: str
    purpose: str
    categories: list[str]
    missing_facts: list[str]
    requested_by: str
    created_at: dt.datetime


@transaction.atomic
def review_queue(*, actor: Actor) -> list[QueueRow]:
    """Requests waiting for review that the actor may review (oldest first): supervisors see
    their teams' clients, privacy officers their agency's; walls and restrictions apply; never
    the actor's own requests. Case numbers and codes only. Writes records:client:viewed naming
    the clients listed (that they have a pending disclosure is theirs). Raises NotPermitted.
    """
    if actor.role not in (Role.SUPERVISOR, Role.PRIVACY_OFFICER):
        raise NotPermitted("The disclosure review queue is for supervisors and privacy officers.")
    rows = list(
        DisclosureRequest.objects.filter(agency_id=actor.agency_id, status=RequestStatus.IN_REVIEW)
        .exclude(requested_by_id=actor.user_id)
        .select_related("client")
        .order_by("created_at")
    )
    decisions = authorize_many(actor, Action.DISCLOSURE_REVIEW, [r.client for r in rows])
    rows = [r for r, d in zip(rows, decisions, strict=True) if d.allowed]
    numbers = _case_numbers([r.client_id for r in rows])
    names = _names({r.requested_by_id for r in rows})
    if rows:
        ledger.record(
            actor=actor,
            event_type=EventType.CLIENT_VIEWED,
            subject_type="disclosure_queue",
            details={
                "clients": sorted({str(r.client_id) for r in rows}),
                "fields": "disclosure_requests",
            },
        )
    return [
        QueueRow(
            id=r.id,
            client_id=r.client_id,
            case_numbers=numbers.get(r.client_id, []),
            recipient_type=r.recipient_type,
            purpose=r.purpose,
            categories=list(r.categories),
            missing_facts=dec.missing_of(r.decisions),
            requested_by=names.get(r.requested_by_id, ""),
            created_at=r.created_at,
        )
        for r in rows
    ]


@dataclass(frozen=True)
class ClientRequestRow:
    id: UUID
    created_at: dt.datetime
    recipient_type: str
    purpose: str
    status: str
    status_label: str


@transaction.atomic
def client_requests(*, actor: Actor, client_id: UUID | str) -> list[ClientRequestRow]:
    """A client's disclosure requests, newest first (codes and dates only).

    Needs disclosure:request on the client. Writes records:client:viewed. Raises NotFound,
    NotPermitted (the client is open to the actor only through an emergency or review grant).
    """
    from confide.access.lookups import get_authorized

    client, decision = get_authorized(actor, Client, client_id, Action.DISCLOSURE_REQUEST)
    ledger.record(
        actor=actor,
        event_type=EventType.CLIENT_VIEWED,
        subject_type="client",
        subject_id=client.id,
        client_id=client.id,
        policy_ids=decision.policy_ids,
        details={"fields": "disclosure_requests"},
    )
    return [
        ClientRequestRow(
            r.id, r.created_at, r.recipient_type, r.purpose, r.status, RequestStatus(r.status).label
        )
        for r in DisclosureRequest.objects.filter(client=client).order_by("-created_at")
    ]


@dataclass(frozen=True)
class Segment:
    """A piece of a note's text: plain, or a proposed redaction with its id and choice."""

    text: str
    redaction_id: UUID | None = None
    entity: str = ""
    choice: str = ""


@dataclass(frozen=True)
class PacketNoteView:
    id: UUID
    occurred_on: dt.date
    kind: str
    labels: list[str]
    segments: list[Segment]


@dataclass(frozen=True)
class PacketView:
    id: UUID
    request_id: UUID
    status: str
    notes: list[PacketNoteView]
    withheld: list[tuple[str, int]]  # (why, in words; how many)
    includes_part2: bool
    pending: int
    released: bool  # a released packet never changes


def _segments(body: str, rows: list[Redaction]) -> list[Segment]:
    out, cursor = [], 0
    for r in sorted(rows, key=lambda r: r.start):
        if r.start < cursor or r.end > len(body):
            continue
        out.append(Segment(body[cursor : r.start]))
        label = redaction.ENTITIES.get(r.entity, r.entity)
        out.append(Segment(body[r.start : r.end], r.id, label, r.choice))
        cursor = r.end
    out.append(Segment(body[cursor:]))
    return [s for s in out if s.text]


@readable
@transaction.atomic
def packet_get(*, actor: Actor, packet_id: UUID | str) -> PacketView:
    """A packet's notes with the proposed redactions marked, for a person to review.

    Needs disclosure:release. Writes disclosures:packet:viewed naming the notes shown. Raises
    NotFound, RecordUnreadable.
    """
    packet, policy_ids = packet_for(actor, packet_id)
    client = Client.objects.get(id=packet.request.client_id)
    key = key_for(client.id)
    ids = [UUID(i) for i in packet.note_ids]
    notes = {n.id: n for n in Note.objects.filter(id__in=ids, client=client)}
    by_note: dict[UUID, list[Redaction]] = {}
    for r in packet.redactions.all():
        by_note.setdefault(r.note_id, []).append(r)
    views = [
        PacketNoteView(
            id=i,
            occurred_on=notes[i].occurred_on,
            kind=notes[i].get_kind_display(),
            labels=list(notes[i].labels),
            segments=_segments(
                key.decrypt_text("records_note.body", i, notes[i].body_enc), by_note.get(i, [])
            ),
        )
        for i in ids
        if i in notes
    ]
    ledger.record(
        actor=actor,
        event_type=EventType.PACKET_VIEWED,
        subject_type="release_packet",
        subject_id=packet.id,
        client_id=client.id,
        policy_ids=policy_ids,
        details={"notes": packet.note_ids},
    )
    return PacketView(
        id=packet.id,
        request_id=packet.request_id,
        status=packet.status,
        notes=views,
        withheld=[
            (WITHHELD_REASONS.get(reason, reason.replace("_", " ")), count)
            for reason, count in sorted(packet.withheld.items())
        ],
        includes_part2=packet.includes_part2,
        pending=sum(1 for r in packet.redactions.all() if r.choice == RedactionChoice.PENDING),
        released=Delivery.objects.filter(packet=packet).exists(),
    )


def delivery_summary(*, actor: Actor, delivery_id: UUID) -> str:
    """The recorded summary of a verbal release (for its request page)."""
    d = Delivery.objects.get(id=delivery_id, agency_id=actor.agency_id)
    return key_for(d.client_id).decrypt_text(f"{DELIVERY_TABLE}.summary", d.id, d.summary_enc)


def _readable_request(
    actor: Actor, request_id: UUID | str
) -> tuple[DisclosureRequest, tuple[str, ...]]:
    """A request the actor may read (disclosure:request or disclosure:review), or NotFound."""
    for action in (Action.DISCLOSURE_REQUEST, Action.DISCLOSURE_REVIEW):
        try:
            return authorized_request(actor, request_id, action)
        except (NotFound, NotPermitted):
            continue
    raise NotFound("disclosure request")


@readable
@transaction.atomic
def instrument_download(*, actor: Actor, request_id: UUID | str) -> tuple[str, str, bytes]:
    """The legal instrument uploaded with a request: name, type and bytes.

    Needs disclosure:request or disclosure:review. Writes records:attachment:downloaded. Raises
    NotFound (also when there is none), RecordUnreadable.
    """
    from confide.records import files
    from confide.records.models import Attachment

    request, policy_ids = _readable_request(actor, request_id)
    if request.instrument_id is None:
        raise NotFound("instrument")
    row = Attachment.objects.get(id=request.instrument_id)
    key = key_for(request.client_id)
    name = key.decrypt_text("records_attachment.filename", row.id, row.filename_enc)
    data = key.decrypt("records_attachment.blob", row.id, files.load(row))
    ledger.record(
        actor=actor,
        event_type=EventType.ATTACHMENT_DOWNLOADED,
        subject_type="attachment",
        subject_id=row.id,
        client_id=request.client_id,
        policy_ids=policy_ids,
        details={"request": str(request.id)},
    )
    return name, row.content_type, data
