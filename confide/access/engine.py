"""The Cedar engine: the policy set parsed once at start-up, and batch evaluation.

Nothing else calls cedarpy. Policies and schema live in `cedar/`; a test validates the
policies against the schema, so runtime calls skip schema validation.

Cost model (see docs/access-policy.md, "Performance"): parsing entities costs far more than
evaluating the policy, so the principal's entity is parsed once per distinct content, each
request passes only its resources as a delta, and a batch evaluates each distinct resource
content once.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cedarpy

CEDAR_DIR = Path(__file__).resolve().parent / "cedar"
POLICY_TEXT = (CEDAR_DIR / "policies.cedar").read_text()
SCHEMA_TEXT = (CEDAR_DIR / "schema.cedarschema").read_text()
# Immutable and read-only: parsed once per process, never a cache of anything mutable.
POLICIES = cedarpy.PolicySet.from_str(POLICY_TEXT)

DEFAULT_DENY = "default.deny"


@dataclass(frozen=True)
class Decision:
    """Allowed or not, with the @id of every policy that decided it."""

    allowed: bool
    policy_ids: tuple[str, ...]

    @property
    def grant_used(self) -> bool:
        return self.allowed and "break_glass.emergency" in self.policy_ids


def uid(kind: str, ident: object) -> dict[str, dict[str, str]]:
    return {"__entity": {"type": f"Confide::{kind}", "id": str(ident)}}


def entity(kind: str, ident: object, attrs: dict[str, Any]) -> dict[str, Any]:
    return {"uid": {"type": f"Confide::{kind}", "id": str(ident)}, "attrs": attrs, "parents": []}


def context_text(context: dict[str, Any]) -> str:
    return _context_text(tuple(sorted(context.items())))


@functools.lru_cache(maxsize=64)
def _context_text(items: tuple[tuple[str, Any], ...]) -> str:
    return json.dumps(dict(items))


@functools.lru_cache(maxsize=1024)
def principal_entities(text: str) -> cedarpy.Entities:
    """The principal's parsed entity, keyed by its own JSON text: content-addressed, so it can
    never be stale (a changed attribute is a different key). Every decision of a request, and
    of the actor's next requests while nothing about them changes, repeats it."""
    return cedarpy.Entities.from_json_str(text)


def _decision(result: cedarpy.AuthzResult) -> Decision:
    names = result.diagnostics.id_annotations_by_reason
    ids = tuple(sorted(names.get(reason, reason) for reason in result.diagnostics.reasons))
    if result.diagnostics.errors:
        # A policy that errors is skipped by Cedar; for a forbid that could open access, so an
        # evaluation error always denies.
        return Decision(False, ("policy.error",))
    return Decision(bool(result.allowed), ids or ((DEFAULT_DENY,) if not result.allowed else ()))


@dataclass(frozen=True)
class Principal:
    """The acting user's Cedar entity as JSON text (parsed once per distinct text)."""

    id: str
    text: str


@dataclass(frozen=True)
class Ask:
    """One question for a batch: may the principal do `action` to this resource entity?"""

    action: str
    resource: dict[str, Any]
    context: dict[str, Any]


def evaluate(principal: Principal, asks: Sequence[Ask]) -> list[Decision]:
    """One Cedar call for a batch of questions by one principal.

    Questions alike in everything the policy can see of them (action, context, the resource's
    type and attributes) are asked once: no policy names a resource by id (a test holds the
    policy to that), so the answer is a function of exactly those.
    """
    if not asks:
        return []
    slots: dict[tuple[str, str, str, str], int] = {}
    emitted: dict[tuple[str, str], str] = {}
    order: list[int] = []
    resources: list[str] = []
    requests: list[dict[str, Any]] = []
    for ask in asks:
        kind, ident = ask.resource["uid"]["type"], str(ask.resource["uid"]["id"])
        # Our builders make attributes in a fixed order, so alike content is alike text.
        attrs = json.dumps(ask.resource["attrs"])
        context = context_text(ask.context)
        key = (ask.action, context, kind, attrs)
        slot = slots.get(key)
        if slot is None:
            slot = slots[key] = len(requests)
            _add_entity(emitted, resources, kind, ident, attrs)
            requests.append(
                {
                    "principal": {"type": "Confide::User", "id": principal.id},
                    "action": {"type": "Confide::Action", "id": ask.action},
                    "resource": {"type": kind, "id": ident},
                    "context": context,
                }
            )
        order.append(slot)
    entities = principal_entities(principal.text).with_added_json_str(
        "[" + ",".join(resources) + "]"
    )
    answers = [_decision(r) for r in cedarpy.is_authorized_batch(requests, POLICIES, entities)]
    return [answers[slot] for slot in order]


def _add_entity(
    emitted: dict[tuple[str, str], str], resources: list[str], kind: str, ident: str, attrs: str
) -> None:
    known = emitted.setdefault((kind, ident), attrs)
    if known != attrs:
        raise ValueError(f"two different entities named {kind}::{ident!r} in one batch")
    if known is attrs:  # first time this entity is named
        resources.append(
            f'{{"uid":{{"type":{json.dumps(kind)},"id":{json.dumps(ident)}}},'
            f'"attrs":{attrs},"parents":[]}}'
        )
