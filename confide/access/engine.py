"""The Cedar engine: the policy set parsed once at start-up, and batch evaluation.

Nothing else calls cedarpy. Policies and schema live in `cedar/`; a test validates the
policies against the schema, so runtime calls skip schema validation.
"""

from __future__ import annotations

import functools
import json
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


def request(
    principal: object, action: str, kind: str, resource: object, context: dict[str, Any]
) -> dict[str, Any]:
    # Structured uids parse faster than Cedar's `Type::"id"` text; the context goes as JSON text
    # (it takes one of a handful of values), so cedarpy need not serialize it per request.
    return {
        "principal": {"type": "Confide::User", "id": str(principal)},
        "action": {"type": "Confide::Action", "id": action},
        "resource": {"type": f"Confide::{kind}", "id": str(resource)},
        "context": _context_text(tuple(sorted(context.items()))),
    }


@functools.lru_cache(maxsize=64)
def _context_text(items: tuple[tuple[str, Any], ...]) -> str:
    return json.dumps(dict(items))


@functools.lru_cache(maxsize=1024)
def _parsed(text: str) -> cedarpy.Entities:
    """A parsed entity set, keyed by its own JSON text: content-addressed, so it can never be
    stale (a changed attribute is a different key). Used for the principals' entities, which
    every decision of a request repeats."""
    return cedarpy.Entities.from_json_str(text)


def _entity_set(entities: list[dict[str, Any]]) -> cedarpy.Entities:
    """Principals (users) from the cache, plus the request's other entities parsed as a delta."""
    users = [e for e in entities if e["uid"]["type"] == "Confide::User"]
    others = [e for e in entities if e["uid"]["type"] != "Confide::User"]
    base = _parsed(json.dumps(users, sort_keys=True))
    return base.with_added_json_str(json.dumps(others)) if others else base


def _decision(result: cedarpy.AuthzResult) -> Decision:
    names = result.diagnostics.id_annotations_by_reason
    ids = tuple(sorted(names.get(reason, reason) for reason in result.diagnostics.reasons))
    if result.diagnostics.errors:
        # A policy that errors is skipped by Cedar; for a forbid that could open access, so an
        # evaluation error always denies.
        return Decision(False, ("policy.error",))
    return Decision(bool(result.allowed), ids or ((DEFAULT_DENY,) if not result.allowed else ()))


def evaluate(requests: list[dict[str, Any]], entities: list[dict[str, Any]]) -> list[Decision]:
    """One Cedar call for a batch of requests over one entity set."""
    if not requests:
        return []
    return [
        _decision(r) for r in cedarpy.is_authorized_batch(requests, POLICIES, _entity_set(entities))
    ]
