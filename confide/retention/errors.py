"""Domain errors of retention. Messages name ids and rules, never client data."""

from __future__ import annotations

from confide.core.errors import Conflict, DomainError


class NoSchedule(DomainError):
    code = "no_retention_schedule"
    status = 409

    def __init__(self) -> None:
        super().__init__("This agency has no retention schedule yet: set one first.")


class NotDue(Conflict):
    code = "not_due"

    def __init__(self) -> None:
        super().__init__(
            "A chosen client is not due for destruction (a case is open, or its date has not "
            "come). Reload the list; nothing was approved."
        )


class UnderLegalHold(Conflict):
    code = "legal_hold"

    def __init__(self) -> None:
        super().__init__(
            "A chosen client is under a legal hold and cannot be approved for destruction; "
            "nothing was approved."
        )


class AlreadyApproved(Conflict):
    code = "already_approved"

    def __init__(self) -> None:
        super().__init__("A chosen client is already in an approved batch; nothing was approved.")


class HoldAlreadyReleased(Conflict):
    code = "hold_released"

    def __init__(self) -> None:
        super().__init__("This legal hold was already released.")


class RecordDestroyed(DomainError):
    code = "record_destroyed"
    status = 410

    def __init__(self) -> None:
        super().__init__("This client's record was destroyed on schedule; nothing can be held.")


class PurgeBlocked(DomainError):
    """Rows in another part of the record refer to what the purge deletes."""

    code = "purge_blocked"
    status = 409

    def __init__(self, table: str) -> None:
        super().__init__(f"Rows in {table} refer to this client's record; the purge stopped.")


class ShredListError(RuntimeError):
    """The shred list beside the keys is unreadable, malformed or too widely readable."""
