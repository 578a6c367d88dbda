"""The home page (caseload, review work, notifications) and marking notifications read."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST, require_safe

from confide.access import selectors as access
from confide.accounts import selectors as staff
from confide.consent import selectors as restrictions
from confide.core.actor import Actor
from confide.core.enums import Role
from confide.messaging import services as messaging
from confide.records import selectors
from confide.web.auth import local_path, staff_view

CASEWORK = (Role.PRACTITIONER, Role.SUPERVISOR)


@require_safe
@staff_view
def dashboard(request: HttpRequest, actor: Actor) -> HttpResponse:
    page = _page_number(request)
    context: dict[str, Any] = {"page": page, "role": actor.role.value}
    if actor.role in CASEWORK:
        rows, total = selectors.caseload_list(actor=actor, page=page)
        pages = max(1, -(-total // selectors.CASELOAD_PAGE))
        context.update(caseload=True, rows=rows, total=total, pages=pages)
    if actor.role == Role.PRIVACY_OFFICER:
        waiting, _ = access.grant_queue(actor=actor)
        context.update(
            waiting=len(waiting),
            overdue_days=settings.CONFIDE_REVIEW_OVERDUE_DAYS,
            overdue=sum(1 for g in waiting if g.overdue),
            requested=restrictions.requested_count(actor=actor),
        )
    if actor.role == Role.ADMINISTRATOR:
        context["lapsed"] = sum(1 for r in staff.staff_list(actor=actor) if r.training_lapsed)
    context["notifications"] = messaging.unread_for(actor.user_id)
    context["read_notifications"] = messaging.recently_read_for(actor.user_id)
    context["read_kept_days"] = messaging.READ_KEPT_DAYS
    return render(request, "web/dashboard.html", context)


def _page_number(request: HttpRequest) -> int:
    raw = request.GET.get("page", "1")
    return int(raw) if raw.isdigit() and 0 < int(raw) < 100_000 else 1


@require_POST
@staff_view
def notification_read(request: HttpRequest, actor: Actor, notification_id: UUID) -> HttpResponse:
    messaging.notification_mark_read(actor=actor, notification_id=notification_id)
    return redirect("web:dashboard")


@require_GET
@staff_view
def notification_open(request: HttpRequest, actor: Actor, notification_id: UUID) -> HttpResponse:
    """Follow one of the actor's notifications to its page, marking it read on the way. Only a
    staff page of this site is followed (`auth.local_path`: never another host), else the start
    page."""
    link = messaging.notification_open(actor=actor, notification_id=notification_id)
    return redirect(local_path(link, portal=False) or "web:dashboard")


@require_POST
@staff_view
def notifications_read_all(request: HttpRequest, actor: Actor) -> HttpResponse:
    messaging.notifications_mark_all_read(actor=actor)
    return redirect("web:dashboard")
