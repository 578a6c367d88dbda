"""Which client fields the blind indexes cover, and the lookups' candidate sets.

Indexes (names and planner in confide/crypto/blind_index.py):
- client_name_dob: legal name + date of birth (ISO);
- client_phone_last4: the last four digits of the phone number (no row with fewer than four);
- client_identifier: each identifier as (kind, value), e.g. ("case_number", "JV-2024-0113") for
  an external case number or ("medicaid", ...). The agency's own case numbers (records_case) are
  not confidential and are kept in clear, so they need no index.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from uuid import UUID

from django.db.models import QuerySet

from confide.crypto import blind_index
from confide.crypto.envelope import DataKey
from confide.crypto.models import BlindIndexRow
from confide.records.models import Client


def last_four_digits(phone: str) -> str | None:
    digits = "".join(ch for ch in phone if ch.isdigit())
    return digits[-4:] if len(digits) >= 4 else None


def client_values(
    *, legal_name: str, date_of_birth: dt.date, phone: str, identifiers: dict[str, str]
) -> dict[str, list[tuple[str, ...]]]:
    """The normalized-later parts each index covers for one client."""
    last4 = last_four_digits(phone)
    return {
        blind_index.NAME_DOB: [(legal_name, date_of_birth.isoformat())],
        blind_index.PHONE_LAST4: [(last4,)] if last4 else [],
        blind_index.IDENTIFIER: [(kind, value) for kind, value in sorted(identifiers.items())],
    }


def decrypted_values(client: Client, key: DataKey) -> dict[str, list[tuple[str, ...]]]:
    """The index parts of a stored client, decrypted (for recomputing rows on rotation)."""

    def field(column: str) -> str:
        blob = getattr(client, f"{column}_enc")
        return key.decrypt_text(f"records_client.{column}", client.id, blob)

    return client_values(
        legal_name=field("legal_name"),
        date_of_birth=dt.date.fromisoformat(field("date_of_birth")),
        phone=field("phone"),
        identifiers=json.loads(field("identifiers")),
    )


def index_client(client: Client, values: dict[str, list[tuple[str, ...]]]) -> None:
    blind_index.set_client_rows(client.id, client.agency_id, values)


def name_dob_candidates(
    agency_id: UUID, legal_name: str, date_of_birth: dt.date
) -> QuerySet[BlindIndexRow, Any]:
    return blind_index.candidates(
        agency_id, blind_index.NAME_DOB, (legal_name, date_of_birth.isoformat())
    )


def phone_last4_candidates(agency_id: UUID, last4: str) -> QuerySet[BlindIndexRow, Any]:
    return blind_index.candidates(agency_id, blind_index.PHONE_LAST4, (last4,))


def identifier_candidates(agency_id: UUID, kind: str, value: str) -> QuerySet[BlindIndexRow, Any]:
    return blind_index.candidates(agency_id, blind_index.IDENTIFIER, (kind, value))
