"""The shred list: the ids of every shredded client, kept in a file beside the keys.

Why outside the database: a backup taken before a client was shredded still holds that client's
wrapped data key, and the key-encryption key that unwraps it is still in the keyring (older
backups must stay restorable). Restoring such a backup would bring the client back. The shred
list is not in the database and not in any backup, so `backup restore` reads it and shreds
those clients again before anyone can open them (docs/decisions/0007).

One JSON object per line (`client`, `agency`, `shredded_at`): ids and a time, no client data.
Written with O_APPEND and fsync, mode 0600; a file readable by others is refused, like the
keyring. The database (tombstone rows and the ledger's shredding events) is the authority
while it lives; `sync_from_database` copies any shredding the file lacks (after a crash between
the purge's commit and its append), and runs before every purge, backup and restore.
"""

from __future__ import annotations

import json
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from uuid import UUID

from django.conf import settings

from confide.retention.errors import ShredListError


@dataclass(frozen=True)
class Entry:
    client_id: UUID
    agency_id: UUID
    shredded_at: str


def path() -> Path:
    return Path(settings.CONFIDE_SHRED_LIST_PATH)


def _check_mode(file: Path) -> None:
    if file.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise ShredListError(f"shred list {file} is readable by others; chmod 600 it")


def read() -> dict[UUID, Entry]:
    """Every entry, by client id. A missing file is an empty list; a damaged one is an error
    (a restore must not go on believing nobody was shredded)."""
    file = path()
    if not file.exists():
        return {}
    _check_mode(file)
    entries: dict[UUID, Entry] = {}
    for number, line in enumerate(file.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            entry = Entry(
                UUID(str(raw["client"])), UUID(str(raw["agency"])), str(raw["shredded_at"])
            )
        except (ValueError, KeyError, TypeError):
            raise ShredListError(f"shred list {file}: line {number} is malformed") from None
        entries[entry.client_id] = entry
    return entries


def append(entries: list[Entry]) -> None:
    """Add entries durably (append, fsync)."""
    if not entries:
        return
    file = path()
    file.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    _check_mode(file)
    text = "".join(
        json.dumps(
            {"client": str(e.client_id), "agency": str(e.agency_id), "shredded_at": e.shredded_at},
            sort_keys=True,
        )
        + "\n"
        for e in entries
    )
    with os.fdopen(fd, "a", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())


def sync_from_database() -> int:
    """Append the shredded clients the database knows and the file lacks; how many were added.

    Both the tombstone rows and the ledger's shredding events count: the events are
    append-only, hash-chained and checkpointed, so a deleted tombstone cannot hide a
    shredding from the list."""
    from confide.ledger.enums import EventType
    from confide.ledger.models import Event
    from confide.retention.models import ShreddedClient

    known = read()
    found: dict[UUID, Entry] = {}
    events = Event.objects.filter(
        event_type__in=[EventType.CLIENT_SHREDDED, EventType.CLIENT_SHRED_REAPPLIED],
        client_id__isnull=False,
        agency_id__isnull=False,
    ).order_by("seq")
    for client_id, agency_id, at in events.values_list("client_id", "agency_id", "occurred_at"):
        if client_id is not None and agency_id is not None:  # filtered above; for the types
            found.setdefault(client_id, Entry(client_id, agency_id, at.isoformat()))
    for row in ShreddedClient.objects.order_by("shredded_at"):
        found.setdefault(
            row.client_id, Entry(row.client_id, row.agency_id, row.shredded_at.isoformat())
        )
    missing = [entry for client_id, entry in found.items() if client_id not in known]
    append(missing)
    return len(missing)
