"""Release packets: which notes an allowed request may release, and the redactions of other
people's identifiers that a person reviews before anything goes out.

Minimum necessary: a packet holds only signed notes dated within the request's range whose
every category the decision allows (psychotherapy notes and Part 2 records only when their own
category was allowed), and only notes the person building it may read (`note:view`); nothing
else from the record goes in except the identifiers on the cover sheet.

Minors (domain brief 4.2 and 13): what a minor consented to alone never goes to a parent or
guardian, nor out under a release of information a personal representative signed, since the
representative has no authority over it. `audience_for` says which of the two audiences a
request's notes are decided for; the packet's build and the check at release both use it.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from uuid import UUID

from django.db import transaction

from confide.access.policy import GUARDIAN, STAFF, Action, authorize_many
from confide.consent.models import Contact, PersonalRepresentative
from confide.consent.sealed import open_json
from confide.core.actor import Actor
from confide.core.errors import NotFound, ValidationFailed
from confide.core.ids import row_or_not_found
from confide.crypto.envelope import DataKey
from confide.disclosures import decisions as dec
from confide.disclosures import redaction
from confide.disclosures.engine.context import PARENTS
from confide.disclosures.engine.facts import Purpose, Recipient
from confide.disclosures.enums import PacketStatus, RedactionChoice, RequestStatus
from confide.disclosures.errors import NotReleasable, readable
from confide.disclosures.models import Delivery, DisclosureRequest, Redaction, ReleasePacket
from confide.disclosures.services import (
    authorized_request,
    key_for,
    purpose_of,
    require_consents_in_effect,
    rests_on_a_representatives_signature,
)
from confide.ledger import services as ledger
from confide.ledger.enums import EventType
from confide.records.enums import NoteStatus
from confide.records.models import Client, Note


def client_texts(key: DataKey, client: Client) -> dict[str, str]:
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


# Recipients who are, or may be, a minor's parent or guardian (a grandparent raising the child is
# a family member), and a parent's inquiry whoever makes it.
GUARDIAN_RECIPIENTS = PARENTS | {Recipient.FAMILY_MEMBER}


def for_a_guardian(request: DisclosureRequest) -> bool:
    """Whether a release of this request is output meant for a guardian, which never carries
    what a minor consented to alone (a labelled note, or any note of a client so labelled)."""
    return (
        request.recipient_type in GUARDIAN_RECIPIENTS or request.purpose == Purpose.PARENT_INQUIRY
    )


def audience_for(request: DisclosureRequest) -> str:
    """The audience the access policy decides this request's notes for: "guardian" when the
    release is meant for a guardian (`for_a_guardian`) or rests on a release of information a
    personal representative signed (`services.rests_on_a_representatives_signature`), else
    staff. The guardian audience withholds everything labelled minor_consented, a note or a
    whole client (policy `label.minor_consented.guardian`): a parent, guardian or other
    representative can neither receive nor authorize the release of what a minor consented to
    alone (45 CFR 164.502(g)(3); 42 CFR 2.14; domain brief 4.2, 8.6 and 13). The label decides,
    not the client's age today: what was consented to alone stays so after the client turns 18.
    The client may still release a record labelled as a whole under their own signature; a note
    labelled on its own maps to no category, so no packet carries it (`dec.note_categories`)."""
    if for_a_guardian(request) or rests_on_a_representatives_signature(request):
        return GUARDIAN
    return STAFF


def _notes_in_range(request: DisclosureRequest, client: Client) -> list[Note]:
    """Every note of the client dated in the request's range, oldest first, each bound to this
    client instance (so the policy reads its facts once)."""
    in_range = list(
        Note.objects.filter(
            client=client,
            agency_id=request.agency_id,
            occurred_on__gte=request.date_from,
            occurred_on__lte=request.date_to,
        )
        .select_related("author", "case__program")
        .order_by("occurred_on", "created_at")
    )
    for note in in_range:
        note.client = client
    return in_range


def select_notes(actor: Actor, request: DisclosureRequest, client: Client) -> Selection:
    """The notes a release of this request may carry, and how many others in range were left
    out and why (only notes the actor may read for this recipient are counted, so nothing else
    is revealed)."""
    allowed = dec.releasable(request.decisions)
    excluded = dec.excluded_by_own_decision(request.decisions)
    in_range = _notes_in_range(request, client)
    decisions = authorize_many(actor, Action.NOTE_VIEW, in_range)
    guardian = audience_for(request) == GUARDIAN
    if guardian:
        for_guardian = authorize_many(actor, Action.NOTE_VIEW, in_range, audience=GUARDIAN)
    chosen: list[Note] = []
    withheld: Counter[str] = Counter()
    for index, (note, decision) in enumerate(zip(in_range, decisions, strict=True)):
        if not decision.allowed:
            continue  # not counted: the actor may not know of it
        if guardian and not for_guardian[index].allowed:
            withheld["minor_consented"] += 1  # the actor may read it, so the count tells nothing
            continue
        categories = dec.note_categories(note.kind, note.labels)
        if note.status != NoteStatus.SIGNED:
            withheld["unsigned"] += 1
        elif not dec.covered(categories, allowed) or categories & excluded:
            withheld["category_not_allowed"] += 1
        else:
            chosen.append(note)
    return Selection(chosen, dict(withheld))


@dataclass(frozen=True)
class RangeLabels:
    """The labels of the notes in a request's date range: `every` note's (what a verbal
    disclosure's accounting entry records, encrypted, never shown to the releaser), and those
    of the notes the releaser knows: may read, or wrote (an author whose training has lapsed
    still knows their own labelled note)."""

    known: frozenset[str]
    every: frozenset[str]


def labels_in_range(actor: Actor, request: DisclosureRequest, client: Client) -> RangeLabels:
    """What a verbal disclosure, which names no notes, may have drawn on (`RangeLabels`)."""
    in_range = _notes_in_range(request, client)
    decisions = authorize_many(actor, Action.NOTE_VIEW, in_range)
    known = [
        note
        for note, decision in zip(in_range, decisions, strict=True)
        if decision.allowed or note.author_id == actor.user_id
    ]
    return RangeLabels(
        known=frozenset(label for note in known for label in note.labels or ()),
        every=frozenset(label for note in in_range for label in note.labels or ()),
    )


def includes_part2(request: DisclosureRequest, notes: list[Note]) -> bool:
    """Whether the packet carries 42 CFR Part 2 records, so the 2.32 notice goes with it: a note
    labelled Part 2, a note of a Part 2 program's case (all its records are Part 2 records), or
    a decision that asks for the notice."""
    asked = "attach_part2_redisclosure_notice" in dec.conditions_of(
        request.decisions, dec.releasable(request.decisions)
    )
    return bool(notes) and (
        asked
        or any(
            "substance_use_part2" in dec.note_categories(n.kind, n.labels)
            or n.case.program.is_part2
            for n in notes
        )
    )


def note_body(key: DataKey, note: Note) -> str:
    return key.decrypt_text("records_note.body", note.id, note.body_enc)


@readable
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
    require_consents_in_effect(request)
    client = Client.objects.get(id=request.client_id)
    key = key_for(client.id)
    selection = select_notes(actor, request, client)
    texts = client_texts(key, client)
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
        includes_part2=includes_part2(request, selection.notes),
    )
    proposals = [
        Redaction(packet=packet, note_id=note.id, start=s.start, end=s.end, entity=s.entity)
        for note in selection.notes
        for s in redaction.propose(note_body(key, note), deny=deny, own=own)
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
    found = row_or_not_found(
        ReleasePacket.objects.filter(agency_id=actor.agency_id), packet_id, "release packet"
    )
    try:
        _, policy_ids = authorized_request(
            actor, found.request_id, Action.DISCLOSURE_RELEASE, lock=lock
        )
    except NotFound:
        raise NotFound("release packet") from None
    if lock:
        found = ReleasePacket.objects.select_for_update().get(id=found.id)
    return found, policy_ids


def _leave_out(
    actor: Actor, packet: ReleasePacket, policy_ids: tuple[str, ...], out: set[str]
) -> set[str]:
    """Take these notes out of an unreleased packet, with their proposed redactions: the
    releaser judged them not needed for the purpose (minimum necessary, 45 CFR 164.502(b)).
    Returns the ids of the proposals that went with them."""
    if Delivery.objects.filter(packet=packet).exists():
        raise NotReleasable("this packet was already released; open a new request.")
    unknown = out - set(packet.note_ids)
    if unknown:
        raise ValidationFailed({"leave_out": f"{len(unknown)} note(s) not in this packet"})
    if not set(packet.note_ids) - out:
        raise ValidationFailed(
            {"leave_out": "keep at least one note, or record a verbal disclosure instead"}
        )
    packet.note_ids = [n for n in packet.note_ids if n not in out]
    packet.withheld = {**packet.withheld, "left_out": packet.withheld.get("left_out", 0) + len(out)}
    kept = list(Note.objects.filter(id__in=packet.note_ids))
    packet.includes_part2 = includes_part2(packet.request, kept)
    dropped = packet.redactions.filter(note_id__in=out)
    gone = {str(rid) for rid in dropped.values_list("id", flat=True)}
    dropped.delete()
    packet.save(update_fields=["note_ids", "withheld", "includes_part2", "updated_at"])
    ledger.record(
        actor=actor,
        event_type=EventType.PACKET_NOTES_LEFT_OUT,
        subject_type="release_packet",
        subject_id=packet.id,
        client_id=packet.request.client_id,
        policy_ids=policy_ids,
        details={"notes": sorted(out)},
    )
    return gone


@transaction.atomic
def redactions_decide(
    *,
    actor: Actor,
    packet_id: UUID | str,
    choices: Mapping[str, str],
    leave_out: Iterable[str] = (),
) -> ReleasePacket:
    """Record a person's review of an unreleased packet: notes to leave out (not needed for the
    purpose), and a decision on each proposed redaction of the rest (redact or keep). When none
    is left pending the packet is ready to release.

    Needs disclosure:release. Writes disclosures:packet:notes_left_out with the note ids (when
    any) and disclosures:packet:redactions_reviewed with the counts. Raises NotFound,
    NotReleasable (already released), ValidationFailed (a note not in the packet, an unknown
    redaction or choice).
    """
    packet, policy_ids = packet_for(actor, packet_id, lock=True)
    out = {str(n) for n in leave_out}
    if out:
        # Checked before any query: only the packet's own note ids go further.
        gone = _leave_out(actor, packet, policy_ids, out)
        choices = {rid: choice for rid, choice in choices.items() if rid not in gone}
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
