"""RFC 9162 Merkle tree hashing, proofs and their verification (no Django, no I/O).

Leaves are hashed `SHA-256(0x00 || leaf)`, interior nodes `SHA-256(0x01 || left || right)`; a tree
of n leaves splits at the largest power of two smaller than n (RFC 9162, section 2.1.1).

Proofs are built from *perfect* subtrees: `(level, index)` names the complete subtree of
`2**level` leaves starting at leaf `index * 2**level`. Every hash an RFC 9162 proof needs is
either such a subtree or the right edge of one (which folds a few of them), so a store that can
produce perfect subtrees (`NodeSource`) serves every root and proof. The layouts below follow the
RFC's recursive definitions (`PATH`, `SUBPROOF`) step for step; verification is the RFC's
iterative algorithms (sections 2.1.3.2 and 2.1.4.2).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Collection, Iterable, Sequence
from typing import Protocol

HASH_SIZE = 32
LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"
EMPTY_ROOT = hashlib.sha256(b"").digest()

NodeKey = tuple[int, int]  # (level, index): leaves [index << level, (index + 1) << level)
Range = tuple[int, int]  # [begin, end) in leaf positions

_sha256 = hashlib.sha256


class ProofError(ValueError):
    """A proof was asked for sizes or indexes that do not exist in the tree."""


def leaf_hash(leaf: bytes) -> bytes:
    return _sha256(LEAF_PREFIX + leaf).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return _sha256(NODE_PREFIX + left + right).digest()


def split_point(width: int) -> int:
    """The largest power of two strictly smaller than `width` (width >= 2)."""
    return 1 << ((width - 1).bit_length() - 1)


def perfect_root(hashes: Sequence[bytes]) -> bytes:
    """The root over a power-of-two number of node hashes (pairwise, level by level)."""
    level = list(hashes)
    while len(level) > 1:
        level = [node_hash(level[i], level[i + 1]) for i in range(0, len(level), 2)]
    return level[0]


def root_of(leaf_hashes: Sequence[bytes]) -> bytes:
    """MTH over already-hashed leaves, in one pass (the stack of a compact range)."""
    compact = CompactRange()
    for digest in leaf_hashes:
        compact.append(digest)
    return compact.root()


class CompactRange:
    """The perfect subtrees covering leaves [0, size): what a streaming hasher needs to keep.

    `append` takes leaf *hashes*; `on_node(level, index, hash)` (optional) is told of every
    perfect subtree completed at a level listed in `report_levels`.
    """

    __slots__ = ("_leaves", "_on_node", "_report", "nodes", "size")

    def __init__(
        self,
        on_node: Callable[[int, int, bytes], None] | None = None,
        report_levels: Collection[int] = (),
    ) -> None:
        self.size = 0
        self.nodes: list[bytes] = []  # hashes of the perfect subtrees, largest first
        self._on_node = on_node
        self._report = frozenset(report_levels) if on_node is not None else frozenset()
        self._leaves = 0 in self._report

    def append(self, digest: bytes) -> None:
        nodes, size = self.nodes, self.size
        if self._leaves and self._on_node is not None:
            self._on_node(0, size, digest)
        level = 0
        while size & 1:
            digest = _sha256(NODE_PREFIX + nodes.pop() + digest).digest()
            size >>= 1
            level += 1
            if level in self._report and self._on_node is not None:
                self._on_node(level, size, digest)
        nodes.append(digest)
        self.size += 1

    def root(self) -> bytes:
        if not self.nodes:
            return EMPTY_ROOT
        digest = self.nodes[-1]
        for left in reversed(self.nodes[:-1]):
            digest = node_hash(left, digest)
        return digest


# --- proof layouts: which subtree hashes a proof carries --------------------------------------


def inclusion_ranges(index: int, size: int) -> list[Range]:
    """PATH(m, D[n]) of RFC 9162 as leaf ranges, bottom-up (the order of the proof)."""
    if not 0 <= index < size:
        raise ProofError(f"leaf {index} is not in a tree of {size}")
    ranges: list[Range] = []
    begin, end = 0, size
    while end - begin > 1:
        k = split_point(end - begin)
        if index < begin + k:
            ranges.append((begin + k, end))
            end = begin + k
        else:
            ranges.append((begin, begin + k))
            begin += k
    ranges.reverse()
    return ranges


def consistency_ranges(old_size: int, new_size: int) -> list[Range]:
    """PROOF(m, D[n]) of RFC 9162 (via SUBPROOF) as leaf ranges, in the order of the proof."""
    if not 0 <= old_size <= new_size:
        raise ProofError(f"no consistency proof from {old_size} to {new_size}")
    if old_size in (0, new_size):
        return []
    ranges: list[Range] = []
    begin, end, m, complete = 0, new_size, old_size, True
    while m != end - begin:
        k = split_point(end - begin)
        if m <= k:
            ranges.append((begin + k, end))
            end = begin + k
        else:
            ranges.append((begin, begin + k))
            begin += k
            m -= k
            complete = False
    if not complete:
        ranges.append((begin, end))
    ranges.reverse()
    return ranges


def range_nodes(begin: int, end: int) -> list[NodeKey]:
    """The perfect subtrees, left to right, whose fold is MTH(D[begin:end]).

    Valid for the ranges of RFC 9162 proofs and roots: `begin` is a multiple of the largest power
    of two not above `end - begin`, so the binary decomposition of the width is aligned.
    """
    keys: list[NodeKey] = []
    position, width = begin, end - begin
    for level in range(width.bit_length() - 1, -1, -1):
        if width >> level & 1:
            if position & ((1 << level) - 1):
                raise ProofError(f"range [{begin}, {end}) is not aligned")
            keys.append((level, position >> level))
            position += 1 << level
    return keys


def fold(hashes: Sequence[bytes]) -> bytes:
    """MTH of a range from its perfect subtrees (left to right): right-to-left node hashing."""
    digest = hashes[-1]
    for left in reversed(hashes[:-1]):
        digest = node_hash(left, digest)
    return digest


class NodeSource(Protocol):
    """Anything that can produce the hashes of perfect subtrees (a list, a database store)."""

    def perfect_many(self, keys: Collection[NodeKey]) -> dict[NodeKey, bytes]: ...


def ranges_hashes(source: NodeSource, ranges: Iterable[Range]) -> list[bytes]:
    """MTH of each range, with one batched request to the source."""
    plans = [range_nodes(begin, end) for begin, end in ranges]
    found = source.perfect_many({key for plan in plans for key in plan})
    return [fold([found[key] for key in plan]) for plan in plans]


def root_at(source: NodeSource, size: int) -> bytes:
    if size == 0:
        return EMPTY_ROOT
    return ranges_hashes(source, [(0, size)])[0]


def inclusion_proof(source: NodeSource, index: int, size: int) -> list[bytes]:
    return ranges_hashes(source, inclusion_ranges(index, size))


def consistency_proof(source: NodeSource, old_size: int, new_size: int) -> list[bytes]:
    return ranges_hashes(source, consistency_ranges(old_size, new_size))


class LeafList:
    """A NodeSource over leaf hashes held in memory (tests, small trees, verifiers)."""

    def __init__(self, leaf_hashes: Sequence[bytes]) -> None:
        self.leaves = leaf_hashes

    def perfect_many(self, keys: Collection[NodeKey]) -> dict[NodeKey, bytes]:
        found: dict[NodeKey, bytes] = {}
        for level, index in keys:
            begin, end = index << level, (index + 1) << level
            if end > len(self.leaves):
                raise ProofError(f"subtree ({level}, {index}) is beyond the tree")
            found[(level, index)] = perfect_root(self.leaves[begin:end])
        return found


# --- verification (RFC 9162 sections 2.1.3.2 and 2.1.4.2) -------------------------------------


def _well_formed(*hashes: bytes) -> bool:
    return all(isinstance(h, bytes) and len(h) == HASH_SIZE for h in hashes)


def verify_inclusion(
    leaf: bytes, index: int, size: int, path: Sequence[bytes], root: bytes
) -> bool:
    """True when `path` proves that `leaf` (a leaf hash) is leaf `index` of the tree `root`."""
    if not 0 <= index < size or not _well_formed(leaf, root, *path):
        return False
    fn, sn, digest = index, size - 1, leaf
    for sibling in path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            digest = node_hash(sibling, digest)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            digest = node_hash(digest, sibling)
        fn >>= 1
        sn >>= 1
    return sn == 0 and digest == root


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, path: Sequence[bytes]
) -> bool:
    """True when `path` proves the tree `new_root` extends the tree `old_root`."""
    if not 0 <= old_size <= new_size or not _well_formed(old_root, new_root, *path):
        return False
    if old_size == new_size:
        return not path and old_root == new_root
    if old_size == 0:
        return not path and old_root == EMPTY_ROOT
    if not path:
        return False
    nodes = list(path)
    if old_size & (old_size - 1) == 0:  # an exact power of two: the old root starts the path
        nodes.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = nodes[0]
    for node in nodes[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(node, fr)
            sr = node_hash(node, sr)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, node)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == old_root and sr == new_root
