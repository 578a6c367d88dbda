"""Invariant 4: `verify_chain` and `confide ledger verify` find the first altered, removed,
reordered or inserted event. Tampering drops the triggers inside the test's transaction only."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from confide import cli
from confide.core import clock
from confide.ledger.chain import event_hash, event_payload
from confide.ledger.cli import verify_main
from confide.ledger.models import ChainHead, Event
from confide.ledger.testing import as_table_owner
from confide.ledger.tests.support import ledger_triggers_suspended, recomputed_hash
from confide.ledger.verify import verify_chain
from confide.records import selectors
from confide.testing import World, actor

MIDDLE = 5


@pytest.fixture
def chain(world: World) -> int:
    """A world plus a few reads; returns the number of events."""
    selectors.client_get(actor=actor(world.worker_a), client_id=world.client_a.id)
    selectors.caseload_list(actor=actor(world.worker_a))
    count = Event.objects.count()
    assert count > MIDDLE + 2
    return count


def _swap_seq(first: int, second: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute("UPDATE ledger_event SET seq = -1 WHERE seq = %s", [first])
        cursor.execute("UPDATE ledger_event SET seq = %s WHERE seq = %s", [first, second])
        cursor.execute("UPDATE ledger_event SET seq = %s WHERE seq = -1", [second])


def _make_room_at(seq: int) -> None:
    """Shift events seq.. up by one (two steps, so no primary key collides midway)."""
    with connection.cursor() as cursor:
        cursor.execute("UPDATE ledger_event SET seq = -(seq + 1) WHERE seq >= %s", [seq])
        cursor.execute("UPDATE ledger_event SET seq = -seq WHERE seq < 0")


def _forge(seq: int, prev_hash: str, *, well_formed: bool = True) -> Event:
    """An event an attacker with INSERT rights writes; well formed means correctly hashed."""
    now = clock.now()
    payload = event_payload(
        seq=seq,
        occurred_at=now,
        agency_id=None,
        actor_id=None,
        channel="system",
        event_type="accounts:session:signed_in",
        subject_type="",
        subject_id="",
        client_id=None,
        reason="",
        policy_ids=[],
        details={},
        prev_hash=prev_hash,
    )
    return Event.objects.create(
        seq=seq,
        occurred_at=now,
        channel="system",
        event_type=payload["event_type"],
        prev_hash=prev_hash,
        hash=event_hash(payload) if well_formed else "f" * 64,
    )


def test_it_passes_an_untouched_chain(chain: int) -> None:
    report = verify_chain()
    assert report.ok
    assert report.checked == chain == ChainHead.objects.get(id=1).seq
    assert report.first_bad_seq is None


@pytest.mark.django_db
def test_it_passes_an_empty_ledger() -> None:
    report = verify_chain()
    assert (report.ok, report.checked) == (True, 0)


def test_it_reports_progress_as_it_goes(chain: int) -> None:
    seen: list[tuple[int, int]] = []
    verify_chain(lambda done, total: seen.append((done, total)))
    assert seen[-1] == (chain, chain)


@pytest.mark.parametrize(
    "change",
    [
        {"reason": "nothing happened here"},
        {"details": {"notes": []}},
        {"event_type": "accounts:session:signed_out"},
        {"occurred_at": dt.datetime(2020, 1, 1, tzinfo=dt.UTC)},
        {"policy_ids": ["care_team.supervisor"]},
        {"hash": "0" * 64},
    ],
    ids=lambda change: next(iter(change)),
)
def test_it_names_an_altered_event(chain: int, change: dict[str, object]) -> None:
    with ledger_triggers_suspended():
        assert Event.objects.filter(seq=MIDDLE).update(**change) == 1
        report = verify_chain()
    assert not report.ok
    assert report.first_bad_seq == MIDDLE
    assert report.checked == MIDDLE - 1
    assert "altered" in report.problem


def test_it_names_the_event_after_an_altered_and_rehashed_one(chain: int) -> None:
    with ledger_triggers_suspended():
        event = Event.objects.get(seq=MIDDLE)
        event.reason = "rewritten"
        event.hash = recomputed_hash(event)
        event.save()
        report = verify_chain()
    assert (report.ok, report.first_bad_seq) == (False, MIDDLE + 1)
    assert "link" in report.problem


def test_it_names_the_gap_left_by_a_deleted_event(chain: int) -> None:
    with ledger_triggers_suspended():
        Event.objects.filter(seq=MIDDLE).delete()
        report = verify_chain()
    assert (report.ok, report.first_bad_seq) == (False, MIDDLE + 1)
    assert f"expected event {MIDDLE} next" in report.problem


def test_it_notices_the_first_event_deleted(chain: int) -> None:
    with ledger_triggers_suspended():
        Event.objects.filter(seq=1).delete()
        report = verify_chain()
    assert (report.ok, report.first_bad_seq) == (False, 2)
    assert "expected event 1 next" in report.problem


def test_it_notices_the_last_event_deleted(chain: int) -> None:
    with ledger_triggers_suspended():
        Event.objects.filter(seq=chain).delete()
        report = verify_chain()
    assert (report.ok, report.first_bad_seq, report.checked) == (False, chain, chain - 1)
    assert "missing" in report.problem


def test_it_names_the_first_of_two_reordered_events(chain: int) -> None:
    with ledger_triggers_suspended():
        _swap_seq(MIDDLE, MIDDLE + 1)
        report = verify_chain()
    assert (report.ok, report.first_bad_seq) == (False, MIDDLE)


def test_it_names_a_badly_forged_event_inserted_in_the_middle(chain: int) -> None:
    with ledger_triggers_suspended():
        _make_room_at(MIDDLE)
        prev = Event.objects.get(seq=MIDDLE - 1).hash
        _forge(MIDDLE, prev, well_formed=False)
        report = verify_chain()
    assert (report.ok, report.first_bad_seq) == (False, MIDDLE)


def test_it_names_where_a_well_forged_insertion_breaks_the_chain(chain: int) -> None:
    # A correctly hashed insertion is consistent with what precedes it; the chain breaks at the
    # displaced event, whose link no longer matches.
    with ledger_triggers_suspended():
        _make_room_at(MIDDLE)
        prev = Event.objects.get(seq=MIDDLE - 1).hash
        _forge(MIDDLE, prev)
        report = verify_chain()
    assert (report.ok, report.first_bad_seq) == (False, MIDDLE + 1)
    assert "link" in report.problem


def test_it_names_a_forged_event_appended_past_the_chain_head(chain: int) -> None:
    # INSERT is not blocked by the triggers, so this needs no DDL rights, only a role that may
    # insert (not the application's on PostgreSQL with two roles). The chain head (seq
    # `chain`) shows the appended event was never written by `ledger.record`.
    with as_table_owner():
        _forge(chain + 1, Event.objects.get(seq=chain).hash)
    report = verify_chain()
    assert not report.ok
    assert report.first_bad_seq == chain + 1


def test_it_names_the_last_event_when_it_was_altered_and_rehashed(chain: int) -> None:
    # Every link still holds; only the chain head's copy of the last hash disagrees.
    with ledger_triggers_suspended():
        event = Event.objects.get(seq=chain)
        event.reason = "rewritten"
        event.hash = recomputed_hash(event)
        event.save()
        report = verify_chain()
    assert not report.ok
    assert report.first_bad_seq == chain


def test_the_cli_says_ok_and_exits_zero_on_a_good_chain(
    chain: int, capsys: pytest.CaptureFixture[str]
) -> None:
    assert verify_main() == 0
    out, err = capsys.readouterr()
    assert out.startswith(f"ledger OK: {chain} events")
    assert f"{chain}/{chain}" in err


def test_the_cli_is_silent_on_stderr_when_quiet(
    chain: int, capsys: pytest.CaptureFixture[str]
) -> None:
    assert verify_main(quiet=True) == 0
    out, err = capsys.readouterr()
    assert out.startswith("ledger OK")
    assert err == ""


def test_the_cli_names_the_first_bad_event_and_exits_one(
    chain: int, capsys: pytest.CaptureFixture[str]
) -> None:
    with ledger_triggers_suspended():
        Event.objects.filter(seq=MIDDLE).update(reason="rewritten")
        assert verify_main(quiet=True) == 1
    out, _ = capsys.readouterr()
    assert out.startswith(f"ledger BROKEN at event {MIDDLE}: ")
    assert f"({MIDDLE - 1} events before it verified)" in out


def test_the_confide_command_runs_ledger_verify(
    chain: int, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["ledger", "verify", "--quiet"]) == 0
    assert capsys.readouterr().out.startswith(f"ledger OK: {chain} events")


def test_it_notices_a_forged_append_when_the_chain_head_row_is_gone(chain: int) -> None:
    # The chain head row has no append-only trigger; without it, nothing marks where the
    # ledger's own writes ended, and a correctly hashed forged tail would verify.
    with as_table_owner():
        ChainHead.objects.filter(id=1).delete()
        _forge(chain + 1, Event.objects.get(seq=chain).hash)
    report = verify_chain()
    assert not report.ok
