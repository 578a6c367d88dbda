"""The release packet as a PDF (fpdf2): a cover sheet, the 42 CFR 2.32 redisclosure notice when
Part 2 records are included, the released notes with their redactions applied, and on every page
a watermark naming the recipient and the date of release.

Pure rendering: it receives decrypted, already-redacted text and returns bytes; the caller
records the SHA-256 digest. Uses the same fonts as the ledger's reports (`ledger.exports`).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from fpdf.enums import XPos, YPos

from confide.core.pdf import ConfidePdf, font_dir

NOTICES = Path(__file__).resolve().parent / "notices"


@functools.cache
def part2_notice() -> dict[str, str]:
    """The redisclosure statement, kept as versioned data with its source."""
    loaded: dict[str, str] = json.loads((NOTICES / "part2_redisclosure.json").read_text())
    return loaded


@dataclass(frozen=True)
class PacketNote:
    occurred_on: dt.date
    kind: str
    author: str
    labels: tuple[str, ...]
    text: str


@dataclass(frozen=True)
class PacketContent:
    agency: str
    client_name: str
    client_dob: str
    case_numbers: tuple[str, ...]
    recipient: str
    recipient_address: str
    purpose: str
    categories: tuple[str, ...]
    date_from: dt.date
    date_to: dt.date
    legal_basis: tuple[str, ...]
    released_by: str
    released_on: dt.date
    method: str
    packet_id: str
    includes_part2: bool
    redactions: int
    notes: Sequence[PacketNote]


class PacketPdf(ConfidePdf):
    """Portrait A4 with the recipient-and-date watermark and a footer on every page."""

    def __init__(self, content: PacketContent) -> None:
        super().__init__(title="Release of information", fonts=font_dir(), bottom_margin=18)
        self.content = content
        self._widths: dict[tuple[str, str, float, str], float] = {}

    @property
    def watermark(self) -> str:
        c = self.content
        return f"Released to {c.recipient} on {c.released_on.isoformat()}"

    def header(self) -> None:
        # Drawn first on each page, in light grey, so the page's text prints over it.
        self.set_font(self.family, "B", 24)
        self.set_text_color(215, 215, 215)
        with self.rotation(45, x=self.w / 2, y=self.h / 2):
            width = self.get_string_width(self.text_of(self.watermark))
            self.text(self.w / 2 - width / 2, self.h / 2, self.text_of(self.watermark))
        self.set_text_color(0, 0, 0)
        self.set_font(self.family, "", 8)
        self.cell(
            0, 5, self.text_of(self.watermark), align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )
        self.ln(2)

    def footer(self) -> None:
        self.footer_line(
            f"Confidential - packet {self.content.packet_id}", from_bottom=13, height=5
        )

    def heading(self, text: str, size: float = 15) -> None:
        self.set_font(self.family, "B", size)
        self.multi_cell(0, size * 0.5, self.text_of(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(2)

    def pair(self, label: str, value: str) -> None:
        self.set_font(self.family, "B", 9.5)
        self.cell(45, 5.5, self.text_of(label))
        self.set_font(self.family, "", 9.5)
        self.multi_cell(0, 5.5, self.text_of(value or "-"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def paragraph(self, text: str, size: float = 9.5, style: str = "") -> None:
        """Wrapped text. fpdf2's `multi_cell` re-measures the growing line at every character,
        which dominated a 200-note packet; words are measured once (cached) and summed here."""
        self.set_font(self.family, style, size)
        for line in self._wrapped(self.text_of(text)):
            self.cell(0, size * 0.5, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(1.5)

    def _width(self, word: str) -> float:
        key = (self.font_family, self.font_style, self.font_size_pt, word)
        cached = self._widths.get(key)
        if cached is None:
            cached = self._widths[key] = self.get_string_width(word)
        return cached

    def _wrapped(self, text: str) -> list[str]:
        limit, space = self.epw - 2 * self.c_margin, self._width(" ")
        lines: list[str] = []
        for paragraph in text.splitlines() or [""]:
            line, width = "", 0.0
            for word in paragraph.split(" "):
                for piece in self._pieces(word, limit):
                    w = self._width(piece)
                    if line and width + space + w > limit:
                        lines.append(line)
                        line, width = "", 0.0
                    line, width = (f"{line} {piece}", width + space + w) if line else (piece, w)
            lines.append(line)
        return lines

    def _pieces(self, word: str, limit: float) -> list[str]:
        """A word wider than the line, cut into pieces that fit (long links, numbers)."""
        if self._width(word) <= limit:
            return [word]
        pieces, current = [], ""
        for char in word:
            if current and self.get_string_width(current + char) > limit:
                pieces.append(current)
                current = ""
            current += char
        return [*pieces, current]


def _cover(pdf: PacketPdf) -> None:
    c = pdf.content
    pdf.add_page()
    pdf.heading("Release of information")
    pdf.paragraph(
        f"{c.agency} releases the information below for the purpose stated, and for no other. "
        "It is confidential. Do not share it further except as the law allows."
    )
    for label, value in (
        ("Client", c.client_name),
        ("Date of birth", c.client_dob),
        ("Case number(s)", ", ".join(c.case_numbers)),
        ("Recipient", c.recipient),
        ("Recipient address", c.recipient_address),
        ("Purpose", c.purpose),
        ("Information released", "; ".join(c.categories)),
        ("Notes dated", f"{c.date_from.isoformat()} to {c.date_to.isoformat()}"),
        ("Number of notes", str(len(c.notes))),
        ("Redactions", f"{c.redactions} identifier(s) of other people removed"),
        ("Legal basis", "; ".join(c.legal_basis)),
        ("Released by", c.released_by),
        ("Date released", c.released_on.isoformat()),
        ("Delivery", c.method),
        ("Packet", c.packet_id),
    ):
        pdf.pair(label, value)
    pdf.ln(3)
    # The decision's conditions are the agency's own steps (write it down, tell the client...):
    # they are on the request's page, not on what the recipient receives.
    if c.includes_part2:
        notice = part2_notice()
        pdf.ln(2)
        pdf.heading("Notice to the recipient (42 CFR 2.32)", 11)
        pdf.paragraph(notice["text"], size=11, style="B")
        pdf.paragraph(
            "Scope of the consent or authority for this disclosure: the information, dates, "
            "recipient and purpose listed above, and nothing more.",
            size=9,
        )


def _notes(pdf: PacketPdf) -> None:
    for note in pdf.content.notes:
        if pdf.get_y() > pdf.h - 60 or pdf.page_no() == 1:
            pdf.add_page()
        labels = f" [{', '.join(note.labels)}]" if note.labels else ""
        pdf.heading(f"{note.occurred_on.isoformat()} - {note.kind}{labels}", 11)
        pdf.paragraph(f"Author: {note.author}", size=8.5)
        pdf.paragraph(note.text)
        pdf.ln(2)


def render(content: PacketContent) -> bytes:
    pdf = PacketPdf(content)
    _cover(pdf)
    _notes(pdf)
    return bytes(pdf.output())


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
