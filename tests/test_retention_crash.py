"""The purge job killed midway (SIGKILL, no cleanup) and run again: every client is either fully
shredded or untouched, nothing approved is lost, the ledger verifies and the shred list catches
up with the tombstones. Runs the real `confide retention purge` in a subprocess against a
scratch database (see conftest.py)."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from scratchdb import ScratchDatabase

from confide.crypto.models import ClientKey
from confide.ledger.verify import verify_chain
from confide.records.models import Case, Client
from confide.retention import purge, services, shredlist
from confide.retention.enums import ItemStatus
from confide.retention.models import PurgeItem, ShreddedClient
from confide.retention.tests.support import TODAY, close_cases
from confide.testing import actor, build_world, make_client

CLIENTS = 60


@pytest.fixture(autouse=True)
def _database_roles(django_db_setup: None) -> None:
    """Set up the session's database first: with an owner and an application role on
    PostgreSQL, the root conftest then connects as the owner, who may create scratch databases."""


def _database_url(scratch: ScratchDatabase) -> str:
    if scratch.vendor == "sqlite":
        return f"sqlite:///{scratch.name}"
    arguments = scratch.postgres_arguments()
    port = f":{arguments['port']}" if "port" in arguments else ""
    password = f":{arguments['password']}" if "password" in arguments else ""
    return f"postgres://{arguments['user']}{password}@{arguments['host']}{port}/{scratch.name}"


def _purged(scratch: ScratchDatabase) -> int:
    with scratch.bound():
        return PurgeItem.objects.filter(status=ItemStatus.PURGED).count()


def test_a_purge_killed_midway_resumes_with_nothing_half_done(scratch_db: ScratchDatabase) -> None:
    with scratch_db.bound():
        world = build_world()
        clients = [
            make_client(
                world.agency_a,
                world.team_a1,
                name=f"Crash Person {n}",
                dob=dt.date(1980, 1, 1),
                number=f"CR-{n}",
            )
            for n in range(CLIENTS)
        ]
        for client in clients:
            world.note(world.worker_a, client)
            close_cases(client)
        officer = actor(world.privacy_a)
        services.retention_schedule_set(actor=officer, state="CA")
        services.purge_batch_approve(
            actor=officer, client_ids=[c.id for c in clients], today=TODAY, reauthenticated=True
        )
    environment = {
        **{k: v for k, v in os.environ.items() if k != "CONFIDE_DATABASE_OWNER_URL"},
        "CONFIDE_DATABASE_URL": _database_url(scratch_db),  # the purge needs no owner role
        "DJANGO_SETTINGS_MODULE": "config.settings_test",
    }
    command = [sys.executable, "-m", "confide.cli", "retention", "purge", "--today", str(TODAY)]
    job = subprocess.Popen(
        command, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    deadline = time.monotonic() + 120
    while _purged(scratch_db) < 5 and time.monotonic() < deadline and job.poll() is None:
        time.sleep(0.05)
    finished_alone = job.poll() is not None
    job.send_signal(signal.SIGKILL)
    _, errors = job.communicate(timeout=30)
    assert not finished_alone, errors.decode(errors="replace")[-2000:]
    with scratch_db.bound():
        done = set(ShreddedClient.objects.values_list("client_id", flat=True))
        assert 5 <= len(done) < CLIENTS, "the kill did not land midway; retry on a quieter machine"
        keys = set(ClientKey.objects.values_list("client_id", flat=True))
        with_cases = set(Case.objects.values_list("client_id", flat=True))
        for client in clients:  # each client: all of it shredded, or none of it
            if client.id in done:
                assert client.id not in keys
                assert client.id not in with_cases
                assert bytes(Client.objects.get(id=client.id).legal_name_enc) == b""
            else:
                assert client.id in keys
                assert client.id in with_cases
        summary = purge.purge_run(today=TODAY)  # the rerun resumes
        assert summary.purged == CLIENTS - len(done)
        assert summary.failed == 0
        assert ShreddedClient.objects.filter(client_id__in=[c.id for c in clients]).count() == (
            CLIENTS
        )
        assert not ClientKey.objects.filter(client_id__in=[c.id for c in clients]).exists()
        assert verify_chain().ok
        listed = set(shredlist.read())
        assert {c.id for c in clients} <= listed
    assert Path(settings.CONFIDE_SHRED_LIST_PATH).exists()
