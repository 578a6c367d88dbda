"""Builders for the access policy tests, on top of `confide.testing`'s two-agency world."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from confide.access import services as access
from confide.access.models import AccessGrant
from confide.accounts.models import Program, Team, User
from confide.consent.enums import RestrictionKind, RestrictionStatus
from confide.consent.models import Restriction
from confide.core import clock
from confide.core.actor import Actor
from confide.core.enums import Role
from confide.records import services as records
from confide.records.models import Case, Client, Note
from confide.testing import World, actor, make_client, make_user
from confide.training.models import ConflictDeclaration, TrainingCompletion

BODY = "Talked through the safety plan with Quenby at the shelter."
EMERGENCY_TEXT = "Client called the crisis line; her worker is away."


def act(user: User) -> Actor:
    """The actor as a fresh request would build it (re-read, so changes to the user count)."""
    return actor(User.objects.select_related("agency").get(id=user.id))


def note(
    world: World,
    author: User,
    client: Client,
    *,
    labels: Iterable[str] = (),
    kind: str = "progress",
    body: str = BODY,
    case: Case | None = None,
) -> Note:
    """A draft note written through the service (so the author must be allowed to write it)."""
    return records.note_create(
        actor=act(author),
        case_id=(case or world.case_of(client)).id,
        kind=kind,
        body=body,
        labels=list(labels),
    )


def set_user(user: User, **fields: object) -> User:
    for name, value in fields.items():
        setattr(user, name, value)
    user.save()
    return user


def supervise(supervisor: User, supervisee: User, *, trainee: bool = False) -> None:
    set_user(supervisee, supervisor=supervisor, is_trainee=trainee)


def lapse_training(user: User) -> None:
    """Lapsed: no completion that expires today or later."""
    yesterday = clock.today() - dt.timedelta(days=1)
    TrainingCompletion.objects.filter(user=user).update(expires_on=yesterday)


def label_client(client: Client, *labels: str) -> Client:
    Client.objects.filter(id=client.id).update(labels=list(labels))
    return Client.objects.get(id=client.id)


def wall(user: User, client: Client, declared_by: User | None = None) -> ConflictDeclaration:
    return ConflictDeclaration.objects.create(
        agency_id=client.agency_id,
        user=user,
        client=client,
        relationship="relative",
        declared_by=declared_by or user,
    )


def restriction(
    client: Client,
    requested_by: User,
    *,
    staff: User | None = None,
    program: Program | None = None,
    status: str = RestrictionStatus.AGREED,
) -> Restriction:
    return Restriction.objects.create(
        agency_id=client.agency_id,
        client=client,
        kind=RestrictionKind.NOT_STAFF if staff is not None else RestrictionKind.NOT_PROGRAM,
        staff=staff,
        program=program,
        status=status,
        requested_by=requested_by,
    )


def break_glass(user: User, client: Client, *, minutes: int | None = None) -> AccessGrant:
    return access.break_glass_open(
        actor=act(user),
        client_id=client.id,
        reason_category="imminent_harm",
        reason_text=EMERGENCY_TEXT,
        reauthenticated=True,
        minutes=minutes,
    )


def review_purpose(user: User, client: Client) -> AccessGrant:
    return access.review_purpose_open(
        actor=act(user),
        client_id=client.id,
        purpose="complaint",
        note="Client complained that a letter went to the wrong address.",
        reauthenticated=True,
    )


@dataclass
class Part2:
    """A Part 2 (SUD) program of agency A with its team, a staff member and a client."""

    program: Program
    team: Team
    staff: User
    client: Client

    @property
    def case(self) -> Case:
        case = self.client.cases.first()
        assert case is not None
        return case


def part2_unit(world: World) -> Part2:
    program = Program.objects.create(agency=world.agency_a, name="Recovery", is_part2=True)
    team = Team.objects.create(agency=world.agency_a, program=program, name="Recovery team")
    staff = make_user(world.agency_a, "recovery@a.test", Role.PRACTITIONER, [team])
    client = make_client(
        world.agency_a, team, name="Evander Lockhart", dob=dt.date(1979, 2, 14), number="A-5001"
    )
    return Part2(program=program, team=team, staff=staff, client=client)
