"""Notifications: a row in the app at once, an email only after the transaction commits (none if
it rolls back), once per person, never to inactive staff; a failed email is logged by user id
only and leaves the in-app notice standing."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.test import Client as HttpClient
from django.urls import reverse
from pytest_django import DjangoCaptureOnCommitCallbacks

from confide.core import clock
from confide.messaging import services
from confide.messaging.models import Notification
from confide.messaging.services import notify, unread_for
from confide.testing import World, signed_in

MESSAGE = "Someone opened emergency access to a client record"
LINK = "/grants/1234/"


def test_it_notifies_in_the_app_now_and_by_email_after_commit(
    world: World, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            recipients=[world.privacy_a, world.supervisor_a],
            kind="break_glass",
            message=MESSAGE,
            link=LINK,
        )
        assert Notification.objects.count() == 2
        assert mail.outbox == []
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [world.privacy_a.email, world.supervisor_a.email]
    )
    email = mail.outbox[0]
    assert email.subject == f"Confide: {MESSAGE}"
    assert f"http://127.0.0.1:8000{LINK}" in email.body or LINK in email.body
    assert [n.message for n in unread_for(world.privacy_a)] == [MESSAGE]
    notice = Notification.objects.get(recipient=world.privacy_a)
    assert (notice.kind, notice.link, notice.agency_id) == ("break_glass", LINK, world.agency_a.id)


def test_nothing_is_sent_when_the_transaction_rolls_back(
    world: World, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    def failing_action() -> None:
        with transaction.atomic():
            notify(recipients=[world.privacy_a], kind="k", message=MESSAGE, link=LINK)
            raise RuntimeError("the action failed")

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RuntimeError):
        failing_action()
    assert callbacks == []
    assert (mail.outbox, Notification.objects.count()) == ([], 0)


def test_each_person_is_told_once_and_inactive_staff_not_at_all(
    world: World, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    world.supervisor_a.is_active = False
    world.supervisor_a.save()
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            recipients=[world.privacy_a, world.privacy_a, world.supervisor_a],
            kind="k",
            message=MESSAGE,
            link=LINK,
        )
    assert list(Notification.objects.values_list("recipient_id", flat=True)) == [world.privacy_a.id]
    assert [m.to for m in mail.outbox] == [[world.privacy_a.email]]


def test_a_failed_email_is_logged_by_user_id_and_the_notice_stands(
    world: World,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def refuse(**_: object) -> int:
        raise OSError("smtp down for privacy_a@a.test")

    monkeypatch.setattr(services, "send_mail", refuse)
    with (
        caplog.at_level(logging.WARNING, logger="confide.messaging.services"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        notify(recipients=[world.privacy_a], kind="k", message=MESSAGE, link=LINK)
    assert Notification.objects.filter(recipient=world.privacy_a).exists()
    assert str(world.privacy_a.id) in caplog.text
    assert "privacy_a@a.test" not in caplog.text
    assert MESSAGE not in caplog.text


def test_unread_lists_only_the_users_own_unread_notices(world: World) -> None:
    notify(recipients=[world.privacy_a], kind="k", message="first", link=LINK)
    notify(recipients=[world.supervisor_a], kind="k", message="not yours", link=LINK)
    Notification.objects.filter(message="first").update(read_at="2025-01-01T00:00:00Z")
    notify(recipients=[world.privacy_a], kind="k", message="second", link=LINK)
    assert [n.message for n in unread_for(world.privacy_a)] == ["second"]


def test_a_notice_read_lately_can_be_found_again_and_only_by_its_recipient(world: World) -> None:
    notify(recipients=[world.supervisor_a], kind="k", message="opened once", link=LINK)
    notify(recipients=[world.supervisor_a], kind="k", message="long ago", link=LINK)
    notify(recipients=[world.supervisor_a], kind="k", message="still unread", link=LINK)
    notify(recipients=[world.privacy_a], kind="k", message="not yours", link=LINK)
    now = clock.now()
    Notification.objects.filter(message__in=["opened once", "not yours"]).update(read_at=now)
    Notification.objects.filter(message="long ago").update(
        read_at=now - timedelta(days=services.READ_KEPT_DAYS + 1)
    )
    read = services.recently_read_for(world.supervisor_a.id)
    assert [n.message for n in read] == ["opened once"]
    page = signed_in(HttpClient(), world.supervisor_a).get(reverse("web:dashboard"))
    assert b"Read in the last 30 days (1)" in page.content
    assert b"opened once" in page.content
    assert b"long ago" not in page.content
    assert b"not yours" not in page.content
