"""Blind indexes for exact lookups over encrypted fields (CipherSweet's design).

Keys. A blind-index root key is generated per version and stored only wrapped by the key
provider's KEK (table crypto_index_key). Each (index, agency) pair has its own key, derived from
the root with HKDF-SHA256 (info `confide:blind-index:<index>:<agency>`), so values of one index
or agency say nothing about another.

Values. HMAC-SHA256 of the normalized parts (joined by U+001F), truncated to the planned number of
bits. Rows live in crypto_blind_index (client, index, key version, value), looked up through an
index on (agency, index, key version, value).

Planner. With N the expected clients per agency (CONFIDE_BLIND_INDEX_POPULATION), F the target
number of false positives per lookup (CONFIDE_BLIND_INDEX_FALSE_POSITIVES) and D the number of
possible plaintexts when it is small (phone last four digits: 10,000):

    bits = clamp(floor(log2(N / F)), 1, 32), then at most floor(log2(D / 2)) when D is known

so that about N / 2**bits rows (between F and 2F) share each value: a lookup returns a few
candidates that the caller filters after decryption, and no value pins one client (nor, for a
small domain, one plaintext). The plan is fixed per key version; a new plan takes effect with the
next blind-index key rotation, which recomputes every row.

What this leaks (equality and frequency of truncated values) is written in docs/threat-model.md.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from confide.crypto.envelope import new_data_key
from confide.crypto.models import BlindIndexRow, IndexKey, IndexKeyState
from confide.crypto.providers import KeyProvider, ProviderError, UnwrapFailed, get_provider

NAME_DOB = "client_name_dob"
PHONE_LAST4 = "client_phone_last4"
IDENTIFIER = "client_identifier"

# Index name -> number of possible plaintexts when small enough to matter (else None).
INDEXES: dict[str, int | None] = {NAME_DOB: None, PHONE_LAST4: 10_000, IDENTIFIER: None}
MAX_BITS = 32

IndexValues = Mapping[str, Sequence[Sequence[str]]]


class IndexKeyError(RuntimeError):
    """A blind-index root key is missing or does not unwrap."""


def plan_bits(population: int, false_positives: float, domain: int | None = None) -> int:
    """The truncated length: about `false_positives` other rows share each value (see above)."""
    if population < 1 or false_positives <= 0:
        raise ValueError("population must be >= 1 and false positives > 0")
    bits = math.floor(math.log2(max(population / false_positives, 2)))
    if domain is not None:
        bits = min(bits, math.floor(math.log2(max(domain / 2, 2))))
    return max(1, min(MAX_BITS, bits))


def current_plan() -> dict[str, int]:
    population = settings.CONFIDE_BLIND_INDEX_POPULATION
    fp = settings.CONFIDE_BLIND_INDEX_FALSE_POSITIVES
    return {name: plan_bits(population, fp, domain) for name, domain in INDEXES.items()}


def normalize(text: str) -> str:
    """Case-, width- and space-insensitive form used for exact matching (accents are kept)."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(folded.split())


def index_key_aad(version: int, kek_version: int) -> bytes:
    return f"confide:index-key:{version}:{kek_version}".encode()


@dataclass(frozen=True)
class IndexVersion:
    """One unwrapped blind-index root key and its plan, for one operation."""

    version: int
    state: str
    root: bytes
    bits: dict[str, int]

    def key(self, index_name: str, agency_id: UUID) -> bytes:
        info = f"confide:blind-index:{index_name}:{agency_id}".encode()
        return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(self.root)

    def value(self, index_name: str, agency_id: UUID, parts: Sequence[str]) -> int:
        return self.value_with(self.key(index_name, agency_id), index_name, parts)

    def value_with(self, key: bytes, index_name: str, parts: Sequence[str]) -> int:
        message = "\x1f".join(normalize(part) for part in parts).encode()
        digest = hmac.new(key, message, hashlib.sha256).digest()
        return int.from_bytes(digest[:8], "big") >> (64 - self.bits[index_name])

    def rows(self, client_id: UUID, agency_id: UUID, values: IndexValues) -> list[BlindIndexRow]:
        rows: list[BlindIndexRow] = []
        for name, entries in values.items():
            key = self.key(name, agency_id)
            distinct = {self.value_with(key, name, parts) for parts in entries}
            rows.extend(
                BlindIndexRow(
                    agency_id=agency_id,
                    client_id=client_id,
                    index_name=name,
                    key_version=self.version,
                    value=value,
                )
                for value in sorted(distinct)
            )
        return rows


def unwrap_index_key(provider: KeyProvider, row: IndexKey) -> IndexVersion:
    try:
        root = provider.unwrap(
            row.kek_version,
            bytes(row.wrapped_key),
            index_key_aad(row.version, row.kek_version),
        )
    except (UnwrapFailed, ProviderError):
        raise IndexKeyError(f"blind-index key version {row.version} does not unwrap") from None
    return IndexVersion(row.version, row.state, root, {**current_plan(), **row.bits})


def create_index_key(provider: KeyProvider, version: int, state: IndexKeyState) -> IndexKey:
    kek_version = provider.active_version()
    return IndexKey.objects.create(
        version=version,
        state=state,
        kek_version=kek_version,
        wrapped_key=provider.wrap(kek_version, new_data_key(), index_key_aad(version, kek_version)),
        bits=current_plan(),
    )


def _key_rows(provider: KeyProvider) -> list[IndexKey]:
    """The index key rows, active first; the first call on a new installation creates version 1
    (active)."""
    rows = list(IndexKey.objects.order_by("version"))
    if not rows:
        try:
            with transaction.atomic():
                create_index_key(provider, 1, IndexKeyState.ACTIVE)
        except IntegrityError:
            pass  # another process created it first
        rows = list(IndexKey.objects.order_by("version"))
    rows.sort(key=lambda r: r.state != IndexKeyState.ACTIVE)
    return rows


def live_versions(provider: KeyProvider | None = None) -> list[IndexVersion]:
    """The active version first, then the one being built by a rotation, if any."""
    provider = provider or get_provider()
    return [unwrap_index_key(provider, row) for row in _key_rows(provider)]


def active_version(provider: KeyProvider | None = None) -> IndexVersion:
    """The version lookups use (only it is unwrapped)."""
    provider = provider or get_provider()
    return unwrap_index_key(provider, _key_rows(provider)[0])


def set_client_rows(client_id: UUID, agency_id: UUID, values: IndexValues) -> None:
    """Replace the client's index rows, under every live key version, in the caller's
    transaction (services call it whenever an indexed field is written)."""
    rows = [
        row for version in live_versions() for row in version.rows(client_id, agency_id, values)
    ]
    BlindIndexRow.objects.filter(client_id=client_id).delete()
    BlindIndexRow.objects.bulk_create(rows)


def candidates(
    agency_id: UUID, index_name: str, parts: Sequence[str]
) -> QuerySet[BlindIndexRow, Any]:
    """Client ids (a subquery) whose row under the active key matches: true matches plus the
    planned false positives, which the caller removes after decryption."""
    version = active_version()
    return BlindIndexRow.objects.filter(
        agency_id=agency_id,
        index_name=index_name,
        key_version=version.version,
        value=version.value(index_name, agency_id, parts),
    ).values("client_id")
