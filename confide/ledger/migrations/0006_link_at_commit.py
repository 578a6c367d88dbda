"""PostgreSQL: link events when their transaction commits, not when they are recorded
(decision 0012).

`ledger_link(...)` is the one place that links an event: it takes the chain head's row lock,
sets the event's number and predecessor from the head, hashes
`head || prev_hash || middle || seq || tail` as `chain.event_hash` does, inserts the event and
advances the head. `ledger_append(...)` (migration 0004, same signature) now calls it at once:
the lock is then held from the call to the end of the transaction, across the caller's later
statements and round trips.

`ledger_append_at_commit(...)` takes the same arguments and only queues the event in
`ledger_pending`, in the caller's transaction, without the lock. A deferred constraint trigger
links each queued event, in the order queued, when that transaction commits, and removes it
from the queue: the lock is held only from there to the commit record, inside the server. A
transaction that rolls back leaves neither its queued event nor a link; a commit whose linking
fails rolls the action back. `ledger_pending` is UNLOGGED: no row of it outlives its
transaction, so it needs no WAL. The application's role has no privilege on it (`ledger.dbroles`):
it queues only through the function.
"""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

ARGS = (
    "timestamptz, uuid, uuid, varchar, varchar, varchar, varchar, uuid, varchar, jsonb, jsonb, "
    "text, text, text"
)
PARAMS = """
    p_occurred_at timestamptz, p_agency_id uuid, p_actor_id uuid, p_channel varchar,
    p_event_type varchar, p_subject_type varchar, p_subject_id varchar, p_client_id uuid,
    p_reason varchar, p_policy_ids jsonb, p_details jsonb,
    p_head text, p_middle text, p_tail text"""
NAMES = """
        p_occurred_at, p_agency_id, p_actor_id, p_channel, p_event_type, p_subject_type,
        p_subject_id, p_client_id, p_reason, p_policy_ids, p_details, p_head, p_middle, p_tail"""

# Called only by the two SECURITY DEFINER functions below, whose fixed search_path applies.
LINK = """
CREATE OR REPLACE FUNCTION ledger_link({params},
    OUT out_seq bigint, OUT out_prev text, OUT out_hash text
) LANGUAGE plpgsql AS $$
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

APPEND = """
CREATE OR REPLACE FUNCTION ledger_append({params},
    OUT out_seq bigint, OUT out_prev text, OUT out_hash text
) LANGUAGE plpgsql SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
BEGIN
    SELECT l.out_seq, l.out_prev, l.out_hash INTO out_seq, out_prev, out_hash
        FROM ledger_link({names}) l;
END;
$$"""

PENDING = """
CREATE UNLOGGED TABLE IF NOT EXISTS ledger_pending (
    occurred_at timestamptz NOT NULL, agency_id uuid, actor_id uuid,
    channel varchar(16) NOT NULL, event_type varchar(64) NOT NULL,
    subject_type varchar(32) NOT NULL, subject_id varchar(64) NOT NULL, client_id uuid,
    reason varchar(500) NOT NULL, policy_ids jsonb NOT NULL, details jsonb NOT NULL,
    part_head text NOT NULL, part_middle text NOT NULL, part_tail text NOT NULL
)"""

APPEND_AT_COMMIT = """
CREATE OR REPLACE FUNCTION ledger_append_at_commit({params}
) RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
BEGIN
    INSERT INTO ledger_pending VALUES ({names});
END;
$$"""

LINK_PENDING = """
CREATE OR REPLACE FUNCTION ledger_link_pending() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
BEGIN
    PERFORM ledger_link(
        NEW.occurred_at, NEW.agency_id, NEW.actor_id, NEW.channel, NEW.event_type,
        NEW.subject_type, NEW.subject_id, NEW.client_id, NEW.reason, NEW.policy_ids,
        NEW.details, NEW.part_head, NEW.part_middle, NEW.part_tail
    );
    DELETE FROM ledger_pending WHERE ctid = NEW.ctid;
    RETURN NULL;
END;
$$"""

TRIGGER = """
CREATE CONSTRAINT TRIGGER ledger_pending_link AFTER INSERT ON ledger_pending
DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_link_pending()"""

OLD_APPEND = """
CREATE OR REPLACE FUNCTION ledger_append({params},
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


def _sql(template: str, schema: str) -> str:
    return (
        template.replace("{params}", PARAMS).replace("{names}", NAMES).replace("{schema}", schema)
    )


def _schema(schema_editor: BaseDatabaseSchemaEditor) -> str:
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT quote_ident(current_schema())")
        row = cursor.fetchone()
    assert row is not None
    return str(row[0])


def forwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema = _schema(schema_editor)
    for statement in (LINK, APPEND, PENDING, APPEND_AT_COMMIT, LINK_PENDING, TRIGGER):
        schema_editor.execute(_sql(statement, schema))
    for signature in (f"ledger_link({ARGS})", f"ledger_append_at_commit({ARGS})"):
        # Only the roles that `ledger.dbroles` grants them to may call them.
        schema_editor.execute(f"REVOKE ALL ON FUNCTION {signature} FROM PUBLIC")
    schema_editor.execute("REVOKE ALL ON FUNCTION ledger_link_pending() FROM PUBLIC")


def backwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(_sql(OLD_APPEND, _schema(schema_editor)))
    schema_editor.execute("DROP TABLE IF EXISTS ledger_pending")
    schema_editor.execute("DROP FUNCTION IF EXISTS ledger_link_pending()")
    schema_editor.execute(f"DROP FUNCTION IF EXISTS ledger_append_at_commit({ARGS})")
    schema_editor.execute(f"DROP FUNCTION IF EXISTS ledger_link({ARGS})")


class Migration(migrations.Migration):
    dependencies = [("ledger", "0005_lighter_event_indexes")]
    operations = [migrations.RunPython(forwards, backwards)]
