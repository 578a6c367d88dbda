"""Who may see what, by role: practitioners their (team's) cases, supervisors their supervisees'
cases, intake demographics agency-wide, privacy officers only through a recorded review purpose,
administrators nothing, and nobody another agency's clients."""

from __future__ import annotations

import datetime as dt
from datetime import timedelta
from uuid import UUID

import pytest

from confide.access.policy import Action, Decision, authorize
from confide.access.services import review_purpose_open
from confide.accounts.errors import ReauthRequired
from confide.accounts.models import User
from confide.core import clock
from confide.core.errors import NotFound, NotPermitted, ValidationFailed
from confide.ledger.enums import EventType
from confide.ledger.tests.support import events_since, ledger_mark
from confide.records import selectors, services
from confide.testing import World

from .support import act, note, review_purpose, set_user, supervise

CLIENT_ACTIONS = [
    Action.CLIENT_VIEW,
    Action.CLIENT_VIEW_DEMOGRAPHICS,
    Action.CLIENT_VIEW_LOCATION,
    Action.CLIENT_SEARCH,
    Action.NOTE_CREATE,
]
NOTE_ACTIONS = [
    Action.NOTE_VIEW,
    Action.NOTE_EDIT,
    Action.NOTE_SIGN,
    Action.NOTE_ADDENDUM,
    Action.ATTACHMENT_VIEW,
    Action.ATTACHMENT_CREATE,
]
WRITES = [Action.NOTE_CREATE]
NOTE_WRITES = [Action.NOTE_EDIT, Action.NOTE_SIGN, Action.NOTE_ADDENDUM, Action.ATTACHMENT_CREATE]
SEARCH = ("Tobias Wexford", dt.date(1990, 7, 21))


def _denied_for_want_of_a_permit(decision: Decision) -> bool:
    """Denied, and no permit applied (writing someone else's note also names its forbid)."""
    return not decision.allowed and set(decision.policy_ids) <= {
        "default.deny",
        "note.sign.author_only",
        "note.write.author_only",
    }


def _caseload_clients(world: World, user: User) -> set[UUID]:
    rows, total = selectors.caseload_list(actor=act(user))
    assert total == len(rows)
    return {row.client_id for row in rows}


def _finds(user: User) -> bool:
    found = selectors.client_search(
        actor=act(user),
        legal_name=SEARCH[0],
        date_of_birth=SEARCH[1],
    )
    return bool(found)


# ---- care_team.practitioner --------------------------------------------------------------


def test_a_practitioner_sees_the_clients_of_their_teams_cases(world: World) -> None:
    decision = authorize(act(world.worker_a), Action.CLIENT_VIEW, world.client_a)
    assert decision == Decision(True, ("care_team.practitioner",))
    view = selectors.client_get(actor=act(world.worker_a), client_id=world.client_a.id)
    assert not view.demographics_only


def test_a_practitioner_sees_a_client_whose_case_they_are_assigned_to(world: World) -> None:
    world.case_of(world.client_a_other).workers.add(world.worker_a)
    a = act(world.worker_a)
    assert authorize(a, Action.CLIENT_VIEW, world.client_a_other).policy_ids == (
        "care_team.practitioner",
    )
    assert world.client_a_other.id in _caseload_clients(world, world.worker_a)
    assert _finds(world.worker_a)
    note(world, world.worker_a, world.client_a_other)  # may write on the assigned case


def test_a_practitioner_does_not_see_another_teams_client(world: World) -> None:
    a = act(world.worker_a)
    for action in CLIENT_ACTIONS:
        assert authorize(a, action, world.client_a_other) == Decision(False, ("default.deny",))
    assert world.client_a_other.id not in _caseload_clients(world, world.worker_a)
    assert not _finds(world.worker_a)
    with pytest.raises(NotFound):
        selectors.client_get(actor=a, client_id=world.client_a_other.id)


def test_an_assignment_to_one_case_opens_that_case_only_for_writing(world: World) -> None:
    theirs = world.case_of(world.client_a_other)
    mine = services.case_create(
        actor=None,
        client=world.client_a_other,
        team=world.team_a2,
        case_number="A-1002-2",
        opened_on=dt.date(2025, 3, 1),
    )
    mine.workers.add(world.worker_a)
    note(world, world.worker_a, world.client_a_other, case=mine)
    with pytest.raises(NotFound):
        note(world, world.worker_a, world.client_a_other, case=theirs)
    rows, _ = selectors.caseload_list(actor=act(world.worker_a))
    assert mine.id in {r.case_id for r in rows}
    assert theirs.id not in {r.case_id for r in rows}


# ---- supervision.supervisor --------------------------------------------------------------


def test_a_supervisor_sees_their_supervisees_cases(world: World) -> None:
    supervise(world.supervisor_a, world.other_worker_a)
    a = act(world.supervisor_a)
    assert authorize(a, Action.CLIENT_VIEW, world.client_a_other) == Decision(
        True, ("supervision.supervisor",)
    )
    assert _caseload_clients(world, world.supervisor_a) == {
        world.client_a.id,
        world.client_a_other.id,
    }
    assert _finds(world.supervisor_a)
    view = selectors.client_get(actor=a, client_id=world.client_a_other.id)
    assert not view.demographics_only


def test_a_supervisor_sees_a_case_their_supervisee_is_assigned_to(world: World) -> None:
    # The supervisee is on no team; only the individual assignment links them to the case.
    world.other_worker_a.teams.clear()
    world.case_of(world.client_a_other).workers.add(world.other_worker_a)
    supervise(world.supervisor_a, world.other_worker_a)
    assert authorize(act(world.supervisor_a), Action.CLIENT_VIEW, world.client_a_other).allowed
    assert world.client_a_other.id in _caseload_clients(world, world.supervisor_a)


def test_a_supervisor_does_not_see_cases_of_staff_they_do_not_supervise(world: World) -> None:
    a = act(world.supervisor_a)
    assert authorize(a, Action.CLIENT_VIEW, world.client_a_other) == Decision(
        False, ("default.deny",)
    )
    assert world.client_a_other.id not in _caseload_clients(world, world.supervisor_a)
    assert not _finds(world.supervisor_a)


def test_a_supervisor_loses_a_former_or_inactive_supervisees_cases(world: World) -> None:
    supervise(world.supervisor_a, world.other_worker_a)
    set_user(world.other_worker_a, is_active=False)
    assert not authorize(act(world.supervisor_a), Action.CLIENT_VIEW, world.client_a_other).allowed
    set_user(world.other_worker_a, is_active=True, supervisor=None)
    assert not authorize(act(world.supervisor_a), Action.CLIENT_VIEW, world.client_a_other).allowed


# ---- intake.demographics -----------------------------------------------------------------


def test_intake_sees_any_clients_demographics_without_cases_or_notes(world: World) -> None:
    note(world, world.other_worker_a, world.client_a_other)
    mark = ledger_mark()
    view = selectors.client_get(actor=act(world.intake_a), client_id=world.client_a_other.id)
    assert view.demographics_only
    assert (view.legal_name, view.date_of_birth) == SEARCH
    assert (view.cases, view.notes, view.address) == ([], [], "")
    assert view.address_withheld
    (event,) = events_since(mark)
    assert event.event_type == EventType.CLIENT_VIEWED
    assert event.policy_ids == ["intake.demographics"]
    assert event.details["notes"] == []


def test_intake_finds_any_client_of_its_agency(world: World) -> None:
    assert authorize(act(world.intake_a), Action.CLIENT_SEARCH, world.client_a_other) == Decision(
        True, ("intake.demographics",)
    )
    assert _finds(world.intake_a)


def test_intake_never_sees_notes_cases_or_the_full_record(world: World) -> None:
    written = note(world, world.worker_a, world.client_a)
    a = act(world.intake_a)
    for action in [Action.CLIENT_VIEW, Action.CLIENT_VIEW_LOCATION, Action.NOTE_CREATE]:
        assert authorize(a, action, world.client_a) == Decision(False, ("default.deny",))
    for action in NOTE_ACTIONS:
        assert not authorize(a, action, written).allowed
    with pytest.raises(NotFound):
        selectors.note_get(actor=a, note_id=written.id)
    with pytest.raises(NotFound):
        note(world, world.intake_a, world.client_a)
    assert selectors.caseload_list(actor=a) == ([], 0)


def test_intake_sees_nothing_of_another_agency(world: World) -> None:
    a = act(world.intake_a)
    for action in (Action.CLIENT_VIEW_DEMOGRAPHICS, Action.CLIENT_SEARCH):
        assert authorize(a, action, world.client_b) == Decision(False, ("agency.boundary",))
    with pytest.raises(NotFound):
        selectors.client_get(actor=a, client_id=world.client_b.id)
    found = selectors.client_search(
        actor=a, legal_name="Marisol Ketterly", date_of_birth=dt.date(1975, 11, 2)
    )
    assert found == []


# ---- privacy.review_purpose --------------------------------------------------------------


def test_a_privacy_officer_sees_no_client_content_without_a_review_purpose(world: World) -> None:
    written = note(world, world.worker_a, world.client_a)
    a = act(world.privacy_a)
    for action in CLIENT_ACTIONS:
        assert authorize(a, action, world.client_a) == Decision(False, ("default.deny",))
    for action in NOTE_ACTIONS:
        assert not authorize(a, action, written).allowed
    with pytest.raises(NotFound):
        selectors.client_get(actor=a, client_id=world.client_a.id)
    with pytest.raises(NotFound):
        selectors.note_get(actor=a, note_id=written.id)
    assert selectors.caseload_list(actor=a) == ([], 0)


def test_a_privacy_officer_reads_a_record_under_a_recorded_review_purpose(world: World) -> None:
    written = note(world, world.worker_a, world.client_a)
    grant = review_purpose(world.privacy_a, world.client_a)
    a = act(world.privacy_a)
    assert authorize(a, Action.CLIENT_VIEW, world.client_a) == Decision(
        True, ("privacy.review_purpose",)
    )
    mark = ledger_mark()
    view = selectors.client_get(actor=a, client_id=world.client_a.id)
    assert [n.id for n in view.notes] == [written.id]
    assert view.grant_kind == "privacy_review"
    (event,) = events_since(mark)
    assert "privacy.review_purpose" in event.policy_ids
    assert event.details["grant"] == str(grant.id)
    assert selectors.note_get(actor=a, note_id=written.id).id == written.id


def test_a_review_purpose_permits_reads_but_no_writes(world: World) -> None:
    written = note(world, world.worker_a, world.client_a)
    review_purpose(world.privacy_a, world.client_a)
    a = act(world.privacy_a)
    for action in WRITES:
        assert authorize(a, action, world.client_a) == Decision(False, ("default.deny",))
    for action in NOTE_WRITES:
        assert _denied_for_want_of_a_permit(authorize(a, action, written))
    with pytest.raises(NotPermitted):
        note(world, world.privacy_a, world.client_a)
    with pytest.raises(NotPermitted):
        services.note_update_draft(actor=a, note_id=written.id, body="x", expected_version=1)
    # Nor does it put the client on a caseload or in search.
    assert selectors.caseload_list(actor=a) == ([], 0)
    assert not authorize(a, Action.CLIENT_SEARCH, world.client_a).allowed


def test_a_review_purpose_covers_one_client_and_ends_when_it_expires(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    grant = review_purpose(world.privacy_a, world.client_a)
    assert not authorize(act(world.privacy_a), Action.CLIENT_VIEW, world.client_a_other).allowed
    later = grant.expires_at + timedelta(seconds=1)
    monkeypatch.setattr(clock, "now", lambda: later)
    with pytest.raises(NotFound):
        selectors.client_get(actor=act(world.privacy_a), client_id=world.client_a.id)


def test_a_review_purpose_needs_reauthentication_a_purpose_and_a_privacy_officer(
    world: World,
) -> None:
    def open_as(user: User, *, reauthenticated: bool = True, purpose: str = "complaint") -> None:
        review_purpose_open(
            actor=act(user),
            client_id=world.client_a.id,
            purpose=purpose,
            note="Checking an access report.",
            reauthenticated=reauthenticated,
        )

    with pytest.raises(ReauthRequired):
        open_as(world.privacy_a, reauthenticated=False)
    with pytest.raises(ValidationFailed):
        open_as(world.privacy_a, purpose="curiosity")
    for other in (world.worker_a, world.supervisor_a, world.admin_a, world.intake_a):
        with pytest.raises(NotPermitted):
            open_as(other)
    with pytest.raises(NotFound):
        review_purpose_open(
            actor=act(world.privacy_a),
            client_id=world.client_b.id,
            purpose="complaint",
            note="x",
            reauthenticated=True,
        )


# ---- administrators -------------------------------------------------------------------------


def test_an_administrator_sees_no_client_content(world: World) -> None:
    written = note(world, world.worker_a, world.client_a)
    world.admin_a.teams.add(world.team_a1)  # even on a team
    a = act(world.admin_a)
    for action in CLIENT_ACTIONS:
        assert authorize(a, action, world.client_a) == Decision(False, ("default.deny",))
    for action in NOTE_ACTIONS:
        assert _denied_for_want_of_a_permit(authorize(a, action, written))
    with pytest.raises(NotFound):
        selectors.client_get(actor=a, client_id=world.client_a.id)
    assert selectors.caseload_list(actor=a) == ([], 0)
    assert (
        selectors.client_search(
            actor=a, legal_name="Rosalind Quenby", date_of_birth=dt.date(1984, 3, 9)
        )
        == []
    )


# ---- agency.boundary -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "persona", ["worker_a", "supervisor_a", "privacy_a", "admin_a", "intake_a"]
)
def test_no_role_sees_another_agencys_client(world: World, persona: str) -> None:
    a = act(getattr(world, persona))
    written = note(world, world.worker_b, world.client_b)
    for action in CLIENT_ACTIONS:
        decision = authorize(a, action, world.client_b)
        assert not decision.allowed
        assert "agency.boundary" in decision.policy_ids
    for action in NOTE_ACTIONS:
        assert "agency.boundary" in authorize(a, action, written).policy_ids


def test_the_agency_boundary_holds_even_with_a_team_and_assignment_across_agencies(
    world: World,
) -> None:
    # Data that should never exist (a team or case of agency B on an agency A worker) still
    # opens nothing: the boundary is a forbid, not a missing permit.
    world.worker_a.teams.add(world.team_b1)
    world.case_of(world.client_b).workers.add(world.worker_a)
    decision = authorize(act(world.worker_a), Action.CLIENT_VIEW, world.client_b)
    assert decision == Decision(False, ("agency.boundary",))
    assert world.client_b.id not in _caseload_clients(world, world.worker_a)


def test_the_agency_boundary_lets_staff_of_the_same_agency_through(world: World) -> None:
    decision = authorize(act(world.worker_b), Action.CLIENT_VIEW, world.client_b)
    assert decision == Decision(True, ("care_team.practitioner",))
