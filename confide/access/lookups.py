"""Fetching one object by id through the policy: missing and forbidden raise the same NotFound.

Within a read-only request (`read_scope`, entered by middleware for GET and HEAD), an object
fetched once is kept for the rest of that request with the facts and grants memoized on it, so
the page's other parts (restrictions, the consent panel) ask the policy again without reloading
the row and its facts. Every look-up still gets its own Cedar decision; nothing outlives the
request, and nothing is kept for requests that may change state.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
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


_SCOPE: ContextVar[dict[tuple[type[Model], UUID, UUID], Model] | None] = ContextVar(
    "confide_access_read_scope", default=None
)


@contextmanager
def read_scope() -> Iterator[None]:
    """Keep objects fetched by `get_authorized` until the end of this (read-only) request."""
    token = _SCOPE.set({})
    try:
        yield
    finally:
        _SCOPE.reset(token)


def _fetch(
    actor: Actor, model: type[Model], manager: QuerySet[Any], parsed: UUID, lock: bool
) -> Model | None:
    kept = None if lock else _SCOPE.get()
    key = (model, parsed, actor.agency_id)
    if kept is not None and key in kept:
        return kept[key]
    found: Model | None = manager.filter(id=parsed, agency_id=actor.agency_id).first()
    if kept is not None and found is not None:
        kept[key] = found
    return found


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
    found = None if parsed is None else _fetch(actor, model, manager, parsed, lock)
    if found is None:
        raise NotFound(model.__name__.lower())
    decision = authorize(actor, action, found)  # type: ignore[arg-type]
    if not decision.allowed:
        view = Action.NOTE_VIEW if isinstance(found, Note) else Action.CLIENT_VIEW
        if action != view and authorize(actor, view, found).allowed:  # type: ignore[arg-type]
            raise NotPermitted("You can see this record but not do that to it.")
        raise NotFound(model.__name__.lower())
    return found, decision  # type: ignore[return-value]
