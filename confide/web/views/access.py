"""Emergency access (break the glass), privacy review purposes, the review queue of emergency
grants, and client-requested restrictions."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from confide.access import selectors, services
from confide.access.errors import AlreadyHasAccess, GrantAlreadyReviewed
from confide.access.selectors import IdentityMatch, LookupPurpose
from confide.accounts import selectors as staff_selectors
from confide.consent import selectors as consent_selectors
from confide.consent import services as consent
from confide.core.actor import Actor
from confide.core.enums import Role
from confide.core.errors import DomainError
from confide.web import forms
from confide.web.auth import reauth_redirect, recently_authenticated, staff_view
from confide.web.views.common import add_domain_error, posted, require_role, status_of

CASEWORK = (Role.PRACTITIONER, Role.SUPERVISOR)
PRIVACY = (Role.PRIVACY_OFFICER,)
NO_MATCH = (
    "No client you could open matches that exact legal name and date of birth. Check the "
    "spelling and the date, or ask your supervisor or the privacy officer for help."
)


# --- emergency access ------------------------------------------------------------------------


def _chosen(
    form: forms.EmergencyForm | forms.ReviewOpenForm, matches: list[IdentityMatch]
) -> IdentityMatch | None:
    """The match to open: the only one, or the one picked among several (never another id)."""
    picked = form.cleaned_data.get("client_id")
    if len(matches) == 1 and picked in (None, matches[0].client_id):
        return matches[0]
    return next((m for m in matches if m.client_id == picked), None)


@require_http_methods(["GET", "HEAD", "POST"])
@staff_view
def emergency(request: HttpRequest, actor: Actor) -> HttpResponse:
    """One form: who (exact name and date of birth), why, for how long. Several people sharing
    both get a choice by record date; no match gets the same neutral answer as no access."""
    require_role(actor, CASEWORK, "Emergency access is for practitioners and supervisors.")
    if not recently_authenticated(request):
        return reauth_redirect(request)  # before anything is typed or looked up
    form = forms.EmergencyForm(posted(request))
    context: dict[str, Any] = {"form": form, "matches": None}
    if request.method == "POST" and form.is_valid():
        matches = selectors.identity_lookup(
            actor=actor,
            legal_name=form.cleaned_data["legal_name"],
            date_of_birth=form.cleaned_data["date_of_birth"],
            purpose=LookupPurpose.BREAK_GLASS,
        )
        context["matches"] = matches
        match = _chosen(form, matches)
        if not matches:
            form.add_error(None, NO_MATCH)
        elif match is not None and match.already_visible:
            messages.info(request, "You already have access to this record; no emergency needed.")
            return redirect("web:client_detail", client_id=match.client_id)
        elif match is not None:
            return _open_emergency(request, actor, form, match) or render(
                request, "web/emergency.html", context, status=400
            )
    return render(request, "web/emergency.html", context, status=status_of(form, request))


def _open_emergency(
    request: HttpRequest, actor: Actor, form: forms.EmergencyForm, match: IdentityMatch
) -> HttpResponse | None:
    try:
        grant = services.break_glass_open(
            actor=actor,
            client_id=match.client_id,
            reason_category=form.cleaned_data["reason_category"],
            reason_text=form.cleaned_data["reason_text"],
            minutes=form.cleaned_data["minutes"],
            reauthenticated=recently_authenticated(request),
        )
    except AlreadyHasAccess:
        return redirect("web:client_detail", client_id=match.client_id)
    except DomainError as error:
        add_domain_error(form, error)
        return None
    messages.warning(
        request,
        "Emergency access is open. Your supervisor and the privacy officer have been told, "
        "and a privacy officer will review it.",
    )
    return redirect("web:client_detail", client_id=grant.client_id)


@require_POST
@staff_view
def grant_end(request: HttpRequest, actor: Actor, grant_id: UUID) -> HttpResponse:
    """End one's own emergency or review access before its time limit."""
    services.grant_end(actor=actor, grant_id=grant_id)
    messages.success(request, "Your temporary access has ended.")
    return redirect("web:dashboard")


# --- privacy review purpose -------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
@staff_view
def review_open(request: HttpRequest, actor: Actor) -> HttpResponse:
    """A privacy officer opens one client's record for a recorded purpose (time-limited)."""
    require_role(actor, PRIVACY, "Review purposes are for privacy officers.")
    if not recently_authenticated(request):
        return reauth_redirect(request)
    initial = _review_initial(actor, request.GET.get("grant", ""))
    form = forms.ReviewOpenForm(posted(request), initial=initial)
    context: dict[str, Any] = {"form": form, "matches": None, "from_grant": bool(initial)}
    if request.method == "POST" and form.is_valid():
        grant_id = form.cleaned_data.get("grant_id")
        context["from_grant"] = grant_id is not None
        if grant_id is not None:
            detail = selectors.grant_get(actor=actor, grant_id=grant_id)
            return _open_review(request, actor, form, detail.client_id) or render(
                request, "web/review_open.html", context, status=400
            )
        matches = selectors.identity_lookup(
            actor=actor,
            legal_name=form.cleaned_data["legal_name"],
            date_of_birth=form.cleaned_data["date_of_birth"],
            purpose=LookupPurpose.PRIVACY_REVIEW,
        )
        context["matches"] = matches
        match = _chosen(form, matches)
        if not matches:
            form.add_error(None, NO_MATCH)
        elif match is not None:
            return _open_review(request, actor, form, match.client_id) or render(
                request, "web/review_open.html", context, status=400
            )
    return render(request, "web/review_open.html", context, status=status_of(form, request))


def _review_initial(actor: Actor, raw_grant: str) -> dict[str, object]:
    """Coming from an emergency grant's review: that grant's client, for that purpose."""
    try:
        grant_id = UUID(raw_grant)
    except ValueError:
        return {}
    selectors.grant_get(actor=actor, grant_id=grant_id)  # NotFound unless reviewable
    return {"grant_id": grant_id, "purpose": "break_glass_review"}


def _open_review(
    request: HttpRequest, actor: Actor, form: forms.ReviewOpenForm, client_id: UUID | None
) -> HttpResponse | None:
    try:
        grant = services.review_purpose_open(
            actor=actor,
            client_id=str(client_id),
            purpose=form.cleaned_data["purpose"],
            note=form.cleaned_data["note"],
            reauthenticated=recently_authenticated(request),
        )
    except DomainError as error:
        add_domain_error(form, error)
        return None
    messages.info(request, "Review access is open. Every view is recorded.")
    return redirect("web:client_detail", client_id=grant.client_id)


# --- review queue of emergency grants --------------------------------------------------------


@require_safe
@staff_view
def grant_queue(request: HttpRequest, actor: Actor) -> HttpResponse:
    waiting, reviewed = selectors.grant_queue(actor=actor)
    context = {
        "waiting": waiting,
        "reviewed": reviewed,
        "overdue": sum(1 for g in waiting if g.overdue),
    }
    return render(request, "web/grant_queue.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
@staff_view
def grant_review(request: HttpRequest, actor: Actor, grant_id: UUID) -> HttpResponse:
    """One emergency grant; a privacy officer closes it as justified or as misuse."""
    detail = selectors.grant_get(actor=actor, grant_id=grant_id)  # NotFound first
    form = forms.GrantReviewForm(posted(request))
    if request.method == "POST":
        require_role(actor, PRIVACY, "Emergency access is reviewed by a privacy officer.")
        if detail.grant.reviewed_at is not None:
            raise GrantAlreadyReviewed()
        if form.is_valid():
            try:
                services.break_glass_review(actor=actor, grant_id=grant_id, **form.cleaned_data)
            except DomainError as error:
                add_domain_error(form, error)
            else:
                messages.success(request, "Review recorded.")
                return redirect("web:grant_queue")
    context = {"detail": detail, "form": form, "uses_shown": selectors.GRANT_USES_SHOWN}
    return render(request, "web/grant_review.html", context, status=status_of(form, request))


# --- restrictions ------------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
@staff_view
def restriction_new(request: HttpRequest, actor: Actor, client_id: UUID) -> HttpResponse:
    """Record a client's request that a staff member or a program not use their record."""
    consent_selectors.client_restrictions(actor=actor, client_id=client_id)  # NotFound first
    staff = [(str(u.id), u.display_name) for u in staff_selectors.agency_staff(actor)]
    programs = [(str(p.id), p.name) for p in staff_selectors.agency_programs(actor)]
    form = forms.RestrictionRequestForm(posted(request), staff=staff, programs=programs)
    if request.method == "POST" and form.is_valid():
        try:
            consent.restriction_request(
                actor=actor,
                client_id=client_id,
                kind=form.cleaned_data["kind"],
                staff_id=form.cleaned_data["staff"] or None,
                program_id=form.cleaned_data["program"] or None,
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, "Request recorded. A privacy officer will decide on it.")
            return redirect("web:client_detail", client_id=client_id)
    context = {"form": form, "client_id": client_id}
    return render(request, "web/restriction_new.html", context, status=status_of(form, request))


@require_safe
@staff_view
def restriction_queue(request: HttpRequest, actor: Actor) -> HttpResponse:
    requested, agreed = consent_selectors.restriction_queue(actor=actor)
    return render(request, "web/restriction_queue.html", {"requested": requested, "agreed": agreed})


@require_POST
@staff_view
def restriction_decide(request: HttpRequest, actor: Actor, restriction_id: UUID) -> HttpResponse:
    require_role(actor, PRIVACY, "A privacy officer decides restriction requests.")
    form = forms.RestrictionDecideForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose to agree or to deny; nothing was changed.")
        return redirect("web:restriction_queue")
    agree = form.cleaned_data["decision"] == "agree"
    try:
        consent.restriction_decide(actor=actor, restriction_id=restriction_id, agree=agree)
    except DomainError as error:
        if error.status == 404:
            raise
        messages.error(request, error.message)
    else:
        messages.success(request, "Restriction agreed: it applies at once." if agree else "Denied.")
    return redirect("web:restriction_queue")


@require_POST
@staff_view
def restriction_end(request: HttpRequest, actor: Actor, restriction_id: UUID) -> HttpResponse:
    require_role(actor, PRIVACY, "A privacy officer ends restrictions.")
    try:
        consent.restriction_end(actor=actor, restriction_id=restriction_id)
    except DomainError as error:
        if error.status == 404:
            raise
        messages.error(request, error.message)
    else:
        messages.success(request, "Restriction ended.")
    return redirect("web:restriction_queue")
