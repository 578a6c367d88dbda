"""Shape and size rules for record input, shared by forms, the API and services."""

from __future__ import annotations

import datetime as dt

from confide.core import clock
from confide.core.enums import Label
from confide.core.errors import ValidationFailed

MAX_NAME = 200
MAX_PHONE = 40
MAX_EMAIL = 254
MAX_ADDRESS = 500
MAX_NOTE_CHARS = 100_000
MAX_IDENTIFIERS = 10


class Problems:
    """Collects every problem so one error names them all."""

    def __init__(self) -> None:
        self.fields: dict[str, str] = {}

    def text(self, name: str, value: object, *, limit: int, required: bool = True) -> str:
        if not isinstance(value, str):
            self.fields[name] = "must be text"
            return ""
        cleaned = value.strip()
        if required and not cleaned:
            self.fields[name] = "is required"
        elif len(cleaned) > limit:
            self.fields[name] = f"is longer than {limit} characters"
        elif "\x00" in cleaned:
            self.fields[name] = "contains a NUL character"
        return cleaned

    def labels(self, name: str, values: object) -> list[str]:
        if not isinstance(values, list | tuple) or not all(isinstance(v, str) for v in values):
            self.fields[name] = "must be a list of labels"
            return []
        unknown = sorted(set(values) - set(Label.values))
        if unknown:
            self.fields[name] = f"unknown label(s); allowed: {', '.join(Label.values)}"
        return sorted(set(values) & set(Label.values))

    def past_date(self, name: str, value: object, *, earliest: dt.date) -> dt.date:
        if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
            self.fields[name] = "must be a date (YYYY-MM-DD)"
            return earliest
        if value > clock.today() or value < earliest:
            self.fields[name] = f"must be between {earliest.isoformat()} and today"
        return value

    def raise_if_any(self) -> None:
        if self.fields:
            raise ValidationFailed(self.fields)
