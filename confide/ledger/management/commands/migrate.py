"""`migrate`, connected as the database owner role when one is configured, then granting the
application's role its privileges (`confide.ledger.dbroles`). Without an owner role it is
Django's own `migrate`, unchanged."""

from __future__ import annotations

from typing import Any

from django.core.management.commands import migrate
from django.db import connections

from confide.ledger import dbroles


class Command(migrate.Command):
    help = migrate.Command.help + " Runs as CONFIDE_DATABASE_OWNER_URL's role when it is set."

    def handle(self, *args: Any, **options: Any) -> None:
        alias = options["database"]
        with dbroles.connected_as_owner(alias) as as_owner:
            super().handle(*args, **options)
            if as_owner:
                dbroles.grant_app_role(connections[alias])
