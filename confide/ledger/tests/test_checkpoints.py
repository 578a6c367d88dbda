"""Signed checkpoints: the C2SP formats, the key file, the sink, the stored tree, the worker."""

from __future__ import annotations

import base64
import hashlib
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import call_command
from django.db import connection

from confide.ledger import checkpoints, merkle, tree
from confide.ledger.checkpoints import LedgerDamaged, LedgerKeys, checkpoint_create
from confide.ledger.management.commands.ledger_checkpointer import Policy
from confide.ledger.models import Event
from confide.ledger.proofs import Checkpoint, ProofInvalid, open_checkpoint
from confide.ledger.signing import (
    NoteError,
    Signer,
    SigningKeyError,
    Verifier,
    key_id,
    load_or_create_private_key,
    open_note,
    sign_note,
)
from confide.ledger.testing import (
    TEST_ORIGIN,
    append_events,
    as_table_owner,
    ledger_writable,
    temporary_keys,
)

# The example of golang.org/x/mod/sumdb/note, the reference implementation of signed notes.
GO_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
GO_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
GO_TEXT = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
)
GO_SIGNATURE = (
    "— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotp"
    "RZb6KE6RyyBwJnAM=\n"
)


def go_signer() -> Signer:
    seed = base64.b64decode(GO_SKEY.split("+", 4)[4])
    assert seed[0] == 1
    return Signer("PeterNeumann", Ed25519PrivateKey.from_private_bytes(seed[1:]))


@pytest.fixture
def keys(settings: Any, tmp_path: Path) -> LedgerKeys:
    return temporary_keys(settings, tmp_path)


def event_leaves(size: int) -> list[bytes]:
    hashes = Event.objects.filter(seq__lte=size).order_by("seq").values_list("hash", flat=True)
    return [merkle.leaf_hash(bytes.fromhex(h)) for h in hashes]


# --- signed notes -----------------------------------------------------------------------------


def test_notes_are_signed_exactly_as_the_reference_implementation_signs_them() -> None:
    signer = go_signer()
    assert signer.verifier.text() == GO_VKEY
    assert sign_note(GO_TEXT, signer) == GO_TEXT + "\n" + GO_SIGNATURE
    assert open_note(GO_TEXT + "\n" + GO_SIGNATURE, Verifier.parse(GO_VKEY)) == GO_TEXT


def test_the_key_id_is_the_signed_note_hash_of_name_and_key() -> None:
    verifier = Verifier.parse(GO_VKEY)
    expected = hashlib.sha256(b"PeterNeumann\n\x01" + verifier.public_key).digest()[:4]
    assert key_id("PeterNeumann", verifier.public_key) == expected == bytes.fromhex("c74f20a3")


@pytest.mark.parametrize(
    "note",
    [
        GO_TEXT.replace("answer", "Answer") + "\n" + GO_SIGNATURE,  # altered text
        GO_TEXT + "\n" + GO_SIGNATURE.replace("x08go", "x08gp"),  # altered signature
        GO_TEXT + "\n" + "— Someone x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNI=\n",  # other key
        GO_TEXT + GO_SIGNATURE,  # no blank line
        GO_TEXT + "\n" + GO_SIGNATURE.replace("— ", "-- "),  # not an em dash
        GO_TEXT + "\n" + GO_SIGNATURE.replace("=\n", "\n"),  # not canonical base64
        GO_TEXT.replace("\n", "\r\n", 1) + "\n" + GO_SIGNATURE,  # a control character
    ],
)
def test_a_note_that_is_not_validly_signed_is_refused(note: str) -> None:
    with pytest.raises(NoteError):
        open_note(note, Verifier.parse(GO_VKEY))


def test_other_parties_signatures_are_ignored() -> None:
    cosigner = Signer("witness.example", Ed25519PrivateKey.generate())
    both = sign_note(GO_TEXT, cosigner) + GO_SIGNATURE
    assert open_note(both, Verifier.parse(GO_VKEY)) == GO_TEXT


@pytest.mark.parametrize(
    "text",
    [
        "PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  # wrong id
        "PeterNeumann+c74f20a3+Apc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  # not a key
        "Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  # space in name
        "PeterNeumann",
    ],
)
def test_a_malformed_verifier_key_is_refused(text: str) -> None:
    with pytest.raises(NoteError):
        Verifier.parse(text)


# --- the checkpoint note ----------------------------------------------------------------------


def test_a_checkpoint_round_trips_through_its_text() -> None:
    when = datetime(2026, 11, 24, 14, 18, 5, 123456, tzinfo=UTC)
    checkpoint = Checkpoint.at("example.org/log", 7, bytes(range(32)), when)
    assert checkpoint.text() == (
        "example.org/log\n7\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n"
        "time 2026-11-24T14:18:05Z\n"
    )
    assert Checkpoint.parse(checkpoint.text()) == checkpoint
    assert checkpoint.signed_at == when.replace(microsecond=0)


@pytest.mark.parametrize(
    "text",
    ["o\n7\n", "o\n07\nAAAA\n", "o\n-1\nAAAA\n", "o\n7\nAAAA\n", "\n7\n" + "A" * 43 + "=\n"],
)
def test_a_malformed_checkpoint_is_refused(text: str) -> None:
    with pytest.raises(ProofInvalid):
        Checkpoint.parse(text)


# --- the key file -----------------------------------------------------------------------------


def test_the_signing_key_is_created_once_readable_by_its_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "ledger.key"
    first = load_or_create_private_key(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    again = load_or_create_private_key(path)
    assert first.private_bytes_raw() == again.private_bytes_raw()
    assert [p.name for p in path.parent.iterdir()] == ["ledger.key"]


def test_a_signing_key_others_may_read_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "ledger.key"
    load_or_create_private_key(path)
    path.chmod(0o640)
    with pytest.raises(SigningKeyError, match="group or others"):
        load_or_create_private_key(path)


def test_a_key_file_that_is_not_an_ed25519_key_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "ledger.key"
    path.write_text("not a key")
    path.chmod(0o600)
    with pytest.raises(SigningKeyError):
        load_or_create_private_key(path)


# --- making checkpoints -----------------------------------------------------------------------


@pytest.mark.django_db
def test_it_signs_and_exports_a_c2sp_checkpoint_of_every_event(keys: LedgerKeys) -> None:
    append_events(21)
    result = checkpoint_create(keys=keys)
    assert result.created is not None
    assert result.path is not None
    note = result.created.note
    lines = note.split("\n")
    assert lines[:2] == [TEST_ORIGIN, "21"]
    assert base64.b64decode(lines[2]) == merkle.root_of(event_leaves(21))
    assert lines[3].startswith("time ")
    assert lines[4] == ""
    assert lines[5].startswith(f"— {TEST_ORIGIN} ")
    assert lines[6] == ""
    verifier = keys.signer().verifier
    assert open_checkpoint(note, verifier).size == 21
    assert result.path.read_text() == note
    assert result.path.parent == keys.checkpoint_dir
    assert checkpoints.checkpoint_list() == [result.created]
    assert result.created.root_hash == merkle.root_of(event_leaves(21)).hex()


@pytest.mark.django_db
def test_it_signs_nothing_when_no_event_is_new(keys: LedgerKeys) -> None:
    assert checkpoint_create(keys=keys).created is None  # an empty ledger
    append_events(3)
    assert checkpoint_create(keys=keys).created is not None
    result = checkpoint_create(keys=keys)
    assert (result.created, result.tree_size) == (None, 3)
    assert len(list(keys.checkpoint_dir.iterdir())) == 1


@pytest.mark.django_db
def test_the_stored_tree_gives_the_roots_and_proofs_of_the_events(keys: LedgerKeys) -> None:
    append_events(75)
    checkpoint_create(keys=keys)
    leaves = merkle.LeafList(event_leaves(75))
    stored = tree.LedgerTree()
    assert tree.stored_count(4) == 75 // 16
    assert tree.stored_count(8) == 0
    for size in range(1, 76):
        assert merkle.root_at(stored, size) == merkle.root_at(leaves, size)
    for size, index in [(75, 0), (75, 74), (64, 17), (33, 32), (17, 16), (75, 40)]:
        proof = merkle.inclusion_proof(stored, index, size)
        assert proof == merkle.inclusion_proof(leaves, index, size)
    for old, new in [(1, 75), (16, 75), (17, 64), (40, 41), (64, 75)]:
        assert merkle.consistency_proof(stored, old, new) == merkle.consistency_proof(
            leaves, old, new
        )


@pytest.mark.django_db
def test_the_tree_is_extended_checkpoint_by_checkpoint(keys: LedgerKeys) -> None:
    for count in (5, 14, 40, 200):
        append_events(count, seed=count)
        checkpoint_create(keys=keys)
    assert tree.stored_count(4) == 259 // 16
    assert tree.stored_count(8) == 1
    assert merkle.root_at(tree.LedgerTree(), 259) == merkle.root_of(event_leaves(259))
    assert [c.tree_size for c in checkpoints.checkpoint_list()] == [5, 19, 59, 259]


@pytest.mark.django_db
def test_it_refuses_to_sign_new_events_that_do_not_chain(keys: LedgerKeys) -> None:
    append_events(10)
    checkpoint_create(keys=keys)
    append_events(5, seed=1)
    with ledger_writable():
        Event.objects.filter(seq=13).update(reason="rewritten")
        with pytest.raises(LedgerDamaged, match="event 13"):
            checkpoint_create(keys=keys)
    assert len(checkpoints.checkpoint_list()) == 1
    assert len(list(keys.checkpoint_dir.iterdir())) == 1


@pytest.mark.django_db
def test_it_refuses_to_sign_when_signed_events_were_rewritten(keys: LedgerKeys) -> None:
    append_events(10)
    checkpoint_create(keys=keys)
    append_events(2, seed=1)
    with ledger_writable():
        Event.objects.filter(seq=9).update(hash="0" * 64)
        with pytest.raises(LedgerDamaged, match="no longer have the root"):
            checkpoint_create(keys=keys)


@pytest.mark.django_db
def test_it_refuses_a_checkpoint_row_with_a_broken_signature(keys: LedgerKeys) -> None:
    append_events(4)
    checkpoint_create(keys=keys)
    append_events(2, seed=1)
    with ledger_writable(), connection.cursor() as cursor:
        cursor.execute("UPDATE ledger_checkpoint SET note = REPLACE(note, '\n4\n', '\n3\n')")
        with pytest.raises(LedgerDamaged, match="does not verify"):
            checkpoint_create(keys=keys)


@pytest.mark.django_db
def test_checkpoint_rows_and_stored_nodes_are_append_only(keys: LedgerKeys) -> None:
    from django.db import DatabaseError, transaction

    append_events(20)
    checkpoint_create(keys=keys)
    for sql in [
        "UPDATE ledger_checkpoint SET root_hash = 'x'",
        "DELETE FROM ledger_checkpoint",
        "UPDATE ledger_merkle_node SET hash = 'x'",
        "DELETE FROM ledger_merkle_node",
    ]:
        with (
            as_table_owner(),  # the app's role lacks the privilege: test_roles.py
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql)


@pytest.mark.django_db
@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_only_one_checkpointer_signs_at_a_time(keys: LedgerKeys) -> None:
    append_events(3)
    params = connection.get_connection_params()
    with psycopg.connect(**{k: v for k, v in params.items() if k != "cursor_factory"}) as other:
        other.execute("SELECT pg_advisory_lock(%s)", [checkpoints.LOCK_KEY])
        result = checkpoint_create(keys=keys, wait=False)
        assert result.created is None
        assert "another checkpointer" in result.message
        other.execute("SELECT pg_advisory_unlock(%s)", [checkpoints.LOCK_KEY])
    assert checkpoint_create(keys=keys, wait=False).created is not None


# --- the worker -------------------------------------------------------------------------------

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("head", "last_size", "last_at", "due"),
    [
        (0, 0, None, False),  # nothing to sign
        (1, 0, None, True),  # never signed: sign at once
        (10, 10, NOW - timedelta(hours=1), False),  # nothing new, however long ago
        (109, 10, NOW - timedelta(seconds=5), False),  # 99 new, recent
        (110, 10, NOW - timedelta(seconds=5), True),  # 100 new
        (11, 10, NOW - timedelta(seconds=60), True),  # one new, T passed
    ],
)
def test_a_checkpoint_is_due_every_n_events_or_t_seconds(
    head: int, last_size: int, last_at: datetime | None, due: bool
) -> None:
    assert Policy(every_events=100, every_seconds=60).due(head, last_size, last_at, NOW) is due


@pytest.mark.django_db
def test_the_checkpointer_command_signs_when_due_and_stops_when_bounded(
    keys: LedgerKeys, capsys: pytest.CaptureFixture[str]
) -> None:
    append_events(5)
    call_command("ledger_checkpointer", "--once")
    assert [c.tree_size for c in checkpoints.checkpoint_list()] == [5]
    append_events(2, seed=1)
    call_command(
        "ledger_checkpointer",
        "--every-events=3",
        "--every-seconds=3600",
        "--poll=0.01",
        "--max-seconds=0.05",
    )
    assert [c.tree_size for c in checkpoints.checkpoint_list()] == [5]  # 2 < 3, not due yet
    append_events(1, seed=2)
    call_command("ledger_checkpointer", "--every-events=3", "--poll=0.01", "--max-checkpoints=1")
    assert [c.tree_size for c in checkpoints.checkpoint_list()] == [5, 8]
    assert "1 checkpoint(s) made" in capsys.readouterr().out


@pytest.mark.django_db
def test_the_checkpointer_stops_with_an_error_on_a_damaged_ledger(keys: LedgerKeys) -> None:
    from django.core.management.base import CommandError

    append_events(5)
    call_command("ledger_checkpointer", "--once")
    append_events(2, seed=1)
    with ledger_writable():
        Event.objects.filter(seq=6).update(reason="rewritten")
        with pytest.raises(CommandError, match="refused to sign"):
            call_command("ledger_checkpointer", "--once")


@pytest.mark.django_db
def test_the_cli_signs_a_checkpoint_and_says_so(
    keys: LedgerKeys, capsys: pytest.CaptureFixture[str]
) -> None:
    from confide import cli

    assert cli.main(["ledger", "checkpoint"]) == 0
    assert "nothing to do" in capsys.readouterr().out
    append_events(3)
    assert cli.main(["ledger", "checkpoint"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("ledger checkpoint: signed checkpoint of 3 events, exported to ")
    assert f"\n{TEST_ORIGIN}\n3\n" in out
    with ledger_writable():
        append_events(1, seed=5)
        Event.objects.filter(seq=4).update(reason="rewritten")
        assert cli.main(["ledger", "checkpoint"]) == 1
    assert "refused" in capsys.readouterr().out
