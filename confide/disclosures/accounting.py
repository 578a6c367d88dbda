"""The accounting of disclosures (45 CFR 164.528): entries, annotations, and the report.

Entries are written only by the services that record a release of a client's information
(the disclosure workflow calls `accounting_entry_record` inside its own transaction, after the
disclosure was decided). An entry never changes and is never removed: the database refuses
(migration 0002); a correction or a suspension (164.528(a)(2)) is an annotation. Every entry is
kept, including the kinds the accounting given to the client leaves out (164.528(a)(1)), which
are marked as such; the report covers the six years before a date.

An accounting given to a parent, guardian or other personal representative (the report's
`audience="guardian"`) never lists a disclosure of what a minor consented to alone (45 CFR
164.502(g)(3); 42 CFR 2.14; domain brief 4.2 and 13: the minor, not the parent, controls that
information, and knowing whom it went to tells of it). So each entry records, encrypted with the
client's key, the sensitivity labels of what its release carried: the released notes' and the
client's own at that moment. `guardian_may_receive` is the one rule: an entry goes to a guardian
only if neither those labels nor the client's labels today include minor_consented (a client
labelled since covers every disclosure of theirs), and only if its labels can be read (an entry
recorded before labels were kept, or whose client's key is destroyed, is left out).
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal
from uuid import UUID

from django.db import transaction

from confide.access.policy import GUARDIAN, STAFF
from confide.accounts.models import User
from confide.core import clock
from confide.core.actor import Actor
from confide.core.enums import Label
from confide.core.errors import NotFound, ValidationFailed
from confide.core.ids import parse_id, row_or_not_found
from confide.crypto.envelope import DataKey, DecryptionFailed, client_key
from confide.disclosures.enums import ExcludedKind
from confide.disclosures.models import AccountingAnnotation, AccountingEntry
from confide.ledger import services as ledger
from confide.ledger.enums import EventType
from confide.ledger.reports import REPORT_RULE, case_numbers, report_client
from confide.records.errors import RecordUnreadable
from confide.records.models import Client
from confide.records.validation import Problems

ACCOUNTING_YEARS = 6
MAX_RECIPIENT = 200
MAX_ADDRESS = 500
MAX_DESCRIPTION = 2000
MAX_PURPOSE = 2000
MAX_LEGAL_BASIS = 300
MAX_ANNOTATION = 2000
# The HIPAA Privacy Rule's compliance date: earlier disclosures are outside any accounting
# (164.528(a)(1)(ix)), so an entry before it is a typing error.
EARLIEST = dt.datetime(2003, 4, 14, tzinfo=dt.UTC)
CLOCK_SKEW = dt.timedelta(minutes=5)
TABLE = "disclosures_accountingentry"
ENTRY_COLUMNS = ("recipient", "recipient_address", "description", "purpose", "legal_basis")
LABELS_COLUMN = "labels"
AUDIENCES = (STAFF, GUARDIAN)
ANNOTATION_PURPOSE = "disclosures_accountingannotation.text"
UNREADABLE = "(This text can no longer be read.)"

Format = Literal["html", "csv"]


def purpose_of(column: str) -> str:
    """The encryption purpose (AAD) of an entry column."""
    return f"{TABLE}.{column}"


def years_before(moment: dt.datetime, years: int) -> dt.datetime:
    """The same calendar moment `years` earlier (29 February falls back to the 28th)."""
    try:
        return moment.replace(year=moment.year - years)
    except ValueError:
        return moment.replace(year=moment.year - years, day=28)


def _client_in_agency(actor: Actor, client_id: UUID | str) -> Client:
    parsed = parse_id(client_id)
    if parsed is None:
        raise NotFound("client")
    client = Client.objects.filter(id=parsed, agency_id=actor.agency_id).first()
    if client is None:
        raise NotFound("client")
    return client


def _key(client_id: UUID) -> DataKey:
    try:
        return client_key(client_id)
    except DecryptionFailed:
        raise RecordUnreadable() from None


@dataclass(frozen=True)
class _EntryText:
    recipient: str
    recipient_address: str
    description: str
    purpose: str
    legal_basis: str


def _clean_entry(
    disclosed_at: object, texts: dict[str, object], excluded_kind: object, labels: object
) -> tuple[dt.datetime, _EntryText, str, list[str]]:
    p = Problems()
    released = p.labels("released_labels", labels)
    limits = {
        "recipient": (MAX_RECIPIENT, True),
        "recipient_address": (MAX_ADDRESS, False),
        "description": (MAX_DESCRIPTION, True),
        "purpose": (MAX_PURPOSE, True),
        "legal_basis": (MAX_LEGAL_BASIS, True),
    }
    cleaned = {
        name: p.text(name, texts[name], limit=limit, required=required)
        for name, (limit, required) in limits.items()
    }
    when = EARLIEST
    if not isinstance(disclosed_at, dt.datetime) or timezone_naive(disclosed_at):
        p.fields["disclosed_at"] = "must be a date and time with its time zone"
    elif not EARLIEST <= disclosed_at <= clock.now() + CLOCK_SKEW:
        p.fields["disclosed_at"] = f"must be between {EARLIEST.date().isoformat()} and now"
    else:
        when = disclosed_at
    kind = "" if excluded_kind is None else excluded_kind
    if kind not in ("", *ExcludedKind.values):
        p.fields["excluded_kind"] = "must be one of: " + ", ".join(ExcludedKind.values)
    p.raise_if_any()
    return when, _EntryText(**cleaned), str(kind), released


def timezone_naive(moment: dt.datetime) -> bool:
    return moment.tzinfo is None or moment.tzinfo.utcoffset(moment) is None


@transaction.atomic
def accounting_entry_record(
    *,
    actor: Actor,
    client_id: UUID | str,
    disclosed_at: dt.datetime,
    recipient: str,
    description: str,
    purpose: str,
    legal_basis: str,
    excluded_kind: str | None,
    released_labels: Sequence[str],
    recipient_address: str = "",
    release_id: UUID | None = None,
) -> AccountingEntry:
    """Record one disclosure in the client's accounting.

    Called only by services that record a release, inside their transaction, after the release
    was decided; checks the agency boundary only (the release service asked the policy and the
    disclosure engine). `excluded_kind` names a 164.528(a)(1) exclusion, or None for a
    disclosure the client's accounting lists. `released_labels` are the sensitivity labels of
    what the release carried (its notes' and the client's), which decide whether the entry may
    go in an accounting given to a guardian (`guardian_may_receive`). The texts and the labels
    are stored encrypted with the client's key. Writes disclosures:accounting_entry:recorded.
    Raises NotFound, ValidationFailed, RecordUnreadable (the client's key is gone).
    """
    client = _client_in_agency(actor, client_id)
    texts: dict[str, object] = {
        "recipient": recipient,
        "recipient_address": recipient_address,
        "description": description,
        "purpose": purpose,
        "legal_basis": legal_basis,
    }
    when, cleaned, kind, released = _clean_entry(
        disclosed_at, texts, excluded_kind, released_labels
    )
    key = _key(client.id)
    entry = AccountingEntry(
        id=uuid.uuid4(),
        agency_id=actor.agency_id,
        client=client,
        recorded_by_id=actor.user_id,
        disclosed_at=when,
        excluded_kind=kind,
        release_id=release_id,
    )
    for column in ENTRY_COLUMNS:
        blob = key.encrypt_text(purpose_of(column), entry.id, getattr(cleaned, column))
        setattr(entry, f"{column}_enc", blob)
    entry.labels_enc = key.encrypt_text(purpose_of(LABELS_COLUMN), entry.id, json.dumps(released))
    entry.save(force_insert=True)
    ledger.record(
        actor=actor,
        event_type=EventType.ACCOUNTING_ENTRY_RECORDED,
        subject_type="accounting_entry",
        subject_id=entry.id,
        client_id=client.id,
        details={
            "excluded_kind": kind or None,
            "release": str(release_id) if release_id else None,
        },
    )
    return entry


def _annotatable(actor: Actor, entry_id: UUID | str) -> AccountingEntry:
    rows = AccountingEntry.objects.filter(agency_id=actor.agency_id)
    entry = row_or_not_found(rows, entry_id, "accounting entry")
    try:
        report_client(actor, entry.client_id)
    except NotFound:
        raise NotFound("accounting entry") from None
    return entry


def accounting_entry_client(*, actor: Actor, entry_id: UUID | str) -> UUID:
    """The client of an entry the actor may annotate (for going back to its accounting).

    Reveals nothing new to whoever may annotate. Raises NotFound (also when not allowed).
    """
    return _annotatable(actor, entry_id).client_id


@transaction.atomic
def accounting_entry_annotate(
    *, actor: Actor, entry_id: UUID | str, text: str
) -> AccountingAnnotation:
    """Add an annotation to an accounting entry (the entry itself never changes).

    Needs a privacy officer of the client's agency (`ledger.reports.report_client`). The text is
    encrypted with the client's key. Writes disclosures:accounting_entry:annotated. Raises
    NotFound (also when not allowed), ValidationFailed, RecordUnreadable.
    """
    entry = _annotatable(actor, entry_id)
    p = Problems()
    cleaned = p.text("text", text, limit=MAX_ANNOTATION)
    p.raise_if_any()
    annotation = AccountingAnnotation(
        id=uuid.uuid4(), agency_id=actor.agency_id, entry=entry, author_id=actor.user_id
    )
    annotation.text_enc = _key(entry.client_id).encrypt_text(
        ANNOTATION_PURPOSE, annotation.id, cleaned
    )
    annotation.save(force_insert=True)
    ledger.record(
        actor=actor,
        event_type=EventType.ACCOUNTING_ENTRY_ANNOTATED,
        subject_type="accounting_entry",
        subject_id=entry.id,
        client_id=entry.client_id,
        policy_ids=(REPORT_RULE,),
        details={"annotation": str(annotation.id)},
    )
    return annotation


# ---- the report -------------------------------------------------------------------------------


@dataclass(frozen=True)
class AnnotationView:
    id: UUID
    created_at: dt.datetime
    author_name: str
    text: str


@dataclass(frozen=True)
class EntryView:
    id: UUID
    disclosed_at: dt.datetime
    recipient: str
    recipient_address: str
    description: str
    purpose: str
    legal_basis: str
    excluded_kind: str
    excluded_label: str
    recorded_by: str
    release_id: UUID | None
    annotations: list[AnnotationView]
    for_guardian: bool  # may be listed in an accounting given to a guardian

    @property
    def included(self) -> bool:
        """Listed in the accounting the client receives."""
        return not self.excluded_kind


@dataclass(frozen=True)
class AccountingReport:
    client_id: UUID
    case_numbers: list[str]
    as_of: dt.datetime
    window_start: dt.datetime
    entries: list[EntryView]
    audience: str = STAFF

    @property
    def for_guardian(self) -> bool:
        """The accounting given to a parent, guardian or other personal representative."""
        return self.audience == GUARDIAN

    @property
    def included(self) -> list[EntryView]:
        return [e for e in self.entries if e.included]

    @property
    def excluded(self) -> list[EntryView]:
        return [e for e in self.entries if not e.included]


def _open(key: DataKey, purpose: str, row_id: UUID, blob: bytes | memoryview) -> str:
    try:
        return key.decrypt_text(purpose, row_id, blob)
    except DecryptionFailed:
        return UNREADABLE


def released_labels(key: DataKey | None, entry: AccountingEntry) -> frozenset[str] | None:
    """The labels of what the entry's release carried, or None when they cannot be known (an
    entry recorded before they were kept, a destroyed key, a damaged ciphertext)."""
    if key is None or entry.labels_enc is None:
        return None
    try:
        text = key.decrypt_text(purpose_of(LABELS_COLUMN), entry.id, entry.labels_enc)
    except DecryptionFailed:
        return None
    return frozenset(json.loads(text))


def guardian_may_receive(released: frozenset[str] | None, client_labels: Iterable[str]) -> bool:
    """Whether an entry may be listed in an accounting given to a parent, guardian or other
    personal representative: only if it is known what its release carried, and neither that
    nor the client today is labelled minor_consented (what a minor consented to alone, and whom
    it went to, is the minor's alone: 45 CFR 164.502(g)(3); domain brief 4.2 and 13)."""
    if released is None:
        return False
    return Label.MINOR_CONSENTED not in released | frozenset(client_labels)


def _entry_view(
    key: DataKey | None, entry: AccountingEntry, names: dict[UUID, str], client: Client
) -> EntryView:
    def text(column: str) -> str:
        if key is None:
            return UNREADABLE
        return _open(key, purpose_of(column), entry.id, getattr(entry, f"{column}_enc"))

    notes = [
        AnnotationView(
            id=a.id,
            created_at=a.created_at,
            author_name=names.get(a.author_id, ""),
            text=_open(key, ANNOTATION_PURPOSE, a.id, a.text_enc) if key else UNREADABLE,
        )
        for a in sorted(entry.annotations.all(), key=lambda a: (a.created_at, a.id))
    ]
    return EntryView(
        id=entry.id,
        disclosed_at=entry.disclosed_at,
        recipient=text("recipient"),
        recipient_address=text("recipient_address"),
        description=text("description"),
        purpose=text("purpose"),
        legal_basis=text("legal_basis"),
        excluded_kind=entry.excluded_kind,
        excluded_label=str(ExcludedKind(entry.excluded_kind).label) if entry.excluded_kind else "",
        recorded_by=names.get(entry.recorded_by_id, ""),
        release_id=entry.release_id,
        annotations=notes,
        for_guardian=guardian_may_receive(released_labels(key, entry), client.labels or ()),
    )


def _staff_names(entries: list[AccountingEntry]) -> dict[UUID, str]:
    ids = {e.recorded_by_id for e in entries} | {
        a.author_id for e in entries for a in e.annotations.all()
    }
    return dict(User.objects.filter(id__in=ids).values_list("id", "display_name"))


@transaction.atomic
def accounting_report(
    *,
    actor: Actor,
    client_id: UUID | str,
    as_of: dt.datetime | None = None,
    fmt: Format = "html",
    audience: str = STAFF,
) -> AccountingReport:
    """The client's accounting of disclosures: every entry in the six years up to `as_of`
    (default now), oldest first, each marked as listed in the client's accounting or excluded
    from it (with the 164.528(a)(1) reason), with its annotations.

    `audience="guardian"`: the accounting given to a parent, guardian or other personal
    representative, which holds only the entries `guardian_may_receive` allows (nothing says how
    many were left out). Needs a privacy officer of the client's agency
    (`ledger.reports.report_client`). Writes disclosures:accounting:viewed with the date, the
    format, the audience and the number of entries (and, for a guardian, how many were left
    out). Raises NotFound (also when not allowed), ValidationFailed (a naive `as_of`, an unknown
    audience).
    """
    client = report_client(actor, client_id)
    as_of = as_of or clock.now()
    problems: dict[str, str] = {}
    if timezone_naive(as_of):
        problems["as_of"] = "must be a date and time with its time zone"
    if audience not in AUDIENCES:
        problems["audience"] = "must be one of: " + ", ".join(AUDIENCES)
    if problems:
        raise ValidationFailed(problems)
    start = years_before(as_of, ACCOUNTING_YEARS)
    rows = list(
        AccountingEntry.objects.filter(
            client=client, disclosed_at__gte=start, disclosed_at__lte=as_of
        )
        .prefetch_related("annotations")
        .order_by("disclosed_at", "created_at", "id")
    )
    try:
        key: DataKey | None = client_key(client.id) if rows else None
    except DecryptionFailed:
        key = None  # shredded: the entries still show their dates and kinds
    names = _staff_names(rows)
    every = [_entry_view(key, row, names, client) for row in rows]
    entries = [e for e in every if e.for_guardian] if audience == GUARDIAN else every
    details: dict[str, ledger.DetailValue] = {
        "format": fmt,
        "audience": audience,
        "as_of": as_of.isoformat(),
        "entries": len(entries),
        "excluded": sum(1 for e in entries if not e.included),
    }
    if audience == GUARDIAN:
        details["left_out"] = len(every) - len(entries)
    ledger.record(
        actor=actor,
        event_type=EventType.ACCOUNTING_VIEWED,
        subject_type="client",
        subject_id=client.id,
        client_id=client.id,
        policy_ids=(REPORT_RULE,),
        details=details,
    )
    return AccountingReport(
        client_id=client.id,
        case_numbers=case_numbers(client),
        as_of=as_of,
        window_start=start,
        entries=entries,
        audience=audience,
    )
