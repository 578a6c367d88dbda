"""The access report: who viewed or changed a client's record, for privacy officers only, with
filters, sorting, pages, and CSV and PDF exports that leak nothing and run no formula."""

from __future__ import annotations

import csv
import datetime as dt
import io
import uuid

import pytest
from django.db import transaction
from django.utils import timezone

from confide.accounts.models import User
from confide.core import clock
from confide.core import pdf as pdf_fonts
from confide.core.enums import Role
from confide.core.errors import NotFound, ValidationFailed
from confide.ledger import exports, reports
from confide.ledger import services as ledger
from confide.ledger.enums import EventType
from confide.ledger.reports import ReportFilters, access_report
from confide.ledger.tests.reporting import (
    CLIENT_NAMES,
    NOTE_TEXT,
    busy_history,
    pdf_text,
    privacy_b,
)
from confide.ledger.tests.support import events_since, ledger_mark
from confide.testing import World, actor, make_user
from confide.training import services as training

NON_PRIVACY = ("worker_a", "worker_a2", "other_worker_a", "supervisor_a", "admin_a", "intake_a")


def _at(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _event_at(
    monkeypatch: pytest.MonkeyPatch,
    when: dt.datetime,
    who: User | None,
    client_id: uuid.UUID,
    event_type: EventType = EventType.CLIENT_VIEWED,
    reason: str = "",
) -> None:
    with monkeypatch.context() as patch, transaction.atomic():
        patch.setattr(clock, "now", lambda: when)
        ledger.record(
            actor=actor(who) if who else None,
            event_type=event_type,
            subject_type="client",
            subject_id=client_id,
            client_id=client_id,
            reason=reason,
        )


# ---- what it shows ------------------------------------------------------------------------------


def test_it_lists_who_viewed_and_changed_the_record_with_policies(world: World) -> None:
    history = busy_history(world)
    report = access_report(actor=actor(world.privacy_a), client_id=world.client_a.id)
    kinds = [(r.staff_name, r.event_type) for r in report.rows]
    assert ("worker_a", EventType.NOTE_CREATED) in kinds
    assert ("worker_a", EventType.NOTE_VIEWED) in kinds
    assert ("worker_a2", EventType.CLIENT_VIEWED) in kinds
    assert ("System", EventType.CLIENT_CREATED) in kinds
    note_view = next(r for r in report.rows if r.event_type == EventType.NOTE_VIEWED)
    assert note_view.subject_id == str(history.note.id)
    assert note_view.policy_ids == ("care_team.practitioner",)
    assert note_view.staff_role == "Practitioner"
    assert note_view.action == EventType.NOTE_VIEWED.label
    assert report.case_numbers == ["A-1001"]
    assert report.generated_by == "privacy_a"
    assert report.agency_name == "Agency A"


def test_it_shows_list_pages_that_named_the_client_but_not_the_other_clients(
    world: World,
) -> None:
    busy_history(world)
    report = access_report(actor=actor(world.privacy_a), client_id=world.client_a.id)
    caseload = [r for r in report.rows if r.subject_type == "caseload"]
    assert len(caseload) == 1
    assert caseload[0].staff_name == "worker_a"
    assert "clients" not in dict(caseload[0].details)
    assert str(world.client_a_other.id) not in repr(report.rows)


def test_it_leaves_out_other_clients_events(world: World) -> None:
    history = busy_history(world)
    report = access_report(actor=actor(world.privacy_a), client_id=world.client_a_other.id)
    assert all(r.subject_id != str(history.note.id) for r in report.rows)
    assert any(r.subject_id == str(history.other_note.id) for r in report.rows)
    assert all(r.staff_name != "worker_a2" for r in report.rows)


def test_reading_the_report_is_on_the_ledger_in_each_format(world: World) -> None:
    busy_history(world)
    privacy = actor(world.privacy_a)
    for fmt in ("html", "csv", "pdf"):
        mark = ledger_mark()
        report = access_report(actor=privacy, client_id=world.client_a.id, fmt=fmt)
        [event] = events_since(mark)
        assert event.event_type == EventType.LEDGER_REPORT_VIEWED
        assert event.client_id == world.client_a.id
        assert event.actor_id == world.privacy_a.id
        assert event.policy_ids == [reports.REPORT_RULE]
        assert event.details["format"] == fmt
        assert event.details["rows"] == len(report.rows)
    again = access_report(actor=privacy, client_id=world.client_a.id)
    assert any(r.event_type == EventType.LEDGER_REPORT_VIEWED for r in again.rows)


# ---- who may read it -----------------------------------------------------------------------------


@pytest.mark.parametrize("persona", NON_PRIVACY)
def test_every_other_role_gets_not_found_and_nothing_is_recorded(
    world: World, persona: str
) -> None:
    mark = ledger_mark()
    with pytest.raises(NotFound):
        access_report(actor=actor(getattr(world, persona)), client_id=world.client_a.id)
    assert events_since(mark) == []


def test_another_agencys_privacy_officer_gets_the_same_not_found(world: World) -> None:
    officer_b = actor(privacy_b(world))
    mark = ledger_mark()
    with pytest.raises(NotFound) as refused:
        access_report(actor=officer_b, client_id=world.client_a.id)
    with pytest.raises(NotFound) as missing:
        access_report(actor=officer_b, client_id=uuid.uuid4())
    assert refused.value.message == missing.value.message
    assert events_since(mark) == []
    assert access_report(actor=officer_b, client_id=world.client_b.id).client_id == (
        world.client_b.id
    )


@pytest.mark.parametrize(
    "forged", ["", "not-a-uuid", "00000000-0000-4000-8000-000000000000", "1' OR '1'='1", "x" * 500]
)
def test_forged_and_malformed_ids_get_not_found(world: World, forged: str) -> None:
    with pytest.raises(NotFound):
        access_report(actor=actor(world.privacy_a), client_id=forged)


def test_a_privacy_officer_walled_off_from_the_client_gets_not_found(world: World) -> None:
    training.conflict_declare(
        actor=actor(world.privacy_a), client_id=world.client_a.id, relationship="relative"
    )
    with pytest.raises(NotFound):
        access_report(actor=actor(world.privacy_a), client_id=world.client_a.id)
    assert access_report(actor=actor(world.privacy_a), client_id=world.client_a_other.id)


def test_report_client_find_takes_an_id_or_a_case_number_and_records_no_reference(
    world: World,
) -> None:
    privacy = actor(world.privacy_a)
    mark = ledger_mark()
    assert reports.report_client_find(actor=privacy, reference="A-1001") == world.client_a.id
    assert reports.report_client_find(actor=privacy, reference=f" {world.client_a.id} ") == (
        world.client_a.id
    )
    assert reports.report_client_find(actor=privacy, reference="B-2001") is None
    assert reports.report_client_find(actor=privacy, reference=str(world.client_b.id)) is None
    assert reports.report_client_find(actor=privacy, reference="nothing") is None
    events = events_since(mark)
    assert [e.event_type for e in events] == [EventType.CLIENT_SEARCHED] * 5
    assert [e.details["matches"] for e in events] == [1, 1, 0, 0, 0]
    assert all("A-1001" not in str(e.details) + e.reason for e in events)
    assert reports.report_client_find(actor=actor(world.worker_a), reference="A-1001") is None


# ---- filters, sorting, pages --------------------------------------------------------------------


def test_it_filters_by_staff_member_system_and_action(world: World) -> None:
    busy_history(world)
    privacy, client = actor(world.privacy_a), world.client_a.id

    def rows(**kw: object) -> list[reports.ReportRow]:
        filters = ReportFilters(**kw)  # type: ignore[arg-type]
        return access_report(actor=privacy, client_id=client, filters=filters).rows

    assert {r.staff_name for r in rows(user=world.worker_a2.id)} == {"worker_a2"}
    assert {r.event_type for r in rows(user="system")} == {
        EventType.CLIENT_CREATED,
        EventType.CASE_CREATED,
    }
    viewed = rows(action=EventType.NOTE_VIEWED.value)
    assert [(r.staff_name, r.event_type) for r in viewed] == [("worker_a", "records:note:viewed")]
    assert rows(user=world.worker_b.id) == []


def test_the_date_range_is_inclusive_of_whole_local_days(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    day = dt.date(2026, 3, 10)
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    tick = dt.timedelta(microseconds=1)
    moments = {
        "before": start - tick,
        "first": start,
        "last": start + dt.timedelta(days=1) - tick,
        "after": start + dt.timedelta(days=1),
    }
    for label, when in moments.items():
        _event_at(monkeypatch, when, world.worker_a, world.client_a.id, reason=label)
    filters = ReportFilters(since=day, until=day)
    report = access_report(
        actor=actor(world.privacy_a), client_id=world.client_a.id, filters=filters
    )
    assert sorted(r.reason for r in report.rows) == ["first", "last"]
    later = ReportFilters(since=day + dt.timedelta(days=1))
    rows = access_report(
        actor=actor(world.privacy_a), client_id=world.client_a.id, filters=later
    ).rows
    assert "after" in {r.reason for r in rows}
    assert "last" not in {r.reason for r in rows}


@pytest.mark.parametrize(
    ("filters", "field"),
    [
        (ReportFilters(since=dt.date(2026, 2, 2), until=dt.date(2026, 2, 1)), "until"),
        (ReportFilters(action="records:note:burned"), "action"),
        (ReportFilters(sort="colour"), "sort"),  # type: ignore[arg-type]
    ],
)
def test_bad_filters_are_refused_and_nothing_is_recorded(
    world: World, filters: ReportFilters, field: str
) -> None:
    mark = ledger_mark()
    with pytest.raises(ValidationFailed) as refused:
        access_report(actor=actor(world.privacy_a), client_id=world.client_a.id, filters=filters)
    assert field in refused.value.fields
    assert events_since(mark) == []


def test_it_sorts_by_time_user_and_action_both_ways(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    day = dt.date(2030, 1, 1)
    zed = make_user(world.agency_a, "zed@a.test", Role.PRACTITIONER, [world.team_a1])
    plan = [
        (1, world.worker_a2, EventType.NOTE_VIEWED),
        (2, zed, EventType.CLIENT_VIEWED),
        (3, world.worker_a, EventType.NOTE_CREATED),
    ]
    for hour, who, kind in plan:
        _event_at(monkeypatch, _at(day, hour), who, world.client_a.id, kind, reason=f"h{hour}")
    privacy = actor(world.privacy_a)

    def order(sort: str, descending: bool) -> list[str]:
        filters = ReportFilters(since=day, until=day, sort=sort, descending=descending)  # type: ignore[arg-type]
        rows = access_report(actor=privacy, client_id=world.client_a.id, filters=filters).rows
        return [r.reason for r in rows]

    assert order("time", True) == ["h3", "h2", "h1"]
    assert order("time", False) == ["h1", "h2", "h3"]
    assert order("user", False) == ["h3", "h1", "h2"]  # worker_a, worker_a2, zed
    assert order("user", True) == ["h2", "h1", "h3"]
    assert order("action", False) == ["h2", "h3", "h1"]  # client:viewed, note:created, viewed
    assert order("action", True) == ["h1", "h3", "h2"]


def test_it_pages_and_clamps_the_page_number(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reports, "PAGE_SIZE", 3)
    busy_history(world)
    privacy = actor(world.privacy_a)
    first = access_report(actor=privacy, client_id=world.client_a.id, page=1)
    assert len(first.rows) == 3
    assert first.pages == -(-first.total // 3)
    assert first.pages > 1
    last = access_report(actor=privacy, client_id=world.client_a.id, page=999)
    assert last.page == last.pages
    assert access_report(actor=privacy, client_id=world.client_a.id, page=-5).page == 1
    everything = access_report(actor=privacy, client_id=world.client_a.id, fmt="csv")
    assert len(everything.rows) == everything.total >= first.total


def test_an_export_larger_than_the_limit_is_refused_without_an_event(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reports, "EXPORT_LIMIT", 2)
    busy_history(world)
    mark = ledger_mark()
    with pytest.raises(ValidationFailed):
        access_report(actor=actor(world.privacy_a), client_id=world.client_a.id, fmt="csv")
    assert events_since(mark) == []


# ---- exports ------------------------------------------------------------------------------------


def _csv_rows(data: bytes) -> list[list[str]]:
    assert data.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ('=HYPERLINK("http://evil")', '\'=HYPERLINK("http://evil")'),
        ("+1+2", "'+1+2"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("plain", "plain"),
        ("a=b", "a=b"),
        ("", ""),
        (None, ""),
        (42, "42"),
    ],
)
def test_neutralize_prefixes_formula_cells(cell: object, expected: str) -> None:
    assert exports.neutralize(cell) == expected


def test_the_csv_escapes_and_neutralizes_what_staff_and_reasons_hold(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    User.objects.filter(id=world.worker_a.id).update(display_name='=HYPERLINK("x","y")')
    tricky = 'said "urgent", then\nleft; =1+1'
    _event_at(monkeypatch, clock.now(), world.worker_a, world.client_a.id, reason=tricky)
    _event_at(monkeypatch, clock.now(), world.worker_a2, world.client_a.id, reason="-cmd|' /C")
    report = access_report(actor=actor(world.privacy_a), client_id=world.client_a.id, fmt="csv")
    rows = _csv_rows(exports.access_report_csv(report))
    assert rows[0] == list(exports.ACCESS_HEADER)
    by_reason = {r[10]: r for r in rows[1:]}
    assert tricky in by_reason  # quoted, comma, quote and newline survive the round trip
    assert by_reason[tricky][3] == '\'=HYPERLINK("x","y")'
    assert "'-cmd|' /C" in by_reason
    for row in rows[1:]:
        assert len(row) == len(exports.ACCESS_HEADER)
        assert not any(cell.startswith(("=", "+", "-", "@")) for cell in row)


def _exports(world: World) -> tuple[bytes, bytes]:
    report = access_report(actor=actor(world.privacy_a), client_id=world.client_a.id, fmt="csv")
    return exports.access_report_csv(report), exports.access_report_pdf(report)


def test_no_export_holds_note_text_or_any_client_name(world: World) -> None:
    busy_history(world)
    csv_data, pdf = _exports(world)
    for blob in (csv_data, pdf, pdf_text(pdf)):
        assert NOTE_TEXT.encode() not in blob
        assert b"quartz" not in blob.lower()
        for name in CLIENT_NAMES:
            assert name.encode() not in blob
    assert b"worker_a2" in csv_data  # staff names are shown: the search can find text


@pytest.mark.parametrize("unicode_font", [True, False])
def test_the_pdf_is_a_pdf_in_either_font(
    world: World, monkeypatch: pytest.MonkeyPatch, unicode_font: bool
) -> None:
    busy_history(world)
    User.objects.filter(id=world.worker_a2.id).update(display_name="Nguyễn Zoë \u2013 \u2713")
    if not unicode_font:
        monkeypatch.setattr(exports, "font_dir", lambda: None)
    elif pdf_fonts.font_dir() is None:
        pytest.skip("no DejaVu fonts on this machine")
    report = access_report(actor=actor(world.privacy_a), client_id=world.client_a.id, fmt="pdf")
    pdf = exports.access_report_pdf(report, staff_name="Nguyễn Zoë")
    assert pdf.startswith(b"%PDF-")
    assert pdf.rstrip().endswith(b"%%EOF")
    assert b"/Type /Page" in pdf
    if not unicode_font:
        text = pdf_text(pdf)
        assert b"Access report" in text
        assert b"worker_a" in text
        assert b"Nguy?n Zo\xeb" in text  # Latin-1 kept, the rest replaced
        assert str(world.client_a.id).encode() in text


def test_an_empty_report_exports_too(world: World) -> None:
    filters = ReportFilters(action=EventType.KEY_ROTATED.value)
    report = access_report(
        actor=actor(world.privacy_a), client_id=world.client_a.id, filters=filters, fmt="pdf"
    )
    assert report.rows == []
    assert exports.access_report_pdf(report).startswith(b"%PDF-")
    assert _csv_rows(exports.access_report_csv(report)) == [list(exports.ACCESS_HEADER)]
