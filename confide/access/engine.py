"""The Cedar engine: the policy set parsed once at start-up, the policies that can apply to a
request, and batch evaluation.

Nothing else calls cedarpy. Policies and schema live in `cedar/`; a test validates the
policies against the schema, so runtime calls skip schema validation.

Cost model (see docs/access-policy.md, "Performance", and decisions 0013 and 0015): parsing
entities and evaluating every policy are what a decision costs. So the principal's entity is
parsed once per distinct content, each request passes only its resources as a delta (JSON text
built by `access.entities`, never a dict dumped per call), a resource's entity is parsed once per
request however many decisions read it, a batch evaluates each distinct resource content once,
the usual request carries no context at all, and Cedar is given only the policies that can apply:
those whose scope matches the action and resource type, minus those whose leading condition the
principal's role or the context's members make false. Each subset decides exactly as the whole
set would (a property test checks it); no decision is cached.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
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


Policies = dict[str, pst.Template]


def build_slices(policies: cedarpy.PolicySet) -> dict[tuple[str, str], Policies]:
    """The policies of each (action, resource type) that some scope names, plus `ANY` for each
    part (an action, or a resource type, that no scope names: only policies open to any apply)."""
    tree = policies.to_pst()
    if tree.templates or tree.template_links:
        raise ValueError("only static policies can be sliced; this policy set has templates")
    statics = tree.static_policies
    actions, kinds = _named(statics.values())
    return {
        (action, kind): {
            pid: p
            for pid, p in statics.items()
            if _action_matches(p.action, action) and _type_matches(p.resource, kind)
        }
        for action in (*sorted(actions), ANY)
        for kind in (*sorted(kinds), ANY)
    }


# ---- what a policy may read of a resource --------------------------------------------------------
#
# `evaluate` asks Cedar once for every group of questions alike in everything the policy can see
# of their resources (type, attributes, parents), so no policy may read a resource's identity.
# A policy may use `resource` only as the base of an attribute (`resource.labels`, `resource has
# x`), as the subject of a type test without `in` (`resource is Confide::Note`), or on the left
# of `in` one of the principal's sets of agencies and teams (which reads the resource's parents);
# and its resource scope may name a type but no entity. Checked on the parsed policies at
# start-up: a policy set that breaks this is refused, not silently grouped wrongly.

ANCESTOR_SETS = frozenset({"agency", "teams", "supervisee_teams"})


def _is_resource(expr: object) -> bool:
    return isinstance(expr, pst.Var) and expr.name == "resource"


def _principal_ancestors(expr: object) -> bool:
    return (
        isinstance(expr, pst.GetAttr)
        and isinstance(expr.base, pst.Var)
        and expr.base.name == "principal"
        and expr.attr in ANCESTOR_SETS
    )


def _identity_reads(node: object) -> list[str]:
    """Every place in this policy node where the resource itself (not an attribute, its type or
    its parents) is read."""
    if _is_resource(node):
        return ["resource used as a value"]
    if isinstance(node, pst.GetAttr | pst.HasAttr) and _is_resource(node.base):
        return []
    if isinstance(node, pst.Is) and _is_resource(node.base):
        return (
            []
            if node.in_expr is None
            else ["resource is ... in ...", *_identity_reads(node.in_expr)]
        )
    if isinstance(node, pst.BinaryOp) and node.op == "in" and _is_resource(node.left):
        if _principal_ancestors(node.right):
            return []
        return ["resource in something other than the principal's agencies or teams"]
    if isinstance(node, pst.FrozenMap):
        return [found for item in node.values() for found in _identity_reads(item)]
    if isinstance(node, tuple | list | frozenset):
        return [found for item in node for found in _identity_reads(item)]
    if dataclasses.is_dataclass(node) and not isinstance(node, type):
        return [
            found
            for member in dataclasses.fields(node)
            for found in _identity_reads(getattr(node, member.name))
        ]
    return []


def identity_reads(policies: cedarpy.PolicySet) -> dict[str, list[str]]:
    """The policies (by @id) that read a resource's identity, with where; empty when none."""
    found: dict[str, list[str]] = {}
    for pid, policy in policies.to_pst().static_policies.items():
        where = (
            [] if isinstance(policy.resource, pst.ScopeAny | pst.ScopeIs) else ["resource scope"]
        )
        where += [read for clause in policy.clauses for read in _identity_reads(clause.expr)]
        if where:
            found[policy.annotations.get("id", pid)] = where
    return found


def require_no_identity_reads(policies: cedarpy.PolicySet) -> None:
    """Refuse a policy set some policy of which reads a resource's identity (RuntimeError)."""
    if found := identity_reads(policies):
        raise RuntimeError(f"policies that read a resource's identity cannot be grouped: {found}")


require_no_identity_reads(POLICIES)

# Built once at start-up from the parsed set; immutable like it.
SLICES = build_slices(POLICIES)
_SLICE_ACTIONS = frozenset(action for action, _ in SLICES)
_SLICE_KINDS = frozenset(kind for _, kind in SLICES)


# ---- guards: what a policy's first conditions say about the principal's role and the context --
#
# Most policies open with a test of the principal's role (`principal.role == "practitioner"`) or
# of a context member (`context has break_glass && ...`). Given the request's role and which
# context members it carries, such a test has a known value, and it evaluates without error
# (every principal has a role, and `has` never errors). Cedar joins a policy's clauses in order
# with `&&`, which stops at the first false operand; so a policy whose leading operands include
# one known to be false is not satisfied, raises no error and decides nothing for that request,
# exactly as if it were absent. Only those are left out; anything not known keeps the policy.


def _known(expr: pst.Expr, role: str, members: frozenset[str]) -> bool | None:
    """The value of `expr` if the role and the context's members alone decide it, without an
    error on the way; None if they do not."""
    if isinstance(expr, pst.BinaryOp):
        if expr.op == "eq" and _is_role(expr.left) and isinstance(expr.right, pst.StringLit):
            return role == expr.right.value
        if expr.op in ("and", "or"):
            left = _known(expr.left, role, members)
            if left is None:
                return None
            if left is (expr.op == "or"):  # `true || ...`, `false && ...`: the right is not read
                return left
            return _known(expr.right, role, members)
        return None
    if (
        isinstance(expr, pst.HasAttr)
        and isinstance(expr.base, pst.Var)
        and expr.base.name == "context"
        and len(expr.attrs) == 1
    ):
        return expr.attrs[0] in members
    return None


def _is_role(expr: pst.Expr) -> bool:
    return (
        isinstance(expr, pst.GetAttr)
        and isinstance(expr.base, pst.Var)
        and expr.base.name == "principal"
        and expr.attr == "role"
    )


def can_apply(policy: pst.Template, role: str, members: frozenset[str]) -> bool:
    """False only if the policy's leading conditions are known to be false for this role and
    these context members (see above)."""
    for clause in policy.clauses:
        value = _known(clause.expr, role, members)
        if value is None:
            return True
        if value is isinstance(clause, pst.Unless):  # a false `when`, or a true `unless`
            return False
    return True


def _members(context: str) -> frozenset[str]:
    return frozenset(json.loads(context)) if context else frozenset()


def policies_for(
    action: str, kind: str, role: str | None = None, context: str | None = None
) -> cedarpy.PolicySet:
    """The policies that can decide `action` on a resource of type `kind` (by their scopes) and,
    when `role` and `context` (`context_text`) are given, for a principal of that role in that
    context (by their guards). Each gives the same decision, deciding policies and errors as the
    whole set (a property test checks it)."""
    return _policies(
        action if action in _SLICE_ACTIONS else ANY,
        kind if kind in _SLICE_KINDS else ANY,
        role,
        context,
    )


@functools.lru_cache(maxsize=4096)  # more than the actions x types x roles x contexts in use
def _policies(action: str, kind: str, role: str | None, context: str | None) -> cedarpy.PolicySet:
    scoped = SLICES[action, kind]
    if role is not None and context is not None:
        members = _members(context)
        scoped = {pid: p for pid, p in scoped.items() if can_apply(p, role, members)}
    return cedarpy.PolicySet.from_pst(
        pst.PolicySet(
            templates=pst.FrozenMap(), static_policies=pst.FrozenMap(scoped), template_links=()
        )
    )


# ---- requests ---------------------------------------------------------------------------------


@functools.lru_cache(maxsize=1024)
def principal_entities(text: str) -> cedarpy.Entities:
    """The principal's parsed entity, keyed by its own JSON text: content-addressed, so it can
    never be stale (a changed attribute is a different key). Every decision of a request, and
    of the actor's next requests while nothing about them changes, repeats it."""
    return cedarpy.Entities.from_json_str(text)


STAFF_AUDIENCE = "staff"


@functools.lru_cache(maxsize=64)
def context_text(break_glass: bool, review_purpose: bool, audience: str) -> str:
    """The request context as Cedar reads it (a pure function of its three values): only the
    members that differ from the usual request (no grant, output for staff), and "" (no context
    at all) for the usual request itself, which is most of them. Cedar parses a context on every
    call; the schema declares each member optional, so its validator makes every policy ask
    `context has ...` first, and an absent member reads as false (no grant) or staff."""
    members: dict[str, object] = {}
    if break_glass:
        members["break_glass"] = True
    if review_purpose:
        members["review_purpose"] = True
    if audience != STAFF_AUDIENCE:
        members["audience"] = audience
    return json.dumps(members) if members else ""


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
    """The acting user's Cedar entity as JSON text (parsed once per distinct text), and the role
    that text gives them (the policies' guards read it)."""

    id: str
    text: str
    role: str

    def __post_init__(self) -> None:
        # The guards leave policies out by `role`: it must be the role Cedar reads in `text`;
        # and the requests name the principal by `id`: it must be the entity `text` describes.
        if f'"role":{json.dumps(self.role)}' not in self.text:
            raise ValueError("a principal's role must be the one its entity text gives")
        if not self.text.startswith(f'[{{"uid":{{"type":"{NAMESPACE}::User","id":'):
            raise ValueError("a principal's text must be one user entity, its uid first")
        uid = f'"uid":{{"type":"{NAMESPACE}::User","id":{json.dumps(self.id)}}}'
        if not self.text.startswith(f"[{{{uid}"):
            raise ValueError("a principal's id must be the one its entity text gives")


def _quoted(text: str) -> str:
    """A JSON string; the names we build (type names, UUIDs) need no escaping, so skip the
    encoder for them."""
    return f'"{text}"' if _PLAIN.fullmatch(text) else json.dumps(text)


_PLAIN = re.compile(r"[A-Za-z0-9:_-]*")


@dataclass(frozen=True)
class Entity:
    """A resource's Cedar entity as JSON text: `kind` is its full type name, `ident` its id, and
    `content` the `"attrs":{...},"parents":[...]` members, everything the policy can see of it;
    `text` is the whole entity, written once."""

    kind: str
    ident: str
    content: str
    text: str = field(init=False, repr=False, compare=False)
    # This entity added to a principal's, parsed, by the principal's text: an entity made once for
    # a request (`entities.client_entity`) is parsed once for its several decisions. It lives as
    # long as the entity, and is a pure function of the two texts.
    parsed: dict[str, cedarpy.Entities] = field(
        init=False, repr=False, compare=False, default_factory=dict
    )

    def __post_init__(self) -> None:
        uid = f'{{"type":{_quoted(self.kind)},"id":{_quoted(self.ident)}}}'
        object.__setattr__(self, "text", f'{{"uid":{uid},{self.content}}}')


@dataclass(frozen=True)
class Ask:
    """One question for a batch: may the principal do `action` to this resource entity, in this
    context (`context_text`)?"""

    action: str
    resource: Entity
    context: str


def evaluate(principal: Principal, asks: Sequence[Ask]) -> list[Decision]:
    """Cedar calls for a batch of questions by one principal: one per (action, resource type,
    context) among them, against the policies that can apply to it (a page is one).

    Questions alike in everything the policy can see of them (action, context, the resource's
    type, attributes and parents) are asked once: no policy reads a resource's identity (checked
    on the parsed policies at start-up, `require_no_identity_reads`), so the answer is a function
    of exactly those.
    """
    if not asks:
        return []
    if len(asks) == 1:  # a single decision: nothing to group
        return [decide(principal, asks[0])]
    slots: dict[tuple[str, str, str, str], int] = {}
    emitted: dict[tuple[str, str], str] = {}
    order: list[int] = []
    resources: list[str] = []
    groups: dict[tuple[str, str, str], list[int]] = {}
    requests: list[dict[str, Any]] = []
    for ask in asks:
        resource = ask.resource
        key = (ask.action, ask.context, resource.kind, resource.content)
        slot = slots.get(key)
        if slot is None:
            slot = slots[key] = len(requests)
            _add_entity(emitted, resources, resource)
            groups.setdefault((ask.action, resource.kind, ask.context), []).append(slot)
            requests.append(_request(principal, ask))
        order.append(slot)
    entities = principal_entities(principal.text).with_added_json_str(
        "[" + ",".join(resources) + "]"
    )
    answers = _answers(principal.role, requests, groups, entities)
    return [answers[slot] for slot in order]


def _request(principal: Principal, ask: Ask) -> dict[str, Any]:
    return {
        "principal": {"type": f"{NAMESPACE}::User", "id": principal.id},
        "action": {"type": f"{NAMESPACE}::Action", "id": ask.action},
        "resource": {"type": ask.resource.kind, "id": ask.resource.ident},
        **({"context": ask.context} if ask.context else {}),
    }


def decide(principal: Principal, ask: Ask) -> Decision:
    """One question: `evaluate` of a batch of one, without the batch's grouping."""
    resource = ask.resource
    entities = resource.parsed.get(principal.text)
    if entities is None:
        entities = principal_entities(principal.text).with_added_json_str(f"[{resource.text}]")
        resource.parsed[principal.text] = entities
    policies = policies_for(ask.action, ask.resource.kind, principal.role, ask.context)
    (result,) = cedarpy.is_authorized_batch([_request(principal, ask)], policies, entities)
    return _decision(result)


def _answers(
    role: str,
    requests: list[dict[str, Any]],
    groups: Mapping[tuple[str, str, str], list[int]],
    entities: cedarpy.Entities,
) -> list[Decision]:
    answers: list[Decision] = [Decision(False, ())] * len(requests)
    for (action, kind, context), slots in groups.items():
        batch = [requests[slot] for slot in slots]
        policies = policies_for(action, kind, role, context)
        results = cedarpy.is_authorized_batch(batch, policies, entities)
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
