"""The consent panel on the client record: the notice's acknowledgement state and links to
the consent pages, for staff who may use them (the panel asks the access policy itself, so the
record page needs no consent logic of its own)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django import template

from confide.access.lookups import get_authorized
from confide.access.policy import Action, authorize
from confide.consent.selectors import notice_status
from confide.core.actor import Actor
from confide.core.errors import DomainError
from confide.records.models import Client

register = template.Library()


@register.inclusion_tag("web/consent/_panel.html")
def consent_panel(actor: Actor, client_id: UUID) -> dict[str, Any]:
    try:
        client, _ = get_authorized(actor, Client, client_id, Action.NOTICE_ACKNOWLEDGE)
    except DomainError:
        return {"show": False}
    return {
        "show": True,
        "client_id": client.id,
        "status": notice_status(actor=actor, client_id=client.id),
        "can_manage": authorize(actor, Action.CONSENT_VIEW, client).allowed,
    }
