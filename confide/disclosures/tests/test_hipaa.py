"""HIPAA Privacy Rule pack: one or more behaviour tests per rule."""

from __future__ import annotations

from confide.disclosures.engine import Outcome

from .factories import SERIOUS_IMMINENT_THREAT, VALID_AUTHORIZATION, decide

Out = Outcome


def test_treatment_disclosure_to_a_provider_is_permitted_without_minimum_necessary() -> None:
    d = decide()
    assert d.outcome is Out.PERMITTED
    assert "hipaa.tpo.treatment" in d.rules
    assert "exclude:psychotherapy_notes" in d.conditions
    assert "minimum_necessary" not in d.conditions


def test_care_coordination_with_a_social_service_agency_needs_minimum_necessary() -> None:
    d = decide(recipient_type="social_service_agency", purpose="care_coordination")
    assert d.outcome is Out.PERMITTED_WITH_CONDITIONS
    assert {"minimum_necessary", "prefer_authorization"} <= set(d.conditions)


def test_psychotherapy_notes_to_another_provider_need_their_own_authorization() -> None:
    d = decide(info_category="psychotherapy_notes")
    assert d.outcome is Out.PROHIBITED
    assert "requires:psychotherapy_notes_authorization" in d.conditions
    assert "offer_summary_instead" in d.conditions


def test_psychotherapy_notes_with_a_specific_authorization_are_permitted() -> None:
    d = decide(info_category="psychotherapy_notes", consent=VALID_AUTHORIZATION)
    assert d.outcome is Out.PERMITTED_WITH_CONDITIONS
    assert "limit_to_scope:authorization" in d.conditions


def test_psychotherapy_notes_under_a_subpoena_with_assurances_are_prohibited() -> None:
    d = decide(
        info_category="psychotherapy_notes",
        recipient_type="attorney",
        purpose="litigation",
        legal_instrument="subpoena_with_assurances",
    )
    assert d.outcome is Out.PROHIBITED
    assert "requires:psychotherapy_notes_authorization_or_court_order" in d.conditions


def test_psychotherapy_notes_under_a_court_order_are_required_within_the_order() -> None:
    d = decide(
        info_category="psychotherapy_notes",
        recipient_type="court",
        purpose="litigation",
        legal_instrument="court_order",
    )
    assert d.outcome is Out.REQUIRED
    assert {"limit_to_scope:order", "ask_court_to_narrow_or_seal"} <= set(d.conditions)


def test_psychotherapy_notes_may_go_to_oversight_of_their_originator() -> None:
    d = decide(
        info_category="psychotherapy_notes",
        recipient_type="health_oversight_agency",
        purpose="oversight_of_originator",
        legal_instrument="administrative_request",
    )
    assert d.outcome is Out.PERMITTED_WITH_CONDITIONS
    expected = {"minimum_necessary", "verify_identity_and_authority", "log_for_accounting"}
    assert expected | {"legal_review"} <= set(d.conditions)


def test_attorney_subpoena_without_assurances_is_prohibited_but_answered() -> None:
    d = decide(recipient_type="attorney", purpose="litigation", legal_instrument="subpoena")
    assert d.outcome is Out.PROHIBITED
    expected = {
        "respond_to_process_do_not_ignore",
        "requires:satisfactory_assurances_or_authorization",
        "notify_client",
        "legal_review",
    }
    assert expected <= set(d.conditions)


def test_subpoena_with_assurances_permits_minimum_necessary_and_is_logged() -> None:
    d = decide(
        info_category="general",
        recipient_type="attorney",
        purpose="litigation",
        legal_instrument="subpoena_with_assurances",
    )
    assert d.outcome is Out.PERMITTED_WITH_CONDITIONS
    assert {"minimum_necessary", "limit_to_scope:request", "log_for_accounting"} <= set(
        d.conditions
    )


def test_litigation_request_with_unknown_process_needs_review() -> None:
    d = decide(recipient_type="attorney", purpose="litigation", legal_instrument=None)
    assert d.outcome is Out.NEEDS_REVIEW
    assert d.missing_facts == ("legal_instrument",)


def test_court_order_is_required_and_limited_to_the_order() -> None:
    d = decide(recipient_type="court", purpose="litigation", legal_instrument="court_order")
    assert d.outcome is Out.REQUIRED
    assert {"limit_to_scope:order", "notify_client", "log_for_accounting"} <= set(d.conditions)
    assert "minimum_necessary" not in d.conditions


def test_client_access_request_is_required_within_30_days_without_psychotherapy_notes() -> None:
    d = decide(recipient_type="client_self", purpose="access_request")
    assert d.outcome is Out.REQUIRED
    assert {"deadline:hipaa_access_30_days", "exclude:psychotherapy_notes"} <= set(d.conditions)


def test_client_access_to_psychotherapy_notes_is_a_judgment_call() -> None:
    d = decide(
        recipient_type="client_self", purpose="access_request", info_category="psychotherapy_notes"
    )
    assert d.outcome is Out.NEEDS_REVIEW


def test_accounting_request_is_required_within_60_days() -> None:
    d = decide(recipient_type="client_self", purpose="accounting_request")
    assert d.outcome is Out.REQUIRED
    assert {"deadline:accounting_60_days", "accounting_period:6_years"} <= set(d.conditions)


def test_hhs_compliance_review_is_required() -> None:
    d = decide(recipient_type="hhs", purpose="oversight_of_originator")
    assert d.outcome is Out.REQUIRED


def test_self_paid_services_may_not_go_to_the_health_plan_when_restricted() -> None:
    other = {"paid_in_full_out_of_pocket": True, "restriction_requested": True}
    d = decide(recipient_type="insurer_health_plan", purpose="payment", other=other)
    assert d.outcome is Out.PROHIBITED
    assert {"record_restriction", "flag_billing_restriction"} <= set(d.conditions)


def test_a_restriction_without_self_pay_goes_to_the_privacy_officer() -> None:
    other = {"paid_in_full_out_of_pocket": False, "restriction_requested": True}
    d = decide(recipient_type="insurer_health_plan", purpose="payment", other=other)
    assert d.outcome is Out.NEEDS_REVIEW


def test_payment_audit_by_a_health_plan_is_minimum_necessary() -> None:
    d = decide(recipient_type="insurer_health_plan", purpose="payment_audit")
    assert d.outcome is Out.PERMITTED_WITH_CONDITIONS
    assert {"minimum_necessary", "exclude:psychotherapy_notes"} <= set(d.conditions)


def test_revoked_authorization_is_honored() -> None:
    consent = {"present": True, "type": "hipaa_authorization", "valid": False, "revoked": True}
    d = decide(recipient_type="attorney", purpose="client_directed", consent=consent)
    assert d.outcome is Out.PROHIBITED
    assert "honor_revocation" in d.conditions


def test_valid_authorization_permits_disclosure_within_its_scope() -> None:
    d = decide(recipient_type="attorney", purpose="client_directed", consent=VALID_AUTHORIZATION)
    assert d.outcome is Out.PERMITTED_WITH_CONDITIONS
    assert {"limit_to_scope:authorization", "give_client_copy_of_authorization"} <= set(
        d.conditions
    )


def test_authorization_of_unknown_validity_needs_review() -> None:
    consent = {"present": True, "type": "hipaa_authorization"}
    d = decide(recipient_type="employer", purpose="return_to_work_verification", consent=consent)
    assert d.outcome is Out.NEEDS_REVIEW
    assert d.missing_facts == ("consent.valid",)


def test_employer_without_authorization_is_prohibited() -> None:
    d = decide(recipient_type="employer", purpose="return_to_work_verification")
    assert d.outcome is Out.PROHIBITED
    assert "requires:hipaa_authorization" in d.conditions


def test_media_inquiry_is_neither_confirmed_nor_denied() -> None:
    d = decide(recipient_type="media", purpose="media_inquiry")
    assert d.outcome is Out.PROHIBITED
    assert "do_not_confirm_or_deny" in d.conditions


def test_family_of_an_incapacitated_adult_may_get_directly_relevant_information() -> None:
    d = decide(
        recipient_type="family_member",
        purpose="involvement_in_care",
        client_present_and_capable=False,
        emergency=True,
    )
    assert d.outcome is Out.PERMITTED_WITH_CONDITIONS
    assert {"professional_judgment", "inform_when_capacity_returns"} <= set(d.conditions)


def test_family_when_the_client_agrees_gets_directly_relevant_information() -> None:
    d = decide(
        recipient_type="family_member",
        purpose="involvement_in_care",
        client_present_and_capable=True,
        client_objects=False,
    )
    assert d.outcome is Out.PERMITTED_WITH_CONDITIONS
    assert "limit_to_directly_relevant" in d.conditions


def test_family_is_told_nothing_when_the_client_objects() -> None:
    d = decide(
        recipient_type="family_member",
        purpose="involvement_in_care",
        client_present_and_capable=True,
        client_objects=True,
    )
    assert d.outcome is Out.PROHIBITED
    assert "may_receive_information_from_family" in d.conditions


def test_family_with_unknown_capacity_needs_review() -> None:
    d = decide(recipient_type="family_member", purpose="involvement_in_care")
    assert d.outcome is Out.NEEDS_REVIEW
    assert d.missing_facts == ("client_present_and_capable",)


def test_family_of_a_deceased_client_honors_known_wishes() -> None:
    d = decide(
        recipient_type="family_member",
        purpose="involvement_in_care",
        other={"client_deceased": True},
    )
    assert d.outcome is Out.PERMITTED_WITH_CONDITIONS
    assert "honor_known_prior_preference" in d.conditions


def test_executor_of_a_deceased_client_has_the_right_of_access() -> None:
    d = decide(
        recipient_type="personal_representative_executor",
        purpose="access_request",
        other={"client_deceased": True},
    )
    assert d.outcome is Out.REQUIRED
    assert "hipaa.personal_rep.executor" in d.rules
    assert "verify_identity_and_authority" in d.conditions


def test_parent_of_a_young_child_is_the_personal_representative() -> None:
    d = decide(
        client_age=9, client_is_minor=True, recipient_type="parent", purpose="access_request"
    )
    assert d.outcome is Out.REQUIRED
    assert "deadline:hipaa_access_30_days" in d.conditions


def test_suspected_abuser_parent_is_not_automatically_the_representative() -> None:
    abuse = {"type": "child", "requester_is_suspected_abuser": True}
    d = decide(
        client_age=9,
        client_is_minor=True,
        recipient_type="parent_personal_representative",
        purpose="access_request",
        abuse_suspected=abuse,
    )
    assert d.outcome is Out.NEEDS_REVIEW
    assert {"professional_judgment", "consider:mandated_report"} <= set(d.conditions)


def test_parent_request_with_unknown_age_needs_review() -> None:
    d = decide(client_age=None, client_is_minor=None, recipient_type="parent")
    assert d.outcome is Out.NEEDS_REVIEW
    assert "client_is_minor" in d.missing_facts


def test_police_locating_a_suspect_get_only_the_512f2_elements() -> None:
    d = decide(
        info_category="general",
        recipient_type="law_enforcement",
        purpose="law_enforcement_locate_suspect",
    )
    assert d.outcome is Out.PERMITTED_WITH_CONDITIONS
    expected = {
        "limit_to_scope:164_512_f_2_elements",
        "exclude:dna_dental_tissue_data",
        "verify_identity_and_authority",
        "log_for_accounting",
    }
    assert expected <= set(d.conditions)


def test_police_inquiry_without_process_is_prohibited() -> None:
    d = decide(recipient_type="law_enforcement", purpose="law_enforcement_inquiry")
    assert d.outcome is Out.PROHIBITED
    assert "do_not_confirm_or_deny" in d.conditions


def test_police_with_an_administrative_request_get_what_is_specific_and_limited() -> None:
    d = decide(
        recipient_type="law_enforcement",
        purpose="law_enforcement_inquiry",
        legal_instrument="administrative_request",
    )
    assert d.outcome is Out.PERMITTED_WITH_CONDITIONS
    assert {"limit_to_scope:request", "legal_review"} <= set(d.conditions)


def test_crime_victim_who_agrees_may_have_information_shared_with_police() -> None:
    d = decide(
        recipient_type="law_enforcement",
        purpose="law_enforcement_victim",
        client_present_and_capable=True,
        consent={"present": True, "type": "oral_agreement", "valid": True},
    )
    assert d.outcome is Out.PERMITTED_WITH_CONDITIONS


def test_crime_victim_who_refuses_is_not_discussed_with_police() -> None:
    d = decide(
        recipient_type="law_enforcement",
        purpose="law_enforcement_victim",
        client_present_and_capable=True,
        client_objects=True,
    )
    assert d.outcome is Out.PROHIBITED


def test_crime_on_premises_may_be_reported_to_police() -> None:
    d = decide(recipient_type="law_enforcement", purpose="report_crime_on_premises")
    assert d.outcome is Out.PERMITTED_WITH_CONDITIONS
    assert "log_for_accounting" in d.conditions


def test_serious_imminent_threat_permits_warning_those_able_to_prevent_it() -> None:
    d = decide(
        recipient_type="potential_victim",
        purpose="prevent_serious_threat",
        threat=SERIOUS_IMMINENT_THREAT,
    )
    assert d.outcome is Out.PERMITTED_WITH_CONDITIONS
    assert {"limit_to_scope:threat", "log_for_accounting"} <= set(d.conditions)


def test_suicide_risk_permits_telling_family_able_to_intervene() -> None:
    threat = {"present": True, "target": "self", "serious": True, "imminent": True}
    d = decide(recipient_type="family_member", purpose="prevent_serious_threat", threat=threat)
    assert d.outcome is Out.PERMITTED_WITH_CONDITIONS
    assert "recipients_able_to_prevent_harm" in d.conditions


def test_vague_threat_without_imminence_goes_to_clinical_review() -> None:
    threat = {"present": True, "target": "third_party", "serious": False, "imminent": False}
    d = decide(recipient_type="law_enforcement", purpose="prevent_serious_threat", threat=threat)
    assert d.outcome is Out.NEEDS_REVIEW
    expected = {"clinical_risk_assessment", "supervisory_review", "hold_pending_review"}
    assert expected <= set(d.conditions)


def test_threat_of_unknown_seriousness_names_the_missing_facts() -> None:
    threat = {"present": True, "target": "third_party"}
    d = decide(recipient_type="law_enforcement", purpose="prevent_serious_threat", threat=threat)
    assert d.outcome is Out.NEEDS_REVIEW
    assert set(d.missing_facts) == {"threat.serious", "threat.imminent"}


def test_threat_warning_to_someone_unable_to_prevent_it_needs_review() -> None:
    d = decide(
        recipient_type="employer", purpose="prevent_serious_threat", threat=SERIOUS_IMMINENT_THREAT
    )
    assert d.outcome is Out.NEEDS_REVIEW


def test_child_abuse_report_anywhere_is_required_per_state_law() -> None:
    d = decide(
        client_age=8,
        client_is_minor=True,
        recipient_type="child_protective_services",
        purpose="mandated_report",
        abuse_suspected={"type": "child"},
    )
    assert d.outcome is Out.REQUIRED
    assert {"report_per_state_law", "limit_to_scope:reporting_law"} <= set(d.conditions)


def test_adult_victim_report_without_a_law_or_agreement_is_prohibited_when_she_objects() -> None:
    d = decide(
        recipient_type="law_enforcement",
        purpose="report_abuse",
        abuse_suspected={"type": "intimate_partner"},
        client_objects=True,
        state_law_flags={"report_required": False, "report_expressly_authorized": False},
    )
    assert d.outcome is Out.PROHIBITED
    assert "safety_planning" in d.conditions


def test_adult_victim_report_required_by_law_informs_the_client() -> None:
    d = decide(
        recipient_type="adult_protective_services",
        purpose="mandated_report",
        abuse_suspected={"type": "intimate_partner"},
        state_law_flags={"report_required": True},
    )
    assert d.outcome is Out.REQUIRED
    assert "inform_individual_per_164_512_c_2" in d.conditions


def test_adult_victim_report_expressly_authorized_is_a_judgment_call() -> None:
    d = decide(
        recipient_type="adult_protective_services",
        purpose="report_abuse",
        abuse_suspected={"type": "elder"},
        state_law_flags={"report_required": False, "report_expressly_authorized": True},
    )
    assert d.outcome is Out.NEEDS_REVIEW


def test_adult_victim_report_with_unknown_state_duty_names_the_missing_flag() -> None:
    d = decide(
        recipient_type="law_enforcement",
        purpose="report_abuse",
        abuse_suspected={"type": "intimate_partner"},
    )
    assert d.outcome is Out.NEEDS_REVIEW
    assert "state_law_flags.report_required" in d.missing_facts


def test_breach_of_unsecured_records_of_over_500_notifies_everyone() -> None:
    d = decide(
        recipient_type=["affected_individuals", "media", "hhs"],
        purpose="breach_notification",
        other={"affected_count": 620, "encrypted": False},
    )
    assert d.outcome is Out.REQUIRED
    expected = {"deadline:breach_notice_60_days", "notify_media", "notify_hhs:contemporaneous"}
    assert expected <= set(d.conditions)


def test_breach_of_encrypted_records_needs_no_notification() -> None:
    d = decide(
        recipient_type="affected_individuals",
        purpose="breach_notification",
        other={"affected_count": 620, "encrypted": True},
    )
    assert d.outcome is Out.PERMITTED_WITH_CONDITIONS


def test_breach_with_unknown_encryption_needs_review() -> None:
    d = decide(recipient_type="affected_individuals", purpose="breach_notification")
    assert d.outcome is Out.NEEDS_REVIEW
    assert d.missing_facts == ("other.encrypted",)


def test_small_breach_goes_to_hhs_in_the_annual_log() -> None:
    d = decide(
        recipient_type="hhs",
        purpose="breach_notification",
        other={"affected_count": 12, "encrypted": False},
    )
    assert d.outcome is Out.REQUIRED
    assert "notify_hhs:annual_log_60_days_after_year_end" in d.conditions


def test_access_by_a_client_who_poses_a_threat_is_a_reviewable_judgment() -> None:
    threat = {"present": True, "target": "self", "serious": True, "imminent": False}
    d = decide(recipient_type="client_self", purpose="access_request", threat=threat)
    assert d.outcome is Out.NEEDS_REVIEW
    assert {"consider:reviewable_denial", "deadline:hipaa_access_30_days"} <= set(d.conditions)
