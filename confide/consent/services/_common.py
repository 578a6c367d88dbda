"""Helpers the consent services share: ids from untrusted input, and the client an action
needs."""

from __future__ import annotations

from uuid import UUID

from confide.access.lookups import get_authorized
from confide.access.policy import Action
from confide.core.actor import Actor
from confide.core.ids import parse_id
from confide.records.models import Client

NO_SUCH_ID = UUID(int=0)


def _uuid(raw: UUID | str | None) -> UUID:
    """The id, or an id that matches nothing (malformed input is simply not found)."""
    return parse_id(raw) or NO_SUCH_ID


def _consent_client(
    actor: Actor, client_id: UUID | str, action: Action, *, lock: bool = False
) -> Client:
    """The client, if the actor may do `action` on it (NotFound or NotPermitted otherwise)."""
    client, _ = get_authorized(actor, Client, client_id, action, lock=lock)
    return client
