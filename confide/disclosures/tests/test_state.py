"""State overlay: duty to warn, mandated reports, minors, HIV, and the data tables."""

from __future__ import annotations

from datetime import date
from itertools import pairwise

import pytest

from confide.disclosures.engine import Outcome, evaluate
from confide.disclosures.engine.states import (
    DutyType,
    MinorService,
    ReportType,
    confidentiality,
    duty_to_warn,
    duty_to_warn_rows,
    minor_consent,
    minor_consent_rows,
    reporting,
    reporting_rows,
)

from .factories import SERIOUS_IMMINENT_THREAT, decide, facts

Out = Outcome
THREAT = {"purpose": "prevent_serious_threat", "threat": SERIOUS_IMMINENT_THREAT}
FIVE = ("CA", "NY", "TX", "FL", "IL")


def test_california_duty_to_protect_requires_warning_victim_and_police() -> None:
    d = decide(
        jurisdiction_state="CA", recipient_type=["potential_victim", "law_enforcement"], **THREAT
    )
    assert d.outcome is Out.REQUIRED
    expected = {
        "warn_victim",
        "notify_law_enforcement",
        "limit_to_scope:threat",
        "log_for_accounting",
    }
    assert expected <= set(d.conditions)


def test_california_duty_does_not_reach_an_unidentifiable_victim() -> None:
    threat = {**SERIOUS_IMMINENT_THREAT, "victim_reasonably_identifiable": False}
    d = decide(
        jurisdiction_state="CA",
        recipient_type="law_enforcement",
        purpose="prevent_serious_threat",
        threat=threat,
    )
    assert d.outcome is Out.PERMITTED_WITH_CONDITIONS


def test_texas_forbids_warning_the_victim_directly() -> None:
    d = decide(jurisdiction_state="TX", recipient_type="potential_victim", **THREAT)
    assert d.outcome is Out.PROHIBITED
    assert {"alternative:law_enforcement_or_medical_personnel", "legal_review"} <= set(d.conditions)
    assert "warn_victim" not in d.conditions


def test_texas_permits_telling_the_police_of_an_imminent_threat() -> None:
    d = decide(jurisdiction_state="TX", recipient_type="law_enforcement", **THREAT)
    assert d.outcome is Out.PERMITTED_WITH_CONDITIONS
    assert "limit_to_scope:threat" in d.conditions


def test_florida_requires_notifying_police_and_allows_warning_the_victim() -> None:
    d = decide(jurisdiction_state="FL", recipient_type="law_enforcement", **THREAT)
    assert d.outcome is Out.REQUIRED
    assert {"notify_law_enforcement", "optional:warn_victim"} <= set(d.conditions)


def test_florida_was_permissive_before_its_2019_amendment() -> None:
    f = facts(jurisdiction_state="FL", recipient_type="law_enforcement", **THREAT)
    assert evaluate(f, date(2018, 1, 1)).outcome is Out.PERMITTED_WITH_CONDITIONS
    assert evaluate(f, date(2020, 1, 1)).outcome is Out.REQUIRED


def test_illinois_discharge_includes_hospitalization_and_supervision() -> None:
    d = decide(
        jurisdiction_state="IL",
        professional_role="clinical_psychologist",
        recipient_type=["potential_victim", "law_enforcement"],
        **THREAT,
    )
    assert d.outcome is Out.PERMITTED_WITH_CONDITIONS
    expected = {"warn_victim", "notify_law_enforcement", "alternative:seek_hospitalization"}
    assert expected | {"supervisory_review"} <= set(d.conditions)


def test_illinois_lcsw_coverage_is_escalated_to_legal_review() -> None:
    d = decide(jurisdiction_state="IL", recipient_type="potential_victim", **THREAT)
    assert "legal_review" in d.conditions


def test_new_york_safe_act_report_is_required_with_nonclinical_identifiers_only() -> None:
    threat = {"present": True, "target": "third_party", "serious": True, "imminent": False}
    d = decide(
        jurisdiction_state="NY",
        recipient_type="county_director_of_community_services",
        purpose="mandated_report",
        threat=threat,
    )
    assert d.outcome is Out.REQUIRED
    expected = {"deadline:report_as_soon_as_practicable", "limit_to_scope:nonclinical_identifiers"}
    assert expected <= set(d.conditions)


def test_dangerous_patient_report_outside_new_york_is_not_assumed_required() -> None:
    threat = {"present": True, "target": "third_party", "serious": True, "imminent": False}
    d = decide(
        jurisdiction_state="CA",
        recipient_type="county_director_of_community_services",
        purpose="mandated_report",
        threat=threat,
    )
    assert d.outcome is Out.NEEDS_REVIEW


def test_threat_with_unknown_state_needs_the_state() -> None:
    d = decide(jurisdiction_state=None, recipient_type="potential_victim", **THREAT)
    assert d.outcome is Out.NEEDS_REVIEW
    assert "jurisdiction_state" in d.missing_facts


@pytest.mark.parametrize(
    ("state", "deadlines"),
    [
        ("TX", {"deadline:report_within_48_hours"}),
        ("IL", {"deadline:oral_report_immediately", "deadline:written_report_48_hours"}),
        ("NY", {"deadline:oral_report_immediately", "deadline:written_report_48_hours"}),
        ("CA", {"deadline:oral_report_immediately", "deadline:written_report_36_hours"}),
    ],
)
def test_child_abuse_reports_carry_each_states_deadlines(state: str, deadlines: set[str]) -> None:
    d = decide(
        jurisdiction_state=state,
        client_age=10,
        client_is_minor=True,
        info_category="general",
        recipient_type="child_protective_services",
        purpose="mandated_report",
        abuse_suspected={"type": "child", "basis": "observation"},
    )
    assert d.outcome is Out.REQUIRED
    assert deadlines | {"limit_to_scope:reporting_law", "log_for_accounting"} <= set(d.conditions)


def test_texas_and_illinois_reports_may_not_be_delegated() -> None:
    for state in ("TX", "IL"):
        d = decide(
            jurisdiction_state=state,
            recipient_type="child_protective_services",
            purpose="mandated_report",
            abuse_suspected={"type": "child"},
        )
        assert "may_not_delegate_report" in d.conditions


def test_california_elder_abuse_report_is_required_within_two_working_days() -> None:
    d = decide(
        jurisdiction_state="CA",
        client_age=81,
        info_category="general",
        recipient_type="adult_protective_services",
        purpose="mandated_report",
        abuse_suspected={"type": "elder"},
    )
    assert d.outcome is Out.REQUIRED
    expected = {"deadline:written_report_2_working_days", "inform_individual_per_164_512_c_2"}
    assert expected <= set(d.conditions)


def test_california_minor_who_consented_alone_controls_her_records() -> None:
    d = decide(
        jurisdiction_state="CA",
        client_age=15,
        client_is_minor=True,
        recipient_type="parent",
        purpose="access_request",
    )
    assert d.outcome is Out.PROHIBITED
    assert {"requires:minor_authorization", "professional_judgment"} <= set(d.conditions)


def test_california_parent_of_a_young_child_goes_to_professional_review() -> None:
    d = decide(
        jurisdiction_state="CA",
        client_age=7,
        client_is_minor=True,
        recipient_type="parent",
        purpose="access_request",
    )
    assert d.outcome is Out.NEEDS_REVIEW
    assert "written_denial_with_review_rights" in d.conditions


def test_illinois_minor_counseling_is_not_told_to_parents_without_consent() -> None:
    d = decide(
        jurisdiction_state="IL",
        client_age=14,
        client_is_minor=True,
        recipient_type="parent",
        purpose="parent_inquiry",
    )
    assert d.outcome is Out.PROHIBITED
    assert "track_minor_session_limit" in d.conditions


def test_minor_in_a_state_without_data_goes_to_review() -> None:
    d = decide(
        jurisdiction_state="TX",
        client_age=15,
        client_is_minor=True,
        recipient_type="parent",
        purpose="access_request",
    )
    assert d.outcome is Out.NEEDS_REVIEW
    assert "check_state_law:minor_records_access" in d.conditions


def test_hiv_status_to_a_partner_needs_state_law_review() -> None:
    threat = {"present": True, "target": "third_party", "serious": True, "imminent": False}
    d = decide(
        jurisdiction_state="CA",
        info_category="hiv",
        recipient_type="third_party_partner",
        purpose="prevent_serious_threat",
        threat=threat,
    )
    assert d.outcome is Out.NEEDS_REVIEW
    assert {"check_state_law:hiv_confidentiality", "legal_review"} <= set(d.conditions)


def test_every_table_covers_the_five_core_states() -> None:
    on = date(2026, 1, 1)
    for state in FIVE:
        assert duty_to_warn(state, on) is not None
        assert reporting(state, ReportType.CHILD_ABUSE, on) is not None
        assert minor_consent(state, MinorService.OUTPATIENT_MENTAL_HEALTH) is not None
        assert confidentiality(state) is not None


def test_every_row_names_its_source_and_citation() -> None:
    rows = (*duty_to_warn_rows(), *reporting_rows(), *minor_consent_rows())
    assert all(row.source and row.citation for row in rows)


def test_duty_to_warn_rows_do_not_overlap_in_time() -> None:
    rows = duty_to_warn_rows()
    for state in {r.state for r in rows}:
        spans = sorted((r.effective_from, r.effective_to) for r in rows if r.state == state)
        for (_, end), (start, _) in pairwise(spans):
            assert end is not None
            assert end <= start


def test_duty_types_are_the_three_classes() -> None:
    assert {r.duty for r in duty_to_warn_rows()} == set(DutyType)
