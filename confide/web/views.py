"""Page views. Thin: they read forms, call services and selectors, and render templates."""

from __future__ import annotations

import time
from uuid import UUID

from django.contrib import messages
from django.contrib.auth import login, logout
from django.forms import Form as BaseForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp import login as otp_login

from confide.accounts import services as accounts
from confide.accounts.actors import actor_for
from confide.accounts.errors import SignInFailed
from confide.accounts.middleware import LAST_SEEN, STARTED
from confide.accounts.models import ApiToken, User
from confide.core.actor import Actor
from confide.core.errors import DomainError
from confide.records import selectors, services
from confide.records.errors import DraftConflict
from confide.web import forms
from confide.web.auth import (
    REAUTH_AT,
    current_user,
    reauth_redirect,
    recently_authenticated,
    render_error,
    safe_next,
    staff_view,
)
from confide.web.qr import totp_qr_svg

PENDING_USER = "confide_pending_user"
PENDING_AT = "confide_pending_at"
PENDING_SECONDS = 300


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return render(request, "web/csrf_failure.html", status=403)


# --- sign-in -----------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    if current_user(request) is not None:
        return redirect("web:dashboard")
    form = forms.SignInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        check = accounts.sign_in_check_password(
            email=form.cleaned_data["email"], password=form.cleaned_data["password"]
        )
        if check.user is not None:
            request.session.cycle_key()
            request.session[PENDING_USER] = str(check.user.id)
            request.session[PENDING_AT] = time.time()
            if accounts.confirmed_device(check.user) is None:
                return redirect("web:enrol")
            return redirect("web:sign_in_code")
        form.add_error(None, SignInFailed().message)
    return render(request, "web/sign_in.html", {"form": form}, status=_status(form, request))


def _status(form: BaseForm, request: HttpRequest) -> int:
    return 400 if request.method == "POST" and form.errors else 200


def _pending_user(request: HttpRequest) -> User | None:
    user_id, started = request.session.get(PENDING_USER), request.session.get(PENDING_AT, 0.0)
    if not user_id or time.time() - float(started) > PENDING_SECONDS:
        return None
    return User.objects.filter(id=user_id, is_active=True).first()


def _finish_sign_in(request: HttpRequest, user: User, device: object) -> HttpResponse:
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    otp_login(request, device)
    now = time.time()
    request.session[STARTED] = now
    request.session[LAST_SEEN] = now
    return redirect("web:dashboard")


@require_http_methods(["GET", "POST"])
def sign_in_code(request: HttpRequest) -> HttpResponse:
    user = _pending_user(request)
    if user is None:
        messages.info(request, "Please sign in again.")
        return redirect("web:sign_in")
    form = forms.CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = accounts.sign_in_check_code(user_id=user.id, code=form.cleaned_data["code"])
        if device is not None:
            return _finish_sign_in(request, user, device)
        form.add_error(None, SignInFailed().message)
    return render(request, "web/sign_in_code.html", {"form": form}, status=_status(form, request))


@require_http_methods(["GET", "POST"])
def enrol(request: HttpRequest) -> HttpResponse:
    user = _pending_user(request)
    if user is None or accounts.confirmed_device(user) is not None:
        return redirect("web:sign_in")
    form = forms.CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = accounts.mfa_confirm_enrolment(user=user, code=form.cleaned_data["code"])
        if device is not None:
            return _finish_sign_in(request, user, device)
        form.add_error("code", "That code did not match. Check the time on your phone and retry.")
    device = accounts.mfa_begin_enrolment(user=user) if request.method == "GET" else None
    if device is None:
        from django_otp.plugins.otp_totp.models import TOTPDevice

        device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
        if device is None:
            return redirect("web:sign_in")
    context = {
        "form": form,
        "qr_svg": totp_qr_svg(device.config_url),
        "secret": _base32(device.bin_key),
    }
    return render(request, "web/enrol.html", context, status=_status(form, request))


def _base32(key: bytes) -> str:
    import base64

    return base64.b32encode(key).decode().rstrip("=")


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    if user is not None:
        accounts.sign_out_record(actor=actor_for(user, channel="web", mfa_verified=True))
    logout(request)
    messages.info(request, "You are signed out.")
    return redirect("web:sign_in")


@require_http_methods(["GET", "POST"])
@staff_view
def reauth(request: HttpRequest, actor: Actor) -> HttpResponse:
    form = forms.ReauthForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if accounts.reauth_check(
            actor=actor, password=form.cleaned_data["password"], code=form.cleaned_data["code"]
        ):
            request.session[REAUTH_AT] = time.time()
            return redirect(safe_next(request, "/"))
        form.add_error(None, "The password or code is not right.")
    return render(
        request,
        "web/reauth.html",
        {"form": form, "next": safe_next(request, "/")},
        status=_status(form, request),
    )


# --- caseload and clients ----------------------------------------------------------------


@require_GET
@staff_view
def dashboard(request: HttpRequest, actor: Actor) -> HttpResponse:
    page = _page_number(request)
    rows, total = selectors.caseload_list(actor=actor, page=page)
    pages = max(1, -(-total // selectors.CASELOAD_PAGE))
    return render(
        request, "web/dashboard.html", {"rows": rows, "total": total, "page": page, "pages": pages}
    )


def _page_number(request: HttpRequest) -> int:
    raw = request.GET.get("page", "1")
    return int(raw) if raw.isdigit() and 0 < int(raw) < 100_000 else 1


@require_http_methods(["GET", "POST"])
@staff_view
def client_search(request: HttpRequest, actor: Actor) -> HttpResponse:
    # POST, so a name and date of birth never appear in a URL, history or server log.
    form = forms.SearchForm(request.POST or None)
    results = None
    if form.is_bound and form.is_valid():
        results = selectors.client_search(
            actor=actor,
            legal_name=form.cleaned_data["legal_name"],
            date_of_birth=form.cleaned_data["date_of_birth"],
        )
    return render(request, "web/search.html", {"form": form, "results": results})


@require_GET
@staff_view
def client_detail(request: HttpRequest, actor: Actor, client_id: UUID) -> HttpResponse:
    view = selectors.client_get(actor=actor, client_id=client_id)
    return render(request, "web/client.html", {"client": view, "actor": actor})


# --- notes -------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@staff_view
def note_new(request: HttpRequest, actor: Actor, case_id: UUID) -> HttpResponse:
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
        status=_status(form, request),
    )


@require_GET
@staff_view
def note_detail(request: HttpRequest, actor: Actor, note_id: UUID) -> HttpResponse:
    note = selectors.note_get(actor=actor, note_id=note_id)
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
        return _save_status(request, "error", _form_problem(form), None)
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


def _form_problem(form: BaseForm) -> str:
    return "; ".join(
        f"{name}: {' '.join(str(e) for e in errs)}" for name, errs in form.errors.items()
    )


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
        if error.status == 404:
            raise
        messages.error(request, error.message)
    else:
        messages.success(request, "Note signed. It can now be corrected only by an addendum.")
    return redirect("web:note_detail", note_id=note_id)


@require_POST
@staff_view
def note_addendum(request: HttpRequest, actor: Actor, note_id: UUID) -> HttpResponse:
    form = forms.AddendumForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_problem(form))
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
        messages.error(request, _form_problem(form))
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
        if error.status == 404:
            raise
        messages.error(request, error.message)
    else:
        messages.success(request, "File attached.")
    return redirect("web:note_detail", note_id=note_id)


def request_limit() -> int:
    from django.conf import settings

    return int(settings.CONFIDE_ATTACHMENT_MAX_BYTES)


@require_GET
@staff_view
def attachment_download(request: HttpRequest, actor: Actor, attachment_id: UUID) -> HttpResponse:
    view, data = selectors.attachment_download(actor=actor, attachment_id=attachment_id)
    response = HttpResponse(data, content_type=view.content_type)
    # The file name is confidential: it goes only in the body's header, never in the URL.
    safe = "".join(ch for ch in view.filename if ch.isalnum() or ch in "._- ")[:100] or "file"
    response["Content-Disposition"] = f'attachment; filename="{safe}"'
    return response


# --- API tokens --------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@staff_view
def tokens(request: HttpRequest, actor: Actor) -> HttpResponse:
    form = forms.TokenForm(request.POST or None)
    secret = None
    if request.method == "POST":
        if not recently_authenticated(request):
            return reauth_redirect(request)
        if form.is_valid():
            try:
                _, secret = accounts.token_create(actor=actor, **form.cleaned_data)
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                form = forms.TokenForm()
    mine = ApiToken.objects.filter(user_id=actor.user_id).order_by("-created_at")
    return render(request, "web/tokens.html", {"form": form, "tokens": mine, "secret": secret})


@require_POST
@staff_view
def token_revoke(request: HttpRequest, actor: Actor, token_id: UUID) -> HttpResponse:
    accounts.token_revoke(actor=actor, token_id=token_id)
    messages.success(request, "Token revoked.")
    return redirect("web:tokens")


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    from confide.core.errors import NotFound

    return render_error(request, NotFound("page"))
