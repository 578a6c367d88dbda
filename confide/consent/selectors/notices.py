"""Readers of the limits-of-confidentiality notice: the current texts (also for the portal),
their blocks for a page, their readability, and whether a client must acknowledge again."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from uuid import UUID

from django.db.models import Max, Subquery

from confide.access.lookups import get_authorized
from confide.access.policy import Action, authorize
from confide.consent import readability
from confide.consent.enums import Language
from confide.consent.models import Acknowledgement, Notice
from confide.core.actor import Actor
from confide.core.errors import NotFound, NotPermitted
from confide.records.models import Client


@dataclass(frozen=True)
class NoticeBlock:
    kind: str  # "heading", "paragraph" or "list"
    lines: tuple[str, ...]


def notice_blocks(body: str) -> list[NoticeBlock]:
    """A notice's plain text as blocks for a page: "## " starts a heading, "- " a list item,
    a blank line ends a paragraph."""
    blocks: list[NoticeBlock] = []
    for chunk in body.replace("\r\n", "\n").split("\n\n"):
        lines = [line.strip() for line in chunk.split("\n") if line.strip()]
        paragraph: list[str] = []
        items: list[str] = []
        for line in lines:
            if line.startswith("## "):
                blocks += _flush(paragraph, items)
                paragraph, items = [], []
                blocks.append(NoticeBlock("heading", (line[3:],)))
            elif line.startswith("- "):
                blocks += _flush(paragraph, [])
                paragraph = []
                items.append(line[2:])
            else:
                blocks += _flush([], items)
                items = []
                paragraph.append(line)
        blocks += _flush(paragraph, items)
    return blocks


def _flush(paragraph: list[str], items: list[str]) -> list[NoticeBlock]:
    out = []
    if paragraph:
        out.append(NoticeBlock("paragraph", (" ".join(paragraph),)))
    if items:
        out.append(NoticeBlock("list", tuple(items)))
    return out


def current_notices(agency_id: UUID) -> dict[str, Notice]:
    """The newest version's text in each language it was published in."""
    latest = Notice.objects.filter(agency_id=agency_id).aggregate(v=Max("version"))["v"]
    if latest is None:
        return {}
    return {n.language: n for n in Notice.objects.filter(agency_id=agency_id, version=latest)}


def notice_versions(agency_id: UUID) -> list[Notice]:
    return list(Notice.objects.filter(agency_id=agency_id).order_by("-version", "language"))


@dataclass(frozen=True)
class NoticeStatus:
    current_version: int | None
    acknowledged_version: int | None
    acknowledged_at: dt.datetime | None
    needs_acknowledgement: bool
    reason: str  # "", "none_published", "never", "material_change"


def notice_status(*, actor: Actor, client_id: UUID | str) -> NoticeStatus:
    """Whether the client has acknowledged the notice, and whether a material new version asks
    for a new acknowledgement. Needs consent:notice:acknowledge (care team or intake). Raises
    NotFound, NotPermitted."""
    client, _ = get_authorized(actor, Client, client_id, Action.NOTICE_ACKNOWLEDGE)
    return _status(client)


@dataclass(frozen=True)
class NoticePanel:
    """The notice's state for the client record's panel, and whether the actor may also open
    the consent page."""

    client_id: UUID
    status: NoticeStatus
    can_manage: bool


def notice_panel(*, actor: Actor, client_id: UUID | str) -> NoticePanel | None:
    """`notice_status` for the record page, or None for staff who may not use the notice (the
    panel is then left out). One client fetch; its access facts serve both decisions."""
    try:
        client, _ = get_authorized(actor, Client, client_id, Action.NOTICE_ACKNOWLEDGE)
    except (NotFound, NotPermitted):
        return None
    can_manage = authorize(actor, Action.CONSENT_VIEW, client).allowed
    return NoticePanel(client.id, _status(client), can_manage)


def client_notice_status(*, client_id: UUID, agency_id: UUID) -> NoticeStatus:
    """The notice state of a client who is reading it themself (the portal's `ClientSelf`: the
    caller authenticated the client, so no actor and no policy). No ledger event of its own: it
    reveals versions and a date, never text; the portal records the page that shows it. Only
    this agency's notices and this client's acknowledgements in it are read, so a mismatched
    pair reads as "never acknowledged", never as another agency's or client's state."""
    return _status_of(client_id, agency_id)


def _status(client: Client) -> NoticeStatus:
    """The state for staff readers that already fetched (and authorized) the client."""
    return _status_of(client.id, client.agency_id)


def _status_of(client_id: UUID, agency_id: UUID) -> NoticeStatus:
    """One query: the agency's versions (a handful), each row also carrying the version and time
    of the client's latest acknowledgement (the same on every row)."""
    last = Acknowledgement.objects.filter(client_id=client_id, agency_id=agency_id).order_by(
        "-notice__version", "-acknowledged_at"
    )
    rows = list(
        Notice.objects.filter(agency_id=agency_id)
        .annotate(
            seen=Subquery(last.values("notice__version")[:1]),
            seen_at=Subquery(last.values("acknowledged_at")[:1]),
        )
        .values_list("version", "material", "seen", "seen_at")
        .distinct()
    )
    if not rows:
        return NoticeStatus(None, None, None, False, "none_published")
    versions: dict[int, bool] = {}
    for version, material, _, _ in rows:  # a version is material if any of its texts says so
        versions[version] = versions.get(version, False) or material
    current = max(versions)
    _, _, seen, seen_at = rows[0]
    if seen is None:
        return NoticeStatus(current, None, None, True, "never")
    material_since = any(material for v, material in versions.items() if v > seen)
    return NoticeStatus(
        current,
        seen,
        seen_at,
        material_since,
        "material_change" if material_since else "",
    )


def notice_scores(notices: dict[str, Notice]) -> dict[str, str]:
    """Each text's readability, in words: Flesch-Kincaid grade (English), Szigriszt-Pazos
    perspicuity (Spanish)."""
    scores = {}
    for language, notice in notices.items():
        if language == Language.SPANISH:
            scores[language] = f"Szigriszt-Pazos {readability.szigriszt_pazos(notice.body):.0f}"
        else:
            scores[language] = f"grade {readability.flesch_kincaid_grade(notice.body):.1f}"
    return scores
