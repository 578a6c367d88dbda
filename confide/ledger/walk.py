"""One pass over every event: the chain check and the Merkle tree, in aligned segments that run
in parallel processes on a large ledger.

A segment is the events (start, end] with `start` a multiple of 2**segment_level. Each is
checked on its own (sequence, links, hashes), except the link of its first event, which the
parent checks against the previous segment's last hash. Each also hashes its leaves into a
compact range of its own: because the segment is aligned, its perfect subtrees are the tree's,
and it reports those the caller wants (stored levels, consistency proof nodes) and copies of its
compact range at checkpoint sizes. The parent folds segment roots into the upper tree and gets
the root at each checkpoint size as (upper perfect subtrees + the segment's copy). Results are
combined strictly in order, so the first problem reported is the first in the ledger.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field

from django.db import connection, connections

from confide.ledger import merkle, tree
from confide.ledger.chain import GENESIS_HASH
from confide.ledger.merkle import CompactRange, NodeKey
from confide.ledger.scan import ChainScan, read_rows

SEGMENT_LEVEL = 16  # segments of 65,536 events
STORED_LEVELS = frozenset(range(tree.TILE, 64, tree.TILE))
MAX_WORKERS = 4


@dataclass
class Segment:
    """What one segment's check found (sent back from a worker process)."""

    start: int
    end: int
    checked: int
    first_seq: int | None
    first_prev: str | None
    last_hash: str | None
    problem: str
    bad_seq: int | None
    nodes: dict[NodeKey, bytes]
    snapshots: dict[int, list[bytes]]
    root: bytes | None  # the segment's root, when it is complete


@dataclass(frozen=True)
class Job:
    start: int
    end: int
    level: int
    wanted: frozenset[NodeKey]
    targets: frozenset[int]
    with_tree: bool


def _levels(leaves: list[bytes]) -> list[list[bytes]]:
    """Every perfect subtree of a segment, level by level (level 0: the leaves)."""
    sha256, prefix = hashlib.sha256, merkle.NODE_PREFIX
    levels = [leaves]
    while len(levels[-1]) > 1:
        below = levels[-1]
        levels.append(
            [sha256(prefix + below[i] + below[i + 1]).digest() for i in range(0, len(below) - 1, 2)]
        )
    return levels


def check_segment(job: Job) -> Segment:
    start = job.start
    scan = ChainScan(expected=start + 1, prev_hash=None, leaves=[] if job.with_tree else None)
    vendor, first_seq = connection.vendor, None
    for rows in read_rows(start, job.end):
        first_seq = rows[0][0] if first_seq is None else first_seq
        if not scan.feed(rows, vendor):
            break
    nodes: dict[NodeKey, bytes] = {}
    snapshots: dict[int, list[bytes]] = {}
    root = None
    if scan.leaves is not None:
        levels = _levels(scan.leaves)

        def local(level: int, index: int) -> bytes | None:
            row = levels[level] if level < len(levels) else []
            return row[index] if 0 <= index < len(row) else None

        for level in STORED_LEVELS:
            for index, digest in enumerate(levels[level] if level < len(levels) else []):
                nodes[(level, index + (start >> level))] = digest
        for level, index in job.wanted:
            found = local(level, index - (start >> level))
            if found is not None:
                nodes[(level, index)] = found
        for size in job.targets:
            if size <= scan.checked:
                keys = merkle.range_nodes(0, size - start)
                snapshots[size] = [levels[level][index] for level, index in keys]
        if len(scan.leaves) == 1 << job.level:
            root = levels[job.level][0]
    return Segment(
        start=start,
        end=job.end,
        checked=scan.checked,
        first_seq=first_seq,
        first_prev=scan.first_prev,
        last_hash=scan.prev_hash,
        problem=scan.problem,
        bad_seq=scan.bad_seq,
        nodes=nodes,
        snapshots=snapshots,
        root=root,
    )


def _worker_job(job: Job) -> Segment:
    return check_segment(job)


def _in_order(jobs: list[Job], workers: int) -> Iterator[Segment]:
    """Segment results in ledger order; in worker processes when it pays and is possible."""
    if workers <= 1 or len(jobs) < 2 or connection.in_atomic_block:
        yield from (check_segment(job) for job in jobs)
        return
    connections.close_all()  # forked workers must open their own connections
    context = multiprocessing.get_context("fork")
    with context.Pool(min(workers, len(jobs))) as pool:
        yield from pool.imap(_worker_job, jobs)


def default_workers() -> int:
    return max(1, min(MAX_WORKERS, os.cpu_count() or 1))


def last_seq() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(seq), 0) FROM ledger_event")
        row = cursor.fetchone()
    return int(row[0]) if row else 0


@dataclass
class Walk:
    """The pass's outcome. `on_target(size, root)` is asked at each target size, in order, and
    may stop the walk by returning a problem; `nodes` holds the wanted and stored-level subtree
    hashes seen so far (for consistency proofs and the stored tree check)."""

    targets: Collection[int] = ()
    wanted: Collection[NodeKey] = ()
    with_tree: bool = True
    on_target: Callable[[int, bytes], str] | None = None
    segment_level: int = SEGMENT_LEVEL
    nodes: dict[NodeKey, bytes] = field(default_factory=dict)
    checked: int = 0
    last_hash: str = GENESIS_HASH
    problem: str = ""
    bad_seq: int | None = None

    def run(self, progress: Callable[[int, int], None] | None = None, workers: int = 1) -> None:
        end = last_seq()
        total = self._count()
        size = 1 << self.segment_level
        jobs = [self._job(start, min(start + size, end)) for start in range(0, end, size)]
        upper = CompactRange(self._on_upper, range(1, 64))
        for segment in _in_order(jobs, workers):
            if not self._combine(segment, upper):
                return
            if progress:
                progress(self.checked, total)

    def _count(self) -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM ledger_event")
            row = cursor.fetchone()
        return int(row[0]) if row else 0

    def _job(self, start: int, end: int) -> Job:
        level = self.segment_level
        wanted = frozenset(
            (lv, i) for lv, i in self.wanted if lv <= level and start <= i << lv < end
        )
        targets = frozenset(t for t in self.targets if start < t <= end)
        return Job(start, end, level, wanted, targets, self.with_tree)

    def _on_upper(self, level: int, index: int, digest: bytes) -> None:
        key = (level + self.segment_level, index)
        if key[0] in STORED_LEVELS or key in self.wanted:
            self.nodes[key] = digest

    def _stop(self, seq: int, problem: str, checked: int) -> bool:
        self.bad_seq, self.problem, self.checked = seq, problem, checked
        return False

    def _combine(self, segment: Segment, upper: CompactRange) -> bool:
        start, expected = segment.start, self.checked + 1
        if segment.first_seq is None:
            return True  # no event in this segment: the next one found shows the gap
        if segment.first_seq != expected:
            problem = f"expected event {expected} next, found {segment.first_seq}"
            return self._stop(segment.first_seq, problem + " (missing or reordered)", expected - 1)
        if segment.first_prev != self.last_hash:
            return self._stop(expected, "its link to the previous event is broken", expected - 1)
        self.nodes.update(segment.nodes)
        appended = False
        for size in sorted(t for t in self.targets if start < t <= segment.checked):
            if segment.root is not None and size == segment.end:
                upper.append(segment.root)
                appended = True
                root = upper.root()
            else:
                root = merkle.fold([*upper.nodes, *segment.snapshots[size]])
            problem = self.on_target(size, root) if self.on_target else ""
            if problem:
                return self._stop(size, problem, size)
        if segment.problem:
            assert segment.bad_seq is not None
            return self._stop(segment.bad_seq, segment.problem, segment.checked)
        if segment.root is not None and not appended:
            upper.append(segment.root)
        self.checked, self.last_hash = segment.checked, segment.last_hash or self.last_hash
        return True
