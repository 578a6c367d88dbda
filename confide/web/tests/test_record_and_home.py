"""The client record explains what is withheld and why (where that leaks nothing); intake
sees demographics only; the home page shows unread notifications, marked read by POST."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from confide.access import services as access
from confide.accounts.services import staff_update_access
from confide.core import clock
from confide.core.enums import Role
from confide.messaging.models import Notification
from confide.messaging.services import notify
from confide.records.models import Client
from confide.records.services import note_create
from confide.testing import World, actor, make_user
from confide.training.models import TrainingCompletion
from confide.web.tests.support import browser, text


def _record(world: World, user: object) -> str:
    page = browser(user).get(reverse("web:client_detail", args=[world.client_a.id]))  # type: ignore[arg-type]
    assert page.status_code == 200
    return text(page)


def test_a_protected_address_is_withheld_with_the_reason(world: World) -> None:
    Client.objects.filter(id=world.client_a.id).update(labels=["dv_location"])
    page = _record(world, world.worker_a)
    assert "A-1001 Elm Street" not in page
    assert "This address is withheld for the client's safety" in page
    staff_update_access(actor=actor(world.admin_a), user_id=world.worker_a.id, dv_designated=True)
    assert "A-1001 Elm Street" in _record(world, world.worker_a)


def test_lapsed_training_withholds_labelled_notes_and_says_what_to_do(world: World) -> None:
    note_create(
        actor=actor(world.worker_a2),
        case_id=world.case_of(world.client_a).id,
        kind="progress",
        body="HIV care coordination.",
        labels=["hiv"],
    )
    world.note(world.worker_a2, world.client_a, body="Plain visit.")
    TrainingCompletion.objects.filter(user=world.worker_a).update(
        expires_on=clock.today() - dt.timedelta(days=1)
    )
    page = _record(world, world.worker_a)
    assert "Plain visit." in page
    assert "HIV care coordination." not in page
    assert "1 note withheld." in page
    assert "Your confidentiality training has lapsed." in page
    assert "ask an administrator to record it" in page


def test_opening_a_note_withheld_for_lapsed_training_says_why(world: World) -> None:
    labelled = note_create(
        actor=actor(world.worker_a2),
        case_id=world.case_of(world.client_a).id,
        kind="progress",
        body="HIV care coordination.",
        labels=["hiv"],
    )
    psychotherapy = world.note(world.worker_a2, world.client_a, kind="psychotherapy")
    TrainingCompletion.objects.filter(user=world.worker_a).update(
        expires_on=clock.today() - dt.timedelta(days=1)
    )
    http = browser(world.worker_a)
    page = http.get(reverse("web:note_detail", args=[labelled.id]))
    assert page.status_code == 403
    assert "Your confidentiality training has lapsed." in text(page)
    assert "HIV care coordination." not in text(page)
    assert http.get(reverse("web:note_detail", args=[psychotherapy.id])).status_code == 404
    outsider = browser(world.other_worker_a).get(reverse("web:note_detail", args=[labelled.id]))
    assert outsider.status_code == 404  # no record in reach: nothing to explain


def test_a_psychotherapy_note_of_another_author_is_not_announced(world: World) -> None:
    world.note(world.worker_a2, world.client_a, body="Session notes.", kind="psychotherapy")
    page = _record(world, world.worker_a)
    assert "Session notes." not in page
    assert "withheld" not in page.replace("Address withheld", "")


def test_intake_sees_demographics_only(world: World) -> None:
    world.note(world.worker_a, world.client_a, body="Visit.")
    page = _record(world, world.intake_a)
    assert "Rosalind" in page
    assert "1984-03-09" in page
    assert "Demographics only" in page
    assert "Notes timeline" not in page
    assert "Visit." not in page
    assert "New note" not in page
    assert "A-1001 Elm Street" not in page


def _notify(world: World, *users: object) -> None:
    notify(recipients=users, kind="test", message="Something to look at", link="/review/grants/")  # type: ignore[arg-type]


def test_unread_notifications_show_on_home_and_in_the_header(world: World) -> None:
    _notify(world, world.privacy_a)
    _notify(world, world.privacy_a)
    page = browser(world.privacy_a).get(reverse("web:dashboard"))
    body = text(page)
    assert "Something to look at" in body
    assert "Notifications 2 unread" in body


def test_marking_read_is_a_post_of_ones_own_notification(world: World) -> None:
    _notify(world, world.privacy_a, world.supervisor_a)
    mine = Notification.objects.get(recipient=world.privacy_a)
    theirs = Notification.objects.get(recipient=world.supervisor_a)
    http = browser(world.privacy_a)
    assert http.get(reverse("web:notification_read", args=[mine.id])).status_code == 405
    assert http.post(reverse("web:notification_read", args=[theirs.id])).status_code == 404
    assert http.post(reverse("web:notification_read", args=[mine.id])).status_code == 302
    assert Notification.objects.get(id=mine.id).read_at is not None
    assert Notification.objects.get(id=theirs.id).read_at is None
    assert "No unread notifications." in text(http.get(reverse("web:dashboard")))


def test_mark_all_read_touches_only_ones_own(world: World) -> None:
    _notify(world, world.privacy_a, world.supervisor_a)
    _notify(world, world.privacy_a)
    browser(world.privacy_a).post(reverse("web:notifications_read_all"))
    assert not Notification.objects.filter(recipient=world.privacy_a, read_at=None).exists()
    assert Notification.objects.filter(recipient=world.supervisor_a, read_at=None).count() == 1


def test_marking_read_without_csrf_is_refused(world: World) -> None:
    _notify(world, world.privacy_a)
    note = Notification.objects.get()
    http = browser(world.privacy_a, csrf=True)
    assert http.post(reverse("web:notification_read", args=[note.id])).status_code == 403
    assert Notification.objects.get().read_at is None


@pytest.mark.parametrize(
    ("persona", "heading"),
    [
        ("worker_a", "Caseload"),
        ("privacy_a", "Privacy office"),
        ("admin_a", "Administration"),
        ("intake_a", "Intake"),
    ],
)
def test_each_role_gets_its_home(world: World, persona: str, heading: str) -> None:
    page = browser(getattr(world, persona)).get(reverse("web:dashboard"))
    assert f"<h1>{heading}</h1>" in page.content.decode()


def test_the_administrators_home_counts_lapsed_training(world: World) -> None:
    make_user(world.agency_a, "lapsed@a.test", Role.PRACTITIONER, trained=False)
    assert "1 with lapsed or missing training" in text(
        browser(world.admin_a).get(reverse("web:dashboard"))
    )


def test_the_grant_of_a_privacy_review_shows_its_own_banner(world: World) -> None:
    access.review_purpose_open(
        actor=actor(world.privacy_a),
        client_id=world.client_a.id,
        purpose="access_audit",
        note="Quarterly audit.",
        reauthenticated=True,
    )
    assert "Privacy review access until" in _record(world, world.privacy_a)


def test_opening_a_notification_marks_it_read_and_follows_only_a_local_link(world: World) -> None:
    notify(
        recipients=[world.worker_a], kind="k", message="Look at this.", link="/disclosures/review/"
    )
    notify(recipients=[world.worker_a], kind="k", message="Elsewhere.", link="//evil.example/x")
    notify(recipients=[world.worker_a2], kind="k", message="Not yours.", link="/")
    mine = Notification.objects.filter(recipient=world.worker_a).order_by("message")
    elsewhere, look = list(mine)
    http = browser(world.worker_a)
    home = http.get(reverse("web:dashboard")).content.decode()
    assert reverse("web:notification_open", args=[look.id]) in home
    opened = http.get(reverse("web:notification_open", args=[look.id]))
    assert (opened.status_code, opened["Location"]) == (302, "/disclosures/review/")
    look.refresh_from_db()
    assert look.read_at is not None
    away = http.get(reverse("web:notification_open", args=[elsewhere.id]))
    assert away["Location"] == reverse("web:dashboard")  # never another host
    theirs = Notification.objects.get(recipient=world.worker_a2)
    assert http.get(reverse("web:notification_open", args=[theirs.id])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_a_page_past_the_caseloads_end_leads_to_its_last_page(world: World) -> None:
    home = text(browser(world.worker_a).get(reverse("web:dashboard") + "?page=999"))
    assert "There is no page 999" in home
    assert "Go to the last page (1)" in home
    assert "No cases are assigned" not in home  # the caseload is not empty
