"""The recipient's one-time link: a random token and a separate verification code, stored only
as hashes; it opens once, expires, and closes after too many wrong codes (counted even though the
attempt fails). Opening it needs no staff sign-in; its URL names nothing but the token.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import uuid
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F

from confide.core import clock
from confide.disclosures.enums import DeliveryMethod
from confide.disclosures.errors import LinkUnavailable, WrongCode, readable
from confide.disclosures.models import Delivery
from confide.disclosures.services import key_for
from confide.ledger import services as ledger
from confide.ledger.enums import EventType
from confide.records import files
from confide.records.models import Attachment

logger = logging.getLogger(__name__)


def _hash(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


@dataclass(frozen=True)
class NewLink:
    """A fresh link: the secrets (shown once) and what is stored (their hashes)."""

    token: str
    code: str

    @property
    def token_hash(self) -> str:
        return _hash("token", self.token)

    @property
    def code_hash(self) -> str:
        return _hash("code", self.token, self.code)


def new_link() -> NewLink:
    return NewLink(secrets.token_urlsafe(32), new_code())


def new_code() -> str:
    return f"{secrets.randbelow(10**8):08d}"


def link_url(token: str) -> str:
    return settings.CONFIDE_BASE_URL.rstrip("/") + f"/r/{token}/"


def send_link(email: str, token: str, delivery_id: uuid.UUID) -> None:
    """E-mail the link (never the code) once the release commits."""
    url = link_url(token)

    def send() -> None:
        try:
            send_mail(
                subject="Confidential records: one-time link",
                message=(
                    "Records were released to you. Open this link once, and enter the "
                    f"verification code the sender gives you separately:\n\n{url}\n\n"
                    f"The link expires in {settings.CONFIDE_RELEASE_LINK_HOURS} hours.\n"
                ),
                from_email=None,
                recipient_list=[email],
            )
        except Exception:  # the release stands; the sender can copy the link by hand
            logger.warning("release link e-mail for delivery %s failed", delivery_id)

    transaction.on_commit(send)


def _link(token: object, *, lock: bool = False) -> Delivery:
    if not isinstance(token, str) or not 20 <= len(token) <= 100:
        raise LinkUnavailable("unknown")
    query = Delivery.objects.filter(method=DeliveryMethod.LINK, token_hash=_hash("token", token))
    found = (query.select_for_update() if lock else query).first()
    if found is None:
        raise LinkUnavailable("unknown")
    if found.used_at is not None:
        raise LinkUnavailable("used")
    if found.failed_attempts >= settings.CONFIDE_RELEASE_LINK_ATTEMPTS:
        raise LinkUnavailable("locked")
    if found.expires_at is None or found.expires_at <= clock.now():
        raise LinkUnavailable("expired")
    return found


def link_check(token: object) -> None:
    """Whether a link may still be opened (no client data, no event). Raises LinkUnavailable."""
    _link(token)


def _link_event(delivery: Delivery, event: EventType, details: dict[str, Any]) -> None:
    ledger.record(
        actor=None,
        agency_id=delivery.agency_id,
        channel="link",
        event_type=event,
        subject_type="disclosure_delivery",
        subject_id=delivery.id,
        client_id=delivery.client_id,
        details=details,
    )


@readable
def link_redeem(token: object, code: object) -> tuple[str, bytes]:
    """The packet's file name and PDF, once, for the right code. A wrong code counts against
    the link (it closes after CONFIDE_RELEASE_LINK_ATTEMPTS); the count is kept even though the
    call fails. Writes disclosures:link:opened or disclosures:link:refused. Raises
    LinkUnavailable, WrongCode.
    """
    with transaction.atomic():
        delivery = _link(token, lock=True)
        given = code.strip() if isinstance(code, str) else ""
        if not hmac.compare_digest(_hash("code", str(token), given), delivery.code_hash):
            Delivery.objects.filter(id=delivery.id).update(failed_attempts=F("failed_attempts") + 1)
            left = settings.CONFIDE_RELEASE_LINK_ATTEMPTS - delivery.failed_attempts - 1
            _link_event(delivery, EventType.RELEASE_LINK_REFUSED, {"attempts_left": max(left, 0)})
            wrong: WrongCode | LinkUnavailable = (
                WrongCode(left) if left > 0 else LinkUnavailable("locked")
            )
        else:
            delivery.used_at = clock.now()
            delivery.save(update_fields=["used_at", "updated_at"])
            attachment = Attachment.objects.get(id=delivery.pdf_id or uuid.UUID(int=0))
            data = key_for(delivery.client_id).decrypt(
                "records_attachment.blob", attachment.id, files.load(attachment)
            )
            _link_event(delivery, EventType.RELEASE_LINK_OPENED, {"sha256": delivery.digest})
            return f"release-{delivery.request_id}.pdf", data
    raise wrong  # outside the transaction, so the failed attempt stays counted
