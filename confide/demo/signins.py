"""Printing the demo sign-ins, and the current TOTP code of a demo account."""

from __future__ import annotations

import time
from collections.abc import Callable

from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from confide.accounts.models import Agency, User
from confide.demo.loader import DEMO_PASSWORD, DEMO_SLUGS, portal_signins, signins
from confide.portal import demo as portal_demo


class NotADemoAccount(LookupError):
    """No demo account with that email (missing and non-demo accounts look the same)."""


def signin_lines() -> list[str]:
    rows = signins()
    width = max([len("EMAIL"), *(len(r.email) for r in rows)])
    lines = [
        "Demo sign-ins (synthetic people and records only; never put real data in the demo).",
        f"Password for every demo account: {DEMO_PASSWORD}",
        "",
        f"  {'EMAIL':<{width}}  {'ROLE':<16} {'AGENCY':<12} TOTP SECRET (base32)",
    ]
    lines += [f"  {r.email:<{width}}  {r.role:<16} {r.agency:<12} {r.totp_base32}" for r in rows]
    example = rows[0].email if rows else "practitioner1@riverbend.example"
    portal = portal_signins()
    if portal:
        lines += [
            "",
            "Client portal at /portal/ (the same password; one client's view of their own record):",
            f"  {'SIGN-IN ID':<{width}}  TOTP SECRET (base32)",
        ]
        lines += [f"  {p.sign_in_id:<{width}}  {p.totp_base32}" for p in portal]
    lines += [
        "",
        "Add a secret to an authenticator app, or print the current 6-digit code with:",
        f"  .venv/bin/python manage.py demo_code {example}",
        *([f"  .venv/bin/python manage.py demo_code {portal[0].sign_in_id}"] if portal else []),
        "The demo cannot be unloaded (the ledger is append-only). To start over, stop the server,",
        "delete var/confide.sqlite3 (or point CONFIDE_DATABASE_URL at an empty database) and run",
        "`make demo` again.",
    ]
    return lines


def demo_device(email: str) -> TOTPDevice:
    """The confirmed TOTP device of a demo account. Raises NotADemoAccount."""
    user = User.objects.select_related("agency").filter(email=email.strip().lower()).first()
    if user is None or user.agency.slug not in DEMO_SLUGS:
        raise NotADemoAccount(email)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        raise NotADemoAccount(email)
    return device


def current_code(device: TOTPDevice, clock: Callable[[], float] = time.time) -> tuple[str, int]:
    """The device's current code and the seconds it stays current."""
    now = clock()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = now
    remaining = device.step - int(now - device.t0) % device.step
    return f"{totp.token():0{device.digits}d}", remaining


def demo_portal_code(sign_in_id: str) -> tuple[str, int]:
    """The current code of a demo client's portal account. Raises NotADemoAccount."""
    agencies = Agency.objects.filter(slug__in=DEMO_SLUGS).values_list("id", flat=True)
    found = portal_demo.demo_code(sign_in_id, agencies)
    if found is None:
        raise NotADemoAccount(sign_in_id)
    return found
