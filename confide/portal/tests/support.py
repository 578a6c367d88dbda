"""Builders for portal tests: an invited and accepted client account, authenticator codes from
a clock the test moves, a signed-in portal browser, and a drawn signature (a real PNG)."""

from __future__ import annotations

import base64
import io
import time
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import Client as HttpClient
from django_otp.oath import TOTP
from PIL import Image

from confide.accounts.middleware import LAST_SEEN, STARTED
from confide.accounts.models import User
from confide.consent import services as consent
from confide.portal import services
from confide.portal.auth import ACCOUNT, EPOCH
from confide.portal.models import PortalAccount
from confide.records.models import Client
from confide.testing import actor

PORTAL_PASSWORD = "blue kettle under seven maples"


@dataclass
class Clock:
    """The time the portal's TOTP check sees; `step()` moves it on by one 30-second step so each
    code is fresh (a code is never accepted twice)."""

    now: float = field(default_factory=time.time)

    def step(self) -> None:
        self.now += services.TOTP_STEP


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    moving = Clock()
    monkeypatch.setattr(services, "wall_clock", lambda: moving.now)
    return moving


def code(secret: bytes, clock: Clock) -> str:
    totp = TOTP(secret, services.TOTP_STEP, 0, services.TOTP_DIGITS, 0)
    totp.time = clock.now
    return f"{totp.token():06d}"


@dataclass
class Member:
    """A client's accepted portal account, with its authenticator secret."""

    account: PortalAccount
    secret: bytes
    clock: Clock

    def next_code(self) -> str:
        self.clock.step()
        return code(self.secret, self.clock)


def enrol(staff: User, client: Client, clock: Clock, language: str = "en") -> Member:
    invitation = services.invitation_create(
        actor=actor(staff), client_id=client.id, language=language
    )
    invitation_id = services.invitation_check(code=invitation.code)
    assert invitation_id is not None
    enrolment = services.enrolment_begin(invitation_id=invitation_id)
    account = services.invitation_accept(
        invitation_id=invitation_id,
        password=PORTAL_PASSWORD,
        code=code(enrolment.secret, clock),
    )
    return Member(account, enrolment.secret, clock)


def portal_browser(account: PortalAccount) -> HttpClient:
    """A browser with a portal session for the account as it is now (as if it had signed in)."""
    account.refresh_from_db()
    http = HttpClient()
    session = http.session
    now = time.time()
    session[ACCOUNT] = str(account.id)
    session[EPOCH] = account.session_epoch
    session[STARTED] = now
    session[LAST_SEEN] = now
    session.save()
    return http


def drawn_signature(width: int = 123, height: int = 45) -> tuple[str, bytes]:
    """A PNG of a distinctive size as the drawing pad sends it (a data URL), and its bytes."""
    image = Image.new("RGB", (width, height), "white")
    for x in range(10, width - 10):
        image.putpixel((x, height // 2 + (x % 7) - 3), (0, 0, 0))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    data = buffer.getvalue()
    return "data:image/png;base64," + base64.b64encode(data).decode(), data


def publish_notice(privacy: User) -> Any:
    notices = consent.notice_publish(
        actor=actor(privacy), texts=consent.shipped_notice_texts(), material=True
    )
    return {n.language: n for n in notices}
