from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "confide.ledger"
    label = "ledger"
