"""The client portal's pages (under /portal/): accepting an invitation, signing in and out, the
notice with its acknowledgement, and the client's releases of information with their PDF copies
and revocation. Thin: each page calls the portal's, consent's and releases' services and
selectors, always with the signed-in client (`ClientSelf`)."""

from __future__ import annotations

import base64
import time

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import (
    require_GET,
    require_http_methods,
    require_POST,
    require_safe,
)

from confide.consent import printable
from confide.consent import services as consent
from confide.consent.enums import Language
from confide.core.errors import Conflict, DomainError, ValidationFailed
from confide.portal import forms, selectors, services
from confide.portal.auth import (
    ACCOUNT,
    REAUTH_AT,
    current_principal,
    portal_view,
    render_portal_error,
    start_session,
)
from confide.portal.errors import InvitationInvalid, PortalSignInFailed
from confide.releases import pdf as release_pdf
from confide.releases import selectors as releases
from confide.releases import services as release_services
from confide.releases.access import ClientSelf
from confide.releases.enums import Status
from confide.releases.errors import ReleaseWrongState
from confide.web.auth import requested_next, safe_next, with_next
from confide.web.downloads import download
from confide.web.forms import CodeForm
from confide.web.qr import totp_qr_svg
from confide.web.views.common import add_domain_error, posted, status_of

PENDING = "confide_portal_pending"
PENDING_AT = "confide_portal_pending_at"
PENDING_SECONDS = 300
INVITATION = "confide_portal_invitation"
INVITATION_AT = "confide_portal_invitation_at"
INVITATION_SECONDS = 1800


def _page(
    request: HttpRequest, template: str, context: dict[str, object], status: int = 200
) -> HttpResponse:
    """A page of a signed-in client (the header then shows the portal's menu)."""
    return render(request, template, {**context, "signed_in": True}, status=status)


def _fresh(request: HttpRequest, key: str, at: str, seconds: int) -> str | None:
    value, started = request.session.get(key), request.session.get(at, 0.0)
    if not value or time.time() - float(started) > seconds:
        return None
    return str(value)


# ---- accepting an invitation -------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
def welcome(request: HttpRequest) -> HttpResponse:
    form = forms.InvitationForm(posted(request))
    if request.method == "POST" and form.is_valid():
        invitation_id = services.invitation_check(code=form.cleaned_data["code"])
        if invitation_id is not None:
            request.session.flush()
            request.session[INVITATION] = str(invitation_id)
            request.session[INVITATION_AT] = time.time()
            return redirect("portal:set_up")
        form.add_error("code", InvitationInvalid().message)
    return render(request, "portal/welcome.html", {"form": form}, status=status_of(form, request))


@require_http_methods(["GET", "HEAD", "POST"])
def set_up(request: HttpRequest) -> HttpResponse:
    invitation_id = _fresh(request, INVITATION, INVITATION_AT, INVITATION_SECONDS)
    if invitation_id is None:
        messages.info(request, "Please enter your invitation code again.")
        return redirect("portal:welcome")
    form = forms.SetUpForm(posted(request))
    try:
        if request.method == "POST" and form.is_valid():
            try:
                account = services.invitation_accept(
                    invitation_id=invitation_id,
                    password=form.cleaned_data["password"],
                    code=form.cleaned_data["code"],
                )
            except ValidationFailed as error:
                add_domain_error(form, error)
            else:
                start_session(request, account)
                messages.success(
                    request, f"Your account is ready. Your sign-in id is {account.sign_in_id}."
                )
                return redirect("portal:home")
        # The same secret on every visit of this invitation: a client who scanned it can retry.
        enrolment = services.enrolment_begin(invitation_id=invitation_id)
    except InvitationInvalid as error:
        request.session.flush()
        return render_portal_error(request, error)
    context = {
        "form": form,
        "sign_in_id": enrolment.sign_in_id,
        "qr_svg": totp_qr_svg(enrolment.config_url),
        "secret": base64.b32encode(enrolment.secret).decode().rstrip("="),
    }
    return render(request, "portal/set_up.html", context, status=status_of(form, request))


# ---- signing in and out ------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    if current_principal(request) is not None:
        return redirect(_next_page(request))
    form = forms.SignInForm(posted(request))
    if request.method == "POST" and form.is_valid():
        account = services.sign_in_check_password(
            sign_in_id=form.cleaned_data["sign_in_id"], password=form.cleaned_data["password"]
        )
        if account is not None:
            request.session.flush()  # any staff or earlier session in this browser ends here
            request.session[PENDING] = str(account.id)
            request.session[PENDING_AT] = time.time()
            return redirect(with_next(reverse("portal:sign_in_code"), _requested(request)))
        form.add_error(None, PortalSignInFailed().message)
    return render(request, "portal/sign_in.html", {"form": form}, status=status_of(form, request))


@require_http_methods(["GET", "HEAD", "POST"])
def sign_in_code(request: HttpRequest) -> HttpResponse:
    account_id = _fresh(request, PENDING, PENDING_AT, PENDING_SECONDS)
    if account_id is None:
        messages.info(request, "Please sign in again.")
        return redirect(with_next(reverse("portal:sign_in"), _requested(request)))
    form = CodeForm(posted(request))
    if request.method == "POST" and form.is_valid():
        account = services.sign_in_check_code(account_id=account_id, code=form.cleaned_data["code"])
        if account is not None:
            start_session(request, account)
            return redirect(_next_page(request))
        form.add_error(None, PortalSignInFailed().message)
    return render(
        request, "portal/sign_in_code.html", {"form": form}, status=status_of(form, request)
    )


def _requested(request: HttpRequest) -> str | None:
    """The portal page the sign-in was asked to return to (carried through both steps)."""
    return requested_next(request, portal=True)


def _next_page(request: HttpRequest) -> str:
    return safe_next(request, reverse("portal:home"), portal=True)


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    principal = current_principal(request)
    if principal is not None:
        services.sign_out_record(principal=principal)
    if principal is not None or request.session.get(ACCOUNT):
        request.session.flush()
    messages.info(request, "You are signed out.")
    return redirect("portal:sign_in")


# ---- the client's pages ------------------------------------------------------------------------


@require_safe
@portal_view
def home(request: HttpRequest, principal: ClientSelf) -> HttpResponse:
    page = selectors.portal_home(principal=principal)
    return _page(request, "portal/home.html", {"status": page.status})


@require_http_methods(["GET", "HEAD", "POST"])
@portal_view
def notice(request: HttpRequest, principal: ClientSelf) -> HttpResponse:
    """The notice in the client's language (`?lang=` to switch), and its acknowledgement in the
    language of the text shown (`wording`): the statement the client ticks, the form and the
    messages after it."""
    language = request.GET.get("lang", "")
    if language not in Language.values:
        language = selectors.account_language(principal)
    shown = selectors.notice_language(principal=principal, language=language)
    form = forms.AcknowledgementForm(posted(request), language=shown)
    if request.method == "POST" and form.is_valid():
        try:
            consent.acknowledgement_record_by_client(
                client_id=principal.client_id,
                agency_id=principal.agency_id,
                account_id=services.account_id_of(principal),
                notice_id=form.cleaned_data["notice_id"],
                typed_name=form.cleaned_data["typed_name"],
                signature=form.cleaned_data["signature"] or None,
            )
            # The message is in the notice's language; `_messages.html` marks it with that lang.
            messages.success(request, form.words.recorded, extra_tags=shown)
            return redirect(f"{reverse('portal:notice')}?lang={shown}")
        except Conflict:
            form.add_error(None, form.words.changed)
        except DomainError as error:
            add_domain_error(form, error)
    page = selectors.portal_notice(principal=principal, language=language)
    if page.notice is not None and request.method != "POST":
        form = forms.AcknowledgementForm(initial={"notice_id": page.notice.id}, language=shown)
    elif page.notice is not None:
        # A resubmission must acknowledge the notice now shown, not the one the page had.
        form.data = {**dict(form.data.items()), "notice_id": str(page.notice.id)}
    context = {"page": page, "form": form, "notice": page.notice, "words": form.words}
    return _page(request, "portal/notice.html", context, status=status_of(form, request))


@require_GET
@portal_view
def acknowledgement_pdf(
    request: HttpRequest, principal: ClientSelf, acknowledgement_id: str
) -> HttpResponse:
    copy = printable.client_acknowledgement_copy(
        client_id=principal.client_id,
        agency_id=principal.agency_id,
        account_id=services.account_id_of(principal),
        acknowledgement_id=acknowledgement_id,
    )
    return download(
        printable.acknowledgement_pdf(copy),
        "application/pdf",
        f"acknowledgement-{copy.notice_version}.pdf",
    )


@require_safe
@portal_view
def release_list(request: HttpRequest, principal: ClientSelf) -> HttpResponse:
    rows = releases.client_release_list(principal=principal)
    return _page(request, "portal/releases.html", {"releases": rows})


@require_safe
@portal_view
def release_detail(request: HttpRequest, principal: ClientSelf, release_id: str) -> HttpResponse:
    detail = releases.client_release_get(principal=principal, release_id=release_id)
    return _page(request, "portal/release.html", {"release": detail, "Status": Status})


@require_GET
@portal_view
def release_copy(request: HttpRequest, principal: ClientSelf, release_id: str) -> HttpResponse:
    detail = releases.client_release_get(principal=principal, release_id=release_id, export="pdf")
    return download(release_pdf.release_pdf(detail), "application/pdf", "release.pdf")


@require_http_methods(["GET", "HEAD", "POST"])
@portal_view
def release_revoke(request: HttpRequest, principal: ClientSelf, release_id: str) -> HttpResponse:
    """Revoking one of the client's releases: they confirm with password and a fresh code
    first; it takes effect at once. An already revoked release is a clear 409."""
    detail = releases.client_release_get(principal=principal, release_id=release_id)
    form = forms.RevokeForm(posted(request))
    status = 200
    if request.method == "POST" and form.is_valid():
        if not services.reauth_check(
            principal=principal,
            password=form.cleaned_data["password"],
            code=form.cleaned_data["code"],
        ):
            form.add_error(None, "The password or code is not right. Nothing was revoked.")
        else:
            request.session[REAUTH_AT] = time.time()
            try:
                release_services.release_revoke(actor=principal, release_id=detail.id)
            except ReleaseWrongState as error:
                form.add_error(None, f"{error.message} Nothing was changed.")
                status = error.status
            else:
                messages.success(request, "The release is revoked. It cannot be used from now on.")
                return redirect("portal:release_detail", release_id=detail.id)
    context = {"release": detail, "form": form, "Status": Status}
    return _page(
        request,
        "portal/revoke.html",
        context,
        status=status if status != 200 else status_of(form, request),
    )
