"""A legal hold and the purge job racing for one client: the hold wins whenever it commits
first, because both lock the client's row and the purge checks holds after taking the lock.

Runs on a scratch database (real commits, one connection per thread; see conftest.py)."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from django.test import override_settings
from scratchdb import ScratchDatabase

from confide.crypto.envelope import client_key
from confide.records.models import Case
from confide.retention import purge, services
from confide.retention.models import PurgeItem
from confide.retention.tests.support import TODAY, close_cases
from confide.testing import actor, build_world


@pytest.fixture(autouse=True)
def _database_roles(django_db_setup: None) -> None:
    """Set up the session's database first: with an owner and an application role on
    PostgreSQL, the root conftest then connects as the owner, who may create scratch databases."""


def test_a_hold_committed_while_the_purge_waits_stops_the_purge(
    scratch_db: ScratchDatabase, tmp_path: Path
) -> None:
    result: dict[str, Any] = {}
    started = threading.Event()

    def run_purge() -> None:
        with scratch_db.bound():
            started.set()
            try:
                result["summary"] = purge.purge_run(today=TODAY)
            except Exception as error:
                result["error"] = error

    with (
        override_settings(
            CONFIDE_SHRED_LIST_PATH=tmp_path / "shred.jsonl", CONFIDE_FILES_DIR=tmp_path / "files"
        ),
        scratch_db.bound(),
    ):
        world = build_world()
        close_cases(world.client_a)
        officer = actor(world.privacy_a)
        services.retention_schedule_set(actor=officer, state="CA")
        services.purge_batch_approve(
            actor=officer, client_ids=[world.client_a.id], today=TODAY, reauthenticated=True
        )
        worker = threading.Thread(target=run_purge)
        with transaction.atomic():
            services.legal_hold_place(
                actor=officer, case_number="A-1001", reason="subpoena", details="Served today"
            )
            worker.start()
            started.wait(10)
            time.sleep(1.0)  # the purge is now waiting for the client's row (or the write lock)
            assert worker.is_alive()
            assert "summary" not in result
        worker.join(60)
        assert "error" not in result, result.get("error")
        assert (result["summary"].purged, result["summary"].held) == (0, 1)
        client_key(world.client_a.id)  # still readable
        assert Case.objects.filter(client_id=world.client_a.id).exists()
        assert PurgeItem.objects.get(client_id=world.client_a.id).status == "skipped_held"
