"""Make the ledger append-only in the database itself, and create the chain head row.

Triggers reject UPDATE and DELETE of events on both databases (and TRUNCATE on PostgreSQL).
"""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

SQLITE_UP = [
    "CREATE TRIGGER ledger_event_no_update BEFORE UPDATE ON ledger_event "
    "BEGIN SELECT RAISE(ABORT, 'ledger events are append-only'); END",
    "CREATE TRIGGER ledger_event_no_delete BEFORE DELETE ON ledger_event "
    "BEGIN SELECT RAISE(ABORT, 'ledger events are append-only'); END",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS ledger_event_no_update",
    "DROP TRIGGER IF EXISTS ledger_event_no_delete",
]
POSTGRES_UP = [
    """CREATE OR REPLACE FUNCTION ledger_event_reject_change() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION 'ledger events are append-only' USING ERRCODE = 'insufficient_privilege';
    END;
    $$ LANGUAGE plpgsql""",
    "CREATE TRIGGER ledger_event_no_change BEFORE UPDATE OR DELETE ON ledger_event "
    "FOR EACH ROW EXECUTE FUNCTION ledger_event_reject_change()",
    "CREATE TRIGGER ledger_event_no_truncate BEFORE TRUNCATE ON ledger_event "
    "FOR EACH STATEMENT EXECUTE FUNCTION ledger_event_reject_change()",
]
POSTGRES_DOWN = [
    "DROP TRIGGER IF EXISTS ledger_event_no_truncate ON ledger_event",
    "DROP TRIGGER IF EXISTS ledger_event_no_change ON ledger_event",
    "DROP FUNCTION IF EXISTS ledger_event_reject_change()",
]


def _run(schema_editor: BaseDatabaseSchemaEditor, statements: dict[str, list[str]]) -> None:
    for statement in statements.get(schema_editor.connection.vendor, []):
        schema_editor.execute(statement)


def forwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    _run(schema_editor, {"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP})
    chain_head = apps.get_model("ledger", "ChainHead")
    chain_head.objects.using(schema_editor.connection.alias).get_or_create(
        id=1, defaults={"seq": 0, "hash": "0" * 64}
    )


def backwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    _run(schema_editor, {"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN})


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
