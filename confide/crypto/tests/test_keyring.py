"""The keyring file: created 0600 outside the database, refused when others can read it."""

from __future__ import annotations

import base64
import json
import os
import stat
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from pytest_django import Settings

from confide.crypto.keyring import (
    KeyringError,
    add_kek,
    create_keyring,
    load_keyring,
    read_keyring,
)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_keyring_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "keyring.json"
    create_keyring(path)
    assert _mode(path) == 0o600
    keyring = read_keyring(path)
    assert keyring.active_kek_version == 1
    assert len(keyring.kek(1)) == 32


def test_the_keyring_is_created_on_first_use_with_mode_0600(
    tmp_path: Path, settings: Settings
) -> None:
    settings.CONFIDE_KEYRING_PATH = tmp_path / "first-use.json"
    first = load_keyring()
    assert _mode(tmp_path / "first-use.json") == 0o600
    assert load_keyring() == first  # read again, not regenerated


def test_the_suites_own_keyring_is_mode_0600() -> None:
    load_keyring()
    assert _mode(Path(django_settings.CONFIDE_KEYRING_PATH)) == 0o600


def test_it_never_overwrites_an_existing_keyring(tmp_path: Path) -> None:
    path = tmp_path / "keyring.json"
    create_keyring(path)
    before = path.read_bytes()
    with pytest.raises(FileExistsError):
        create_keyring(path)
    assert path.read_bytes() == before


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o644, 0o660, 0o602, 0o620, 0o610])
def test_it_refuses_a_keyring_others_can_reach(tmp_path: Path, mode: int) -> None:
    path = tmp_path / "keyring.json"
    create_keyring(path)
    path.chmod(mode)
    with pytest.raises(KeyringError, match="readable by others"):
        read_keyring(path)


def test_load_refuses_a_widely_readable_configured_keyring(
    tmp_path: Path, settings: Settings
) -> None:
    path = tmp_path / "keyring.json"
    create_keyring(path)
    path.chmod(0o644)
    settings.CONFIDE_KEYRING_PATH = path
    with pytest.raises(KeyringError):
        load_keyring()


def test_an_owner_read_only_keyring_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "keyring.json"
    create_keyring(path)
    path.chmod(0o400)
    assert read_keyring(path).active_kek_version == 1


def test_a_missing_keyring_is_a_keyring_error(tmp_path: Path) -> None:
    with pytest.raises(KeyringError, match="no keyring"):
        read_keyring(tmp_path / "absent.json")


def _write(path: Path, document: object) -> None:
    path.write_text(json.dumps(document) if not isinstance(document, str) else document)
    path.chmod(0o600)


GOOD_KEY = base64.b64encode(b"k" * 32).decode()


@pytest.mark.parametrize(
    "document",
    [
        "not json",
        {},
        {"active_kek_version": 1, "keks": {}},  # no key at all
        {"active_kek_version": 1},  # no keks
        {"active_kek_version": 1, "keks": {"1": "short"}},
        {
            "active_kek_version": 1,
            "keks": {"1": base64.b64encode(b"k" * 16).decode()},
        },
        {"active_kek_version": "x", "keks": {"1": GOOD_KEY}},
        {"active_kek_version": 2, "keks": {"1": GOOD_KEY}},
    ],
)
def test_it_refuses_a_malformed_keyring(tmp_path: Path, document: object) -> None:
    path = tmp_path / "keyring.json"
    _write(path, document)
    with pytest.raises(KeyringError):
        read_keyring(path)


def test_asking_for_an_unknown_key_version_is_a_keyring_error(tmp_path: Path) -> None:
    path = tmp_path / "keyring.json"
    create_keyring(path)
    with pytest.raises(KeyringError, match="version 7"):
        read_keyring(path).kek(7)


def test_an_older_file_with_a_blind_index_root_still_reads(tmp_path: Path) -> None:
    path = tmp_path / "keyring.json"
    _write(path, {"active_kek_version": 1, "keks": {"1": GOOD_KEY}, "blind_index_root": GOOD_KEY})
    assert read_keyring(path).kek(1) == b"k" * 32


def test_adding_a_kek_keeps_older_versions_and_mode_0600(tmp_path: Path) -> None:
    path = tmp_path / "keyring.json"
    create_keyring(path)
    first = read_keyring(path).kek(1)
    assert add_kek(path) == 2
    assert add_kek(path) == 3
    keyring = read_keyring(path)
    assert keyring.active_kek_version == 3
    assert keyring.kek(1) == first
    assert len({keyring.kek(1), keyring.kek(2), keyring.kek(3)}) == 3
    assert _mode(path) == 0o600
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_adding_a_kek_refuses_a_widely_readable_keyring(tmp_path: Path) -> None:
    path = tmp_path / "keyring.json"
    create_keyring(path)
    path.chmod(0o644)
    with pytest.raises(KeyringError):
        add_kek(path)


# --- the parsed keyring kept between requests -------------------------------------------------


def _settled(path: Path) -> None:
    """Date the file's last modification ten seconds back, past the re-read window."""
    found = path.stat()
    os.utime(path, ns=(found.st_atime_ns, found.st_mtime_ns - 10_000_000_000))


def test_an_unchanged_keyring_is_not_parsed_again(tmp_path: Path) -> None:
    path = tmp_path / "keyring.json"
    create_keyring(path)
    _settled(path)
    assert load_keyring(path) is load_keyring(path)


def test_a_recently_modified_keyring_is_parsed_on_every_call(tmp_path: Path) -> None:
    path = tmp_path / "keyring.json"
    create_keyring(path)
    first = load_keyring(path)
    second = load_keyring(path)
    assert first == second
    assert first is not second


def test_a_new_kek_version_is_seen_at_the_next_load(tmp_path: Path) -> None:
    path = tmp_path / "keyring.json"
    create_keyring(path)
    _settled(path)
    before = load_keyring(path)
    assert add_kek(path) == 2
    after = load_keyring(path)
    assert after.active_kek_version == 2
    assert after.kek(1) == before.kek(1)
    _settled(path)
    assert load_keyring(path).active_kek_version == 2


def test_an_edit_in_place_of_the_same_size_and_time_is_seen(tmp_path: Path) -> None:
    path = tmp_path / "keyring.json"
    _write(path, {"active_kek_version": 1, "keks": {"1": GOOD_KEY}})
    _settled(path)
    assert load_keyring(path).kek(1) == b"k" * 32
    stamp = path.stat()
    other = base64.b64encode(b"j" * 32).decode()
    with path.open("r+") as handle:  # same inode, same size; then the old times put back
        handle.write(json.dumps({"active_kek_version": 1, "keks": {"1": other}}))
    os.utime(path, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))
    assert path.stat().st_size == stamp.st_size
    assert load_keyring(path).kek(1) == b"j" * 32  # the status-change time moved


def test_a_retired_kek_is_gone_at_the_next_load(tmp_path: Path) -> None:
    path = tmp_path / "keyring.json"
    create_keyring(path)
    add_kek(path)
    _settled(path)
    assert sorted(load_keyring(path).keks) == [1, 2]
    document = json.loads(path.read_text())
    del document["keks"]["1"]
    _write(path, document)
    assert sorted(load_keyring(path).keks) == [2]


def test_a_kept_keyring_made_readable_by_others_is_refused_at_once(tmp_path: Path) -> None:
    path = tmp_path / "keyring.json"
    create_keyring(path)
    _settled(path)
    load_keyring(path)
    path.chmod(0o644)
    with pytest.raises(KeyringError, match="readable by others"):
        load_keyring(path)


def test_a_kept_keyring_that_becomes_malformed_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "keyring.json"
    create_keyring(path)
    _settled(path)
    load_keyring(path)
    _write(path, "not json")
    _settled(path)
    with pytest.raises(KeyringError, match="malformed"):
        load_keyring(path)
