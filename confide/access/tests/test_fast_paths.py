"""The fast paths of a decision give the same answers as the plain ones: the Actor and the
clients' facts read in one plain-SQL query each equal what the ORM reads; a batch asks Cedar once
per distinct question and answers each alike; a read-only request fetches an object once but
decides every look-up."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import cedarpy
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from confide.access import engine, entities, facts
from confide.access.engine import Ask, Decision
from confide.access.lookups import get_authorized, read_scope
from confide.access.models import AccessGrant
from confide.access.policy import Action, authorize, authorize_many
from confide.accounts.actors import actor_for
from confide.accounts.models import Program, Team, User
from confide.consent.enums import RestrictionStatus
from confide.consent.models import Restriction
from confide.core import clock
from confide.core.actor import Actor
from confide.core.enums import Role
from confide.core.errors import NotFound
from confide.records.models import Case, Client
from confide.testing import World, make_user
from confide.training.models import ConflictDeclaration, TrainingCompletion

from .support import act, break_glass, lapse_training, note, restriction, supervise, wall

# ---- the Actor -----------------------------------------------------------------------------


def _orm_actor(user: User) -> Actor:
    """The Actor as the ORM reads it, query by query: the oracle for the one-query version."""
    teams = list(
        Team.objects.filter(members=user).values_list("id", "program_id", "program__is_part2")
    )
    supervisees = list(User.objects.filter(supervisor=user, is_active=True).values_list("id"))
    supervisee_teams = Team.objects.filter(
        members__supervisor=user, members__is_active=True
    ).values_list("id", flat=True)
    return Actor(
        user_id=user.id,
        agency_id=user.agency_id,
        role=Role(user.role),
        team_ids=frozenset(t[0] for t in teams),
        channel="web",
        mfa_verified=True,
        program_ids=frozenset(t[1] for t in teams),
        part2_program_ids=frozenset(t[1] for t in teams if t[2]),
        supervisee_ids=frozenset(s[0] for s in supervisees),
        supervisee_team_ids=frozenset(supervisee_teams),
        training_current=TrainingCompletion.objects.filter(
            user=user, expires_on__gte=clock.today()
        ).exists(),
        dv_designated=user.dv_designated,
        hiv_designated=user.hiv_designated,
        agency_hiv_restricted=user.agency.hiv_restricted,
    )


def test_the_actor_read_in_one_query_equals_the_orms_reading(world: World) -> None:
    part2 = Program.objects.create(agency=world.agency_a, name="Recovery", is_part2=True)
    recovery = Team.objects.create(agency=world.agency_a, program=part2, name="Recovery team")
    world.worker_a.teams.add(recovery)
    supervise(world.supervisor_a, world.worker_a)
    supervise(world.supervisor_a, world.other_worker_a)
    idle = make_user(world.agency_a, "idle@a.test", Role.PRACTITIONER, [world.team_a2])
    supervise(world.supervisor_a, idle)
    User.objects.filter(id=idle.id).update(is_active=False)
    lapse_training(world.other_worker_a)
    world.agency_a.hiv_restricted = True
    world.agency_a.save()
    personas = ["worker_a", "other_worker_a", "supervisor_a", "privacy_a", "intake_a", "worker_b"]
    for name in personas:
        user = User.objects.select_related("agency").get(id=getattr(world, name).id)
        with CaptureQueriesContext(connection) as queries:
            built = actor_for(user, channel="web", mfa_verified=True)
        assert built == _orm_actor(user), name
        assert len(queries) == 1, [q["sql"] for q in queries.captured_queries]
    supervisor = actor_for(world.supervisor_a, channel="web", mfa_verified=True)
    assert supervisor.supervisee_team_ids == {world.team_a1.id, recovery.id, world.team_a2.id}
    assert idle.id not in supervisor.supervisee_ids


# ---- the clients' facts ----------------------------------------------------------------------


def _orm_facts(client: Client) -> facts.ClientFacts:
    cases = Case.objects.filter(client=client)
    agreed = Restriction.objects.filter(client=client, status=RestrictionStatus.AGREED)
    return facts.ClientFacts(
        client_id=client.id,
        agency_id=client.agency_id,
        team_ids=frozenset(cases.values_list("team_id", flat=True)),
        assigned_ids=frozenset(
            User.objects.filter(assigned_cases__client=client).values_list("id", flat=True)
        ),
        program_ids=frozenset(cases.values_list("program_id", flat=True)),
        walled_ids=frozenset(
            ConflictDeclaration.objects.filter(client=client, removed_at=None).values_list(
                "user_id", flat=True
            )
        ),
        excluded_staff_ids=frozenset(agreed.exclude(staff=None).values_list("staff_id", flat=True)),
        excluded_program_ids=frozenset(
            agreed.exclude(program=None).values_list("program_id", flat=True)
        ),
        labels=frozenset(client.labels),
    )


def test_the_facts_read_in_one_query_equal_the_orms_reading(world: World) -> None:
    second = Case.objects.create(
        agency=world.agency_a,
        client=world.client_a,
        program=world.team_a2.program,
        team=world.team_a2,
        case_number="A-1001-2",
        opened_on=dt.date(2024, 5, 1),
    )
    second.workers.add(world.other_worker_a, world.worker_a2)
    wall(world.worker_a2, world.client_a)
    ended = wall(world.intake_a, world.client_a)
    ended.removed_at = clock.now()
    ended.save()
    restriction(world.client_a, world.worker_a, staff=world.intake_a)
    restriction(world.client_a, world.worker_a, program=world.team_a2.program)
    restriction(world.client_a, world.worker_a, staff=world.admin_a, status="requested")
    clients = [*Client.objects.filter(agency=world.agency_a), world.client_b]
    with CaptureQueriesContext(connection) as queries:
        loaded = facts.load_client_facts(clients)
    assert len(queries) == 1
    for client in clients:
        assert loaded[client.id] == _orm_facts(client)
    assert loaded[world.client_a.id].case_workers[second.id] == {
        world.other_worker_a.id,
        world.worker_a2.id,
    }
    assert loaded[world.client_a.id].case_programs[second.id] == world.team_a2.program_id


def test_only_the_actors_live_grants_come_with_the_facts(world: World) -> None:
    live = break_glass(world.other_worker_a, world.client_a)
    ended_by = make_user(world.agency_a, "ended@a.test", Role.PRACTITIONER, [world.team_a2])
    ended = break_glass(ended_by, world.client_a)
    AccessGrant.objects.filter(id=ended.id).update(revoked_at=clock.now())
    clients = [Client.objects.get(id=world.client_a.id), Client.objects.get(id=world.client_b.id)]
    actor = act(world.other_worker_a)
    with CaptureQueriesContext(connection) as queries:
        grants = facts.client_grants(actor, clients)
    assert len(queries) == 1
    assert grants == {world.client_a.id: {"break_glass": live.id}, world.client_b.id: {}}
    assert facts.client_grants(act(ended_by), clients)[world.client_a.id] == {}
    assert facts.client_grants(act(world.worker_a), clients)[world.client_a.id] == {}


# ---- one Cedar question per distinct resource content ----------------------------------------


def test_no_policy_reads_a_resources_identity() -> None:
    # `evaluate` asks alike questions once, which is sound only while every policy reads the
    # resource through its attributes, type or parents, never its identity (checked at start-up).
    assert engine.identity_reads(engine.POLICIES) == {}


VIP = "6f1d0a52-3c1b-4c55-9a0e-1d2b3c4d5e6f"


@pytest.mark.parametrize(
    "policy",
    [
        f'forbid (principal, action, resource) when {{ resource == Confide::Client::"{VIP}" }};',
        f'forbid (principal, action, resource) when {{ (Confide::Client::"{VIP}" == resource) }};',
        f'forbid (principal, action, resource == Confide::Client::"{VIP}");',
        f'forbid (principal, action, resource in Confide::Team::"{VIP}");',
        f'forbid (principal, action, resource is Confide::Client in Confide::Team::"{VIP}");',
        f"forbid (principal, action, resource) when {{ resource is Confide::Client in "
        f'Confide::Team::"{VIP}" }};',
        f"forbid (principal, action, resource) when {{ [resource, principal].contains("
        f'Confide::Client::"{VIP}") }};',
        f'forbid (principal, action, resource) when {{ resource in Confide::Team::"{VIP}" }};',
        "forbid (principal, action, resource) when { principal.supervisees.contains(resource) };",
        "forbid (principal, action, resource) when { resource.author == resource };",
        "forbid (principal, action, resource) when { (if resource has labels then resource "
        "else principal) == principal };",
    ],
)
def test_a_policy_that_reads_a_resources_identity_is_found(policy: str) -> None:
    found = engine.identity_reads(cedarpy.PolicySet.from_str(f'@id("vip.locked") {policy}'))
    assert list(found) == ["vip.locked"]


@pytest.mark.parametrize(
    "policy",
    [
        "permit (principal, action, resource) when { resource in principal.teams };",
        "permit (principal, action, resource is Confide::Note) when { resource.author == "
        "principal };",
        "forbid (principal, action, resource) when { resource has labels && "
        'resource.labels.contains("hiv") };',
        "permit (principal, action, resource) when { resource is Confide::Client && "
        "resource in principal.agency };",
    ],
)
def test_reading_attributes_type_and_parents_is_not_reading_the_identity(policy: str) -> None:
    assert engine.identity_reads(cedarpy.PolicySet.from_str(f'@id("fine") {policy}')) == {}


def test_the_ancestor_sets_hold_only_agencies_and_teams() -> None:
    # `resource in principal.<set>` reads the resource's parents (part of its content) only while
    # these attributes hold agencies and teams, which a client or note never is.
    user = re.search(r"entity User = \{(.*?)\};", engine.SCHEMA_TEXT, re.DOTALL)
    assert user is not None
    types = dict(re.findall(r"(\w+): ([\w<>]+),", user.group(1)))
    assert {name: types[name] for name in engine.ANCESTOR_SETS} == {
        "agency": "Agency",
        "teams": "Set<Team>",
        "supervisee_teams": "Set<Team>",
    }


def test_alike_questions_are_asked_once_and_answered_alike(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[int] = []
    real = cedarpy.is_authorized_batch

    def counting(requests: list[dict[str, Any]], *args: Any, **kwargs: Any) -> Any:
        asked.append(len(requests))
        return real(requests, *args, **kwargs)

    monkeypatch.setattr(cedarpy, "is_authorized_batch", counting)
    mine = [note(world, world.worker_a, world.client_a) for _ in range(3)]
    colleague = note(world, world.worker_a2, world.client_a)
    labelled = note(world, world.worker_a2, world.client_a, kind="psychotherapy")
    notes = [*mine, colleague, labelled]
    for n in notes:
        n.refresh_from_db()
    asked.clear()
    decisions = authorize_many(act(world.worker_a), Action.NOTE_VIEW, notes)
    assert asked == [3]  # three distinct contents: worker_a's notes, worker_a2's, the labelled one
    assert [d.allowed for d in decisions] == [True, True, True, True, False]
    assert decisions[4].policy_ids == ("label.psychotherapy.author_only",)


def test_one_entity_name_with_two_contents_in_a_batch_is_refused(world: World) -> None:
    client = facts.client_facts(world.client_a)
    other = facts.client_facts(world.client_a_other)
    same_name = entities.client_entity(other, ident=world.client_a.id)
    staff = entities.context({}, "staff")
    asks = [
        Ask(Action.CLIENT_VIEW.value, entities.client_entity(client), staff),
        Ask(Action.CLIENT_VIEW.value, same_name, staff),
    ]
    with pytest.raises(ValueError, match="two different entities"):
        engine.evaluate(entities.principal(act(world.worker_a)), asks)


def test_the_principal_entity_follows_every_change_to_the_actor(world: World) -> None:
    before = entities.principal(act(world.worker_a))
    lapse_training(world.worker_a)
    after = entities.principal(act(world.worker_a))
    assert before != after
    assert '"training_current":false' in after.text


# ---- a read-only request fetches once, decides every time ------------------------------------


def test_a_read_scope_fetches_an_object_once_and_still_decides_each_look_up(
    world: World,
) -> None:
    actor = act(world.worker_a)
    with read_scope():
        first, _ = get_authorized(actor, Client, world.client_a.id, Action.CLIENT_VIEW)
        with CaptureQueriesContext(connection) as queries:
            again, decision = get_authorized(actor, Client, world.client_a.id, Action.CLIENT_VIEW)
        assert again is first
        assert len(queries) == 0
        assert decision == Decision(True, ("care_team.practitioner",))
        with pytest.raises(NotFound):
            get_authorized(act(world.worker_b), Client, world.client_a.id, Action.CLIENT_VIEW)
        with pytest.raises(NotFound):
            get_authorized(act(world.intake_a), Client, world.client_a.id, Action.CLIENT_VIEW)
    outside, _ = get_authorized(actor, Client, world.client_a.id, Action.CLIENT_VIEW)
    assert outside is not first


def test_a_locked_look_up_always_reads_the_row(world: World) -> None:
    actor = act(world.worker_a)
    with read_scope():
        first, _ = get_authorized(actor, Client, world.client_a.id, Action.CLIENT_VIEW)
        locked, _ = get_authorized(actor, Client, world.client_a.id, Action.CLIENT_VIEW, lock=True)
    assert locked is not first


def test_one_client_instance_decided_for_two_actors_keeps_each_ones_parse_apart(
    world: World,
) -> None:
    """A client's entity is written once per request and parsed once per principal: the second
    actor's decision on the same instance is their own, and the first actor's stays theirs."""
    client = Client.objects.get(id=world.client_a.id)
    mine, other_agency = act(world.worker_a), act(world.worker_b)
    assert authorize(mine, Action.CLIENT_VIEW, client).allowed
    assert not authorize(other_agency, Action.CLIENT_VIEW, client).allowed
    assert authorize(mine, Action.CLIENT_VIEW, client).allowed
    entity = entities.client_entity(facts.client_facts(client))
    assert entity is entities.client_entity(facts.client_facts(client))  # written once
    assert set(entity.parsed) == {
        entities.principal(mine).text,
        entities.principal(other_agency).text,
    }


def test_a_policy_set_that_reads_an_identity_is_refused_at_start_up() -> None:
    engine.require_no_identity_reads(engine.POLICIES)
    bad = cedarpy.PolicySet.from_str(
        engine.POLICY_TEXT + f'\n@id("vip.locked") forbid (principal, action, resource) '
        f'when {{ resource == Confide::Client::"{VIP}" }};'
    )
    with pytest.raises(RuntimeError, match=r"vip\.locked"):
        engine.require_no_identity_reads(bad)
