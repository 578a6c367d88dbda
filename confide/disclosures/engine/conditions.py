"""Condition codes: the vocabulary of `conditions` in a decision.

Owns the codes' spelling (rules use these names, never string literals) and the policy of which
codes may accompany a `prohibited` outcome: only codes that name what would change the answer,
how to answer the requester, or how to record and escalate; never a code that scopes a release.
Codes added by this engine beyond the spec's vocabulary are marked "(engine)".
"""

from __future__ import annotations

from typing import Final

# Scope of what is released
MINIMUM_NECESSARY: Final = "minimum_necessary"
LIMIT_TO_DIRECTLY_RELEVANT: Final = "limit_to_directly_relevant"
SCOPE_ORDER: Final = "limit_to_scope:order"
SCOPE_AUTHORIZATION: Final = "limit_to_scope:authorization"
SCOPE_CONSENT: Final = "limit_to_scope:consent"
SCOPE_REQUEST: Final = "limit_to_scope:request"
SCOPE_THREAT: Final = "limit_to_scope:threat"
SCOPE_EMERGENCY: Final = "limit_to_scope:emergency"
SCOPE_REPORTING_LAW: Final = "limit_to_scope:reporting_law"
SCOPE_512_F_2: Final = "limit_to_scope:164_512_f_2_elements"
SCOPE_PART2_CRIME: Final = "limit_to_scope:part2_crime_on_premises"
SCOPE_NONCLINICAL_IDENTIFIERS: Final = "limit_to_scope:nonclinical_identifiers"
EXCLUDE_PSYCHOTHERAPY_NOTES: Final = "exclude:psychotherapy_notes"
EXCLUDE_SUD_COUNSELING_NOTES: Final = "exclude:sud_counseling_notes"
EXCLUDE_DNA_DENTAL_TISSUE: Final = "exclude:dna_dental_tissue_data"
PROTECT_THIRD_PARTY_INFORMATION: Final = "protect_third_party_information"
DEIDENTIFY_OR_OBTAIN_CONSENT: Final = "deidentify_or_obtain_consent"
DO_NOT_CONFIRM_OR_DENY: Final = "do_not_confirm_or_deny"
VERIFY_IDENTITY: Final = "verify_identity_and_authority"

# Preconditions: what would have to change
REQUIRES_PN_AUTHORIZATION: Final = "requires:psychotherapy_notes_authorization"
REQUIRES_PN_AUTHORIZATION_OR_ORDER: Final = (
    "requires:psychotherapy_notes_authorization_or_court_order"
)
REQUIRES_PART2_CONSENT: Final = "requires:part2_consent"
REQUIRES_PART2_CONSENT_OR_ORDER: Final = "requires:part2_consent_or_court_order"
REQUIRES_SUD_NOTES_CONSENT: Final = "requires:separate_sud_counseling_notes_consent"
REQUIRES_ASSURANCES_OR_AUTHORIZATION: Final = "requires:satisfactory_assurances_or_authorization"
REQUIRES_MINOR_WRITTEN_CONSENT: Final = "requires:minor_written_consent"
REQUIRES_MINOR_AUTHORIZATION: Final = "requires:minor_authorization"
REQUIRES_VAWA_CONSENT: Final = "requires:vawa_written_time_limited_consent"
REQUIRES_HIPAA_AUTHORIZATION: Final = "requires:hipaa_authorization"  # (engine)
REQUIRES_FERPA_CONSENT: Final = "requires:ferpa_written_consent"  # (engine)
PRECONDITION_512_F_2: Final = "precondition:suspect_fugitive_witness_missing_or_512j"
PREFER_AUTHORIZATION: Final = "prefer_authorization"

# Notices that travel with a release
ATTACH_PART2_NOTICE: Final = "attach_part2_redisclosure_notice"
ATTACH_PART2_CONSENT_COPY: Final = "attach_part2_consent_copy_or_scope_explanation"
GIVE_CLIENT_COPY_OF_AUTHORIZATION: Final = "give_client_copy_of_authorization"

# Informing people
NOTIFY_CLIENT: Final = "notify_client"
NOTIFY_CLIENT_IF_SAFE: Final = "notify_client_if_safe"
INFORM_INDIVIDUAL_512_C_2: Final = "inform_individual_per_164_512_c_2"
INFORM_MINOR_BEFORE_DISCLOSURE: Final = "inform_minor_before_disclosure"
INFORM_WHEN_CAPACITY_RETURNS: Final = "inform_when_capacity_returns"
NOTIFY_PARENT_OR_ELIGIBLE_STUDENT: Final = "notify_parent_or_eligible_student_in_advance"
IF_COMPELLED_NOTIFY_VICTIM: Final = "if_compelled:notify_victim_and_protect_safety"

# Recipients and actions
WARN_VICTIM: Final = "warn_victim"
OPTIONAL_WARN_VICTIM: Final = "optional:warn_victim"
NOTIFY_LAW_ENFORCEMENT: Final = "notify_law_enforcement"
RECIPIENTS_ABLE_TO_PREVENT_HARM: Final = "recipients_able_to_prevent_harm"
ALTERNATIVE_HOSPITALIZATION: Final = "alternative:seek_hospitalization"
ALTERNATIVE_POLICE_OR_MEDICAL: Final = "alternative:law_enforcement_or_medical_personnel"
NOTIFY_MEDIA: Final = "notify_media"
NOTIFY_HHS_CONTEMPORANEOUS: Final = "notify_hhs:contemporaneous"
NOTIFY_HHS_ANNUAL_LOG: Final = "notify_hhs:annual_log_60_days_after_year_end"  # (engine)
REPORT_PER_STATE_LAW: Final = "report_per_state_law"
MAY_NOT_DELEGATE_REPORT: Final = "may_not_delegate_report"

# Deadlines
DEADLINE_HIPAA_ACCESS: Final = "deadline:hipaa_access_30_days"
DEADLINE_ACCOUNTING: Final = "deadline:accounting_60_days"
DEADLINE_FERPA_ACCESS: Final = "deadline:ferpa_access_45_days"
DEADLINE_BREACH_NOTICE: Final = "deadline:breach_notice_60_days"

# Records and logging
DOCUMENT: Final = "document"
DOCUMENT_PART2_EMERGENCY: Final = "document_part2_emergency_details"
LOG_FOR_ACCOUNTING: Final = "log_for_accounting"
RECORD_DISCLOSURE_FERPA: Final = "record_disclosure_ferpa"
RECORD_RESTRICTION: Final = "record_restriction"
FLAG_BILLING_RESTRICTION: Final = "flag_billing_restriction"
ACCOUNTING_EXCLUSIONS_APPLY: Final = "accounting_exclusions_apply"
ACCOUNTING_ENTRY: Final = "accounting_entry:date_recipient_description_purpose"
ACCOUNTING_PERIOD: Final = "accounting_period:6_years"
FEE_FIRST_ACCOUNTING_FREE: Final = "fee:first_accounting_free_12_months"
BREACH_RISK_ASSESSMENT: Final = "breach_risk_assessment"

# Judgment and escalation
PROFESSIONAL_JUDGMENT: Final = "professional_judgment"
CLINICAL_RISK_ASSESSMENT: Final = "clinical_risk_assessment"
SUPERVISORY_REVIEW: Final = "supervisory_review"
SUPERVISORY_REVIEW_IF_TIME_PERMITS: Final = "supervisory_review_if_time_permits"
LEGAL_REVIEW: Final = "legal_review"
HOLD_PENDING_REVIEW: Final = "hold_pending_review"
REASSESS_IF_FACTS_CHANGE: Final = "reassess_if_facts_change"
CONSIDER_WITHOUT_SUD_STATUS: Final = "consider:disclose_without_revealing_sud_status"
CONSIDER_PART2_EMERGENCY: Final = "consider:part2_medical_emergency_2_51"
CONSIDER_PART2_ORDER: Final = "consider:part2_court_order_2_63"
CONSIDER_MANDATED_REPORT: Final = "consider:mandated_report"
CONSIDER_REVIEWABLE_DENIAL: Final = "consider:reviewable_denial"
CHECK_PRIVILEGE: Final = "check_state_law:privilege"
CHECK_MENTAL_HEALTH_LAW: Final = "check_state_law:mental_health_confidentiality"
CHECK_MINOR_RECORDS_LAW: Final = "check_state_law:minor_records_access"
CHECK_HIV_LAW: Final = "check_state_law:hiv_confidentiality"
CHECK_GENERAL_CONFIDENTIALITY_LAW: Final = "check_state_law:general_confidentiality"
CHECK_DUTY_TO_WARN_LAW: Final = "check_state_law:duty_to_warn"  # (engine)
CHECK_REPORTING_LAW: Final = "check_state_law:mandated_reporting"  # (engine)
CHECK_FUNDER_RULES: Final = "check_funder_rules"
CONFIRM_BILLING_AUTHORIZED: Final = "confirm_client_authorized_third_party_payer"  # (engine)

# Legal process
RESPOND_TO_PROCESS: Final = "respond_to_process_do_not_ignore"
ASK_COURT_TO_NARROW_OR_SEAL: Final = "ask_court_to_narrow_or_seal"
WRITTEN_DENIAL_WITH_REVIEW_RIGHTS: Final = "written_denial_with_review_rights"

# Other
HONOR_REVOCATION: Final = "honor_revocation"
HONOR_KNOWN_PRIOR_PREFERENCE: Final = "honor_known_prior_preference"
OFFER_SUMMARY_INSTEAD: Final = "offer_summary_instead"
OFFER_HELP_INTERPRETING_RECORD: Final = "offer_help_interpreting_record"
PROVIDE_IN_REQUESTED_FORM: Final = "provide_in_requested_form"
MAY_RECEIVE_INFORMATION_FROM_FAMILY: Final = "may_receive_information_from_family"
MAY_PROVIDE_COPY_OF_PART2_RULES: Final = "may_provide_copy_of_part2_rules"
SAFETY_PLANNING: Final = "safety_planning"
TRACK_MINOR_SESSION_LIMIT: Final = "track_minor_session_limit"
CHOOSE_COMPETENT_CONSULTANT: Final = "choose_competent_consultant"
ROUTE_TO_PRIVACY_OFFICER: Final = "route_to_privacy_officer"
PART2_ORIGINAL_RECORDS_PROTECTED: Final = "part2_original_records_remain_protected"
EXCEPTION_PART2_MINOR_THREAT: Final = "exception:part2_minor_lacks_capacity_threat_to_life"

# A `prohibited` decision may carry these families and plain codes and nothing else: they say
# what would change the answer, how to answer the requester, or how to record and escalate.
_PROHIBITED_FAMILIES: Final = frozenset(
    {"requires", "alternative", "consider", "exception", "if_compelled", "check_state_law"}
)
_PROHIBITED_PLAIN: Final = frozenset(
    {
        DOCUMENT,
        LEGAL_REVIEW,
        SUPERVISORY_REVIEW,
        PROFESSIONAL_JUDGMENT,
        DO_NOT_CONFIRM_OR_DENY,
        ROUTE_TO_PRIVACY_OFFICER,
        RESPOND_TO_PROCESS,
        NOTIFY_CLIENT,
        OFFER_SUMMARY_INSTEAD,
        RECORD_RESTRICTION,
        FLAG_BILLING_RESTRICTION,
        HONOR_REVOCATION,
        MAY_RECEIVE_INFORMATION_FROM_FAMILY,
        MAY_PROVIDE_COPY_OF_PART2_RULES,
        SAFETY_PLANNING,
        DEIDENTIFY_OR_OBTAIN_CONSENT,
        PART2_ORIGINAL_RECORDS_PROTECTED,
        TRACK_MINOR_SESSION_LIMIT,
        WRITTEN_DENIAL_WITH_REVIEW_RIGHTS,
        PREFER_AUTHORIZATION,
        REASSESS_IF_FACTS_CHANGE,
        CLINICAL_RISK_ASSESSMENT,
        CHECK_FUNDER_RULES,
    }
)


def allowed_when_prohibited(code: str) -> bool:
    """Whether `code` may accompany a `prohibited` outcome (it never releases information)."""
    family, sep, _detail = code.partition(":")
    if sep:
        return family in _PROHIBITED_FAMILIES
    return code in _PROHIBITED_PLAIN
