"""Administration: staff access settings and training, agency settings, and conflict walls
(which privacy officers manage too). No client content on any of these pages."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from confide.accounts import roles
from confide.accounts import selectors as staff
from confide.accounts import services as accounts
from confide.accounts.selectors import StaffRow
from confide.core.actor import Actor
from confide.core.enums import Role
from confide.core.errors import DomainError
from confide.training import selectors as walls
from confide.training import services as training
from confide.web import forms
from confide.web.auth import reauth_redirect, recently_authenticated, staff_view
from confide.web.views.account import DECLARED
from confide.web.views.common import add_domain_error, form_problem, posted, require_role, status_of

ADMIN = (Role.ADMINISTRATOR,)
WALL_MANAGERS = (Role.PRIVACY_OFFICER, Role.ADMINISTRATOR)


@require_safe
@staff_view
def staff_list(request: HttpRequest, actor: Actor) -> HttpResponse:
    rows = staff.staff_list(actor=actor)
    lapsed = sum(1 for r in rows if r.training_lapsed)
    return render(request, "web/staff_list.html", {"rows": rows, "lapsed": lapsed})


def _access_form(actor: Actor, row: StaffRow, data: object = None) -> forms.StaffAccessForm:
    supervisors = [
        (str(u.id), u.display_name)
        for u in staff.agency_staff(actor, roles=frozenset({Role.SUPERVISOR}))
        if u.id != row.id
    ]
    initial = {
        "supervisor": str(row.supervisor_id) if row.supervisor_id else "",
        "teams": [str(t) for t in row.team_ids],
        "is_trainee": row.is_trainee,
        "dv_designated": row.dv_designated,
        "hiv_designated": row.hiv_designated,
    }
    return forms.StaffAccessForm(
        data,
        initial=initial,
        supervisors=supervisors,
        teams=[(str(t.id), t.name) for t in staff.agency_teams(actor)],
        has_supervisor=row.supervisor_id is not None,
    )


@require_http_methods(["GET", "HEAD", "POST"])
@staff_view
def staff_detail(request: HttpRequest, actor: Actor, user_id: UUID) -> HttpResponse:
    """A staff member's access settings: supervisor, teams, trainee status, designations."""
    row = staff.staff_get(actor=actor, user_id=user_id)  # NotPermitted, NotFound first
    form = _access_form(actor, row, posted(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            accounts.staff_update_access(
                actor=actor,
                user_id=user_id,
                supervisor_id=data["supervisor"] or None,
                is_trainee=data["is_trainee"],
                dv_designated=data["dv_designated"],
                hiv_designated=data["hiv_designated"],
                team_ids=[UUID(t) for t in data["teams"]],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, "Access settings saved. They apply from the next page.")
            return redirect("web:staff_detail", user_id=user_id)
    context = {
        "row": row,
        "form": form,
        "training_form": forms.TrainingForm(),
        "role_form": forms.RoleForm(initial={"role": row.role}),
        "is_self": row.id == actor.user_id,
    }
    return render(request, "web/staff_detail.html", context, status=status_of(form, request))


@require_POST
@staff_view
def staff_role(request: HttpRequest, actor: Actor, user_id: UUID) -> HttpResponse:
    """Change a staff member's role, after a fresh re-authentication (roles decide access)."""
    staff.staff_get(actor=actor, user_id=user_id)  # NotPermitted, NotFound first
    if not recently_authenticated(request):
        messages.info(request, "Then choose the role again.")
        return reauth_redirect(request, reverse("web:staff_detail", kwargs={"user_id": user_id}))
    form = forms.RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_problem(form))
        return redirect("web:staff_detail", user_id=user_id)
    try:
        user = roles.staff_set_role(actor=actor, user_id=user_id, role=form.cleaned_data["role"])
    except DomainError as error:
        if error.status == 404:
            raise
        messages.error(request, error.message)
    else:
        label = Role(user.role).label.lower()
        messages.success(request, f"Role changed to {label}. It applies from their next page.")
    return redirect("web:staff_detail", user_id=user_id)


@require_POST
@staff_view
def staff_training(request: HttpRequest, actor: Actor, user_id: UUID) -> HttpResponse:
    staff.staff_get(actor=actor, user_id=user_id)  # NotPermitted, NotFound first
    form = forms.TrainingForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_problem(form))
        return redirect("web:staff_detail", user_id=user_id)
    try:
        completion = training.training_record(
            actor=actor, user_id=user_id, completed_on=form.cleaned_data["completed_on"]
        )
    except DomainError as error:
        if error.status == 404:
            raise
        messages.error(request, error.message)
    else:
        messages.success(
            request, f"Training recorded; current until {completion.expires_on:%Y-%m-%d}."
        )
    return redirect("web:staff_detail", user_id=user_id)


@require_http_methods(["GET", "HEAD", "POST"])
@staff_view
def agency_settings(request: HttpRequest, actor: Actor) -> HttpResponse:
    require_role(actor, ADMIN, "This page is for administrators.")
    agency = staff.agency_of(actor)
    initial = {
        "hiv_restricted": agency.hiv_restricted,
        "training_validity_days": agency.training_validity_days,
    }
    form = forms.AgencySettingsForm(posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            accounts.agency_settings_update(actor=actor, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, "Agency settings saved.")
            return redirect("web:agency_settings")
    context = {"form": form, "agency": agency}
    return render(request, "web/agency_settings.html", context, status=status_of(form, request))


# --- conflict walls ----------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
@staff_view
def walls_page(request: HttpRequest, actor: Actor) -> HttpResponse:
    """Walls in force, and recording one for any staff member of the agency."""
    require_role(actor, WALL_MANAGERS, "This page is for privacy officers.")
    people = [(str(u.id), u.display_name) for u in staff.agency_staff(actor)]
    form = forms.WallForm(posted(request), staff=people)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            training.conflict_declare_by_identity(
                actor=actor,
                legal_name=data["legal_name"],
                date_of_birth=data["date_of_birth"],
                relationship=data["relationship"],
                user_id=data["staff"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, DECLARED.replace("hidden from you", "hidden from them"))
            return redirect("web:walls")
    context = {
        "form": form,
        "walls": walls.wall_list(actor=actor),
        "remove": forms.WallRemoveForm(),
    }
    return render(request, "web/walls.html", context, status=status_of(form, request))


@require_POST
@staff_view
def wall_remove(request: HttpRequest, actor: Actor, wall_id: UUID) -> HttpResponse:
    require_role(actor, WALL_MANAGERS, "Only a privacy officer removes a wall.")
    form = forms.WallRemoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give a reason (up to 500 characters); nothing was changed.")
        return redirect("web:walls")
    training.conflict_remove(actor=actor, wall_id=wall_id, reason=form.cleaned_data["reason"])
    messages.success(request, "Wall removed. The declaration and its removal stay on the ledger.")
    return redirect("web:walls")
