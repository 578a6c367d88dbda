"""`manage.py demo_code EMAIL`: the current TOTP code of a demo account (demo agencies only)."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from confide.demo.signins import NotADemoAccount, current_code, demo_device


class Command(BaseCommand):
    help = "Print the current 6-digit TOTP code of a demo account (refused for other accounts)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("email", help="a demo account's email, as printed by demo_load")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            device = demo_device(options["email"])
        except NotADemoAccount:
            raise CommandError(
                "No demo account with that email. demo_code only serves the demo agencies' "
                "accounts; real staff use their own authenticator."
            ) from None
        code, remaining = current_code(device)
        self.stdout.write(code)
        self.stderr.write(
            f"(current for {remaining} more seconds; each code works once)", style_func=str
        )
