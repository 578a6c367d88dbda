"""Drop the event indexes that no query uses: the unique index on `hash` (and its pattern-ops
twin on PostgreSQL) and the one on `client_id` alone, which `ledger_client_time`
(client_id, occurred_at) already serves. Each index is one more write inside the append's locked
part (decision 0012); the chain itself makes every hash unique, and `verify` checks it.

SQLite alters a column by copying the table into a new one, which loses the table's triggers:
the append-only triggers of migration 0002 are created again after it, both ways.
"""

from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

SQLITE_TRIGGERS = [
    "DROP TRIGGER IF EXISTS ledger_event_no_update",
    "DROP TRIGGER IF EXISTS ledger_event_no_delete",
    "CREATE TRIGGER ledger_event_no_update BEFORE UPDATE ON ledger_event "
    "BEGIN SELECT RAISE(ABORT, 'ledger events are append-only'); END",
    "CREATE TRIGGER ledger_event_no_delete BEFORE DELETE ON ledger_event "
    "BEGIN SELECT RAISE(ABORT, 'ledger events are append-only'); END",
]


def sqlite_triggers(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_TRIGGERS:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0004_append_function")]

    operations = [
        migrations.RunPython(migrations.RunPython.noop, sqlite_triggers),
        migrations.AlterField(
            model_name="event",
            name="client_id",
            field=models.UUIDField(null=True),
        ),
        migrations.AlterField(
            model_name="event",
            name="hash",
            field=models.CharField(max_length=64),
        ),
        migrations.RunPython(sqlite_triggers, migrations.RunPython.noop),
    ]
