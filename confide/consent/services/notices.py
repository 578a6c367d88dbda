"""The limits-of-confidentiality notice: versions published by a privacy officer, and the
client's acknowledgement (typed name, optional drawn signature, witness)."""

from __future__ import annotations

import base64
import binascii
import io
from pathlib import Path
from uuid import UUID

from django.db import transaction
from django.db.models import Max
from PIL import Image

from confide.access.policy import Action
from confide.accounts.models import Agency
from confide.consent import validation as check
from confide.consent.enums import Language, SignatureKind
from confide.consent.models import Acknowledgement, Notice
from confide.consent.sealed import seal_text
from confide.consent.services._common import _consent_client, _uuid
from confide.core import clock
from confide.core.actor import Actor
from confide.core.enums import Role
from confide.core.errors import Conflict, NotFound, NotPermitted, ValidationFailed
from confide.crypto.envelope import client_key
from confide.ledger import services as ledger
from confide.ledger.enums import EventType
from confide.ledger.services import DetailValue
from confide.records.models import Client

SHIPPED_NOTICES = Path(__file__).resolve().parent.parent / "notices"
PNG_DATA_URL = "data:image/png;base64,"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
MAX_SIGNATURE_BYTES = 256 * 1024
# The pad is 480 x 160 CSS pixels; a high-density screen may send twice that.
MAX_SIGNATURE_PIXELS = (960, 320)
PORTAL_CHANNEL = "portal"


def shipped_notice_texts() -> dict[str, tuple[str, str]]:
    """The notice texts shipped with Confide: {language: (title, body)}; the first line of
    each file is its title."""
    texts = {}
    for language in Language.values:
        title, _, body = (SHIPPED_NOTICES / f"{language}.txt").read_text().partition("\n")
        texts[language] = (title.strip(), body.strip())
    return texts


@transaction.atomic
def notice_publish(
    *, actor: Actor, texts: dict[str, tuple[str, str]], material: bool
) -> list[Notice]:
    """Publish a new version of the agency's notice, one text per language (English required).

    The first version is always material. Privacy officers only. Writes
    consent:notice:published. Raises NotPermitted, ValidationFailed.
    """
    if actor.role != Role.PRIVACY_OFFICER:
        raise NotPermitted("A privacy officer publishes the agency's notice.")
    problems = check.Problems()
    material = check.flag(problems, "material", material)
    if not isinstance(texts, dict) or Language.ENGLISH not in texts:
        problems.add("texts", "an English text is required")
        texts = {}
    cleaned: dict[str, tuple[str, str]] = {}
    for language, pair in texts.items():
        language = check.choice(problems, "language", language, Language.values)
        title, body = pair if isinstance(pair, tuple) and len(pair) == 2 else ("", "")
        title = check.text(
            problems, f"title_{language}", title, check.MAX_NOTICE_TITLE, required=True
        )
        body = check.text(problems, f"body_{language}", body, check.MAX_NOTICE_BODY, required=True)
        cleaned[language] = (title, body)
    problems.raise_if_any()
    Agency.objects.select_for_update().filter(id=actor.agency_id).first()  # one version at a time
    latest = Notice.objects.filter(agency_id=actor.agency_id).aggregate(v=Max("version"))["v"]
    version = (latest or 0) + 1
    notices = [
        Notice.objects.create(
            agency_id=actor.agency_id,
            version=version,
            language=language,
            title=title,
            body=body,
            material=material or version == 1,
            published_by_id=actor.user_id,
        )
        for language, (title, body) in sorted(cleaned.items())
    ]
    ledger.record(
        actor=actor,
        event_type=EventType.NOTICE_PUBLISHED,
        subject_type="notice",
        subject_id=str(version),
        details={"version": version, "languages": sorted(cleaned), "material": notices[0].material},
    )
    return notices


def _signature(problems: check.Problems, signature: str | None) -> bytes | None:
    """The drawn signature's PNG bytes, or None for a typed name only."""
    if signature is None or signature == "":
        return None
    if not isinstance(signature, str) or not signature.startswith(PNG_DATA_URL):
        problems.add("signature", "must be a drawn signature (a PNG image) or left empty")
        return None
    encoded = signature[len(PNG_DATA_URL) :]
    if len(encoded) > MAX_SIGNATURE_BYTES * 4 // 3 + 4:
        problems.add("signature", f"must be at most {MAX_SIGNATURE_BYTES // 1024} KB")
        return None
    try:
        data = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        data = b""
    if not data.startswith(PNG_MAGIC) or not _is_drawing(data):
        problems.add("signature", "must be a drawn signature (a PNG image) or left empty")
        return None
    return data


def _is_drawing(data: bytes) -> bool:
    """A whole, decodable PNG no larger than the drawing pad at double density.

    The size is read from the header before any pixel is decoded, so a small file that would
    decode to a huge image (a "decompression bomb") is refused without the memory it would take;
    decoding the rest refuses a truncated or corrupt file that would break the printable copy.
    """
    try:
        with Image.open(io.BytesIO(data), formats=["PNG"]) as image:
            if image.width > MAX_SIGNATURE_PIXELS[0] or image.height > MAX_SIGNATURE_PIXELS[1]:
                return False
            image.load()
    except (OSError, ValueError, Image.DecompressionBombError, SyntaxError):
        return False
    return True


@transaction.atomic
def acknowledgement_record(
    *,
    actor: Actor,
    client_id: UUID | str,
    notice_id: UUID | str,
    typed_name: str,
    signature: str | None = None,
) -> Acknowledgement:
    """Record that the client read the current notice and acknowledged it, with their typed
    name and, if they drew one, their signature (a PNG data URL); the actor is the witness.

    Needs consent:notice:acknowledge (care team, intake). Writes consent:notice:acknowledged.
    Raises NotFound, ValidationFailed, Conflict (a newer version was published).
    """
    typed_name, drawn = _clean_acknowledgement(typed_name, signature)
    client = _consent_client(actor, client_id, Action.NOTICE_ACKNOWLEDGE, lock=True)
    acknowledgement = _acknowledge(client, notice_id, typed_name, drawn, witness_id=actor.user_id)
    ledger.record(
        actor=actor,
        event_type=EventType.NOTICE_ACKNOWLEDGED,
        subject_type="acknowledgement",
        subject_id=acknowledgement.id,
        client_id=client.id,
        details=_event_details(acknowledgement),
    )
    return acknowledgement


@transaction.atomic
def acknowledgement_record_by_client(
    *,
    client_id: UUID,
    agency_id: UUID,
    account_id: UUID,
    notice_id: UUID | str,
    typed_name: str,
    signature: str | None = None,
) -> Acknowledgement:
    """The same acknowledgement made by the client alone in the portal: no staff witness.

    The caller (the portal) has authenticated the client, whose own record this is. Writes
    consent:notice:acknowledged with the portal account as the actor and channel portal. Raises
    NotFound (no such client of the agency), ValidationFailed, Conflict.
    """
    typed_name, drawn = _clean_acknowledgement(typed_name, signature)
    client = Client.objects.select_for_update().filter(id=client_id, agency_id=agency_id).first()
    if client is None:
        raise NotFound("client")
    acknowledgement = _acknowledge(client, notice_id, typed_name, drawn, witness_id=None)
    ledger.record(
        actor=None,
        agency_id=agency_id,
        actor_id=account_id,
        channel=PORTAL_CHANNEL,
        event_type=EventType.NOTICE_ACKNOWLEDGED,
        subject_type="acknowledgement",
        subject_id=acknowledgement.id,
        client_id=client.id,
        policy_ids=("client.own_record",),
        details=_event_details(acknowledgement),
    )
    return acknowledgement


def _clean_acknowledgement(typed_name: str, signature: str | None) -> tuple[str, bytes | None]:
    problems = check.Problems()
    typed_name = check.text(problems, "typed_name", typed_name, check.MAX_NAME, required=True)
    drawn = _signature(problems, signature)
    problems.raise_if_any()
    return typed_name, drawn


def _acknowledge(
    client: Client,
    notice_id: UUID | str,
    typed_name: str,
    drawn: bytes | None,
    *,
    witness_id: UUID | None,
) -> Acknowledgement:
    """The acknowledgement row of the agency's current notice, sealed with the client's key."""
    notice = Notice.objects.filter(id=_uuid(notice_id), agency_id=client.agency_id).first()
    if notice is None:
        raise ValidationFailed({"notice": "choose a notice of this agency"})
    if Notice.objects.filter(agency_id=client.agency_id, version__gt=notice.version).exists():
        raise Conflict("A newer version of the notice was published; show the client that one.")
    acknowledgement = Acknowledgement(
        agency_id=client.agency_id,
        client=client,
        notice=notice,
        signature_kind=SignatureKind.DRAWN if drawn else SignatureKind.TYPED,
        witness_id=witness_id,
        acknowledged_at=clock.now(),
    )
    key = client_key(client.id)
    acknowledgement.typed_name_enc = seal_text(
        key, "acknowledgement.typed_name", acknowledgement.id, typed_name
    )
    if drawn is not None:
        acknowledgement.signature_enc = key.encrypt(
            "consent_acknowledgement.signature", acknowledgement.id, drawn
        )
    acknowledgement.save(force_insert=True)
    return acknowledgement


def _event_details(acknowledgement: Acknowledgement) -> dict[str, DetailValue]:
    return {
        "version": acknowledgement.notice.version,
        "language": acknowledgement.notice.language,
        "signature": acknowledgement.signature_kind,
    }
