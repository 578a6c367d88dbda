"""What the policy needs to know about clients, notes and grants, loaded in batches and turned
into Cedar entities. Loaded per request (memoized on the model instance only), so a new wall,
restriction, assignment or grant takes effect at the next request."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from confide.access.engine import entity, uid
from confide.access.models import AccessGrant, GrantKind
from confide.consent.enums import RestrictionKind, RestrictionStatus
from confide.consent.models import Restriction
from confide.core import clock
from confide.core.actor import Actor
from confide.records.models import Case, Client, Note
from confide.training.models import ConflictDeclaration

MEMO = "_access_facts"


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
    # Each case of the client (loaded with the facts) -> its individually assigned workers.
    case_workers: Mapping[UUID, frozenset[UUID]] = field(
        default_factory=dict, compare=False, hash=False
    )


def _group(rows: Iterable[tuple[UUID, UUID | None]]) -> dict[UUID, set[UUID]]:
    grouped: dict[UUID, set[UUID]] = defaultdict(set)
    for key, value in rows:
        if value is not None:
            grouped[key].add(value)
    return grouped


def load_client_facts(clients: Iterable[Client]) -> dict[UUID, ClientFacts]:
    """Facts for many clients in three queries; memoized on each client instance."""
    pending = [c for c in clients if MEMO not in c.__dict__]
    ids = [c.id for c in pending]
    if ids:
        # One row per case and assigned worker (or per case with none: worker None).
        cases = list(
            Case.objects.filter(client_id__in=ids).values_list(
                "client_id", "id", "team_id", "program_id", "workers"
            )
        )
        walls = _group(
            ConflictDeclaration.objects.filter(client_id__in=ids, removed_at=None).values_list(
                "client_id", "user_id"
            )
        )
        agreed = list(
            Restriction.objects.filter(
                client_id__in=ids, status=RestrictionStatus.AGREED
            ).values_list("client_id", "kind", "staff_id", "program_id")
        )
        teams = _group((c, t) for c, _, t, _, _ in cases)
        programs = _group((c, p) for c, _, _, p, _ in cases)
        workers = _group((c, w) for c, _, _, _, w in cases)
        per_case: dict[UUID, dict[UUID, set[UUID]]] = defaultdict(dict)
        for c, case_id, _, _, w in cases:
            assigned = per_case[c].setdefault(case_id, set())
            if w is not None:
                assigned.add(w)
        staff = _group((c, s) for c, k, s, _ in agreed if k == RestrictionKind.NOT_STAFF)
        progs = _group((c, p) for c, k, _, p in agreed if k == RestrictionKind.NOT_PROGRAM)
        for client in pending:
            client.__dict__[MEMO] = ClientFacts(
                client_id=client.id,
                agency_id=client.agency_id,
                team_ids=frozenset(teams[client.id]),
                assigned_ids=frozenset(workers[client.id]),
                program_ids=frozenset(programs[client.id]),
                walled_ids=frozenset(walls[client.id]),
                excluded_staff_ids=frozenset(staff[client.id]),
                excluded_program_ids=frozenset(progs[client.id]),
                labels=frozenset(client.labels or ()),
                case_workers={k: frozenset(v) for k, v in per_case[client.id].items()},
            )
    return {c.id: c.__dict__[MEMO] for c in clients}


def client_facts(client: Client) -> ClientFacts:
    return load_client_facts([client])[client.id]


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


def active_grants(actor: Actor, client_ids: Iterable[UUID]) -> dict[UUID, dict[str, UUID]]:
    """The actor's live grants per client: {client_id: {kind: grant_id}}."""
    now = clock.now()
    rows = AccessGrant.objects.filter(
        user_id=actor.user_id,
        agency_id=actor.agency_id,
        client_id__in=list(client_ids),
        starts_at__lte=now,
        expires_at__gt=now,
        revoked_at=None,
    ).values_list("client_id", "kind", "id")
    grants: dict[UUID, dict[str, UUID]] = defaultdict(dict)
    for client_id, kind, grant_id in rows:
        grants[client_id][kind] = grant_id
    return grants


GRANTS_MEMO = "_access_grants"


def client_grants(actor: Actor, clients: Iterable[Client]) -> dict[UUID, dict[str, UUID]]:
    """`active_grants` for client instances, memoized on each instance for this actor (an
    instance lives for one request, so an ended grant still ends access at the next one)."""
    items = list(clients)
    pending = [c for c in items if actor.user_id not in c.__dict__.get(GRANTS_MEMO, {})]
    if pending:
        found = active_grants(actor, {c.id for c in pending})
        for client in pending:
            client.__dict__.setdefault(GRANTS_MEMO, {})[actor.user_id] = dict(
                found.get(client.id, {})
            )
    return {c.id: c.__dict__[GRANTS_MEMO][actor.user_id] for c in items}


def context(grants: dict[str, UUID], audience: str) -> dict[str, Any]:
    return {
        "break_glass": GrantKind.BREAK_GLASS in grants,
        "review_purpose": GrantKind.PRIVACY_REVIEW in grants,
        "audience": audience,
    }


def _refs(kind: str, ids: Iterable[UUID]) -> list[dict[str, dict[str, str]]]:
    return [uid(kind, i) for i in sorted(ids)]


def user_entity(actor: Actor) -> dict[str, Any]:
    return entity(
        "User",
        actor.user_id,
        {
            "agency": uid("Agency", actor.agency_id),
            "role": actor.role.value,
            "teams": _refs("Team", actor.team_ids),
            "programs": _refs("Program", actor.program_ids),
            "part2_programs": _refs("Program", actor.part2_program_ids),
            "supervisees": _refs("User", actor.supervisee_ids),
            "supervisee_teams": _refs("Team", actor.supervisee_team_ids),
            "training_current": actor.training_current,
            "dv_designated": actor.dv_designated,
            "hiv_designated": actor.hiv_designated,
        },
    )


def _shared(facts: ClientFacts) -> dict[str, Any]:
    return {
        "agency": uid("Agency", facts.agency_id),
        "teams": _refs("Team", facts.team_ids),
        "assigned": _refs("User", facts.assigned_ids),
        "walled": _refs("User", facts.walled_ids),
        "excluded_staff": _refs("User", facts.excluded_staff_ids),
        "excluded_programs": _refs("Program", facts.excluded_program_ids),
    }


def client_entity(facts: ClientFacts, ident: UUID | None = None) -> dict[str, Any]:
    """The client as a Cedar entity; `ident` names a narrowed view of it (one case's)."""
    return entity(
        "Client",
        facts.client_id if ident is None else ident,
        {
            **_shared(facts),
            "programs": _refs("Program", facts.program_ids),
            "labels": sorted(facts.labels),
        },
    )


def note_entity(
    note: Note, facts: ClientFacts, *, author_is_trainee: bool, agency_hiv_restricted: bool
) -> dict[str, Any]:
    return entity(
        "Note",
        note.id,
        {
            **_shared(facts),
            "client": uid("Client", facts.client_id),
            "program": uid("Program", note.case.program_id),
            "author": uid("User", note.author_id),
            "author_is_trainee": author_is_trainee,
            "agency_hiv_restricted": agency_hiv_restricted,
            "kind": note.kind,
            "labels": sorted(set(note.labels or ())),
            "client_labels": sorted(facts.labels),
        },
    )
