"""Reaching a client's releases through the access policy (`release:*` actions on the client).

A release of another agency, of a client behind a conflict wall, or an id that is not one all
answer the same NotFound; someone who may see the client but not do this gets NotPermitted.

The client acting on their own releases (`ClientSelf`, from the portal) reaches only the releases
of their own client record: any other id, forged or another client's, is the same NotFound.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from confide.access.lookups import get_authorized
from confide.access.policy import Action, Decision
from confide.core.actor import Actor
from confide.core.errors import NotFound
from confide.core.ids import parse_id
from confide.records.models import Client
from confide.releases.models import Release


@dataclass(frozen=True)
class ClientSelf:
    """The client acting on their own releases, signed in to the portal.

    The portal authenticates the client; a client may see and revoke only their own releases
    (their right under 45 CFR 164.508(b)(5) and 42 CFR 2.31). `account_id` is the portal
    account, which the ledger records as the actor (with channel `portal`).
    """

    client_id: UUID
    agency_id: UUID
    account_id: UUID | None = None
    channel: str = "portal"


def own_release(principal: ClientSelf, release_id: UUID | str, *, lock: bool = False) -> Release:
    """One of the client's own releases; NotFound for any other id (forged, mistyped, another
    client's or another agency's)."""
    parsed = parse_id(release_id)
    rows = Release.objects.filter(client_id=principal.client_id, agency_id=principal.agency_id)
    if lock:
        rows = rows.select_for_update()
    release = rows.filter(id=parsed).first() if parsed is not None else None
    if release is None:
        raise NotFound("release")
    return release


def authorized_client(
    actor: Actor, client_id: UUID | str, action: Action
) -> tuple[Client, Decision]:
    return get_authorized(actor, Client, client_id, action)


def authorized_release(
    actor: Actor, release_id: UUID | str, action: Action, *, lock: bool = False
) -> tuple[Release, Decision]:
    """The release if it is of the actor's agency and `action` is allowed on its client."""
    parsed = parse_id(release_id)
    rows = Release.objects.select_related("client")
    if lock:
        rows = rows.select_for_update(of=("self",))
    release = None
    if parsed is not None:
        release = rows.filter(id=parsed, agency_id=actor.agency_id).first()
    if release is None:
        raise NotFound("release")
    try:
        _, decision = get_authorized(actor, Client, release.client_id, action)
    except NotFound:
        raise NotFound("release") from None
    return release, decision
