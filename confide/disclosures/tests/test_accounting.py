"""The accounting of disclosures (45 CFR 164.528): entries are recorded with their ledger event,
encrypted at rest, never changed or removed (only annotated), and reported for six years with
the excluded kinds marked."""

from __future__ import annotations

import csv
import datetime as dt
import io
import uuid
from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction

from confide.access.policy import GUARDIAN
from confide.core import clock
from confide.core.enums import Role
from confide.core.errors import NotFound, ValidationFailed
from confide.crypto.envelope import DecryptionFailed, client_key
from confide.crypto.models import ClientKey
from confide.disclosures import accounting
from confide.disclosures.accounting import (
    EARLIEST,
    UNREADABLE,
    accounting_entry_annotate,
    accounting_entry_record,
    accounting_report,
    years_before,
)
from confide.disclosures.enums import ExcludedKind
from confide.disclosures.exports import ACCOUNTING_HEADER, accounting_csv
from confide.disclosures.models import AccountingAnnotation, AccountingEntry
from confide.ledger import services as ledger_services
from confide.ledger.enums import EventType
from confide.ledger.testing import as_table_owner
from confide.ledger.tests.support import events_since, ledger_mark
from confide.records.models import Client
from confide.testing import World, actor, make_user

AS_OF = dt.datetime(2025, 6, 15, 12, 0, tzinfo=dt.UTC)
RECIPIENT = "Officer Balthazar Pennyworth-Oduya"
DESCRIPTION = "Intake summary and the safety plan of 2025-03-02"
PURPOSE = "Welfare check requested in writing by the county sheriff"
ADDRESS = "17 Larkspur Row, Millbrook"
NON_PRIVACY = ("worker_a", "supervisor_a", "admin_a", "intake_a", "worker_b")


def record(world: World, **changes: Any) -> AccountingEntry:
    values: dict[str, Any] = {
        "actor": actor(world.worker_a),
        "client_id": world.client_a.id,
        "disclosed_at": AS_OF - dt.timedelta(days=30),
        "recipient": RECIPIENT,
        "recipient_address": ADDRESS,
        "description": DESCRIPTION,
        "purpose": PURPOSE,
        "legal_basis": "45 CFR 164.512(f)(1)(ii)",
        "excluded_kind": None,
        "released_labels": [],
    }
    values.update(changes)
    return accounting_entry_record(**values)


def report(world: World, as_of: dt.datetime = AS_OF) -> accounting.AccountingReport:
    return accounting_report(actor=actor(world.privacy_a), client_id=world.client_a.id, as_of=as_of)


# ---- recording ----------------------------------------------------------------------------------


def test_recording_writes_the_entry_and_its_ledger_event_together(world: World) -> None:
    release = uuid.uuid4()
    mark = ledger_mark()
    entry = record(world, release_id=release, excluded_kind=ExcludedKind.AUTHORIZED)
    [event] = events_since(mark)
    assert event.event_type == EventType.ACCOUNTING_ENTRY_RECORDED
    assert event.subject_id == str(entry.id)
    assert event.client_id == world.client_a.id
    assert event.actor_id == world.worker_a.id
    assert event.details == {"excluded_kind": "authorized", "release": str(release)}
    assert RECIPIENT not in str(event.details) + event.reason
    assert entry.recorded_by_id == world.worker_a.id
    assert entry.release_id == release


def test_a_failed_ledger_write_leaves_no_entry(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(**_: object) -> None:
        raise RuntimeError("ledger down")

    monkeypatch.setattr(ledger_services, "record", broken)
    with pytest.raises(RuntimeError):
        record(world)
    assert not AccountingEntry.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"recipient": "  "}, "recipient"),
        ({"recipient": "x" * 201}, "recipient"),
        ({"description": ""}, "description"),
        ({"purpose": "nul\x00byte"}, "purpose"),
        ({"legal_basis": ""}, "legal_basis"),
        ({"recipient_address": "y" * 501}, "recipient_address"),
        ({"disclosed_at": dt.datetime(2025, 1, 1, 12, 0)}, "disclosed_at"),
        ({"disclosed_at": dt.date(2025, 1, 1)}, "disclosed_at"),
        ({"disclosed_at": EARLIEST - dt.timedelta(seconds=1)}, "disclosed_at"),
        ({"disclosed_at": "2025-01-01T00:00:00Z"}, "disclosed_at"),
        ({"excluded_kind": "because"}, "excluded_kind"),
    ],
)
def test_bad_entries_are_refused_whole(world: World, changes: dict[str, Any], field: str) -> None:
    mark = ledger_mark()
    with pytest.raises(ValidationFailed) as refused:
        record(world, **changes)
    assert field in refused.value.fields
    assert not AccountingEntry.objects.exists()
    assert events_since(mark) == []


def test_a_disclosure_in_the_future_is_refused(world: World) -> None:
    with pytest.raises(ValidationFailed):
        record(world, disclosed_at=clock.now() + dt.timedelta(hours=1))
    assert record(world, disclosed_at=clock.now())


@pytest.mark.parametrize("client", ["client_b", "forged", "malformed"])
def test_another_agencys_or_a_missing_client_is_not_found(world: World, client: str) -> None:
    ids = {"client_b": world.client_b.id, "forged": uuid.uuid4(), "malformed": "42; DROP"}
    with pytest.raises(NotFound):
        record(world, client_id=ids[client])
    assert not AccountingEntry.objects.exists()


# ---- at rest ------------------------------------------------------------------------------------


def _raw(table: str, row_id: uuid.UUID) -> bytes:
    """Every column of one row, as the database holds it, as bytes."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table} WHERE id = %s", [row_id.hex if _hex() else row_id])  # noqa: S608
        values = cursor.fetchone()
    assert values is not None
    return b"|".join(
        bytes(v) if isinstance(v, bytes | memoryview) else str(v).encode() for v in values
    )


def _hex() -> bool:
    return connection.vendor == "sqlite"  # Django stores UUIDs as 32 hex characters there


def test_free_text_is_encrypted_at_rest_with_the_clients_key(world: World) -> None:
    entry = record(world)
    note = accounting_entry_annotate(
        actor=actor(world.privacy_a), entry_id=entry.id, text="Sheriff Ignatius Fairweather"
    )
    raw = _raw("disclosures_accountingentry", entry.id) + _raw(
        "disclosures_accountingannotation", note.id
    )
    for secret in (RECIPIENT, "Pennyworth", ADDRESS, "Larkspur", DESCRIPTION, PURPOSE, "Ignatius"):
        assert secret.encode() not in raw
        assert secret.encode().hex().encode() not in raw
    assert b"164.512" not in raw  # the legal basis too
    key = client_key(world.client_a.id)
    stored = AccountingEntry.objects.get(id=entry.id)
    purpose = accounting.purpose_of("recipient")
    assert key.decrypt_text(purpose, entry.id, stored.recipient_enc) == RECIPIENT
    with pytest.raises(DecryptionFailed):  # bound to its column and row
        key.decrypt_text(accounting.purpose_of("purpose"), entry.id, stored.recipient_enc)
    with pytest.raises(DecryptionFailed):
        key.decrypt_text(purpose, uuid.uuid4(), stored.recipient_enc)


# ---- append-only --------------------------------------------------------------------------------

REJECTED = [
    "UPDATE disclosures_accountingentry SET excluded_kind = 'tpo'",
    "UPDATE disclosures_accountingentry SET disclosed_at = created_at",
    "DELETE FROM disclosures_accountingentry",
    "UPDATE disclosures_accountingannotation SET text_enc = text_enc",
    "DELETE FROM disclosures_accountingannotation",
]


@pytest.mark.parametrize("sql", REJECTED)
def test_the_database_refuses_to_change_or_remove_entries_and_annotations(
    world: World, sql: str
) -> None:
    entry = record(world)
    accounting_entry_annotate(actor=actor(world.privacy_a), entry_id=entry.id, text="checked")
    before = _raw("disclosures_accountingentry", entry.id)
    with (
        as_table_owner(),  # a role with the privileges: the app's has none (ledger test_roles)
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql)
    assert _raw("disclosures_accountingentry", entry.id) == before
    assert AccountingAnnotation.objects.count() == 1


def test_the_orm_cannot_change_or_delete_an_entry_either(world: World) -> None:
    entry = record(world)
    with as_table_owner(), pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AccountingEntry.objects.filter(id=entry.id).update(excluded_kind="tpo")
    with as_table_owner(), pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AccountingEntry.objects.filter(id=entry.id).delete()
    entry.excluded_kind = "tpo"
    with as_table_owner(), pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        entry.save()
    assert AccountingEntry.objects.get(id=entry.id).excluded_kind == ""


@pytest.mark.postgres_only
def test_postgres_refuses_truncate(world: World) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("TRUNCATE triggers exist on PostgreSQL")
    record(world)
    for table in ("disclosures_accountingentry", "disclosures_accountingannotation"):
        with transaction.atomic(), as_table_owner(), connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending FK checks in the way
            with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
                cursor.execute(f"TRUNCATE {table} CASCADE")
    assert AccountingEntry.objects.count() == 1


# ---- annotations --------------------------------------------------------------------------------


def test_annotations_append_and_the_entry_stays_as_it_was(world: World) -> None:
    entry = record(world)
    before = _raw("disclosures_accountingentry", entry.id)
    privacy = actor(world.privacy_a)
    mark = ledger_mark()
    first = accounting_entry_annotate(actor=privacy, entry_id=entry.id, text="Address corrected.")
    second = accounting_entry_annotate(actor=privacy, entry_id=entry.id, text="Suspended 30 days.")
    events = events_since(mark)
    assert [e.event_type for e in events] == [EventType.ACCOUNTING_ENTRY_ANNOTATED] * 2
    assert [e.details["annotation"] for e in events] == [str(first.id), str(second.id)]
    assert all(e.client_id == world.client_a.id for e in events)
    assert _raw("disclosures_accountingentry", entry.id) == before
    [view] = report(world).entries
    assert [a.text for a in view.annotations] == ["Address corrected.", "Suspended 30 days."]
    assert view.annotations[0].author_name == "privacy_a"


@pytest.mark.parametrize("persona", [*NON_PRIVACY, "privacy_b"])
def test_only_the_agencys_privacy_officers_annotate(world: World, persona: str) -> None:
    entry = record(world)
    user = (
        make_user(world.agency_b, "privacy_b@b.test", Role.PRIVACY_OFFICER)
        if persona == "privacy_b"
        else getattr(world, persona)
    )
    mark = ledger_mark()
    with pytest.raises(NotFound):
        accounting_entry_annotate(actor=actor(user), entry_id=entry.id, text="mine")
    assert events_since(mark) == []
    assert not AccountingAnnotation.objects.exists()


@pytest.mark.parametrize("text", ["", "   ", "z" * 2001])
def test_an_empty_or_overlong_annotation_is_refused(world: World, text: str) -> None:
    entry = record(world)
    with pytest.raises(ValidationFailed):
        accounting_entry_annotate(actor=actor(world.privacy_a), entry_id=entry.id, text=text)
    with pytest.raises(NotFound):
        accounting_entry_annotate(actor=actor(world.privacy_a), entry_id="nope", text="x")


# ---- the report ---------------------------------------------------------------------------------


def test_the_window_is_the_six_years_up_to_as_of_inclusive(world: World) -> None:
    start = years_before(AS_OF, 6)
    assert start == dt.datetime(2019, 6, 15, 12, 0, tzinfo=dt.UTC)
    tick = dt.timedelta(microseconds=1)
    for label, when in {
        "too old": start - tick,
        "first day": start,
        "last moment": AS_OF,
        "after": AS_OF + tick,
    }.items():
        record(world, disclosed_at=when, recipient=label)
    shown = report(world)
    assert [e.recipient for e in shown.entries] == ["first day", "last moment"]
    assert shown.window_start == start
    assert shown.as_of == AS_OF


def test_six_years_before_a_leap_day_is_the_28th() -> None:
    leap = dt.datetime(2028, 2, 29, 9, 30, tzinfo=dt.UTC)
    assert years_before(leap, 6) == dt.datetime(2022, 2, 28, 9, 30, tzinfo=dt.UTC)
    assert years_before(leap, 4) == dt.datetime(2024, 2, 29, 9, 30, tzinfo=dt.UTC)


@pytest.mark.parametrize("kind", [None, *ExcludedKind.values])
def test_each_excluded_kind_is_marked_and_the_rest_included(world: World, kind: str | None) -> None:
    record(world, excluded_kind=kind)
    [entry] = report(world).entries
    assert entry.included is (kind is None)
    assert entry.excluded_kind == (kind or "")
    if kind:
        assert "164.528(a)(1)" in entry.excluded_label
    else:
        assert entry.excluded_label == ""


def test_the_report_splits_included_and_excluded_and_orders_by_date(world: World) -> None:
    record(world, disclosed_at=AS_OF - dt.timedelta(days=2), recipient="second")
    record(world, disclosed_at=AS_OF - dt.timedelta(days=9), recipient="first", excluded_kind="tpo")
    shown = report(world)
    assert [e.recipient for e in shown.entries] == ["first", "second"]
    assert [e.recipient for e in shown.included] == ["second"]
    assert [e.recipient for e in shown.excluded] == ["first"]
    assert shown.case_numbers == ["A-1001"]
    assert shown.entries[1].recorded_by == "worker_a"
    assert shown.entries[1].recipient_address == ADDRESS


def test_reading_the_report_is_on_the_ledger(world: World) -> None:
    record(world)
    record(world, excluded_kind="to_individual")
    mark = ledger_mark()
    accounting_report(
        actor=actor(world.privacy_a), client_id=world.client_a.id, as_of=AS_OF, fmt="csv"
    )
    [event] = events_since(mark)
    assert event.event_type == EventType.ACCOUNTING_VIEWED
    assert event.client_id == world.client_a.id
    assert event.details == {
        "format": "csv",
        "audience": "staff",
        "as_of": AS_OF.isoformat(),
        "entries": 2,
        "excluded": 1,
    }
    assert RECIPIENT not in str(event.details)


@pytest.mark.parametrize("persona", [*NON_PRIVACY, "privacy_b"])
def test_only_the_agencys_privacy_officers_read_the_accounting(world: World, persona: str) -> None:
    record(world)
    user = (
        make_user(world.agency_b, "privacy_b@b.test", Role.PRIVACY_OFFICER)
        if persona == "privacy_b"
        else getattr(world, persona)
    )
    mark = ledger_mark()
    with pytest.raises(NotFound):
        accounting_report(actor=actor(user), client_id=world.client_a.id, as_of=AS_OF)
    assert events_since(mark) == []


@pytest.mark.parametrize("forged", ["", "nope", str(uuid.uuid4())])
def test_forged_ids_are_not_found(world: World, forged: str) -> None:
    with pytest.raises(NotFound):
        accounting_report(actor=actor(world.privacy_a), client_id=forged)


def test_a_naive_as_of_is_refused(world: World) -> None:
    with pytest.raises(ValidationFailed):
        report(world, as_of=dt.datetime(2025, 1, 1))


def test_after_the_key_is_destroyed_entries_keep_their_dates_and_kinds(world: World) -> None:
    record(world, excluded_kind="tpo")
    ClientKey.objects.filter(client_id=world.client_a.id).delete()
    [entry] = report(world).entries
    assert entry.recipient == UNREADABLE
    assert entry.excluded_kind == "tpo"


def test_the_csv_holds_every_entry_with_formulas_neutralized(world: World) -> None:
    entry = record(world, recipient='=HYPERLINK("http://x")', purpose='a, "b"\nc')
    accounting_entry_annotate(actor=actor(world.privacy_a), entry_id=entry.id, text="@note")
    record(world, excluded_kind="limited_data_set", recipient="Researcher")
    rows = list(csv.reader(io.StringIO(accounting_csv(report(world)).decode("utf-8-sig"))))
    assert rows[0] == list(ACCOUNTING_HEADER)
    assert rows[0][0] == "disclosed_at"  # not "_utc": the times are the agency's, with offset
    first, second = rows[1], rows[2]
    disclosed = dt.datetime.fromisoformat(first[0])
    assert disclosed.utcoffset() in (dt.timedelta(hours=-5), dt.timedelta(hours=-4))
    assert disclosed == AS_OF - dt.timedelta(days=30)
    assert first[1] == '\'=HYPERLINK("http://x")'
    assert first[4] == 'a, "b"\nc'
    assert first[6] == "yes"
    assert "privacy_a: @note" in first[12]
    assert second[6] == "no"
    assert second[7] == "limited_data_set"


# ---- an accounting given to a parent, guardian or other personal representative ---------------


def guardian_report(world: World, as_of: dt.datetime = AS_OF) -> accounting.AccountingReport:
    return accounting_report(
        actor=actor(world.privacy_a), client_id=world.client_a.id, as_of=as_of, audience=GUARDIAN
    )


def test_a_guardians_accounting_leaves_out_what_a_minor_consented_to_alone(world: World) -> None:
    record(world, recipient="plain", disclosed_at=AS_OF - dt.timedelta(days=3))
    record(world, recipient="hiv", released_labels=["hiv"], disclosed_at=AS_OF - dt.timedelta(2))
    record(world, recipient="alone", released_labels=["minor_consented", "hiv"])
    full = report(world)
    assert [e.recipient for e in full.entries] == ["alone", "plain", "hiv"]
    assert [e.for_guardian for e in full.entries] == [False, True, True]
    mark = ledger_mark()
    copy = guardian_report(world)
    assert copy.for_guardian
    assert [e.recipient for e in copy.entries] == ["plain", "hiv"]
    [event] = events_since(mark)
    assert event.details == {
        "format": "html",
        "audience": "guardian",
        "as_of": AS_OF.isoformat(),
        "entries": 2,
        "excluded": 0,
        "left_out": 1,
    }
    rows = list(csv.reader(io.StringIO(accounting_csv(copy).decode("utf-8-sig"))))
    assert [r[1] for r in rows[1:]] == ["plain", "hiv"]


def test_a_client_labelled_as_having_consented_alone_has_nothing_for_a_guardian(
    world: World,
) -> None:
    """Labelled after the disclosures (or an adult now, who consented alone as a minor): the
    client's label covers every disclosure of theirs, whatever the entries recorded."""
    record(world, recipient="before the label")
    Client.objects.filter(id=world.client_a.id).update(labels=["minor_consented"])
    assert guardian_report(world).entries == []
    [entry] = report(world).entries  # the full accounting still lists it
    assert entry.recipient == "before the label"
    assert not entry.for_guardian


def test_an_entry_whose_labels_cannot_be_read_never_goes_to_a_guardian(world: World) -> None:
    kept = record(world, recipient="kept")
    old = AccountingEntry.objects.create(  # as recorded before release labels were kept
        id=uuid.uuid4(),
        agency_id=kept.agency_id,
        client_id=kept.client_id,
        recorded_by_id=kept.recorded_by_id,
        disclosed_at=kept.disclosed_at,
        recipient_enc=kept.recipient_enc,
        recipient_address_enc=kept.recipient_address_enc,
        description_enc=kept.description_enc,
        purpose_enc=kept.purpose_enc,
        legal_basis_enc=kept.legal_basis_enc,
    )
    assert old.labels_enc is None
    assert [e.id for e in guardian_report(world).entries] == [kept.id]
    assert {e.id: e.for_guardian for e in report(world).entries} == {kept.id: True, old.id: False}
    ClientKey.objects.filter(client_id=world.client_a.id).delete()  # shredded: nothing is known
    assert guardian_report(world).entries == []
    assert len(report(world).entries) == 2


def test_the_released_labels_are_encrypted_at_rest(world: World) -> None:
    entry = record(world, released_labels=["minor_consented", "part2_sud"])
    raw = _raw("disclosures_accountingentry", entry.id)
    for secret in (b"minor_consented", b"part2_sud"):
        assert secret not in raw
        assert secret.hex().encode() not in raw
    assert accounting.released_labels(client_key(world.client_a.id), entry) == frozenset(
        {"minor_consented", "part2_sud"}
    )
    assert entry.labels_enc is not None
    with pytest.raises(DecryptionFailed):  # bound to its column
        client_key(world.client_a.id).decrypt_text(
            accounting.purpose_of("recipient"), entry.id, entry.labels_enc
        )


@pytest.mark.parametrize("labels", [["minor"], "minor_consented", None, [1], ["hiv", "other"]])
def test_bad_released_labels_are_refused_whole(world: World, labels: object) -> None:
    mark = ledger_mark()
    with pytest.raises(ValidationFailed) as refused:
        record(world, released_labels=labels)
    assert set(refused.value.fields) == {"released_labels"}
    assert not AccountingEntry.objects.exists()
    assert events_since(mark) == []


@pytest.mark.parametrize("audience", ["parent", "", "GUARDIAN", None])
def test_an_unknown_audience_is_refused(world: World, audience: object) -> None:
    record(world)
    mark = ledger_mark()
    with pytest.raises(ValidationFailed) as refused:
        accounting_report(
            actor=actor(world.privacy_a),
            client_id=world.client_a.id,
            as_of=AS_OF,
            audience=audience,  # type: ignore[arg-type]
        )
    assert set(refused.value.fields) == {"audience"}
    assert events_since(mark) == []


def test_only_privacy_officers_read_a_guardians_accounting_too(world: World) -> None:
    record(world)
    with pytest.raises(NotFound):
        accounting_report(
            actor=actor(world.worker_a), client_id=world.client_a.id, audience=GUARDIAN
        )
