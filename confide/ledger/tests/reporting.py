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
