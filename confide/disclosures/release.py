"""Releasing an allowed request: print (the PDF), a one-time link (`links`), or a verbal
disclosure recorded afterwards, with the accounting entry, the ledger event and the client's
notice in the same transaction. The packet itself is built and reviewed in `packets`.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from dataclasses import dataclass
from uuid import UUID

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from confide.access.policy import GUARDIAN, Action, authorize_many
from confide.accounts.models import Agency, User
from confide.consent.selectors import communication_preferences, guardian_may_see
from confide.core import clock
from confide.core.actor import Actor
from confide.core.enums import Label
from confide.crypto.envelope import DataKey
from confide.disclosures import decisions as dec
from confide.disclosures import links, packet_pdf, packets, redaction
from confide.disclosures.accounting import MAX_LEGAL_BASIS, accounting_entry_record
from confide.disclosures.engine.facts import Purpose, Recipient
from confide.disclosures.enums import (
    ClientNotice,
    DeliveryMethod,
    ExcludedKind,
    NoticeException,
    PacketStatus,
    RedactionChoice,
    RequestStatus,
)
from confide.disclosures.errors import (
    NotReleasable,
    RedactionsPending,
    ReleasedMeanwhile,
    readable,
)
from confide.disclosures.models import (
    Delivery,
    DisclosureRequest,
    ReleasePacket,
)
from confide.disclosures.services import (
    authorized_request,
    key_for,
    purpose_of,
    require_consents_in_effect,
)
from confide.ledger import services as ledger
from confide.ledger.enums import EventType
from confide.messaging.services import notify
from confide.records import files
from confide.records.models import Attachment, Case, Client, Note
from confide.records.validation import Problems

logger = logging.getLogger(__name__)
MAX_SUMMARY = 4000
MAX_NOTICE_REASON = 1000
MAX_EMAIL = 254
DELIVERY_TABLE = "disclosures_delivery"


@dataclass(frozen=True)
class Notice:
    """How the client is told: by the channel their preferences allow, unless an exception is
    chosen (with its reason)."""

    exception: str = ""
    reason: str = ""


@dataclass(frozen=True)
class Released:
    delivery: Delivery
    pdf: bytes | None = None
    link_token: str | None = None
    link_code: str | None = None


def _clean_notice(p: Problems, notice: Notice) -> tuple[str, str]:
    if not notice.exception:
        return "", ""
    if notice.exception not in NoticeException.values:
        p.fields["notice_exception"] = "must be one of: " + ", ".join(NoticeException.values)
    reason = p.text("notice_reason", notice.reason, limit=MAX_NOTICE_REASON)
    return notice.exception, reason


def excluded_kind(request: DisclosureRequest) -> str | None:
    """Which 164.528(a)(1) exclusion, if any, keeps this release out of the client's own
    accounting (it is recorded either way)."""
    if request.recipient_type == Recipient.CLIENT_SELF:
        return ExcludedKind.TO_INDIVIDUAL.value
    if request.purpose in (Purpose.TREATMENT, Purpose.PAYMENT, Purpose.CARE_COORDINATION):
        return ExcludedKind.TPO.value
    if request.purpose == Purpose.INVOLVEMENT_IN_CARE:
        return ExcludedKind.PERSONS_INVOLVED.value
    if request.purpose == Purpose.CLIENT_DIRECTED:
        return ExcludedKind.AUTHORIZED.value
    return None


def _releasable_request(
    actor: Actor, request_id: UUID | str
) -> tuple[DisclosureRequest, tuple[str, ...]]:
    request, policy_ids = authorized_request(
        actor, request_id, Action.DISCLOSURE_RELEASE, lock=True
    )
    if request.status == RequestStatus.IN_REVIEW:
        raise NotReleasable("this request is waiting for review.")
    if request.status not in (RequestStatus.READY, RequestStatus.RELEASED):
        raise NotReleasable("the decision does not allow a release of this request.")
    if not dec.releasable(request.decisions):
        raise NotReleasable("no requested category may be released.")
    require_consents_in_effect(request)
    return request, policy_ids


def _approved_packet(request: DisclosureRequest) -> ReleasePacket:
    packet = ReleasePacket.objects.select_for_update().filter(request=request).first()
    if packet is None:
        raise NotReleasable("build the release packet first.")
    pending = packet.redactions.filter(choice=RedactionChoice.PENDING).count()
    if pending or packet.status != PacketStatus.APPROVED:
        raise RedactionsPending(pending)
    return packet


def _check_packet_notes(
    actor: Actor,
    request: DisclosureRequest,
    client: Client,
    ids: list[UUID],
    notes: dict[UUID, Note],
) -> None:
    """Every note of the packet decided again at release, for this recipient and the release
    of information it rests on (`packets.audience_for`): a rule or a fact that changed since the
    build (a client since labelled as having consented alone, a wall, a recipient meant for a
    guardian) refuses the release until the packet is built again."""
    for note in notes.values():
        note.client = client
    audience = packets.audience_for(request)
    decisions = authorize_many(actor, Action.NOTE_VIEW, list(notes.values()), audience=audience)
    if len(notes) != len(set(ids)) or not all(d.allowed for d in decisions):
        raise NotReleasable("the packet's notes may no longer all go out: build it again.")


def _check_verbal(actor: Actor, request: DisclosureRequest) -> frozenset[str]:
    """A verbal disclosure carries no notes to decide, so what it may have drawn on is decided
    instead (`packets.labels_in_range`), and the labels of every note in the request's range are
    returned for its accounting entry (fail closed: a representative's accounting then leaves it
    out if any is minor_consented). For the guardian audience (`packets.audience_for`) nothing
    is told of a client labelled as having consented alone, nor from a range holding a note so
    labelled that the releaser knows (may read, or wrote): a spoken account cannot be checked,
    so a narrower range, or a packet, is the way. Notes the releaser cannot know stop nothing,
    and their existence is not revealed."""
    client = Client.objects.get(id=request.client_id)
    labels = packets.labels_in_range(actor, request, client)
    if packets.audience_for(request) != GUARDIAN:
        return labels.every
    if not guardian_may_see(actor, [client])[0]:
        raise NotReleasable(
            "the client consented alone to the care this record holds: nothing of it may be "
            "told to a parent or guardian, nor under a release a personal representative signed."
        )
    if Label.MINOR_CONSENTED in labels.known:
        raise NotReleasable(
            "notes in this range hold care the client consented to alone, which may not be told "
            "to a parent or guardian, nor under a release a personal representative signed: "
            "record a verbal disclosure for a range without them, or release a packet, which "
            "leaves them out."
        )
    return labels.every


# Recipients who identify the client to no record of theirs: the cover names the client and
# case, and leaves the date of birth out (minimum necessary, 164.502(b)).
WITHOUT_BIRTH_DATE = frozenset(
    {
        Recipient.POTENTIAL_VICTIM,
        Recipient.AFFECTED_INDIVIDUALS,
        Recipient.MEDIA,
        Recipient.EMPLOYER,
        Recipient.STUDENTS,
        Recipient.FAMILY_MEMBER,
        Recipient.COLLEAGUE_CONSULTANT,
    }
)
WITHHELD_DOB = "(not needed for this recipient)"


def needs_birth_date(request: DisclosureRequest) -> bool:
    return request.recipient_type not in WITHOUT_BIRTH_DATE


def _content(
    actor: Actor,
    request: DisclosureRequest,
    packet: ReleasePacket,
    key: DataKey,
    method: str,
    today: dt.date,
) -> packet_pdf.PacketContent:
    client = Client.objects.get(id=request.client_id)
    texts = packets.client_texts(key, client)
    ids = [UUID(i) for i in packet.note_ids]
    notes = {
        n.id: n for n in Note.objects.filter(id__in=ids, client=client).select_related("author")
    }
    _check_packet_notes(actor, request, client, ids, notes)
    accepted: dict[UUID, list[redaction.Span]] = {}
    for r in packet.redactions.filter(choice=RedactionChoice.ACCEPTED):
        accepted.setdefault(r.note_id, []).append(redaction.Span(r.start, r.end, r.entity))
    allowed = dec.releasable(request.decisions)
    return packet_pdf.PacketContent(
        agency=Agency.objects.get(id=request.agency_id).name,
        client_name=texts["legal_name"],
        client_dob=texts["date_of_birth"] if needs_birth_date(request) else WITHHELD_DOB,
        case_numbers=tuple(
            Case.objects.filter(client=client)
            .order_by("case_number")
            .values_list("case_number", flat=True)
        ),
        recipient=key.decrypt_text(purpose_of("recipient"), request.id, request.recipient_enc),
        recipient_address=key.decrypt_text(
            purpose_of("recipient_address"), request.id, request.recipient_address_enc
        ),
        purpose=key.decrypt_text(purpose_of("description"), request.id, request.description_enc),
        categories=tuple(dec.CATEGORIES[c] for c in request.categories if c in allowed),
        date_from=request.date_from,
        date_to=request.date_to,
        legal_basis=tuple(
            dec.citations_of(request.decisions, [c for c in request.categories if c in allowed])
        ),
        released_by=User.objects.get(id=actor.user_id).display_name,
        released_on=today,
        method=DeliveryMethod(method).label,
        packet_id=str(packet.id),
        includes_part2=packet.includes_part2,
        redactions=sum(len(v) for v in accepted.values()),
        notes=[
            packet_pdf.PacketNote(
                occurred_on=notes[i].occurred_on,
                kind=notes[i].get_kind_display(),
                author=notes[i].author.display_name,
                labels=tuple(notes[i].labels),
                text=redaction.apply(packets.note_body(key, notes[i]), accepted.get(i, [])),
            )
            for i in ids
            if i in notes
        ],
    )


def _store_pdf(actor: Actor, request: DisclosureRequest, key: DataKey, data: bytes) -> Attachment:
    attachment = Attachment(
        id=uuid.uuid4(),
        agency_id=request.agency_id,
        client_id=request.client_id,
        note=None,
        uploaded_by_id=actor.user_id,
        content_type="application/pdf",
        size=len(data),
        labels=[],
    )
    attachment.filename_enc = key.encrypt_text(
        "records_attachment.filename", attachment.id, f"release-{request.id}.pdf"
    )
    files.store(attachment, key.encrypt("records_attachment.blob", attachment.id, data))
    try:
        attachment.save(force_insert=True)
    except BaseException:
        files.remove(attachment)
        raise
    transaction.on_commit(lambda: files.promote(attachment))
    return attachment


def _tell_client(
    actor: Actor, request: DisclosureRequest, key: DataKey, delivery: Delivery, exception: str
) -> str:
    """Tell the client on a channel their preferences allow (email here), or say why not."""
    if exception:
        return ClientNotice.EXCEPTION.value
    client = Client.objects.get(id=request.client_id)
    email = key.decrypt_text("records_client.email", client.id, client.email_enc)
    if email and communication_preferences(client.id).allows("email"):
        agency = Agency.objects.get(id=request.agency_id).name
        day = timezone.localdate(delivery.disclosed_at).isoformat()

        def send() -> None:
            try:
                send_mail(
                    subject=f"{agency}: information from your record was shared",
                    message=(
                        f"On {day}, {agency} shared information from your record, as the law "
                        "allows. You may ask your worker or the privacy officer what was "
                        "shared, with whom and why, and ask for an accounting of disclosures.\n"
                    ),
                    from_email=None,
                    recipient_list=[email],
                )
            except Exception:  # recorded as e-mailed; the failure is for the operator
                logger.warning("disclosure notice e-mail for delivery %s failed", delivery.id)

        transaction.on_commit(send)
        return ClientNotice.EMAILED.value
    notify(
        recipients=User.objects.filter(id=actor.user_id),
        kind="disclosure_tell_client",
        message="Tell the client in person about a disclosure: no channel they allow is open.",
        link=f"/disclosures/{request.id}/",
    )
    return ClientNotice.NO_CHANNEL.value


def _account(
    actor: Actor,
    request: DisclosureRequest,
    key: DataKey,
    delivery: Delivery,
    notes: int,
    note_labels: frozenset[str],
) -> None:
    """The accounting entry of this delivery, with the labels of what it carried: the released
    notes' and the client's (a verbal disclosure carries no notes, so only the client's), which
    keep it out of an accounting given to a guardian where a minor consented alone."""
    allowed = dec.releasable(request.decisions)
    client_labels = Client.objects.values_list("labels", flat=True).get(id=request.client_id)
    description = (
        f"{'; '.join(dec.CATEGORIES[c] for c in request.categories if c in allowed)}; "
        f"notes dated {request.date_from.isoformat()} to {request.date_to.isoformat()}"
        f" ({notes} note(s)); {DeliveryMethod(delivery.method).label.lower()}"
    )
    entry = accounting_entry_record(
        actor=actor,
        client_id=request.client_id,
        disclosed_at=delivery.disclosed_at,
        recipient=key.decrypt_text(purpose_of("recipient"), request.id, request.recipient_enc),
        recipient_address=key.decrypt_text(
            purpose_of("recipient_address"), request.id, request.recipient_address_enc
        ),
        description=description[:2000],
        purpose=key.decrypt_text(purpose_of("description"), request.id, request.description_enc),
        legal_basis=dec.citations_within(
            dec.citations_of(request.decisions, [c for c in request.categories if c in allowed]),
            MAX_LEGAL_BASIS,
        )
        or "See decision",
        excluded_kind=excluded_kind(request),
        released_labels=sorted({*(client_labels or ()), *note_labels}),
        release_id=delivery.id,
    )
    delivery.accounting_entry = entry


@dataclass(frozen=True)
class _Cleaned:
    method: str
    exception: str
    reason: str
    summary: str
    when: dt.datetime
    email: str


def _clean_release(
    request: DisclosureRequest,
    method: str,
    notice: Notice,
    summary: str,
    disclosed_at: dt.datetime | None,
    recipient_email: str,
) -> _Cleaned:
    """Every problem with a release's input at once (ValidationFailed)."""
    p = Problems()
    if method not in DeliveryMethod.values:
        p.fields["method"] = "must be one of: " + ", ".join(DeliveryMethod.values)
    exception, reason = _clean_notice(p, notice)
    when, text, email = clock.now(), "", ""
    if method == DeliveryMethod.VERBAL:
        text = p.text("summary", summary, limit=MAX_SUMMARY)
        if not isinstance(disclosed_at, dt.datetime) or disclosed_at.tzinfo is None:
            p.fields["disclosed_at"] = "must be a date and time with its time zone"
        elif disclosed_at > when or disclosed_at < request.created_at - dt.timedelta(days=1):
            p.fields["disclosed_at"] = "must be between the request's date and now"
        else:
            when = disclosed_at
    if method == DeliveryMethod.LINK:
        email = p.text("recipient_email", recipient_email, limit=MAX_EMAIL, required=False)
        if email and ("@" not in email or any(c.isspace() for c in email)):
            p.fields["recipient_email"] = "must be an e-mail address"
    p.raise_if_any()
    return _Cleaned(method, exception, reason, text, when, email)


def _attach_pdf(
    actor: Actor, request: DisclosureRequest, packet: ReleasePacket, key: DataKey, d: Delivery
) -> tuple[bytes, frozenset[str]]:
    """Render the packet for this delivery, record its SHA-256, keep an encrypted copy. Returns
    the PDF and the labels of the notes it carries."""
    content = _content(actor, request, packet, key, d.method, timezone.localdate(d.disclosed_at))
    pdf = packet_pdf.render(content)
    d.digest = packet_pdf.digest(pdf)
    d.pdf = _store_pdf(actor, request, key, pdf)
    return pdf, frozenset(label for note in content.notes for label in note.labels)


def _attach_link(delivery: Delivery) -> links.NewLink:
    fresh = links.new_link()
    delivery.token_hash, delivery.code_hash = fresh.token_hash, fresh.code_hash
    delivery.expires_at = delivery.disclosed_at + dt.timedelta(
        hours=settings.CONFIDE_RELEASE_LINK_HOURS
    )
    return fresh


def _record_released(
    actor: Actor, request: DisclosureRequest, delivery: Delivery, policy_ids: tuple[str, ...]
) -> None:
    ledger.record(
        actor=actor,
        event_type=EventType.DISCLOSURE_RELEASED,
        subject_type="disclosure_delivery",
        subject_id=delivery.id,
        client_id=request.client_id,
        policy_ids=policy_ids,
        details={
            "request": str(request.id),
            "method": delivery.method,
            "notes": list(delivery.packet.note_ids) if delivery.packet else [],
            "sha256": delivery.digest or None,
            "accounting_entry": str(delivery.accounting_entry_id),
            "client_notice": delivery.client_notice,
            "notice_exception": delivery.notice_exception or None,
        },
    )


@readable
@transaction.atomic
def release(
    *,
    actor: Actor,
    request_id: UUID | str,
    method: str,
    notice: Notice,
    summary: str = "",
    disclosed_at: dt.datetime | None = None,
    recipient_email: str = "",
    releases_seen: int | None = None,
) -> Released:
    """Release an allowed request: print (the PDF is returned), a one-time link (token and code
    returned once, stored only hashed; the link e-mailed to `recipient_email` if given, the code
    to be given separately), or a verbal disclosure recorded afterwards (`summary`,
    `disclosed_at`). Writes the accounting entry, disclosures:release:released (with the PDF's
    SHA-256) and tells the client unless an exception is recorded.

    The PDF is rendered before the accounting entry and the ledger event, so the ledger's chain
    is locked only for the writes. Needs disclosure:release. Raises NotFound, NotReleasable (in
    review, refused, no packet, a release of information since revoked, a packet note that may
    no longer go out, a verbal disclosure of a client who consented alone for the guardian
    audience), ReleasedMeanwhile (`releases_seen` given and out of date), RedactionsPending,
    ValidationFailed.
    """
    request, policy_ids = _releasable_request(actor, request_id)  # locked until the commit
    if releases_seen is not None and request.deliveries.count() != releases_seen:
        raise ReleasedMeanwhile()
    clean = _clean_release(request, method, notice, summary, disclosed_at, recipient_email)
    key = key_for(request.client_id)
    packet = None if method == DeliveryMethod.VERBAL else _approved_packet(request)
    told = _check_verbal(actor, request) if packet is None else frozenset[str]()
    delivery = Delivery(
        id=uuid.uuid4(),
        agency_id=request.agency_id,
        client_id=request.client_id,
        request=request,
        packet=packet,
        method=method,
        released_by_id=actor.user_id,
        disclosed_at=clean.when,
        notice_exception=clean.exception,
    )
    pdf, note_labels = (
        _attach_pdf(actor, request, packet, key, delivery) if packet is not None else (None, told)
    )
    link = _attach_link(delivery) if method == DeliveryMethod.LINK else None
    delivery.summary_enc = key.encrypt_text(f"{DELIVERY_TABLE}.summary", delivery.id, clean.summary)
    delivery.notice_reason_enc = key.encrypt_text(
        f"{DELIVERY_TABLE}.notice_reason", delivery.id, clean.reason
    )
    _account(actor, request, key, delivery, len(packet.note_ids) if packet else 0, note_labels)
    delivery.client_notice = _tell_client(actor, request, key, delivery, clean.exception)
    delivery.save(force_insert=True)
    request.status = RequestStatus.RELEASED
    request.save(update_fields=["status", "updated_at"])
    _record_released(actor, request, delivery, policy_ids)
    if link is not None and clean.email:
        links.send_link(clean.email, link.token, delivery.id)
    return Released(delivery, pdf, link.token if link else None, link.code if link else None)
