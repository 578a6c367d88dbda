"""The facts Confide already knows about a proposed disclosure, for the engine's input.

Owns which facts come from the record rather than from the person asking, and where each came
from (shown on the request page): the agency's state and kind of entity (its disclosure
profile), a Part 2 program among the client's cases, the client's age from the encrypted date
of birth, agreed restrictions on disclosure to a health plan (`consent.selectors`), and the
releases of information on file (`releases.selectors`), matched per requested category. A
staff member answers only the facts Confide cannot know (threats, emergencies, the client's
objection, ...); `STAFF_FACTS` lists them, and a known fact can never be overridden from a form.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from uuid import UUID

from confide.access.policy import Action, authorize_many
from confide.consent.enums import RecipientKind
from confide.consent.selectors import disclosure_limits
from confide.core.actor import Actor
from confide.crypto.envelope import DataKey
from confide.disclosures.engine.facts import EntityType, Recipient
from confide.disclosures.models import DisclosureProfile
from confide.records.enums import NoteStatus
from confide.records.models import Case, Client, Note
from confide.releases.selectors import ReleaseOnFile, releases_on_file, require_active_release

# Facts a staff member may answer; everything else the engine reads is known or derived.
STAFF_FACTS = frozenset(
    {
        "professional_role",
        "client_objects",
        "client_present_and_capable",
        "threat",
        "emergency",
        "abuse_suspected",
        "state_law_flags",
        "other",
    }
)
# Members of `other` a staff member may answer (the rest come from the record).
STAFF_OTHER = frozenset({"client_deceased", "identifying", "encrypted", "affected_count"})


@dataclass(frozen=True)
class KnownFacts:
    """Facts from the record, and for each a plain-language note of its source."""

    facts: dict[str, object]
    sources: dict[str, str] = field(default_factory=dict)


def age_on(born: dt.date, day: dt.date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def client_age(key: DataKey, client: Client, day: dt.date) -> int:
    born = dt.date.fromisoformat(
        key.decrypt_text("records_client.date_of_birth", client.id, client.date_of_birth_enc)
    )
    return age_on(born, day)


def has_part2_case(client: Client) -> bool:
    return Case.objects.filter(client=client, program__is_part2=True).exists()


def known_facts(
    *,
    client: Client,
    key: DataKey,
    profile: DisclosureProfile,
    day: dt.date,
    recipient_type: str,
) -> KnownFacts:
    """What Confide knows for any disclosure of this client's information on `day` (consent is
    per category: `consent_for`)."""
    facts: dict[str, object] = {}
    sources: dict[str, str] = {}
    if has_part2_case(client):
        facts["entity_type"] = EntityType.PART2_PROGRAM.value
        sources["entity_type"] = "a case in a 42 CFR Part 2 program"
    else:
        facts["entity_type"] = profile.entity_type
        sources["entity_type"] = "the agency's disclosure profile"
    facts["jurisdiction_state"] = profile.jurisdiction_state or None
    sources["jurisdiction_state"] = (
        "the agency's disclosure profile" if profile.jurisdiction_state else "not set (unknown)"
    )
    facts["client_age"] = client_age(key, client, day)
    sources["client_age"] = "the date of birth on the record"
    other = restriction_facts(client.id, recipient_type)
    if other:
        facts["other"] = other
        sources["other"] = "an agreed restriction on disclosure to a health plan"
    return KnownFacts(facts, sources)


def restriction_facts(client_id: UUID, recipient_type: str) -> dict[str, object]:
    """`other.restriction_requested` / `paid_in_full_out_of_pocket` when the client has an
    agreed restriction on disclosures to a health plan and the recipient is one (164.522(a))."""
    if recipient_type != Recipient.INSURER_HEALTH_PLAN:
        return {}
    limits = [
        limit
        for limit in disclosure_limits(client_id)
        if limit.recipient_kind == RecipientKind.HEALTH_PLAN
    ]
    if not limits:
        return {}
    return {
        "restriction_requested": True,
        "paid_in_full_out_of_pocket": any(limit.paid_in_full for limit in limits),
    }


@dataclass(frozen=True)
class Scope:
    """What a request asks for, as releases on file are matched against it."""

    purpose: str
    recipient_type: str
    date_from: dt.date
    date_to: dt.date


def _consent_of(release: ReleaseOnFile, scope: Scope, category: str) -> dict[str, object]:
    consent = release.engine_consent(
        purpose=scope.purpose, recipient_type=scope.recipient_type, info_category=category
    )
    consent["scope_covers_request"] = release.covers(
        purpose=scope.purpose,
        recipient_type=scope.recipient_type,
        info_category=category,
        records_from=scope.date_from,
        records_to=scope.date_to,
    )
    return consent


def consent_for(
    client_id: UUID, scope: Scope, categories: list[str], *, day: dt.date, chosen: UUID | None
) -> tuple[dict[str, dict[str, object]], dict[str, str]]:
    """The engine's `consent` fact for each category, from the releases on file, and the id of
    the release each rests on ("" when none).

    A release the staff member named must be in effect (else ReleaseNotUsable, or NotFound for
    another client's or a forged id). Otherwise the first active release to this kind of
    recipient that covers the request is used; failing that, the nearest one (active, then any)
    so the engine sees it out of scope, expired or revoked; with no release to this kind of
    recipient, consent is known to be absent.
    """
    if chosen is not None:
        named = require_active_release(chosen, client_id, day)
        return (
            {c: _consent_of(named, scope, c) for c in categories},
            dict.fromkeys(categories, str(named.id)),
        )
    on_file = [
        r for r in releases_on_file(client_id, on=day) if r.recipient_type == scope.recipient_type
    ]
    consents: dict[str, dict[str, object]] = {}
    used: dict[str, str] = {}
    for category in categories:
        release = _best(on_file, scope, category)
        if release is None:
            consents[category] = {"present": False, "type": "none"}
            used[category] = ""
        else:
            consents[category] = _consent_of(release, scope, category)
            used[category] = str(release.id)
    return consents, used


def _best(on_file: list[ReleaseOnFile], scope: Scope, category: str) -> ReleaseOnFile | None:
    active = [r for r in on_file if r.is_active]
    covering = [r for r in active if _consent_of(r, scope, category)["scope_covers_request"]]
    for group in (covering, active, on_file):
        if group:
            return group[0]
    return None


def categories_in_range(
    actor: Actor, client: Client, start: dt.date, end: dt.date
) -> dict[str, int]:
    """How many signed notes dated in the range fall in each category, by their sensitivity
    labels, among the notes the actor may read (so the count reveals nothing else). Shown with
    the decision: a labelled note goes out only if its own category was requested and allowed.
    """
    from confide.disclosures.decisions import note_categories

    notes = list(
        Note.objects.filter(
            client=client,
            status=NoteStatus.SIGNED,
            occurred_on__gte=start,
            occurred_on__lte=end,
        ).select_related("author", "case")
    )
    for note in notes:
        note.client = client
    counts: dict[str, int] = {}
    for note, decision in zip(notes, authorize_many(actor, Action.NOTE_VIEW, notes), strict=True):
        if decision.allowed:
            for category in note_categories(note.kind, note.labels):
                counts[category] = counts.get(category, 0) + 1
    return dict(sorted(counts.items()))
