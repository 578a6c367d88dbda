"""Configuration on the ledger: the access policy's and the checkpoint settings' digests are
recorded when they change, once (idempotent), by `manage.py ledger_record_config`."""

from __future__ import annotations

import hashlib
import io
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from confide.access import engine
from confide.ledger import config_events
from confide.ledger.enums import EventType
from confide.ledger.models import Event
from confide.ledger.tests.support import events_since, ledger_mark
from confide.testing import World

POLICY, SETTINGS = EventType.POLICY_CHANGED, EventType.CHECKPOINT_SETTINGS_CHANGED


@pytest.fixture
def keys(tmp_path: Path) -> Iterator[Path]:
    """A signing key and export directory of the test's own."""
    with override_settings(
        CONFIDE_LEDGER_SIGNING_KEY_PATH=tmp_path / "signing.key",
        CONFIDE_CHECKPOINT_DIR=tmp_path / "checkpoints",
    ):
        yield tmp_path


def run() -> str:
    out = io.StringIO()
    call_command("ledger_record_config", stdout=out)
    return out.getvalue()


def test_the_first_run_records_both_and_the_next_nothing(world: World, keys: Path) -> None:
    mark = ledger_mark()
    output = run()
    events = events_since(mark)
    assert [e.event_type for e in events] == [POLICY, SETTINGS]
    assert "recorded access:policy:changed" in output
    assert "recorded ledger:checkpoint_settings:changed" in output
    for event in events:
        assert event.actor_id is None
        assert event.agency_id is None
        assert event.client_id is None
        assert event.channel == "system"
        assert event.details["previous"] is None
    again = ledger_mark()
    assert run().strip() == "ledger configuration: unchanged"
    assert events_since(again) == []


def test_the_policy_digest_covers_policy_and_schema(world: World, keys: Path) -> None:
    run()
    [policy] = [e for e in Event.objects.filter(event_type=POLICY)]
    assert (
        policy.details["policy_sha256"] == hashlib.sha256(engine.POLICY_TEXT.encode()).hexdigest()
    )
    assert (
        policy.details["schema_sha256"] == hashlib.sha256(engine.SCHEMA_TEXT.encode()).hexdigest()
    )


@pytest.mark.parametrize("attribute", ["POLICY_TEXT", "SCHEMA_TEXT"])
def test_a_changed_policy_or_schema_is_recorded_once(
    world: World, keys: Path, monkeypatch: pytest.MonkeyPatch, attribute: str
) -> None:
    run()
    first = config_events.last_digest(POLICY)
    monkeypatch.setattr(engine, attribute, getattr(engine, attribute) + "\n// changed\n")
    mark = ledger_mark()
    run()
    [event] = events_since(mark)
    assert event.event_type == POLICY
    assert event.details["previous"] == first
    assert event.details["digest"] != first
    assert run().strip() == "ledger configuration: unchanged"


@pytest.mark.parametrize(
    "setting",
    [
        {"CONFIDE_CHECKPOINT_EVERY_EVENTS": 7},
        {"CONFIDE_CHECKPOINT_EVERY_SECONDS": 11},
        {"CONFIDE_LEDGER_ORIGIN": "records.example.org/ledger"},
    ],
)
def test_changed_checkpoint_settings_are_recorded_once(
    world: World, keys: Path, setting: dict[str, object]
) -> None:
    run()
    with override_settings(**setting):
        mark = ledger_mark()
        run()
        [event] = events_since(mark)
        assert event.event_type == SETTINGS
        assert run().strip() == "ledger configuration: unchanged"
    key, value = next(iter(setting.items()))
    field = {"CONFIDE_LEDGER_ORIGIN": "origin"}.get(key, key.removeprefix("CONFIDE_CHECKPOINT_"))
    assert event.details[field.lower()] == value


def test_a_new_signing_key_or_export_directory_is_recorded(world: World, keys: Path) -> None:
    run()
    old = Event.objects.filter(event_type=SETTINGS).order_by("-seq").first()
    assert old is not None
    with override_settings(CONFIDE_LEDGER_SIGNING_KEY_PATH=keys / "rotated.key"):
        mark = ledger_mark()
        run()
        [event] = events_since(mark)
    assert event.details["key_fingerprint"] != old.details["key_fingerprint"]
    assert (keys / "rotated.key").stat().st_mode & 0o077 == 0  # created private
    long_dir = keys / ("d" * 120) / ("e" * 120)
    with override_settings(CONFIDE_CHECKPOINT_DIR=long_dir):
        mark = ledger_mark()
        run()
        [event] = events_since(mark)
    assert str(event.details["checkpoint_dir"]).startswith("sha256:")


def test_a_readable_signing_key_stops_the_command(world: World, keys: Path) -> None:
    run()
    os.chmod(keys / "signing.key", 0o644)
    mark = ledger_mark()
    with pytest.raises(CommandError, match="chmod 600"):
        run()
    assert events_since(mark) == []


def test_configuration_events_stay_off_client_access_reports(world: World, keys: Path) -> None:
    from confide.ledger.reports import access_report
    from confide.testing import actor

    run()
    report = access_report(actor=actor(world.privacy_a), client_id=world.client_a.id)
    assert not {POLICY.value, SETTINGS.value} & {r.event_type for r in report.rows}
