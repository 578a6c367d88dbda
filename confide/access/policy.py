"""THE access decision: `authorize(actor, action, resource) -> Decision` over the Cedar policy
(`cedar/policies.cedar`), and the SQL prefilters lists start from.

Prefilters implement the client-level rules in SQL (agency, care team, assignment,
supervision, walls, agreed restrictions) so lists and counts are cheap; every row shown is still
decided by `authorize_many`, and a property test proves the two agree.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

from django.db.models import Exists, OuterRef, Q, QuerySet

from confide.access import entities, facts
from confide.access.engine import STAFF_AUDIENCE, Ask, Decision, Entity, decide, evaluate
from confide.consent.enums import RestrictionKind, RestrictionStatus
from confide.consent.models import Restriction
from confide.core.actor import Actor
from confide.core.enums import Role
from confide.records.models import Case, Client, Note
from confide.training.models import ConflictDeclaration

__all__ = ["Action", "Decision", "authorize", "authorize_many", "deny_reason"]

CASEWORK_ROLES = frozenset({Role.PRACTITIONER, Role.SUPERVISOR})
GUARDIAN = "guardian"
STAFF = STAFF_AUDIENCE


class Action(StrEnum):
    CLIENT_VIEW = "client:view"
    CLIENT_VIEW_DEMOGRAPHICS = "client:view_demographics"
    CLIENT_VIEW_LOCATION = "client:view_location"
    CLIENT_SEARCH = "client:search"
    NOTE_VIEW = "note:view"
    NOTE_CREATE = "note:create"
    NOTE_EDIT = "note:edit"
    NOTE_SIGN = "note:sign"
    NOTE_ADDENDUM = "note:addendum"
    ATTACHMENT_VIEW = "attachment:view"
    ATTACHMENT_CREATE = "attachment:create"
    RETENTION_APPROVE = "retention:approve"
    RETENTION_HOLD = "retention:hold"
    DISCLOSURE_REQUEST = "disclosure:request"
    DISCLOSURE_REVIEW = "disclosure:review"
    DISCLOSURE_RELEASE = "disclosure:release"
    CONSENT_VIEW = "consent:view"
    CONSENT_MANAGE = "consent:manage"
    NOTICE_ACKNOWLEDGE = "consent:notice:acknowledge"
    RELEASE_VIEW = "release:view"
    RELEASE_CREATE = "release:create"
    RELEASE_SIGN = "release:sign"
    RELEASE_REVOKE = "release:revoke"


Resource = Client | Case | Note


def _client_of(resource: Resource) -> Client:
    return resource if isinstance(resource, Client) else resource.client


def authorize_many(
    actor: Actor, action: Action, resources: Sequence[Resource], *, audience: str = STAFF
) -> list[Decision]:
    """One batch decision for a page of resources (clients, one case, or notes)."""
    if not resources:
        return []
    clients = [_client_of(r) for r in resources]
    # Facts and grants of every client instance (a page of cases holds one client instance per
    # row) in one query, so none loads alone.
    facts.load(actor, clients)
    asks = []
    for resource, client in zip(resources, clients, strict=True):
        context = entities.context(facts.loaded_grants(actor, client), audience)
        asks.append(Ask(action.value, _resource_entity(actor, resource, client), context))
    return evaluate(entities.principal(actor), asks)


def _resource_entity(actor: Actor, resource: Resource, client: Client) -> Entity:
    if isinstance(resource, Note):
        return entities.note_entity(
            resource,
            facts.client_facts(client),
            author_is_trainee=bool(resource.author.is_trainee),
            agency_hiv_restricted=actor.agency_hiv_restricted,
        )
    if isinstance(resource, Case):
        # The client as seen through this one case, so its entity is keyed by the case: two cases
        # of one client in a batch must not share (and so swap) their teams and workers.
        return entities.client_entity(facts.case_facts(resource), ident=resource.id)
    return entities.client_entity(facts.client_facts(client))


def authorize(
    actor: Actor, action: Action, resource: Resource, *, audience: str = STAFF
) -> Decision:
    """The one decision point for client records."""
    client = _client_of(resource)
    facts.load(actor, (client,))
    context = entities.context(facts.loaded_grants(actor, client), audience)
    ask = Ask(action.value, _resource_entity(actor, resource, client), context)
    return decide(entities.principal(actor), ask)


REASONS = {
    "training.lapsed": "Your confidentiality training has lapsed. Complete it and ask an "
    "administrator to record it to see sensitive (labelled) records again.",
    "training.lapsed.location": "Your confidentiality training has lapsed, so protected "
    "addresses are withheld until it is recorded as complete.",
    "label.dv_location.address": "This address is withheld for the client's safety; only "
    "designated staff can see it.",
}


def deny_reason(decision: Decision) -> str | None:
    """A message explaining a denial, for the denials whose explanation leaks nothing.

    Only when every policy that denied has a message: a record another rule keeps from the actor
    anyway (a colleague's psychotherapy note while training has lapsed) gets none, so the message
    neither promises access that training would not give nor reveals that the record exists.
    """
    if decision.allowed or not all(p in REASONS for p in decision.policy_ids):
        return None
    return REASONS[decision.policy_ids[0]]


# ---- SQL prefilters ---------------------------------------------------------------------


def _not_walled_or_restricted(actor: Actor) -> Q:
    walls = ConflictDeclaration.objects.filter(
        client_id=OuterRef("pk"), user_id=actor.user_id, removed_at=None
    )
    restricted = Restriction.objects.filter(
        client_id=OuterRef("pk"), status=RestrictionStatus.AGREED
    ).filter(
        Q(kind=RestrictionKind.NOT_STAFF, staff_id=actor.user_id)
        | Q(kind=RestrictionKind.NOT_PROGRAM, program_id__in=actor.program_ids)
    )
    return ~Q(Exists(walls)) & ~Q(Exists(restricted))


def grantable_clients(actor: Actor) -> QuerySet[Client]:
    """Clients of the actor's agency that exist for them (no conflict wall, no agreed
    restriction naming them or their programs): where an emergency or review grant may open."""
    return Client.objects.filter(agency_id=actor.agency_id).filter(_not_walled_or_restricted(actor))


def _casework_cases(actor: Actor) -> Q:
    """Cases the actor works on: their teams' and their own; a supervisor's supervisees' too."""
    teams, people = set(actor.team_ids), {actor.user_id}
    if actor.role == Role.SUPERVISOR:
        teams |= actor.supervisee_team_ids
        people |= actor.supervisee_ids
    return Q(team_id__in=teams) | Q(workers__in=people)


def client_prefilter(actor: Actor, action: Action = Action.CLIENT_VIEW) -> QuerySet[Client]:
    """Clients the actor may see for `action` by the client-level rules (exact for them)."""
    base = grantable_clients(actor)
    if actor.role == Role.INTAKE and action in (
        Action.CLIENT_SEARCH,
        Action.CLIENT_VIEW_DEMOGRAPHICS,
    ):
        return base
    if actor.role not in CASEWORK_ROLES:
        return Client.objects.none()
    cases = Case.objects.filter(_casework_cases(actor), client_id=OuterRef("pk"))
    return base.filter(Exists(cases))


def case_prefilter(actor: Actor) -> QuerySet[Case]:
    """Cases on the actor's caseload, minus walled and restricted clients."""
    if actor.role not in CASEWORK_ROLES:
        return Case.objects.none()
    clients = client_prefilter(actor).values("id")
    return (
        Case.objects.filter(agency_id=actor.agency_id, client_id__in=clients)
        .filter(_casework_cases(actor))
        .distinct()
    )


def note_prefilter(actor: Actor, client: Client) -> QuerySet[Note]:
    """A client's notes; `authorize_many` then applies the label and authorship rules."""
    return Note.objects.filter(client=client, agency_id=actor.agency_id)
