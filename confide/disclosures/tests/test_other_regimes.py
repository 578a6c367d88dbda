"""FERPA, VAWA, non-covered agencies and the NASW overlay."""

from __future__ import annotations

from confide.disclosures.engine import Outcome

from .factories import SERIOUS_IMMINENT_THREAT, decide

Out = Outcome
SCHOOL = {
    "entity_type": "ferpa_school",
    "professional_role": "school_social_worker",
    "info_category": "education_record",
    "client_age": 12,
    "client_is_minor": True,
}
SHELTER = {
    "entity_type": "vawa_grantee_non_covered",
    "professional_role": "advocate_social_worker",
    "info_category": "dv_victim_pii",
}
AGENCY = {"entity_type": "non_covered_agency", "info_category": "general"}


def test_ferpa_parent_may_inspect_education_records_within_45_days() -> None:
    d = decide(**SCHOOL, recipient_type="parent", purpose="access_request")
    assert d.outcome is Out.REQUIRED
    assert "deadline:ferpa_access_45_days" in d.conditions


def test_ferpa_subpoena_needs_advance_notice_to_the_parent() -> None:
    d = decide(
        **SCHOOL, recipient_type="attorney", purpose="litigation", legal_instrument="subpoena"
    )
    assert d.outcome is Out.PERMITTED_WITH_CONDITIONS
    expected = {"notify_parent_or_eligible_student_in_advance", "record_disclosure_ferpa"}
    assert expected | {"legal_review"} <= set(d.conditions)


def test_ferpa_health_or_safety_emergency_allows_telling_the_threat_team() -> None:
    d = decide(
        **SCHOOL,
        recipient_type="threat_assessment_team",
        purpose="health_safety_emergency",
        threat=SERIOUS_IMMINENT_THREAT,
    )
    assert d.outcome is Out.PERMITTED_WITH_CONDITIONS
    assert "record_disclosure_ferpa" in d.conditions


def test_ferpa_records_to_an_employer_need_written_consent() -> None:
    d = decide(**SCHOOL, recipient_type="employer", purpose="client_directed")
    assert d.outcome is Out.PROHIBITED


def test_ferpa_mandated_report_from_education_records_goes_to_review() -> None:
    d = decide(
        **SCHOOL,
        recipient_type="child_protective_services",
        purpose="mandated_report",
        abuse_suspected={"type": "child"},
    )
    assert d.outcome is Out.NEEDS_REVIEW


def test_ferpa_parent_of_an_adult_student_does_not_hold_the_rights() -> None:
    school = {**SCHOOL, "client_age": 19, "client_is_minor": False}
    d = decide(**school, recipient_type="parent", purpose="access_request")
    assert d.outcome is Out.NEEDS_REVIEW


def test_vawa_victim_location_to_police_without_written_consent_is_prohibited() -> None:
    d = decide(**SHELTER, recipient_type="law_enforcement", purpose="law_enforcement_inquiry")
    assert d.outcome is Out.PROHIBITED
    assert {"requires:vawa_written_time_limited_consent", "do_not_confirm_or_deny"} <= set(
        d.conditions
    )


def test_vawa_oral_agreement_is_not_written_consent() -> None:
    consent = {"present": True, "type": "oral_agreement", "valid": True}
    d = decide(
        **SHELTER,
        recipient_type="social_service_agency",
        purpose="care_coordination",
        consent=consent,
    )
    assert d.outcome is Out.PROHIBITED


def test_vawa_written_time_limited_consent_permits_release() -> None:
    consent = {
        "present": True,
        "type": "agency_release",
        "valid": True,
        "scope_covers_request": True,
    }
    d = decide(
        **SHELTER,
        recipient_type="social_service_agency",
        purpose="care_coordination",
        consent=consent,
    )
    assert d.outcome is Out.PERMITTED_WITH_CONDITIONS
    assert "limit_to_scope:consent" in d.conditions


def test_vawa_funder_may_not_receive_identifying_data() -> None:
    d = decide(**SHELTER, recipient_type="health_oversight_agency", purpose="payment_audit")
    assert d.outcome is Out.PROHIBITED
    assert "check_funder_rules" in d.conditions


def test_vawa_court_order_is_obeyed_after_notifying_the_victim() -> None:
    d = decide(
        **SHELTER, recipient_type="court", purpose="litigation", legal_instrument="court_order"
    )
    assert d.outcome is Out.REQUIRED
    assert "if_compelled:notify_victim_and_protect_safety" in d.conditions


def test_vawa_subpoena_is_not_a_court_mandate() -> None:
    d = decide(
        **SHELTER, recipient_type="attorney", purpose="litigation", legal_instrument="subpoena"
    )
    assert d.outcome is Out.PROHIBITED


def test_vawa_child_abuse_report_is_compelled_by_statute() -> None:
    d = decide(
        **SHELTER,
        recipient_type="child_protective_services",
        purpose="mandated_report",
        abuse_suspected={"type": "child"},
    )
    assert d.outcome is Out.REQUIRED
    assert "if_compelled:notify_victim_and_protect_safety" in d.conditions


def test_non_covered_agency_sharing_without_consent_turns_on_state_law() -> None:
    d = decide(**AGENCY, recipient_type="social_service_agency", purpose="care_coordination")
    assert d.outcome is Out.NEEDS_REVIEW
    assert "check_state_law:general_confidentiality" in d.conditions
    assert "minimum_necessary" not in d.conditions


def test_non_covered_agency_with_consent_may_share_within_it() -> None:
    consent = {
        "present": True,
        "type": "agency_release",
        "valid": True,
        "scope_covers_request": True,
    }
    d = decide(**AGENCY, recipient_type="employer", purpose="client_directed", consent=consent)
    assert d.outcome is Out.PERMITTED_WITH_CONDITIONS


def test_non_covered_agency_threat_uses_the_nasw_standard() -> None:
    d = decide(
        **AGENCY,
        recipient_type="potential_victim",
        purpose="prevent_serious_threat",
        threat=SERIOUS_IMMINENT_THREAT,
    )
    assert d.outcome is Out.PERMITTED_WITH_CONDITIONS
    assert "noncovered.threat.serious_imminent" in d.rules
    assert "log_for_accounting" not in d.conditions


def test_non_covered_agency_child_abuse_report_is_required() -> None:
    d = decide(
        **AGENCY,
        recipient_type="child_protective_services",
        purpose="mandated_report",
        abuse_suspected={"type": "child"},
    )
    assert d.outcome is Out.REQUIRED


def test_consultation_is_deidentified_unless_the_client_consents() -> None:
    d = decide(recipient_type="colleague_consultant", purpose="consultation")
    assert d.outcome is Out.PERMITTED_WITH_CONDITIONS
    assert {"deidentify_or_obtain_consent", "choose_competent_consultant"} <= set(d.conditions)


def test_identifying_consultation_without_consent_needs_a_compelling_need() -> None:
    d = decide(
        recipient_type="colleague_consultant", purpose="consultation", other={"identifying": True}
    )
    assert d.outcome is Out.NEEDS_REVIEW


def test_identifying_teaching_material_without_consent_is_prohibited() -> None:
    d = decide(recipient_type="students", purpose="teaching", other={"identifying": True})
    assert d.outcome is Out.PROHIBITED
    assert "deidentify_or_obtain_consent" in d.conditions


def test_deidentified_teaching_material_is_permitted() -> None:
    d = decide(recipient_type="students", purpose="teaching", other={"identifying": False})
    assert d.outcome is Out.PERMITTED


def test_payer_disclosure_confirms_the_clients_billing_authorization() -> None:
    d = decide(recipient_type="insurer_health_plan", purpose="payment")
    assert "confirm_client_authorized_third_party_payer" in d.conditions


def test_payer_disclosure_over_the_clients_objection_needs_review() -> None:
    d = decide(recipient_type="insurer_health_plan", purpose="payment", client_objects=True)
    assert d.outcome is Out.NEEDS_REVIEW
