"""Retention pages for privacy officers: the schedule, the due list and its approval, legal
holds. Thin: forms check shape, `retention.services`/`selectors` decide and record."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from confide.core import clock
from confide.core.actor import Actor
from confide.core.enums import Role
from confide.core.errors import DomainError, NotFound
from confide.retention import forms, selectors, services
from confide.retention.errors import NoSchedule
from confide.retention.schedule import state_defaults
from confide.web.auth import recently_authenticated, staff_view
from confide.web.views.common import add_domain_error, posted, require_role, status_of

PRIVACY = (Role.PRIVACY_OFFICER,)
NO_CASE = "No case with this number that you may place a hold on. Check the number."


def _due_context(actor: Actor, form: forms.ApproveForm | None = None) -> dict[str, Any]:
    schedule = selectors.schedule_current(actor.agency_id)
    due = selectors.due_list(actor=actor, today=clock.today()) if schedule else []
    choices = [
        (str(d.client_id), ", ".join(d.case_numbers)) for d in due if not (d.held or d.approved)
    ]
    return {
        "schedule": schedule,
        "default": state_defaults().get(schedule.state) if schedule else None,
        "due": due,
        "form": form or forms.ApproveForm(choices=choices),
        "batches": selectors.batches_recent(actor=actor),
    }


@require_safe
@staff_view
def due(request: HttpRequest, actor: Actor) -> HttpResponse:
    """The schedule in force and the clients due for destruction, by case number."""
    require_role(actor, PRIVACY, "Retention is managed by privacy officers.")
    return render(request, "retention/due.html", _due_context(actor))


@require_POST
@staff_view
def approve(request: HttpRequest, actor: Actor) -> HttpResponse:
    """Approve the chosen due clients for destruction (the purge job carries it out)."""
    require_role(actor, PRIVACY, "A privacy officer approves destruction.")
    if not recently_authenticated(request):
        messages.info(request, "Nothing was approved yet: confirm it is you, then approve again.")
        # Back to the due list afterwards (this address only takes a POST).
        return redirect(f"{reverse('web:reauth')}?next={reverse('web:retention')}")
    try:
        context = _due_context(actor)
    except NoSchedule:
        messages.error(request, "Set a retention schedule first.")
        return redirect("web:retention_schedule")
    form = forms.ApproveForm(request.POST, choices=context["form"].fields["clients"].choices)
    if form.is_valid():
        try:
            batch = services.purge_batch_approve(
                actor=actor,
                client_ids=form.cleaned_data["clients"],
                today=clock.today(),
                reauthenticated=True,
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(
                request,
                f"Approved {batch.items.count()} record(s) for destruction. The purge job "
                "destroys them on its next run; a legal hold placed before then still stops it.",
            )
            return redirect("web:retention")
    context["form"] = form
    return render(request, "retention/due.html", context, status=400)


@require_http_methods(["GET", "HEAD", "POST"])
@staff_view
def schedule(request: HttpRequest, actor: Actor) -> HttpResponse:
    """Set the agency's schedule from a state's defaults (or longer periods)."""
    require_role(actor, PRIVACY, "A privacy officer sets the retention schedule.")
    current = selectors.schedule_current(actor.agency_id)
    initial = {"state": current.state} if current else {}
    form = forms.ScheduleForm(posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.retention_schedule_set(actor=actor, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, "Retention schedule saved. It applies from now on.")
            return redirect("web:retention")
    context = {
        "form": form,
        "current": current,
        "defaults": sorted(state_defaults().values(), key=lambda d: d.state),
    }
    return render(request, "retention/schedule.html", context, status=status_of(form, request))


@require_http_methods(["GET", "HEAD", "POST"])
@staff_view
def holds(request: HttpRequest, actor: Actor) -> HttpResponse:
    """Legal holds in force, and placing a new one by case number."""
    require_role(actor, PRIVACY, "Legal holds are kept by privacy officers.")
    form = forms.HoldForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.legal_hold_place(actor=actor, **form.cleaned_data)
        except NotFound:
            # The same words for a missing case and one the officer may not act on.
            form.add_error("case_number", NO_CASE)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, "Legal hold placed. This record will not be destroyed.")
            return redirect("web:retention_holds")
    show_released = request.GET.get("released") == "1"
    context = {
        "form": form,
        "holds": selectors.hold_list(actor=actor, include_released=show_released),
        "show_released": show_released,
        "release_form": forms.ReleaseForm(),
    }
    return render(request, "retention/holds.html", context, status=status_of(form, request))


@require_POST
@staff_view
def hold_release(request: HttpRequest, actor: Actor) -> HttpResponse:
    """Release a legal hold; the schedule applies to the record again."""
    require_role(actor, PRIVACY, "Legal holds are kept by privacy officers.")
    form = forms.ReleaseForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say why the hold ends; nothing was changed.")
        return redirect("web:retention_holds")
    try:
        services.legal_hold_release(actor=actor, **form.cleaned_data)
    except DomainError as error:
        if error.status == 404:
            raise
        messages.error(request, error.message)
    else:
        messages.success(request, "Legal hold released.")
    return redirect("web:retention_holds")
