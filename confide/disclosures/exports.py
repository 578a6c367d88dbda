"""The accounting of disclosures as CSV (spreadsheet-safe, see `ledger.exports`)."""

from __future__ import annotations

from django.utils import timezone

from confide.disclosures.accounting import AccountingReport
from confide.ledger.exports import csv_bytes

# Times are ISO 8601 in the agency's time zone, with their offset (so each also names its
# instant), as the report's page shows them.
ACCOUNTING_HEADER = (
    "disclosed_at",
    "recipient",
    "recipient_address",
    "description",
    "purpose",
    "legal_basis",
    "in_client_accounting",
    "excluded_kind",
    "excluded_because",
    "recorded_by",
    "release_id",
    "entry_id",
    "annotations",
)


def accounting_csv(report: AccountingReport) -> bytes:
    """Every entry of the report, included and excluded, one per line."""
    return csv_bytes(
        ACCOUNTING_HEADER,
        (
            (
                timezone.localtime(e.disclosed_at).isoformat(),  # the agency's day, with offset
                e.recipient,
                e.recipient_address,
                e.description,
                e.purpose,
                e.legal_basis,
                "yes" if e.included else "no",
                e.excluded_kind,
                e.excluded_label,
                e.recorded_by,
                e.release_id or "",
                e.id,
                " | ".join(
                    f"{timezone.localtime(a.created_at).isoformat()} {a.author_name}: {a.text}"
                    for a in e.annotations
                ),
            )
            for e in report.entries
        ),
    )
