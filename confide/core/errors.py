"""Typed domain errors. Views and the API map them to responses; messages hold no client data."""

from __future__ import annotations


class DomainError(Exception):
    """A rule of the domain refused the action; nothing was changed."""

    code = "domain_error"
    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(DomainError):
    """The object does not exist, or the actor may not know that it does (same answer)."""

    code = "not_found"
    status = 404

    def __init__(self, kind: str = "object") -> None:
        super().__init__(f"No such {kind}.")


class ValidationFailed(DomainError):
    """Input broke a domain rule; `fields` names each problem."""

    code = "invalid"
    status = 422

    def __init__(self, fields: dict[str, str]) -> None:
        super().__init__("; ".join(f"{name}: {problem}" for name, problem in fields.items()))
        self.fields = fields


class Conflict(DomainError):
    """Someone else changed the object first; the caller's copy is stale."""

    code = "conflict"
    status = 409


class NotPermitted(DomainError):
    """The actor may see the object but not do this to it (used only where existence is known)."""

    code = "forbidden"
    status = 403
