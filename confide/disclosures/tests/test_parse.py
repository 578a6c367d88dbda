"""Input validation: every bad input is an error naming its field, never a guess."""

from __future__ import annotations

import json

import pytest

from confide.disclosures.engine import FactsError, parse_facts, parse_line
from confide.disclosures.engine.facts import Recipient

from .factories import raw


def _problems(**overrides: object) -> tuple[str, ...]:
    with pytest.raises(FactsError) as info:
        parse_facts(raw(**overrides))
    return info.value.problems


def test_unknown_enum_value_names_the_field_and_the_value() -> None:
    assert _problems(recipient_type="polise") == ("facts.recipient_type: unknown value 'polise'",)


def test_unknown_value_inside_a_recipient_array_names_its_index() -> None:
    problems = _problems(recipient_type=["law_enforcement", "polise"])
    assert problems == ("facts.recipient_type[1]: unknown value 'polise'",)


def test_array_recipient_type_is_accepted_in_order_without_duplicates() -> None:
    facts = parse_facts(
        raw(recipient_type=["potential_victim", "law_enforcement", "potential_victim"])
    )
    assert facts.recipients == (Recipient.POTENTIAL_VICTIM, Recipient.LAW_ENFORCEMENT)


def test_empty_recipient_array_is_an_error() -> None:
    assert "facts.recipient_type" in _problems(recipient_type=[])[0]


def test_wrong_type_is_an_error() -> None:
    assert _problems(client_age="forty") == (
        "facts.client_age: expected an integer >= 0, got string",
    )


def test_negative_age_and_boolean_age_are_errors() -> None:
    assert "got -1" in _problems(client_age=-1)[0]
    assert "got boolean" in _problems(client_age=True)[0]


def test_wrong_type_in_an_object_fact_names_the_member() -> None:
    problems = _problems(consent={"present": "yes"})
    assert problems == ("facts.consent.present: expected true, false or null, got string",)


def test_unknown_top_level_fact_is_an_error() -> None:
    assert _problems(colour="blue") == ("facts.colour: unknown fact",)


def test_unknown_object_member_is_an_error() -> None:
    assert _problems(threat={"present": True, "loud": True}) == (
        "facts.threat.loud: unknown member",
    )


def test_missing_required_fact_is_an_error() -> None:
    facts = raw()
    del facts["purpose"]
    with pytest.raises(FactsError) as info:
        parse_facts(facts)
    assert info.value.problems == ("facts.purpose: missing required fact",)


def test_null_required_fact_is_an_error() -> None:
    assert _problems(entity_type=None) == ("facts.entity_type: required fact may not be null",)


def test_unknown_state_code_is_an_error() -> None:
    assert "facts.jurisdiction_state: unknown value 'Cal'" in _problems(jurisdiction_state="Cal")[0]


def test_object_fact_of_the_wrong_shape_is_an_error() -> None:
    assert _problems(threat=[True]) == ("facts.threat: expected an object or null, got array",)


def test_all_problems_of_a_line_are_reported_together() -> None:
    assert len(_problems(purpose="x", entity_type="y", client_age="z")) == 3


def test_null_optional_facts_and_omitted_objects_are_unknown_not_errors() -> None:
    facts = parse_facts(raw(consent=None, threat=None, other=None, client_age=None))
    assert facts.consent.present is None
    assert facts.threat.serious is None


def test_invalid_json_line_is_an_error() -> None:
    parsed = parse_line('{"id": "X", "facts": ')
    assert parsed.facts is None
    assert parsed.error is not None
    assert parsed.error.startswith("invalid JSON")


def test_nan_and_duplicate_members_are_invalid_json() -> None:
    assert "invalid JSON" in str(parse_line('{"id": NaN}').error)
    assert "duplicate member 'id'" in str(parse_line('{"id": 1, "id": 2}').error)


def test_a_line_that_is_not_an_object_is_an_error() -> None:
    assert parse_line("[1, 2]").error == "line: expected an object, got array"


def test_missing_facts_member_is_an_error_and_the_id_is_kept() -> None:
    parsed = parse_line(json.dumps({"id": "DS-X"}))
    assert parsed.id == "DS-X"
    assert parsed.error == "facts: missing required member"


def test_other_line_members_are_ignored() -> None:
    line = json.dumps({"id": "A", "title": "t", "expected_outcome": "x", "facts": raw()})
    parsed = parse_line(line)
    assert parsed.error is None
    assert parsed.id == "A"
