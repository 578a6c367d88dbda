"""The ledger's Merkle tree in the database: stored subtree hashes plus the events themselves.

Leaf i is event i + 1, hashed `SHA-256(0x00 || bytes of the event's hash)`. Every perfect subtree
of 16 leaves, of 16 of those, and so on (levels 4, 8, 12, ...) is stored once in
`ledger_merkle_node` when the checkpointer extends the tree: one row per 15 events, 32 bytes of
hash each. A subtree at another level is computed from at most 8 stored nodes (or events) of the
stored level below it. So a proof at a million events reads about 16 events and 16 nodes at each
of four stored levels, in one query, and hashes about 150 times.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterator

from django.db import connection

from confide.ledger import merkle
from confide.ledger.merkle import NodeKey

TILE = 4  # stored levels are the multiples of TILE
EXTEND_CHUNK = 1024  # stored nodes computed per query while extending


class TreeIncomplete(merkle.ProofError):
    """An event or stored node the tree needs is missing."""


def _leaf(event_hash: str) -> bytes:
    return merkle.leaf_hash(bytes.fromhex(event_hash))


def base_level(level: int) -> int:
    return level - level % TILE


def _merge(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for begin, end in sorted(ranges):
        if merged and begin <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((begin, end))
    return merged


def read_level(level: int, begin: int, end: int) -> list[bytes]:
    """Hashes at `level` for indexes [begin, end): leaf hashes from events at level 0."""
    with connection.cursor() as cursor:
        if level == 0:
            cursor.execute(
                "SELECT seq, hash FROM ledger_event WHERE seq > %s AND seq <= %s ORDER BY seq",
                [begin, end],
            )
            rows = cursor.fetchall()
            first, what = begin + 1, "event"
        else:
            cursor.execute(
                "SELECT idx, hash FROM ledger_merkle_node "
                "WHERE level = %s AND idx >= %s AND idx < %s ORDER BY idx",
                [level, begin, end],
            )
            rows = cursor.fetchall()
            first, what = begin, f"stored node at level {level}"
    if len(rows) != end - begin:
        present = {row[0] for row in rows}
        missing = next(i for i in range(first, first + end - begin) if i not in present)
        raise TreeIncomplete(f"{what} {missing} is missing")
    if level == 0:
        return [_leaf(digest) for _, digest in rows]
    return [bytes.fromhex(digest) for _, digest in rows]


def _range_select(level: int, begin: int, end: int) -> tuple[str, list[int]]:
    if level == 0:
        return (
            "SELECT 0, seq - 1, hash FROM ledger_event WHERE seq > %s AND seq <= %s",
            [begin, end],
        )
    return (
        "SELECT level, idx, hash FROM ledger_merkle_node "
        "WHERE level = %s AND idx >= %s AND idx < %s",
        [level, begin, end],
    )


def read_ranges(wanted: dict[int, list[tuple[int, int]]]) -> dict[int, dict[int, bytes]]:
    """Hashes of every (level, [begin, end)) asked for, in one query; TreeIncomplete if any
    event or stored node is missing."""
    parts, params = [], []
    for level, ranges in wanted.items():
        for begin, end in _merge(ranges):
            sql, args = _range_select(level, begin, end)
            parts.append(sql)
            params += args
    found: dict[int, dict[int, bytes]] = {level: {} for level in wanted}
    if not parts:
        return found
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        for level, index, digest in cursor.fetchall():
            raw = bytes.fromhex(digest)
            found[level][index] = merkle.leaf_hash(raw) if level == 0 else raw
    for level, ranges in wanted.items():
        for begin, end in ranges:
            missing = next((i for i in range(begin, end) if i not in found[level]), None)
            if missing is not None:
                what = f"event {missing + 1}" if level == 0 else f"node {missing} of level {level}"
                raise TreeIncomplete(f"the tree needs {what}, which is missing")
    return found


class LedgerTree:
    """The NodeSource of the ledger: answers perfect subtrees from stored nodes and events."""

    def perfect_many(self, keys: Collection[NodeKey]) -> dict[NodeKey, bytes]:
        wanted: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for level, index in keys:
            base = base_level(level)
            shift = level - base
            wanted[base].append((index << shift, (index + 1) << shift))
        fetched = read_ranges(wanted)
        found: dict[NodeKey, bytes] = {}
        for level, index in keys:
            base = base_level(level)
            shift = level - base
            start = index << shift
            hashes = [fetched[base][i] for i in range(start, start + (1 << shift))]
            found[(level, index)] = merkle.perfect_root(hashes)
        return found


def stored_count(level: int) -> int:
    """How many perfect subtrees of `level` are stored (they are stored left to right)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COALESCE(MAX(idx) + 1, 0) FROM ledger_merkle_node WHERE level = %s", [level]
        )
        row = cursor.fetchone()
    return int(row[0]) if row else 0


def stored_nodes() -> Iterator[tuple[int, int, str]]:
    """Every stored node as (level, index, hex hash), by level then index."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT level, idx, hash FROM ledger_merkle_node ORDER BY level, idx")
        while rows := cursor.fetchmany(5000):
            yield from ((int(level), int(idx), str(digest)) for level, idx, digest in rows)


def extend(size: int) -> int:
    """Store every perfect subtree at a stored level that lies inside the first `size` events.

    Run by the checkpointer only, under its lock, in its transaction. Returns the nodes added.
    """
    added = 0
    level = TILE
    while size >> level:
        have, want = stored_count(level), size >> level
        for start in range(have, want, EXTEND_CHUNK):
            stop = min(start + EXTEND_CHUNK, want)
            base = read_level(level - TILE, start << TILE, stop << TILE)
            width = 1 << TILE
            rows = [
                (level, start + i, merkle.perfect_root(base[i * width : (i + 1) * width]).hex())
                for i in range(stop - start)
            ]
            with connection.cursor() as cursor:
                cursor.executemany(
                    "INSERT INTO ledger_merkle_node (level, idx, hash) VALUES (%s, %s, %s)", rows
                )
            added += len(rows)
        level += TILE
    return added
