"""What the policy needs to know about clients, notes and grants, loaded in batches
(`access.entities` turns them into Cedar entities). Loaded per request (memoized on the model
instance only), so a new wall, restriction, assignment or grant takes effect at the next request.

Everything a page's decisions need about its clients (their cases, teams and workers, walls,
agreed restrictions, and the actor's live grants on them) comes in one UNION ALL query. The same
query names every restriction request of any status, so a record page whose client has none (the
usual case) lists them without a query of its own."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from django.db import connection

from confide.access.models import AccessGrant
from confide.consent.enums import RestrictionKind, RestrictionStatus
from confide.consent.models import Restriction
from confide.core import clock
from confide.core.actor import Actor
from confide.records.models import Case, Client
from confide.training.models import ConflictDeclaration

MEMO = "_access_facts"
GRANTS_MEMO = "_access_grants"
# Which part of the one facts query a row comes from.
CASE, WALL, RESTRICTION, GRANT = "case", "wall", "restriction", "grant"
# A restriction request not (or no longer) in force: named, but binding nobody.
NOT_IN_FORCE = "restriction:not_in_force"
# Clients per query: a page is far fewer; this keeps SQLite's bound-parameter limit away.
CHUNK = 200


@dataclass(frozen=True)
class ClientFacts:
    client_id: UUID
    agency_id: UUID
    team_ids: frozenset[UUID] = field(default_factory=frozenset)
    assigned_ids: frozenset[UUID] = field(default_factory=frozenset)
    program_ids: frozenset[UUID] = field(default_factory=frozenset)
    walled_ids: frozenset[UUID] = field(default_factory=frozenset)
    excluded_staff_ids: frozenset[UUID] = field(default_factory=frozenset)
    excluded_program_ids: frozenset[UUID] = field(default_factory=frozenset)
    labels: frozenset[str] = field(default_factory=frozenset)
    # Each case of the client (loaded with the facts) -> its individually assigned workers, and
    # its program.
    case_workers: Mapping[UUID, frozenset[UUID]] = field(
        default_factory=dict, compare=False, hash=False
    )
    case_programs: Mapping[UUID, UUID] = field(default_factory=dict, compare=False, hash=False)
    # Every restriction request recorded for the client, whatever its status (only agreed ones
    # bind, above); empty means the record page's restriction list is empty.
    restriction_ids: frozenset[UUID] = field(default_factory=frozenset, compare=False)


def _uuid(value: Any) -> UUID | None:
    """A UUID column as read back (SQLite stores UUIDs as hex text)."""
    return value if value is None or isinstance(value, UUID) else UUID(str(value))


def _ids(values: Iterable[UUID]) -> list[Any]:
    """UUIDs as the database takes them (SQLite: hex text), as UUIDField would send them."""
    if connection.features.has_native_uuid_field:
        return list(values)
    return [v.hex for v in values]


def _marks(count: int) -> str:
    return ", ".join(["%s"] * count)


def _facts_sql(ids: list[UUID]) -> tuple[list[str], list[Any]]:
    """The cases (one row per case and assigned worker, or per case with none), active conflict
    walls and restriction requests (marked agreed or not) of these clients. Only table names
    (from the models) are formatted into the text; every value is a bound parameter."""
    case, worker = Case._meta.db_table, Case.workers.through._meta.db_table
    wall, restriction = ConflictDeclaration._meta.db_table, Restriction._meta.db_table
    marks, params = _marks(len(ids)), _ids(ids)
    parts = [
        f"SELECT '{CASE}', c.client_id, c.id, c.team_id, c.program_id, w.user_id, ''"  # noqa: S608
        f" FROM {case} c LEFT JOIN {worker} w ON w.case_id = c.id WHERE c.client_id IN ({marks})",
        f"SELECT '{WALL}', client_id, user_id, NULL, NULL, NULL, ''"  # noqa: S608
        f" FROM {wall} WHERE client_id IN ({marks}) AND removed_at IS NULL",
        f"SELECT CASE WHEN status = %s THEN '{RESTRICTION}' ELSE '{NOT_IN_FORCE}' END,"  # noqa: S608
        f" client_id, staff_id, program_id, id, NULL, kind"
        f" FROM {restriction} WHERE client_id IN ({marks})",
    ]
    return parts, [*params, *params, RestrictionStatus.AGREED.value, *params]


def _grants_sql(actor: Actor, ids: list[UUID]) -> tuple[str, list[Any]]:
    """The actor's live grants on these clients."""
    now = connection.ops.adapt_datetimefield_value(clock.now())
    sql = (
        f"SELECT '{GRANT}', client_id, id, NULL, NULL, NULL, kind"  # noqa: S608
        f" FROM {AccessGrant._meta.db_table} WHERE client_id IN ({_marks(len(ids))})"
        " AND user_id = %s AND agency_id = %s AND starts_at <= %s AND expires_at > %s"
        " AND revoked_at IS NULL"
    )
    return sql, [*_ids(ids), *_ids([actor.user_id, actor.agency_id]), now, now]


def _fetch(parts: list[str], params: list[Any]) -> list[tuple[Any, ...]]:
    """The parts' rows in one round trip. Plain SQL over the tables' own names: this query runs
    for every page and decision, and building it through the ORM cost several times its
    execution (docs/decisions/0011)."""
    if not parts:
        return []
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        rows = cursor.fetchall()
    return [
        (part, _uuid(client), _uuid(a), _uuid(b), _uuid(c), _uuid(d), kind)
        for part, client, a, b, c, d, kind in rows
    ]


def _client_facts(client: Client, rows: list[tuple[Any, ...]]) -> ClientFacts:
    """A client's facts from its rows of `_facts_sql`."""
    teams, programs, workers, walls, staff, progs, requests = (set[UUID]() for _ in range(7))
    per_case: dict[UUID, set[UUID]] = {}
    case_programs: dict[UUID, UUID] = {}
    for part, _, a, b, c, d, kind in rows:
        if part == CASE:
            teams.add(b)
            programs.add(c)
            case_programs[a] = c
            assigned = per_case.setdefault(a, set())
            if d is not None:
                workers.add(d)
                assigned.add(d)
        elif part == WALL:
            walls.add(a)
        else:
            requests.add(c)
            if part != RESTRICTION:
                continue  # requested, denied or ended: binds nobody
            if kind == RestrictionKind.NOT_STAFF and a is not None:
                staff.add(a)
            elif kind == RestrictionKind.NOT_PROGRAM and b is not None:
                progs.add(b)
    return ClientFacts(
        client_id=client.id,
        agency_id=client.agency_id,
        team_ids=frozenset(teams),
        assigned_ids=frozenset(workers),
        program_ids=frozenset(programs),
        walled_ids=frozenset(walls),
        excluded_staff_ids=frozenset(staff),
        excluded_program_ids=frozenset(progs),
        labels=frozenset(client.labels or ()),
        case_workers={k: frozenset(v) for k, v in per_case.items()},
        case_programs=case_programs,
        restriction_ids=frozenset(requests),
    )


def load(actor: Actor | None, clients: Iterable[Client]) -> None:
    """The facts of these clients and the actor's live grants on them, in one query; memoized on
    each client instance (which lives for one request), so nothing outlives the request."""
    items = list({id(c): c for c in clients}.values())
    need_facts = [c for c in items if MEMO not in c.__dict__]
    need_grants = (
        []
        if actor is None
        else [c for c in items if actor.user_id not in c.__dict__.get(GRANTS_MEMO, {})]
    )
    if not need_facts and not need_grants:  # all memoized already (a page's rows, then each)
        return
    fact_ids = sorted({c.id for c in need_facts})
    grant_ids = sorted({c.id for c in need_grants})
    by_client: dict[UUID | None, list[tuple[Any, ...]]] = defaultdict(list)
    for start in range(0, max(len(fact_ids), len(grant_ids)), CHUNK):
        parts: list[str] = []
        params: list[Any] = []
        if fact_ids[start : start + CHUNK]:
            parts, params = _facts_sql(fact_ids[start : start + CHUNK])
        if actor is not None and grant_ids[start : start + CHUNK]:
            sql, more = _grants_sql(actor, grant_ids[start : start + CHUNK])
            parts, params = [*parts, sql], [*params, *more]
        for row in _fetch(parts, params):
            by_client[row[1]].append(row)
    for client in need_facts:
        rows = [r for r in by_client[client.id] if r[0] != GRANT]
        client.__dict__[MEMO] = _client_facts(client, rows)
    if actor is not None:
        for client in need_grants:
            grants = {r[6]: r[2] for r in by_client[client.id] if r[0] == GRANT}
            client.__dict__.setdefault(GRANTS_MEMO, {})[actor.user_id] = grants


def load_client_facts(clients: Iterable[Client]) -> dict[UUID, ClientFacts]:
    """Facts for many clients in one query; memoized on each client instance."""
    items = list(clients)
    load(None, items)
    return {c.id: c.__dict__[MEMO] for c in items}


def client_facts(client: Client) -> ClientFacts:
    memo: ClientFacts | None = client.__dict__.get(MEMO)
    return memo if memo is not None else load_client_facts([client])[client.id]


def case_facts(case: Case) -> ClientFacts:
    """The client's facts narrowed to one case: who may work on this episode of service."""
    whole = client_facts(case.client)
    workers = whole.case_workers.get(case.id)
    if workers is None:  # a case opened after the facts were loaded
        workers = frozenset(case.workers.values_list("id", flat=True))
    return ClientFacts(
        client_id=whole.client_id,
        agency_id=whole.agency_id,
        team_ids=frozenset({case.team_id}),
        assigned_ids=workers,
        program_ids=frozenset({case.program_id}),
        walled_ids=whole.walled_ids,
        excluded_staff_ids=whole.excluded_staff_ids,
        excluded_program_ids=whole.excluded_program_ids,
        labels=whole.labels,
    )


def client_grants(actor: Actor, clients: Iterable[Client]) -> dict[UUID, dict[str, UUID]]:
    """The actor's live grants per client, {client_id: {kind: grant_id}}, memoized on each
    instance for this actor (an instance lives for one request, so an ended grant still ends
    access at the next one)."""
    items = list(clients)
    load(actor, items)
    return {c.id: c.__dict__[GRANTS_MEMO][actor.user_id] for c in items}


def loaded_grants(actor: Actor, client: Client) -> dict[str, UUID]:
    """The actor's live grants on a client whose grants `load` has loaded: {kind: grant_id}."""
    grants: dict[str, UUID] = client.__dict__[GRANTS_MEMO][actor.user_id]
    return grants
