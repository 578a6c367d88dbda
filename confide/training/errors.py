"""Errors of training records and conflict declarations."""

from confide.core.errors import DomainError


class WallAlreadyDeclared(DomainError):
    code = "wall_exists"
    status = 409

    def __init__(self) -> None:
        super().__init__("A relationship with this client is already declared for this person.")
