"""Signed checkpoints and the stored Merkle tree: two append-only tables.

`ledger_checkpoint` keeps every signed checkpoint note (also exported outside the database);
`ledger_merkle_node` keeps the hashes of the tree's perfect subtrees at levels 8, 16, 24, ...
(one row per 256 events), from which any root or proof is computed in a few queries.

They are plain tables read and written by `confide.ledger.store` with SQL (see decision 0003),
so they are created here with SQL and have no model state. Triggers reject UPDATE and DELETE on
both databases, and TRUNCATE on PostgreSQL, as for events.
"""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

TABLES = [
    """CREATE TABLE ledger_checkpoint (
        tree_size BIGINT NOT NULL PRIMARY KEY,
        root_hash VARCHAR(64) NOT NULL,
        key_id VARCHAR(8) NOT NULL,
        signed_at VARCHAR(40) NOT NULL,
        note TEXT NOT NULL
    )""",
    """CREATE TABLE ledger_merkle_node (
        level SMALLINT NOT NULL,
        idx BIGINT NOT NULL,
        hash VARCHAR(64) NOT NULL,
        PRIMARY KEY (level, idx)
    )""",
]
APPEND_ONLY = ["ledger_checkpoint", "ledger_merkle_node"]


def _sqlite_up() -> list[str]:
    statements = []
    for table in APPEND_ONLY:
        for action in ("UPDATE", "DELETE"):
            statements.append(
                f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
            )
    return statements


def _postgres_up() -> list[str]:
    statements = [
        """CREATE OR REPLACE FUNCTION ledger_reject_change() RETURNS trigger AS $$
        BEGIN
            RAISE EXCEPTION USING
                MESSAGE = TG_TABLE_NAME || ' is append-only', ERRCODE = 'insufficient_privilege';
        END;
        $$ LANGUAGE plpgsql"""
    ]
    for table in APPEND_ONLY:
        statements += [
            f"CREATE TRIGGER {table}_no_change BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION ledger_reject_change()",
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION ledger_reject_change()",
        ]
    return statements


def forwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    vendor = schema_editor.connection.vendor
    extra = {"sqlite": _sqlite_up, "postgresql": _postgres_up}.get(vendor, list)
    for statement in [*TABLES, *extra()]:
        schema_editor.execute(statement)


def backwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    for table in APPEND_ONLY:
        schema_editor.execute(f"DROP TABLE IF EXISTS {table}")
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS ledger_reject_change()")


class Migration(migrations.Migration):
    dependencies = [("ledger", "0002_append_only")]
    operations = [migrations.RunPython(forwards, backwards)]
