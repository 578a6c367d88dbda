"""Errors of sign-in and tokens. Messages never say which of email, password or code was wrong."""

from confide.core.errors import DomainError


class SignInFailed(DomainError):
    code = "sign_in_failed"
    status = 401

    def __init__(self) -> None:
        super().__init__(
            "The email, password or code is not right, or sign-in is paused after repeated "
            "failures. Try again, or wait 15 minutes."
        )


class ReauthRequired(DomainError):
    code = "reauth_required"
    status = 401

    def __init__(self) -> None:
        super().__init__("Confirm your password and code to continue.")
