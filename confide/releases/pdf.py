"""The client's copy of a release as a PDF (fpdf2), which 45 CFR 164.508(c)(4) asks the agency
to give: its terms, then each statement the form holds in full, worded for its kind and
addressed to the client (`wording`; never the staff checklist's labels), and when it ends. Fonts
as in the ledger's reports: DejaVu Sans when installed, else Helvetica with characters outside
Latin-1 shown as "?"."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from django.utils import timezone
from fpdf.enums import XPos, YPos

from confide.core.pdf import ConfidePdf, font_dir
from confide.releases.enums import Status
from confide.releases.selectors import ReleaseDetail

TITLE = "Release of information - copy for the client"


class ReleasePdf(ConfidePdf):
    def __init__(self, fonts: Path | None) -> None:
        super().__init__(title=TITLE, fonts=fonts)

    def footer(self) -> None:
        self.footer_line(f"{TITLE} - confidential")

    def heading(self, text: str, size: float = 15) -> None:
        self.set_font(self.family, "B", size)
        self.multi_cell(0, size * 0.55, self.text_of(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(2)

    def pairs(self, rows: Sequence[tuple[str, str]]) -> None:
        for label, value in rows:
            self.set_font(self.family, "B", 10)
            self.cell(48, 6, self.text_of(label))
            self.set_font(self.family, "", 10)
            self.multi_cell(0, 6, self.text_of(value or "-"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(3)

    def subheading(self, text: str) -> None:
        self.set_font(self.family, "B", 10)
        self.multi_cell(0, 5.5, self.text_of(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def paragraph(self, text: str) -> None:
        self.set_font(self.family, "", 10)
        self.multi_cell(0, 5.5, self.text_of(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _records(detail: ReleaseDetail) -> str:
    f = detail.on_file
    if not f.records_from and not f.records_to:
        return "all dates"
    first = f.records_from.isoformat() if f.records_from else "the start of the record"
    last = f.records_to.isoformat() if f.records_to else "the end of this release"
    return f"from {first} to {last}"


def _signature(detail: ReleaseDetail) -> str:
    if detail.signed_on is None:
        return "Not signed (draft)"
    who = detail.signer_name
    if detail.signer_is_representative:
        who += f", personal representative ({detail.representative_authority})"
    return f"{who}, signed {detail.signed_on.isoformat()}"


def release_pdf(detail: ReleaseDetail) -> bytes:
    f = detail.on_file
    pdf = ReleasePdf(font_dir())
    pdf.add_page()
    pdf.heading(TITLE)
    pdf.pairs(
        [
            ("Kind", f.kind.label),
            ("Status today", f.status.label),
            ("Release id", str(f.id)),
            ("Who may disclose", detail.discloser),
            ("Who may receive", f"{f.recipient_name} ({f.recipient_type.label})"),
            ("Recipient contact", detail.recipient_contact),
            ("Purpose", f.purpose.label),
            ("About the purpose", detail.purpose_detail),
            ("Information", ", ".join(c.label for c in f.categories)),
            ("Description", detail.description),
            ("Records dated", _records(detail)),
            ("In effect from", f.starts_on.isoformat()),
            ("Ends", detail.ends_for_client),
            ("Signature", _signature(detail)),
        ]
    )
    if f.status == Status.REVOKED and detail.revoked_at is not None:
        when = timezone.localtime(detail.revoked_at).strftime("%Y-%m-%d %H:%M")
        pdf.pairs([("Revoked", f"{when} ({detail.revoked_by_label})")])
    statements = detail.client_statements
    if statements:
        pdf.heading("What this form tells you", 12)
        for statement in statements:
            pdf.subheading(statement.heading)
            pdf.paragraph(statement.text)
            pdf.ln(2)
    return bytes(pdf.output())
