"""Schedules, the due list, approval, legal holds and the purge (crypto-shredding)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import override_settings

from confide.core.errors import NotFound, NotPermitted, ValidationFailed
from confide.crypto.envelope import DecryptionFailed, client_key
from confide.crypto.models import BlindIndexRow, ClientKey
from confide.disclosures.accounting import accounting_entry_record
from confide.ledger.models import Event
from confide.ledger.verify import verify_chain
from confide.records import services as records
from confide.records.models import Attachment, Case, Client, Note
from confide.releases.models import Release
from confide.releases.tests import support as release_support
from confide.retention import purge, selectors, services, shredlist
from confide.retention.enums import Basis, ItemStatus
from confide.retention.errors import AlreadyApproved, NoSchedule, NotDue, UnderLegalHold
from confide.retention.models import PurgeItem, ShreddedClient
from confide.retention.tests.support import TODAY, close_cases, set_schedule
from confide.testing import World, actor, late_evening, make_client
from confide.training import services as training

Capture = Callable[..., Any]


@pytest.fixture(autouse=True)
def _own_shred_list(tmp_path: Path) -> Any:
    with override_settings(CONFIDE_SHRED_LIST_PATH=tmp_path / "keys" / "shredded.jsonl"):
        yield


def _with_file(world: World, client: Client) -> Attachment:
    note = world.note(world.worker_a, client, body="Visit about the Kestrel flat.")
    attachment = records.attachment_create(
        actor=actor(world.worker_a),
        note_id=note.id,
        filename="letter.txt",
        content_type="text/plain",
        data=b"A letter.",
    )
    from confide.records import files

    files.promote(attachment)
    return attachment


def _file_path(attachment: Attachment) -> Path:
    return Path(settings.CONFIDE_FILES_DIR) / str(attachment.agency_id) / f"{attachment.id}.bin"


def _approve(world: World, *clients: Client) -> Any:
    return services.purge_batch_approve(
        actor=actor(world.privacy_a),
        client_ids=[c.id for c in clients],
        today=TODAY,
        reauthenticated=True,
    )


# ---- the schedule ---------------------------------------------------------------------------


def test_the_state_defaults_become_the_agency_schedule(world: World) -> None:
    schedule = set_schedule(world, "NY")
    assert (schedule.years_after_closure, schedule.years_after_majority, schedule.majority_age) == (
        6,
        1,
        21,
    )
    event = Event.objects.order_by("-seq").first()
    assert event is not None
    assert event.event_type == "retention:schedule:set"


def test_a_schedule_shorter_than_the_law_is_refused_and_longer_is_fine(world: World) -> None:
    officer = actor(world.privacy_a)
    with pytest.raises(ValidationFailed) as refused:
        services.retention_schedule_set(actor=officer, state="CA", years_after_closure=5)
    assert "Cal. Bus. & Prof. Code" in refused.value.fields["years_after_closure"]
    assert "not yet verified" not in refused.value.fields["years_after_closure"]
    longer = services.retention_schedule_set(actor=officer, state="CA", years_after_closure=10)
    assert longer.years_after_closure == 10
    # An unverified law-based value still binds, and the refusal says it is unverified.
    with pytest.raises(ValidationFailed) as unverified:
        services.retention_schedule_set(actor=officer, state="WA", years_after_closure=3)
    message = unverified.value.fields["years_after_closure"]
    assert message.startswith("WA law, as recorded here but not yet verified, requires at least 5")
    # Illinois values are agency policy: a shorter agency period is the agency's call.
    assert (
        services.retention_schedule_set(
            actor=officer, state="IL", years_after_closure=5
        ).years_after_closure
        == 5
    )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"state": "ZZ"}, "state"),
        ({"state": None}, "state"),
        ({"years_after_closure": "7"}, "years_after_closure"),
        ({"years_after_closure": 0}, "years_after_closure"),
        ({"years_after_majority": 10_000}, "years_after_majority"),
        ({"majority_age": 12}, "majority_age"),
        ({"years_after_closure": True}, "years_after_closure"),
    ],
)
def test_bad_schedule_input_names_the_field(
    world: World, changes: dict[str, Any], field: str
) -> None:
    arguments: dict[str, Any] = {"state": "CA", **changes}
    with pytest.raises(ValidationFailed) as refused:
        services.retention_schedule_set(actor=actor(world.privacy_a), **arguments)
    assert field in refused.value.fields


@pytest.mark.parametrize("persona", ["worker_a", "supervisor_a", "admin_a", "intake_a"])
def test_only_a_privacy_officer_sets_the_schedule(world: World, persona: str) -> None:
    with pytest.raises(NotPermitted):
        services.retention_schedule_set(actor=actor(getattr(world, persona)), state="CA")


# ---- the due list ---------------------------------------------------------------------------


def test_the_due_list_holds_closed_clients_past_their_date_and_no_others(world: World) -> None:
    set_schedule(world)
    close_cases(world.client_a)
    minor = make_client(
        world.agency_a, world.team_a1, name="Young Person", dob=dt.date(2015, 3, 9), number="A-M"
    )
    close_cases(minor)  # served as a minor: kept until 2040
    due = selectors.due_list(actor=actor(world.privacy_a), today=TODAY)
    assert [d.client_id for d in due] == [world.client_a.id]
    assert due[0].basis == Basis.CLOSURE
    assert due[0].case_numbers == ("A-1001",)
    assert due[0].due_on == dt.date(2032, 6, 30)
    later = selectors.due_list(actor=actor(world.privacy_a), today=dt.date(2040, 3, 9))
    assert {d.client_id for d in later} == {world.client_a.id, minor.id}
    event = Event.objects.filter(event_type="retention:due_list:viewed").last()
    assert event is not None
    assert sorted(event.details["clients"]) == sorted([str(world.client_a.id), str(minor.id)])


def test_a_disclosure_in_the_evening_counts_from_the_agencys_day(world: World) -> None:
    """Six years of accounting run from the day of the last disclosure where the agency is:
    21:30 in New York is already the next day in UTC, which would make the record due a day
    late."""
    set_schedule(world)
    close_cases(world.client_a)  # due 2032-06-30 by closure; the disclosure keeps it longer
    with late_evening(dt.date(2027, 3, 10)) as evening:
        accounting_entry_record(
            actor=actor(world.worker_a),
            client_id=world.client_a.id,
            disclosed_at=evening,
            recipient="County Court Clerk",
            description="Attendance dates",
            purpose="Court order",
            legal_basis="45 CFR 164.512(e)(1)(i)",
            excluded_kind=None,
            released_labels=[],
        )
        [due] = selectors.due_list(actor=actor(world.privacy_a), today=dt.date(2033, 3, 10))
    assert due.client_id == world.client_a.id
    assert (due.due_on, due.basis) == (dt.date(2033, 3, 10), Basis.ACCOUNTING)


def test_a_client_with_an_open_case_is_never_due(world: World) -> None:
    set_schedule(world)
    close_cases(world.client_a)
    records.case_create(
        actor=None,
        client=world.client_a,
        team=world.team_a1,
        case_number="A-1001-2",
        opened_on=dt.date(2031, 1, 1),
    )
    assert selectors.due_list(actor=actor(world.privacy_a), today=TODAY) == []


def test_the_due_list_needs_a_schedule_and_a_privacy_officer(world: World) -> None:
    with pytest.raises(NoSchedule):
        selectors.due_list(actor=actor(world.privacy_a), today=TODAY)
    set_schedule(world)
    with pytest.raises(NotPermitted):
        selectors.due_list(actor=actor(world.supervisor_a), today=TODAY)


def test_a_walled_privacy_officer_does_not_see_the_client_in_the_due_list(world: World) -> None:
    set_schedule(world)
    close_cases(world.client_a)
    training.conflict_declare(
        actor=actor(world.privacy_a), client_id=world.client_a.id, relationship="neighbour"
    )
    assert selectors.due_list(actor=actor(world.privacy_a), today=TODAY) == []
    with pytest.raises(NotFound):
        _approve(world, world.client_a)


# ---- approval -------------------------------------------------------------------------------


def test_approval_refuses_other_agencies_forged_ids_and_clients_not_due(world: World) -> None:
    set_schedule(world)
    close_cases(world.client_a)
    close_cases(world.client_b)
    with pytest.raises(NotFound):
        _approve(world, world.client_b)
    with pytest.raises(ValidationFailed):
        services.purge_batch_approve(
            actor=actor(world.privacy_a),
            client_ids=["not-an-id"],
            today=TODAY,
            reauthenticated=True,
        )
    with pytest.raises(ValidationFailed):
        services.purge_batch_approve(
            actor=actor(world.privacy_a), client_ids=[], today=TODAY, reauthenticated=True
        )
    with pytest.raises(NotDue):
        _approve(world, world.client_a_other)  # its case is open
    with pytest.raises(ValidationFailed):
        services.purge_batch_approve(
            actor=actor(world.privacy_a),
            client_ids=[world.client_a.id],
            today=TODAY,
            reauthenticated=False,
        )
    with pytest.raises(NotPermitted):
        services.purge_batch_approve(
            actor=actor(world.worker_a),
            client_ids=[world.client_a.id],
            today=TODAY,
            reauthenticated=True,
        )
    assert PurgeItem.objects.count() == 0


def test_a_client_cannot_be_approved_twice_or_while_held(world: World) -> None:
    set_schedule(world)
    close_cases(world.client_a)
    close_cases(world.client_a_other)
    _approve(world, world.client_a)
    with pytest.raises(AlreadyApproved):
        _approve(world, world.client_a)
    services.legal_hold_place(
        actor=actor(world.privacy_a), case_number="A-1002", reason="subpoena", details="Subpoena 7"
    )
    with pytest.raises(UnderLegalHold):
        _approve(world, world.client_a_other)


# ---- the purge ------------------------------------------------------------------------------


def test_the_purge_shreds_an_approved_client_and_the_ledger_still_verifies(
    world: World, django_capture_on_commit_callbacks: Capture
) -> None:
    set_schedule(world)
    attachment = _with_file(world, world.client_a)
    release = release_support.signed(actor(world.worker_a), world.client_a.id)
    other_release = release_support.signed(actor(world.other_worker_a), world.client_a_other.id)
    close_cases(world.client_a)
    assert _file_path(attachment).exists()
    _approve(world, world.client_a)
    with django_capture_on_commit_callbacks(execute=True):
        summary = purge.purge_run(today=TODAY)
    assert (summary.purged, summary.held, summary.failed) == (1, 0, 0)
    client_id = world.client_a.id
    assert not Release.objects.filter(id=release.id).exists()  # its categories were in clear
    assert Release.objects.filter(id=other_release.id).exists()
    with pytest.raises(DecryptionFailed):
        client_key(client_id)
    assert not ClientKey.objects.filter(client_id=client_id).exists()
    assert not BlindIndexRow.objects.filter(client_id=client_id).exists()
    assert not Case.objects.filter(client_id=client_id).exists()
    assert not Note.objects.filter(client_id=client_id).exists()
    assert not Attachment.objects.filter(client_id=client_id).exists()
    assert not _file_path(attachment).exists()
    tombstone = Client.objects.get(id=client_id)
    assert bytes(tombstone.legal_name_enc) == b""
    assert tombstone.labels == []
    assert ShreddedClient.objects.get(client_id=client_id).files_removed_at is not None
    assert set(shredlist.read()) == {client_id}
    assert world.client_a_other.id not in shredlist.read()
    client_key(world.client_a_other.id)  # everyone else untouched
    shredded = Event.objects.get(event_type="retention:client:shredded")
    assert shredded.client_id == client_id
    text = json.dumps(shredded.details) + shredded.reason
    assert "Rosalind" not in text
    assert "Kestrel" not in text
    assert "A-1001" not in text
    assert verify_chain().ok
    assert PurgeItem.objects.get(client_id=client_id).status == ItemStatus.PURGED
    # A second run finds nothing left to do.
    assert purge.purge_run(today=TODAY).purged == 0


def test_a_client_held_after_approval_is_never_purged(
    world: World, django_capture_on_commit_callbacks: Capture
) -> None:
    set_schedule(world)
    close_cases(world.client_a)
    _approve(world, world.client_a)
    hold = services.legal_hold_place(
        actor=actor(world.privacy_a),
        case_number="A-1001",
        reason="subpoena",
        details="Subpoena duces tecum, County court",
    )
    with django_capture_on_commit_callbacks(execute=True):
        summary = purge.purge_run(today=TODAY)
    assert (summary.purged, summary.held) == (0, 1)
    client_key(world.client_a.id)  # still readable
    assert Case.objects.filter(client=world.client_a).exists()
    assert PurgeItem.objects.get(client=world.client_a).status == ItemStatus.SKIPPED_HELD
    assert shredlist.read() == {}
    # Released later, it is due again and needs a new approval.
    services.legal_hold_release(actor=actor(world.privacy_a), hold_id=hold.id, note="Case closed")
    assert purge.purge_run(today=TODAY).purged == 0
    _approve(world, world.client_a)
    with django_capture_on_commit_callbacks(execute=True):
        assert purge.purge_run(today=TODAY).purged == 1


def test_a_case_reopened_after_approval_stops_the_purge(world: World) -> None:
    set_schedule(world)
    close_cases(world.client_a)
    _approve(world, world.client_a)
    Case.objects.filter(client=world.client_a).update(status="open", closed_on=None)
    summary = purge.purge_run(today=TODAY)
    assert (summary.purged, summary.not_due) == (0, 1)
    client_key(world.client_a.id)


def test_a_purge_that_fails_for_one_client_changes_nothing_of_it(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    set_schedule(world)
    close_cases(world.client_a)
    _approve(world, world.client_a)

    def crash(*args: object, **kwargs: object) -> None:
        raise DecryptionFailed("simulated failure after the key was deleted")

    monkeypatch.setattr(purge, "_scrub_client", crash)
    summary = purge.purge_run(today=TODAY)
    assert (summary.purged, summary.failed) == (0, 1)
    client_key(world.client_a.id)  # the key deletion rolled back with the rest
    assert Case.objects.filter(client=world.client_a).exists()
    assert not ShreddedClient.objects.exists()
    assert verify_chain().ok


# ---- legal holds ----------------------------------------------------------------------------


def test_a_hold_keeps_its_details_encrypted_and_is_listed_for_privacy_officers(
    world: World,
) -> None:
    hold = services.legal_hold_place(
        actor=actor(world.privacy_a),
        case_number="A-1001",
        reason="litigation",
        details="Quenby v. County, Superior Court",
    )
    assert b"Quenby" not in bytes(hold.details_enc)
    rows = selectors.hold_list(actor=actor(world.privacy_a))
    assert [(r.id, r.details, r.case_numbers) for r in rows] == [
        (hold.id, "Quenby v. County, Superior Court", ("A-1001",))
    ]
    placed = Event.objects.get(event_type="retention:legal_hold:placed")
    assert placed.client_id == world.client_a.id
    assert "Quenby" not in json.dumps(placed.details)


@pytest.mark.parametrize("persona", ["worker_a", "supervisor_a", "admin_a", "intake_a"])
def test_only_privacy_officers_place_holds(world: World, persona: str) -> None:
    with pytest.raises(NotFound):
        services.legal_hold_place(
            actor=actor(getattr(world, persona)),
            case_number="A-1001",
            reason="subpoena",
            details="x",
        )


def test_holds_are_bounded_by_the_agency_and_validated(world: World) -> None:
    officer = actor(world.privacy_a)
    with pytest.raises(NotFound):
        services.legal_hold_place(
            actor=officer, case_number="B-2001", reason="subpoena", details="x"
        )
    with pytest.raises(NotFound):
        services.legal_hold_place(
            actor=officer, case_number="x" * 500, reason="subpoena", details="x"
        )
    with pytest.raises(ValidationFailed) as refused:
        services.legal_hold_place(actor=officer, case_number="A-1001", reason="whim", details="")
    assert set(refused.value.fields) == {"reason", "details"}
    with pytest.raises(ValidationFailed):
        services.legal_hold_place(
            actor=officer, case_number="A-1001", reason="other", details="x" * 5000
        )
    hold = services.legal_hold_place(
        actor=officer, case_number="A-1001", reason="subpoena", details="Subpoena"
    )
    other_officer = actor(world.privacy_a)
    from confide.accounts.models import User

    privacy_b = User.objects.create(
        agency=world.agency_b, email="pb@b.test", display_name="pb", role="privacy_officer"
    )
    with pytest.raises(NotFound):
        services.legal_hold_release(actor=actor(privacy_b), hold_id=hold.id, note="done")
    with pytest.raises(NotFound):
        services.legal_hold_release(actor=other_officer, hold_id="forged", note="done")
    services.legal_hold_release(actor=other_officer, hold_id=hold.id, note="Matter closed")
    from confide.retention.errors import HoldAlreadyReleased

    with pytest.raises(HoldAlreadyReleased):
        services.legal_hold_release(actor=other_officer, hold_id=hold.id, note="again")


def test_a_schedule_lengthened_after_approval_protects_the_record(world: World) -> None:
    set_schedule(world)
    close_cases(world.client_a)
    _approve(world, world.client_a)
    services.retention_schedule_set(
        actor=actor(world.privacy_a), state="CA", years_after_closure=30
    )
    summary = purge.purge_run(today=TODAY)
    assert (summary.purged, summary.not_due) == (0, 1)
    client_key(world.client_a.id)


def test_a_database_refusal_during_one_purge_fails_that_client_only(
    world: World, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Capture
) -> None:
    from django.db import IntegrityError

    set_schedule(world)
    close_cases(world.client_a)
    close_cases(world.client_a_other)
    _approve(world, world.client_a, world.client_a_other)
    real = purge.shred_client

    def refuse_first(client: Client, **kwargs: Any) -> Any:
        if client.id == world.client_a.id:
            raise IntegrityError("simulated trigger refusal")
        return real(client, **kwargs)

    monkeypatch.setattr(purge, "shred_client", refuse_first)
    with django_capture_on_commit_callbacks(execute=True):
        summary = purge.purge_run(today=TODAY)
    assert (summary.purged, summary.failed) == (1, 1)
    client_key(world.client_a.id)
    with pytest.raises(DecryptionFailed):
        client_key(world.client_a_other.id)
    assert PurgeItem.objects.get(client=world.client_a).status == ItemStatus.FAILED
    assert verify_chain().ok
