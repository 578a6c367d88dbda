"""Sign-in with password and TOTP code, MFA enrolment, sign-out and re-authentication.

A sign-in returns to the page asked for: the allowed `next` (`auth.local_path`) travels in the
query string of each step (password, code or enrolment; each step checks it again), else the
start page."""

from __future__ import annotations

import base64
import time

from django.contrib import messages
from django.contrib.auth import login, logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from confide.accounts import backends
from confide.accounts import services as accounts
from confide.accounts.actors import actor_for
from confide.accounts.errors import SignInFailed
from confide.accounts.middleware import LAST_SEEN, STARTED
from confide.accounts.models import User
from confide.core.actor import Actor
from confide.web import forms
from confide.web.auth import (
    REAUTH_AT,
    current_user,
    requested_next,
    safe_next,
    staff_view,
    with_next,
)
from confide.web.qr import totp_qr_svg
from confide.web.views.common import status_of

PENDING_USER = "confide_pending_user"
PENDING_AT = "confide_pending_at"
PENDING_SECONDS = 300

# --- sign-in -----------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    if current_user(request) is not None:
        return redirect(safe_next(request, reverse("web:dashboard")))
    form = forms.SignInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        check = accounts.sign_in_check_password(
            email=form.cleaned_data["email"], password=form.cleaned_data["password"]
        )
        if check.user is not None:
            request.session.cycle_key()
            request.session[PENDING_USER] = str(check.user.id)
            request.session[PENDING_AT] = time.time()
            step = (
                "web:enrol" if accounts.confirmed_device(check.user) is None else "web:sign_in_code"
            )
            return redirect(with_next(reverse(step), requested_next(request)))
        form.add_error(None, SignInFailed().message)
    return render(request, "web/sign_in.html", {"form": form}, status=status_of(form, request))


def _pending_user(request: HttpRequest) -> User | None:
    user_id, started = request.session.get(PENDING_USER), request.session.get(PENDING_AT, 0.0)
    if not user_id or time.time() - float(started) > PENDING_SECONDS:
        return None
    return User.objects.filter(id=user_id, is_active=True).first()


def _finish_sign_in(request: HttpRequest, user: User, device: object) -> HttpResponse:
    login(request, user, backend=backends.PATH)
    otp_login(request, device)
    now = time.time()
    request.session[STARTED] = now
    request.session[LAST_SEEN] = now
    return redirect(safe_next(request, reverse("web:dashboard")))


@require_http_methods(["GET", "HEAD", "POST"])
def sign_in_code(request: HttpRequest) -> HttpResponse:
    user = _pending_user(request)
    if user is None:
        messages.info(request, "Please sign in again.")
        return _back_to_sign_in(request)
    form = forms.CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = accounts.sign_in_check_code(user_id=user.id, code=form.cleaned_data["code"])
        if device is not None:
            return _finish_sign_in(request, user, device)
        form.add_error(None, SignInFailed().message)
    return render(request, "web/sign_in_code.html", {"form": form}, status=status_of(form, request))


@require_http_methods(["GET", "HEAD", "POST"])
def enrol(request: HttpRequest) -> HttpResponse:
    user = _pending_user(request)
    if user is None or accounts.confirmed_device(user) is not None:
        return _back_to_sign_in(request)
    form = forms.CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = accounts.mfa_confirm_enrolment(user=user, code=form.cleaned_data["code"])
        if device is not None:
            return _finish_sign_in(request, user, device)
        form.add_error("code", "That code did not match. Check the time on your phone and retry.")
    device = accounts.mfa_begin_enrolment(user=user) if request.method == "GET" else None
    if device is None:
        device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
        if device is None:
            return _back_to_sign_in(request)
    context = {
        "form": form,
        "qr_svg": totp_qr_svg(device.config_url),
        "secret": _base32(device.bin_key),
    }
    return render(request, "web/enrol.html", context, status=status_of(form, request))


def _back_to_sign_in(request: HttpRequest) -> HttpResponse:
    return redirect(with_next(reverse("web:sign_in"), requested_next(request)))


def _base32(key: bytes) -> str:
    return base64.b32encode(key).decode().rstrip("=")


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    if user is not None:
        accounts.sign_out_record(actor=actor_for(user, channel="web", mfa_verified=True))
    logout(request)
    messages.info(request, "You are signed out.")
    return redirect("web:sign_in")


@require_http_methods(["GET", "HEAD", "POST"])
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
        status=status_of(form, request),
    )


# --- caseload and clients ----------------------------------------------------------------
