"""Fast, in-order reading of ledger events as the exact bytes their hashes cover.

`verify` and the checkpointer recompute every event's hash. Building Django model instances and
payload dicts costs more than the hashing itself, so rows are read as text with a raw cursor (the
database formats times, UUIDs and JSON) and the canonical JSON of `chain.event_payload` is written
directly: its thirteen keys are fixed, so their sorted order is too. `canonical_bytes` is tested
against `canonical_json(event_payload(...))` for arbitrary values. On PostgreSQL the next batch
is read while the current one is hashed (`_read_ahead`), so the server's formatting of rows
overlaps Python's hashing.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Generator, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from django.db import connection

from confide.ledger.chain import GENESIS_HASH

HASH_PREFIX = b"confide-ledger-v1\x00"
BATCH = 10_000

# A row is (seq, prev_hash, hash, *parts); the parts depend on the database (see row_bytes).
Row = tuple[Any, ...]

_COLUMNS = {
    "postgresql": (
        # A plain cast is far cheaper for the server than to_char; `_postgres_time` pads it.
        "seq, prev_hash, hash, (occurred_at AT TIME ZONE 'UTC')::text, "
        "agency_id::text, actor_id::text, channel, event_type, subject_type, subject_id, "
        "client_id::text, reason, policy_ids::text, details::text"
    ),
    "sqlite": (
        # CAST: without a declared type, Django's SQLite converters leave the text alone.
        "seq, prev_hash, hash, CAST(occurred_at AS TEXT), agency_id, actor_id, channel, "
        "event_type, subject_type, subject_id, client_id, reason, policy_ids, details"
    ),
}
_NEEDS_ESCAPE = re.compile(r'[\x00-\x1f"\\]')
_json_cache: dict[str, str] = {}
# `core.canonical.canonical_json`'s settings, built once: `json.dumps` with them builds an
# encoder per call, which costs more than the encoding of a small value.
_CANONICAL_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)
_DECODER = json.JSONDecoder()
# Stored JSON whose canonical form is the text without the spaces after its separators: an array
# of strings, or an object of one key whose value is a string or an array of strings (one key:
# the order of keys cannot differ), with no backslash anywhere, so every quote ends or starts a
# string, and no ", " or ": " inside a string (the string ", " alone would read as a separator
# between two quotes), so `", "` and `": "` occur only between its parts. The common shape of
# details and policy ids, canonical without parsing; anything else is parsed.
_JSON_STRING = r'"(?:[^"\\,:]|[,:](?! ))*"'
_JSON_STRINGS = rf"\[(?:{_JSON_STRING}(?:, {_JSON_STRING})*)?\]"
_SPACED_SIMPLE_JSON = re.compile(
    rf"{_JSON_STRINGS}|\{{{_JSON_STRING}: (?:{_JSON_STRING}|{_JSON_STRINGS})\}}"
)


def _string(value: str | None) -> str:
    if value is None:
        return "null"
    if _NEEDS_ESCAPE.search(value) is None:
        return '"' + value + '"'
    return json.dumps(value, ensure_ascii=False)


def _canonical(text: str) -> str:
    """Canonical JSON of a stored JSON value; small repeated values (policy ids) are cached."""
    if text in ("[]", "{}"):
        return text
    cached = _json_cache.get(text)
    if cached is None:
        if _SPACED_SIMPLE_JSON.fullmatch(text) is not None:
            cached = text.replace('", "', '","').replace('": ', '":')
        else:
            cached = _CANONICAL_ENCODER.encode(_DECODER.decode(text))
        if len(text) <= 200 and len(_json_cache) < 10_000:
            _json_cache[text] = cached
    return cached


def canonical_bytes(
    seq: int,
    occurred_at: str,
    agency_id: str | None,
    actor_id: str | None,
    channel: str,
    event_type: str,
    subject_type: str,
    subject_id: str,
    client_id: str | None,
    reason: str,
    policy_ids_json: str,
    details_json: str,
    prev_hash: str,
) -> bytes:
    """`canonical_json(event_payload(...))` from the fields as text (time as ISO, UTC)."""
    return (
        f'{{"actor_id":{_string(actor_id)},"agency_id":{_string(agency_id)},'
        f'"channel":{_string(channel)},"client_id":{_string(client_id)},'
        f'"details":{_canonical(details_json)},"event_type":{_string(event_type)},'
        f'"occurred_at":{_string(occurred_at)},"policy_ids":{_canonical(policy_ids_json)},'
        f'"prev_hash":{_string(prev_hash)},"reason":{_string(reason)},"seq":{seq},'
        f'"subject_id":{_string(subject_id)},"subject_type":{_string(subject_type)}}}'
    ).encode()


def _sqlite_uuid(value: str | None) -> str | None:
    if value is None or len(value) != 32:
        return value
    return f"{value[:8]}-{value[8:12]}-{value[12:16]}-{value[16:20]}-{value[20:]}"


def _sqlite_time(value: str) -> str:
    # Django keeps SQLite times as naive UTC text, without the fraction when it is zero.
    text = value.replace(" ", "T", 1)
    return text if "." in text else text + ".000000"


def row_bytes(row: Row, vendor: str) -> bytes:
    """The hashed bytes of one row as `read_rows` returns it."""
    return ENCODERS[vendor](row)


def _postgres_time(text: str) -> str:
    """PostgreSQL's ISO text of a UTC timestamp, as `isoformat(timespec="microseconds")` without
    the zone: 'T' between date and time, and six fraction digits (PostgreSQL drops trailing
    zeros, and the whole fraction when it is zero)."""
    if len(text) < 19 or text[10] != " " or text[4] != "-":
        raise ValueError(f"unexpected timestamp text {text!r}: the DateStyle must be ISO")
    if len(text) == 19:
        return text[:10] + "T" + text[11:] + ".000000"
    return text[:10] + "T" + text[11:] + "0" * (26 - len(text))


# The fraction digits PostgreSQL leaves out, by the length of its time text (19: no fraction).
_POSTGRES_TIME_PADDING = {
    19: ".000000",
    21: "00000",
    22: "0000",
    23: "000",
    24: "00",
    25: "0",
    26: "",
}


def _postgres_row_bytes(row: Row) -> bytes:
    """`fields_bytes` of a PostgreSQL row, inlined: verify calls it for every event."""
    seq, prev, _, occurred, agency, actor, chan, etype, stype, sid, client, reason, pol, det = row
    padding = _POSTGRES_TIME_PADDING.get(len(occurred))
    if padding is not None and occurred[10] == " " and occurred[4] == "-":  # `_postgres_time`
        occurred = occurred[:10] + "T" + occurred[11:] + padding
    else:
        occurred = _postgres_time(occurred)
    # The time never needs escaping: digits, '-', 'T', ':', '.'
    if _NEEDS_ESCAPE.search(f"{chan}{etype}{stype}{sid}{reason}{prev}") is not None:
        return canonical_bytes(
            seq, occurred + "+00:00", agency, actor, chan, etype, stype, sid, client, reason,
            pol, det, prev,
        )  # fmt: skip
    # The ids are UUIDs as PostgreSQL prints them (or NULL): nothing to escape there either.
    return (
        f'{{"actor_id":{"null" if actor is None else chr(34) + actor + chr(34)},'
        f'"agency_id":{"null" if agency is None else chr(34) + agency + chr(34)},'
        f'"channel":"{chan}",'
        f'"client_id":{"null" if client is None else chr(34) + client + chr(34)},'
        f'"details":{_canonical(det)},"event_type":"{etype}",'
        f'"occurred_at":"{occurred}+00:00","policy_ids":{_canonical(pol)},"prev_hash":"{prev}",'
        f'"reason":"{reason}","seq":{seq},"subject_id":"{sid}","subject_type":"{stype}"}}'
    ).encode()


def _sqlite_row_bytes(row: Row) -> bytes:
    seq, prev, _, occurred, agency, actor, chan, etype, stype, sid, client, reason, pol, det = row
    return fields_bytes(
        seq, _sqlite_time(occurred), _sqlite_uuid(agency), _sqlite_uuid(actor), chan, etype,
        stype, sid, _sqlite_uuid(client), reason, pol, det, prev,
    )  # fmt: skip


def fields_bytes(
    seq: int,
    occurred: str,
    agency: str | None,
    actor: str | None,
    chan: str,
    etype: str,
    stype: str,
    sid: str,
    client: str | None,
    reason: str,
    pol: str,
    det: str,
    prev: str,
) -> bytes:
    """`canonical_bytes`, faster when no text needs escaping (`occurred` without its zone)."""
    probe = f"{occurred}{agency}{actor}{chan}{etype}{stype}{sid}{client}{reason}{prev}"
    if _NEEDS_ESCAPE.search(probe) is not None:
        return canonical_bytes(
            seq, occurred + "+00:00", agency, actor, chan, etype, stype, sid, client, reason,
            pol, det, prev,
        )  # fmt: skip
    # No field needs escaping, so each JSON string is the text in quotes (as json.dumps makes it).
    actor_json = "null" if actor is None else '"' + actor + '"'
    agency_json = "null" if agency is None else '"' + agency + '"'
    client_json = "null" if client is None else '"' + client + '"'
    return (
        f'{{"actor_id":{actor_json},"agency_id":{agency_json},"channel":"{chan}",'
        f'"client_id":{client_json},"details":{_canonical(det)},"event_type":"{etype}",'
        f'"occurred_at":"{occurred}+00:00","policy_ids":{_canonical(pol)},"prev_hash":"{prev}",'
        f'"reason":"{reason}","seq":{seq},"subject_id":"{sid}","subject_type":"{stype}"}}'
    ).encode()


ENCODERS: dict[str, Callable[[Row], bytes]] = {
    "postgresql": _postgres_row_bytes,
    "sqlite": _sqlite_row_bytes,
}


def read_rows(
    after: int = 0, upto: int | None = None, batch: int = BATCH
) -> Generator[list[Row], None, None]:
    """Events with after < seq <= upto, in order, as text rows in batches (keyset pagination)."""
    vendor = connection.vendor
    if vendor not in _COLUMNS:
        raise NotImplementedError(f"ledger scanning does not support {vendor}")
    limit = upto if upto is not None else 2**62
    sql = (
        f"SELECT {_COLUMNS[vendor]} FROM ledger_event "  # noqa: S608 - fixed column lists only
        "WHERE seq > %s AND seq <= %s ORDER BY seq LIMIT %s"
    )
    if vendor == "postgresql":
        yield from _read_ahead(sql, after, limit, batch)
        return
    last = after
    with connection.cursor() as cursor:
        while last < limit:
            cursor.execute(sql, [last, limit, batch])
            rows: list[Row] = cursor.fetchall()
            if not rows:
                return
            yield rows
            last = rows[-1][0]


def _read_ahead(sql: str, after: int, limit: int, batch: int) -> Iterator[list[Row]]:
    """`read_rows` on PostgreSQL: while the caller checks a batch, a thread reads the next one
    on the same connection (the server formats rows while Python hashes). The caller uses the
    connection for nothing else meanwhile; leaving early waits for the read under way."""
    connection.ensure_connection()
    driver = connection.connection

    def fetch(last: int) -> list[Row]:
        with driver.cursor() as cursor:
            cursor.execute(sql, [last, limit, batch])
            rows: list[Row] = cursor.fetchall()
            return rows

    with ThreadPoolExecutor(max_workers=1) as reader:
        rows = fetch(after)
        while rows:
            last = rows[-1][0]
            following = reader.submit(fetch, last) if last < limit and len(rows) == batch else None
            yield rows
            rows = following.result() if following is not None else []


@dataclass
class ChainScan:
    """Walks events in order, checking sequence, links and hashes; collects leaf hashes.

    `prev_hash=None` skips the first event's link check (a segment whose predecessor another
    process checked); `first_prev` keeps that link for the caller. With `leaves`, each verified
    event's Merkle leaf hash is appended to it. `problem` / `bad_seq` name the first broken
    event, after which the scan stops.
    """

    expected: int = 1
    prev_hash: str | None = GENESIS_HASH
    leaves: list[bytes] | None = None
    checked: int = 0
    first_prev: str | None = None
    problem: str = ""
    bad_seq: int | None = None

    def feed(self, rows: list[Row], vendor: str) -> bool:
        """Check a batch; False once a problem is found."""
        sha256, prefix, leaves = hashlib.sha256, HASH_PREFIX, self.leaves
        encode = ENCODERS[vendor]
        expected, prev_hash = self.expected, self.prev_hash
        if rows and self.first_prev is None:
            self.first_prev = rows[0][1]
        for row in rows:
            seq, digest = row[0], row[2]
            problem = ""
            if seq != expected:
                problem = f"expected event {expected} next, found {seq} (missing or reordered)"
            elif prev_hash is not None and row[1] != prev_hash:
                problem = "its link to the previous event is broken"
            elif (computed := sha256(prefix + encode(row)).digest()).hex() != digest:
                problem = "its contents do not match its hash (altered)"
            if problem:
                self.expected, self.prev_hash, self.checked = expected, prev_hash, expected - 1
                self.problem, self.bad_seq = problem, seq
                return False
            if leaves is not None:
                leaves.append(sha256(b"\x00" + computed).digest())  # computed == the stored
            prev_hash, expected = digest, expected + 1
        self.expected, self.prev_hash, self.checked = expected, prev_hash, expected - 1
        return True
