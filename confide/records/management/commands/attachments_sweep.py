"""`manage.py attachments_sweep`: settle attachment blobs left in staging by a crash."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from confide.records.files import sweep_staging


class Command(BaseCommand):
    help = "Promote committed attachment blobs left in staging; delete rolled-back ones."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--older-than",
            type=float,
            default=3600.0,
            help="only judge staged files older than this many seconds",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        promoted, deleted = sweep_staging(older_than_seconds=options["older_than"])
        self.stdout.write(f"attachments: {promoted} promoted, {deleted} rolled-back blobs deleted")
