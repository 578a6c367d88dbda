"""From a request to the engine and back: one evaluation per requested category, which
categories a release may carry, which category each note falls in, and plain-language text for
condition codes.

The engine (`engine/`) stays a pure function; this module is the workflow's only caller of it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from confide.core.enums import Label
from confide.core.errors import ValidationFailed
from confide.disclosures.engine import (
    RULEBOOK,
    Decision,
    FactsError,
    Outcome,
    evaluate,
    parse_facts,
)
from confide.disclosures.engine.decision import RELEASES, protectiveness
from confide.records.enums import NoteKind

# Categories a request may name, and their labels on the page.
CATEGORIES: dict[str, str] = {
    "general": "General case record (notes without a sensitivity label)",
    "mental_health_general": "Mental health information (notes without a sensitivity label)",
    "psychotherapy_notes": "Psychotherapy notes",
    "substance_use_part2": "Substance use records (42 CFR Part 2)",
    "hiv": "HIV-related information",
    "dv_victim_pii": "Domestic violence location information",
}
UNLABELLED = frozenset({"general", "mental_health_general"})
LABEL_CATEGORY = {
    Label.PSYCHOTHERAPY.value: "psychotherapy_notes",
    Label.PART2_SUD.value: "substance_use_part2",
    Label.HIV.value: "hiv",
    Label.DV_LOCATION.value: "dv_victim_pii",
}


def note_categories(kind: str, labels: Iterable[str]) -> frozenset[str]:
    """The categories a note belongs to; a release must allow every one of them.

    An unlabelled note is general information (either unlabelled category covers it). A label
    the workflow does not map (minor_consented) keeps its note out of any packet.
    """
    found = {LABEL_CATEGORY.get(label, f"unmapped:{label}") for label in labels}
    if kind == NoteKind.PSYCHOTHERAPY:
        found.add("psychotherapy_notes")
    return frozenset(found) or frozenset({"general"})


def covered(categories: frozenset[str], allowed: frozenset[str]) -> bool:
    """Whether a note in `categories` may go out when `allowed` categories may."""
    if categories == {"general"}:
        return bool(allowed & UNLABELLED)
    return categories <= allowed


def evaluate_categories(
    facts: Mapping[str, object],
    categories: Iterable[str],
    per_category: Mapping[str, Mapping[str, object]] | None = None,
    *,
    as_of: dt.date,
) -> dict[str, dict[str, Any]]:
    """The engine's decision for each category (as the contract's JSON, without an id) under
    the law in force on `as_of` (the agency's date, `clock.today()`); `per_category` adds facts
    that differ by category (the consent on file)."""
    results: dict[str, dict[str, Any]] = {}
    for category in categories:
        extra = dict((per_category or {}).get(category, {}))
        try:
            parsed = parse_facts({**facts, **extra, "info_category": category})
        except FactsError as error:
            raise ValidationFailed({"facts": "; ".join(error.problems)}) from None
        decided: Decision = evaluate(parsed, as_of)
        body = decided.as_json()
        body.pop("id")
        results[category] = {"decision": body, "approved_by_review": False}
    return results


def outcome_of(entry: Mapping[str, Any]) -> Outcome:
    return Outcome(entry["decision"]["outcome"])


def overall(decisions: Mapping[str, Mapping[str, Any]]) -> Outcome:
    """The most protective outcome across categories (for the summary)."""
    return max((outcome_of(e) for e in decisions.values()), key=protectiveness)


def releasable(decisions: Mapping[str, Mapping[str, Any]]) -> frozenset[str]:
    """Categories a release may carry: the engine allowed them, or a reviewer approved a
    judgment call the engine left open."""
    return frozenset(
        c
        for c, e in decisions.items()
        if outcome_of(e) in RELEASES
        or (outcome_of(e) is Outcome.NEEDS_REVIEW and e.get("approved_by_review"))
    )


# A category whose own decision says to leave it out (`exclude:*`) stays out even when allowed.
EXCLUSIONS = {"exclude:psychotherapy_notes": "psychotherapy_notes"}


def excluded_by_own_decision(decisions: Mapping[str, Mapping[str, Any]]) -> frozenset[str]:
    """Categories whose own decision carries the condition excluding them."""
    return frozenset(
        category
        for code, category in EXCLUSIONS.items()
        if category in decisions and code in decisions[category]["decision"]["conditions"]
    )


def conditions_of(decisions: Mapping[str, Mapping[str, Any]], only: Iterable[str]) -> set[str]:
    return {code for c in only for code in decisions[c]["decision"]["conditions"]}


def citations_of(decisions: Mapping[str, Mapping[str, Any]], only: Iterable[str]) -> list[str]:
    """The categories' citations once each, in the engine's order: each decision lists the rule
    that decided it first, then the overlays' and the other regimes' citations."""
    cites = (cite for c in only for cite in decisions[c]["decision"]["citations"])
    return list(dict.fromkeys(cites))


def citations_within(cites: Iterable[str], limit: int) -> str:
    """As many whole citations, in order, as fit in `limit` characters joined by "; " (the
    deciding rule's first), and "…" after them when some did not fit."""
    items = list(cites)
    whole = "; ".join(items)
    if len(whole) <= limit:
        return whole
    kept: list[str] = []
    size = 0
    for cite in items:
        grown = size + len(cite) + (2 if kept else 0)
        if grown > limit - 3:  # room for "; …"
            return "; ".join(kept) + "; …" if kept else cite[: limit - 1] + "…"
        kept.append(cite)
        size = grown
    return whole  # not reached: the whole did not fit, so some citation stopped the loop


def missing_of(decisions: Mapping[str, Mapping[str, Any]]) -> list[str]:
    return sorted({m for e in decisions.values() for m in e["decision"]["missing_facts"]})


# ---- plain language ---------------------------------------------------------------------------

SPELLED = {
    "hhs": "HHS (the Secretary, Office for Civil Rights)",
    "LCSW": "LCSW",
    "SUD_counselor": "SUD counselor",
    "client_self": "The client",
}


def words(code: object) -> str:
    """An engine code in words for people: `potential_victim` -> "Potential victim",
    `threat.imminent` -> "Threat: imminent", True -> "Yes"."""
    if isinstance(code, bool):
        return "Yes" if code else "No"
    text = str(code)
    if text in SPELLED:
        return SPELLED[text]
    if " " in text or not text.isascii():
        return text  # words already (free text), not a code
    head, _, rest = text.partition(".")
    spoken = head.replace("_", " ")
    spoken = spoken[:1].upper() + spoken[1:]  # "NY" stays "NY"
    return f"{spoken}: {rest.replace('_', ' ').replace('.', ', ')}" if rest else spoken


def flat_facts(facts: Mapping[str, Any], prefix: str = "") -> list[tuple[str, str]]:
    """Nested answered facts as (name in words, value in words) rows, in name order."""
    rows: list[tuple[str, str]] = []
    for name in sorted(facts):
        value, path = facts[name], f"{prefix}{name}"
        if isinstance(value, Mapping):
            rows += flat_facts(value, f"{path}.")
        else:
            rows.append((words(path), words(value)))
    return rows


OUTCOMES: dict[str, str] = {
    "required": "Required by law",
    "permitted": "Permitted",
    "permitted_with_conditions": "Permitted with conditions",
    "prohibited": "Prohibited",
    "needs_review": "Needs review",
}

PLAIN: dict[str, str] = {
    "document": "Write down what was disclosed, to whom, when and why.",
    "log_for_accounting": "This disclosure goes in the client's accounting of disclosures.",
    "minimum_necessary": "Send only the minimum information needed for the purpose.",
    "notify_client": "Tell the client about this disclosure.",
    "notify_client_if_safe": "Tell the client, unless doing so would put someone at risk.",
    "legal_review": "Have the agency's legal counsel or privacy officer review this first.",
    "verify_identity_and_authority": "Verify who the requester is and their authority.",
    "do_not_confirm_or_deny": "Do not confirm or deny that the person is a client.",
    "honor_revocation": "The client revoked consent: honour the revocation.",
    "supervisory_review": "A supervisor must review this before anything is released.",
    "attach_part2_redisclosure_notice": "Attach the 42 CFR 2.32 notice forbidding redisclosure.",
    "professional_judgment": "This turns on your professional judgment; record your reasoning.",
    "route_to_privacy_officer": "Send this to the privacy officer.",
    "hold_pending_review": "Hold the release until the review is done.",
    "protect_third_party_information": "Remove information about other people.",
    "respond_to_process_do_not_ignore": "Respond to the legal process; do not ignore it.",
}
FAMILIES: dict[str, str] = {
    "requires": "Needed first",
    "exclude": "Leave out",
    "limit_to_scope": "Limit to what is covered by",
    "deadline": "Deadline",
    "check_state_law": "Check state law on",
    "consider": "Consider",
    "alternative": "Alternative",
}


def _words(code: str) -> str:
    text = re.sub(r"_(\d+)_", r" \1 ", code).replace("_", " ")
    return text[:1].upper() + text[1:]


def plain_condition(code: str) -> str:
    """A sentence a social worker can read, for a condition code."""
    if code in PLAIN:
        return PLAIN[code]
    family, _, detail = code.partition(":")
    if detail and family in FAMILIES:
        return f"{FAMILIES[family]}: {_words(detail).lower()}."
    return _words(code.replace(":", ": ")) + "."


@dataclass(frozen=True)
class RuleLine:
    id: str
    title: str


def rule_lines(rule_ids: Iterable[str]) -> list[RuleLine]:
    return [RuleLine(r, RULEBOOK[r].title if r in RULEBOOK else r) for r in rule_ids]
