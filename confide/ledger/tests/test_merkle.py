"""RFC 9162 Merkle hashing and proofs, against the RFC's own recursive definitions, the
Certificate Transparency test vectors and an independent implementation (pymerkle)."""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Sequence

import pymerkle  # type: ignore[import-untyped]  # tests only: the independent implementation
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from confide.ledger import merkle
from confide.ledger.merkle import LeafList, ProofError

# --- RFC 9162 section 2.1, written as the RFC writes it ---------------------------------------


def mth(leaves: Sequence[bytes]) -> bytes:
    """MTH(D[n]) over leaf *data*."""
    n = len(leaves)
    if n == 0:
        return hashlib.sha256(b"").digest()
    if n == 1:
        return hashlib.sha256(b"\x00" + leaves[0]).digest()
    k = 1 << ((n - 1).bit_length() - 1)
    return hashlib.sha256(b"\x01" + mth(leaves[:k]) + mth(leaves[k:])).digest()


def rfc_path(m: int, leaves: Sequence[bytes]) -> list[bytes]:
    """PATH(m, D[n])."""
    n = len(leaves)
    if n == 1:
        return []
    k = 1 << ((n - 1).bit_length() - 1)
    if m < k:
        return [*rfc_path(m, leaves[:k]), mth(leaves[k:])]
    return [*rfc_path(m - k, leaves[k:]), mth(leaves[:k])]


def rfc_subproof(m: int, leaves: Sequence[bytes], complete: bool) -> list[bytes]:
    """SUBPROOF(m, D[n], b)."""
    n = len(leaves)
    if m == n:
        return [] if complete else [mth(leaves)]
    k = 1 << ((n - 1).bit_length() - 1)
    if m <= k:
        return [*rfc_subproof(m, leaves[:k], complete), mth(leaves[k:])]
    return [*rfc_subproof(m - k, leaves[k:], False), mth(leaves[:k])]


def data(count: int) -> list[bytes]:
    return [hashlib.sha256(i.to_bytes(4, "big")).digest() for i in range(count)]


def hashed(leaves: Sequence[bytes]) -> LeafList:
    return LeafList([merkle.leaf_hash(leaf) for leaf in leaves])


# --- Certificate Transparency vectors (RFC 6962 hashing is RFC 9162's) ------------------------

CT_DATA = ["", "00", "10", "2021", "3031", "40414243", "5051525354555657"]
CT_LEAVES = [bytes.fromhex(h) for h in [*CT_DATA, "606162636465666768696a6b6c6d6e6f"]]
CT_ROOTS = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
CT_INCLUSION = {
    (0, 8): [
        "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ],
    (5, 8): [
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    ],
}
CT_CONSISTENCY = {
    (2, 8): [
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ],
    (6, 8): [
        "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    ],
}


def test_roots_match_the_certificate_transparency_vectors() -> None:
    source = hashed(CT_LEAVES)
    for size, expected in enumerate(CT_ROOTS):
        assert merkle.root_at(source, size).hex() == expected
        assert merkle.root_of(source.leaves[:size]).hex() == expected


@pytest.mark.parametrize(("index", "size"), list(CT_INCLUSION))
def test_inclusion_proofs_match_the_vectors(index: int, size: int) -> None:
    source = hashed(CT_LEAVES)
    proof = merkle.inclusion_proof(source, index, size)
    assert [node.hex() for node in proof] == CT_INCLUSION[(index, size)]
    root = bytes.fromhex(CT_ROOTS[size])
    assert merkle.verify_inclusion(source.leaves[index], index, size, proof, root)


@pytest.mark.parametrize(("old", "new"), list(CT_CONSISTENCY))
def test_consistency_proofs_match_the_vectors(old: int, new: int) -> None:
    proof = merkle.consistency_proof(hashed(CT_LEAVES), old, new)
    assert [node.hex() for node in proof] == CT_CONSISTENCY[(old, new)]
    old_root, new_root = bytes.fromhex(CT_ROOTS[old]), bytes.fromhex(CT_ROOTS[new])
    assert merkle.verify_consistency(old, new, old_root, new_root, proof)


# --- every shape of tree, against the RFC's recursion -----------------------------------------

LEAVES = data(70)


def test_roots_equal_mth_for_every_size() -> None:
    source = hashed(LEAVES)
    for size in range(len(LEAVES) + 1):
        assert merkle.root_at(source, size) == mth(LEAVES[:size])


def test_inclusion_proofs_equal_path_and_verify_for_every_leaf() -> None:
    source = hashed(LEAVES)
    for size in range(1, 40):
        root = mth(LEAVES[:size])
        for index in range(size):
            proof = merkle.inclusion_proof(source, index, size)
            assert proof == rfc_path(index, LEAVES[:size])
            assert merkle.verify_inclusion(source.leaves[index], index, size, proof, root)


def test_consistency_proofs_equal_subproof_and_verify_for_every_pair() -> None:
    source = hashed(LEAVES)
    for new in range(1, 40):
        for old in range(1, new + 1):
            proof = merkle.consistency_proof(source, old, new)
            assert proof == (rfc_subproof(old, LEAVES[:new], True) if old < new else [])
            assert merkle.verify_consistency(old, new, mth(LEAVES[:old]), mth(LEAVES[:new]), proof)


def test_the_compact_range_reports_each_perfect_subtree_once() -> None:
    seen: dict[tuple[int, int], bytes] = {}

    def remember(level: int, index: int, digest: bytes) -> None:
        assert (level, index) not in seen
        seen[(level, index)] = digest

    compact = merkle.CompactRange(remember, range(8))
    for leaf in hashed(LEAVES).leaves:
        compact.append(leaf)
    expected = merkle.LeafList(hashed(LEAVES).leaves).perfect_many(list(seen))
    assert seen == expected
    assert len([key for key in seen if key[0] == 0]) == len(LEAVES)
    assert compact.root() == mth(LEAVES)


# --- tampered proofs are refused --------------------------------------------------------------


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_a_changed_inclusion_proof_never_verifies(draw: st.DataObject) -> None:
    size = draw.draw(st.integers(2, len(LEAVES)))
    index = draw.draw(st.integers(0, size - 1))
    source = hashed(LEAVES)
    proof = merkle.inclusion_proof(source, index, size)
    root, leaf = mth(LEAVES[:size]), source.leaves[index]
    change = draw.draw(st.sampled_from(["flip", "drop", "extend", "index", "size", "leaf"]))
    at = draw.draw(st.integers(0, len(proof) - 1))
    bit = draw.draw(st.integers(0, 255))
    if change == "flip":
        node = bytearray(proof[at])
        node[bit // 8] ^= 1 << (bit % 8)
        proof[at] = bytes(node)
    elif change == "drop":
        del proof[at]
    elif change == "extend":
        proof.append(bytes(32))
    elif change == "leaf":
        leaf = source.leaves[(index + 1) % size]
    elif change == "index":
        index = (index + draw.draw(st.integers(1, size - 1))) % size
    else:  # another tree: its size comes with its own root (both are in its checkpoint)
        size = draw.draw(st.integers(1, len(LEAVES)).filter(lambda s: s != size))
        root = mth(LEAVES[:size])
    assert not merkle.verify_inclusion(leaf, index, size, proof, root)


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_a_changed_consistency_proof_never_verifies(draw: st.DataObject) -> None:
    new = draw.draw(st.integers(3, len(LEAVES)))
    old = draw.draw(st.integers(1, new - 1))
    proof = merkle.consistency_proof(hashed(LEAVES), old, new)
    old_root, new_root = mth(LEAVES[:old]), mth(LEAVES[:new])
    change = draw.draw(st.sampled_from(["flip", "drop", "extend", "old_root", "new_root"]))
    at = draw.draw(st.integers(0, len(proof) - 1))
    if change == "flip":
        proof[at] = bytes([proof[at][0] ^ 0x80]) + proof[at][1:]
    elif change == "drop":
        del proof[at]
    elif change == "extend":
        proof.append(bytes(32))
    elif change == "old_root":
        old_root = mth(LEAVES[1 : old + 1])
    else:
        new_root = mth([*LEAVES[: new - 1], b"forged"])
    assert not merkle.verify_consistency(old, new, old_root, new_root, proof)


def test_degenerate_consistency_cases() -> None:
    root4, root5 = mth(LEAVES[:4]), mth(LEAVES[:5])
    assert merkle.verify_consistency(4, 4, root4, root4, [])
    assert not merkle.verify_consistency(4, 4, root4, root5, [])
    assert not merkle.verify_consistency(4, 4, root4, root4, [bytes(32)])
    assert merkle.verify_consistency(0, 5, merkle.EMPTY_ROOT, root5, [])
    assert not merkle.verify_consistency(0, 5, root4, root5, [])
    assert not merkle.verify_consistency(5, 4, root5, root4, [])
    assert not merkle.verify_consistency(2, 5, mth(LEAVES[:2]), root5, [])


def test_it_refuses_proofs_outside_the_tree() -> None:
    source = hashed(LEAVES[:8])
    with pytest.raises(ProofError):
        merkle.inclusion_proof(source, 8, 8)
    with pytest.raises(ProofError):
        merkle.inclusion_proof(source, 0, 9)
    with pytest.raises(ProofError):
        merkle.consistency_proof(source, 5, 3)
    assert not merkle.verify_inclusion(source.leaves[0], 0, 8, [], mth(LEAVES[:8]))
    assert not merkle.verify_inclusion(b"short", 0, 1, [], merkle.leaf_hash(LEAVES[0]))


# --- an independent implementation ------------------------------------------------------------


def test_roots_and_proofs_agree_with_pymerkle() -> None:
    count = 67
    tree = pymerkle.InmemoryTree(algorithm="sha256")
    for leaf in LEAVES[:count]:
        tree.append_entry(leaf)
    source = hashed(LEAVES[:count])
    for size in range(1, count + 1):
        assert merkle.root_at(source, size) == tree.get_root(size)
    for size, index in itertools.product((1, 2, 7, 16, 33, 64, 67), range(0, 67, 5)):
        if index >= size:
            continue
        ours = merkle.inclusion_proof(source, index, size)
        theirs = tree.prove_inclusion(index + 1, size)  # pymerkle counts leaves from one
        assert theirs.path[0] == source.leaves[index]
        assert ours == theirs.path[1:]
        pymerkle.verify_inclusion(source.leaves[index], tree.get_root(size), theirs)


def test_our_consistency_proofs_hold_between_pymerkle_roots() -> None:
    tree = pymerkle.InmemoryTree(algorithm="sha256")
    for leaf in LEAVES[:50]:
        tree.append_entry(leaf)
    source = hashed(LEAVES[:50])
    for old, new in itertools.combinations(range(1, 51), 2):
        old_root, new_root = tree.get_root(old), tree.get_root(new)
        proof = merkle.consistency_proof(source, old, new)
        assert merkle.verify_consistency(old, new, old_root, new_root, proof)
        pymerkle.verify_consistency(old_root, new_root, tree.prove_consistency(old, new))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.binary(max_size=40), min_size=1, max_size=90))
def test_random_trees_agree_with_pymerkle(leaves: list[bytes]) -> None:
    tree = pymerkle.InmemoryTree(algorithm="sha256")
    for leaf in leaves:
        tree.append_entry(leaf)
    assert merkle.root_of([merkle.leaf_hash(leaf) for leaf in leaves]) == tree.get_root()
    assert merkle.root_of([merkle.leaf_hash(leaf) for leaf in leaves]) == mth(leaves)
