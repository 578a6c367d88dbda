"""Benchmark: disclosure decisions per second, through the real command line and in process.

Run with `.venv/bin/python bench/disclosures.py`. It feeds shared/scenarios/disclosures-public.jsonl
to `.venv/bin/confide disclosure evaluate` (once as is, to time a whole invocation, and once
repeated to a few thousand lines, to time steady throughput), then times `parse_facts` +
`evaluate` in this process, and prints the figures and their ratios measured in this one run.

Then the release packet (`--packet-only` runs only this part): in a throw-away SQLite
database (migrated at start, in a temporary directory with its own keyring), a client with 200
signed notes (each naming another person and a phone number, so redactions are proposed) and a
decided treatment disclosure. It times, warm (median of 5, after one cold run that loads
Presidio):

* build: `packet_build` (policy decision for the 200 notes, decryption, Presidio pattern
  recognizers and the deny-list over every note, proposals written, ledger event);
* release: `release(method="print")` (decryption, redactions applied, the PDF rendered with its
  cover sheet and watermark, SHA-256, encrypted copy stored, accounting entry, ledger event);

and, as the bare baseline measured in the same run, decrypting the same 200 note bodies. Target:
build + release <= 2 s. Run with `--skip-packet` to time only the engine.
"""

from __future__ import annotations

import atexit
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from confide.disclosures.engine import evaluate, parse_facts  # noqa: E402

SCENARIOS = ROOT.parent / "shared" / "scenarios" / "disclosures-public.jsonl"
CONFIDE = ROOT / ".venv" / "bin" / "confide"
REPEAT = 100  # copies of the scenario file in the throughput run
RUNS = 5


def _cli_seconds(path: Path) -> float:
    start = time.perf_counter()
    result = subprocess.run(
        [str(CONFIDE), "disclosure", "evaluate", str(path)],
        capture_output=True,
        check=False,
    )
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"confide exited {result.returncode}: {result.stderr.decode()[:500]}")
    return elapsed


def _cli(lines: list[str]) -> tuple[float, float]:
    """(median seconds per invocation of the file, lines/s on the repeated file)."""
    with tempfile.TemporaryDirectory() as tmp:
        small = Path(tmp) / "scenarios.jsonl"
        small.write_text("\n".join(lines) + "\n", encoding="utf-8")
        big = Path(tmp) / "repeated.jsonl"
        big.write_text("\n".join(lines * REPEAT) + "\n", encoding="utf-8")
        per_call = statistics.median(_cli_seconds(small) for _ in range(RUNS))
        big_seconds = statistics.median(_cli_seconds(big) for _ in range(3))
    return per_call, len(lines) * REPEAT / big_seconds


def _rate(work: Callable[[], int], budget: float = 1.0) -> float:
    """Calls of `work` (each returning how many evaluations it did) per second over `budget` s."""
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < budget:
        count += work()
    return count / (time.perf_counter() - start)


def _in_process(lines: list[str]) -> tuple[float, float]:
    """(parse + evaluate per second, evaluate-only per second)."""
    raws = [json.loads(line)["facts"] for line in lines]
    parsed = [parse_facts(raw) for raw in raws]
    on = date.today()

    def parse_and_evaluate() -> int:
        return len([evaluate(parse_facts(raw), on) for raw in raws])

    def evaluate_only() -> int:
        return len([evaluate(facts, on) for facts in parsed])

    return _rate(parse_and_evaluate), _rate(evaluate_only)


PACKET_NOTES = 200
PACKET_TARGET_SECONDS = 2.0
NOTE_TEXT = (
    "Met at home to review the safety plan. Her brother Tomas Reyes called from 415-555-0199 "
    "during the visit; Mr. Okafor from the landlord's office has not answered. Discussed sleep, "
    "school attendance and the next appointment. Client agreed to the plan and will call if "
    "anything changes before we meet again next week."
)


def _packet_setup() -> tuple[Any, Any, Any]:
    """A migrated throw-away database with a client, 200 signed notes and a decided request."""
    import os

    var = Path(tempfile.mkdtemp(prefix="confide-bench-packet-"))
    atexit.register(shutil.rmtree, var, True)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ["CONFIDE_DATABASE_URL"] = f"sqlite:///{var / 'bench.sqlite3'}"
    os.environ["CONFIDE_VAR_DIR"] = str(var)
    os.environ["CONFIDE_KEYRING_PATH"] = str(var / "keyring.json")
    os.environ["CONFIDE_FILES_DIR"] = str(var / "files")
    os.environ.pop("CONFIDE_ENV", None)
    import logging

    import django
    from django.core.management import call_command

    django.setup()
    logging.disable(logging.INFO)  # fontTools logs every subset at INFO
    call_command("migrate", verbosity=0)
    from confide.disclosures import services
    from confide.disclosures.models import DisclosureProfile
    from confide.records import services as records
    from confide.testing import actor, build_world

    world = build_world()
    DisclosureProfile.objects.create(
        agency=world.agency_a,
        jurisdiction_state="CA",
        entity_type="hipaa_covered_provider",
        updated_by=world.admin_a,
    )
    worker = actor(world.worker_a)
    case = world.client_a.cases.first()
    assert case is not None
    for i in range(PACKET_NOTES):
        note = records.note_create(
            actor=worker,
            case_id=case.id,
            kind="progress",
            body=f"{NOTE_TEXT} (visit {i})",
            labels=[],
            occurred_on=date(2025, 1, 1) + (date(2025, 1, 2) - date(2025, 1, 1)) * (i % 300),
        )
        records.note_sign(actor=worker, note_id=note.id, expected_version=note.version)
    request = services.request_create(
        actor=worker,
        client_id=world.client_a.id,
        data=services.RequestInput(
            recipient="Riverside Clinic",
            recipient_type="health_care_provider",
            purpose="treatment",
            description="Continuity of care",
            categories=["general"],
            date_from=date(2025, 1, 1),
            date_to=date(2025, 12, 31),
        ),
    )
    return worker, request, world


def _packet() -> None:
    worker, request, world = _packet_setup()
    from confide.crypto.envelope import client_key
    from confide.disclosures import packets, release
    from confide.disclosures.models import Redaction, ReleasePacket
    from confide.records.models import Note

    def build() -> float:
        start = time.perf_counter()
        packets.packet_build(actor=worker, request_id=request.id)
        return time.perf_counter() - start

    cold = build()
    builds = [build() for _ in range(RUNS)]
    packet = ReleasePacket.objects.get(request_id=request.id)
    proposals = Redaction.objects.filter(packet=packet)
    packets.redactions_decide(
        actor=worker, packet_id=packet.id, choices={str(r.id): "accepted" for r in proposals}
    )

    def release_once() -> float:
        start = time.perf_counter()
        done = release.release(
            actor=worker,
            request_id=request.id,
            method="print",
            notice=release.Notice(exception="client_is_recipient", reason="Benchmark."),
        )
        assert done.pdf is not None
        return time.perf_counter() - start

    releases = [release_once() for _ in range(RUNS)]
    notes = list(Note.objects.filter(client=world.client_a))

    def bare() -> float:
        start = time.perf_counter()
        key = client_key(world.client_a.id)
        for note in notes:
            key.decrypt_text("records_note.body", note.id, note.body_enc)
        return time.perf_counter() - start

    baseline = statistics.median(bare() for _ in range(RUNS))
    build_s, release_s = statistics.median(builds), statistics.median(releases)
    total = build_s + release_s
    print(
        f"release packet, {len(packet.note_ids)} notes, {proposals.count()} redactions: "
        f"build {build_s * 1000:.0f} ms (cold {cold * 1000:.0f} ms, Presidio loading), "
        f"release as PDF {release_s * 1000:.0f} ms, total {total * 1000:.0f} ms"
    )
    print(
        f"ratios: total / 2 s target = {total / PACKET_TARGET_SECONDS:.2f}; "
        f"total / bare decryption of the same notes ({baseline * 1000:.1f} ms) = "
        f"{total / baseline:.0f}x; "
        f"{'within' if total <= PACKET_TARGET_SECONDS else 'OVER'} target"
    )


def main() -> int:
    if "--packet-only" not in sys.argv:
        status = _engine()
        if status:
            return status
    if "--skip-packet" not in sys.argv:
        _packet()
    return 0


def _engine() -> int:
    if not SCENARIOS.exists():
        print(f"scenarios not found: {SCENARIOS}")
        return 1
    lines = [line for line in SCENARIOS.read_text(encoding="utf-8").splitlines() if line.strip()]
    full, bare = _in_process(lines)
    print(f"in process: {full:,.0f} parse+evaluate/s, {bare:,.0f} evaluate/s ({len(lines)} facts)")
    if not CONFIDE.exists():
        print(f"{CONFIDE} missing: install the package in the venv to time the command line")
        return 0
    per_call, throughput = _cli(lines)
    print(
        f"command line: {per_call * 1000:.0f} ms per invocation on {len(lines)} lines "
        f"({len(lines) / per_call:,.0f} evaluations/s including start-up); "
        f"{throughput:,.0f} evaluations/s on {len(lines) * REPEAT} lines"
    )
    print(
        f"ratios: in-process is {full / throughput:.1f}x the command line's steady throughput "
        f"and {full * per_call / len(lines):.1f}x a single invocation"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
