"""A decision's citations as an accounting entry and a packet give them: once each, in the
engine's order (the deciding rule first), and cut only between whole citations."""

from __future__ import annotations

from typing import Any

from confide.disclosures.decisions import citations_of, citations_within


def _decisions(**cites: list[str]) -> dict[str, Any]:
    return {category: {"decision": {"citations": c}} for category, c in cites.items()}


def test_citations_keep_the_engines_order_once_each_across_categories() -> None:
    decisions = _decisions(
        general=["45 CFR 164.506(c)", "45 CFR 164.502(b)"],
        mental_health_general=["45 CFR 164.512(j)", "45 CFR 164.502(b)", "NASW 1.07(c)"],
        hiv=["never asked"],
    )
    assert citations_of(decisions, ["mental_health_general", "general"]) == [
        "45 CFR 164.512(j)",
        "45 CFR 164.502(b)",
        "NASW 1.07(c)",
        "45 CFR 164.506(c)",
    ]
    assert citations_of(decisions, []) == []


def test_only_whole_citations_fit_and_a_mark_says_more_were_left() -> None:
    cites = ["45 CFR 164.512(j)(1)(i)", "45 CFR 164.502(b)", "N.Y. Mental Hygiene Law 33.13"]
    assert citations_within(cites, 300) == "; ".join(cites)
    cut = citations_within(cites, 50)
    assert cut == "45 CFR 164.512(j)(1)(i); 45 CFR 164.502(b); …"
    assert len(cut) <= 50
    assert citations_within(["x" * 80], 50) == "x" * 49 + "…"
    assert citations_within([], 50) == ""
    exact = "; ".join(cites[:2])
    assert citations_within(cites[:2], len(exact)) == exact
    assert citations_within(cites[:2], len(exact) - 1) == cites[0] + "; …"


def test_codes_are_said_in_words_and_words_are_left_alone() -> None:
    from confide.disclosures.decisions import flat_facts, words

    assert words("potential_victim") == "Potential victim"
    assert words("threat.imminent") == "Threat: imminent"
    assert words("NY") == "NY"
    assert words(True) == "Yes"
    assert words("LCSW") == "LCSW"
    assert words("Told them. Then left.") == "Told them. Then left."
    assert flat_facts({"threat": {"present": True, "target": "third_party"}, "other": {}}) == [
        ("Threat: present", "Yes"),
        ("Threat: target", "Third party"),
    ]
