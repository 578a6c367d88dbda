"""Property: over small random worlds of two agencies, every list, search, count and note timeline
shows exactly the objects `authorize` allows (no leak, no omission), and what `authorize` allows
is exactly what the rules of the issue, written out again here in plain Python, allow (so a bug in
the Cedar policy itself is caught, not only a disagreement between the policy and the SQL).

A world has teams (each with its own program, some holding Part 2 records), staff of every role
with teams, supervisors, trainee status, designations and current, lapsed or missing training,
clients with cases on teams and individually assigned workers, labelled notes, conflict walls
(some removed) and restrictions in every state. Each example runs in a transaction that is rolled
back, so examples do not see each other.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from confide.access.policy import Action, authorize, authorize_many
from confide.accounts.actors import actor_for
from confide.accounts.models import Agency, Program, Team, User
from confide.consent.enums import RestrictionKind, RestrictionStatus
from confide.consent.models import Restriction
from confide.core import clock
from confide.core.actor import Actor
from confide.core.enums import Label, Role
from confide.core.errors import NotFound
from confide.crypto.envelope import client_key
from confide.records import selectors, services
from confide.records.models import Case, Client, Note
from confide.training.models import ConflictDeclaration, TrainingCompletion

AGENCIES, MAX_TEAMS, MAX_USERS, MAX_CLIENTS, MAX_NOTES = 2, 2, 6, 4, 3
# Agency 0 weighted, so most people and clients meet; agency 1 is there to be kept out.
AGENCY = st.sampled_from([0, 0, 0, 1])
CASEWORK = (Role.PRACTITIONER, Role.SUPERVISOR)
# Casework roles weighted: they are the ones with the interesting rules.
ROLES = [*Role, Role.PRACTITIONER, Role.PRACTITIONER, Role.SUPERVISOR, Role.SUPERVISOR]
# Current training weighted: the label rules only show with it.
TRAINING = ("current", "current", "lapsed", "none")
# Plain strings: an Enum member hashes by its name, so `Label.HIV in {"hiv"}` is False.
PSYCHOTHERAPY, PART2, HIV, DV, MINOR = (
    Label.PSYCHOTHERAPY.value,
    Label.PART2_SUD.value,
    Label.HIV.value,
    Label.DV_LOCATION.value,
    Label.MINOR_CONSENTED.value,
)
NOTE_LABELS = (PSYCHOTHERAPY, PART2, HIV, DV, MINOR)
CLIENT_LABELS = (DV, MINOR)
CLIENT_ACTIONS = (
    Action.CLIENT_VIEW,
    Action.CLIENT_VIEW_DEMOGRAPHICS,
    Action.CLIENT_VIEW_LOCATION,
    Action.CLIENT_SEARCH,
)


# ---- the world, as plain data ----------------------------------------------------------------


@dataclass(frozen=True)
class TeamSpec:
    agency: int
    part2: bool  # its program holds Part 2 records


@dataclass(frozen=True)
class UserSpec:
    agency: int
    role: Role
    teams: frozenset[int]  # indices into WorldSpec.teams (rarely another agency's)
    supervisor: int | None  # index of a supervisor of the same agency
    trainee: bool
    dv: bool
    hiv: bool
    training: str


@dataclass(frozen=True)
class CaseSpec:
    team: int  # index into WorldSpec.teams, always of the client's agency
    workers: frozenset[int]


@dataclass(frozen=True)
class ClientSpec:
    agency: int
    labels: frozenset[str]
    cases: tuple[CaseSpec, ...]


@dataclass(frozen=True)
class NoteSpec:
    client: int
    case: int  # index into the client's cases
    author: int
    labels: frozenset[str]


@dataclass(frozen=True)
class WallSpec:
    user: int
    client: int
    removed: bool


@dataclass(frozen=True)
class RestrictionSpec:
    client: int
    staff: int | None  # not_staff: this user
    team: int | None  # not_program: this team's program
    status: str


@dataclass(frozen=True)
class WorldSpec:
    hiv_restricted: tuple[bool, ...]
    teams: tuple[TeamSpec, ...]
    users: tuple[UserSpec, ...]
    clients: tuple[ClientSpec, ...]
    notes: tuple[NoteSpec, ...]
    walls: tuple[WallSpec, ...]
    restrictions: tuple[RestrictionSpec, ...]


@st.composite
def world_specs(draw: st.DrawFn) -> WorldSpec:
    teams: list[TeamSpec] = []
    for agency in range(AGENCIES):
        teams += [
            TeamSpec(agency, draw(st.booleans())) for _ in range(draw(st.integers(1, MAX_TEAMS)))
        ]
    by_agency = [[i for i, t in enumerate(teams) if t.agency == a] for a in range(AGENCIES)]
    users = _draw_users(draw, teams, by_agency)
    n_users = len(users)
    user_ids = st.integers(0, n_users - 1)
    clients = []
    for _ in range(draw(st.integers(2, MAX_CLIENTS))):
        agency = draw(AGENCY)
        case = st.builds(
            CaseSpec,
            team=st.sampled_from(by_agency[agency]),
            workers=st.frozensets(user_ids, max_size=2),
        )
        cases = [draw(case) for _ in range(draw(st.sampled_from([0, 1, 1, 1, 2, 2])))]
        labels = draw(st.frozensets(st.sampled_from(CLIENT_LABELS)))
        clients.append(ClientSpec(agency, labels, tuple(cases)))
    notes = []
    for c, client in enumerate(clients):
        if client.cases:
            for _ in range(draw(st.integers(1, MAX_NOTES))):
                notes.append(
                    NoteSpec(
                        client=c,
                        case=draw(st.integers(0, len(client.cases) - 1)),
                        author=draw(_people_of(users, client, user_ids)),
                        labels=draw(st.frozensets(st.sampled_from(NOTE_LABELS), max_size=2)),
                    )
                )
    client_ids = st.integers(0, len(clients) - 1)
    team_ids = st.integers(0, len(teams) - 1)
    # Walls and restrictions mostly name someone who would otherwise see the client.
    walls, restrictions = [], []
    for _ in range(draw(st.integers(0, 3))):
        c = draw(client_ids)
        person = draw(_people_of(users, clients[c], user_ids))
        walls.append(WallSpec(person, c, draw(st.booleans())))
    for _ in range(draw(st.integers(0, 3))):
        c, status = draw(client_ids), draw(st.sampled_from(STATUSES))
        own_teams = [case.team for case in clients[c].cases]
        if draw(st.booleans()):
            person = draw(_people_of(users, clients[c], user_ids))
            restrictions.append(RestrictionSpec(c, person, None, status))
        elif draw(st.booleans()) and own_teams:
            restrictions.append(RestrictionSpec(c, None, draw(st.sampled_from(own_teams)), status))
        else:
            restrictions.append(RestrictionSpec(c, None, draw(team_ids), status))
    return WorldSpec(
        hiv_restricted=tuple(draw(st.booleans()) for _ in range(AGENCIES)),
        teams=tuple(teams),
        users=tuple(users),
        clients=tuple(clients),
        notes=tuple(notes),
        walls=tuple({(w.user, w.client): w for w in walls}.values()),  # one wall per pair
        restrictions=tuple(restrictions),
    )


STATUSES = [RestrictionStatus.AGREED.value, *RestrictionStatus.values]  # agreed weighted


def _people_of(
    users: list[UserSpec], client: ClientSpec, anyone: st.SearchStrategy[int]
) -> st.SearchStrategy[int]:
    """Mostly someone working on one of the client's cases (so the rules about them show),
    sometimes anyone."""
    insiders = [
        i
        for i, u in enumerate(users)
        for case in client.cases
        if case.team in u.teams or i in case.workers
    ]
    return st.one_of(st.sampled_from(insiders), anyone) if insiders else anyone


def _draw_users(
    draw: st.DrawFn, teams: list[TeamSpec], by_agency: list[list[int]]
) -> list[UserSpec]:
    drafts = [(0, Role.SUPERVISOR, frozenset({by_agency[0][0]}))]  # someone to supervise
    for _ in range(draw(st.integers(2, MAX_USERS - 1))):
        agency = draw(AGENCY)
        own = draw(st.frozensets(st.sampled_from(by_agency[agency]), max_size=2))
        if not own and draw(st.integers(0, 4)):  # mostly on a team
            own = frozenset({draw(st.sampled_from(by_agency[agency]))})
        # Now and then a team of the other agency too: data that should not exist opens nothing.
        stray = draw(
            st.sampled_from(
                [
                    frozenset(),
                    frozenset(),
                    frozenset(),
                    *map(frozenset, [[t] for t in range(len(teams))]),
                ]
            )
        )
        drafts.append((agency, draw(st.sampled_from(ROLES)), own | stray))
    users: list[UserSpec] = []
    for agency, role, member_of in drafts:
        bosses = [i for i, (a, r, _) in enumerate(drafts) if a == agency and r == Role.SUPERVISOR]
        boss = draw(st.sampled_from([None, *bosses * 3])) if bosses else None
        users.append(
            UserSpec(
                agency=agency,
                role=role,
                teams=member_of,
                supervisor=boss if boss != len(users) else None,
                trainee=draw(st.booleans()),
                dv=draw(st.booleans()),
                hiv=draw(st.booleans()),
                training=draw(st.sampled_from(TRAINING)),
            )
        )
    return users


# ---- building it in the database -------------------------------------------------------------


@dataclass
class Built:
    spec: WorldSpec
    users: list[User]
    clients: list[Client]
    cases: list[list[Case]]
    notes: list[Note]
    names: list[tuple[str, dt.date]]


def _build(spec: WorldSpec) -> Built:
    agencies = [
        Agency.objects.create(
            name=f"Agency {a}", slug=f"agency-{a}-{uuid.uuid4().hex}", hiv_restricted=restricted
        )
        for a, restricted in enumerate(spec.hiv_restricted)
    ]
    teams = []
    for t, team in enumerate(spec.teams):
        program = Program.objects.create(
            agency=agencies[team.agency], name=f"P{t}", is_part2=team.part2
        )
        teams.append(
            Team.objects.create(agency=agencies[team.agency], program=program, name=f"T{t}")
        )
    users = [_user(n, u, agencies[u.agency], teams) for n, u in enumerate(spec.users)]
    for user, u in zip(users, spec.users, strict=True):
        if u.supervisor is not None:
            user.supervisor = users[u.supervisor]
            user.save(update_fields=["supervisor"])
    clients, cases, names = [], [], []
    for n, c in enumerate(spec.clients):
        name, born = f"Client{n} Family{n}", dt.date(1970, 1, 1) + dt.timedelta(days=97 * n)
        client = services.client_create(
            actor=None,
            agency=agencies[c.agency],
            data=services.ClientInput(legal_name=name, preferred_name="", date_of_birth=born),
        )
        client.labels = sorted(c.labels)
        client.save(update_fields=["labels"])
        clients.append(client)
        names.append((name, born))
        cases.append([_case(client, n, k, case, teams, users) for k, case in enumerate(c.cases)])
    notes = [_note(spec, n, clients, cases, users) for n in spec.notes]
    for w in spec.walls:
        ConflictDeclaration.objects.create(
            agency_id=clients[w.client].agency_id,
            user=users[w.user],
            client=clients[w.client],
            relationship="friend",
            declared_by=users[w.user],
            removed_at=clock.now() if w.removed else None,
        )
    for r in spec.restrictions:
        Restriction.objects.create(
            agency_id=clients[r.client].agency_id,
            client=clients[r.client],
            kind=RestrictionKind.NOT_STAFF if r.staff is not None else RestrictionKind.NOT_PROGRAM,
            staff=users[r.staff] if r.staff is not None else None,
            program=teams[r.team].program if r.team is not None else None,
            status=r.status,
            requested_by=users[0],
        )
    return Built(spec, users, clients, cases, notes, names)


def _user(n: int, u: UserSpec, agency: Agency, teams: list[Team]) -> User:
    user = User.objects.create(
        email=f"user{n}-{uuid.uuid4().hex}@example.test",
        display_name=f"user{n}",
        agency=agency,
        role=u.role.value,
        is_trainee=u.trainee,
        dv_designated=u.dv,
        hiv_designated=u.hiv,
    )
    user.teams.set([teams[t] for t in u.teams])
    today = clock.today()
    if u.training != "none":
        expires = today + dt.timedelta(days=30 if u.training == "current" else -1)
        TrainingCompletion.objects.create(
            agency=agency,
            user=user,
            completed_on=expires - dt.timedelta(days=365),
            expires_on=expires,
            recorded_by=user,
        )
    return user


def _case(
    client: Client, n: int, k: int, spec: CaseSpec, teams: list[Team], users: list[User]
) -> Case:
    team = teams[spec.team]
    case = Case.objects.create(
        agency_id=client.agency_id,
        client=client,
        program_id=team.program_id,
        team=team,
        case_number=f"N{n}-{k}",
        opened_on=dt.date(2025, 1, 1) + dt.timedelta(days=k),
    )
    case.workers.set([users[w] for w in spec.workers])
    return case


def _note(
    spec: WorldSpec, n: NoteSpec, clients: list[Client], cases: list[list[Case]], users: list[User]
) -> Note:
    client = clients[n.client]
    psychotherapy = PSYCHOTHERAPY in n.labels
    note = Note(
        id=uuid.uuid4(),
        agency_id=client.agency_id,
        client=client,
        case=cases[n.client][n.case],
        author=users[n.author],
        kind="psychotherapy" if psychotherapy else "progress",
        labels=sorted(n.labels),
        occurred_on=dt.date(2025, 2, 1),
    )
    note.body_enc = client_key(client.id).encrypt_text("records_note.body", note.id, "Note text.")
    note.save(force_insert=True)
    return note


# ---- the oracle: the rules in plain Python --------------------------------------------


@dataclass(frozen=True)
class Oracle:
    spec: WorldSpec

    def supervisees(self, u: int) -> set[int]:
        return {i for i, s in enumerate(self.spec.users) if s.supervisor == u}

    def programs(self, u: int) -> set[int]:
        """A program is named by its (one) team's index."""
        return set(self.spec.users[u].teams)

    def trained(self, u: int) -> bool:
        return self.spec.users[u].training == "current"

    def hidden(self, u: int, c: int) -> bool:
        """Other agency, a live wall, or an agreed restriction: the client does not exist."""
        client = self.spec.clients[c]
        if self.spec.users[u].agency != client.agency:
            return True
        if any(w.user == u and w.client == c and not w.removed for w in self.spec.walls):
            return True
        agreed = [r for r in self.spec.restrictions if r.client == c and r.status == "agreed"]
        return any(r.staff == u for r in agreed) or any(
            r.team is not None and r.team in self.programs(u) for r in agreed
        )

    def works_on(self, u: int, case: CaseSpec) -> bool:
        """Practitioner: their teams' and their own cases. Supervisor: also their supervisees'."""
        user = self.spec.users[u]
        people, teams = {u}, set(user.teams)
        if user.role == Role.SUPERVISOR:
            people |= self.supervisees(u)
            for s in self.supervisees(u):
                teams |= self.spec.users[s].teams
        elif user.role != Role.PRACTITIONER:
            return False
        return case.team in teams or bool(case.workers & people)

    def case(self, u: int, c: int, k: int) -> bool:
        return not self.hidden(u, c) and self.works_on(u, self.spec.clients[c].cases[k])

    def client(self, u: int, c: int, action: Action) -> bool:
        user, client = self.spec.users[u], self.spec.clients[c]
        if self.hidden(u, c):
            return False
        if user.role == Role.INTAKE:
            return action in (Action.CLIENT_VIEW_DEMOGRAPHICS, Action.CLIENT_SEARCH)
        if not any(self.works_on(u, case) for case in client.cases):
            return False
        if action == Action.CLIENT_VIEW_LOCATION and DV in client.labels:
            return user.dv and self.trained(u)
        return True

    def note(self, u: int, n: NoteSpec, *, trained: bool | None = None) -> bool:
        user, labels = self.spec.users[u], n.labels
        if user.role not in CASEWORK or not self.client(u, n.client, Action.CLIENT_VIEW):
            return False
        author = n.author == u
        team = self.spec.clients[n.client].cases[n.case].team
        if labels and not (self.trained(u) if trained is None else trained):
            return False
        if PSYCHOTHERAPY in labels and not author:
            trainee = self.spec.users[n.author].trainee
            if not (trainee and n.author in self.supervisees(u)):
                return False
        part2_staff = self.spec.teams[team].part2 and team in user.teams
        if PART2 in labels and not author and not part2_staff:
            return False
        if DV in labels and not author and not user.dv:
            return False
        hiv_restricted = self.spec.hiv_restricted[user.agency]
        return not (HIV in labels and not author and hiv_restricted and not user.hiv)


# ---- the check -------------------------------------------------------------------------------


Decided = dict[tuple[int, Action], bool]


def _check(built: Built) -> None:
    oracle = Oracle(built.spec)
    for u, user in enumerate(built.users):
        a = actor_for(user, channel="web", mfa_verified=True)
        decided = _check_clients(built, oracle, u, a)
        _check_caseload(built, oracle, u, a)
        for c in range(len(built.clients)):
            _check_search(built, c, a, decided)
            _check_record(built, oracle, u, c, a, decided)
        _check_guardian_output(built, oracle, u, a)


def _check_clients(built: Built, oracle: Oracle, u: int, a: Actor) -> Decided:
    """`authorize`, one client and action at a time, against the oracle."""
    decided: Decided = {}
    for c, client in enumerate(built.clients):
        for action in CLIENT_ACTIONS:
            decided[c, action] = authorize(a, action, client).allowed
            assert decided[c, action] == oracle.client(u, c, action), (u, c, action.value)
    return decided


def _check_caseload(built: Built, oracle: Oracle, u: int, a: Actor) -> None:
    allowed, expected = set(), set()
    for c, cases in enumerate(built.cases):
        for k, case in enumerate(cases):
            if authorize(a, Action.CLIENT_VIEW, case).allowed:
                allowed.add(case.id)
            if oracle.case(u, c, k):
                expected.add(case.id)
    assert allowed == expected, u
    rows, total = selectors.caseload_list(actor=a)
    assert sorted(row.case_id for row in rows) == sorted(allowed)  # no leak, no omission, no twins
    assert total == len(allowed)


def _check_search(built: Built, c: int, a: Actor, decided: Decided) -> None:
    client, (name, born) = built.clients[c], built.names[c]
    found = [f.id for f in selectors.client_search(actor=a, legal_name=name, date_of_birth=born)]
    assert found == ([client.id] if decided[c, Action.CLIENT_SEARCH] else [])


def _notes_of(built: Built, c: int) -> list[tuple[NoteSpec, Note]]:
    return [
        (n, note) for n, note in zip(built.spec.notes, built.notes, strict=True) if n.client == c
    ]


def _check_record(built: Built, oracle: Oracle, u: int, c: int, a: Actor, decided: Decided) -> None:
    client = built.clients[c]
    full = decided[c, Action.CLIENT_VIEW]
    if not (full or decided[c, Action.CLIENT_VIEW_DEMOGRAPHICS]):
        with pytest.raises(NotFound):
            selectors.client_get(actor=a, client_id=client.id)
        return
    view = selectors.client_get(actor=a, client_id=client.id)
    assert view.demographics_only == (not full)
    assert (view.address_withheld is None) == decided[c, Action.CLIENT_VIEW_LOCATION]
    shown = {n.id for n in view.notes}
    if not full:
        assert shown == set()
        return
    specs = _notes_of(built, c)
    allowed = {note.id for _, note in specs if authorize(a, Action.NOTE_VIEW, note).allowed}
    expected = {note.id for n, note in specs if oracle.note(u, n)}
    assert allowed == expected, (u, c)
    assert shown == allowed
    # Withheld "because training lapsed" exactly when training is the only thing in the way.
    withheld = [
        n
        for n, _ in specs
        if n.labels and not oracle.trained(u) and oracle.note(u, n, trained=True)
    ]
    assert view.withheld_notes == len(withheld)
    assert (view.withheld_reason is None) == (not withheld)


def _check_guardian_output(built: Built, oracle: Oracle, u: int, a: Actor) -> None:
    """For an output meant for a guardian, nothing the minor consented to alone: neither a note
    so labelled nor anything of a client so labelled."""
    minor = [MINOR in c.labels for c in built.spec.clients]
    decisions = authorize_many(a, Action.CLIENT_VIEW, built.clients, audience="guardian")
    for c, decision in enumerate(decisions):
        assert decision.allowed == (oracle.client(u, c, Action.CLIENT_VIEW) and not minor[c])
    decisions = authorize_many(a, Action.NOTE_VIEW, built.notes, audience="guardian")
    for n, decision in zip(built.spec.notes, decisions, strict=True):
        expected = oracle.note(u, n) and not minor[n.client] and MINOR not in n.labels
        assert decision.allowed == expected


@pytest.mark.django_db
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(spec=world_specs())
def test_lists_search_counts_and_timelines_show_exactly_what_the_policy_allows(
    spec: WorldSpec,
) -> None:
    with transaction.atomic():
        _check(_build(spec))
        transaction.set_rollback(True)
