"""`manage.py demo_load`: load the synthetic demo agencies once, then print the sign-ins."""

from __future__ import annotations

import time
from argparse import ArgumentParser
from typing import Any

from django.core import mail
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings

from confide.demo.data import NoteMix
from confide.demo.loader import Size, demo_loaded, load_demo
from confide.demo.signins import signin_lines
from confide.ledger import checkpoints

KEPT_BACK = "django.core.mail.backends.locmem.EmailBackend"


class Command(BaseCommand):
    help = (
        "Load two synthetic demo agencies (staff in every role with TOTP enrolled, clients, cases "
        "and notes) and print the sign-ins. Running it again changes nothing and prints the "
        "sign-ins. There is no reset: the ledger is append-only; use a fresh database instead."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--clients", type=int, default=200, help="clients (default 200)")
        parser.add_argument(
            "--notes-per-client", type=int, default=10, help="average notes per client (default 10)"
        )
        parser.add_argument("--seed", type=int, default=2025, help="random seed (default 2025)")

    def handle(self, *args: Any, **options: Any) -> None:
        clients, notes = options["clients"], options["notes_per_client"]
        if clients < 0 or notes < 0:
            raise CommandError("--clients and --notes-per-client must be 0 or more")
        if demo_loaded():
            self.stdout.write("The demo is already loaded; nothing was changed.\n")
        else:
            self._load(
                Size(clients=clients, notes_per_client=notes, mix=NoteMix()), options["seed"]
            )
        self.stdout.write("\n".join(signin_lines()))

    def _load(self, size: Size, seed: int) -> None:
        self.stdout.write(
            f"Loading the synthetic demo: {size.clients} clients, about "
            f"{size.clients * size.notes_per_client} notes..."
        )
        started = time.monotonic()

        def progress(done: int, total: int, notes: int) -> None:
            ending = "\r" if self.stderr.isatty() and done < total else "\n"
            self.stderr.write(
                f"  clients {done}/{total}, notes {notes}", style_func=str, ending=ending
            )

        # All or nothing: an interrupted load leaves no half demo behind. The staff e-mails the
        # load's actions send (a request to review, a review done) are kept in memory, not
        # printed among the sign-ins by the console backend or sent anywhere.
        with override_settings(EMAIL_BACKEND=KEPT_BACK), transaction.atomic():
            outbox = getattr(mail, "outbox", None)
            before = len(outbox) if outbox is not None else 0
            counts = load_demo(size, seed=seed, progress=progress)
        kept = len(getattr(mail, "outbox", ())) - before
        elapsed = time.monotonic() - started
        self.stdout.write(
            f"Loaded 2 agencies, {counts.clients} clients, {counts.notes} notes "
            f"({counts.signed} signed, {counts.notes - counts.signed} drafts) in {elapsed:.1f} s."
        )
        # A first signed checkpoint, as the background worker would make, so `confide ledger
        # verify` checks the demo's chain against a signed, exported root from the start.
        if kept:
            self.stdout.write(
                f"Kept back the {kept} e-mails the load's actions would send (none was sent)."
            )
        made = checkpoints.checkpoint_create()
        where = f" in {made.path.parent}" if made.path is not None else ""
        self.stdout.write(f"Ledger: {made.message}{where}.\n")
