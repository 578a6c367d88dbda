"""Fetching one object by id through the policy: missing and forbidden raise the same NotFound."""

from __future__ import annotations

from typing import Any, TypeVar
from uuid import UUID

from django.db.models import Model, QuerySet

from confide.access.policy import Action, Decision, authorize
from confide.core.actor import Actor
from confide.core.errors import NotFound, NotPermitted
from confide.core.ids import parse_id
from confide.records.models import Case, Client, Note

M = TypeVar("M", Client, Case, Note)
# What `authorize` reads of each object, fetched with it.
RELATED: dict[type[Model], tuple[str, ...]] = {
    Note: ("client", "author", "case"),
    Case: ("client",),
}


def get_authorized(
    actor: Actor, model: type[M], object_id: UUID | str, action: Action, *, lock: bool = False
) -> tuple[M, Decision]:
    """The object if it exists in the actor's agency and `authorize` allows `action`."""
    parsed = parse_id(object_id)
    manager: QuerySet[Any] = model.objects.all()
    if lock:
        manager = manager.select_for_update(of=("self",))
    related = RELATED.get(model, ())
    if related:
        manager = manager.select_related(*related)
    found: Model | None = None
    if parsed is not None:
        found = manager.filter(id=parsed, agency_id=actor.agency_id).first()
    if found is None:
        raise NotFound(model.__name__.lower())
    decision = authorize(actor, action, found)  # type: ignore[arg-type]
    if not decision.allowed:
        view = Action.NOTE_VIEW if isinstance(found, Note) else Action.CLIENT_VIEW
        if action != view and authorize(actor, view, found).allowed:  # type: ignore[arg-type]
            raise NotPermitted("You can see this record but not do that to it.")
        raise NotFound(model.__name__.lower())
    return found, decision  # type: ignore[return-value]
