"""The printable acknowledgement: a PDF copy of one acknowledgement of the limits-of-
confidentiality notice for the client (the notice as acknowledged, the typed name, the drawn
signature when there is one, the date and the witness).

Two readers, each on the ledger (consent:acknowledgement:exported): staff who may open the
client's consent record (`acknowledgement_copy`, consent:view on the client, the decision the
consent page makes; staff route `acknowledgements/<id>/pdf/`) and the client in the portal
(`client_acknowledgement_copy`, their own acknowledgements only; any other id is not found). The
signature is stored sealed under the client's data key and is opened only to draw it into the
PDF.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path
from uuid import UUID

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from fpdf.enums import XPos, YPos

from confide.access.lookups import get_authorized
from confide.access.policy import Action
from confide.consent.enums import language_name
from confide.consent.models import Acknowledgement
from confide.consent.sealed import UNREADABLE, key_or_none, open_text
from confide.consent.selectors import notice_blocks
from confide.core.actor import Actor
from confide.core.errors import NotFound
from confide.core.ids import parse_id
from confide.core.pdf import ConfidePdf, font_dir
from confide.crypto.envelope import DecryptionFailed
from confide.ledger import services as ledger
from confide.ledger.enums import EventType
from confide.records.models import Client

TITLE = "Limits of confidentiality - acknowledgement, copy for the client"
NO_WITNESS = "None: the client acknowledged it alone, in the client portal"


@dataclass(frozen=True)
class AcknowledgementCopy:
    id: UUID
    agency_name: str
    notice_title: str
    notice_version: int
    language: str
    notice_body: str
    typed_name: str
    signature_png: bytes | None
    witness: str
    acknowledged_at: dt.datetime


@transaction.atomic
def acknowledgement_copy(*, actor: Actor, acknowledgement_id: UUID | str) -> AcknowledgementCopy:
    """A client's acknowledgement for printing. Needs consent:view on the client (its care team,
    as the consent record that lists it; not intake, who witnesses new acknowledgements but does
    not read earlier ones, nor an emergency or review grant alone). Writes
    consent:acknowledgement:exported. Raises NotFound (also for staff who may not see the
    client), NotPermitted (staff who see the record only through a grant)."""
    row = _row(Acknowledgement.objects.filter(agency_id=actor.agency_id), acknowledgement_id)
    try:
        _, decision = get_authorized(actor, Client, row.client_id, Action.CONSENT_VIEW)
    except NotFound:
        raise NotFound("acknowledgement") from None
    ledger.record(
        actor=actor,
        event_type=EventType.ACKNOWLEDGEMENT_EXPORTED,
        subject_type="acknowledgement",
        subject_id=row.id,
        client_id=row.client_id,
        policy_ids=decision.policy_ids,
        details={"format": "pdf"},
    )
    return _copy(row)


@transaction.atomic
def client_acknowledgement_copy(
    *, client_id: UUID, agency_id: UUID, account_id: UUID, acknowledgement_id: UUID | str
) -> AcknowledgementCopy:
    """One of the client's own acknowledgements, for the portal (the caller authenticated the
    client). Writes consent:acknowledgement:exported with channel portal. Raises NotFound."""
    rows = Acknowledgement.objects.filter(client_id=client_id, agency_id=agency_id)
    row = _row(rows, acknowledgement_id)
    ledger.record(
        actor=None,
        agency_id=agency_id,
        actor_id=account_id,
        channel="portal",
        event_type=EventType.ACKNOWLEDGEMENT_EXPORTED,
        subject_type="acknowledgement",
        subject_id=row.id,
        client_id=client_id,
        policy_ids=("client.own_record",),
        details={"format": "pdf"},
    )
    return _copy(row)


def _row(rows: QuerySet[Acknowledgement], raw_id: UUID | str) -> Acknowledgement:
    parsed = parse_id(raw_id)
    found = (
        rows.select_related("notice", "witness", "agency").filter(id=parsed).first()
        if parsed is not None
        else None
    )
    if found is None:
        raise NotFound("acknowledgement")
    return found


def _copy(row: Acknowledgement) -> AcknowledgementCopy:
    key = key_or_none(row.client_id)
    signature = None
    if row.signature_enc is not None and key is not None:
        try:
            signature = key.decrypt(
                "consent_acknowledgement.signature", row.id, bytes(row.signature_enc)
            )
        except DecryptionFailed:
            signature = None
    return AcknowledgementCopy(
        id=row.id,
        agency_name=row.agency.name,
        notice_title=row.notice.title,
        notice_version=row.notice.version,
        language=row.notice.language,
        notice_body=row.notice.body,
        typed_name=open_text(key, "acknowledgement.typed_name", row.id, row.typed_name_enc),
        signature_png=signature,
        witness=row.witness.display_name if row.witness is not None else NO_WITNESS,
        acknowledged_at=row.acknowledged_at,
    )


class AcknowledgementPdf(ConfidePdf):
    def __init__(self, fonts: Path | None) -> None:
        super().__init__(title=TITLE, fonts=fonts)

    def footer(self) -> None:
        self.footer_line(f"{TITLE} - confidential")

    def heading(self, text: str, size: float = 14) -> None:
        self.set_font(self.family, "B", size)
        self.multi_cell(0, size * 0.55, self.text_of(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(2)

    def pair(self, label: str, value: str) -> None:
        self.set_font(self.family, "B", 10)
        self.cell(48, 6, self.text_of(label))
        self.set_font(self.family, "", 10)
        self.multi_cell(0, 6, self.text_of(value or "-"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def paragraph(self, text: str, size: float = 10) -> None:
        self.set_font(self.family, "", size)
        self.multi_cell(0, size * 0.55, self.text_of(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(1.5)


def acknowledgement_pdf(copy: AcknowledgementCopy) -> bytes:
    """The copy as a PDF: who acknowledged which version when, the drawn signature as an image
    (when there is one), the witness, then the notice's text as it was acknowledged."""
    pdf = AcknowledgementPdf(font_dir())
    pdf.set_lang(copy.language)
    pdf.add_page()
    pdf.heading(TITLE, 15)
    when = timezone.localtime(copy.acknowledged_at).strftime("%Y-%m-%d %H:%M")
    pdf.pair("Agency", copy.agency_name)
    pdf.pair(
        "Notice",
        f"{copy.notice_title} (version {copy.notice_version}, {language_name(copy.language)})",
    )
    pdf.pair("Acknowledged on", when)
    pdf.pair("Typed name", copy.typed_name)
    pdf.pair("Witness", copy.witness)
    pdf.pair("Acknowledgement id", str(copy.id))
    _signature(pdf, copy)
    pdf.ln(4)
    pdf.heading("The notice as acknowledged", 12)
    for block in notice_blocks(copy.notice_body):
        if block.kind == "heading":
            pdf.heading(block.lines[0], 11)
        elif block.kind == "list":
            for line in block.lines:
                pdf.paragraph(f"- {line}")
        else:
            pdf.paragraph(block.lines[0])
    return bytes(pdf.output())


def _signature(pdf: AcknowledgementPdf, copy: AcknowledgementCopy) -> None:
    pdf.set_font(pdf.family, "B", 10)
    pdf.cell(48, 6, "Signature")
    pdf.set_font(pdf.family, "", 10)
    if copy.signature_png is None:
        text = "Typed name only" if copy.typed_name != UNREADABLE else UNREADABLE
        pdf.multi_cell(0, 6, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        return
    pdf.ln(7)
    # The pad is 480 x 160 pixels: 90 mm wide keeps its proportions on the page.
    pdf.image(io.BytesIO(copy.signature_png), x=pdf.l_margin + 48, w=90, alt_text="Drawn signature")
    pdf.ln(2)
