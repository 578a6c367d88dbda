"""Test personas and builders shared by every test module (two agencies, every role)."""

from __future__ import annotations

import base64
import datetime as dt
import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from unittest import mock
from zoneinfo import ZoneInfo

from django.db import transaction
from django.test import Client as HttpClient
from django.test import override_settings
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from PIL import Image, PngImagePlugin

from confide.accounts import services as accounts
from confide.accounts.actors import actor_for
from confide.accounts.models import Agency, Program, Team, User
from confide.core import clock
from confide.core.actor import Actor
from confide.core.enums import Role
from confide.records import services as records
from confide.records.models import Case, Client, Note
from confide.training.models import TrainingCompletion

PASSWORD = "correct horse battery staple 42"


def signature_png(width: int = 480, height: int = 160, *, marker: str | None = None) -> bytes:
    """A PNG such as the drawing pad sends: a wavy line on white; `marker` is kept as a text
    chunk, so a test can look for the signature's bytes in a database dump."""
    image = Image.new("RGB", (width, height), "white")
    for x in range(10, width - 10):
        image.putpixel((x, height // 2 + (x % 9) - 4), (0, 0, 0))
    info = PngImagePlugin.PngInfo()
    if marker is not None:
        info.add_text("marker", marker)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", pnginfo=info)
    return buffer.getvalue()


def signature_data_url(data: bytes | None = None) -> str:
    """`data` (by default `signature_png()`) as the pad's data URL."""
    return "data:image/png;base64," + base64.b64encode(data or signature_png()).decode()


def make_user(
    agency: Agency, email: str, role: Role, teams: list[Team] | None = None, *, trained: bool = True
) -> User:
    user = accounts.staff_create(
        agency=agency,
        email=email,
        display_name=email.split("@")[0],
        role=role,
        password=PASSWORD,
        teams=teams or [],
    )
    TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    if trained:
        today = clock.today()
        TrainingCompletion.objects.create(
            agency=agency,
            user=user,
            completed_on=today - dt.timedelta(days=30),
            expires_on=today + dt.timedelta(days=335),
            recorded_by=user,
        )
    return user


def actor(user: User, channel: str = "web") -> Actor:
    return actor_for(user, channel=channel, mfa_verified=True)


@contextmanager
def late_evening(day: dt.date) -> Iterator[dt.datetime]:
    """The clock stopped at 21:30 on `day` in New York, made the agency's time zone: already the
    next day in UTC, so a date cut from the instant (`.date()` on the aware UTC time the clock
    gives, as `timezone.now()` does) comes out a day late. Yields the instant, in UTC."""
    zone = "America/New_York"
    local = dt.datetime.combine(day, dt.time(21, 30), tzinfo=ZoneInfo(zone))
    moment = local.astimezone(dt.UTC)
    assert moment.date() == day + dt.timedelta(days=1)
    with override_settings(TIME_ZONE=zone), mock.patch.object(clock, "now", return_value=moment):
        yield moment


def make_client(agency: Agency, team: Team, *, name: str, dob: dt.date, number: str) -> Client:
    with transaction.atomic():
        client = records.client_create(
            actor=None,
            agency=agency,
            data=records.ClientInput(
                legal_name=name,
                preferred_name=name.split()[0],
                date_of_birth=dob,
                phone="555-0100 " + number,
                email=f"{number}@example.org",
                address=f"{number} Elm Street, Springfield",
                identifiers={"medicaid": "MC" + number},
            ),
        )
        records.case_create(
            actor=None, client=client, team=team, case_number=number, opened_on=dt.date(2025, 1, 1)
        )
    return client


def signed_in(http: HttpClient, user: User) -> HttpClient:
    """Sign a test browser in as if password and TOTP code had been given."""
    http.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    assert device is not None
    session = http.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return http


@dataclass
class World:
    agency_a: Agency
    agency_b: Agency
    team_a1: Team
    team_a2: Team
    team_b1: Team
    worker_a: User
    worker_a2: User
    other_worker_a: User
    supervisor_a: User
    privacy_a: User
    admin_a: User
    intake_a: User
    worker_b: User
    client_a: Client
    client_a_other: Client
    client_b: Client

    def case_of(self, client: Client) -> Case:
        case = client.cases.first()
        assert case is not None
        return case

    def note(
        self,
        author: User,
        client: Client,
        body: str = "Met at home; plan reviewed.",
        kind: str = "progress",
    ) -> Note:
        return records.note_create(
            actor=actor(author), case_id=self.case_of(client).id, kind=kind, body=body, labels=[]
        )


def build_world() -> World:
    agency_a = Agency.objects.create(name="Agency A", slug="agency-a")
    agency_b = Agency.objects.create(name="Agency B", slug="agency-b")
    prog_a = Program.objects.create(agency=agency_a, name="Family services")
    prog_b = Program.objects.create(agency=agency_b, name="Outreach")
    team_a1 = Team.objects.create(agency=agency_a, program=prog_a, name="North team")
    team_a2 = Team.objects.create(agency=agency_a, program=prog_a, name="South team")
    team_b1 = Team.objects.create(agency=agency_b, program=prog_b, name="B team")
    return World(
        agency_a=agency_a,
        agency_b=agency_b,
        team_a1=team_a1,
        team_a2=team_a2,
        team_b1=team_b1,
        worker_a=make_user(agency_a, "worker_a@a.test", Role.PRACTITIONER, [team_a1]),
        worker_a2=make_user(agency_a, "worker_a2@a.test", Role.PRACTITIONER, [team_a1]),
        other_worker_a=make_user(agency_a, "other_a@a.test", Role.PRACTITIONER, [team_a2]),
        supervisor_a=make_user(agency_a, "supervisor_a@a.test", Role.SUPERVISOR, [team_a1]),
        privacy_a=make_user(agency_a, "privacy_a@a.test", Role.PRIVACY_OFFICER),
        admin_a=make_user(agency_a, "admin_a@a.test", Role.ADMINISTRATOR),
        intake_a=make_user(agency_a, "intake_a@a.test", Role.INTAKE),
        worker_b=make_user(agency_b, "worker_b@b.test", Role.PRACTITIONER, [team_b1]),
        client_a=make_client(
            agency_a, team_a1, name="Rosalind Quenby", dob=dt.date(1984, 3, 9), number="A-1001"
        ),
        client_a_other=make_client(
            agency_a, team_a2, name="Tobias Wexford", dob=dt.date(1990, 7, 21), number="A-1002"
        ),
        client_b=make_client(
            agency_b, team_b1, name="Marisol Ketterly", dob=dt.date(1975, 11, 2), number="B-2001"
        ),
    )
