"""Writers of the disclosure workflow, part two: building a release packet, reviewing its
redactions, and releasing it (print, one-time link, or a verbal disclosure recorded afterwards),
with the accounting entry, the ledger event and the client's notice in the same transaction.

Minimum necessary: a packet holds only signed notes dated within the request's range whose
every category the decision allows (psychotherapy notes and Part 2 records only when their own
category was allowed), and only notes the person building it may read (`note:view`); nothing
else from the record goes in except the identifiers on the cover sheet.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
import uuid
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F

from confide.access.policy import Action, authorize_many
from confide.accounts.models import Agency, User
from confide.consent.models import Contact, PersonalRepresentative
from confide.consent.sealed import open_json
from confide.consent.selectors import communication_preferences
from confide.core import clock
from confide.core.actor import Actor
from confide.core.errors import NotFound, ValidationFailed
from confide.core.ids import parse_id
from confide.crypto.envelope import DataKey
from confide.disclosures import decisions as dec
from confide.disclosures import packet_pdf, redaction
from confide.disclosures.accounting import accounting_entry_record
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
    LinkUnavailable,
    NotReleasable,
    RedactionsPending,
    WrongCode,
)
from confide.disclosures.models import (
    Delivery,
    DisclosureRequest,
    Redaction,
    ReleasePacket,
)
from confide.disclosures.services import (
    authorized_request,
    key_for,
    purpose_of,
)
from confide.ledger import services as ledger
from confide.ledger.enums import EventType
from confide.messaging.services import notify
from confide.records import files
from confide.records.enums import NoteStatus
from confide.records.models import Attachment, Case, Client, Note
from confide.records.validation import Problems

MAX_SUMMARY = 4000
MAX_NOTICE_REASON = 1000
MAX_EMAIL = 254
DELIVERY_TABLE = "disclosures_delivery"


# ---- building the packet ------------------------------------------------------------------------


def _client_texts(key: DataKey, client: Client) -> dict[str, str]:
    return {
        column: key.decrypt_text(
            f"records_client.{column}", client.id, getattr(client, f"{column}_enc")
        )
        for column in ("legal_name", "preferred_name", "phone", "email", "date_of_birth")
    }


def _contact_identifiers(client: Client, key: DataKey) -> list[str]:
    """Names, phone numbers and e-mail addresses of the client's contacts and personal
    representatives (`consent`), for the deny-list: they are other people."""
    found: list[str] = []
    for model, purpose in (
        (Contact, "contact.details"),
        (PersonalRepresentative, "representative.details"),
    ):
        for row in model.objects.filter(client=client):
            details = open_json(key, purpose, row.id, row.details_enc)
            found += [str(details.get(k) or "") for k in ("name", "phone", "email")]
    return [f for f in found if f.strip()]


def _own(texts: Mapping[str, str]) -> redaction.Own:
    return redaction.Own(
        names=(texts["legal_name"], texts["preferred_name"]),
        phones=(texts["phone"],),
        emails=(texts["email"],),
    )


def _deny_list(
    key: DataKey, request: DisclosureRequest, client: Client, own: redaction.Own
) -> list[str]:
    listed = key.decrypt_text(purpose_of("extra_names"), request.id, request.extra_names_enc)
    names = [line.strip() for line in listed.replace(",", "\n").splitlines() if line.strip()]
    return redaction.name_variants([*names, *_contact_identifiers(client, key)], keep_out=own.names)


@dataclass(frozen=True)
class Selection:
    notes: list[Note]
    withheld: dict[str, int]


def select_notes(actor: Actor, request: DisclosureRequest, client: Client) -> Selection:
    """The notes a release of this request may carry, and how many others in range were left
    out and why (only notes the actor may read are counted, so nothing else is revealed)."""
    allowed = dec.releasable(request.decisions)
    excluded = dec.excluded_by_own_decision(request.decisions)
    in_range = list(
        Note.objects.filter(
            client=client,
            agency_id=request.agency_id,
            occurred_on__gte=request.date_from,
            occurred_on__lte=request.date_to,
        )
        .select_related("author", "case")
        .order_by("occurred_on", "created_at")
    )
    for note in in_range:
        note.client = client
    decisions = authorize_many(actor, Action.NOTE_VIEW, in_range)
    chosen: list[Note] = []
    withheld: Counter[str] = Counter()
    for note, decision in zip(in_range, decisions, strict=True):
        if not decision.allowed:
            continue
        categories = dec.note_categories(note.kind, note.labels)
        if note.status != NoteStatus.SIGNED:
            withheld["unsigned"] += 1
        elif not dec.covered(categories, allowed) or categories & excluded:
            withheld["category_not_allowed"] += 1
        else:
            chosen.append(note)
    return Selection(chosen, dict(withheld))


def _body(key: DataKey, note: Note) -> str:
    return key.decrypt_text("records_note.body", note.id, note.body_enc)


@transaction.atomic
def packet_build(*, actor: Actor, request_id: UUID | str) -> ReleasePacket:
    """Choose the notes an allowed request may release and propose redactions of other
    people's identifiers (for a person to review). Building again replaces an unreleased draft.

    Needs disclosure:release on the client (care team). Writes disclosures:packet:built with the
    note ids and the number of proposals. Raises NotFound, NotReleasable, RecordUnreadable.
    """
    request, policy_ids = authorized_request(
        actor, request_id, Action.DISCLOSURE_RELEASE, lock=True
    )
    if request.status not in (RequestStatus.READY, RequestStatus.RELEASED):
        raise NotReleasable("the decision does not allow a release of this request.")
    client = Client.objects.get(id=request.client_id)
    key = key_for(client.id)
    selection = select_notes(actor, request, client)
    texts = _client_texts(key, client)
    own = _own(texts)
    deny = _deny_list(key, request, client, own)
    old = ReleasePacket.objects.filter(request=request).first()
    if old is not None:
        if Delivery.objects.filter(packet=old).exists():
            raise NotReleasable("this packet was already released; open a new request.")
        old.delete()  # an unreleased draft: its proposals go with it
    packet = ReleasePacket.objects.create(
        id=uuid.uuid4(),
        agency_id=request.agency_id,
        request=request,
        built_by_id=actor.user_id,
        status=PacketStatus.DRAFT,
        note_ids=[str(n.id) for n in selection.notes],
        withheld=selection.withheld,
        includes_part2=any(
            "substance_use_part2" in dec.note_categories(n.kind, n.labels) for n in selection.notes
        ),
    )
    proposals = [
        Redaction(packet=packet, note_id=note.id, start=s.start, end=s.end, entity=s.entity)
        for note in selection.notes
        for s in redaction.propose(_body(key, note), deny=deny, own=own)
    ]
    Redaction.objects.bulk_create(proposals)
    if not proposals:
        packet.status = PacketStatus.APPROVED
        packet.save(update_fields=["status", "updated_at"])
    ledger.record(
        actor=actor,
        event_type=EventType.PACKET_BUILT,
        subject_type="release_packet",
        subject_id=packet.id,
        client_id=client.id,
        policy_ids=policy_ids,
        details={
            "request": str(request.id),
            "notes": packet.note_ids,
            "proposed_redactions": len(proposals),
            "withheld": sum(selection.withheld.values()),
        },
    )
    return packet


def packet_for(
    actor: Actor, packet_id: UUID | str, *, lock: bool = False
) -> tuple[ReleasePacket, tuple[str, ...]]:
    """A packet whose request the actor may release, or NotFound."""
    parsed = parse_id(packet_id)
    query = ReleasePacket.objects.filter(agency_id=actor.agency_id)
    found = query.filter(id=parsed).first() if parsed else None
    if found is None:
        raise NotFound("release packet")
    try:
        _, policy_ids = authorized_request(
            actor, found.request_id, Action.DISCLOSURE_RELEASE, lock=lock
        )
    except NotFound:
        raise NotFound("release packet") from None
    if lock:
        found = ReleasePacket.objects.select_for_update().get(id=found.id)
    return found, policy_ids


@transaction.atomic
def redactions_decide(
    *, actor: Actor, packet_id: UUID | str, choices: Mapping[str, str]
) -> ReleasePacket:
    """Record a person's decision on proposed redactions (redact or keep). When none is left
    pending the packet is ready to release.

    Needs disclosure:release. Writes disclosures:packet:redactions_reviewed with the counts.
    Raises NotFound, ValidationFailed (an unknown redaction or choice).
    """
    packet, policy_ids = packet_for(actor, packet_id, lock=True)
    allowed = {RedactionChoice.ACCEPTED.value, RedactionChoice.REJECTED.value}
    rows = {str(r.id): r for r in packet.redactions.all()}
    bad = {rid for rid, choice in choices.items() if rid not in rows or choice not in allowed}
    if bad:
        raise ValidationFailed({"redactions": f"{len(bad)} unknown redaction(s) or choice(s)"})
    for rid, choice in choices.items():
        row = rows[rid]
        row.choice, row.decided_by_id = choice, actor.user_id
    Redaction.objects.bulk_update(
        [rows[r] for r in choices], ["choice", "decided_by", "updated_at"]
    )
    pending = packet.redactions.filter(choice=RedactionChoice.PENDING).count()
    packet.status = PacketStatus.DRAFT if pending else PacketStatus.APPROVED
    packet.save(update_fields=["status", "updated_at"])
    counts = Counter(choices.values())
    ledger.record(
        actor=actor,
        event_type=EventType.REDACTIONS_REVIEWED,
        subject_type="release_packet",
        subject_id=packet.id,
        client_id=Client.objects.only("id").get(id=packet.request.client_id).id,
        policy_ids=policy_ids,
        details={
            "accepted": counts.get("accepted", 0),
            "rejected": counts.get("rejected", 0),
            "pending": pending,
        },
    )
    return packet


# ---- releasing ----------------------------------------------------------------------------------


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
    return request, policy_ids


def _approved_packet(request: DisclosureRequest) -> ReleasePacket:
    packet = ReleasePacket.objects.select_for_update().filter(request=request).first()
    if packet is None:
        raise NotReleasable("build the release packet first.")
    pending = packet.redactions.filter(choice=RedactionChoice.PENDING).count()
    if pending or packet.status != PacketStatus.APPROVED:
        raise RedactionsPending(pending)
    return packet


def _content(
    actor: Actor,
    request: DisclosureRequest,
    packet: ReleasePacket,
    key: DataKey,
    method: str,
    today: dt.date,
) -> packet_pdf.PacketContent:
    client = Client.objects.get(id=request.client_id)
    texts = _client_texts(key, client)
    ids = [UUID(i) for i in packet.note_ids]
    notes = {
        n.id: n for n in Note.objects.filter(id__in=ids, client=client).select_related("author")
    }
    accepted: dict[UUID, list[redaction.Span]] = {}
    for r in packet.redactions.filter(choice=RedactionChoice.ACCEPTED):
        accepted.setdefault(r.note_id, []).append(redaction.Span(r.start, r.end, r.entity))
    allowed = dec.releasable(request.decisions)
    return packet_pdf.PacketContent(
        agency=Agency.objects.get(id=request.agency_id).name,
        client_name=texts["legal_name"],
        client_dob=texts["date_of_birth"],
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
        legal_basis=tuple(dec.citations_of(request.decisions, allowed)),
        conditions=tuple(
            dec.plain_condition(c) for c in sorted(dec.conditions_of(request.decisions, allowed))
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
                text=redaction.apply(_body(key, notes[i]), accepted.get(i, [])),
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
        day = delivery.disclosed_at.date().isoformat()

        def send() -> None:
            send_mail(
                subject=f"{agency}: information from your record was shared",
                message=(
                    f"On {day}, {agency} shared information from your record, as the law "
                    "allows. You may ask your worker or the privacy officer what was shared, "
                    "with whom and why, and ask for an accounting of disclosures.\n"
                ),
                from_email=None,
                recipient_list=[email],
                fail_silently=True,
            )

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
    actor: Actor, request: DisclosureRequest, key: DataKey, delivery: Delivery, notes: int
) -> None:
    allowed = dec.releasable(request.decisions)
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
        legal_basis="; ".join(dec.citations_of(request.decisions, allowed))[:300] or "See decision",
        excluded_kind=excluded_kind(request),
        release_id=delivery.id,
    )
    delivery.accounting_entry = entry


def _hash(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def new_code() -> str:
    return f"{secrets.randbelow(10**8):08d}"


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
) -> Released:
    """Release an allowed request: print (the PDF is returned), a one-time link (token and code
    returned once, stored only hashed; the link e-mailed to `recipient_email` if given, the code
    to be given separately), or a verbal disclosure recorded afterwards (`summary`,
    `disclosed_at`). Writes the accounting entry, disclosures:release:released (with the PDF's
    SHA-256) and tells the client unless an exception is recorded.

    Needs disclosure:release. Raises NotFound, NotReleasable (in review, refused, no packet),
    RedactionsPending, ValidationFailed.
    """
    request, policy_ids = _releasable_request(actor, request_id)
    p = Problems()
    if method not in DeliveryMethod.values:
        p.fields["method"] = "must be one of: " + ", ".join(DeliveryMethod.values)
    exception, reason = _clean_notice(p, notice)
    when = clock.now()
    text = ""
    if method == DeliveryMethod.VERBAL:
        text = p.text("summary", summary, limit=MAX_SUMMARY)
        if not isinstance(disclosed_at, dt.datetime) or disclosed_at.tzinfo is None:
            p.fields["disclosed_at"] = "must be a date and time with its time zone"
        elif disclosed_at > when or disclosed_at < request.created_at - dt.timedelta(days=1):
            p.fields["disclosed_at"] = "must be between the request's date and now"
        else:
            when = disclosed_at
    email = ""
    if method == DeliveryMethod.LINK:
        email = p.text("recipient_email", recipient_email, limit=MAX_EMAIL, required=False)
        if email and ("@" not in email or any(c.isspace() for c in email)):
            p.fields["recipient_email"] = "must be an e-mail address"
    p.raise_if_any()
    key = key_for(request.client_id)
    packet = None if method == DeliveryMethod.VERBAL else _approved_packet(request)
    delivery = Delivery(
        id=uuid.uuid4(),
        agency_id=request.agency_id,
        client_id=request.client_id,
        request=request,
        packet=packet,
        method=method,
        released_by_id=actor.user_id,
        disclosed_at=when,
        notice_exception=exception,
    )
    result_pdf: bytes | None = None
    if packet is not None:
        result_pdf = packet_pdf.render(_content(actor, request, packet, key, method, when.date()))
        delivery.digest = packet_pdf.digest(result_pdf)
        delivery.pdf = _store_pdf(actor, request, key, result_pdf)
    token = code = None
    if method == DeliveryMethod.LINK:
        token, code = secrets.token_urlsafe(32), new_code()
        delivery.token_hash = _hash("token", token)
        delivery.code_hash = _hash("code", token, code)
        delivery.expires_at = when + dt.timedelta(hours=settings.CONFIDE_RELEASE_LINK_HOURS)
    purpose = f"{DELIVERY_TABLE}.summary"
    delivery.summary_enc = key.encrypt_text(purpose, delivery.id, text)
    delivery.notice_reason_enc = key.encrypt_text(
        f"{DELIVERY_TABLE}.notice_reason", delivery.id, reason
    )
    _account(actor, request, key, delivery, len(packet.note_ids) if packet else 0)
    delivery.client_notice = _tell_client(actor, request, key, delivery, exception)
    delivery.save(force_insert=True)
    request.status = RequestStatus.RELEASED
    request.save(update_fields=["status", "updated_at"])
    ledger.record(
        actor=actor,
        event_type=EventType.DISCLOSURE_RELEASED,
        subject_type="disclosure_delivery",
        subject_id=delivery.id,
        client_id=request.client_id,
        policy_ids=policy_ids,
        details={
            "request": str(request.id),
            "method": method,
            "notes": list(packet.note_ids) if packet else [],
            "sha256": delivery.digest or None,
            "accounting_entry": str(delivery.accounting_entry_id),
            "client_notice": delivery.client_notice,
            "notice_exception": exception or None,
        },
    )
    if token is not None and email:
        _send_link(email, token)
    return Released(delivery, result_pdf, token, code)


def link_url(token: str) -> str:
    return settings.CONFIDE_BASE_URL.rstrip("/") + f"/r/{token}/"


def _send_link(email: str, token: str) -> None:
    url = link_url(token)

    def send() -> None:
        send_mail(
            subject="Confidential records: one-time link",
            message=(
                "Records were released to you. Open this link once, and enter the verification "
                f"code the sender gives you separately:\n\n{url}\n\nThe link expires in "
                f"{settings.CONFIDE_RELEASE_LINK_HOURS} hours.\n"
            ),
            from_email=None,
            recipient_list=[email],
            fail_silently=True,
        )

    transaction.on_commit(send)


# ---- the recipient's one-time link --------------------------------------------------------------


def _link(token: object, *, lock: bool = False) -> Delivery:
    if not isinstance(token, str) or not 20 <= len(token) <= 100:
        raise LinkUnavailable("unknown")
    query = Delivery.objects.filter(method=DeliveryMethod.LINK, token_hash=_hash("token", token))
    found = (query.select_for_update() if lock else query).first()
    if found is None:
        raise LinkUnavailable("unknown")
    if found.used_at is not None:
        raise LinkUnavailable("used")
    if found.failed_attempts >= settings.CONFIDE_RELEASE_LINK_ATTEMPTS:
        raise LinkUnavailable("locked")
    if found.expires_at is None or found.expires_at <= clock.now():
        raise LinkUnavailable("expired")
    return found


def link_check(token: object) -> None:
    """Whether a link may still be opened (no client data, no event). Raises LinkUnavailable."""
    _link(token)


def _link_event(delivery: Delivery, event: EventType, details: dict[str, Any]) -> None:
    ledger.record(
        actor=None,
        agency_id=delivery.agency_id,
        channel="link",
        event_type=event,
        subject_type="disclosure_delivery",
        subject_id=delivery.id,
        client_id=delivery.client_id,
        details=details,
    )


def link_redeem(token: object, code: object) -> tuple[str, bytes]:
    """The packet's file name and PDF, once, for the right code. A wrong code counts against
    the link (it closes after CONFIDE_RELEASE_LINK_ATTEMPTS); the count is kept even though the
    call fails. Writes disclosures:link:opened or disclosures:link:refused. Raises
    LinkUnavailable, WrongCode.
    """
    with transaction.atomic():
        delivery = _link(token, lock=True)
        given = code.strip() if isinstance(code, str) else ""
        if not hmac.compare_digest(_hash("code", str(token), given), delivery.code_hash):
            Delivery.objects.filter(id=delivery.id).update(failed_attempts=F("failed_attempts") + 1)
            left = settings.CONFIDE_RELEASE_LINK_ATTEMPTS - delivery.failed_attempts - 1
            _link_event(delivery, EventType.RELEASE_LINK_REFUSED, {"attempts_left": max(left, 0)})
            wrong: WrongCode | LinkUnavailable = (
                WrongCode(left) if left > 0 else LinkUnavailable("locked")
            )
        else:
            delivery.used_at = clock.now()
            delivery.save(update_fields=["used_at", "updated_at"])
            attachment = Attachment.objects.get(id=delivery.pdf_id or uuid.UUID(int=0))
            data = key_for(delivery.client_id).decrypt(
                "records_attachment.blob", attachment.id, files.load(attachment)
            )
            _link_event(delivery, EventType.RELEASE_LINK_OPENED, {"sha256": delivery.digest})
            return f"release-{delivery.request_id}.pdf", data
    raise wrong  # outside the transaction, so the failed attempt stays counted
