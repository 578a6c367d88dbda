"""The consent pages: a client's consent record (notice acknowledgements, contacts,
communication preferences, representatives, disclosure restrictions), the notice walk-through
with its acknowledgement, the privacy officer's queue of disclosure restrictions, and the state
table of minor-consent domains. Thin: every rule is in confide.consent's services and selectors.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from confide.consent import forms, selectors, services
from confide.consent.enums import Language
from confide.core.actor import Actor
from confide.core.enums import Role
from confide.core.errors import DomainError, NotFound, NotPermitted
from confide.web.auth import staff_view
from confide.web.views.common import add_domain_error, posted, require_role, status_of

PRIVACY = (Role.PRIVACY_OFFICER,)


def _back(client_id: UUID) -> HttpResponse:
    return redirect("web:consent_record", client_id=client_id)


def _act_and_tell(request: HttpRequest, act: Callable[[], object], done: str) -> None:
    """Run a service call and say how it went on the page the view returns to: `done`, or the
    refusal about the input or the object's state; not found and not permitted become their own
    pages (404, 403)."""
    try:
        act()
    except (NotFound, NotPermitted):
        raise
    except DomainError as error:
        messages.error(request, f"Nothing was changed. {error.message}")
    else:
        messages.success(request, done)


# ---- the consent record ------------------------------------------------------------------------


@require_safe
@staff_view
def consent_record(request: HttpRequest, actor: Actor, client_id: UUID) -> HttpResponse:
    record = selectors.consent_record_get(actor=actor, client_id=client_id)
    preference_forms = [
        (row, forms.PreferenceForm(initial=forms.initial_preference(row), prefix=row.channel))
        for row in record.preferences
    ]
    context = {
        "record": record,
        "client_id": record.client_id,
        "preference_forms": preference_forms,
        "decision_form": forms.ContactDecisionForm(),
        "end_form": forms.RepresentativeEndForm(),
    }
    return render(request, "web/consent/record.html", context)


@require_POST
@staff_view
def preference_set(request: HttpRequest, actor: Actor, client_id: UUID) -> HttpResponse:
    channel = request.POST.get("channel", "")
    form = forms.PreferenceForm(request.POST, prefix=channel if isinstance(channel, str) else "")
    if not form.is_valid():
        messages.error(request, "Nothing was changed: choose yes or no, and keep entries short.")
        selectors.consent_client_check(actor=actor, client_id=client_id)  # NotFound first
        return _back(client_id)
    _act_and_tell(
        request,
        lambda: services.communication_preference_set(
            actor=actor, client_id=client_id, **form.cleaned_data
        ),
        "Contact preference saved.",
    )
    return _back(client_id)


# ---- the notice --------------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
@staff_view
def notice_acknowledge(request: HttpRequest, actor: Actor, client_id: UUID) -> HttpResponse:
    """Walk the client through the current notice in their language; record the
    acknowledgement with their typed name and, if drawn, their signature."""
    status = selectors.notice_status(actor=actor, client_id=client_id)  # NotFound first
    language = forms.LanguageForm(request.GET)
    lang = (language.cleaned_data.get("lang") if language.is_valid() else "") or Language.ENGLISH
    notices = selectors.current_notices(actor.agency_id)
    notice = notices.get(lang) or notices.get(Language.ENGLISH)
    initial = {"notice_id": notice.id} if notice else {}
    form = forms.AcknowledgementForm(posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.acknowledgement_record(
                actor=actor,
                client_id=client_id,
                notice_id=form.cleaned_data["notice_id"],
                typed_name=form.cleaned_data["typed_name"],
                signature=form.cleaned_data["signature"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, "Acknowledgement recorded.")
            if actor.role == Role.INTAKE:
                return redirect("web:client_detail", client_id=client_id)
            return _back(client_id)
    context: dict[str, Any] = {
        "client_id": client_id,
        "status": status,
        "notice": notice,
        "blocks": selectors.notice_blocks(notice.body) if notice else [],
        "languages": [(code, label, code in notices) for code, label in Language.choices],
        "form": form,
        "can_see_record": actor.role != Role.INTAKE,
    }
    return render(request, "web/consent/notice.html", context, status=status_of(form, request))


# ---- contacts ----------------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
@staff_view
def contact_new(request: HttpRequest, actor: Actor, client_id: UUID) -> HttpResponse:
    selectors.consent_client_check(actor=actor, client_id=client_id)
    form = forms.ContactForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.contact_add(
                actor=actor,
                client_id=client_id,
                kind=form.cleaned_data["kind"],
                person=form.person(),
                may_be_told=form.cleaned_data["may_be_told"],
                decision=form.cleaned_data["decision"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, "Contact recorded.")
            return _back(client_id)
    context = {"form": form, "client_id": client_id, "title": "Add a contact"}
    return render(request, "web/consent/form.html", context, status=status_of(form, request))


@require_POST
@staff_view
def contact_decide(request: HttpRequest, actor: Actor, contact_id: UUID) -> HttpResponse:
    form = forms.ContactDecisionForm(request.POST)
    client_id = selectors.contact_client(actor=actor, contact_id=contact_id)
    if not form.is_valid():
        messages.error(request, "Nothing was changed: choose agreed or objected.")
        return _back(client_id)
    _act_and_tell(
        request,
        lambda: services.contact_decide(actor=actor, contact_id=contact_id, **form.cleaned_data),
        "The client's answer was recorded.",
    )
    return _back(client_id)


@require_POST
@staff_view
def contact_end(request: HttpRequest, actor: Actor, contact_id: UUID) -> HttpResponse:
    client_id = selectors.contact_client(actor=actor, contact_id=contact_id)
    _act_and_tell(
        request,
        lambda: services.contact_end(actor=actor, contact_id=contact_id),
        "Contact removed.",
    )
    return _back(client_id)


# ---- representatives ---------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
@staff_view
def representative_new(request: HttpRequest, actor: Actor, client_id: UUID) -> HttpResponse:
    selectors.consent_client_check(actor=actor, client_id=client_id)
    form = forms.RepresentativeForm(posted(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.representative_add(
                actor=actor,
                client_id=client_id,
                kind=data["kind"],
                scope=data["scope"],
                person=form.person(),
                authority=data["authority"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, "Representative recorded.")
            return _back(client_id)
    context = {"form": form, "client_id": client_id, "title": "Add a personal representative"}
    return render(request, "web/consent/form.html", context, status=status_of(form, request))


@require_POST
@staff_view
def representative_end(request: HttpRequest, actor: Actor, representative_id: UUID) -> HttpResponse:
    client_id = selectors.representative_client(actor=actor, representative_id=representative_id)
    form = forms.RepresentativeEndForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Nothing was changed: choose why the representative ends.")
        return _back(client_id)
    _act_and_tell(
        request,
        lambda: services.representative_end(
            actor=actor, representative_id=representative_id, reason=form.cleaned_data["reason"]
        ),
        "Representative ended.",
    )
    return _back(client_id)


# ---- restrictions on disclosure ----------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
@staff_view
def disclosure_restriction_new(request: HttpRequest, actor: Actor, client_id: UUID) -> HttpResponse:
    selectors.consent_client_check(actor=actor, client_id=client_id)
    form = forms.DisclosureRestrictionForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            restriction = services.disclosure_restriction_request(
                actor=actor, client_id=client_id, **form.cleaned_data
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(
                request,
                "Agreed at once: a health plan is never told about care paid in full."
                if restriction.status == "agreed"
                else "Request recorded. A privacy officer will decide on it.",
            )
            return _back(client_id)
    context = {
        "form": form,
        "client_id": client_id,
        "title": "Record a request to limit who is told",
        "hint": "A client may ask that some information not be shared with someone (HIPAA "
        "164.522). A request to keep a health plan out of care the client paid for in full "
        "must be agreed; other requests go to a privacy officer.",
    }
    return render(request, "web/consent/form.html", context, status=status_of(form, request))


@require_safe
@staff_view
def disclosure_restriction_queue(request: HttpRequest, actor: Actor) -> HttpResponse:
    requested, agreed = selectors.disclosure_restriction_queue(actor=actor)
    context = {"requested": requested, "agreed": agreed}
    return render(request, "web/consent/restriction_queue.html", context)


@require_POST
@staff_view
def disclosure_restriction_decide(
    request: HttpRequest, actor: Actor, restriction_id: UUID
) -> HttpResponse:
    require_role(actor, PRIVACY, "A privacy officer decides restriction requests.")
    form = forms.DecideForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose to agree or to deny; nothing was changed.")
        return redirect("web:disclosure_restriction_queue")
    agree = form.cleaned_data["decision"] == "agree"
    _act_and_tell(
        request,
        lambda: services.disclosure_restriction_decide(
            actor=actor, restriction_id=restriction_id, agree=agree
        ),
        "Agreed." if agree else "Denied.",
    )
    return redirect("web:disclosure_restriction_queue")


@require_POST
@staff_view
def disclosure_restriction_end(
    request: HttpRequest, actor: Actor, restriction_id: UUID
) -> HttpResponse:
    require_role(actor, PRIVACY, "A privacy officer ends restrictions.")
    _act_and_tell(
        request,
        lambda: services.disclosure_restriction_end(actor=actor, restriction_id=restriction_id),
        "Restriction ended.",
    )
    return redirect("web:disclosure_restriction_queue")


# ---- minors ------------------------------------------------------------------------------------


@require_safe
@staff_view
def minor_consent(request: HttpRequest, actor: Actor) -> HttpResponse:
    """The state table of services a minor may consent to alone (no client data)."""
    return render(
        request, "web/consent/minor_consent.html", {"rows": selectors.minor_consent_domains()}
    )


# ---- the agency's notice -----------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
@staff_view
def notice_publish(request: HttpRequest, actor: Actor) -> HttpResponse:
    """The notice's versions, and a new version (privacy officers). Shows each text's
    readability score, so the writer can keep it plain."""
    require_role(actor, PRIVACY, "A privacy officer publishes the agency's notice.")
    current = selectors.current_notices(actor.agency_id)
    initial = {
        f"{key}_{lang}": getattr(n, key) for lang, n in current.items() for key in ("title", "body")
    }
    form = forms.NoticePublishForm(posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            published = services.notice_publish(
                actor=actor, texts=form.texts(), material=form.cleaned_data["material"]
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, f"Version {published[0].version} published.")
            return redirect("web:notice_publish")
    context = {
        "form": form,
        "versions": selectors.notice_versions(actor.agency_id),
        "scores": selectors.notice_scores(current),
    }
    return render(
        request, "web/consent/notice_publish.html", context, status=status_of(form, request)
    )
