"""PostgreSQL: append an event in one statement, `ledger_append(...)` (decision 0005).

The function takes the chain head's row lock, links the event to the head's hash, hashes it,
inserts it and advances the head: the whole locked part of an append is one round trip, and the
lock is held from there to the commit of the action's transaction. The caller computes the
event's canonical JSON beforehand, cut around its two chain fields (`chain.hashed_parts`), so
the function only joins `head || prev_hash || middle || seq || tail` and hashes it exactly as
`chain.event_hash` does: what is hashed does not change.

It runs with its owner's rights (SECURITY DEFINER, with a fixed search_path), so the
application's role needs no INSERT on events and no UPDATE on the chain head: it can append only
through here, with the link and hash the database computes (`ledger.dbroles`). `ledger_lock_head()` takes the same
lock alone, for a transaction that must see no append until it ends. SQLite keeps the
Python path in `ledger.services`.
"""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

SIGNATURE = (
    "ledger_append(timestamptz, uuid, uuid, varchar, varchar, varchar, varchar, uuid, varchar, "
    "jsonb, jsonb, text, text, text)"
)

FUNCTION = """
CREATE OR REPLACE FUNCTION ledger_append(
    p_occurred_at timestamptz, p_agency_id uuid, p_actor_id uuid, p_channel varchar,
    p_event_type varchar, p_subject_type varchar, p_subject_id varchar, p_client_id uuid,
    p_reason varchar, p_policy_ids jsonb, p_details jsonb,
    p_head text, p_middle text, p_tail text,
    OUT out_seq bigint, OUT out_prev text, OUT out_hash text
) LANGUAGE plpgsql SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
BEGIN
    SELECT h.seq + 1, COALESCE(NULLIF(h.hash, ''), repeat('0', 64)) INTO out_seq, out_prev
        FROM ledger_chain_head h WHERE h.id = 1 FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'the ledger chain head row is missing';
    END IF;
    out_hash := encode(sha256(
        convert_to('confide-ledger-v1', 'UTF8') || '\\x00'::bytea
        || convert_to(p_head || out_prev || p_middle || out_seq::text || p_tail, 'UTF8')
    ), 'hex');
    INSERT INTO ledger_event (
        seq, occurred_at, agency_id, actor_id, channel, event_type, subject_type, subject_id,
        client_id, reason, policy_ids, details, prev_hash, hash
    ) VALUES (
        out_seq, p_occurred_at, p_agency_id, p_actor_id, p_channel, p_event_type, p_subject_type,
        p_subject_id, p_client_id, p_reason, p_policy_ids, p_details, out_prev, out_hash
    );
    UPDATE ledger_chain_head SET seq = out_seq, hash = out_hash WHERE id = 1;
END;
$$"""


LOCK_SIGNATURE = "ledger_lock_head()"
LOCK_FUNCTION = """
CREATE OR REPLACE FUNCTION ledger_lock_head() RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
BEGIN
    PERFORM 1 FROM ledger_chain_head WHERE id = 1 FOR UPDATE;
END;
$$"""


def forwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT quote_ident(current_schema())")
        row = cursor.fetchone()
    assert row is not None
    for function, signature in ((FUNCTION, SIGNATURE), (LOCK_FUNCTION, LOCK_SIGNATURE)):
        schema_editor.execute(function.replace("{schema}", row[0]))
        # Only the roles that `ledger.dbroles` grants them to may call them.
        schema_editor.execute(f"REVOKE ALL ON FUNCTION {signature} FROM PUBLIC")


def backwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {SIGNATURE}")
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {LOCK_SIGNATURE}")


class Migration(migrations.Migration):
    dependencies = [("ledger", "0003_checkpoints")]
    operations = [migrations.RunPython(forwards, backwards)]
