"""The Cedar engine: the policy set parsed once at start-up, its per-action slices, and batch
evaluation.

Nothing else calls cedarpy. Policies and schema live in `cedar/`; a test validates the
policies against the schema, so runtime calls skip schema validation.

Cost model (see docs/access-policy.md, "Performance", and docs/decisions/0013): parsing entities
and evaluating every policy are what a decision costs. So the principal's entity is parsed once
per distinct content, each request passes only its resources as a delta (JSON text built by
`access.entities`, never a dict dumped per call), a batch evaluates each distinct resource content
once, and Cedar is given only the policies whose scope can match the request's action and
resource type: the same policies, minus those Cedar would skip on their scope alone.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cedarpy
from cedarpy import pst

CEDAR_DIR = Path(__file__).resolve().parent / "cedar"
POLICY_TEXT = (CEDAR_DIR / "policies.cedar").read_text()
SCHEMA_TEXT = (CEDAR_DIR / "schema.cedarschema").read_text()
# Immutable and read-only: parsed once per process, never a cache of anything mutable.
POLICIES = cedarpy.PolicySet.from_str(POLICY_TEXT)

DEFAULT_DENY = "default.deny"
NAMESPACE = "Confide"


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


# ---- the policy set, sliced by action and resource type --------------------------------------
#
# Cedar checks every policy's scope (principal, action, resource) before its conditions; a policy
# whose scope does not match the request is not satisfied, cannot error, and never appears in the
# answer. A slice holds exactly the policies whose action and resource-type scope can match, so it
# gives the same decision, the same deciding policies and the same errors as the whole set. No
# action hierarchy is passed at run time (no schema, no action entities), so `action in [...]`
# matches exactly the actions it lists. Principal scopes and resource `==`/`in` scopes are left
# to Cedar (kept in every slice).

ANY = ""  # a slice key part: an action or resource type no policy's scope names


def _action_matches(scope: pst.ActionConstraint, action: str) -> bool:
    if isinstance(scope, pst.ActionEq):
        return action == scope.entity.id
    if isinstance(scope, pst.ActionIn):
        return any(action == e.id for e in scope.entities)
    return True  # any action


def _type_matches(scope: pst.PrincipalOrResourceConstraint, kind: str) -> bool:
    if isinstance(scope, pst.ScopeIs | pst.ScopeIsIn):
        return kind == str(scope.entity_type)
    return True  # no type constraint: ==, in, or any resource


def _named(policies: Iterable[pst.Template]) -> tuple[set[str], set[str]]:
    """The action ids and resource types that some policy's scope names."""
    actions: set[str] = set()
    kinds: set[str] = set()
    for policy in policies:
        if isinstance(policy.action, pst.ActionEq):
            actions.add(policy.action.entity.id)
        elif isinstance(policy.action, pst.ActionIn):
            actions.update(e.id for e in policy.action.entities)
        if isinstance(policy.resource, pst.ScopeIs | pst.ScopeIsIn):
            kinds.add(str(policy.resource.entity_type))
    return actions, kinds


def build_slices(policies: cedarpy.PolicySet) -> dict[tuple[str, str], cedarpy.PolicySet]:
    """One policy set per (action, resource type) that some scope names, plus `ANY` for each part
    (an action, or a resource type, that no scope names: only policies open to any apply)."""
    tree = policies.to_pst()
    if tree.templates or tree.template_links:
        raise ValueError("only static policies can be sliced; this policy set has templates")
    statics = tree.static_policies
    actions, kinds = _named(statics.values())
    slices = {}
    for action in (*sorted(actions), ANY):
        for kind in (*sorted(kinds), ANY):
            kept = {
                pid: p
                for pid, p in statics.items()
                if _action_matches(p.action, action) and _type_matches(p.resource, kind)
            }
            slices[action, kind] = cedarpy.PolicySet.from_pst(
                pst.PolicySet(
                    templates=pst.FrozenMap(),
                    static_policies=pst.FrozenMap(kept),
                    template_links=(),
                )
            )
    return slices


# Built once at start-up from the parsed set; immutable like it.
SLICES = build_slices(POLICIES)
_SLICE_ACTIONS = frozenset(action for action, _ in SLICES)
_SLICE_KINDS = frozenset(kind for _, kind in SLICES)


def policies_for(action: str, kind: str) -> cedarpy.PolicySet:
    """The slice of the policy set that can decide `action` on a resource of type `kind`."""
    return SLICES[
        action if action in _SLICE_ACTIONS else ANY, kind if kind in _SLICE_KINDS else ANY
    ]


# ---- requests ---------------------------------------------------------------------------------


@functools.lru_cache(maxsize=1024)
def principal_entities(text: str) -> cedarpy.Entities:
    """The principal's parsed entity, keyed by its own JSON text: content-addressed, so it can
    never be stale (a changed attribute is a different key). Every decision of a request, and
    of the actor's next requests while nothing about them changes, repeats it."""
    return cedarpy.Entities.from_json_str(text)


@functools.lru_cache(maxsize=64)
def context_text(break_glass: bool, review_purpose: bool, audience: str) -> str:
    """The request context as Cedar reads it (a pure function of its three values)."""
    return json.dumps(
        {"break_glass": break_glass, "review_purpose": review_purpose, "audience": audience}
    )


def _decision(result: cedarpy.AuthzResult) -> Decision:
    diagnostics = result.diagnostics
    if diagnostics.errors:
        # A policy that errors is skipped by Cedar; for a forbid that could open access, so an
        # evaluation error always denies.
        return Decision(False, ("policy.error",))
    names = diagnostics.id_annotations_by_reason
    ids = tuple(sorted([names.get(reason, reason) for reason in diagnostics.reasons]))
    allowed = result.allowed
    return Decision(allowed, ids or ((DEFAULT_DENY,) if not allowed else ()))


@dataclass(frozen=True)
class Principal:
    """The acting user's Cedar entity as JSON text (parsed once per distinct text)."""

    id: str
    text: str


def _quoted(text: str) -> str:
    """A JSON string; the names we build (type names, UUIDs) need no escaping, so skip the
    encoder for them."""
    return f'"{text}"' if _PLAIN.fullmatch(text) else json.dumps(text)


_PLAIN = re.compile(r"[A-Za-z0-9:_-]*")


@dataclass(frozen=True)
class Entity:
    """A resource's Cedar entity as JSON text: `kind` is its full type name, `ident` its id, and
    `content` the `"attrs":{...},"parents":[...]` members, everything the policy can see of it."""

    kind: str
    ident: str
    content: str

    @property
    def text(self) -> str:
        return (
            f'{{"uid":{{"type":{_quoted(self.kind)},"id":{_quoted(self.ident)}}},{self.content}}}'
        )


@dataclass(frozen=True)
class Ask:
    """One question for a batch: may the principal do `action` to this resource entity, in this
    context (`context_text`)?"""

    action: str
    resource: Entity
    context: str


def evaluate(principal: Principal, asks: Sequence[Ask]) -> list[Decision]:
    """Cedar calls for a batch of questions by one principal: one per (action, resource type)
    among them, against that slice of the policy set (a page is one).

    Questions alike in everything the policy can see of them (action, context, the resource's
    type, attributes and parents) are asked once: no policy names a resource by id (a test holds
    the policy to that), so the answer is a function of exactly those.
    """
    if not asks:
        return []
    if len(asks) == 1:  # a single decision: nothing to group
        return [_one(principal, asks[0])]
    slots: dict[tuple[str, str, str, str], int] = {}
    emitted: dict[tuple[str, str], str] = {}
    order: list[int] = []
    resources: list[str] = []
    groups: dict[tuple[str, str], list[int]] = {}
    requests: list[dict[str, Any]] = []
    for ask in asks:
        resource = ask.resource
        key = (ask.action, ask.context, resource.kind, resource.content)
        slot = slots.get(key)
        if slot is None:
            slot = slots[key] = len(requests)
            _add_entity(emitted, resources, resource)
            groups.setdefault((ask.action, resource.kind), []).append(slot)
            requests.append(_request(principal, ask))
        order.append(slot)
    entities = principal_entities(principal.text).with_added_json_str(
        "[" + ",".join(resources) + "]"
    )
    answers = _answers(requests, groups, entities)
    return [answers[slot] for slot in order]


def _request(principal: Principal, ask: Ask) -> dict[str, Any]:
    return {
        "principal": {"type": f"{NAMESPACE}::User", "id": principal.id},
        "action": {"type": f"{NAMESPACE}::Action", "id": ask.action},
        "resource": {"type": ask.resource.kind, "id": ask.resource.ident},
        "context": ask.context,
    }


def _one(principal: Principal, ask: Ask) -> Decision:
    entities = principal_entities(principal.text).with_added_json_str(f"[{ask.resource.text}]")
    policies = policies_for(ask.action, ask.resource.kind)
    (result,) = cedarpy.is_authorized_batch([_request(principal, ask)], policies, entities)
    return _decision(result)


def _answers(
    requests: list[dict[str, Any]],
    groups: Mapping[tuple[str, str], list[int]],
    entities: cedarpy.Entities,
) -> list[Decision]:
    answers: list[Decision] = [Decision(False, ())] * len(requests)
    for (action, kind), slots in groups.items():
        batch = [requests[slot] for slot in slots]
        results = cedarpy.is_authorized_batch(batch, policies_for(action, kind), entities)
        for slot, result in zip(slots, results, strict=True):
            answers[slot] = _decision(result)
    return answers


def _add_entity(
    emitted: dict[tuple[str, str], str], resources: list[str], resource: Entity
) -> None:
    name = (resource.kind, resource.ident)
    known = emitted.get(name)
    if known is None:
        emitted[name] = resource.content
        resources.append(resource.text)
    elif known != resource.content:
        raise ValueError(
            f"two different entities named {resource.kind}::{resource.ident!r} in one batch"
        )
