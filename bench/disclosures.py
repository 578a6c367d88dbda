"""Benchmark: disclosure decisions per second, through the real command line and in process.

Run with `.venv/bin/python bench/disclosures.py`. It feeds shared/scenarios/disclosures-public.jsonl
to `.venv/bin/confide disclosure evaluate` (once as is, to time a whole invocation, and once
repeated to a few thousand lines, to time steady throughput), then times `parse_facts` +
`evaluate` in this process, and prints the figures and their ratios measured in this one run.

The release-packet timing (building and digesting a scope-limited packet for a decided
disclosure) will be added here with the disclosure workflow.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

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


def main() -> int:
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
