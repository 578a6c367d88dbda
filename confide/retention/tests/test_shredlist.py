"""The shred list beside the keys: durable appends, strict reading, sync from the tombstones."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.test import override_settings

from confide.core import clock
from confide.retention import shredlist
from confide.retention.errors import ShredListError
from confide.retention.models import ShreddedClient


@pytest.fixture
def listed(tmp_path: Path) -> Any:
    with override_settings(CONFIDE_SHRED_LIST_PATH=tmp_path / "keys" / "shredded.jsonl"):
        yield tmp_path / "keys" / "shredded.jsonl"


def _entry() -> shredlist.Entry:
    return shredlist.Entry(uuid.uuid4(), uuid.uuid4(), dt.datetime(2030, 1, 1).isoformat())


def test_entries_are_appended_with_owner_only_permissions_and_read_back(listed: Path) -> None:
    assert shredlist.read() == {}
    first, second = _entry(), _entry()
    shredlist.append([first])
    shredlist.append([second, first])  # a repeat is harmless
    assert shredlist.read() == {first.client_id: first, second.client_id: second}
    assert listed.stat().st_mode & 0o777 == 0o600
    assert str(first.client_id) in listed.read_text()


@pytest.mark.parametrize(
    "line", ["not json", '{"client": "x", "agency": "y", "shredded_at": "z"}', '{"client": 1}']
)
def test_a_damaged_list_is_an_error_not_an_empty_list(listed: Path, line: str) -> None:
    shredlist.append([_entry()])
    with listed.open("a") as handle:
        handle.write(line + "\n")
    with pytest.raises(ShredListError, match="line 2"):
        shredlist.read()


def test_a_list_readable_by_others_is_refused(listed: Path) -> None:
    shredlist.append([_entry()])
    listed.chmod(0o640)
    with pytest.raises(ShredListError, match="readable by others"):
        shredlist.read()


def test_sync_copies_the_tombstones_the_file_lacks(listed: Path, db: None) -> None:
    missing = ShreddedClient.objects.create(
        client_id=uuid.uuid4(), agency_id=uuid.uuid4(), shredded_at=clock.now(), cause="purge"
    )
    assert shredlist.sync_from_database() == 1
    assert shredlist.sync_from_database() == 0
    assert set(shredlist.read()) == {missing.client_id}


def test_sync_also_reads_the_ledger_so_a_deleted_tombstone_hides_nothing(
    listed: Path, db: None
) -> None:
    from django.db import transaction

    from confide.ledger import services as ledger
    from confide.ledger.enums import EventType

    client_id, agency_id = uuid.uuid4(), uuid.uuid4()
    with transaction.atomic():
        ledger.record(
            actor=None,
            event_type=EventType.CLIENT_SHREDDED,
            agency_id=agency_id,
            subject_type="client",
            subject_id=client_id,
            client_id=client_id,
        )
    assert not ShreddedClient.objects.filter(client_id=client_id).exists()
    assert shredlist.sync_from_database() == 1
    assert shredlist.read()[client_id].agency_id == agency_id
