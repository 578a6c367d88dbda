"""Readers of staff records for administrators: roles, teams, designations and whether each
person's confidentiality training is current."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from uuid import UUID

from django.db.models import Max, QuerySet

from confide.accounts.models import Agency, Program, Team, User
from confide.core import clock
from confide.core.actor import Actor
from confide.core.enums import Role
from confide.core.errors import NotFound, NotPermitted
from confide.training.models import TrainingCompletion


@dataclass(frozen=True)
class StaffRow:
    id: UUID
    name: str
    email: str
    role: str
    role_label: str
    team_ids: list[UUID]
    teams: list[str]
    supervisor_id: UUID | None
    supervisor: str
    is_trainee: bool
    dv_designated: bool
    hiv_designated: bool
    training_expires: dt.date | None
    training_lapsed: bool


def _require_admin(actor: Actor) -> None:
    if actor.role != Role.ADMINISTRATOR:
        raise NotPermitted("This page is for administrators.")


def _rows(users: QuerySet[User]) -> list[StaffRow]:
    people = list(users.select_related("supervisor").prefetch_related("teams").order_by("email"))
    expiries = dict(
        TrainingCompletion.objects.filter(user__in=[u.id for u in people])
        .values("user_id")
        .annotate(until=Max("expires_on"))
        .values_list("user_id", "until")
    )
    today = clock.today()
    return [
        StaffRow(
            id=u.id,
            name=u.display_name,
            email=u.email,
            role=u.role,
            role_label=Role(u.role).label,
            team_ids=[t.id for t in u.teams.all()],
            teams=sorted(t.name for t in u.teams.all()),
            supervisor_id=u.supervisor_id,
            supervisor=u.supervisor.display_name if u.supervisor else "",
            is_trainee=u.is_trainee,
            dv_designated=u.dv_designated,
            hiv_designated=u.hiv_designated,
            training_expires=expiries.get(u.id),
            training_lapsed=expiries.get(u.id) is None or expiries[u.id] < today,
        )
        for u in people
    ]


def staff_list(*, actor: Actor) -> list[StaffRow]:
    """Every staff member of the agency. Administrators only. Raises NotPermitted."""
    _require_admin(actor)
    return _rows(User.objects.filter(agency_id=actor.agency_id, is_active=True))


def staff_get(*, actor: Actor, user_id: UUID | str) -> StaffRow:
    """One staff member of the agency. Administrators only. Raises NotPermitted, NotFound."""
    _require_admin(actor)
    rows = _rows(User.objects.filter(agency_id=actor.agency_id, id=user_id))
    if not rows:
        raise NotFound("staff member")
    return rows[0]


def agency_teams(actor: Actor) -> list[Team]:
    return list(Team.objects.filter(agency_id=actor.agency_id).order_by("name"))


def agency_programs(actor: Actor) -> list[Program]:
    return list(Program.objects.filter(agency_id=actor.agency_id).order_by("name"))


def agency_staff(actor: Actor, *, roles: frozenset[Role] | None = None) -> list[User]:
    users = User.objects.filter(agency_id=actor.agency_id, is_active=True)
    if roles is not None:
        users = users.filter(role__in=roles)
    return list(users.order_by("display_name"))


def agency_of(actor: Actor) -> Agency:
    return Agency.objects.get(id=actor.agency_id)
