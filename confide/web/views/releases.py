"""Releases of information: a client's list, a per-kind form to record one, its page (sign,
revoke, record the expiry event), the client's PDF copy and the FHIR R4 Consent download.

Thin: the selectors and services of `confide.releases` decide access (`release:*`), write the
ledger and check every rule; a refused action changes nothing and shows why on the form.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import (
    require_GET,
    require_http_methods,
    require_POST,
    require_safe,
)

from confide.access.policy import Action
from confide.core.actor import Actor
from confide.core.errors import DomainError, NotFound, ValidationFailed
from confide.releases import selectors, services
from confide.releases.access import authorized_client
from confide.releases.enums import ReleaseKind
from confide.releases.fhir import consent_resource
from confide.releases.forms import FIELD_OF, ExpiryEventForm, ReleaseForm, RevokeForm, SignForm
from confide.releases.lifecycle import today
from confide.releases.pdf import release_pdf
from confide.web.auth import staff_view
from confide.web.downloads import download
from confide.web.views.common import posted, status_of


def _show_error(form: Form, error: DomainError) -> None:
    """A service's refusal on the form, each element beside its field where there is one."""
    if isinstance(error, NotFound):
        raise error
    if not isinstance(error, ValidationFailed):
        form.add_error(None, error.message)
        return
    form.add_error(None, error.message)
    for name, problem in error.fields.items():
        field = FIELD_OF.get(name, name)
        if field in form.fields:
            form.add_error(field, problem)


@require_safe
@staff_view
def roi_list(request: HttpRequest, actor: Actor, client_id: UUID) -> HttpResponse:
    releases = selectors.release_list(actor=actor, client_id=client_id)
    context = {"client_id": client_id, "releases": releases, "kinds": ReleaseKind.choices}
    return render(request, "web/roi_list.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
@staff_view
def roi_new(request: HttpRequest, actor: Actor, client_id: UUID) -> HttpResponse:
    """The form of one kind (`?kind=`); without a known kind, the choice of kinds."""
    authorized_client(actor, client_id, Action.RELEASE_CREATE)  # deny before any form
    kind = request.GET.get("kind", "")
    if kind not in ReleaseKind.values:
        choices = {"client_id": client_id, "kinds": ReleaseKind.choices}
        return render(request, "web/roi_kind.html", choices)
    form = ReleaseForm(posted(request), kind=kind, initial={"starts_on": today()})
    if request.method == "POST" and form.is_valid():
        try:
            release = services.release_create(
                actor=actor, client_id=client_id, data=form.release_input()
            )
        except DomainError as error:
            _show_error(form, error)
        else:
            messages.success(request, "Release recorded as a draft. Record the signature next.")
            return redirect("web:roi_detail", release_id=release.id)
    context: dict[str, Any] = {
        "client_id": client_id,
        "form": form,
        "kind_label": ReleaseKind(kind).label,
    }
    return render(request, "web/roi_new.html", context, status=status_of(form, request))


def _detail_page(
    request: HttpRequest, actor: Actor, release_id: UUID, *, refused: Form | None = None
) -> HttpResponse:
    """The release's page; `refused` is a posted form to show again with its errors (400)."""
    detail = selectors.release_get(actor=actor, release_id=release_id)
    context = {
        "release": detail,
        "f": detail.on_file,
        "sign_form": _form_or(refused, SignForm, initial={"signed_on": today()}),
        "revoke_form": _form_or(refused, RevokeForm),
        "expiry_form": _form_or(refused, ExpiryEventForm, initial={"occurred_on": today()}),
        "is_draft": detail.signed_at is None and detail.revoked_at is None,
        "is_revoked": detail.revoked_at is not None,
    }
    return render(request, "web/roi_detail.html", context, status=400 if refused else 200)


def _form_or(refused: Form | None, kind: type[Form], **blank: Any) -> Form:
    return refused if isinstance(refused, kind) else kind(**blank)


def _act_on_release(
    request: HttpRequest,
    actor: Actor,
    release_id: UUID,
    form: Form,
    act: Callable[[], object],
    done: str,
) -> HttpResponse:
    """Run `act` if `form` is valid: back to the release's page saying `done`, or the page again
    with the form and the refusal on it (nothing changed)."""
    if form.is_valid():
        try:
            act()
        except DomainError as error:
            _show_error(form, error)
        else:
            messages.success(request, done)
            return redirect("web:roi_detail", release_id=release_id)
    return _detail_page(request, actor, release_id, refused=form)


@require_safe
@staff_view
def roi_detail(request: HttpRequest, actor: Actor, release_id: UUID) -> HttpResponse:
    return _detail_page(request, actor, release_id)


@require_POST
@staff_view
def roi_sign(request: HttpRequest, actor: Actor, release_id: UUID) -> HttpResponse:
    form = SignForm(request.POST)
    return _act_on_release(
        request,
        actor,
        release_id,
        form,
        lambda: services.release_sign(
            actor=actor, release_id=release_id, signature=form.signature()
        ),
        "Signature recorded. Give the client their copy (PDF).",
    )


@require_POST
@staff_view
def roi_revoke(request: HttpRequest, actor: Actor, release_id: UUID) -> HttpResponse:
    return _act_on_release(
        request,
        actor,
        release_id,
        RevokeForm(request.POST),
        lambda: services.release_revoke(actor=actor, release_id=release_id),
        "Revoked. Nothing more may be disclosed under it.",
    )


@require_POST
@staff_view
def roi_expiry(request: HttpRequest, actor: Actor, release_id: UUID) -> HttpResponse:
    form = ExpiryEventForm(request.POST)
    return _act_on_release(
        request,
        actor,
        release_id,
        form,
        lambda: services.release_record_expiry_event(
            actor=actor, release_id=release_id, occurred_on=form.cleaned_data["occurred_on"]
        ),
        "Expiry event recorded: the release has ended.",
    )


@require_GET
@staff_view
def roi_pdf(request: HttpRequest, actor: Actor, release_id: UUID) -> HttpResponse:
    detail = selectors.release_get(actor=actor, release_id=release_id, export="pdf")
    return download(release_pdf(detail), "application/pdf", f"release-{detail.id}.pdf")


@require_GET
@staff_view
def roi_fhir(request: HttpRequest, actor: Actor, release_id: UUID) -> HttpResponse:
    detail = selectors.release_get(actor=actor, release_id=release_id, export="fhir")
    body = json.dumps(consent_resource(detail), indent=2).encode()
    return download(body, "application/fhir+json", f"consent-{detail.id}.json")
