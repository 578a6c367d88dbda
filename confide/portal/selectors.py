"""The portal's readers. Everything a client sees is their own: every reader takes the signed-in
client (`ClientSelf`) and reads only rows of that client record, so an id of anything else
(forged, another client's, another agency's) is simply not found. Each page view is on the
ledger (portal:page:viewed, or the release and acknowledgement events of their own apps).

Staff read a client's portal access (`access_status`) with consent:manage on the client.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from uuid import UUID

from django.db import transaction

from confide.access.lookups import get_authorized
from confide.access.policy import Action
from confide.consent.enums import Language, language_name
from confide.consent.models import Acknowledgement, Notice
from confide.consent.selectors import (
    NoticeBlock,
    NoticeStatus,
    client_notice_status,
    current_notices,
    notice_blocks,
)
from confide.core import clock
from confide.core.actor import Actor
from confide.core.ids import parse_id
from confide.crypto.envelope import DecryptionFailed, client_key
from confide.ledger import services as ledger
from confide.ledger.enums import EventType
from confide.portal.models import PortalAccount, PortalInvitation
from confide.records.models import Client
from confide.releases.access import ClientSelf

OWN_RECORD_POLICY = "client.own_record"
NOBODY = UUID(int=0)


def principal_for(account_id: object) -> ClientSelf | None:
    """The client of a usable account, or None when the account is gone, disabled, or its
    client's key was shredded (no ledger event)."""
    parsed = parse_id(account_id)
    account = PortalAccount.objects.filter(id=parsed).first() if parsed is not None else None
    return _principal(account)


def session_principal(account_id: object, epoch: object) -> ClientSelf | None:
    """The signed-in client of a portal session (checked on every request), or None when the
    account is not usable or the session began before the account's last reset or ending (its
    stored epoch is not the account's `session_epoch`)."""
    parsed = parse_id(account_id)
    account = PortalAccount.objects.filter(id=parsed).first() if parsed is not None else None
    if account is None or type(epoch) is not int or epoch != account.session_epoch:
        return None
    return _principal(account)


def _principal(account: PortalAccount | None) -> ClientSelf | None:
    if account is None or not account.is_usable:
        return None
    try:
        client_key(account.client_id)
    except DecryptionFailed:
        return None
    return ClientSelf(
        client_id=account.client_id, agency_id=account.agency_id, account_id=account.id
    )


def account_language(principal: ClientSelf) -> str:
    language = (
        PortalAccount.objects.filter(id=principal.account_id or NOBODY)
        .values_list("language", flat=True)
        .first()
    )
    return language or Language.ENGLISH


def _page_viewed(principal: ClientSelf, page: str) -> None:
    ledger.record(
        actor=None,
        agency_id=principal.agency_id,
        actor_id=principal.account_id,
        channel=principal.channel,
        event_type=EventType.PORTAL_PAGE_VIEWED,
        subject_type="client",
        subject_id=principal.client_id,
        client_id=principal.client_id,
        policy_ids=(OWN_RECORD_POLICY,),
        details={"page": page},
    )


def _notice_status(principal: ClientSelf) -> NoticeStatus:
    return client_notice_status(client_id=principal.client_id, agency_id=principal.agency_id)


@dataclass(frozen=True)
class AcknowledgementLine:
    id: UUID
    version: int
    language: str
    acknowledged_at: dt.datetime
    in_portal: bool

    @property
    def language_name(self) -> str:
        return language_name(self.language)


def _acknowledgements(principal: ClientSelf) -> list[AcknowledgementLine]:
    rows = (
        Acknowledgement.objects.filter(client_id=principal.client_id, agency_id=principal.agency_id)
        .select_related("notice")
        .order_by("-acknowledged_at")
    )
    return [
        AcknowledgementLine(
            a.id, a.notice.version, a.notice.language, a.acknowledged_at, a.witness_id is None
        )
        for a in rows
    ]


@dataclass(frozen=True)
class PortalHome:
    status: NoticeStatus


@transaction.atomic
def portal_home(*, principal: ClientSelf) -> PortalHome:
    """The start page: whether the notice asks for an acknowledgement. Writes
    portal:page:viewed (home)."""
    _page_viewed(principal, "home")
    return PortalHome(status=_notice_status(principal))


@dataclass(frozen=True)
class PortalNotice:
    notice: Notice | None
    blocks: list[NoticeBlock]
    languages: list[tuple[str, str, bool]]
    status: NoticeStatus
    acknowledgements: list[AcknowledgementLine]


def _shown(notices: dict[str, Notice], language: str) -> Notice | None:
    """The text a client asking for `language` reads: that language's, else English."""
    return notices.get(language) or notices.get(Language.ENGLISH)


def notice_language(*, principal: ClientSelf, language: str) -> str:
    """The language of the notice text the client is shown when asking for `language` (what
    its acknowledgement is worded in). No event: it reveals no text; the page records itself."""
    notice = _shown(current_notices(principal.agency_id), language)
    return notice.language if notice is not None else language


@transaction.atomic
def portal_notice(*, principal: ClientSelf, language: str) -> PortalNotice:
    """The agency's current notice in the client's language (English when that text is
    missing), their acknowledgement state and their earlier acknowledgements. Writes
    portal:page:viewed (notice)."""
    _page_viewed(principal, "notice")
    notices = current_notices(principal.agency_id)
    notice = _shown(notices, language)
    return PortalNotice(
        notice=notice,
        blocks=notice_blocks(notice.body) if notice else [],
        languages=[(code, label, code in notices) for code, label in Language.choices],
        status=_notice_status(principal),
        acknowledgements=_acknowledgements(principal),
    )


# ---- staff: the client's portal access --------------------------------------------------------


@dataclass(frozen=True)
class AccessStatus:
    client_id: UUID
    state: str  # "none", "invited", "active", "ended"
    sign_in_id: str
    activated_at: dt.datetime | None
    invitation_expires_at: dt.datetime | None  # a live invitation, whatever the state
    locked: bool

    @property
    def can_end(self) -> bool:
        return self.state in ("active", "invited")

    @property
    def can_withdraw(self) -> bool:
        return self.invitation_expires_at is not None


@transaction.atomic
def access_status(*, actor: Actor, client_id: UUID | str) -> AccessStatus:
    """Whether the client has portal access, for their care team. Needs consent:manage.
    Writes portal:account:viewed. Raises NotFound, NotPermitted."""
    client, decision = get_authorized(actor, Client, client_id, Action.CONSENT_MANAGE)
    ledger.record(
        actor=actor,
        event_type=EventType.PORTAL_ACCESS_VIEWED,
        subject_type="client",
        subject_id=client.id,
        client_id=client.id,
        policy_ids=decision.policy_ids,
    )
    account = PortalAccount.objects.filter(client=client).first()
    if account is None:
        return AccessStatus(client.id, "none", "", None, None, False)
    now = clock.now()
    pending = (
        PortalInvitation.objects.filter(
            account=account, used_at=None, withdrawn_at=None, expires_at__gt=now
        )
        .order_by("-expires_at")
        .first()
    )
    if account.disabled_at is not None:
        state = "ended"
    elif account.activated_at is not None:
        state = "active"
    else:
        state = "invited" if pending else "none"
    return AccessStatus(
        client_id=client.id,
        state=state,
        sign_in_id=account.sign_in_id,
        activated_at=account.activated_at,
        invitation_expires_at=pending.expires_at if pending else None,
        locked=account.locked_until is not None and account.locked_until > now,
    )
