"""42 CFR Part 2 pack: the most protective regime for SUD records."""

from __future__ import annotations

from confide.disclosures.engine import Outcome

from .factories import SERIOUS_IMMINENT_THREAT, decide

Out = Outcome
PROGRAM = {"entity_type": "part2_program", "info_category": "substance_use_part2"}
PART2_CONSENT = {
    "present": True,
    "type": "part2_written_consent",
    "valid": True,
    "scope_covers_request": True,
}
TPO_CONSENT = {**PART2_CONSENT, "type": "part2_tpo_single_consent"}


def test_part2_records_to_police_without_court_order_are_prohibited() -> None:
    d = decide(**PROGRAM, recipient_type="law_enforcement", purpose="law_enforcement_inquiry")
    assert d.outcome is Out.PROHIBITED
    assert {"do_not_confirm_or_deny", "may_provide_copy_of_part2_rules"} <= set(d.conditions)


def test_part2_subpoena_alone_never_authorizes_disclosure() -> None:
    d = decide(
        **PROGRAM, recipient_type="attorney", purpose="litigation", legal_instrument="subpoena"
    )
    assert d.outcome is Out.PROHIBITED
    expected = {"respond_to_process_do_not_ignore", "do_not_confirm_or_deny", "legal_review"}
    assert expected <= set(d.conditions)


def test_part2_court_order_authorizes_but_does_not_compel() -> None:
    d = decide(
        **PROGRAM, recipient_type="court", purpose="litigation", legal_instrument="court_order"
    )
    assert d.outcome is Out.PERMITTED_WITH_CONDITIONS
    assert "limit_to_scope:order" in d.conditions


def test_part2_medical_emergency_allows_what_the_emergency_needs() -> None:
    d = decide(
        **PROGRAM, recipient_type="medical_personnel", purpose="medical_emergency", emergency=True
    )
    assert d.outcome is Out.PERMITTED_WITH_CONDITIONS
    assert {"limit_to_scope:emergency", "document_part2_emergency_details"} <= set(d.conditions)


def test_part2_medical_emergency_of_unknown_reality_needs_review() -> None:
    d = decide(
        **PROGRAM, recipient_type="medical_personnel", purpose="medical_emergency", emergency=None
    )
    assert d.outcome is Out.NEEDS_REVIEW
    assert d.missing_facts == ("emergency",)


def test_part2_initial_child_abuse_report_is_required_but_records_stay_protected() -> None:
    d = decide(
        **PROGRAM,
        client_age=15,
        client_is_minor=True,
        recipient_type="child_protective_services",
        purpose="mandated_report",
        abuse_suspected={"type": "child"},
    )
    assert d.outcome is Out.REQUIRED
    assert "part2_original_records_remain_protected" in d.conditions


def test_part2_follow_up_request_after_a_report_needs_consent_or_order() -> None:
    d = decide(
        **PROGRAM,
        recipient_type="child_protective_services",
        purpose="care_coordination",
        abuse_suspected={"type": "child"},
    )
    assert d.outcome is Out.PROHIBITED
    assert "requires:part2_consent_or_court_order" in d.conditions


def test_part2_specific_consent_attaches_the_redisclosure_notice() -> None:
    d = decide(
        **PROGRAM,
        recipient_type="employer",
        purpose="return_to_work_verification",
        consent=PART2_CONSENT,
    )
    assert d.outcome is Out.PERMITTED_WITH_CONDITIONS
    expected = {
        "limit_to_scope:consent",
        "attach_part2_redisclosure_notice",
        "attach_part2_consent_copy_or_scope_explanation",
        "honor_revocation",
    }
    assert expected <= set(d.conditions)


def test_part2_generic_medical_release_is_not_a_part2_consent() -> None:
    consent = {"present": True, "type": "hipaa_authorization_generic", "valid": True}
    d = decide(
        **PROGRAM, recipient_type="insurer_non_health", purpose="underwriting", consent=consent
    )
    assert d.outcome is Out.PROHIBITED
    assert {"requires:part2_consent", "do_not_confirm_or_deny"} <= set(d.conditions)


def test_part2_tpo_consent_covers_treatment() -> None:
    d = decide(**PROGRAM, consent=TPO_CONSENT)
    assert d.outcome is Out.PERMITTED_WITH_CONDITIONS
    assert "exclude:sud_counseling_notes" in d.conditions


def test_part2_tpo_consent_does_not_reach_an_employer() -> None:
    d = decide(
        **PROGRAM,
        recipient_type="employer",
        purpose="return_to_work_verification",
        consent=TPO_CONSENT,
    )
    assert d.outcome is Out.PROHIBITED


def test_sud_counseling_notes_need_a_separate_consent() -> None:
    d = decide(
        entity_type="part2_program", info_category="sud_counseling_notes", consent=TPO_CONSENT
    )
    assert d.outcome is Out.PROHIBITED
    assert "requires:separate_sud_counseling_notes_consent" in d.conditions


def test_part2_threat_has_no_hipaa_style_exception() -> None:
    d = decide(
        **PROGRAM,
        recipient_type=["potential_victim", "law_enforcement"],
        purpose="prevent_serious_threat",
        threat=SERIOUS_IMMINENT_THREAT,
    )
    assert d.outcome is Out.NEEDS_REVIEW
    expected = {
        "consider:disclose_without_revealing_sud_status",
        "consider:part2_court_order_2_63",
        "legal_review",
    }
    assert expected <= set(d.conditions)


def test_part2_threat_beats_a_state_duty_to_warn() -> None:
    d = decide(
        **PROGRAM,
        jurisdiction_state="CA",
        recipient_type="potential_victim",
        purpose="prevent_serious_threat",
        threat=SERIOUS_IMMINENT_THREAT,
    )
    assert d.outcome is Out.NEEDS_REVIEW


def test_part2_crime_on_premises_gives_police_limited_facts() -> None:
    d = decide(**PROGRAM, recipient_type="law_enforcement", purpose="report_crime_on_premises")
    assert d.outcome is Out.PERMITTED_WITH_CONDITIONS
    assert "limit_to_scope:part2_crime_on_premises" in d.conditions


def test_part2_minor_records_go_to_a_parent_only_with_the_minors_consent() -> None:
    d = decide(
        **PROGRAM,
        client_age=16,
        client_is_minor=True,
        recipient_type="parent",
        purpose="parent_inquiry",
    )
    assert d.outcome is Out.PROHIBITED
    assert "requires:minor_written_consent" in d.conditions


def test_part2_records_at_a_covered_provider_still_follow_part2() -> None:
    d = decide(
        info_category="substance_use_part2", recipient_type="employer", purpose="client_directed"
    )
    assert d.outcome is Out.PROHIBITED
    assert "requires:part2_consent" in d.conditions


def test_part2_revoked_consent_is_honored() -> None:
    consent = {"present": True, "type": "part2_written_consent", "valid": True, "revoked": True}
    d = decide(**PROGRAM, recipient_type="employer", purpose="client_directed", consent=consent)
    assert d.outcome is Out.PROHIBITED
    assert "honor_revocation" in d.conditions
