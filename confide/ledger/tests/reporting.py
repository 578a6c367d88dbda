"""Helpers for the report tests: a client with a busy history, agency B's privacy officer, and
reading the text out of a PDF's content streams."""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass

from confide.accounts.models import User
from confide.core.enums import Role
from confide.records import selectors
from confide.records.models import Note
from confide.testing import World, actor, make_user

NOTE_TEXT = "Zephyrine quartz-lantern confided 7731"
CLIENT_NAMES = ("Rosalind", "Quenby", "Tobias", "Wexford", "Marisol", "Ketterly")


def privacy_b(world: World) -> User:
    return make_user(world.agency_b, "privacy_b@b.test", Role.PRIVACY_OFFICER)


@dataclass
class History:
    note: Note
    other_note: Note


def busy_history(world: World) -> History:
    """worker_a writes and reads a note on client_a; worker_a2 opens the record; worker_a's
    caseload lists the client (with others); another client gets a note of its own."""
    note = world.note(world.worker_a, world.client_a, body=NOTE_TEXT)
    selectors.client_get(actor=actor(world.worker_a), client_id=world.client_a.id)
    selectors.note_get(actor=actor(world.worker_a), note_id=note.id)
    selectors.client_get(actor=actor(world.worker_a2), client_id=world.client_a.id)
    selectors.caseload_list(actor=actor(world.worker_a))
    other = world.note(world.other_worker_a, world.client_a_other, body=NOTE_TEXT + " other")
    return History(note=note, other_note=other)


def pdf_text(pdf: bytes) -> bytes:
    """Every content stream of a PDF, inflated where compressed, joined.

    A stream's body runs to `endstream`, with the end-of-line before it included: a compressed
    body may itself end in a CR byte, so the body is inflated with a decompressor that stops at
    the end of the zlib data rather than by trimming line ends (which would cut such a body).
    """
    parts = []
    for match in re.finditer(rb"stream\r?\n(.*?)endstream", pdf, re.S):
        body = match.group(1)
        inflater = zlib.decompressobj()
        try:
            text = inflater.decompress(body)
        except zlib.error:
            text = b""
        parts.append(text if inflater.eof else body)
    return b"\n".join(parts)


_SHOWN = re.compile(rb"\(((?:\\.|[^\\)])*)\)\s*Tj", re.S)
_ESCAPE = re.compile(rb"\\([0-7]{1,3}|.)", re.S)


def _unescape(match: re.Match[bytes]) -> bytes:
    code = match.group(1)
    if code[:1].isdigit():
        return bytes([int(code, 8)])
    return {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}.get(code, code)


def pdf_words(pdf: bytes) -> str:
    """The text a PDF written in a core font shows, in order, as one line: every string shown
    (`(...) Tj`), unescaped, joined with spaces and with runs of white space made one. A
    sentence wrapped over several lines reads whole again, so a test can look for it entire."""
    shown = [_ESCAPE.sub(_unescape, m.group(1)) for m in _SHOWN.finditer(pdf_text(pdf))]
    return " ".join(b" ".join(shown).decode("latin-1").split())
