"""Parsing object ids from untrusted input (URLs, forms, API bodies)."""

from __future__ import annotations

from uuid import UUID


def parse_id(raw: object) -> UUID | None:
    """The UUID `raw` names, or None when it is not one (callers answer "not found")."""
    if isinstance(raw, UUID):
        return raw
    try:
        return UUID(str(raw))
    except ValueError:
        return None
