"""Disclosure pages: open a request, read its decision, review it, build and check the release
packet, release it (print, one-time link, verbal), the reviewers' queue, the agency profile,
and the recipient's public one-time link page.

Thin: each view validates the form's shape and calls one service or selector; access rules,
ledger events and domain rules live there.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import (
    require_GET,
    require_http_methods,
    require_POST,
    require_safe,
)

from confide.access.lookups import get_authorized
from confide.access.policy import Action
from confide.core.actor import Actor
from confide.core.enums import Role
from confide.core.errors import DomainError, NotFound, NotPermitted, ValidationFailed
from confide.disclosures import forms, links, packets, release, selectors, services
from confide.disclosures.errors import LinkUnavailable, MissingFacts, WrongCode
from confide.disclosures.models import DisclosureProfile
from confide.records.models import Client
from confide.releases import selectors as release_selectors
from confide.web.auth import staff_view
from confide.web.downloads import download
from confide.web.views.common import add_domain_error, require_role, status_of


def _show(form: Any, error: DomainError) -> None:
    """A refusal shown on the form; not found and not permitted become their own pages."""
    if isinstance(error, NotPermitted):
        raise error
    add_domain_error(form, error)


def _active_releases(actor: Actor, client_id: UUID) -> list[tuple[str, str]]:
    """The client's releases in effect, for the form (none if the actor may not list them)."""
    try:
        releases = release_selectors.release_list(actor=actor, client_id=client_id)
    except (NotFound, NotPermitted):
        return []
    return [
        (
            str(r.id),
            f"{r.on_file.kind.label}: {r.on_file.recipient_name}"
            + (f" (until {r.on_file.expires_on.isoformat()})" if r.on_file.expires_on else ""),
        )
        for r in releases
        if r.on_file.is_active
    ]


@require_http_methods(["GET", "HEAD", "POST"])
@staff_view
def request_new(request: HttpRequest, actor: Actor, client_id: UUID) -> HttpResponse:
    get_authorized(actor, Client, client_id, Action.DISCLOSURE_REQUEST)
    form = forms.RequestForm(
        request.POST or None, request.FILES or None, releases=_active_releases(actor, client_id)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        upload = data.get("instrument")
        try:
            created = services.request_create(
                actor=actor,
                client_id=client_id,
                data=services.RequestInput(
                    recipient=data["recipient"],
                    recipient_address=data["recipient_address"],
                    recipient_type=data["recipient_type"],
                    purpose=data["purpose"],
                    description=data["description"],
                    categories=list(data["categories"]),
                    date_from=data["date_from"],
                    date_to=data["date_to"],
                    legal_instrument=data["legal_instrument"],
                    extra_names=data["extra_names"],
                    release_id=data["release_id"] or None,
                    facts=form.facts(),
                    instrument=services.Upload(upload.name, upload.content_type, upload.read())
                    if upload
                    else None,
                ),
            )
        except DomainError as error:
            _show(form, error)
        else:
            return redirect("web:disclosure_detail", request_id=created.id)
    context = {
        "form": form,
        "client_id": client_id,
    }
    return render(request, "web/disclosure_new.html", context, status=status_of(form, request))


@require_safe
@staff_view
def client_requests(request: HttpRequest, actor: Actor, client_id: UUID) -> HttpResponse:
    rows = selectors.client_requests(actor=actor, client_id=client_id)
    return render(request, "web/disclosure_list.html", {"rows": rows, "client_id": client_id})


@require_safe
@staff_view
def request_detail(request: HttpRequest, actor: Actor, request_id: UUID) -> HttpResponse:
    return _detail_with(request, actor, request_id, status=200)


@require_POST
@staff_view
def request_review(request: HttpRequest, actor: Actor, request_id: UUID) -> HttpResponse:
    services.authorized_request(actor, request_id, Action.DISCLOSURE_REVIEW)  # even a bad form
    form = forms.ReviewForm(request.POST)
    if form.is_valid():
        try:
            services.request_review(
                actor=actor,
                request_id=request_id,
                approve=form.cleaned_data["decision"] == "approve",
                reason=form.cleaned_data["reason"],
                answers=form.facts(),
            )
        except MissingFacts as error:
            form.mark_missing(error.missing)
        except DomainError as error:
            _show(form, error)
        else:
            messages.success(request, "Your review is recorded.")
            return redirect("web:disclosure_detail", request_id=request_id)
    return _detail_with(request, actor, request_id, review_form=form)


@require_POST
@staff_view
def packet_build(request: HttpRequest, actor: Actor, request_id: UUID) -> HttpResponse:
    packet = packets.packet_build(actor=actor, request_id=request_id)
    return redirect("web:packet_detail", packet_id=packet.id)


@require_http_methods(["GET", "HEAD", "POST"])
@staff_view
def packet_detail(request: HttpRequest, actor: Actor, packet_id: UUID) -> HttpResponse:
    error = None
    if request.method == "POST":
        choices = {
            key.removeprefix("r_"): request.POST.get(key, "")
            for key in request.POST
            if key.startswith("r_")
        }
        try:
            packet = packets.redactions_decide(
                actor=actor,
                packet_id=packet_id,
                choices=choices,
                leave_out=request.POST.getlist("leave_out"),
            )
        except ValidationFailed as failed:
            error = failed.message
        else:
            messages.success(request, "Your review of the packet is saved.")
            if packet.status == "approved":
                return redirect("web:disclosure_detail", request_id=packet.request_id)
            return redirect("web:packet_detail", packet_id=packet_id)
    view = selectors.packet_get(actor=actor, packet_id=packet_id)
    return render(
        request,
        "web/disclosure_packet.html",
        {"p": view, "error": error},
        status=400 if error else 200,
    )


@require_POST
@staff_view
def release_send(request: HttpRequest, actor: Actor, request_id: UUID) -> HttpResponse:
    services.authorized_request(actor, request_id, Action.DISCLOSURE_RELEASE)  # even a bad form
    form = forms.ReleaseForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            done = release.release(
                actor=actor,
                request_id=request_id,
                method=data["method"],
                notice=release.Notice(data["notice_exception"], data["notice_reason"]),
                recipient_email=data["recipient_email"],
                releases_seen=data["releases_seen"],
            )
        except DomainError as error:
            _show(form, error)
        else:
            if done.pdf is not None and done.link_token is None:
                return download(done.pdf, "application/pdf", f"release-{request_id}.pdf")
            assert done.link_token is not None
            return render(
                request,
                "web/disclosure_link.html",
                {
                    "url": links.link_url(done.link_token),
                    "code": done.link_code,
                    "delivery": done.delivery,
                    "request_id": request_id,
                },
            )
    return _detail_with(request, actor, request_id, release_form=form)


@require_POST
@staff_view
def release_verbal(request: HttpRequest, actor: Actor, request_id: UUID) -> HttpResponse:
    services.authorized_request(actor, request_id, Action.DISCLOSURE_RELEASE)  # even a bad form
    form = forms.VerbalForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            release.release(
                actor=actor,
                request_id=request_id,
                method="verbal",
                notice=release.Notice(data["notice_exception"], data["notice_reason"]),
                summary=data["summary"],
                disclosed_at=data["disclosed_at"],
                releases_seen=data["releases_seen"],
            )
        except DomainError as error:
            _show(form, error)
        else:
            messages.success(request, "The verbal disclosure is recorded.")
            return redirect("web:disclosure_detail", request_id=request_id)
    return _detail_with(request, actor, request_id, verbal_form=form)


def _detail_with(
    request: HttpRequest,
    actor: Actor,
    request_id: UUID,
    *,
    status: int = 400,
    **form_overrides: object,
) -> HttpResponse:
    """The request's page; `form_overrides` are posted forms shown again with their errors."""
    view = selectors.request_get(actor=actor, request_id=request_id)
    context = {
        "r": view,
        "review_form": (
            forms.ReviewForm(initial=forms.ReviewForm.starting_from(view.answered_facts))
            if view.may_review
            else None
        ),
        "release_form": forms.ReleaseForm(initial={"releases_seen": len(view.deliveries)}),
        "verbal_form": forms.VerbalForm(initial={"releases_seen": len(view.deliveries)}),
        **form_overrides,
    }
    return render(request, "web/disclosure.html", context, status=status)


@require_GET
@staff_view
def instrument_download(request: HttpRequest, actor: Actor, request_id: UUID) -> HttpResponse:
    name, content_type, data = selectors.instrument_download(actor=actor, request_id=request_id)
    return download(data, content_type, name)


@require_safe
@staff_view
def review_queue(request: HttpRequest, actor: Actor) -> HttpResponse:
    rows = selectors.review_queue(actor=actor)
    return render(request, "web/disclosure_queue.html", {"rows": rows})


@require_http_methods(["GET", "HEAD", "POST"])
@staff_view
def profile(request: HttpRequest, actor: Actor) -> HttpResponse:
    require_role(actor, [Role.ADMINISTRATOR], "The disclosure profile is set by administrators.")
    current = DisclosureProfile.objects.filter(agency_id=actor.agency_id).first()
    initial = (
        {"jurisdiction_state": current.jurisdiction_state, "entity_type": current.entity_type}
        if current
        else None
    )
    form = forms.ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.profile_set(actor=actor, **form.cleaned_data)
        except DomainError as error:
            _show(form, error)
        else:
            messages.success(request, "The disclosure profile is saved.")
            return redirect("web:disclosure_profile")
    return render(
        request, "web/disclosure_profile.html", {"form": form}, status=status_of(form, request)
    )


# ---- the recipient's one-time link (public: no staff sign-in) ---------------------------------


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def link_open(request: HttpRequest, token: str) -> HttpResponse:
    """The recipient enters the code given to them separately and receives the packet once."""
    try:
        links.link_check(token)
    except LinkUnavailable as gone:
        return render(request, "web/link_gone.html", {"error": gone}, status=gone.status)
    form = forms.CodeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                name, data = links.link_redeem(token, form.cleaned_data["code"])
            except LinkUnavailable as gone:
                return render(request, "web/link_gone.html", {"error": gone}, status=gone.status)
            except WrongCode as wrong:
                form.add_error("code", wrong.message)
                status = wrong.status
            else:
                return download(data, "application/pdf", name)
    return render(
        request, "web/link_open.html", {"form": form, "now": timezone.now()}, status=status
    )
