"""Domain errors of releases of information. Messages name elements and rules, never data."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from confide.core.errors import DomainError, ValidationFailed


@dataclass(frozen=True)
class Element:
    """A required element of a release form, with where the law asks for it."""

    name: str
    label: str
    cite: str


class ReleaseIncomplete(ValidationFailed):
    """The release lacks required elements of its kind; `missing` names every one of them
    (and `fields` also holds any other problem of the same input)."""

    code = "release_incomplete"

    def __init__(
        self, kind_label: str, missing: Sequence[Element], other: dict[str, str] | None = None
    ) -> None:
        fields = {e.name: f"required: {e.label} ({e.cite})" for e in missing}
        fields.update(other or {})
        super().__init__(fields)
        self.missing = tuple(missing)
        names = ", ".join(e.name for e in missing)
        self.message = f"A {kind_label} is missing required elements: {names}. {self.message}"


class ReleaseNotUsable(DomainError):
    """A release was offered as the basis of a disclosure but is not in effect."""

    code = "release_not_usable"
    status = 409

    def __init__(self, why: str) -> None:
        super().__init__(f"This release cannot be used as a basis for disclosure: {why}.")
        self.why = why


class ReleaseWrongState(DomainError):
    """The action does not fit the release's state (signing a signed one, revoking twice)."""

    code = "release_wrong_state"
    status = 409
