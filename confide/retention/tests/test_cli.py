"""`confide retention due` / `purge` and `confide ledger verify` after a purge."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import override_settings

from confide.cli import main
from confide.crypto.envelope import DecryptionFailed, client_key
from confide.retention import services
from confide.retention.tests.support import TODAY, close_cases, set_schedule
from confide.testing import World, actor

Capture = Callable[..., Any]


@pytest.fixture(autouse=True)
def _own_places(tmp_path: Path) -> Any:
    with override_settings(
        CONFIDE_SHRED_LIST_PATH=tmp_path / "shred.jsonl",
        CONFIDE_LEDGER_SIGNING_KEY_PATH=tmp_path / "signing.key",
        CONFIDE_CHECKPOINT_DIR=tmp_path / "checkpoints",
    ):
        yield


def test_due_lists_ids_and_dates_without_names(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    set_schedule(world)
    close_cases(world.client_a)
    assert main(["retention", "due", "--today", TODAY.isoformat()]) == 0
    out = capsys.readouterr().out
    assert str(world.client_a.id) in out
    assert "A-1001" in out
    assert "due 2032-06-30" in out
    assert "agency-b: no retention schedule set" in out
    assert "Rosalind" not in out
    assert "1984" not in out


def test_due_refuses_a_bad_date_or_agency(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["retention", "due", "--today", "yesterday"]) == 2
    assert main(["retention", "due", "--agency", "nobody"]) == 2


def test_purge_acts_on_approvals_only_and_the_ledger_still_verifies(
    world: World, capsys: pytest.CaptureFixture[str], django_capture_on_commit_callbacks: Capture
) -> None:
    set_schedule(world)
    close_cases(world.client_a)
    close_cases(world.client_a_other)
    assert main(["retention", "purge", "--today", TODAY.isoformat(), "--quiet"]) == 0
    assert "purged 0" in capsys.readouterr().out  # nothing approved, nothing destroyed
    client_key(world.client_a.id)
    services.purge_batch_approve(
        actor=actor(world.privacy_a),
        client_ids=[world.client_a.id],
        today=TODAY,
        reauthenticated=True,
    )
    assert main(["ledger", "checkpoint"]) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert main(["retention", "purge", "--today", TODAY.isoformat()]) == 0
    captured = capsys.readouterr()
    assert "purged 1;" in captured.out
    assert "purging [" in captured.err
    with pytest.raises(DecryptionFailed):
        client_key(world.client_a.id)
    client_key(world.client_a_other.id)  # due, but not approved
    assert main(["ledger", "checkpoint"]) == 0
    assert main(["ledger", "verify", "--quiet"]) == 0


def test_purge_stops_cleanly_on_a_shred_list_others_can_read(
    world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from django.conf import settings

    shred_list = Path(settings.CONFIDE_SHRED_LIST_PATH)
    shred_list.write_text("")
    shred_list.chmod(0o644)
    assert main(["retention", "purge", "--quiet"]) == 2
    assert "readable by others" in capsys.readouterr().err
