"""Decisions: `authorize(actor, action, resource) -> Decision`, and the SQL prefilters that lists
use. The prefilters may only over-approximate; `authorize` is the authority."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from uuid import UUID

from django.db.models import QuerySet

from confide.core.actor import Actor
from confide.core.enums import Role
from confide.records.enums import NoteKind
from confide.records.models import Case, Client, Note

CASEWORK_ROLES = frozenset({Role.PRACTITIONER, Role.SUPERVISOR})


class Action(StrEnum):
    CLIENT_VIEW = "records:client:view"
    CLIENT_SEARCH = "records:client:search"
    NOTE_VIEW = "records:note:view"
    NOTE_CREATE = "records:note:create"
    NOTE_EDIT = "records:note:edit"
    NOTE_SIGN = "records:note:sign"
    NOTE_ADDENDUM = "records:note:addendum"
    ATTACHMENT_VIEW = "records:attachment:view"
    ATTACHMENT_CREATE = "records:attachment:create"


@dataclass(frozen=True)
class Decision:
    allowed: bool
    policy_ids: tuple[str, ...]


DENY_DEFAULT = Decision(False, ("default.deny",))


def _client_team_ids(client: Client) -> frozenset[UUID]:
    """Teams the client's cases are assigned to, loaded once per client object (per request:
    no process-wide cache, so a reassignment takes effect at the next request)."""
    cached: frozenset[UUID] | None = client.__dict__.get("_access_team_ids")
    if cached is None:
        cached = frozenset(
            Case.objects.filter(client_id=client.id).values_list("team_id", flat=True)
        )
        client.__dict__["_access_team_ids"] = cached
    return cached


def _client_decision(actor: Actor, client: Client) -> Decision:
    if client.agency_id != actor.agency_id:
        return Decision(False, ("agency.boundary",))
    if actor.role not in CASEWORK_ROLES:
        return Decision(False, ("role.no_client_content",))
    if not _client_team_ids(client) & actor.team_ids:
        return DENY_DEFAULT
    return Decision(True, (f"care_team.{actor.role.value}",))


def _case_decision(actor: Actor, case: Case) -> Decision:
    if case.agency_id != actor.agency_id:
        return Decision(False, ("agency.boundary",))
    if actor.role not in CASEWORK_ROLES or case.team_id not in actor.team_ids:
        return DENY_DEFAULT
    return Decision(True, (f"care_team.{actor.role.value}",))


def _note_decision(actor: Actor, action: Action, note: Note) -> Decision:
    base = _client_decision(actor, note.client)
    if not base.allowed:
        return base
    is_author = note.author_id == actor.user_id
    if note.kind == NoteKind.PSYCHOTHERAPY and not is_author:
        return Decision(False, ("label.psychotherapy.author_only",))
    if action == Action.NOTE_SIGN and not is_author:
        return Decision(False, ("note.sign.author_only",))
    return base


def authorize(actor: Actor, action: Action, resource: Client | Case | Note) -> Decision:
    """The one decision point for client records."""
    if isinstance(resource, Note):
        return _note_decision(actor, action, resource)
    if isinstance(resource, Case):
        return _case_decision(actor, resource)
    return _client_decision(actor, resource)


def client_prefilter(actor: Actor) -> QuerySet[Client]:
    """Clients that may be visible to the actor (never fewer than `authorize` allows)."""
    if actor.role not in CASEWORK_ROLES:
        return Client.objects.none()
    return Client.objects.filter(
        agency_id=actor.agency_id, cases__team_id__in=actor.team_ids
    ).distinct()


def case_prefilter(actor: Actor) -> QuerySet[Case]:
    if actor.role not in CASEWORK_ROLES:
        return Case.objects.none()
    return Case.objects.filter(agency_id=actor.agency_id, team_id__in=actor.team_ids)


def note_prefilter(actor: Actor, client: Client) -> QuerySet[Note]:
    """Notes of a client the actor may see: psychotherapy notes only for their author."""
    from django.db.models import Q

    return Note.objects.filter(client=client, agency_id=actor.agency_id).filter(
        ~Q(kind=NoteKind.PSYCHOTHERAPY) | Q(author_id=actor.user_id)
    )
