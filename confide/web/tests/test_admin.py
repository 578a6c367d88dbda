"""Administrator pages: staff with their training status, recording a completion, access
settings (supervisor, teams, trainee, designations) and agency settings. No client content."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from confide.accounts.models import Agency, User
from confide.core import clock
from confide.core.enums import Role
from confide.ledger.models import Event
from confide.testing import World, make_user
from confide.training.models import TrainingCompletion
from confide.web.tests.support import browser, text

STAFF = reverse("web:staff_list")
SETTINGS = reverse("web:agency_settings")


def test_the_staff_list_shows_roles_teams_and_training_with_lapses_flagged(
    world: World,
) -> None:
    lapsed = make_user(world.agency_a, "lapsed_a@a.test", Role.PRACTITIONER, trained=False)
    page = browser(world.admin_a).get(STAFF)
    assert page.status_code == 200
    body = text(page)
    assert "worker_a@a.test" in body
    assert "North team" in body
    assert "Practitioner" in body
    assert "1 staff member with lapsed or missing confidentiality training" in body
    assert "Never recorded" in body
    assert "worker_b" not in body  # another agency's staff
    assert str(lapsed.id) in page.content.decode()


@pytest.mark.parametrize("persona", ["worker_a", "supervisor_a", "privacy_a", "intake_a"])
def test_administration_is_for_administrators(world: World, persona: str) -> None:
    http = browser(getattr(world, persona))
    assert http.get(STAFF).status_code == 403
    assert http.get(SETTINGS).status_code == 403
    assert http.get(reverse("web:staff_detail", args=[world.worker_a.id])).status_code == 403


def test_recording_a_training_completion_makes_it_current(world: World) -> None:
    lapsed = make_user(world.agency_a, "lapsed_a@a.test", Role.PRACTITIONER, trained=False)
    url = reverse("web:staff_training", args=[lapsed.id])
    today = clock.today()
    response = browser(world.admin_a).post(url, {"completed_on": today.isoformat()}, follow=True)
    expires = today + dt.timedelta(days=365)
    assert f"Training recorded; current until {expires:%Y-%m-%d}" in text(response)
    assert TrainingCompletion.objects.get(user=lapsed).expires_on == expires
    assert Event.objects.filter(event_type="training:completion:recorded").count() == 1


@pytest.mark.parametrize("when", ["", "not a date", "2999-01-01", "1990-01-01"])
def test_a_bad_completion_date_records_nothing(world: World, when: str) -> None:
    before = TrainingCompletion.objects.count()
    url = reverse("web:staff_training", args=[world.worker_a.id])
    response = browser(world.admin_a).post(url, {"completed_on": when}, follow=True)
    assert response.status_code == 200
    assert "completed_on" in text(response)
    assert TrainingCompletion.objects.count() == before


def test_staff_of_another_agency_are_not_found(world: World) -> None:
    http = browser(world.admin_a)
    before = TrainingCompletion.objects.count()
    assert http.get(reverse("web:staff_detail", args=[world.worker_b.id])).status_code == 404
    response = http.post(
        reverse("web:staff_training", args=[world.worker_b.id]),
        {"completed_on": clock.today().isoformat()},
    )
    assert response.status_code == 404
    assert TrainingCompletion.objects.count() == before


def _access(world: World, **change: object) -> dict[str, object]:
    data: dict[str, object] = {
        "supervisor": str(world.supervisor_a.id),
        "teams": [str(world.team_a2.id)],
    }
    data.update(change)
    return data


def test_access_settings_change_what_the_policy_knows(world: World) -> None:
    url = reverse("web:staff_detail", args=[world.worker_a.id])
    http = browser(world.admin_a)
    data = _access(world, dv_designated="on", is_trainee="on")
    response = http.post(url, data, follow=True)
    assert "Access settings saved." in text(response)
    user = User.objects.get(id=world.worker_a.id)
    assert (user.supervisor_id, user.dv_designated, user.is_trainee, user.hiv_designated) == (
        world.supervisor_a.id,
        True,
        True,
        False,
    )
    assert list(user.teams.values_list("id", flat=True)) == [world.team_a2.id]
    event = Event.objects.get(event_type="accounts:user:updated")
    assert set(event.details["fields"]) >= {"supervisor", "dv_designated", "is_trainee", "teams"}
    worker = browser(world.worker_a)
    assert worker.get(reverse("web:client_detail", args=[world.client_a.id])).status_code == 404
    other = worker.get(reverse("web:client_detail", args=[world.client_a_other.id]))
    assert other.status_code == 200


@pytest.mark.parametrize(
    "change",
    [
        {"teams": ["00000000-0000-4000-8000-000000000000"]},
        {"supervisor": "00000000-0000-4000-8000-000000000000"},
        {"supervisor": "not-an-id"},
    ],
)
def test_choices_outside_the_agency_are_refused(world: World, change: dict[str, object]) -> None:
    url = reverse("web:staff_detail", args=[world.worker_a.id])
    response = browser(world.admin_a).post(url, _access(world, **change))
    assert response.status_code == 400
    assert not Event.objects.filter(event_type="accounts:user:updated").exists()
    assert User.objects.get(id=world.worker_a.id).supervisor_id is None


def test_another_agencys_team_is_not_offered_or_accepted(world: World) -> None:
    url = reverse("web:staff_detail", args=[world.worker_a.id])
    http = browser(world.admin_a)
    assert str(world.team_b1.id) not in http.get(url).content.decode()
    assert http.post(url, _access(world, teams=[str(world.team_b1.id)])).status_code == 400


def test_agency_settings_are_saved_and_validated(world: World) -> None:
    http = browser(world.admin_a)
    assert http.get(SETTINGS).status_code == 200
    for bad in ({"training_validity_days": 10}, {"training_validity_days": 9999}, {}):
        assert http.post(SETTINGS, bad).status_code == 400
    http.post(SETTINGS, {"hiv_restricted": "on", "training_validity_days": 180})
    agency = Agency.objects.get(id=world.agency_a.id)
    assert (agency.hiv_restricted, agency.training_validity_days) == (True, 180)
    assert Agency.objects.get(id=world.agency_b.id).training_validity_days == 365
    assert Event.objects.filter(event_type="accounts:agency:settings_changed").count() == 1


def test_admin_pages_refuse_posts_without_csrf(world: World) -> None:
    http = browser(world.admin_a, csrf=True)
    assert http.post(SETTINGS, {"training_validity_days": 180}).status_code == 403
    assert Agency.objects.get(id=world.agency_a.id).training_validity_days == 365


def _role_url(user: User) -> str:
    return reverse("web:staff_role", args=[user.id])


def test_changing_a_role_needs_a_fresh_reauthentication_and_returns_to_the_staff_page(
    world: World,
) -> None:
    response = browser(world.admin_a).post(_role_url(world.worker_a), {"role": "supervisor"})
    assert response.status_code == 302
    back = reverse("web:staff_detail", args=[world.worker_a.id])
    assert response["Location"] == f"{reverse('web:reauth')}?next={back}"
    world.worker_a.refresh_from_db()
    assert world.worker_a.role == Role.PRACTITIONER
    assert not Event.objects.filter(event_type="accounts:user:role_changed").exists()


def test_an_administrator_changes_a_role_on_the_ledger(world: World) -> None:
    http = browser(world.admin_a, reauth=True)
    page = http.get(reverse("web:staff_detail", args=[world.worker_a.id]))
    assert 'name="role"' in page.content.decode()
    response = http.post(_role_url(world.worker_a), {"role": "supervisor"}, follow=True)
    assert "Role changed to supervisor" in text(response)
    world.worker_a.refresh_from_db()
    assert world.worker_a.role == Role.SUPERVISOR
    event = Event.objects.get(event_type="accounts:user:role_changed")
    assert event.details == {"from": "practitioner", "to": "supervisor"}


@pytest.mark.parametrize("role", ["", "superuser", "practitioner"])
def test_a_bad_or_unchanged_role_changes_nothing(world: World, role: str) -> None:
    http = browser(world.admin_a, reauth=True)
    response = http.post(_role_url(world.worker_a), {"role": role}, follow=True)
    assert response.status_code == 200
    assert "role" in text(response).lower()
    world.worker_a.refresh_from_db()
    assert world.worker_a.role == Role.PRACTITIONER
    assert not Event.objects.filter(event_type="accounts:user:role_changed").exists()


def test_an_administrator_cannot_change_their_own_role(world: World) -> None:
    http = browser(world.admin_a, reauth=True)
    page = http.get(reverse("web:staff_detail", args=[world.admin_a.id]))
    assert "Another administrator changes your own role." in text(page)
    response = http.post(_role_url(world.admin_a), {"role": "practitioner"}, follow=True)
    assert "Ask another administrator to change your own role." in text(response)
    world.admin_a.refresh_from_db()
    assert world.admin_a.role == Role.ADMINISTRATOR


def test_roles_of_another_agency_or_by_non_administrators_do_not_change(world: World) -> None:
    admin = browser(world.admin_a, reauth=True)
    assert admin.post(_role_url(world.worker_b), {"role": "supervisor"}).status_code == 404
    worker = browser(world.supervisor_a, reauth=True)
    assert worker.post(_role_url(world.worker_a), {"role": "supervisor"}).status_code == 403
    assert not Event.objects.filter(event_type="accounts:user:role_changed").exists()
