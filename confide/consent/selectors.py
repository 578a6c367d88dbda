"""The consent app's readers.

Restrictions: the privacy officer's queue and a client's own list on their record (clients
named by case number only, never by name). For other modules, without an actor and without
revealing any confidential text: `communication_preferences` (messaging and the disclosure
workflow: may we reach the client on this channel?) and `personal_representatives` (who may act
for the client, and whether guardian-facing output must leave out what a minor consented to
alone)."""

from __future__ import annotations

import base64
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from uuid import UUID

from django.db import transaction
from django.db.models import Exists, F, Max, OuterRef, Q, QuerySet

from confide.access.lookups import get_authorized
from confide.access.policy import GUARDIAN, Action, authorize_many
from confide.consent import readability
from confide.consent.enums import (
    AuthorityScope,
    Channel,
    ClientDecision,
    ContactKind,
    Language,
    MayBeTold,
    RecipientKind,
    RepresentativeKind,
    RestrictionKind,
    RestrictionStatus,
    SignatureKind,
)
from confide.consent.models import (
    Acknowledgement,
    CommunicationPreference,
    Contact,
    DisclosureRestriction,
    Notice,
    PersonalRepresentative,
    Restriction,
)
from confide.consent.sealed import UNREADABLE, key_or_none, open_json, open_text
from confide.core import clock
from confide.core.actor import Actor
from confide.core.enums import Role
from confide.core.errors import NotFound, NotPermitted
from confide.core.ids import parse_id
from confide.crypto.envelope import DataKey, DecryptionFailed
from confide.disclosures.engine import states
from confide.ledger import services as ledger
from confide.ledger.enums import EventType
from confide.records.models import Case, Client, Note
from confide.training.models import ConflictDeclaration

RECENT = 50


@dataclass(frozen=True)
class RestrictionRow:
    id: UUID
    client_id: UUID
    case_numbers: list[str]
    kind: str
    kind_label: str
    target: str
    status: str
    status_label: str
    requested_by: str
    requested_at: dt.datetime
    decided_at: dt.datetime | None


def case_numbers(client_ids: Iterable[UUID]) -> dict[UUID, list[str]]:
    """Each client's case numbers: how staff without client access refer to a record."""
    numbers: dict[UUID, list[str]] = defaultdict(list)
    rows = Case.objects.filter(client_id__in=list(client_ids)).order_by("case_number")
    for client_id, number in rows.values_list("client_id", "case_number"):
        numbers[client_id].append(number)
    return numbers


def _rows(restrictions: list[Restriction]) -> list[RestrictionRow]:
    numbers = case_numbers({r.client_id for r in restrictions})
    return [
        RestrictionRow(
            id=r.id,
            client_id=r.client_id,
            case_numbers=numbers[r.client_id],
            kind=r.kind,
            kind_label=RestrictionKind(r.kind).label,
            target=(r.staff.display_name if r.staff else r.program.name if r.program else ""),
            status=r.status,
            status_label=RestrictionStatus(r.status).label,
            requested_by=r.requested_by.display_name,
            requested_at=r.created_at,
            decided_at=r.decided_at,
        )
        for r in restrictions
    ]


def _query() -> QuerySet[Restriction]:
    return Restriction.objects.select_related("staff", "program", "requested_by")


def _walled(actor: Actor) -> Exists:
    return Exists(
        ConflictDeclaration.objects.filter(
            client_id=OuterRef("client_id"), user_id=actor.user_id, removed_at=None
        )
    )


def requested_count(*, actor: Actor) -> int:
    """Requests awaiting a privacy officer's decision (0 for other roles)."""
    if actor.role != Role.PRIVACY_OFFICER:
        return 0
    return (
        Restriction.objects.filter(agency_id=actor.agency_id, status=RestrictionStatus.REQUESTED)
        .exclude(_walled(actor))
        .count()
    )


@transaction.atomic
def restriction_queue(*, actor: Actor) -> tuple[list[RestrictionRow], list[RestrictionRow]]:
    """Requests awaiting a decision (oldest first) and agreed restrictions in force.

    Privacy officers only; never a client walled off from them. Writes records:client:viewed
    naming the clients listed. Raises NotPermitted.
    """
    if actor.role != Role.PRIVACY_OFFICER:
        raise NotPermitted("This page is for privacy officers.")
    base = _query().filter(agency_id=actor.agency_id).exclude(_walled(actor))
    requested = _rows(list(base.filter(status=RestrictionStatus.REQUESTED).order_by("created_at")))
    agreed = _rows(
        list(base.filter(status=RestrictionStatus.AGREED).order_by("-decided_at")[:RECENT])
    )
    clients = sorted({str(r.client_id) for r in [*requested, *agreed]})
    if clients:
        ledger.record(
            actor=actor,
            event_type=EventType.CLIENT_VIEWED,
            subject_type="restriction_queue",
            details={"clients": clients, "fields": "restrictions"},
        )
    return requested, agreed


def client_restrictions(*, actor: Actor, client_id: UUID | str) -> list[RestrictionRow]:
    """A client's restriction requests, newest first, for staff who may see the record.

    Needs client:view (the caller has just shown the record, whose view event covers this).
    Raises NotFound.
    """
    client, _ = get_authorized(actor, Client, client_id, Action.CLIENT_VIEW)
    return _rows(list(_query().filter(client=client).order_by("-created_at")))


# ---- for other modules: communication preferences --------------------------------------------


@dataclass(frozen=True)
class CommunicationPreferences:
    """The channels a client may be reached on. No preference recorded means allowed."""

    client_id: UUID
    forbidden: frozenset[str]
    messages_ok: frozenset[str]

    def allows(self, channel: str) -> bool:
        """Whether the agency may contact the client on `channel` (email, phone, text, mail,
        portal). An unknown channel name is a programming error: ValueError."""
        if channel not in Channel.values:
            raise ValueError(f"unknown channel {channel!r}; one of {', '.join(Channel.values)}")
        return channel not in self.forbidden

    def may_leave_message(self, channel: str) -> bool:
        """Whether a message with content may be left (a voicemail, say): only where the client
        said yes; with nothing recorded, reach them but leave no content."""
        return self.allows(channel) and channel in self.messages_ok


def communication_preferences(client_id: UUID) -> CommunicationPreferences:
    """The client's channel rules, for deciding how (and whether) to notify them. Reveals no
    address or note, so it needs no actor and writes no ledger event."""
    rows = CommunicationPreference.objects.filter(client_id=client_id).values_list(
        "channel", "allowed", "leave_message"
    )
    return CommunicationPreferences(
        client_id=client_id,
        forbidden=frozenset(c for c, allowed, _ in rows if not allowed),
        messages_ok=frozenset(c for c, allowed, leave in rows if allowed and leave),
    )


# ---- for other modules: representatives, disclosure restrictions, guardian outputs ----------


@dataclass(frozen=True)
class Representative:
    """A personal representative as other modules see it: who they are to the client and the
    scope of their authority, never their name or contact details."""

    id: UUID
    client_id: UUID
    kind: str
    scope: tuple[str, ...]
    starts_on: dt.date
    ends_on: dt.date | None

    @property
    def is_guardian_of_a_minor(self) -> bool:
        return self.kind in (RepresentativeKind.PARENT, RepresentativeKind.GUARDIAN)


def personal_representatives(client_id: UUID, on: dt.date | None = None) -> list[Representative]:
    """The client's representatives in force on `on` (today by default). Anything shown to
    them goes through `guardian_may_see` (or `authorize(..., audience=GUARDIAN)`), which keeps
    out what a minor consented to alone."""
    day = on or clock.now().date()
    rows = (
        PersonalRepresentative.objects.filter(
            client_id=client_id, ended_at=None, starts_on__lte=day
        )
        .filter(Q(ends_on=None) | Q(ends_on__gte=day))
        .order_by("starts_on", "id")
    )
    return [
        Representative(r.id, r.client_id, r.kind, tuple(r.scope), r.starts_on, r.ends_on)
        for r in rows
    ]


def guardian_may_see(actor: Actor, resources: list[Client] | list[Note]) -> list[bool]:
    """For each client or note, whether it may go into output meant for a guardian or parent
    (a portal view, a release to them): the access policy decides with audience "guardian",
    which withholds everything labelled minor_consented."""
    decisions = authorize_many(
        actor,
        Action.NOTE_VIEW if _notes(resources) else Action.CLIENT_VIEW,
        list(resources),
        audience=GUARDIAN,
    )
    return [d.allowed for d in decisions]


def _notes(resources: list[Client] | list[Note]) -> bool:
    return bool(resources) and isinstance(resources[0], Note)


@dataclass(frozen=True)
class DisclosureLimit:
    """An agreed restriction on disclosure, as the disclosure workflow needs it: to whom
    (kind) and whether it is the mandatory self-pay one. The wording stays sealed."""

    id: UUID
    recipient_kind: str
    paid_in_full: bool


def disclosure_limits(client_id: UUID) -> list[DisclosureLimit]:
    """Agreed restrictions on disclosure in force for the client."""
    rows = DisclosureRestriction.objects.filter(
        client_id=client_id, status=RestrictionStatus.AGREED
    ).order_by("created_at")
    return [DisclosureLimit(r.id, r.recipient_kind, r.paid_in_full) for r in rows]


@dataclass(frozen=True)
class ContactPermission:
    """What the client said a contact may be told (164.510(b)), without who the contact is:
    the disclosure workflow matches a recipient to a contact by id, chosen by staff."""

    id: UUID
    kind: str
    objected: bool
    may_be_told: frozenset[str]

    def may_tell(self, topic: str) -> bool:
        return not self.objected and topic in self.may_be_told


def contact_permissions(client_id: UUID) -> list[ContactPermission]:
    """The client's current contacts and what each may be told (removed ones left out)."""
    rows = Contact.objects.filter(client_id=client_id, ended_at=None).order_by("created_at")
    return [
        ContactPermission(
            r.id, r.kind, r.decision == ClientDecision.OBJECTED, frozenset(r.may_be_told)
        )
        for r in rows
    ]


# ---- the notice ------------------------------------------------------------------------------


@dataclass(frozen=True)
class NoticeBlock:
    kind: str  # "heading", "paragraph" or "list"
    lines: tuple[str, ...]


def notice_blocks(body: str) -> list[NoticeBlock]:
    """A notice's plain text as blocks for a page: "## " starts a heading, "- " a list item,
    a blank line ends a paragraph."""
    blocks: list[NoticeBlock] = []
    for chunk in body.replace("\r\n", "\n").split("\n\n"):
        lines = [line.strip() for line in chunk.split("\n") if line.strip()]
        paragraph: list[str] = []
        items: list[str] = []
        for line in lines:
            if line.startswith("## "):
                blocks += _flush(paragraph, items)
                paragraph, items = [], []
                blocks.append(NoticeBlock("heading", (line[3:],)))
            elif line.startswith("- "):
                blocks += _flush(paragraph, [])
                paragraph = []
                items.append(line[2:])
            else:
                blocks += _flush([], items)
                items = []
                paragraph.append(line)
        blocks += _flush(paragraph, items)
    return blocks


def _flush(paragraph: list[str], items: list[str]) -> list[NoticeBlock]:
    out = []
    if paragraph:
        out.append(NoticeBlock("paragraph", (" ".join(paragraph),)))
    if items:
        out.append(NoticeBlock("list", tuple(items)))
    return out


def current_notices(agency_id: UUID) -> dict[str, Notice]:
    """The newest version's text in each language it was published in."""
    latest = Notice.objects.filter(agency_id=agency_id).aggregate(v=Max("version"))["v"]
    if latest is None:
        return {}
    return {n.language: n for n in Notice.objects.filter(agency_id=agency_id, version=latest)}


def notice_versions(agency_id: UUID) -> list[Notice]:
    return list(Notice.objects.filter(agency_id=agency_id).order_by("-version", "language"))


@dataclass(frozen=True)
class NoticeStatus:
    current_version: int | None
    acknowledged_version: int | None
    acknowledged_at: dt.datetime | None
    needs_acknowledgement: bool
    reason: str  # "", "none_published", "never", "material_change"


def notice_status(*, actor: Actor, client_id: UUID | str) -> NoticeStatus:
    """Whether the client has acknowledged the notice, and whether a material new version asks
    for a new acknowledgement. Needs consent:notice:acknowledge (care team or intake), or the
    record's view for staff who see it. Raises NotFound."""
    client = _client_for_notice(actor, client_id)
    return _status(client)


def _client_for_notice(actor: Actor, client_id: UUID | str) -> Client:
    client, _ = get_authorized(actor, Client, client_id, Action.NOTICE_ACKNOWLEDGE)
    return client


def _status(client: Client) -> NoticeStatus:
    current = Notice.objects.filter(agency_id=client.agency_id).aggregate(v=Max("version"))["v"]
    last = (
        Acknowledgement.objects.filter(client=client)
        .select_related("notice")
        .order_by("-notice__version", "-acknowledged_at")
        .first()
    )
    if current is None:
        return NoticeStatus(None, None, None, False, "none_published")
    if last is None:
        return NoticeStatus(current, None, None, True, "never")
    material_since = Notice.objects.filter(
        agency_id=client.agency_id, version__gt=last.notice.version, material=True
    ).exists()
    return NoticeStatus(
        current,
        last.notice.version,
        last.acknowledged_at,
        material_since,
        "material_change" if material_since else "",
    )


# ---- the consent record of one client (its page) -------------------------------------------


@dataclass(frozen=True)
class AcknowledgementRow:
    id: UUID
    version: int
    language: str
    typed_name: str
    signature_kind: str
    signature_data_url: str  # the drawn signature as a data: URL for an <img>, or ""
    witness: str
    acknowledged_at: dt.datetime


@dataclass(frozen=True)
class ContactRow:
    id: UUID
    kind: str
    kind_label: str
    name: str
    relationship: str
    phone: str
    email: str
    address: str
    may_be_told: tuple[str, ...]
    may_be_told_labels: tuple[str, ...]
    decision: str
    decision_label: str
    decided_on: dt.date
    ended: bool


@dataclass(frozen=True)
class PreferenceRow:
    channel: str
    channel_label: str
    recorded: bool
    allowed: bool
    leave_message: bool
    address: str
    safe_times: str


@dataclass(frozen=True)
class RepresentativeRow:
    id: UUID
    kind: str
    kind_label: str
    scope_labels: tuple[str, ...]
    name: str
    relationship: str
    phone: str
    email: str
    authority: str
    starts_on: dt.date
    ends_on: dt.date | None
    ended: bool


@dataclass(frozen=True)
class DisclosureRestrictionRow:
    id: UUID
    recipient_kind_label: str
    recipient: str
    information: str
    paid_in_full: bool
    status: str
    status_label: str
    requested_at: dt.datetime


@dataclass(frozen=True)
class ConsentRecord:
    client_id: UUID
    notice: NoticeStatus
    acknowledgements: list[AcknowledgementRow]
    contacts: list[ContactRow]
    preferences: list[PreferenceRow]
    representatives: list[RepresentativeRow]
    disclosure_restrictions: list[DisclosureRestrictionRow]


@transaction.atomic
def consent_record_get(*, actor: Actor, client_id: UUID | str) -> ConsentRecord:
    """Everything the consent page shows for one client, decrypted.

    Needs consent:view (the client's care team). Writes consent:record:viewed. Raises NotFound
    (also for staff who may not see it).
    """
    client, decision = get_authorized(actor, Client, client_id, Action.CONSENT_VIEW)
    key = key_or_none(client.id)
    record = ConsentRecord(
        client_id=client.id,
        notice=_status(client),
        acknowledgements=_acknowledgements(client, key),
        contacts=_contacts(client, key),
        preferences=_preferences(client, key),
        representatives=_representatives(client, key),
        disclosure_restrictions=_disclosure_restrictions(client, key),
    )
    ledger.record(
        actor=actor,
        event_type=EventType.CONSENT_VIEWED,
        subject_type="client",
        subject_id=client.id,
        client_id=client.id,
        policy_ids=decision.policy_ids,
        details={
            "fields": [
                "acknowledgements",
                "contacts",
                "preferences",
                "representatives",
                "disclosure_restrictions",
            ]
        },
    )
    return record


def _acknowledgements(client: Client, key: DataKey | None) -> list[AcknowledgementRow]:
    rows = (
        Acknowledgement.objects.filter(client=client)
        .select_related("notice", "witness")
        .order_by("-acknowledged_at")
    )
    return [
        AcknowledgementRow(
            id=a.id,
            version=a.notice.version,
            language=Language(a.notice.language).label,
            typed_name=open_text(key, "acknowledgement.typed_name", a.id, a.typed_name_enc),
            signature_kind=SignatureKind(a.signature_kind).label,
            signature_data_url=_signature_url(key, a),
            witness=a.witness.display_name,
            acknowledged_at=a.acknowledged_at,
        )
        for a in rows
    ]


def _signature_url(key: DataKey | None, acknowledgement: Acknowledgement) -> str:
    if acknowledgement.signature_enc is None or key is None:
        return ""
    try:
        png = key.decrypt(
            "consent_acknowledgement.signature", acknowledgement.id, acknowledgement.signature_enc
        )
    except DecryptionFailed:
        return ""
    return "data:image/png;base64," + base64.b64encode(png).decode()


def _contacts(client: Client, key: DataKey | None) -> list[ContactRow]:
    rows = Contact.objects.filter(client=client).order_by(
        F("ended_at").desc(nulls_first=True), "created_at"
    )
    out = []
    for c in rows:
        d = open_json(key, "contact.details", c.id, c.details_enc)
        out.append(
            ContactRow(
                id=c.id,
                kind=c.kind,
                kind_label=ContactKind(c.kind).label,
                name=d.get("name", UNREADABLE),
                relationship=d.get("relationship", ""),
                phone=d.get("phone", ""),
                email=d.get("email", ""),
                address=d.get("address", ""),
                may_be_told=tuple(c.may_be_told),
                may_be_told_labels=tuple(MayBeTold(v).label for v in c.may_be_told),
                decision=c.decision,
                decision_label=ClientDecision(c.decision).label,
                decided_on=c.decided_on,
                ended=c.ended_at is not None,
            )
        )
    return out


def _preferences(client: Client, key: DataKey | None) -> list[PreferenceRow]:
    saved = {p.channel: p for p in CommunicationPreference.objects.filter(client=client)}
    out = []
    for channel in Channel:
        p = saved.get(channel.value)
        out.append(
            PreferenceRow(
                channel=channel.value,
                channel_label=channel.label,
                recorded=p is not None,
                allowed=p.allowed if p else True,
                leave_message=p.leave_message if p else False,
                address=open_text(key, "communication.address", p.id, p.address_enc) if p else "",
                safe_times=(
                    open_text(key, "communication.safe_times", p.id, p.safe_times_enc) if p else ""
                ),
            )
        )
    return out


def _representatives(client: Client, key: DataKey | None) -> list[RepresentativeRow]:
    rows = PersonalRepresentative.objects.filter(client=client).order_by(
        F("ended_at").desc(nulls_first=True), "starts_on"
    )
    out = []
    for r in rows:
        d = open_json(key, "representative.details", r.id, r.details_enc)
        out.append(
            RepresentativeRow(
                id=r.id,
                kind=r.kind,
                kind_label=RepresentativeKind(r.kind).label,
                scope_labels=tuple(AuthorityScope(s).label for s in r.scope),
                name=d.get("name", UNREADABLE),
                relationship=d.get("relationship", ""),
                phone=d.get("phone", ""),
                email=d.get("email", ""),
                authority=d.get("authority", ""),
                starts_on=r.starts_on,
                ends_on=r.ends_on,
                ended=r.ended_at is not None,
            )
        )
    return out


def _disclosure_restrictions(client: Client, key: DataKey | None) -> list[DisclosureRestrictionRow]:
    rows = DisclosureRestriction.objects.filter(client=client).order_by("-created_at")
    return _restriction_rows(list(rows), key)


def _restriction_rows(
    rows: list[DisclosureRestriction], key: DataKey | None
) -> list[DisclosureRestrictionRow]:
    return [
        DisclosureRestrictionRow(
            id=r.id,
            recipient_kind_label=RecipientKind(r.recipient_kind).label,
            recipient=open_text(key, "disclosure_restriction.recipient", r.id, r.recipient_enc),
            information=open_text(
                key, "disclosure_restriction.information", r.id, r.information_enc
            ),
            paid_in_full=r.paid_in_full,
            status=r.status,
            status_label=RestrictionStatus(r.status).label,
            requested_at=r.created_at,
        )
        for r in rows
    ]


# ---- minors: the state table ---------------------------------------------------------------


@dataclass(frozen=True)
class MinorConsentDomain:
    """One row of the state minor-consent table (kept with the disclosure engine's data, the
    one place for these facts): a service a minor may consent to alone, from what age."""

    state: str
    service: str
    min_age: int | None
    session_limit: int | None
    parental_access: str
    citation: str
    source: str
    verified: bool

    @property
    def parental_access_label(self) -> str:
        return PARENTAL_ACCESS.get(self.parental_access, self.parental_access)


PARENTAL_ACCESS = {
    "prohibited": "Not allowed",
    "minor_consent_required": "Only with the minor's consent",
    "unknown": "Not settled in this table",
}


def minor_consent_domains(state: str | None = None) -> list[MinorConsentDomain]:
    """Rows of `confide/disclosures/engine/data/minor_consent.csv`, for one state or all."""
    return [
        MinorConsentDomain(
            state=r.state,
            service=r.service.value,
            min_age=r.min_age,
            session_limit=r.session_limit,
            parental_access=r.parental_access.value,
            citation=r.citation,
            source=r.source,
            verified=r.verified,
        )
        for r in states.minor_consent_rows()
        if state is None or r.state == state
    ]


# ---- the privacy officer's queue of disclosure restrictions --------------------------------


@dataclass(frozen=True)
class QueuedDisclosureRestriction:
    row: DisclosureRestrictionRow
    case_numbers: list[str]


@transaction.atomic
def disclosure_restriction_queue(
    *, actor: Actor
) -> tuple[list[QueuedDisclosureRestriction], list[QueuedDisclosureRestriction]]:
    """Disclosure restrictions awaiting a decision (oldest first) and the latest agreed ones,
    with what they cover (decrypted: the officer must know what they decide).

    Privacy officers only; never a client walled off from them. Writes records:client:viewed
    naming the clients listed. Raises NotPermitted.
    """
    if actor.role != Role.PRIVACY_OFFICER:
        raise NotPermitted("This page is for privacy officers.")
    base = DisclosureRestriction.objects.filter(agency_id=actor.agency_id).exclude(_walled(actor))
    requested = list(base.filter(status=RestrictionStatus.REQUESTED).order_by("created_at"))
    agreed = list(base.filter(status=RestrictionStatus.AGREED).order_by("-decided_at")[:RECENT])
    numbers = case_numbers({r.client_id for r in [*requested, *agreed]})
    keys = {c: key_or_none(c) for c in numbers}

    def queued(r: DisclosureRestriction) -> QueuedDisclosureRestriction:
        (row,) = _restriction_rows([r], keys.get(r.client_id))
        return QueuedDisclosureRestriction(row, numbers[r.client_id])

    clients = sorted({str(r.client_id) for r in [*requested, *agreed]})
    if clients:
        ledger.record(
            actor=actor,
            event_type=EventType.CLIENT_VIEWED,
            subject_type="disclosure_restriction_queue",
            details={"clients": clients, "fields": "disclosure_restrictions"},
        )
    return [queued(r) for r in requested], [queued(r) for r in agreed]


# ---- which client an object belongs to (for pages that return to it) -------------------------


def consent_client_check(*, actor: Actor, client_id: UUID | str) -> UUID:
    """The client's id if the actor may change its consent record (consent:manage), for a
    page that shows an empty form. Raises NotFound, NotPermitted."""
    client, _ = get_authorized(actor, Client, client_id, Action.CONSENT_MANAGE)
    return client.id


def _client_of_row(
    actor: Actor, model: type[Contact] | type[PersonalRepresentative], row_id: UUID | str
) -> UUID:
    parsed = parse_id(row_id)
    if parsed is None:
        raise NotFound(model.__name__.lower())
    client_id = (
        model.objects.filter(id=parsed, agency_id=actor.agency_id)
        .values_list("client_id", flat=True)
        .first()
    )
    if client_id is None:
        raise NotFound(model.__name__.lower())
    return consent_client_check(actor=actor, client_id=client_id)


def contact_client(*, actor: Actor, contact_id: UUID | str) -> UUID:
    """The client a contact belongs to, if the actor may manage it. Raises NotFound."""
    return _client_of_row(actor, Contact, contact_id)


def representative_client(*, actor: Actor, representative_id: UUID | str) -> UUID:
    """The client a representative belongs to, if the actor may manage it. Raises NotFound."""
    return _client_of_row(actor, PersonalRepresentative, representative_id)


def notice_scores(notices: dict[str, Notice]) -> dict[str, str]:
    """Each text's readability, in words: Flesch-Kincaid grade (English), Szigriszt-Pazos
    perspicuity (Spanish)."""
    scores = {}
    for language, notice in notices.items():
        if language == Language.SPANISH:
            scores[language] = f"Szigriszt-Pazos {readability.szigriszt_pazos(notice.body):.0f}"
        else:
            scores[language] = f"grade {readability.flesch_kincaid_grade(notice.body):.1f}"
    return scores
