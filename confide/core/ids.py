"""Parsing object ids from untrusted input (URLs, forms, API bodies) and finding their rows."""

from __future__ import annotations

from typing import TypeVar
from uuid import UUID

from django.db.models import Model, QuerySet

from confide.core.errors import NotFound

M = TypeVar("M", bound=Model)


def parse_id(raw: object) -> UUID | None:
    """The UUID `raw` names, or None when it is not one (callers answer "not found")."""
    if isinstance(raw, UUID):
        return raw
    try:
        return UUID(str(raw))
    except ValueError:
        return None


def row_or_not_found(rows: QuerySet[M], raw_id: object, kind: str) -> M:
    """The row of `rows` whose id `raw_id` names; NotFound(kind) for a malformed or unknown id.

    `rows` carries the caller's scope (agency, client, lock), so an id outside it is not found
    in exactly the way a forged one is.
    """
    parsed = parse_id(raw_id)
    found = rows.filter(id=parsed).first() if parsed is not None else None
    if found is None:
        raise NotFound(kind)
    return found
