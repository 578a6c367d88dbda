"""Make the accounting of disclosures append-only in the database itself.

Entries are never edited or deleted, only annotated; annotations are never edited or deleted
either. Triggers reject UPDATE and DELETE on both databases (and TRUNCATE on PostgreSQL), as
`ledger/migrations/0002_append_only.py` does for ledger events.
"""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

TABLES = ("disclosures_accountingentry", "disclosures_accountingannotation")
MESSAGE = "the accounting of disclosures is append-only"


def _sqlite_up(table: str) -> list[str]:
    return [
        f"CREATE TRIGGER {table}_no_{op.lower()} BEFORE {op} ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
        for op in ("UPDATE", "DELETE")
    ]


def _sqlite_down(table: str) -> list[str]:
    return [f"DROP TRIGGER IF EXISTS {table}_no_{op}" for op in ("update", "delete")]


POSTGRES_FUNCTION = f"""CREATE OR REPLACE FUNCTION disclosures_accounting_reject_change()
RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql"""


def _postgres_up(table: str) -> list[str]:
    return [
        f"CREATE TRIGGER {table}_no_change BEFORE UPDATE OR DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION disclosures_accounting_reject_change()",
        f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION disclosures_accounting_reject_change()",
    ]


def _postgres_down(table: str) -> list[str]:
    return [
        f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}",
        f"DROP TRIGGER IF EXISTS {table}_no_change ON {table}",
    ]


UP = {
    "sqlite": [s for t in TABLES for s in _sqlite_up(t)],
    "postgresql": [POSTGRES_FUNCTION, *(s for t in TABLES for s in _postgres_up(t))],
}
DOWN = {
    "sqlite": [s for t in TABLES for s in _sqlite_down(t)],
    "postgresql": [
        *(s for t in TABLES for s in _postgres_down(t)),
        "DROP FUNCTION IF EXISTS disclosures_accounting_reject_change()",
    ],
}


def forwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    for statement in UP.get(schema_editor.connection.vendor, []):
        schema_editor.execute(statement)


def backwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    for statement in DOWN.get(schema_editor.connection.vendor, []):
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("disclosures", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
