"""`manage.py ledger_checkpointer`: sign a checkpoint every N events or T seconds, until stopped.

Run one or several (for availability): each checkpoint is made under an advisory lock, so only
one process writes at a time; the others skip that turn. Thresholds default to the settings
CONFIDE_CHECKPOINT_EVERY_EVENTS and CONFIDE_CHECKPOINT_EVERY_SECONDS. SIGTERM or SIGINT stops it
after the current step; --once, --max-seconds and --max-checkpoints bound it. A damaged ledger
(new events that do not chain from the last checkpoint) stops it with an error: it never signs one.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from argparse import ArgumentParser
from dataclasses import dataclass
from datetime import datetime
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, close_old_connections, connection

from confide.core import clock
from confide.ledger.checkpoints import (
    CheckpointError,
    LedgerDamaged,
    checkpoint_create,
    checkpoint_latest,
)
from confide.ledger.models import ChainHead
from confide.ledger.signing import SigningKeyError

logger = logging.getLogger("confide.ledger")


@dataclass(frozen=True)
class Policy:
    every_events: int
    every_seconds: float

    def due(self, head: int, last_size: int, last_at: datetime | None, now: datetime) -> bool:
        """A checkpoint is due when N new events wait, or when any wait and T has passed."""
        waiting = head - last_size
        if waiting <= 0:
            return False
        if waiting >= self.every_events or last_at is None:
            return True
        return (now - last_at).total_seconds() >= self.every_seconds


def _state() -> tuple[int, int, datetime | None]:
    head = ChainHead.objects.filter(id=1).first()
    last = checkpoint_latest()
    last_at = datetime.fromisoformat(last.signed_at) if last is not None else None
    return (head.seq if head else 0), (last.tree_size if last else 0), last_at


class Command(BaseCommand):
    help = "Sign and export ledger checkpoints every N events or T seconds until stopped."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--once", action="store_true", help="one checkpoint if due, then exit")
        parser.add_argument("--every-events", type=int, default=None, help="N (from settings)")
        parser.add_argument("--every-seconds", type=float, default=None, help="T (from settings)")
        parser.add_argument("--poll", type=float, default=1.0, help="seconds between looks (1)")
        parser.add_argument("--max-seconds", type=float, default=None, help="stop after this")
        parser.add_argument("--max-checkpoints", type=int, default=None, help="stop after this")

    def handle(self, *args: Any, **options: Any) -> None:
        policy = Policy(
            every_events=options["every_events"] or settings.CONFIDE_CHECKPOINT_EVERY_EVENTS,
            every_seconds=options["every_seconds"] or settings.CONFIDE_CHECKPOINT_EVERY_SECONDS,
        )
        if policy.every_events < 1 or policy.every_seconds <= 0 or options["poll"] <= 0:
            raise CommandError("--every-events, --every-seconds and --poll must be positive")
        stop = threading.Event()
        previous = self._on_signals(stop)
        try:
            made = self._loop(policy, stop, options)
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)
        self.stdout.write(f"ledger checkpointer: {made} checkpoint(s) made; stopping")

    def _loop(self, policy: Policy, stop: threading.Event, options: dict[str, Any]) -> int:
        deadline = time.monotonic() + (options["max_seconds"] or float("inf"))
        limit = options["max_checkpoints"] or float("inf")
        made = 0
        while not stop.is_set():
            made += self._step(policy, force=options["once"])
            if options["once"] or made >= limit or time.monotonic() >= deadline:
                break
            stop.wait(options["poll"])
        return made

    def _step(self, policy: Policy, *, force: bool) -> int:
        if not connection.in_atomic_block:  # a long-lived loop: drop broken or aged connections
            close_old_connections()
        try:
            head, last_size, last_at = _state()
            if not (force and head > last_size) and not policy.due(
                head, last_size, last_at, clock.now()
            ):
                return 0
            result = checkpoint_create(wait=False)
        except (LedgerDamaged, SigningKeyError) as exc:
            logger.error("ledger checkpointer: refused to sign: %s", exc)
            raise CommandError(f"refused to sign: {exc}") from exc
        except (CheckpointError, DatabaseError) as exc:
            logger.warning("ledger checkpointer: will retry: %s", type(exc).__name__)
            return 0
        if result.created is None:
            return 0
        logger.info("ledger checkpointer: signed checkpoint of %d events", result.tree_size)
        self.stdout.write(f"signed checkpoint of {result.tree_size} events")
        return 1

    def _on_signals(self, stop: threading.Event) -> dict[int, Any]:
        """Stop after the current step on SIGTERM/SIGINT; returns the handlers to restore."""

        def handler(signum: int, frame: FrameType | None) -> None:
            stop.set()

        if threading.current_thread() is not threading.main_thread():
            return {}
        return {
            signum: signal.signal(signum, handler) for signum in (signal.SIGTERM, signal.SIGINT)
        }
