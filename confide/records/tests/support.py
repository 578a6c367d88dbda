"""Helpers for record tests: a comparable picture of everything a service could change."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings

from confide.crypto.models import BlindIndexRow, ClientKey
from confide.ledger.models import ChainHead, Event
from confide.records.models import Attachment, Case, Client, Note


def files_on_disk() -> list[Path]:
    root = Path(settings.CONFIDE_FILES_DIR)
    return sorted(path for path in root.rglob("*") if path.is_file()) if root.exists() else []


def snapshot() -> dict[str, Any]:
    """Every row an action could have written, changed or chained, in comparable form."""
    head = ChainHead.objects.get(id=1)
    return {
        "head": (head.seq, head.hash),
        "events": list(Event.objects.order_by("seq").values_list("seq", "hash")),
        "clients": sorted(Client.objects.values_list("id", "version", "legal_name_enc")),
        "index_rows": sorted(
            BlindIndexRow.objects.values_list("client_id", "index_name", "key_version", "value")
        ),
        "keys": sorted(ClientKey.objects.values_list("client_id", flat=True)),
        "cases": sorted(Case.objects.values_list("id", "team_id", "status", "case_number")),
        "notes": sorted(
            Note.objects.values_list(
                "id", "status", "version", "body_enc", "labels", "addendum_to_id", "signed_at"
            )
        ),
        "attachments": sorted(Attachment.objects.values_list("id", flat=True)),
    }
