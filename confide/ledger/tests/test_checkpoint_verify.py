"""`verify_ledger` / `confide ledger verify`: the chain, every signed checkpoint (stored and
exported), their consistency, and the stored tree; the first problem is named."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.db import connection
from hypothesis import example, given, settings
from hypothesis import strategies as st

from confide import cli
from confide.core import clock
from confide.core.canonical import canonical_json
from confide.ledger import scan
from confide.ledger.chain import event_hash, event_payload
from confide.ledger.checkpoints import DirectorySink, LedgerKeys, checkpoint_create
from confide.ledger.models import ChainHead, Event
from confide.ledger.proofs import Checkpoint
from confide.ledger.signing import Signer, sign_note
from confide.ledger.testing import append_events, ledger_writable, temporary_keys
from confide.ledger.verify import _payload, verify_chain, verify_ledger


@pytest.fixture
def keys(settings: Any, tmp_path: Path) -> LedgerKeys:
    return temporary_keys(settings, tmp_path)


@pytest.fixture
def signed(db: None, keys: LedgerKeys) -> int:
    """40 events under three checkpoints (12, 30, 40); returns the event count."""
    for count, seed in [(12, 1), (18, 2), (10, 3)]:
        append_events(count, seed=seed)
        checkpoint_create(keys=keys)
    return 40


def rewrite_from(seq: int, reason: str = "rewritten") -> None:
    """What a superuser who wants a consistent chain does: change an event, re-hash it and every
    event after it, and move the chain head."""
    prev = Event.objects.get(seq=seq - 1).hash if seq > 1 else "0" * 64
    for event in Event.objects.filter(seq__gte=seq).order_by("seq"):
        if event.seq == seq:
            event.reason = reason
        event.prev_hash = prev
        event.hash = event_hash(_payload(event))
        event.save()
        prev = event.hash
    ChainHead.objects.filter(id=1).update(hash=prev)


def drop_stored_checkpoints() -> None:
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM ledger_checkpoint")
        cursor.execute("DELETE FROM ledger_merkle_node")


def test_it_passes_a_signed_ledger(signed: int, keys: LedgerKeys) -> None:
    report = verify_ledger(keys=keys)
    assert report.ok, report.problem
    assert (report.checked, report.checkpoints, report.latest_checkpoint) == (40, 3, 40)
    assert report.notes == ()


def test_events_after_the_last_checkpoint_are_verified_too(signed: int, keys: LedgerKeys) -> None:
    append_events(5, seed=9)
    report = verify_ledger(keys=keys)
    assert (report.ok, report.checked, report.latest_checkpoint) == (True, 45, 40)


def test_it_catches_a_wholesale_rewrite_through_the_exported_checkpoints(
    signed: int, keys: LedgerKeys
) -> None:
    with ledger_writable():
        rewrite_from(20)
        drop_stored_checkpoints()
        report = verify_ledger(keys=keys)
    assert not report.ok
    assert report.first_bad_seq == 30
    assert "rewritten at or before event 30" in report.problem
    assert "exported checkpoint" in report.problem


def test_a_rewrite_is_caught_by_the_stored_checkpoints_too(signed: int, keys: LedgerKeys) -> None:
    with ledger_writable():
        rewrite_from(3)
        report = verify_ledger(keys=keys, checkpoint_dir=keys.checkpoint_dir / "elsewhere")
    assert (report.ok, report.first_bad_seq) == (False, 12)
    assert "stored checkpoint of 12 events" in report.problem


def test_it_catches_a_tail_cut_off_with_the_chain_head_moved_back(
    signed: int, keys: LedgerKeys
) -> None:
    with ledger_writable():
        Event.objects.filter(seq__gt=33).delete()
        ChainHead.objects.filter(id=1).update(seq=33, hash=Event.objects.get(seq=33).hash)
        report = verify_ledger(keys=keys)
    assert (report.ok, report.checked, report.first_bad_seq) == (False, 33, 34)
    assert "covers 40 events" in report.problem
    assert "removed from its end" in report.problem


def test_it_refuses_an_exported_checkpoint_with_a_bad_signature(
    signed: int, keys: LedgerKeys
) -> None:
    path = sorted(keys.checkpoint_dir.iterdir())[1]
    path.write_text(path.read_text().replace("\n30\n", "\n29\n"))
    report = verify_ledger(keys=keys)
    assert not report.ok
    assert path.name in report.problem
    assert "does not verify" in report.problem


def test_it_reports_a_fork_between_two_signed_checkpoints_of_one_size(
    signed: int, keys: LedgerKeys
) -> None:
    forged = Checkpoint.at(keys.origin, 30, bytes(32), clock.now())
    note = sign_note(forged.text(), keys.signer())  # as if the key itself had been misused
    DirectorySink(keys.checkpoint_dir).write(forged, note, clock.now())
    report = verify_ledger(keys=keys)
    assert not report.ok
    assert "forked" in report.problem


def test_checkpoints_signed_by_another_key_do_not_verify(signed: int, keys: LedgerKeys) -> None:
    stranger = Signer(keys.origin, Ed25519PrivateKey.generate()).verifier
    report = verify_ledger(keys=keys, verifier=stranger)
    assert not report.ok
    assert "not signed by" in report.problem


def test_it_finds_a_damaged_stored_tree(signed: int, keys: LedgerKeys) -> None:
    with ledger_writable(), connection.cursor() as cursor:
        cursor.execute("UPDATE ledger_merkle_node SET hash = %s WHERE idx = 1", ["0" * 64])
        report = verify_ledger(keys=keys)
    assert not report.ok
    assert "stored Merkle tree is damaged" in report.problem


def test_it_needs_the_public_key_once_checkpoints_exist(signed: int, keys: LedgerKeys) -> None:
    keys.key_path.unlink()
    report = verify_ledger(keys=keys)
    assert not report.ok
    assert "cannot check the checkpoints" in report.problem


def test_it_notes_checkpoints_missing_from_the_export(signed: int, keys: LedgerKeys) -> None:
    sorted(keys.checkpoint_dir.iterdir())[0].unlink()
    report = verify_ledger(keys=keys)
    assert report.ok
    assert report.notes == ("1 stored checkpoint(s) are not in the export directory",)


def test_the_cli_says_one_checkpoint_in_the_singular(
    db: None, keys: LedgerKeys, capsys: pytest.CaptureFixture[str]
) -> None:
    append_events(5, seed=9)
    checkpoint_create(keys=keys)
    assert cli.main(["ledger", "verify"]) == 0
    out, _ = capsys.readouterr()
    assert out == (
        "ledger OK: 5 events, chain intact; 1 signed checkpoint verified "
        "(the latest covers 5 events)\n"
    )


def test_the_cli_reports_checkpoints_and_the_first_problem(
    signed: int, keys: LedgerKeys, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["ledger", "verify"]) == 0
    out, err = capsys.readouterr()
    assert out == (
        "ledger OK: 40 events, chain intact; 3 signed checkpoints verified and consistent "
        "(the latest covers 40 events)\n"
    )
    assert "40/40" in err
    with ledger_writable():
        rewrite_from(35)
        drop_stored_checkpoints()
        assert cli.main(["ledger", "verify", "--quiet"]) == 1
    out, err = capsys.readouterr()
    assert out.startswith("ledger BROKEN at event 40: the first 40 events do not have the root")
    assert err == ""


def test_the_cli_verifies_with_a_given_public_key(
    signed: int, keys: LedgerKeys, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key_file = tmp_path / "ledger.pub"
    key_file.write_text(keys.verifier().text())
    keys.key_path.unlink()  # an auditor has the public key only
    assert cli.main(["ledger", "verify", "--quiet", "--key", str(key_file)]) == 0
    assert capsys.readouterr().out.startswith("ledger OK: 40 events")


@pytest.mark.parametrize(
    "damage",
    [
        "",
        "UPDATE ledger_event SET reason = 'x' WHERE seq = 17",
        "DELETE FROM ledger_event WHERE seq = 16",
        "DELETE FROM ledger_event WHERE seq > 8 AND seq <= 16",
        "UPDATE ledger_event SET prev_hash = hash WHERE seq = 25",
        "DELETE FROM ledger_event WHERE seq = 40",
    ],
)
def test_the_pass_in_segments_reports_what_one_pass_reports(
    signed: int, keys: LedgerKeys, damage: str
) -> None:
    with ledger_writable(), connection.cursor() as cursor:
        if damage:
            cursor.execute(damage)
        reports = {level: verify_ledger(keys=keys, segment_level=level) for level in (1, 3, 16)}
        chains = {level: verify_chain(segment_level=level) for level in (1, 3, 16)}
    assert reports[1] == reports[3] == reports[16]
    assert chains[1] == chains[3] == chains[16]
    assert reports[16].ok is (not damage)


# --- the fast hashing path equals the plain one -----------------------------------------------


def test_the_fast_scan_hashes_exactly_what_the_chain_hashes(signed: int) -> None:
    rows = [row for batch in scan.read_rows() for row in batch]
    events = {event.seq: event for event in Event.objects.all()}
    for row in rows:
        assert scan.row_bytes(row, connection.vendor) == canonical_json(_payload(events[row[0]]))


def test_canonical_bytes_equal_canonical_json_for_awkward_text() -> None:
    when = clock.now()
    for text in ['a "quoted" word', "back\\slash", "tab\tand\nnewline", "\x01\x1f", "ñ ✓ 𝄞"]:
        payload = event_payload(
            seq=3, occurred_at=when, agency_id=None, actor_id=text, channel=text,
            event_type=text, subject_type=text, subject_id=text, client_id=None,
            reason=text, policy_ids=[text], details={text: [text], "b": 1}, prev_hash=text,
        )  # fmt: skip
        fast = scan.canonical_bytes(
            3, when.isoformat(timespec="microseconds"), None, text, text, text, text, text,
            None, text, json.dumps([text]), json.dumps({text: [text], "b": 1}), text,
        )  # fmt: skip
        assert fast == canonical_json(payload)


uuids = st.none() | st.uuids().map(str)
texts = st.text(max_size=12)


@settings(max_examples=200, deadline=None)
@given(
    seq=st.integers(1, 10**12),
    stamp=st.datetimes(timezones=st.just(UTC)),
    ids=st.tuples(uuids, uuids, uuids),
    fields=st.tuples(texts, texts, texts, texts, texts, texts),
    policy_ids=st.lists(texts, max_size=3),
    details=st.dictionaries(texts, st.one_of(texts, st.integers(), st.booleans(), st.none())),
)
def test_a_row_hashes_to_the_canonical_json_of_its_payload(
    seq: int,
    stamp: datetime,
    ids: tuple[str | None, str | None, str | None],
    fields: tuple[str, str, str, str, str, str],
    policy_ids: list[str],
    details: dict[str, object],
) -> None:
    agency, actor, client = ids
    channel, event_type, subject_type, subject_id, reason, prev_hash = fields
    occurred = stamp.isoformat(timespec="microseconds")
    values = (
        seq, occurred.removesuffix("+00:00"), agency, actor, channel, event_type, subject_type,
        subject_id, client, reason, json.dumps(policy_ids), json.dumps(details), prev_hash,
    )  # fmt: skip
    payload = event_payload(
        seq=seq, occurred_at=stamp, agency_id=agency, actor_id=actor, channel=channel,
        event_type=event_type, subject_type=subject_type, subject_id=subject_id,
        client_id=client, reason=reason, policy_ids=policy_ids, details=details,
        prev_hash=prev_hash,
    )  # fmt: skip
    assert scan.fields_bytes(*values) == canonical_json(payload)


@settings(max_examples=100, deadline=None)
@given(stamp=st.datetimes(min_value=datetime(1000, 1, 1), timezones=st.just(UTC)))
def test_postgres_timestamp_text_becomes_the_hashed_iso_form(stamp: datetime) -> None:
    # PostgreSQL's ISO output drops trailing fraction zeros, and the fraction when it is zero.
    text = stamp.strftime("%Y-%m-%d %H:%M:%S")
    if stamp.microsecond:
        text += f".{stamp.microsecond:06d}".rstrip("0")
    expected = stamp.isoformat(timespec="microseconds").removesuffix("+00:00")
    assert scan._postgres_time(text) == expected


@pytest.mark.django_db
@pytest.mark.skipif("connection.vendor != 'postgresql'")
@pytest.mark.parametrize("micro", [0, 1, 10, 500000, 120000, 999999])
def test_the_database_prints_times_the_way_the_scan_reads_them(micro: int) -> None:
    stamp = datetime(2026, 3, 4, 5, 6, 7, micro, tzinfo=UTC)
    with connection.cursor() as cursor:
        cursor.execute("SELECT (%s::timestamptz AT TIME ZONE 'UTC')::text", [stamp])
        row = cursor.fetchone()
    assert row is not None
    assert scan._postgres_time(row[0]) == stamp.isoformat(timespec="microseconds")[:-6]


def test_a_timestamp_in_another_date_style_is_refused() -> None:
    with pytest.raises(ValueError, match="DateStyle"):
        scan._postgres_time("03/04/2026 05:06:07.1")


# The stored JSON of details and policy ids, as each database prints it, becomes canonical JSON
# (by the shortcut for simple shapes or by parsing: the same either way).
json_texts = st.text(
    st.characters(exclude_categories=["Cs"], exclude_characters="\x00"), max_size=8
)
json_values = (
    st.lists(json_texts, max_size=3)
    | st.dictionaries(json_texts, json_texts | st.lists(json_texts, max_size=3), max_size=1)
    | st.dictionaries(
        json_texts,
        json_texts | st.integers() | st.booleans() | st.none() | st.lists(json_texts, max_size=2),
        max_size=3,
    )
)


@settings(max_examples=300, deadline=None)
@given(value=json_values)
@example(value=[", "])  # a string that reads like the separator between two strings
@example(value=[": "])
@example(value={"k": ", "})
@example(value={"k": [": ", "a, b"]})
def test_stored_json_text_becomes_its_canonical_json(value: object) -> None:
    scan._json_cache.clear()
    text = json.dumps(value)  # as Django stores a JSONField on SQLite
    assert scan._canonical(text).encode() == canonical_json(value)


def test_the_json_shortcut_takes_only_the_simple_shapes() -> None:
    simple = ['["a", "b"]', '{"notes": ["x", "y"]}', '{"k": "v"}', '["ñ ✓"]', "[]"]
    other = ['{"b": "1", "aa": "2"}', '{"a": 1}', '["a\\"b"]', '["a",  "b"]', '{"a": {"b": "c"}}']
    assert all(scan._SPACED_SIMPLE_JSON.fullmatch(text) for text in simple)
    assert not any(scan._SPACED_SIMPLE_JSON.fullmatch(text) for text in other)


@pytest.mark.django_db
@settings(max_examples=150, deadline=None)
@given(value=json_values)
def test_jsonb_text_becomes_its_canonical_json(value: object) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's jsonb text")
    scan._json_cache.clear()
    with connection.cursor() as cursor:
        cursor.execute("SELECT %s::jsonb::text", [json.dumps(value)])
        row = cursor.fetchone()
    assert row is not None
    assert scan._canonical(row[0]).encode() == canonical_json(value)


@pytest.mark.django_db
def test_batches_come_whole_and_in_order_and_a_reader_may_stop_early() -> None:
    append_events(25)
    seqs = [row[0] for rows in scan.read_rows(batch=4) for row in rows]
    assert seqs == sorted(Event.objects.values_list("seq", flat=True))
    assert len(seqs) == 25
    assert [row[0] for rows in scan.read_rows(after=20, upto=23, batch=2) for row in rows] == [
        21,
        22,
        23,
    ]
    batches = scan.read_rows(batch=4)
    assert len(next(batches)) == 4
    batches.close()  # on PostgreSQL the next batch was being read: it is waited for
    assert Event.objects.count() == 25  # and the connection serves the next query
