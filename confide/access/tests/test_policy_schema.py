"""The Cedar policies validate against the Cedar schema (so runtime calls may skip validation),
validation does catch a broken policy, and every policy id has tests that show it allowing and
denying (the registry below names them, and this module checks that they exist)."""

from __future__ import annotations

import importlib
import re

import cedarpy
import pytest

from confide.access import engine

POLICY_IDS = re.findall(r'@id\("([^"]+)"\)', engine.POLICY_TEXT)

# policy id -> (tests where it lets access through, tests where it stops access), as
# "module:function" in confide.access.tests. For a permit, "allow" means it grants; for a forbid,
# "allow" means access passes because its condition (or an exception) does not hold.
COVERAGE: dict[str, tuple[list[str], list[str]]] = {
    "privacy.releases": (
        ["test_release_policy:test_a_privacy_officer_of_the_agency_may_manage_releases"],
        [
            "test_release_policy:test_another_agencys_privacy_officer_may_not",
            "test_release_policy:test_a_walled_privacy_officer_may_not",
        ],
    ),
    "disclosure.privacy_officer_review": (
        ["test_disclosure_policy:test_a_privacy_officer_of_the_agency_may_sign_off_a_review"],
        [
            "test_disclosure_policy:test_another_agencys_privacy_officer_may_not_review",
            "test_disclosure_policy:test_a_walled_privacy_officer_may_not_review",
        ],
    ),
    "disclosure.review.not_practitioner": (
        ["test_disclosure_policy:test_a_supervisor_of_the_care_team_may_review"],
        [
            "test_disclosure_policy:"
            "test_a_practitioner_never_signs_off_a_review_even_on_their_own_caseload"
        ],
    ),
    "retention.privacy_officer": (
        ["test_retention_policy:test_a_privacy_officer_of_the_agency_may_approve_and_hold"],
        ["test_retention_policy:test_another_agencys_privacy_officer_may_not"],
    ),
    "retention.privacy_officer_only": (
        ["test_retention_policy:test_a_privacy_officer_of_the_agency_may_approve_and_hold"],
        ["test_retention_policy:test_no_other_role_may_even_on_its_own_caseload"],
    ),
    "care_team.practitioner": (
        [
            "test_roles:test_a_practitioner_sees_the_clients_of_their_teams_cases",
            "test_roles:test_a_practitioner_sees_a_client_whose_case_they_are_assigned_to",
        ],
        [
            "test_roles:test_a_practitioner_does_not_see_another_teams_client",
            "test_roles:test_an_assignment_to_one_case_opens_that_case_only_for_writing",
        ],
    ),
    "supervision.supervisor": (
        [
            "test_roles:test_a_supervisor_sees_their_supervisees_cases",
            "test_roles:test_a_supervisor_sees_a_case_their_supervisee_is_assigned_to",
        ],
        [
            "test_roles:test_a_supervisor_does_not_see_cases_of_staff_they_do_not_supervise",
            "test_roles:test_a_supervisor_loses_a_former_or_inactive_supervisees_cases",
        ],
    ),
    "intake.demographics": (
        [
            "test_roles:test_intake_sees_any_clients_demographics_without_cases_or_notes",
            "test_roles:test_intake_finds_any_client_of_its_agency",
        ],
        ["test_roles:test_intake_never_sees_notes_cases_or_the_full_record"],
    ),
    "privacy.review_purpose": (
        ["test_roles:test_a_privacy_officer_reads_a_record_under_a_recorded_review_purpose"],
        [
            "test_roles:test_a_privacy_officer_sees_no_client_content_without_a_review_purpose",
            "test_roles:test_a_review_purpose_permits_reads_but_no_writes",
            "test_roles:test_a_review_purpose_covers_one_client_and_ends_when_it_expires",
        ],
    ),
    "break_glass.emergency": (
        [
            "test_break_glass:test_a_grant_opens_the_record_and_marks_every_access_on_the_ledger",
            "test_break_glass:test_a_supervisor_may_break_the_glass",
        ],
        [
            "test_break_glass:test_a_grant_ends_at_its_time_limit",
            "test_break_glass:test_a_grant_covers_one_client_only",
        ],
    ),
    "agency.boundary": (
        ["test_roles:test_the_agency_boundary_lets_staff_of_the_same_agency_through"],
        [
            "test_roles:test_no_role_sees_another_agencys_client",
            "test_roles:test_the_agency_boundary_holds_even_with_a_team_and_assignment_across_"
            "agencies",
            "test_break_glass:test_break_the_glass_never_crosses_agencies",
        ],
    ),
    "conflict.wall": (
        [
            "test_walls_and_restrictions:test_a_wall_binds_only_the_staff_member_it_names",
            "test_walls_and_restrictions:test_removing_a_wall_restores_access",
        ],
        [
            "test_walls_and_restrictions:test_a_wall_makes_the_client_not_exist_for_that_staff_"
            "member",
            "test_walls_and_restrictions:test_a_wall_declared_during_a_grant_beats_the_grant",
            "test_walls_and_restrictions:test_break_the_glass_cannot_open_a_walled_client",
        ],
    ),
    "restriction.staff": (
        ["test_walls_and_restrictions:test_only_an_agreed_restriction_binds"],
        [
            "test_walls_and_restrictions:test_an_agreed_not_staff_restriction_hides_the_client_"
            "from_that_staff_member",
            "test_walls_and_restrictions:test_a_restriction_binds_from_agreement_and_ends_when_"
            "ended",
        ],
    ),
    "restriction.program": (
        ["test_walls_and_restrictions:test_only_an_agreed_restriction_binds"],
        [
            "test_walls_and_restrictions:test_an_agreed_not_program_restriction_hides_the_client_"
            "from_that_programs_staff",
        ],
    ),
    "label.psychotherapy.author_only": (
        [
            "test_labels:test_a_psychotherapy_note_is_open_to_its_author",
            "test_labels:test_a_trainees_supervisor_may_read_their_psychotherapy_notes",
        ],
        [
            "test_labels:test_a_psychotherapy_note_is_closed_to_the_rest_of_the_care_team",
            "test_labels:test_a_trainees_supervisor_may_only_read_psychotherapy_notes",
            "test_labels:test_psychotherapy_notes_never_open_through_break_glass_or_a_review",
        ],
    ),
    "label.part2.program_staff": (
        [
            "test_labels:test_part2_records_are_open_to_the_programs_staff",
            "test_labels:test_part2_records_open_in_a_bona_fide_emergency",
            "test_labels:test_part2_records_stay_open_to_their_author",
        ],
        [
            "test_labels:test_part2_records_are_closed_to_staff_outside_the_program",
            "test_labels:test_a_part2_label_outside_a_part2_program_is_closed_to_all_but_its_author",
        ],
    ),
    "label.dv_location.designated": (
        ["test_labels:test_dv_location_notes_are_open_to_designated_staff"],
        ["test_labels:test_dv_location_notes_are_closed_to_other_staff_but_not_their_author"],
    ),
    "label.dv_location.address": (
        ["test_labels:test_a_protected_address_is_shown_to_designated_staff"],
        ["test_labels:test_a_protected_address_is_withheld_from_staff_who_are_not_designated"],
    ),
    "label.hiv.designated": (
        [
            "test_labels:test_hiv_notes_are_open_to_the_care_team_where_the_agency_does_not_"
            "restrict_them"
        ],
        [
            "test_labels:test_hiv_notes_are_closed_to_undesignated_staff_where_the_agency_"
            "restricts_them"
        ],
    ),
    "label.minor_consented.guardian": (
        [
            "test_labels:test_minor_consented_records_stay_open_to_staff_and_other_records_to_"
            "guardians"
        ],
        ["test_labels:test_what_a_minor_consented_to_alone_never_goes_to_a_guardian"],
    ),
    "training.lapsed": (
        [
            "test_labels:test_training_is_current_through_its_expiry_day",
            "test_labels:test_lapsed_training_leaves_unlabelled_records_usable",
        ],
        [
            "test_labels:test_lapsed_training_withholds_labelled_notes_and_says_why",
            "test_labels:test_a_user_with_no_training_on_record_is_lapsed",
        ],
    ),
    "training.lapsed.location": (
        ["test_labels:test_lapsed_training_does_not_touch_an_unprotected_address"],
        [
            "test_labels:test_lapsed_training_withholds_a_protected_address_even_from_designated_"
            "staff"
        ],
    ),
    "note.sign.author_only": (
        ["test_labels:test_the_author_signs_their_note"],
        ["test_labels:test_nobody_else_signs_a_note_they_can_read"],
    ),
    "note.write.author_only": (
        ["test_labels:test_the_author_edits_their_draft_and_attaches_files_to_it"],
        ["test_labels:test_nobody_else_writes_a_draft_they_can_read"],
    ),
}


def test_the_policies_validate_against_the_schema() -> None:
    result = cedarpy.validate_policies(engine.POLICY_TEXT, engine.SCHEMA_TEXT)
    assert result.validation_passed, [str(e) for e in result.errors]


BROKEN = {
    "an attribute the schema does not have": (
        "principal.dv_designated",
        "principal.dv_clearance",
    ),
    "a type error": ('resource.labels.contains("hiv")', "resource.labels.contains(42)"),
    "an action the schema does not declare": (
        'Confide::Action::"client:search"',
        'Confide::Action::"client:export"',
    ),
    "an entity type the schema does not declare": (
        "resource is Confide::Note",
        "resource is Confide::Memo",
    ),
    "a context member read without asking whether the request carries it": (
        "(context has break_glass && context.break_glass) &&",
        "context.break_glass &&",
    ),
    "a note's attribute read on a client": (
        'when { resource.labels.contains("dv_location") && !principal.dv_designated };',
        'when { resource.labels.contains("dv_location") && resource.author != principal };',
    ),
}


@pytest.mark.parametrize("flaw", list(BROKEN))
def test_validation_rejects_a_broken_policy(flaw: str) -> None:
    old, new = BROKEN[flaw]
    assert old in engine.POLICY_TEXT
    broken = engine.POLICY_TEXT.replace(old, new, 1)
    result = cedarpy.validate_policies(broken, engine.SCHEMA_TEXT)
    assert not result.validation_passed
    assert result.errors


def test_every_policy_has_a_unique_id() -> None:
    statements = len(re.findall(r"^(permit|forbid)\s*\(", engine.POLICY_TEXT, re.MULTILINE))
    assert len(POLICY_IDS) == statements
    assert len(set(POLICY_IDS)) == len(POLICY_IDS)


def test_every_policy_id_has_an_allow_and_a_deny_test() -> None:
    assert set(COVERAGE) == set(POLICY_IDS)
    for policy_id, (allow, deny) in COVERAGE.items():
        assert allow, policy_id
        assert deny, policy_id
        for reference in allow + deny:
            module, function = reference.split(":")
            tests = importlib.import_module(f"confide.access.tests.{module}")
            assert callable(getattr(tests, function, None)), reference


def test_the_runtime_policy_set_is_the_validated_file() -> None:
    # The engine evaluates exactly the text this module validated (parsed once at import).
    assert (engine.CEDAR_DIR / "policies.cedar").read_text() == engine.POLICY_TEXT
    assert str(engine.POLICIES).count("@id(") == len(POLICY_IDS)
