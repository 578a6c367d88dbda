"""Shape limits and cleaning for consent input, shared by services, forms and API schemas.

Every cleaner collects its problems by field and raises one ValidationFailed naming all of
them, so a form shows each problem at once and nothing is written.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from confide.core.errors import ValidationFailed

MAX_NAME = 200
MAX_SHORT = 200
MAX_ADDRESS = 500
MAX_DESCRIPTION = 1000
MAX_NOTICE_TITLE = 200
MAX_NOTICE_BODY = 20_000


class Problems:
    """Collects field problems; `raise_if_any` raises them together."""

    def __init__(self) -> None:
        self.fields: dict[str, str] = {}

    def add(self, name: str, problem: str) -> None:
        self.fields.setdefault(name, problem)

    def raise_if_any(self) -> None:
        if self.fields:
            raise ValidationFailed(dict(self.fields))


def text(problems: Problems, name: str, value: Any, limit: int, *, required: bool = False) -> str:
    """A stripped string within `limit` characters ("" if absent and not required)."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        problems.add(name, "must be text")
        return ""
    cleaned = value.strip()
    if required and not cleaned:
        problems.add(name, "is required")
    elif len(cleaned) > limit:
        problems.add(name, f"must be at most {limit} characters")
    return cleaned


def choice(problems: Problems, name: str, value: Any, allowed: Iterable[str]) -> str:
    options = list(allowed)
    if not isinstance(value, str) or value not in options:
        problems.add(name, f"must be one of {', '.join(options)}")
        return ""
    return value


def choices(problems: Problems, name: str, values: Any, allowed: Iterable[str]) -> list[str]:
    """A list of distinct allowed values, in the order of `allowed`."""
    options = list(allowed)
    if not isinstance(values, list | tuple) or any(v not in options for v in values):
        problems.add(name, f"each must be one of {', '.join(options)}")
        return []
    return [o for o in options if o in values]


def flag(problems: Problems, name: str, value: Any) -> bool:
    if not isinstance(value, bool):
        problems.add(name, "must be true or false")
        return False
    return value
