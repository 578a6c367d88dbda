"""The consent panel on the client record: the notice's acknowledgement state and links to
the consent pages, for staff who may use them (the panel asks the access policy itself, so the
record page needs no consent logic of its own)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django import template

from confide.consent.selectors import notice_panel
from confide.core.actor import Actor

register = template.Library()


@register.inclusion_tag("web/consent/_panel.html")
def consent_panel(actor: Actor, client_id: UUID) -> dict[str, Any]:
    panel = notice_panel(actor=actor, client_id=client_id)
    if panel is None:
        return {"show": False}
    return {
        "show": True,
        "client_id": panel.client_id,
        "status": panel.status,
        "can_manage": panel.can_manage,
    }
