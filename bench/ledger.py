"""Benchmark: ledger appends, verification and proofs on PostgreSQL, as ratios measured in one run.

    .venv/bin/python bench/ledger.py [--events 1000000] [--seconds 5] [--proofs 300] [--keep-db]

Needs PostgreSQL at 127.0.0.1:5432 (user postgres, trust authentication). The database
`confide_bench_ledger` (or $CONFIDE_BENCH_LEDGER_DB) is dropped and created at the start, and
dropped at the end unless --keep-db; the signing key and exported checkpoints live in a temporary
directory.

1. Seed `--events` hash-chained events (computed as `ledger.record` would, loaded with COPY).
2. Checkpoint them (build the stored tree, sign, export), then time inclusion proofs of random
   events against that checkpoint (`checkpoints.prove_inclusion`: queries, hashing, document)
   and their verification.
3. Append rate with 2 and 8 concurrent writer processes for `--seconds` each: `ledger.record` in
   its own transaction, linked at commit as in production (`CONFIDE_LEDGER_LINK_AT_COMMIT`: one
   `ledger_append_at_commit` call, the commit that links it, then the wait for its WAL flush
   outside the lock; decisions 0005 and 0012) and, for comparison, linked at once
   (`ledger_append`), versus plain INSERTs of the same rows, each in its own transaction too,
   into a twin table with the same indexes and no chain: through the ORM, and as one prepared
   statement on the driver's connection (the cheaper of the two is the ratio's baseline).
   Each run also gives the CPU one event took in the writers' processes and in their server
   processes (/proc), and so the most events per second this machine's cores could give that
   path even with no waiting at all.
4. Verification rate: `verify_chain` and `verify_ledger` (chain + checkpoints + tree) over every
   event, versus a bare hashlib loop over the same canonical bytes (already in memory).

Targets: >= 3,000 appends/s and >= 0.5 of plain insert; verify >= 200,000 events/s; inclusion
proof <= 5 ms at 1,000,000 events. It always exits 0.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import multiprocessing
import os
import random
import shutil
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import benchdb

PLACE = benchdb.prepare(
    env_var="CONFIDE_BENCH_LEDGER_DB",
    default_db="confide_bench_ledger",
    prefix="confide-bench-ledger-",
)
DB_NAME, VAR_DIR = PLACE.db_name, PLACE.var_dir
os.environ["CONFIDE_LEDGER_SIGNING_KEY_PATH"] = str(VAR_DIR / "ledger-signing.key")
os.environ["CONFIDE_CHECKPOINT_DIR"] = str(VAR_DIR / "checkpoints")
APPEND_TARGET = 3000.0
APPEND_RATIO_TARGET = 0.5
VERIFY_TARGET = 200_000.0
PROOF_TARGET_MS = 5.0

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, connections, models, transaction  # noqa: E402

from confide.ledger import checkpoints, merkle, scan, services, tree  # noqa: E402
from confide.ledger.chain import GENESIS_HASH, event_hash, event_payload  # noqa: E402
from confide.ledger.enums import EventType  # noqa: E402
from confide.ledger.models import ChainHead  # noqa: E402
from confide.ledger.proofs import verify_inclusion_document  # noqa: E402
from confide.ledger.services import record  # noqa: E402
from confide.ledger.verify import VerifyReport, verify_chain, verify_ledger  # noqa: E402
from confide.ledger.walk import default_workers  # noqa: E402


class PlainEvent(models.Model):
    """Bench-only twin of ledger.Event: same columns and indexes, no chain, no triggers."""

    seq = models.BigIntegerField(primary_key=True)
    occurred_at = models.DateTimeField()
    agency_id = models.UUIDField(null=True)
    actor_id = models.UUIDField(null=True)
    channel = models.CharField(max_length=16)
    event_type = models.CharField(max_length=64)
    subject_type = models.CharField(max_length=32, blank=True)
    subject_id = models.CharField(max_length=64, blank=True)
    client_id = models.UUIDField(null=True)
    reason = models.CharField(max_length=500, blank=True)
    policy_ids = models.JSONField(default=list)
    details = models.JSONField(default=dict)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    objects: models.Manager[PlainEvent] = models.Manager()

    class Meta:
        app_label = "demo"
        db_table = "bench_plain_event"
        managed = False


# --- realistic event content ------------------------------------------------------------------

AGENCIES = [uuid.UUID(int=0xA0 + i) for i in range(2)]
ACTORS = [uuid.UUID(int=0x1000 + i) for i in range(60)]
CLIENTS = [uuid.UUID(int=0x100000 + i) for i in range(3000)]
POLICIES = [["care_team.member"], ["care_team.supervisor"], ["author.own_note"], []]
KINDS = [
    (EventType.CLIENT_VIEWED, "client"),
    (EventType.NOTE_VIEWED, "note"),
    (EventType.CLIENT_SEARCHED, ""),
    (EventType.NOTE_CREATED, "note"),
    (EventType.SIGN_IN, ""),
]


def event_fields(rng: random.Random) -> dict[str, Any]:
    """The arguments of one `ledger.record` call, as the product writes them."""
    event_type, subject_type = rng.choice(KINDS)
    client = rng.choice(CLIENTS) if subject_type else None
    notes = [str(uuid.UUID(int=rng.getrandbits(128))) for _ in range(rng.randint(0, 3))]
    return {
        "event_type": event_type,
        "subject_type": subject_type,
        "subject_id": str(uuid.UUID(int=rng.getrandbits(128))) if subject_type else "",
        "client_id": client,
        "policy_ids": rng.choice(POLICIES),
        "details": {"notes": notes} if event_type == EventType.CLIENT_VIEWED else {},
        "agency_id": rng.choice(AGENCIES),
        "actor_id": rng.choice(ACTORS),
        "channel": rng.choice(["web", "api"]),
    }


# --- setup ------------------------------------------------------------------------------------


COPY_SQL = (
    "COPY ledger_event (seq, occurred_at, agency_id, actor_id, channel, event_type, "
    "subject_type, subject_id, client_id, reason, policy_ids, details, prev_hash, hash) "
    "FROM STDIN"
)


def seed(count: int) -> float:
    """`count` chained events, hashed exactly as `ledger.record` hashes them, loaded by COPY."""
    started = time.perf_counter()
    rng = random.Random(2025)
    prev, when = GENESIS_HASH, datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
    with transaction.atomic(), connection.cursor() as cursor, cursor.cursor.copy(COPY_SQL) as copy:
        for seq in range(1, count + 1):
            fields = event_fields(rng)
            when += timedelta(microseconds=rng.randint(1, 400_000))
            payload = event_payload(
                seq=seq, occurred_at=when, reason="", prev_hash=prev,
                **{k: (v.value if k == "event_type" else v) for k, v in fields.items()},
            )  # fmt: skip
            digest = event_hash(payload)
            copy.write_row(
                (
                    seq, when, fields["agency_id"], fields["actor_id"], fields["channel"],
                    payload["event_type"], fields["subject_type"], fields["subject_id"],
                    fields["client_id"], "", json.dumps(payload["policy_ids"]),
                    json.dumps(fields["details"]), prev, digest,
                )
            )  # fmt: skip
            prev = digest
            if seq % 100_000 == 0:
                print(f"  seeded {seq}/{count}", file=sys.stderr, flush=True)
    with transaction.atomic():
        ChainHead.objects.filter(id=1).update(seq=count, hash=prev)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE ledger_event")
    return time.perf_counter() - started


def create_plain_table() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE bench_plain_event "
            "(LIKE ledger_event INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING INDEXES)"
        )


# --- measurements -----------------------------------------------------------------------------


def _writer(
    kind: str, index: int, start_at: float, seconds: float, out: Any, async_commit: bool
) -> None:
    connections.close_all()  # a connection of this process's own
    if async_commit:  # diagnostic only: commits that do not wait for the WAL flush
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit = off")
        # ...nor does an append wait for it afterwards (this writer process only): its commit
        # carries no flush statement, and the step after it does nothing.
        setattr(services, "_FLUSH_BYTES", None)  # noqa: B010
        setattr(services, "_wait_for_flush", lambda: None)  # noqa: B010
    settings.CONFIDE_LEDGER_LINK_AT_COMMIT = kind == "ledger"
    rng = random.Random(index * 7919 + kind.startswith("plain"))
    seq = (index + 1) * 100_000_000 + int(time.time() * 1000) % 10_000_000 * 10
    write = WRITERS[kind]
    write(event_fields(rng), seq)  # connect and warm up before the clock starts
    seq += 1
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (backend,) = cursor.fetchone() or (0,)
    while time.time() < start_at:
        time.sleep(0.001)
    count, end = 0, start_at + seconds
    mine, theirs = time.process_time(), backend_cpu(backend)
    while time.time() < end:
        write(event_fields(rng), seq)
        seq += 1
        count += 1
    out.put((count, time.process_time() - mine, backend_cpu(backend) - theirs))
    connections.close_all()


def backend_cpu(pid: int) -> float:
    """CPU seconds (user + system) the server process `pid` has used, from /proc (the bench's
    server is on this machine); 0.0 where /proc cannot say."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Rate:
    """Events per second of a run, and the CPU each event took in the writers' processes and
    in their server processes (the WAL writer and other background work are not counted)."""

    per_second: float
    client_us: float
    server_us: float


def _append(fields: dict[str, Any], seq: int) -> None:
    with transaction.atomic():
        record(actor=None, **fields)


def _insert(fields: dict[str, Any], seq: int) -> None:
    filler = uuid.uuid4().hex * 2
    with transaction.atomic():
        PlainEvent.objects.create(
            seq=seq,
            occurred_at=datetime.now(UTC),
            reason="",
            prev_hash=filler,
            hash=filler,
            **{k: (v.value if k == "event_type" else v) for k, v in fields.items()},
        )


PLAIN_SQL = (
    "INSERT INTO bench_plain_event (seq, occurred_at, agency_id, actor_id, channel, event_type, "
    "subject_type, subject_id, client_id, reason, policy_ids, details, prev_hash, hash) "
    "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s::jsonb, %s::jsonb, %s, %s)"
)


def _insert_sql(fields: dict[str, Any], seq: int) -> None:
    filler = uuid.uuid4().hex * 2
    with transaction.atomic():
        connection.ensure_connection()
        driver = connection.connection
        # Django turns the driver's preparing off (prepare_threshold None), and then even an
        # explicit `prepare=True` is not prepared: allow it, so this insert really is.
        driver.prepare_threshold = 0
        driver.execute(
            PLAIN_SQL,
            [
                seq, datetime.now(UTC), fields["agency_id"], fields["actor_id"],
                fields["channel"], fields["event_type"].value, fields["subject_type"],
                fields["subject_id"], fields["client_id"], "", json.dumps(fields["policy_ids"]),
                json.dumps(fields["details"]), filler, filler,
            ],
            prepare=True,
        )  # fmt: skip


WRITERS: dict[str, Callable[[dict[str, Any], int], None]] = {
    "ledger": _append,  # linked at commit (the production setting)
    "ledger-now": _append,  # linked at once
    "plain": _insert,
    "plain-sql": _insert_sql,
}


def append_rate(kind: str, writers: int, seconds: float, async_commit: bool = False) -> Rate:
    # Each append inserts and deletes a row of the link-at-commit queue; start every run from an
    # empty one (autovacuum may be off on a CI server; in production it is what clears it).
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ledger_pending")
    connections.close_all()
    context = multiprocessing.get_context("fork")
    out = context.Queue()
    start_at = time.time() + 1.5
    procs = [
        context.Process(target=_writer, args=(kind, i, start_at, seconds, out, async_commit))
        for i in range(writers)
    ]
    for proc in procs:
        proc.start()
    results = [out.get() for _ in procs]
    for proc in procs:
        proc.join()
    total = sum(int(r[0]) for r in results)
    per_event = 1e6 / max(total, 1)
    return Rate(
        total / seconds,
        sum(r[1] for r in results) * per_event,
        sum(r[2] for r in results) * per_event,
    )


def commit_latency_ms(count: int = 200) -> float:
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_commit (x int)")  # logged: its commits flush WAL
    started = time.perf_counter()
    for _ in range(count):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("INSERT INTO bench_commit VALUES (1)")
    return (time.perf_counter() - started) / count * 1000


def canonical_items() -> list[tuple[bytes, str]]:
    """(hashed bytes, stored hash) of every event, read once, for the bare loop."""
    items: list[tuple[bytes, str]] = []
    for rows in scan.read_rows():
        items.extend((scan.row_bytes(row, "postgresql"), row[2]) for row in rows)
    return items


def bare_chain_rate(items: list[tuple[bytes, str]]) -> float:
    """The floor: hashlib over bytes already in memory, comparing each stored hash."""
    sha256, prefix, bad = hashlib.sha256, scan.HASH_PREFIX, 0
    started = time.perf_counter()
    for payload, digest in items:
        if sha256(prefix + payload).hexdigest() != digest:
            bad += 1
    elapsed = time.perf_counter() - started
    if bad:
        raise SystemExit(f"{bad} events did not verify in the bare loop")
    return len(items) / elapsed


def timed(action: Callable[[], object]) -> tuple[float, object]:
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


def proof_times(size: int, samples: int) -> tuple[list[float], list[float], list[float]]:
    """Milliseconds: whole inclusion proof document; its Merkle part alone; its verification."""
    rng = random.Random(7)
    verifier = checkpoints.LedgerKeys.from_settings().verifier()
    whole: list[float] = []
    merkle_only: list[float] = []
    verifying: list[float] = []
    source = tree.LedgerTree()
    for _ in range(samples):
        seq = rng.randint(1, size)
        started = time.perf_counter()
        document = checkpoints.prove_inclusion(seq, tree_size=size)
        whole.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        merkle.inclusion_proof(source, seq - 1, size)
        merkle_only.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        verify_inclusion_document(document, verifier)
        verifying.append((time.perf_counter() - started) * 1000)
    return whole, merkle_only, verifying


def p(samples: list[float], q: int) -> float:
    return float(statistics.quantiles(samples, n=100, method="inclusive")[q - 1])


def check(label: str, ok: bool) -> None:
    print(f"  [{'MET' if ok else 'MISSED'}] {label}")


# --- the run ----------------------------------------------------------------------------------


def run(args: argparse.Namespace) -> None:
    call_command("migrate", verbosity=0)
    create_plain_table()
    print(f"seed {args.events} events: {seed(args.events):.1f} s")

    seconds, result = timed(lambda: checkpoints.checkpoint_create())
    assert isinstance(result, checkpoints.CheckpointResult)
    assert result.created is not None
    print(f"first checkpoint of {args.events} events (build tree + sign + export): {seconds:.2f} s")
    whole, merkle_only, verifying = proof_times(args.events, args.proofs)
    print(f"\ninclusion proof at {args.events} events ({args.proofs} random events):")
    for name, samples in (("document", whole), ("merkle", merkle_only), ("verify", verifying)):
        print(
            f"  {name:<9} p50 {statistics.median(samples):6.2f} ms  p95 {p(samples, 95):6.2f} ms"
            f"  max {max(samples):6.2f} ms"
        )

    print(f"\nappends: {args.seconds:.0f} s per run, one transaction per event")
    rates: dict[tuple[str, int], float] = {}
    cpu: dict[tuple[str, int], Rate] = {}
    for writers in (2, 8):
        for kind in ("plain", "ledger", "plain-sql", "ledger-now"):
            cpu[(kind, writers)] = measured = append_rate(kind, writers, args.seconds)
            rates[(kind, writers)] = measured.per_second
        plain = max(rates[("plain", writers)], rates[("plain-sql", writers)])
        print(
            f"  {writers} writers: ledger.record {rates[('ledger', writers)]:6.0f}/s"
            f" (linked at once {rates[('ledger-now', writers)]:.0f}/s)   plain INSERT ORM"
            f" {rates[('plain', writers)]:.0f}/s, prepared {rates[('plain-sql', writers)]:.0f}/s"
            f"   ratio {rates[('ledger', writers)] / plain:.2f}"
            f" (at once {rates[('ledger-now', writers)] / plain:.2f})"
        )

    cores = os.cpu_count() or 1
    print(f"  CPU per event (client process + its server process), and what {cores} cores allow:")
    for (kind, writers), measured in cpu.items():
        both = measured.client_us + measured.server_us
        print(
            f"    {writers} writers, {kind:<10} client {measured.client_us:4.0f} us + server "
            f"{measured.server_us:4.0f} us = {both:4.0f} us: at most {cores * 1e6 / both:5.0f}/s"
        )

    # Diagnostic: every commit asynchronous (the session's setting), so no one waits for a flush.
    ledger_async = append_rate("ledger", 2, args.seconds, async_commit=True).per_second
    plain_async = append_rate("plain", 2, args.seconds, async_commit=True).per_second
    print(
        f"  diagnostic, 2 writers, synchronous_commit=off: ledger.record {ledger_async:.0f}/s"
        f"   plain INSERT {plain_async:.0f}/s   ratio {ledger_async / plain_async:.2f}"
    )
    print(f"  one INSERT + commit (WAL flush), one writer: {commit_latency_ms():.2f} ms")

    seconds, result = timed(lambda: checkpoints.checkpoint_create())
    assert isinstance(result, checkpoints.CheckpointResult)
    total = result.tree_size
    print(f"\nincremental checkpoint after the appends ({total} events): {seconds:.2f} s")

    print(f"\nverification over {total} events ({default_workers()} worker processes):")
    items = canonical_items()
    bare = bare_chain_rate(items)
    del items
    rates_v: dict[str, float] = {}
    actions: list[tuple[str, Callable[[], VerifyReport]]] = [
        ("verify_chain, 1 process", lambda: verify_chain(workers=1)),
        ("verify_ledger, 1 process", lambda: verify_ledger(workers=1)),
        ("verify_chain", verify_chain),
        ("verify_ledger", verify_ledger),
    ]
    for label, action in actions:
        started = time.perf_counter()
        report = action()
        rates_v[label] = total / (time.perf_counter() - started)
        if not report.ok:
            raise SystemExit(f"{label} failed: {report.problem}")
        print(
            f"  {label:<26} {rates_v[label]:10.0f} events/s   "
            f"ratio to bare {rates_v[label] / bare:.2f}"
        )
    print(f"  {'bare hashlib, 1 process':<26} {bare:10.0f} events/s")
    full_rate = rates_v["verify_ledger"]

    print("\ntargets:")
    for writers in (2, 8):
        rate = rates[("ledger", writers)]
        ratio = rate / max(rates[("plain", writers)], rates[("plain-sql", writers)])
        check(f"{writers} writers: {rate:.0f} appends/s >= {APPEND_TARGET:.0f}", rate >= 3000)
        check(f"{writers} writers: ratio {ratio:.2f} >= {APPEND_RATIO_TARGET}", ratio >= 0.5)
    check(f"verify_ledger {full_rate:.0f} events/s >= {VERIFY_TARGET:.0f}", full_rate >= 2e5)
    proof_p95 = p(whole, 95)
    check(
        f"inclusion proof p95 {proof_p95:.2f} ms <= {PROOF_TARGET_MS} ms at {args.events} events",
        proof_p95 <= PROOF_TARGET_MS,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--events", type=int, default=1_000_000, help="events to seed (1000000)")
    parser.add_argument("--seconds", type=float, default=5.0, help="seconds per append run (5)")
    parser.add_argument("--proofs", type=int, default=300, help="inclusion proofs to time (300)")
    parser.add_argument("--keep-db", action="store_true", help=f"keep the {DB_NAME} database")
    args = parser.parse_args()
    if args.events < 1000 or args.proofs < 20 or args.seconds <= 0:
        parser.error("use at least 1000 events, 20 proofs and a positive duration")
    try:
        with benchdb.bench_database(PLACE, keep=args.keep_db):
            run(args)
    finally:
        if not args.keep_db:
            shutil.rmtree(VAR_DIR, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
