"""The base of every PDF Confide writes (fpdf2): fonts, document metadata and the footer line.

Fonts: DejaVu Sans when the machine has it (any script), else the PDF core font Helvetica with
characters outside Latin-1 replaced by "?" (a PDF is never refused over a name's spelling).
Each document (reports, a release's client copy, a release packet, an acknowledgement) subclasses
`ConfidePdf` and adds only its own layout.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from fpdf import FPDF

FONT_DIRS = (
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/dejavu"),
    Path("/usr/local/share/fonts/dejavu"),
)
FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}
CORE_FONT = "Helvetica"


def font_dir() -> Path | None:
    """The first directory holding both DejaVu Sans files, or None (use the core font)."""
    for directory in FONT_DIRS:
        if all((directory / name).is_file() for name in FONT_FILES.values()):
            return directory
    return None


class ConfidePdf(FPDF):
    """A4 with Confide's fonts and metadata, automatic page breaks and a "page n of N" alias."""

    def __init__(
        self,
        *,
        title: str,
        fonts: Path | None,
        orientation: Literal["P", "L"] = "P",
        bottom_margin: float = 15,
    ) -> None:
        super().__init__(orientation=orientation, unit="mm", format="A4")
        self.unicode = fonts is not None
        if fonts is not None:
            for style, name in FONT_FILES.items():
                self.add_font("DejaVu", style, str(fonts / name))
        self.family = "DejaVu" if self.unicode else CORE_FONT
        self.set_title(title)
        self.set_creator("Confide")
        self.set_lang("en")
        self.set_auto_page_break(auto=True, margin=bottom_margin)
        self.alias_nb_pages()

    def text_of(self, value: object) -> str:
        """`value` as text the current font can show (None as empty)."""
        text = "" if value is None else str(value)
        return text if self.unicode else text.encode("latin-1", "replace").decode("latin-1")

    def footer_line(self, left: str, *, from_bottom: float = 12, height: float = 6) -> None:
        """`left` at the page's left and "page n of N" at its right, near the bottom edge."""
        self.set_y(-from_bottom)
        self.set_font(self.family, "", 8)
        self.cell(0, height, self.text_of(left), align="L")
        self.cell(0, height, f"page {self.page_no()} of {{nb}}", align="R")
