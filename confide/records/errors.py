"""Domain errors of the case record."""

from confide.core.errors import Conflict, DomainError


class NoteAlreadySigned(DomainError):
    code = "note_signed"
    status = 409

    def __init__(self) -> None:
        super().__init__(
            "This note is signed and can no longer change, attachments included. "
            "Add an addendum instead."
        )


class NoteNotSigned(DomainError):
    code = "note_not_signed"
    status = 409

    def __init__(self) -> None:
        super().__init__("Only a signed note takes an addendum; edit the draft instead.")


class DraftConflict(Conflict):
    code = "draft_conflict"

    def __init__(self) -> None:
        super().__init__(
            "Someone else saved this draft after you opened it. Your text was not saved over "
            "theirs: copy it, reload the note, and merge."
        )


class RecordUnreadable(DomainError):
    """The client's data key is gone (destroyed on schedule) or a ciphertext failed to open."""

    code = "unreadable"
    status = 410

    def __init__(self) -> None:
        super().__init__("This record can no longer be read.")
