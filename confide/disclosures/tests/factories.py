"""Builders for test facts: a neutral adult case at a covered provider, overridden per test."""

from __future__ import annotations

import copy
from datetime import date
from pathlib import Path

from confide.disclosures.engine import Decision, evaluate, parse_facts
from confide.disclosures.engine.facts import Facts

REPO_ROOT = Path(__file__).resolve().parents[3]
SHARED = REPO_ROOT.parent / "shared"
SCENARIOS = SHARED / "scenarios" / "disclosures-public.jsonl"
CONFIDE = REPO_ROOT / ".venv" / "bin" / "confide"
AS_OF = date(2026, 6, 1)

BASE: dict[str, object] = {
    "client_age": 40,
    "client_is_minor": False,
    "jurisdiction_state": "ANY",
    "entity_type": "hipaa_covered_provider",
    "professional_role": "LCSW",
    "info_category": "mental_health_general",
    "recipient_type": "health_care_provider",
    "purpose": "treatment",
    "consent": {"present": False, "type": "none"},
    "client_objects": None,
    "client_present_and_capable": None,
    "legal_instrument": "none",
    "threat": {"present": False},
    "emergency": False,
    "abuse_suspected": None,
}

SERIOUS_IMMINENT_THREAT = {
    "present": True,
    "target": "third_party",
    "serious": True,
    "imminent": True,
    "victim_reasonably_identifiable": True,
    "means": True,
}

VALID_AUTHORIZATION = {
    "present": True,
    "type": "hipaa_authorization",
    "valid": True,
    "scope_covers_request": True,
}


def raw(**overrides: object) -> dict[str, object]:
    """The base facts as JSON-shaped data with `overrides` applied (None keeps a null)."""
    facts = copy.deepcopy(BASE)
    facts.update(overrides)
    return facts


def facts(**overrides: object) -> Facts:
    return parse_facts(raw(**overrides))


def decide(**overrides: object) -> Decision:
    return evaluate(facts(**overrides), AS_OF)
