"""Property: over small random worlds, the list prefilter and `authorize` agree.

Every client a list shows is allowed by `authorize`; every client `authorize` allows is in the
prefilter (no omission); and both match the foundation rule written out independently here.
Each example runs in its own savepoint and rolls back, so examples do not see each other.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from confide.access.policy import Action, authorize, client_prefilter
from confide.accounts.actors import actor_for
from confide.accounts.models import Agency, Program, Team, User
from confide.core.enums import Role
from confide.core.errors import NotFound
from confide.records import selectors, services
from confide.records.models import Client

MAX_AGENCIES, MAX_TEAMS, MAX_USERS, MAX_CLIENTS = 2, 3, 4, 4


@dataclass(frozen=True)
class UserSpec:
    agency: int
    role: Role
    teams: frozenset[tuple[int, int]]  # (agency, team); may name another agency's team


@dataclass(frozen=True)
class ClientSpec:
    agency: int
    case_teams: tuple[int, ...]  # one case per entry, with that team of the client's agency


@dataclass(frozen=True)
class WorldSpec:
    teams_per_agency: tuple[int, ...]
    users: tuple[UserSpec, ...]
    clients: tuple[ClientSpec, ...]


@st.composite
def world_specs(draw: st.DrawFn) -> WorldSpec:
    teams = tuple(draw(st.lists(st.integers(1, MAX_TEAMS), min_size=1, max_size=MAX_AGENCIES)))
    all_teams = [(a, t) for a, count in enumerate(teams) for t in range(count)]
    agencies = st.integers(0, len(teams) - 1)
    users = draw(
        st.lists(
            st.builds(
                UserSpec,
                agency=agencies,
                role=st.sampled_from(
                    [*Role, Role.PRACTITIONER, Role.SUPERVISOR]
                ),  # casework weighted
                teams=st.frozensets(st.sampled_from(all_teams), max_size=3),
            ),
            min_size=1,
            max_size=MAX_USERS,
        )
    )
    clients = []
    for _ in range(draw(st.integers(1, MAX_CLIENTS))):
        agency = draw(agencies)
        case_teams = draw(st.lists(st.integers(0, teams[agency] - 1), max_size=2))
        clients.append(ClientSpec(agency=agency, case_teams=tuple(case_teams)))
    return WorldSpec(teams_per_agency=teams, users=tuple(users), clients=tuple(clients))


@dataclass
class Built:
    users: list[tuple[UserSpec, User]]
    clients: list[tuple[ClientSpec, Client, str, dt.date]]
    agency_ids: list[uuid.UUID]


def _build(spec: WorldSpec) -> Built:
    agencies, teams = [], {}
    for a, count in enumerate(spec.teams_per_agency):
        agency = Agency.objects.create(name=f"Agency {a}", slug=f"agency-{a}-{uuid.uuid4().hex}")
        program = Program.objects.create(agency=agency, name="Program")
        agencies.append(agency)
        for t in range(count):
            teams[(a, t)] = Team.objects.create(agency=agency, program=program, name=f"T{a}.{t}")
    users = []
    for n, user_spec in enumerate(spec.users):
        user = User.objects.create(
            email=f"user{n}-{uuid.uuid4().hex}@example.test",
            display_name=f"user{n}",
            agency=agencies[user_spec.agency],
            role=user_spec.role.value,
        )
        user.teams.set([teams[key] for key in user_spec.teams])
        users.append((user_spec, user))
    clients = []
    for n, client_spec in enumerate(spec.clients):
        name, born = f"Client{n} Family{n}", dt.date(1970, 1, 1) + dt.timedelta(days=97 * n)
        client = services.client_create(
            actor=None,
            agency=agencies[client_spec.agency],
            data=services.ClientInput(legal_name=name, preferred_name="", date_of_birth=born),
        )
        for c, team in enumerate(client_spec.case_teams):
            services.case_create(
                actor=None,
                client=client,
                team=teams[(client_spec.agency, team)],
                case_number=f"N{n}-{c}",
                opened_on=dt.date(2025, 1, 1),
            )
        clients.append((client_spec, client, name, born))
    return Built(users=users, clients=clients, agency_ids=[a.id for a in agencies])


def _rule(user: UserSpec, client: ClientSpec) -> bool:
    """The foundation rule, restated: a casework role, same agency, a case with their team."""
    return (
        user.role in (Role.PRACTITIONER, Role.SUPERVISOR)
        and user.agency == client.agency
        and any((client.agency, team) in user.teams for team in client.case_teams)
    )


def _check(built: Built) -> None:
    for user_spec, user in built.users:
        a = actor_for(user, channel="web", mfa_verified=True)
        allowed = {
            c.id for _, c, _, _ in built.clients if authorize(a, Action.CLIENT_VIEW, c).allowed
        }
        assert allowed == {c.id for spec, c, _, _ in built.clients if _rule(user_spec, spec)}
        assert allowed <= set(client_prefilter(a).values_list("id", flat=True))
        rows, total = selectors.caseload_list(actor=a)
        assert {row.client_id for row in rows} == allowed
        assert total == len(rows)
        for _, client, name, born in built.clients:
            found = [
                f.id for f in selectors.client_search(actor=a, legal_name=name, date_of_birth=born)
            ]
            assert found == ([client.id] if client.id in allowed else [])
            if client.id not in allowed:
                with pytest.raises(NotFound):
                    selectors.client_get(actor=a, client_id=client.id)


@pytest.mark.django_db
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(spec=world_specs())
def test_lists_and_authorize_agree_on_every_small_world(spec: WorldSpec) -> None:
    with transaction.atomic():
        _check(_build(spec))
        transaction.set_rollback(True)
