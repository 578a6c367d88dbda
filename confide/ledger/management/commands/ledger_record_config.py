"""`manage.py ledger_record_config`: put the access policy's and the checkpoint settings'
digests on the ledger when they changed since last recorded (idempotent). Run at every start
and deploy, before serving."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from confide.ledger.checkpoints import CheckpointError
from confide.ledger.config_events import record_configuration
from confide.ledger.signing import SigningKeyError


class Command(BaseCommand):
    help = "Record access policy and checkpoint settings changes on the ledger."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            written = record_configuration()
        except (SigningKeyError, CheckpointError) as exc:
            raise CommandError(f"configuration not recorded: {exc}") from exc
        if not written:
            self.stdout.write("ledger configuration: unchanged")
        for event_type in written:
            self.stdout.write(f"ledger configuration: recorded {event_type.value}")
