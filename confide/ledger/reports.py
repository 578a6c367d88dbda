"""The access report: who viewed or changed a client's record, when, why, and under which policy.

Read from the ledger, for privacy officers of the client's agency (see `report_client`). A row
carries what the ledger holds (time, staff member, event type, subject ids, reason, deciding
policy ids, details that are ids and codes) and a staff member's name and role; never note text,
never the client's name. Every read of the report, on a page or as an export, is itself a ledger
event, in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Literal
from uuid import UUID

from django.db import transaction
from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from confide.access.policy import grantable_clients
from confide.accounts.models import User
from confide.core import clock
from confide.core.actor import Actor
from confide.core.enums import Role
from confide.core.errors import NotFound, ValidationFailed
from confide.core.ids import parse_id
from confide.ledger import services as ledger
from confide.ledger.enums import EventType
from confide.ledger.models import Event
from confide.ledger.services import DetailValue
from confide.records.models import Case, Client

PAGE_SIZE = 50
EXPORT_LIMIT = 10_000
# The rule this code enforces until the Cedar policy has an action for reports: the id written
# with every report read, so the ledger names what allowed it.
REPORT_RULE = "reports.privacy_officer"
SYSTEM: Literal["system"] = "system"
# Events that reveal several clients at once (a caseload page, a search) name them in
# `details["clients"]` rather than in `client_id`; they belong in each client's report.
LIST_EVENTS = (EventType.CLIENT_VIEWED.value, EventType.CLIENT_SEARCHED.value)
# Keys of `details` left out of a row: the other clients on a caseload page are not this
# client's business.
HIDDEN_DETAILS = frozenset({"clients"})

Sort = Literal["time", "user", "action"]
SORTS: tuple[Sort, ...] = ("time", "user", "action")
Format = Literal["html", "csv", "pdf"]


def report_client(actor: Actor, client_id: UUID | str) -> Client:
    """The client whose reports the actor may read, or NotFound.

    Allowed: a privacy officer of the client's agency who is not walled off from the client
    and not excluded by an agreed restriction (`access.policy.grantable_clients`: the clients
    that exist for them). Everyone else, another agency's client, a forged or malformed id: the
    same NotFound as a missing client.
    """
    parsed = parse_id(client_id)
    if parsed is None or actor.role != Role.PRIVACY_OFFICER:
        raise NotFound("client")
    client = grantable_clients(actor).filter(id=parsed).first()
    if client is None:
        raise NotFound("client")
    return client


def case_numbers(client: Client) -> list[str]:
    """The client's case numbers (kept in clear; they identify the record, not the person)."""
    return list(
        Case.objects.filter(client=client)
        .order_by("opened_on", "case_number")
        .values_list("case_number", flat=True)
    )


def local_day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


@dataclass(frozen=True)
class ReportFilters:
    """What the report shows: an inclusive date range (local days), one staff member (or
    "system" for events without one), one event type; and the order."""

    since: dt.date | None = None
    until: dt.date | None = None
    user: UUID | Literal["system"] | None = None
    action: str | None = None
    sort: Sort = "time"
    descending: bool = True

    def check(self) -> None:
        problems: dict[str, str] = {}
        if self.since and self.until and self.since > self.until:
            problems["until"] = "must not be before the start date"
        if self.action is not None and self.action not in EventType.values:
            problems["action"] = "choose an action from the list"
        if self.sort not in SORTS:
            problems["sort"] = "sort by time, user or action"
        if problems:
            raise ValidationFailed(problems)

    def as_details(self) -> dict[str, DetailValue]:
        return {
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
            "user": str(self.user) if self.user else None,
            "action": self.action,
            "sort": self.sort,
            "order": "desc" if self.descending else "asc",
        }


@dataclass(frozen=True)
class ReportRow:
    seq: int
    occurred_at: dt.datetime
    actor_id: UUID | None
    staff_name: str
    staff_role: str
    channel: str
    event_type: str
    action: str
    subject_type: str
    subject_id: str
    reason: str
    policy_ids: tuple[str, ...]
    details: tuple[tuple[str, str], ...]

    @property
    def what(self) -> str:
        if not self.subject_type:
            return ""
        return f"{self.subject_type} {self.subject_id}".strip()

    @property
    def details_text(self) -> str:
        return "; ".join(f"{key}: {value}" for key, value in self.details)


@dataclass(frozen=True)
class AccessReport:
    client_id: UUID
    case_numbers: list[str]
    filters: ReportFilters
    rows: list[ReportRow]
    total: int
    page: int
    pages: int
    generated_at: dt.datetime
    generated_by: str
    agency_name: str
    staff: list[tuple[UUID, str]] = field(default_factory=list)


def _client_events(client: Client) -> QuerySet[Event]:
    """Every event about the client: its own, and list events that showed it among others.

    Not limited to the client's agency: were another agency's staff ever to reach the client,
    the privacy officer must see it.
    """
    listed = Q(
        client_id=None,
        agency_id=client.agency_id,
        event_type__in=LIST_EVENTS,
        details__icontains=str(client.id),
    )
    return Event.objects.filter(Q(client_id=client.id) | listed)


def _filtered(events: QuerySet[Event], filters: ReportFilters) -> QuerySet[Event]:
    if filters.since:
        events = events.filter(occurred_at__gte=local_day_start(filters.since))
    if filters.until:
        events = events.filter(
            occurred_at__lt=local_day_start(filters.until + dt.timedelta(days=1))
        )
    if filters.user == SYSTEM:
        events = events.filter(actor_id=None)
    elif filters.user is not None:
        events = events.filter(actor_id=filters.user)
    if filters.action:
        events = events.filter(event_type=filters.action)
    return events


def _ordered(events: QuerySet[Event], filters: ReportFilters) -> QuerySet[Event]:
    names = User.objects.filter(id=OuterRef("actor_id")).values("display_name")[:1]
    events = events.annotate(staff_name=Subquery(names))
    column = {"time": "occurred_at", "user": "staff_name", "action": "event_type"}[filters.sort]
    if filters.descending:
        return events.order_by(F(column).desc(nulls_last=True), "-seq")
    return events.order_by(F(column).asc(nulls_last=True), "seq")


def _detail_pairs(details: dict[str, object]) -> tuple[tuple[str, str], ...]:
    pairs = []
    for key in sorted(details):
        if key in HIDDEN_DETAILS:
            continue
        value = details[key]
        if isinstance(value, list):
            text = ", ".join(str(v) for v in value) or "none"
        elif isinstance(value, bool):
            text = "yes" if value else "no"
        elif value is None:
            continue
        else:
            text = str(value)
        pairs.append((key, text))
    return tuple(pairs)


def _labels() -> dict[str, str]:
    return {value: str(label) for value, label in EventType.choices}


def _rows(events: list[Event]) -> list[ReportRow]:
    staff = {
        u.id: u for u in User.objects.filter(id__in={e.actor_id for e in events if e.actor_id})
    }
    labels = _labels()
    rows = []
    for event in events:
        person = staff.get(event.actor_id) if event.actor_id else None
        rows.append(
            ReportRow(
                seq=event.seq,
                occurred_at=event.occurred_at,
                actor_id=event.actor_id,
                staff_name=person.display_name if person else "System",
                staff_role=Role(person.role).label if person else "",
                channel=event.channel,
                event_type=event.event_type,
                action=labels.get(event.event_type, event.event_type),
                subject_type=event.subject_type,
                subject_id=event.subject_id,
                reason=event.reason,
                policy_ids=tuple(event.policy_ids),
                details=_detail_pairs(dict(event.details)),
            )
        )
    return rows


def report_staff(actor: Actor) -> list[tuple[UUID, str]]:
    """Staff of the actor's agency, for the report's "staff member" filter (names only)."""
    return list(
        User.objects.filter(agency_id=actor.agency_id)
        .order_by("display_name", "id")
        .values_list("id", "display_name")
    )


def reader(actor: Actor) -> tuple[str, str]:
    """The reading staff member's name and agency's name, for a report's header."""
    user = User.objects.select_related("agency").get(id=actor.user_id)
    return user.display_name, user.agency.name


@transaction.atomic
def report_client_find(*, actor: Actor, reference: str) -> UUID | None:
    """The client a privacy officer names by client id or case number, to open a report.

    Privacy officers only (anyone else finds nothing). Writes records:client:searched with the
    purpose and the number of matches, never the reference typed (a case number identifies a
    record). Returns None when nothing matches, for a missing, walled or other agency's client
    alike.
    """
    if actor.role != Role.PRIVACY_OFFICER:
        return None
    reference = reference.strip()
    visible = grantable_clients(actor)
    parsed = parse_id(reference) if len(reference) <= 40 else None
    if parsed is not None:
        found = visible.filter(id=parsed).first()
    else:
        found = visible.filter(cases__case_number=reference[:32]).first() if reference else None
    ledger.record(
        actor=actor,
        event_type=EventType.CLIENT_SEARCHED,
        reason="access_report",
        client_id=found.id if found else None,
        details={"purpose": "access_report", "matches": 1 if found else 0},
    )
    return found.id if found else None


def _record_read(
    actor: Actor, client: Client, fmt: Format, filters: ReportFilters, **counts: int
) -> None:
    details: dict[str, DetailValue] = {"format": fmt, **filters.as_details(), **counts}
    ledger.record(
        actor=actor,
        event_type=EventType.LEDGER_REPORT_VIEWED,
        subject_type="client",
        subject_id=client.id,
        client_id=client.id,
        policy_ids=(REPORT_RULE,),
        details=details,
    )


@transaction.atomic
def access_report(
    *,
    actor: Actor,
    client_id: UUID | str,
    filters: ReportFilters | None = None,
    page: int = 1,
    fmt: Format = "html",
) -> AccessReport:
    """One client's access report: one page of rows (html), or every row (csv, pdf).

    Needs a privacy officer of the client's agency (`report_client`). Writes
    ledger:access_report:viewed with the format, the filters and the number of rows shown.
    Raises NotFound (also when not allowed) and ValidationFailed (bad filters, or an export of
    more than EXPORT_LIMIT rows: narrow the dates).
    """
    filters = filters or ReportFilters()
    client = report_client(actor, client_id)
    filters.check()
    events = _ordered(_filtered(_client_events(client), filters), filters)
    total = events.count()
    if fmt == "html":
        pages = max(1, math.ceil(total / PAGE_SIZE))
        page = min(max(page, 1), pages)
        chosen = list(events[(page - 1) * PAGE_SIZE : page * PAGE_SIZE])
    else:
        if total > EXPORT_LIMIT:
            raise ValidationFailed(
                {"since": f"more than {EXPORT_LIMIT:,} events: choose a shorter date range"}
            )
        pages, page, chosen = 1, 1, list(events)
    rows = _rows(chosen)
    _record_read(actor, client, fmt, filters, rows=len(rows), total=total, page=page)
    name, agency = reader(actor)
    return AccessReport(
        client_id=client.id,
        case_numbers=case_numbers(client),
        filters=filters,
        rows=rows,
        total=total,
        page=page,
        pages=pages,
        generated_at=clock.now(),
        generated_by=name,
        agency_name=agency,
        staff=report_staff(actor) if fmt == "html" else [],
    )
