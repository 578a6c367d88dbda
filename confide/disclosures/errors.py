"""Domain errors of the disclosure workflow. Messages never hold client data."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from confide.core.errors import Conflict, DomainError, ValidationFailed
from confide.crypto.envelope import DecryptionFailed
from confide.disclosures.decisions import words
from confide.records.errors import RecordUnreadable

P = ParamSpec("P")
R = TypeVar("R")


def readable(fn: Callable[P, R]) -> Callable[P, R]:
    """A ciphertext that fails to open anywhere inside (a destroyed key, a damaged row) is the
    domain's RecordUnreadable, never a server error; the transaction rolls back."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except DecryptionFailed:
            raise RecordUnreadable() from None

    return wrapper


class MissingFacts(ValidationFailed):
    """An approval the engine cannot grant until these facts (engine paths such as
    `threat.imminent`) are answered; the message names them in words."""

    def __init__(self, missing: list[str]) -> None:
        super().__init__({"answers": "answer these first: " + "; ".join(map(words, missing))})
        self.missing = missing


class NoProfile(DomainError):
    code = "no_disclosure_profile"
    status = 409

    def __init__(self) -> None:
        super().__init__(
            "The agency's disclosure profile (state and kind of entity) is not set. "
            "Ask an administrator to set it before requesting a disclosure."
        )


class NotReleasable(DomainError):
    """The request's decision does not allow a release (refused, in review, or nothing left)."""

    code = "not_releasable"
    status = 409

    def __init__(self, why: str) -> None:
        super().__init__(f"Nothing was released: {why}")


class ReleasedMeanwhile(Conflict):
    """The request was released after the page (or API caller) last saw its releases: the same
    release sent twice (a second click after the PDF downloaded) or by two people at once."""

    code = "released_meanwhile"

    def __init__(self) -> None:
        super().__init__(
            "Nothing more was released: this request was released since you last looked (or the "
            "button was pressed twice). Reload it to see its releases, and release again from "
            "there only if you mean to."
        )


class ReviewNotOpen(Conflict):
    code = "review_not_open"

    def __init__(self) -> None:
        super().__init__("This request is not waiting for review (someone may have decided it).")


class OwnRequest(DomainError):
    code = "own_request"
    status = 403

    def __init__(self) -> None:
        super().__init__("A request is reviewed by someone other than the person who made it.")


class RedactionsPending(DomainError):
    code = "redactions_pending"
    status = 409

    def __init__(self, count: int) -> None:
        super().__init__(
            f"{count} proposed redaction(s) still need a decision (redact or keep) before release."
        )


class LinkUnavailable(DomainError):
    """A one-time link that is unknown, used, expired or locked; `reason` is one of those."""

    code = "link_unavailable"
    status = 410

    def __init__(self, reason: str) -> None:
        messages = {
            "unknown": "This link is not valid.",
            "used": "This link has already been used. Ask the sender for a new one.",
            "expired": "This link has expired. Ask the sender for a new one.",
            "locked": "Too many wrong codes were entered; this link is now closed. "
            "Ask the sender for a new one.",
        }
        super().__init__(messages[reason])
        self.reason = reason
        if reason == "unknown":
            self.status = 404


class WrongCode(DomainError):
    code = "wrong_code"
    status = 403

    def __init__(self, attempts_left: int) -> None:
        super().__init__(
            f"That code is not right. {attempts_left} attempt(s) left before the link closes."
        )
