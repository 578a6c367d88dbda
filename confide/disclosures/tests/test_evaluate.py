"""Combination policy and invariants that hold for every input."""

from __future__ import annotations

import re
from enum import StrEnum

from hypothesis import given, settings
from hypothesis import strategies as st

from confide.disclosures.engine import RULEBOOK, Outcome, evaluate, parse_facts
from confide.disclosures.engine.conditions import allowed_when_prohibited
from confide.disclosures.engine.facts import (
    AbuseType,
    ConsentType,
    EntityType,
    InfoCategory,
    LegalInstrument,
    ProfessionalRole,
    Purpose,
    Recipient,
    ThreatTarget,
)

from .factories import AS_OF, SERIOUS_IMMINENT_THREAT, decide

Out = Outcome
REGIMES = {"hipaa", "part2", "ferpa", "vawa", "noncovered", "state", "nasw", "engine"}


def _maybe(strategy: st.SearchStrategy[object]) -> st.SearchStrategy[object]:
    return st.one_of(st.none(), strategy)


def _enum(cls: type[StrEnum]) -> st.SearchStrategy[object]:
    return st.sampled_from([m.value for m in cls])


def _tri() -> st.SearchStrategy[object]:
    return _maybe(st.booleans())


FACTS = st.fixed_dictionaries(
    {
        "entity_type": _enum(EntityType),
        "info_category": _enum(InfoCategory),
        "recipient_type": st.one_of(
            _enum(Recipient), st.lists(_enum(Recipient), min_size=1, max_size=3)
        ),
        "purpose": _enum(Purpose),
    },
    optional={
        "client_age": _maybe(st.integers(min_value=0, max_value=99)),
        "client_is_minor": _tri(),
        "jurisdiction_state": _maybe(st.sampled_from(["ANY", "CA", "NY", "TX", "FL", "IL", "WA"])),
        "professional_role": _maybe(_enum(ProfessionalRole)),
        "consent": _maybe(
            st.fixed_dictionaries(
                {},
                optional={
                    "present": _tri(),
                    "type": _maybe(_enum(ConsentType)),
                    "valid": _tri(),
                    "revoked": _tri(),
                    "scope_covers_request": _tri(),
                },
            )
        ),
        "client_objects": _tri(),
        "client_present_and_capable": _tri(),
        "legal_instrument": _maybe(_enum(LegalInstrument)),
        "threat": _maybe(
            st.fixed_dictionaries(
                {},
                optional={
                    "present": _tri(),
                    "serious": _tri(),
                    "imminent": _tri(),
                    "means": _tri(),
                    "victim_reasonably_identifiable": _tri(),
                    "target": _maybe(_enum(ThreatTarget)),
                },
            )
        ),
        "emergency": _tri(),
        "abuse_suspected": _maybe(
            st.fixed_dictionaries(
                {},
                optional={
                    "type": _maybe(_enum(AbuseType)),
                    "requester_is_suspected_abuser": _tri(),
                    "alleged_abuser_is_personal_representative": _tri(),
                },
            )
        ),
        "state_law_flags": _maybe(
            st.fixed_dictionaries(
                {}, optional={"report_required": _tri(), "report_expressly_authorized": _tri()}
            )
        ),
        "other": _maybe(
            st.fixed_dictionaries(
                {},
                optional={
                    "client_deceased": _tri(),
                    "encrypted": _tri(),
                    "identifying": _tri(),
                    "paid_in_full_out_of_pocket": _tri(),
                    "restriction_requested": _tri(),
                    "affected_count": _maybe(st.integers(min_value=0, max_value=5000)),
                },
            )
        ),
    },
)


@settings(max_examples=400, deadline=None)
@given(FACTS)
def test_every_valid_input_gets_a_well_formed_decision(raw_facts: dict[str, object]) -> None:
    d = evaluate(parse_facts(raw_facts), AS_OF)
    assert d.rules
    assert d.citations
    assert d.rationale
    assert list(d.conditions) == sorted(set(d.conditions))
    assert all(rule in RULEBOOK for rule in d.rules)
    assert "document" in d.conditions
    if d.outcome is Out.PROHIBITED:
        assert all(allowed_when_prohibited(code) for code in d.conditions), d.conditions
    if d.outcome is not Out.NEEDS_REVIEW:
        assert d.missing_facts == ()
    else:
        assert "supervisory_review" in d.conditions


def test_prohibited_never_carries_conditions_that_release_information() -> None:
    releasing = ["minimum_necessary", "limit_to_scope:threat", "exclude:psychotherapy_notes"]
    releasing += ["warn_victim", "log_for_accounting", "deadline:hipaa_access_30_days"]
    assert not any(allowed_when_prohibited(code) for code in releasing)


def test_most_protective_recipient_wins_for_several_recipients() -> None:
    d = decide(
        jurisdiction_state="TX",
        recipient_type=["law_enforcement", "potential_victim"],
        purpose="prevent_serious_threat",
        threat=SERIOUS_IMMINENT_THREAT,
    )
    assert d.outcome is Out.PROHIBITED
    assert "warn_victim" not in d.conditions
    assert "To potential_victim:" in d.rationale


def test_part2_beats_hipaa_for_sud_records_at_a_covered_provider() -> None:
    hipaa_only = decide(info_category="general")
    with_part2 = decide(info_category="substance_use_part2")
    assert hipaa_only.outcome is Out.PERMITTED
    assert with_part2.outcome is Out.PROHIBITED


def test_ferpa_replaces_hipaa_for_education_records() -> None:
    d = decide(
        info_category="education_record",
        recipient_type="parent",
        client_age=12,
        client_is_minor=True,
        purpose="access_request",
    )
    assert not any(rule.startswith("hipaa.") for rule in d.rules)


def test_needs_review_is_held_unless_urgent() -> None:
    held = decide(recipient_type="family_member", purpose="involvement_in_care")
    urgent = decide(
        entity_type="part2_program",
        info_category="substance_use_part2",
        recipient_type="potential_victim",
        purpose="prevent_serious_threat",
        threat=SERIOUS_IMMINENT_THREAT,
    )
    assert "hold_pending_review" in held.conditions
    assert urgent.outcome is Out.NEEDS_REVIEW
    assert "hold_pending_review" not in urgent.conditions


def test_rule_ids_are_stable_dotted_names_with_citations() -> None:
    assert len(RULEBOOK) >= 80
    for rule_id, ref in RULEBOOK.items():
        assert re.fullmatch(r"[a-z0-9_]+(\.[a-z0-9_]+)+", rule_id), rule_id
        assert ref.regime in REGIMES
        assert ref.citations
        assert ref.title
