"""The Cedar entities of a decision, as JSON text: the actor (principal), and a client, a client
seen through one case, or a note, from the facts `access.facts` loaded for this request.

Text is written directly rather than by dumping dicts: these run for every decision, and the
schema (`cedar/schema.cedarschema`) is the contract. Ids are UUIDs (no character needs escaping);
strings from the database go through `json.dumps`. Sets are sorted, so alike content is alike
text, which is what lets `engine.evaluate` ask alike questions once. A client's (and a note's)
agency and teams are the entity's parents, which Cedar parses several times faster than entity
references in attributes (docs/decisions/0013).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Collection
from uuid import UUID

from confide.access.engine import NAMESPACE, Entity, Principal, context_text
from confide.access.facts import ClientFacts
from confide.access.models import GrantKind
from confide.core.actor import Actor
from confide.records.models import Note

CLIENT = f"{NAMESPACE}::Client"
NOTE = f"{NAMESPACE}::Note"


def _ref(kind: str, ident: UUID) -> str:
    return f'{{"__entity":{{"type":"{NAMESPACE}::{kind}","id":"{ident}"}}}}'


def _refs(kind: str, idents: Collection[UUID]) -> str:
    if not idents:  # the usual case for walls, restrictions and assignments
        return "[]"
    return "[" + ",".join([_ref(kind, i) for i in sorted(idents)]) + "]"


def _parent(kind: str, ident: UUID) -> str:
    return f'{{"type":"{NAMESPACE}::{kind}","id":"{ident}"}}'


def _strings(values: Collection[str]) -> str:
    return json.dumps(sorted(set(values))) if values else "[]"


def _bool(value: bool) -> str:
    return "true" if value else "false"


def user_text(actor: Actor) -> str:
    """The actor's entity document (a list of one entity)."""
    attrs = ",".join(
        [
            f'"agency":{_ref("Agency", actor.agency_id)}',
            f'"role":{json.dumps(actor.role.value)}',
            f'"teams":{_refs("Team", actor.team_ids)}',
            f'"programs":{_refs("Program", actor.program_ids)}',
            f'"part2_programs":{_refs("Program", actor.part2_program_ids)}',
            f'"supervisees":{_refs("User", actor.supervisee_ids)}',
            f'"supervisee_teams":{_refs("Team", actor.supervisee_team_ids)}',
            f'"training_current":{_bool(actor.training_current)}',
            f'"dv_designated":{_bool(actor.dv_designated)}',
            f'"hiv_designated":{_bool(actor.hiv_designated)}',
        ]
    )
    uid = f'{{"type":"{NAMESPACE}::User","id":"{actor.user_id}"}}'
    return f'[{{"uid":{uid},"attrs":{{{attrs}}},"parents":[]}}]'


@functools.lru_cache(maxsize=256)
def principal(actor: Actor) -> Principal:
    """The actor's entity, keyed by the whole Actor value: content-addressed (the Actor is rebuilt
    from the database at every request, and any change makes a new key), so it can never be
    stale; it spares rebuilding the same text for every decision."""
    return Principal(str(actor.user_id), user_text(actor), actor.role.value)


def context(grants: dict[str, UUID], audience: str) -> str:
    """The request context: the actor's live grants on the client, and who the output is for."""
    return context_text(
        GrantKind.BREAK_GLASS in grants, GrantKind.PRIVACY_REVIEW in grants, audience
    )


def _placed(facts: ClientFacts) -> tuple[str, str]:
    """Where the client's record sits (its agency and teams, as parents) and the client-level
    facts every resource of theirs carries."""
    parents = ",".join(
        [_parent("Agency", facts.agency_id), *[_parent("Team", t) for t in sorted(facts.team_ids)]]
    )
    return (
        f'"assigned":{_refs("User", facts.assigned_ids)},'
        f'"walled":{_refs("User", facts.walled_ids)},'
        f'"excluded_staff":{_refs("User", facts.excluded_staff_ids)},'
        f'"excluded_programs":{_refs("Program", facts.excluded_program_ids)}'
    ), parents


_ENTITY_MEMO = "_cedar_entity"


def client_entity(facts: ClientFacts, ident: UUID | None = None) -> Entity:
    """The client as a Cedar entity; `ident` names a narrowed view of it (one case's).

    The client's own entity is a pure function of its facts, so it is written once per facts
    value and kept beside them (facts live for one request, `access.facts`): a request's several
    decisions about one client share it."""
    if ident is not None:
        return _client_entity(facts, ident)
    known: Entity | None = facts.__dict__.get(_ENTITY_MEMO)
    if known is None:
        # The facts are frozen; their memo slot is not one of their fields.
        known = facts.__dict__[_ENTITY_MEMO] = _client_entity(facts, facts.client_id)
    return known


def _client_entity(facts: ClientFacts, ident: UUID) -> Entity:
    shared, parents = _placed(facts)
    content = f'"attrs":{{{shared},"labels":{_strings(facts.labels)}}},"parents":[{parents}]'
    return Entity(CLIENT, str(ident), content)


def note_entity(
    note: Note, facts: ClientFacts, *, author_is_trainee: bool, agency_hiv_restricted: bool
) -> Entity:
    """A note: where its client sits, the client's facts, and the note's own program, author and
    labels."""
    shared, parents = _placed(facts)
    program = facts.case_programs.get(note.case_id) or note.case.program_id
    attrs = ",".join(
        [
            shared,
            f'"program":{_ref("Program", program)}',
            f'"author":{_ref("User", note.author_id)}',
            f'"author_is_trainee":{_bool(author_is_trainee)}',
            f'"agency_hiv_restricted":{_bool(agency_hiv_restricted)}',
            f'"labels":{_strings(note.labels or ())}',
            f'"client_labels":{_strings(facts.labels)}',
        ]
    )
    return Entity(NOTE, str(note.id), f'"attrs":{{{attrs}}},"parents":[{parents}]')
