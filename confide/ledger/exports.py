"""Report exports: CSV safe to open in a spreadsheet, and PDF (fpdf2).

CSV: RFC 4180 quoting (the csv module), UTF-8 with a byte-order mark (so spreadsheet programs
read accents right), and every cell that a spreadsheet would read as a formula (starting with
=, +, -, @, tab or carriage return) prefixed with a single quote (OWASP "CSV injection").

PDF: landscape A4 on `confide.core.pdf` (its fonts, metadata and footer line).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence
from pathlib import Path

from django.utils import timezone
from fpdf.enums import TableCellFillMode, XPos, YPos
from fpdf.fonts import FontFace

from confide.core.pdf import ConfidePdf, font_dir
from confide.ledger.reports import AccessReport, ReportFilters

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


# ---- CSV ----------------------------------------------------------------------------------------


def neutralize(value: object) -> str:
    """A cell's text, with a leading quote if a spreadsheet would run it as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow([neutralize(h) for h in header])
    for row in rows:
        writer.writerow([neutralize(cell) for cell in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


ACCESS_HEADER = (
    "seq",
    "occurred_at_utc",
    "staff_id",
    "staff_name",
    "staff_role",
    "channel",
    "event_type",
    "action",
    "subject_type",
    "subject_id",
    "reason",
    "policy_ids",
    "details",
)


def access_report_csv(report: AccessReport) -> bytes:
    return csv_bytes(
        ACCESS_HEADER,
        (
            (
                row.seq,
                row.occurred_at.astimezone(dt.UTC).isoformat(),
                row.actor_id or "",
                row.staff_name,
                row.staff_role,
                row.channel,
                row.event_type,
                row.action,
                row.subject_type,
                row.subject_id,
                row.reason,
                " ".join(row.policy_ids),
                row.details_text,
            )
            for row in report.rows
        ),
    )


# ---- PDF ----------------------------------------------------------------------------------------


class ReportPdf(ConfidePdf):
    """A landscape A4 report with a running footer (title, page n of N)."""

    def __init__(self, title: str, fonts: Path | None) -> None:
        super().__init__(title=title, fonts=fonts, orientation="L")
        self.report_title = title

    def footer(self) -> None:
        self.footer_line(f"{self.report_title} - confidential")

    def heading(self, text: str) -> None:
        self.set_font(self.family, "B", 16)
        self.cell(0, 10, self.text_of(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def facts(self, pairs: Sequence[tuple[str, str]]) -> None:
        for label, value in pairs:
            self.set_font(self.family, "B", 9)
            self.cell(38, 5.5, self.text_of(label))
            self.set_font(self.family, "", 9)
            self.multi_cell(0, 5.5, self.text_of(value), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(3)

    def grid(
        self, header: Sequence[str], widths: Sequence[float], rows: Iterable[Sequence[object]]
    ) -> None:
        self.set_font(self.family, "", 7.5)
        with self.table(
            col_widths=tuple(widths),
            width=sum(widths),
            text_align="LEFT",
            line_height=4,
            padding=1,
            headings_style=FontFace(emphasis="BOLD", fill_color=(225, 230, 236)),
            cell_fill_color=(246, 247, 249),
            cell_fill_mode=TableCellFillMode.ROWS,
            repeat_headings=1,
        ) as table:
            heading = table.row()
            for name in header:
                heading.cell(self.text_of(name))
            for values in rows:
                row = table.row()
                for value in values:
                    row.cell(self.text_of(value))


def describe_filters(filters: ReportFilters, staff_name: str | None) -> str:
    parts = [
        f"from {filters.since.isoformat()}" if filters.since else "from the first event",
        f"to {filters.until.isoformat()}" if filters.until else "to now",
    ]
    if filters.user is not None:
        parts.append(f"staff member: {staff_name or filters.user}")
    if filters.action:
        parts.append(f"action: {filters.action}")
    order = "descending" if filters.descending else "ascending"
    parts.append(f"sorted by {filters.sort}, {order}")
    return "; ".join(parts)


def local(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S %Z")


def access_report_pdf(report: AccessReport, *, staff_name: str | None = None) -> bytes:
    pdf = ReportPdf("Access report", font_dir())
    pdf.add_page()
    pdf.heading("Access report")
    pdf.facts(
        [
            ("Client", str(report.client_id)),
            ("Case numbers", ", ".join(report.case_numbers) or "none"),
            ("Agency", report.agency_name),
            ("Generated", f"{local(report.generated_at)} by {report.generated_by}"),
            ("Shows", describe_filters(report.filters, staff_name)),
            ("Events", f"{report.total}"),
        ]
    )
    widths = (11, 32, 36, 42, 52, 36, 28, 40)
    header = ("#", "Time", "Staff member", "Action", "What", "Policies", "Reason", "Details")
    pdf.grid(
        header,
        widths,
        (
            (
                r.seq,
                local(r.occurred_at),
                f"{r.staff_name}\n{r.staff_role}" if r.staff_role else r.staff_name,
                f"{r.action}\n{r.event_type}",
                r.what,
                " ".join(r.policy_ids),
                r.reason,
                r.details_text,
            )
            for r in report.rows
        ),
    )
    if not report.rows:
        pdf.set_font(pdf.family, "", 10)
        pdf.cell(0, 8, "No events match.")
    return bytes(pdf.output())
