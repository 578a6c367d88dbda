"""Errors of the portal. Messages never say which of the sign-in id, password or code was wrong,
nor whether an invitation code was ever issued."""

from confide.core.errors import DomainError


class PortalSignInFailed(DomainError):
    code = "sign_in_failed"
    status = 401

    def __init__(self) -> None:
        super().__init__(
            "The sign-in id, password or code is not right, or sign-in is paused after repeated "
            "failures. Try again, or wait 15 minutes."
        )


class InvitationInvalid(DomainError):
    """An invitation code that is unknown, used, withdrawn or expired (one answer for all)."""

    code = "invitation_invalid"
    status = 410

    def __init__(self) -> None:
        super().__init__(
            "This invitation code cannot be used: it may be mistyped, expired, already used or "
            "replaced by a newer one. Ask your worker for a new invitation."
        )


class PortalAccessWrongState(DomainError):
    """Ending access that is not open (no account, or already ended)."""

    code = "portal_wrong_state"
    status = 409
