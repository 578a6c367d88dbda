"""`manage.py demo_code EMAIL|SIGN-IN-ID`: the current TOTP code of a demo staff account or a demo
client's portal account (demo agencies only)."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from confide.demo.signins import NotADemoAccount, current_code, demo_device, demo_portal_code


class Command(BaseCommand):
    help = "Print the current 6-digit TOTP code of a demo account (refused for other accounts)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "email",
            help="a demo account's email, or a demo client's portal sign-in id, as printed by "
            "demo_load",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if "@" in options["email"]:
                code, remaining = current_code(demo_device(options["email"]))
            else:  # a demo client's portal sign-in id
                code, remaining = demo_portal_code(options["email"])
        except NotADemoAccount:
            raise CommandError(
                "No demo account with that email or portal sign-in id. demo_code only serves the "
                "demo agencies' accounts; real staff and clients use their own authenticator."
            ) from None
        self.stdout.write(code)
        self.stderr.write(
            f"(current for {remaining} more seconds; each code works once)", style_func=str
        )
