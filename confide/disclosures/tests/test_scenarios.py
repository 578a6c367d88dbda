"""The public scenario sample, scored exactly as the spec's outside checks score it.

Outcome agreement: the share of scenarios whose outcome equals `expected_outcome`. Core recall:
of the expected conditions that belong to the spec's core set, the share present in the
output. The floors sit a little below what the engine achieves, so regressions fail. The engine
never sees ids, titles or narratives: only `facts`.
"""

from __future__ import annotations

import json
import sys

import pytest

from confide.disclosures.engine import evaluate, parse_facts
from confide.disclosures.engine.conditions import allowed_when_prohibited

from .factories import AS_OF, SCENARIOS

OUTCOME_FLOOR = 0.97
CORE_RECALL_FLOOR = 0.97

CORE_PLAIN = frozenset(
    {
        "document",
        "log_for_accounting",
        "notify_client",
        "minimum_necessary",
        "legal_review",
        "verify_identity_and_authority",
        "do_not_confirm_or_deny",
        "honor_revocation",
        "supervisory_review",
        "attach_part2_redisclosure_notice",
    }
)
CORE_FAMILIES = frozenset({"exclude", "requires", "deadline", "limit_to_scope"})

pytestmark = pytest.mark.skipif(
    not SCENARIOS.exists(), reason=f"shared scenarios not found at {SCENARIOS}"
)


def is_core(code: str) -> bool:
    family, sep, _ = code.partition(":")
    return code in CORE_PLAIN or (bool(sep) and family in CORE_FAMILIES)


def _scenarios() -> list[dict[str, object]]:
    with SCENARIOS.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def test_public_scenarios_meet_the_agreement_and_core_recall_floors() -> None:
    scenarios = _scenarios()
    agree, found, expected_core = 0, 0, 0
    misses: list[str] = []
    for s in scenarios:
        decision = evaluate(parse_facts(s["facts"]), AS_OF)
        expected = s["expected_conditions"]
        assert isinstance(expected, list)
        core = [code for code in expected if is_core(code)]
        hit = [code for code in core if code in decision.conditions]
        agree += decision.outcome.value == s["expected_outcome"]
        found, expected_core = found + len(hit), expected_core + len(core)
        if decision.outcome.value != s["expected_outcome"] or len(hit) < len(core):
            misses.append(f"{s['id']}: {decision.outcome.value} vs {s['expected_outcome']}")
        if decision.outcome.value == "prohibited":
            assert all(allowed_when_prohibited(code) for code in decision.conditions)
    outcome_rate = agree / len(scenarios)
    recall = found / expected_core
    sys.stdout.write(
        f"\npublic scenarios: {len(scenarios)}; outcome agreement {outcome_rate:.1%}; "
        f"core-condition recall {recall:.1%} ({found}/{expected_core})\n"
    )
    for miss in misses:
        sys.stdout.write(f"  differs: {miss}\n")
    assert outcome_rate >= OUTCOME_FLOOR
    assert recall >= CORE_RECALL_FLOOR
