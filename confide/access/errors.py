"""Errors of access grants."""

from confide.core.errors import DomainError


class AlreadyHasAccess(DomainError):
    code = "already_has_access"
    status = 409

    def __init__(self) -> None:
        super().__init__("You already have access to this record; no emergency access is needed.")


class GrantAlreadyReviewed(DomainError):
    code = "grant_reviewed"
    status = 409

    def __init__(self) -> None:
        super().__init__("This emergency access has already been reviewed.")
