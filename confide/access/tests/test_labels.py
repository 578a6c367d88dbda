"""Sensitivity labels, the training gate and signing: psychotherapy notes (author only, and a
trainee's supervisor may read them), Part 2 (program staff, emergencies, the author), DV location
(designated staff; the address withheld with a reason), HIV (per agency setting),
minor-consented (never for a guardian), lapsed training, and note signing (author only)."""

from __future__ import annotations

from uuid import UUID

import pytest

from confide.access.policy import REASONS, Action, Decision, authorize
from confide.accounts import services as accounts
from confide.accounts.models import User
from confide.core import clock
from confide.core.enums import Label, Role
from confide.core.errors import NotFound, NotPermitted
from confide.ledger.tests.support import events_since, ledger_mark
from confide.records import selectors, services
from confide.records.models import Client, Note
from confide.testing import World, make_user
from confide.training.models import TrainingCompletion
from confide.training.services import training_record

from .support import (
    act,
    break_glass,
    label_client,
    lapse_training,
    note,
    part2_unit,
    review_purpose,
    set_user,
    supervise,
)

TRAINING_MESSAGE = REASONS["training.lapsed"]


def _timeline(user: User, client: Client) -> list[UUID]:
    view = selectors.client_get(actor=act(user), client_id=client.id)
    return [n.id for n in view.notes]


def _can_open(user: User, written: Note) -> bool:
    try:
        selectors.note_get(actor=act(user), note_id=written.id)
    except NotFound:
        return False
    return True


# ---- label.psychotherapy.author_only ------------------------------------------------------


def _psychotherapy(world: World) -> Note:
    return note(world, world.worker_a, world.client_a, kind="psychotherapy", body="Process notes.")


def test_a_psychotherapy_note_is_open_to_its_author(world: World) -> None:
    written = _psychotherapy(world)
    assert written.labels == [Label.PSYCHOTHERAPY]
    for action in (Action.NOTE_VIEW, Action.NOTE_EDIT, Action.NOTE_SIGN, Action.ATTACHMENT_VIEW):
        assert authorize(act(world.worker_a), action, written).allowed
    assert _timeline(world.worker_a, world.client_a) == [written.id]


@pytest.mark.parametrize("persona", ["worker_a2", "supervisor_a"])
def test_a_psychotherapy_note_is_closed_to_the_rest_of_the_care_team(
    world: World, persona: str
) -> None:
    written = _psychotherapy(world)
    a = act(getattr(world, persona))
    for action in (Action.NOTE_VIEW, Action.ATTACHMENT_VIEW):
        assert authorize(a, action, written) == Decision(
            False, ("label.psychotherapy.author_only",)
        )
    assert authorize(a, Action.NOTE_EDIT, written) == Decision(
        False, ("label.psychotherapy.author_only", "note.write.author_only")
    )
    assert _timeline(getattr(world, persona), world.client_a) == []
    assert not _can_open(getattr(world, persona), written)


def test_a_trainees_supervisor_may_read_their_psychotherapy_notes(world: World) -> None:
    # 45 CFR 164.508(a)(2)(i)(B): use in supervised training programs.
    supervise(world.supervisor_a, world.worker_a, trainee=True)
    written = _psychotherapy(world)
    a = act(world.supervisor_a)
    assert authorize(a, Action.NOTE_VIEW, written) == Decision(True, ("supervision.supervisor",))
    assert _timeline(world.supervisor_a, world.client_a) == [written.id]
    assert selectors.note_get(actor=a, note_id=written.id).body == "Process notes."


def test_a_trainees_supervisor_may_only_read_psychotherapy_notes(world: World) -> None:
    supervise(world.supervisor_a, world.worker_a, trainee=True)
    written = _psychotherapy(world)
    a = act(world.supervisor_a)
    for action in (
        Action.NOTE_EDIT,
        Action.NOTE_SIGN,
        Action.NOTE_ADDENDUM,
        Action.ATTACHMENT_VIEW,
        Action.ATTACHMENT_CREATE,
    ):
        decision = authorize(a, action, written)
        assert not decision.allowed
        assert "label.psychotherapy.author_only" in decision.policy_ids
    with pytest.raises(NotPermitted):
        services.note_update_draft(actor=a, note_id=written.id, body="x", expected_version=1)


def test_a_trainees_supervisor_does_not_see_the_names_of_attached_files(world: World) -> None:
    supervise(world.supervisor_a, world.worker_a, trainee=True)
    written = _psychotherapy(world)
    services.attachment_create(
        actor=act(world.worker_a),
        note_id=written.id,
        filename="genogram-of-the-family.txt",
        content_type="text/plain",
        data=b"drawing",
    )
    author_view = selectors.note_get(actor=act(world.worker_a), note_id=written.id)
    assert [f.filename for f in author_view.attachments] == ["genogram-of-the-family.txt"]
    a = act(world.supervisor_a)
    assert selectors.note_get(actor=a, note_id=written.id).attachments == []
    record = selectors.client_get(actor=a, client_id=world.client_a.id)
    assert [n.attachments for n in record.notes if n.id == written.id] == [[]]


def test_the_supervisor_exception_needs_a_trainee_and_their_own_supervisee(world: World) -> None:
    supervise(world.supervisor_a, world.worker_a, trainee=False)
    written = _psychotherapy(world)
    assert not authorize(act(world.supervisor_a), Action.NOTE_VIEW, written).allowed
    # A trainee supervised by someone else: this supervisor is not theirs.
    set_user(world.worker_a, is_trainee=True, supervisor=None)
    supervise(world.supervisor_a, world.worker_a2)
    assert not authorize(act(world.supervisor_a), Action.NOTE_VIEW, written).allowed
    # A teammate practitioner never gets the exception, trainee author or not.
    assert not authorize(act(world.worker_a2), Action.NOTE_VIEW, written).allowed


def test_psychotherapy_notes_never_open_through_break_glass_or_a_review(world: World) -> None:
    written = _psychotherapy(world)
    ordinary = note(world, world.worker_a, world.client_a)
    break_glass(world.other_worker_a, world.client_a)
    review_purpose(world.privacy_a, world.client_a)
    for user in (world.other_worker_a, world.privacy_a):
        assert _timeline(user, world.client_a) == [ordinary.id]
        assert authorize(act(user), Action.NOTE_VIEW, written) == Decision(
            False, ("label.psychotherapy.author_only",)
        )


# ---- label.part2.program_staff -------------------------------------------------------------


def test_part2_records_are_open_to_the_programs_staff(world: World) -> None:
    unit = part2_unit(world)
    written = note(world, unit.staff, unit.client, labels=["part2_sud"])
    world.worker_a.teams.add(unit.team)  # staff of the Part 2 program too
    colleague = act(world.worker_a)
    assert authorize(colleague, Action.NOTE_VIEW, written) == Decision(
        True, ("care_team.practitioner",)
    )
    assert _timeline(world.worker_a, unit.client) == [written.id]


def test_part2_records_are_closed_to_staff_outside_the_program(world: World) -> None:
    unit = part2_unit(world)
    written = note(world, unit.staff, unit.client, labels=["part2_sud"])
    ordinary = note(world, unit.staff, unit.client)
    unit.case.workers.add(world.worker_a)  # assigned to the case, but not program staff
    a = act(world.worker_a)
    assert authorize(a, Action.CLIENT_VIEW, unit.client).allowed
    decision = authorize(a, Action.NOTE_VIEW, written)
    assert decision == Decision(False, ("label.part2.program_staff",))
    assert _timeline(world.worker_a, unit.client) == [ordinary.id]
    assert not _can_open(world.worker_a, written)


def test_part2_records_open_in_a_bona_fide_emergency(world: World) -> None:
    # 42 CFR 2.51: a medical emergency, through break-the-glass.
    unit = part2_unit(world)
    written = note(world, unit.staff, unit.client, labels=["part2_sud"])
    break_glass(world.worker_a, unit.client)
    assert authorize(act(world.worker_a), Action.NOTE_VIEW, written) == Decision(
        True, ("break_glass.emergency",)
    )
    assert _timeline(world.worker_a, unit.client) == [written.id]


def test_part2_records_stay_open_to_their_author(world: World) -> None:
    unit = part2_unit(world)
    unit.case.workers.add(world.worker_a)
    written = note(world, world.worker_a, unit.client, labels=["part2_sud"], case=unit.case)
    assert authorize(act(world.worker_a), Action.NOTE_VIEW, written).allowed
    assert not authorize(act(world.worker_a2), Action.NOTE_VIEW, written).allowed


def test_a_part2_label_outside_a_part2_program_is_closed_to_all_but_its_author(
    world: World,
) -> None:
    written = note(world, world.worker_a, world.client_a, labels=["part2_sud"])
    assert authorize(act(world.worker_a), Action.NOTE_VIEW, written).allowed
    for user in (world.worker_a2, world.supervisor_a):
        assert authorize(act(user), Action.NOTE_VIEW, written) == Decision(
            False, ("label.part2.program_staff",)
        )


def test_a_privacy_review_does_not_open_part2_records(world: World) -> None:
    unit = part2_unit(world)
    written = note(world, unit.staff, unit.client, labels=["part2_sud"])
    review_purpose(world.privacy_a, unit.client)
    assert authorize(act(world.privacy_a), Action.NOTE_VIEW, written) == Decision(
        False, ("label.part2.program_staff",)
    )


# ---- label.dv_location.designated and label.dv_location.address ---------------------------


def test_dv_location_notes_are_open_to_designated_staff(world: World) -> None:
    written = note(world, world.worker_a, world.client_a, labels=["dv_location"])
    set_user(world.worker_a2, dv_designated=True)
    assert authorize(act(world.worker_a2), Action.NOTE_VIEW, written) == Decision(
        True, ("care_team.practitioner",)
    )
    assert _timeline(world.worker_a2, world.client_a) == [written.id]


def test_dv_location_notes_are_closed_to_other_staff_but_not_their_author(world: World) -> None:
    written = note(world, world.worker_a, world.client_a, labels=["dv_location"])
    assert authorize(act(world.worker_a), Action.NOTE_VIEW, written).allowed
    for user in (world.worker_a2, world.supervisor_a):
        assert authorize(act(user), Action.NOTE_VIEW, written) == Decision(
            False, ("label.dv_location.designated",)
        )
        assert _timeline(user, world.client_a) == []
        assert not _can_open(user, written)


def test_a_protected_address_is_withheld_from_staff_who_are_not_designated(world: World) -> None:
    client = label_client(world.client_a, "dv_location")
    a = act(world.worker_a)
    assert authorize(a, Action.CLIENT_VIEW_LOCATION, client) == Decision(
        False, ("label.dv_location.address",)
    )
    mark = ledger_mark()
    view = selectors.client_get(actor=a, client_id=client.id)
    assert view.address == ""
    assert view.address_withheld == REASONS["label.dv_location.address"]
    assert view.legal_name == "Rosalind Quenby"  # the rest of the record is there
    (event,) = events_since(mark)
    assert "label.dv_location.address" not in event.policy_ids  # only what was revealed


def test_a_protected_address_is_shown_to_designated_staff(world: World) -> None:
    client = label_client(world.client_a, "dv_location")
    set_user(world.worker_a, dv_designated=True)
    assert authorize(act(world.worker_a), Action.CLIENT_VIEW_LOCATION, client).allowed
    view = selectors.client_get(actor=act(world.worker_a), client_id=client.id)
    assert view.address == "A-1001 Elm Street, Springfield"
    assert view.address_withheld is None


def test_an_unlabelled_address_is_shown_to_the_care_team(world: World) -> None:
    view = selectors.client_get(actor=act(world.worker_a2), client_id=world.client_a.id)
    assert view.address == "A-1001 Elm Street, Springfield"
    assert view.address_withheld is None


# ---- label.hiv.designated ------------------------------------------------------------------


def _restrict_hiv(world: World, on: bool) -> None:
    accounts.agency_settings_update(actor=act(world.admin_a), hiv_restricted=on)


def test_hiv_notes_are_open_to_the_care_team_where_the_agency_does_not_restrict_them(
    world: World,
) -> None:
    _restrict_hiv(world, False)
    written = note(world, world.worker_a, world.client_a, labels=["hiv"])
    assert authorize(act(world.worker_a2), Action.NOTE_VIEW, written).allowed
    assert _timeline(world.worker_a2, world.client_a) == [written.id]


def test_hiv_notes_are_closed_to_undesignated_staff_where_the_agency_restricts_them(
    world: World,
) -> None:
    written = note(world, world.worker_a, world.client_a, labels=["hiv"])
    _restrict_hiv(world, True)
    assert authorize(act(world.worker_a2), Action.NOTE_VIEW, written) == Decision(
        False, ("label.hiv.designated",)
    )
    assert _timeline(world.worker_a2, world.client_a) == []
    assert authorize(act(world.worker_a), Action.NOTE_VIEW, written).allowed  # the author
    set_user(world.worker_a2, hiv_designated=True)
    assert authorize(act(world.worker_a2), Action.NOTE_VIEW, written).allowed


def test_one_agencys_hiv_setting_does_not_bind_another(world: World) -> None:
    _restrict_hiv(world, True)
    written = note(world, world.worker_b, world.client_b, labels=["hiv"])
    colleague = make_user(world.agency_b, "colleague_b@b.test", Role.PRACTITIONER, [world.team_b1])
    assert authorize(act(colleague), Action.NOTE_VIEW, written).allowed


# ---- label.minor_consented.guardian ----------------------------------------------------------


def test_what_a_minor_consented_to_alone_never_goes_to_a_guardian(world: World) -> None:
    written = note(world, world.worker_a, world.client_a, labels=["minor_consented"])
    a = act(world.worker_a)
    assert authorize(a, Action.NOTE_VIEW, written, audience="guardian") == Decision(
        False, ("label.minor_consented.guardian",)
    )
    client = label_client(world.client_a, "minor_consented")
    assert authorize(a, Action.CLIENT_VIEW, client, audience="guardian") == Decision(
        False, ("label.minor_consented.guardian",)
    )


def test_no_note_of_a_client_who_consented_alone_goes_to_a_guardian(world: World) -> None:
    # The label on the client covers every note of that client, labelled or not; a guardian
    # output that decides note by note must not get them.
    ordinary = note(world, world.worker_a, world.client_a)
    label_client(world.client_a, "minor_consented")
    written = Note.objects.select_related("client", "author", "case").get(id=ordinary.id)
    a = act(world.worker_a)
    for action in (Action.NOTE_VIEW, Action.ATTACHMENT_VIEW):
        assert authorize(a, action, written, audience="guardian") == Decision(
            False, ("label.minor_consented.guardian",)
        )
    assert authorize(a, Action.NOTE_VIEW, written).allowed  # staff still use it
    # Nor do the client-level labels spill onto notes for anything else.
    lapse_training(world.worker_a2)
    assert authorize(act(world.worker_a2), Action.NOTE_VIEW, written).allowed


def test_minor_consented_records_stay_open_to_staff_and_other_records_to_guardians(
    world: World,
) -> None:
    written = note(world, world.worker_a, world.client_a, labels=["minor_consented"])
    ordinary = note(world, world.worker_a, world.client_a)
    a = act(world.worker_a)
    assert authorize(a, Action.NOTE_VIEW, written).allowed
    assert authorize(a, Action.NOTE_VIEW, ordinary, audience="guardian").allowed
    assert authorize(a, Action.CLIENT_VIEW, world.client_a, audience="guardian").allowed


# ---- training.lapsed and training.lapsed.location -------------------------------------------


def test_lapsed_training_withholds_labelled_notes_and_says_why(world: World) -> None:
    labelled = note(world, world.worker_a, world.client_a, labels=["minor_consented"])
    ordinary = note(world, world.worker_a, world.client_a)
    lapse_training(world.worker_a2)
    a = act(world.worker_a2)
    assert not a.training_current
    assert authorize(a, Action.NOTE_VIEW, labelled) == Decision(False, ("training.lapsed",))
    view = selectors.client_get(actor=a, client_id=world.client_a.id)
    assert [n.id for n in view.notes] == [ordinary.id]
    assert view.withheld_notes == 1
    assert view.withheld_reason == TRAINING_MESSAGE
    assert "training" in TRAINING_MESSAGE
    assert "administrator" in TRAINING_MESSAGE
    assert not _can_open(world.worker_a2, labelled)


def test_lapsed_training_closes_even_the_authors_own_labelled_notes(world: World) -> None:
    labelled = note(world, world.worker_a, world.client_a, labels=["hiv"])
    lapse_training(world.worker_a)
    assert authorize(act(world.worker_a), Action.NOTE_VIEW, labelled) == Decision(
        False, ("training.lapsed",)
    )


def test_a_user_with_no_training_on_record_is_lapsed(world: World) -> None:
    TrainingCompletion.objects.filter(user=world.worker_a2).delete()
    labelled = note(world, world.worker_a, world.client_a, labels=["hiv"])
    assert not act(world.worker_a2).training_current
    assert not authorize(act(world.worker_a2), Action.NOTE_VIEW, labelled).allowed


def test_training_is_current_through_its_expiry_day(world: World) -> None:
    labelled = note(world, world.worker_a, world.client_a, labels=["hiv"])
    today = clock.today()
    TrainingCompletion.objects.filter(user=world.worker_a2).update(expires_on=today)
    assert act(world.worker_a2).training_current
    assert authorize(act(world.worker_a2), Action.NOTE_VIEW, labelled).allowed


def test_recording_a_completion_reopens_labelled_notes(world: World) -> None:
    labelled = note(world, world.worker_a, world.client_a, labels=["hiv"])
    lapse_training(world.worker_a2)
    assert not authorize(act(world.worker_a2), Action.NOTE_VIEW, labelled).allowed
    training_record(
        actor=act(world.admin_a), user_id=world.worker_a2.id, completed_on=clock.today()
    )
    assert _timeline(world.worker_a2, world.client_a) == [labelled.id]


def test_lapsed_training_leaves_unlabelled_records_usable(world: World) -> None:
    lapse_training(world.worker_a)
    ordinary = note(world, world.worker_a, world.client_a)
    a = act(world.worker_a)
    assert authorize(a, Action.NOTE_VIEW, ordinary).allowed
    assert authorize(a, Action.CLIENT_VIEW, world.client_a).allowed
    view = selectors.client_get(actor=a, client_id=world.client_a.id)
    assert (view.withheld_notes, view.withheld_reason) == (0, None)


def test_lapsed_training_withholds_a_protected_address_even_from_designated_staff(
    world: World,
) -> None:
    client = label_client(world.client_a, "dv_location")
    set_user(world.worker_a, dv_designated=True)
    lapse_training(world.worker_a)
    a = act(world.worker_a)
    assert authorize(a, Action.CLIENT_VIEW_LOCATION, client) == Decision(
        False, ("training.lapsed.location",)
    )
    view = selectors.client_get(actor=a, client_id=client.id)
    assert view.address == ""
    assert view.address_withheld == REASONS["training.lapsed.location"]


def test_lapsed_training_does_not_touch_an_unprotected_address(world: World) -> None:
    lapse_training(world.worker_a)
    assert authorize(act(world.worker_a), Action.CLIENT_VIEW_LOCATION, world.client_a).allowed


def test_lapsed_training_neither_counts_nor_explains_notes_it_would_never_open(
    world: World,
) -> None:
    # A colleague's psychotherapy note stays closed whatever the training; telling a lapsed
    # worker that "training" withholds it would reveal it exists and promise what training
    # cannot give. Only the labelled note that training would reopen is counted.
    note(world, world.worker_a, world.client_a, kind="psychotherapy", body="Process notes.")
    note(world, world.worker_a, world.client_a, labels=["dv_location"])  # not designated either
    note(world, world.worker_a, world.client_a, labels=["hiv"])
    lapse_training(world.worker_a2)
    view = selectors.client_get(actor=act(world.worker_a2), client_id=world.client_a.id)
    assert view.notes == []
    assert view.withheld_notes == 1
    assert view.withheld_reason == TRAINING_MESSAGE


# ---- note.sign.author_only ------------------------------------------------------------------


def test_the_author_signs_their_note(world: World) -> None:
    written = note(world, world.worker_a, world.client_a)
    assert authorize(act(world.worker_a), Action.NOTE_SIGN, written) == Decision(
        True, ("care_team.practitioner",)
    )
    services.note_sign(actor=act(world.worker_a), note_id=written.id, expected_version=1)


@pytest.mark.parametrize("persona", ["worker_a2", "supervisor_a"])
def test_nobody_else_signs_a_note_they_can_read(world: World, persona: str) -> None:
    written = note(world, world.worker_a, world.client_a)
    a = act(getattr(world, persona))
    assert authorize(a, Action.NOTE_SIGN, written) == Decision(False, ("note.sign.author_only",))
    with pytest.raises(NotPermitted):
        services.note_sign(actor=a, note_id=written.id, expected_version=1)


# ---- note.write.author_only -----------------------------------------------------------------


def test_the_author_edits_their_draft_and_attaches_files_to_it(world: World) -> None:
    written = note(world, world.worker_a, world.client_a)
    a = act(world.worker_a)
    for action in (Action.NOTE_EDIT, Action.ATTACHMENT_CREATE):
        assert authorize(a, action, written) == Decision(True, ("care_team.practitioner",))
    services.note_update_draft(actor=a, note_id=written.id, body="Revised.", expected_version=1)
    services.attachment_create(
        actor=a, note_id=written.id, filename="plan.txt", content_type="text/plain", data=b"plan"
    )


@pytest.mark.parametrize("persona", ["worker_a2", "supervisor_a"])
def test_nobody_else_writes_a_draft_they_can_read(world: World, persona: str) -> None:
    """A colleague or the author's supervisor reads the draft, and may add an addendum once it is
    signed, but never writes in it: it would still say it is by its author."""
    written = note(world, world.worker_a, world.client_a)
    a = act(getattr(world, persona))
    assert authorize(a, Action.NOTE_VIEW, written).allowed
    for action in (Action.NOTE_EDIT, Action.ATTACHMENT_CREATE):
        assert authorize(a, action, written) == Decision(False, ("note.write.author_only",))
    with pytest.raises(NotPermitted):
        services.note_update_draft(actor=a, note_id=written.id, body="Mine.", expected_version=1)
    with pytest.raises(NotPermitted):
        services.attachment_create(
            actor=a, note_id=written.id, filename="x.txt", content_type="text/plain", data=b"x"
        )
    assert authorize(a, Action.NOTE_ADDENDUM, written).allowed
    assert Note.objects.get(id=written.id).version == 1
