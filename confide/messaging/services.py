"""Notifications to staff: a row in the app, and an email sent only after the transaction
commits. Texts name kinds of events and link to Confide; never a client's name or details."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import timedelta
from uuid import UUID

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction

from confide.accounts.models import User
from confide.core import clock
from confide.core.actor import Actor
from confide.core.errors import NotFound
from confide.core.ids import parse_id
from confide.messaging.models import Notification

logger = logging.getLogger(__name__)


def notify(*, recipients: Iterable[User], kind: str, message: str, link: str) -> None:
    """Create in-app notifications now and email them on commit."""
    people = list({u.id: u for u in recipients if u.is_active}.values())
    Notification.objects.bulk_create(
        Notification(agency_id=u.agency_id, recipient=u, kind=kind, message=message, link=link)
        for u in people
    )
    addresses = [(u.id, u.email) for u in people]
    url = settings.CONFIDE_BASE_URL.rstrip("/") + link

    def send() -> None:
        for user_id, email in addresses:
            try:
                send_mail(
                    subject=f"Confide: {message}",
                    message=f"{message}\n\nOpen: {url}\n",
                    from_email=None,
                    recipient_list=[email],
                )
            except Exception:  # the in-app notification stands; say which user, nothing else
                logger.warning("notification email to user %s failed", user_id)

    transaction.on_commit(send)


def resolve(*, agency_id: UUID, kind: str, link: str, role: str | None = None) -> int:
    """The work a notification asked for is done (a request reviewed, a grant closed): mark the
    unread notifications of that kind and link read, for every recipient or, with `role`, for
    those of that role only (others were only told, and still should read it). Returns how many.
    Called inside the action's transaction, so it changes nothing if the action rolls back."""
    query = Notification.objects.filter(agency_id=agency_id, kind=kind, link=link, read_at=None)
    if role is not None:
        query = query.filter(recipient__role=role)
    return query.update(read_at=clock.now())


def unread_for(user: User | UUID) -> list[Notification]:
    """The newest 50 unread notifications of a user (a User or its id)."""
    user_id = user.id if isinstance(user, User) else user
    return list(
        Notification.objects.filter(recipient_id=user_id, read_at=None).order_by("-created_at")[:50]
    )


READ_KEPT_DAYS = 30


def recently_read_for(user_id: UUID, limit: int = 20) -> list[Notification]:
    """The user's newest notifications read in the last `READ_KEPT_DAYS` days, so a notice
    opened once (an emergency access a supervisor was told of) can be found again."""
    since = clock.now() - timedelta(days=READ_KEPT_DAYS)
    return list(
        Notification.objects.filter(recipient_id=user_id, read_at__gte=since).order_by(
            "-created_at"
        )[:limit]
    )


def unread_count(user_id: UUID) -> int:
    return Notification.objects.filter(recipient_id=user_id, read_at=None).count()


@transaction.atomic
def notification_mark_read(*, actor: Actor, notification_id: UUID | str) -> None:
    """Mark one of the actor's own notifications read. Raises NotFound for anyone else's.

    No ledger event: a notification holds no client data, and reading one changes no record.
    """
    notification_open(actor=actor, notification_id=notification_id)


@transaction.atomic
def notification_open(*, actor: Actor, notification_id: UUID | str) -> str:
    """Mark one of the actor's own notifications read and return its link ("" if none). Raises
    NotFound for anyone else's, and for a malformed id."""
    parsed = parse_id(notification_id)
    if parsed is None:
        raise NotFound("notification")
    found = Notification.objects.filter(id=parsed, recipient_id=actor.user_id)
    notification = found.first()
    if notification is None:
        raise NotFound("notification")
    if notification.read_at is None:
        found.update(read_at=clock.now())
    return notification.link


@transaction.atomic
def notifications_mark_all_read(*, actor: Actor) -> int:
    """Mark all of the actor's notifications read; returns how many changed."""
    return Notification.objects.filter(recipient_id=actor.user_id, read_at=None).update(
        read_at=clock.now()
    )
