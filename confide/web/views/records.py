"""Client search, the client record, the note editor and attachments."""

from __future__ import annotations

from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import (
    require_GET,
    require_http_methods,
    require_POST,
    require_safe,
)

from confide.access import selectors as access_selectors
from confide.access.lookups import get_authorized
from confide.access.policy import Action
from confide.accounts import selectors as staff_selectors
from confide.consent import selectors as consent_selectors
from confide.core import clock
from confide.core.actor import Actor
from confide.core.errors import DomainError, NotFound, NotPermitted
from confide.records import selectors, services
from confide.records.errors import DraftConflict
from confide.records.models import Case
from confide.web import forms
from confide.web.auth import staff_view
from confide.web.downloads import download
from confide.web.views.common import (
    add_domain_error,
    form_problem,
    posted,
    require_role,
    status_of,
)

SEARCH_FORMS = {
    "name": forms.SearchForm,
    "phone": forms.PhoneSearchForm,
    "identifier": forms.IdentifierSearchForm,
}


@require_http_methods(["GET", "HEAD", "POST"])
@staff_view
def client_search(request: HttpRequest, actor: Actor) -> HttpResponse:
    """Exact look-ups by name + date of birth, phone's last four digits, or an identifier.

    POST, so what is searched for never appears in a URL, history or server log. The posted
    `by` field (default: name) says which of the three forms was sent; only that one is bound.
    """
    by = request.POST.get("by", "name") if request.method == "POST" else ""
    bound = {
        # The name form keeps unprefixed field names (legal_name, date_of_birth).
        name: form_class(
            request.POST if by == name else None, prefix=None if name == "name" else name
        )
        for name, form_class in SEARCH_FORMS.items()
    }
    results = None
    form = bound.get(by)
    if form is not None and form.is_valid():
        data = form.cleaned_data
        if by == "name":
            results = selectors.client_search(
                actor=actor, legal_name=data["legal_name"], date_of_birth=data["date_of_birth"]
            )
        elif by == "phone":
            results = selectors.client_search_phone(actor=actor, last_four=data["last_four"])
        else:
            results = selectors.client_search_identifier(
                actor=actor, kind=data["kind"], value=data["value"]
            )
    context = {"forms": bound, "by": by or "name", "results": results}
    return render(request, "web/search.html", context)


@require_safe
@staff_view
def client_detail(request: HttpRequest, actor: Actor, client_id: UUID) -> HttpResponse:
    view = selectors.client_get(actor=actor, client_id=client_id)
    grant = None
    if view.grant_kind:
        grant = access_selectors.own_live_grant(
            actor=actor, client_id=view.id, kind=view.grant_kind
        )
    restrictions = (
        []
        if view.demographics_only
        else consent_selectors.client_restrictions(actor=actor, client_id=view.id)
    )
    context = {"client": view, "actor": actor, "grant": grant, "restrictions": restrictions}
    return render(request, "web/client.html", context)


# --- registration ------------------------------------------------------------------------

REGISTERED_ELSEWHERE = (
    "Client registered: case {number} is open on the team you chose. It is not on your "
    "caseload, so its record does not open for you."
)


@require_http_methods(["GET", "POST"])
@staff_view
def client_register(request: HttpRequest, actor: Actor) -> HttpResponse:
    """Register a client and open their first case. Whoever may then open the record goes to
    it; anyone else (a practitioner registering for another team) gets a confirmation naming
    only the case number. Registration does not look for duplicates (and so reveals nobody):
    the page asks staff to search first."""
    require_role(
        actor,
        services.REGISTERING_ROLES,
        "Intake staff, practitioners and supervisors register clients.",
    )
    teams = [(str(team.id), team.name) for team in staff_selectors.agency_teams(actor)]
    form = forms.RegisterClientForm(
        posted(request), teams=teams, initial={"opened_on": clock.today()}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            client, case = services.client_register(
                actor=actor,
                data=services.ClientInput(
                    legal_name=data["legal_name"],
                    preferred_name=data["preferred_name"],
                    date_of_birth=data["date_of_birth"],
                    phone=data["phone"],
                    email=data["email"],
                    address=data["address"],
                ),
                team_id=data["team"],
                opened_on=data["opened_on"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            if selectors.client_opens(actor=actor, client=client):
                messages.success(request, f"Client registered; case {case.case_number} opened.")
                return redirect("web:client_detail", client_id=client.id)
            messages.success(request, REGISTERED_ELSEWHERE.format(number=case.case_number))
            return redirect("web:client_register")
    return render(
        request, "web/client_register.html", {"form": form}, status=status_of(form, request)
    )


# --- notes -------------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
@staff_view
def note_new(request: HttpRequest, actor: Actor, case_id: UUID) -> HttpResponse:
    # Deny by default even for the empty form: a case out of reach is simply not found.
    get_authorized(actor, Case, case_id, Action.NOTE_CREATE)
    form = forms.NoteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            note = services.note_create(actor=actor, case_id=case_id, **form.cleaned_data)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            return redirect("web:note_detail", note_id=note.id)
    return render(
        request,
        "web/note_new.html",
        {"form": form, "case_id": case_id},
        status=status_of(form, request),
    )


@require_safe
@staff_view
def note_detail(request: HttpRequest, actor: Actor, note_id: UUID) -> HttpResponse:
    try:
        note = selectors.note_get(actor=actor, note_id=note_id)
    except NotFound:
        reason = access_selectors.note_withheld_reason(actor=actor, note_id=note_id)
        if reason is None:
            raise
        raise NotPermitted(reason) from None
    context = {
        "note": note,
        "actor": actor,
        "draft_form": forms.DraftForm(initial={"body": note.body, "version": note.version}),
        "addendum_form": forms.AddendumForm(),
        "attachment_form": forms.AttachmentForm(),
    }
    return render(request, "web/note.html", context)


@require_POST
@staff_view
def note_save(request: HttpRequest, actor: Actor, note_id: UUID) -> HttpResponse:
    """Explicit save and htmx autosave. On a conflict nothing is overwritten and the user's
    text stays in their editor (htmx) or is shown back to them (plain form)."""
    form = forms.DraftForm(request.POST)
    autosave = request.headers.get("HX-Request") == "true"
    if not form.is_valid():
        return _save_status(request, "error", form_problem(form), None)
    try:
        note = services.note_update_draft(
            actor=actor,
            note_id=note_id,
            body=form.cleaned_data["body"],
            expected_version=form.cleaned_data["version"],
        )
    except DraftConflict as error:
        if autosave:
            return _save_status(request, "conflict", error.message, None)
        return render(
            request,
            "web/note_conflict.html",
            {"message": error.message, "mine": form.cleaned_data["body"], "note_id": note_id},
            status=409,
        )
    if autosave:
        return _save_status(request, "saved", "Draft saved.", note.version)
    messages.success(request, "Draft saved.")
    return redirect("web:note_detail", note_id=note.id)


def _save_status(
    request: HttpRequest, state: str, message: str, version: int | None
) -> HttpResponse:
    # Always 200: htmx swaps only successful responses, and the state is in the fragment.
    return render(
        request, "web/_save_status.html", {"state": state, "message": message, "version": version}
    )


@require_POST
@staff_view
def note_sign(request: HttpRequest, actor: Actor, note_id: UUID) -> HttpResponse:
    form = forms.SignForm(request.POST)
    if not form.is_valid():
        messages.error(request, "The form was incomplete; nothing was signed.")
        return redirect("web:note_detail", note_id=note_id)
    try:
        services.note_sign(
            actor=actor, note_id=note_id, expected_version=form.cleaned_data["version"]
        )
    except DraftConflict:
        messages.error(
            request,
            "The draft changed since you opened it (perhaps your last edits "
            "were still saving). Review it, then sign again.",
        )
    except DomainError as error:
        if error.status in (403, 404):
            raise  # the uniform 404, or a clear refusal
        messages.error(request, error.message)
    else:
        messages.success(request, "Note signed. It can now be corrected only by an addendum.")
    return redirect("web:note_detail", note_id=note_id)


@require_POST
@staff_view
def note_addendum(request: HttpRequest, actor: Actor, note_id: UUID) -> HttpResponse:
    form = forms.AddendumForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_problem(form))
        return redirect("web:note_detail", note_id=note_id)
    addendum = services.note_add_addendum(
        actor=actor, note_id=note_id, body=form.cleaned_data["body"]
    )
    messages.success(request, "Addendum started as a draft. Sign it when it is complete.")
    return redirect("web:note_detail", note_id=addendum.id)


# --- attachments ---------------------------------------------------------------------------


@require_POST
@staff_view
def attachment_upload(request: HttpRequest, actor: Actor, note_id: UUID) -> HttpResponse:
    form = forms.AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, form_problem(form))
        return redirect("web:note_detail", note_id=note_id)
    upload = form.cleaned_data["file"]
    if upload.size > request_limit():
        messages.error(request, "file: is too large.")
        return redirect("web:note_detail", note_id=note_id)
    try:
        services.attachment_create(
            actor=actor,
            note_id=note_id,
            filename=upload.name or "file",
            content_type=upload.content_type or "",
            data=upload.read(),
        )
    except DomainError as error:
        if error.status in (403, 404):
            raise  # the uniform 404, or a clear refusal
        messages.error(request, error.message)
    else:
        messages.success(request, "File attached.")
    return redirect("web:note_detail", note_id=note_id)


def request_limit() -> int:
    return int(settings.CONFIDE_ATTACHMENT_MAX_BYTES)


@require_GET
@staff_view
def attachment_download(request: HttpRequest, actor: Actor, attachment_id: UUID) -> HttpResponse:
    view, data = selectors.attachment_download(actor=actor, attachment_id=attachment_id)
    # The file name is confidential: it goes only in the body's header, never in the URL.
    return download(data, view.content_type, view.filename)


# --- API tokens --------------------------------------------------------------------------
