"""Contacts (45 CFR 164.510(b)) and personal representatives (164.502(g)): recorded by the care
team with their details encrypted, the client's agreement or objection kept, every step on the
ledger; other modules read representatives without names, and guardian-facing output leaves
out what a minor consented to alone."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from confide.consent.models import Contact, PersonalRepresentative
from confide.consent.selectors import (
    consent_record_get,
    contact_permissions,
    guardian_may_see,
    personal_representatives,
)
from confide.consent.services import (
    PersonInput,
    contact_add,
    contact_decide,
    contact_end,
    representative_add,
    representative_end,
)
from confide.consent.tests.support import act
from confide.core import clock
from confide.core.errors import Conflict, NotFound, ValidationFailed
from confide.ledger.enums import EventType
from confide.ledger.tests.support import events_since, ledger_mark, types_since
from confide.records import services as records
from confide.records.models import Client
from confide.testing import World

SISTER = PersonInput(name="Ada Quenby", relationship="sister", phone="555-0142")


def _contact(world: World, **overrides: object) -> Contact:
    arguments: dict[str, object] = {
        "actor": act(world.worker_a),
        "client_id": world.client_a.id,
        "kind": "family",
        "person": SISTER,
        "may_be_told": ["appointments", "general_condition"],
        "decision": "agreed",
    }
    arguments.update(overrides)
    return contact_add(**arguments)  # type: ignore[arg-type]


def test_a_contact_is_recorded_encrypted_with_what_they_may_be_told(world: World) -> None:
    mark = ledger_mark()
    contact = _contact(world)
    assert contact.may_be_told == ["appointments", "general_condition"]
    assert b"Ada" not in bytes(Contact.objects.get(id=contact.id).details_enc)
    (event,) = events_since(mark)
    assert event.event_type == EventType.CONTACT_ADDED
    assert event.details == {
        "kind": "family",
        "decision": "agreed",
        "may_be_told": ["appointments", "general_condition"],
    }
    assert "Ada" not in str(event.details)


def test_an_objection_means_they_are_told_nothing(world: World) -> None:
    contact = _contact(world, decision="objected")
    assert contact.may_be_told == []
    changed = contact_decide(
        actor=act(world.worker_a),
        contact_id=contact.id,
        decision="agreed",
        may_be_told=["emergency"],
    )
    assert (changed.decision, changed.may_be_told) == ("agreed", ["emergency"])
    contact_end(actor=act(world.worker_a), contact_id=contact.id)
    with pytest.raises(Conflict):
        contact_decide(
            actor=act(world.worker_a), contact_id=contact.id, decision="objected", may_be_told=[]
        )
    with pytest.raises(Conflict):
        contact_end(actor=act(world.worker_a), contact_id=contact.id)


def test_other_modules_read_what_each_contact_may_be_told_without_names(world: World) -> None:
    agreed = _contact(world)
    objected = _contact(world, decision="objected")
    removed = _contact(world)
    contact_end(actor=act(world.worker_a), contact_id=removed.id)
    permissions = {p.id: p for p in contact_permissions(world.client_a.id)}
    assert set(permissions) == {agreed.id, objected.id}
    assert permissions[agreed.id].may_tell("appointments")
    assert not permissions[agreed.id].may_tell("payment")
    assert not permissions[objected.id].may_tell("appointments")


@pytest.mark.parametrize(
    ("field", "overrides"),
    [
        ("kind", {"kind": "lover"}),
        ("name", {"person": PersonInput(name="")}),
        ("name", {"person": PersonInput(name="x" * 201)}),
        ("phone", {"person": PersonInput(name="A", phone="1" * 201)}),
        ("may_be_told", {"may_be_told": ["everything"]}),
        ("may_be_told", {"may_be_told": "appointments"}),
        ("may_be_told", {"may_be_told": []}),
        ("decision", {"decision": "maybe"}),
        ("decided_on", {"decided_on": "2025-01-01"}),
        ("decided_on", {"decided_on": dt.date(2999, 1, 1)}),
    ],
)
def test_bad_contacts_are_refused_and_change_nothing(
    world: World, field: str, overrides: dict[str, object]
) -> None:
    mark = ledger_mark()
    with pytest.raises(ValidationFailed) as caught:
        _contact(world, **overrides)
    assert field in caught.value.fields
    assert not Contact.objects.exists()
    assert events_since(mark) == []


@pytest.mark.parametrize("persona", ["other_worker_a", "intake_a", "privacy_a", "worker_b"])
def test_only_the_care_team_records_or_changes_contacts(world: World, persona: str) -> None:
    contact = _contact(world)
    with pytest.raises(NotFound):
        _contact(world, actor=act(getattr(world, persona)))
    with pytest.raises(NotFound):
        contact_end(actor=act(getattr(world, persona)), contact_id=contact.id)
    for bad in (uuid.uuid4(), "nonsense"):
        with pytest.raises(NotFound):
            contact_end(actor=act(world.worker_a), contact_id=bad)
    assert Contact.objects.get(id=contact.id).ended_at is None


# ---- representatives -------------------------------------------------------------------------

MOTHER = PersonInput(name="Iris Quenby", relationship="mother", phone="555-0177")


def _representative(world: World, **overrides: object) -> PersonalRepresentative:
    arguments: dict[str, object] = {
        "actor": act(world.worker_a),
        "client_id": world.client_a.id,
        "kind": "parent",
        "scope": ["all_health_care"],
        "person": MOTHER,
        "authority": "Parent of a minor (birth certificate seen)",
        "starts_on": dt.date(2025, 1, 1),
    }
    arguments.update(overrides)
    return representative_add(**arguments)  # type: ignore[arg-type]


def test_a_representative_is_linked_with_the_scope_of_their_authority(world: World) -> None:
    mark = ledger_mark()
    rep = _representative(world, scope=["education", "mental_health"])
    assert rep.scope == ["mental_health", "education"]
    assert b"Iris" not in bytes(PersonalRepresentative.objects.get(id=rep.id).details_enc)
    assert types_since(mark) == [EventType.REPRESENTATIVE_ADDED]
    (found,) = personal_representatives(world.client_a.id)
    assert (found.id, found.kind, found.scope) == (rep.id, "parent", ("mental_health", "education"))
    assert found.is_guardian_of_a_minor


def test_representatives_out_of_force_are_not_listed(world: World) -> None:
    today = clock.today()
    _representative(world, starts_on=today + dt.timedelta(days=5))
    _representative(
        world, starts_on=today - dt.timedelta(days=50), ends_on=today - dt.timedelta(days=1)
    )
    ended = _representative(world, kind="guardian")
    representative_end(actor=act(world.worker_a), representative_id=ended.id, reason="endangerment")
    assert personal_representatives(world.client_a.id) == []
    with pytest.raises(Conflict):
        representative_end(
            actor=act(world.worker_a), representative_id=ended.id, reason="authority_ended"
        )


@pytest.mark.parametrize(
    ("field", "overrides"),
    [
        ("kind", {"kind": "uncle"}),
        ("scope", {"scope": []}),
        ("scope", {"scope": ["everything"]}),
        ("authority", {"authority": ""}),
        ("starts_on", {"starts_on": None}),
        ("ends_on", {"ends_on": dt.date(2024, 1, 1)}),
        ("name", {"person": PersonInput(name=" ")}),
    ],
)
def test_bad_representatives_are_refused_and_change_nothing(
    world: World, field: str, overrides: dict[str, object]
) -> None:
    with pytest.raises(ValidationFailed) as caught:
        _representative(world, **overrides)
    assert field in caught.value.fields
    assert not PersonalRepresentative.objects.exists()


def test_an_unknown_end_reason_is_refused(world: World) -> None:
    rep = _representative(world)
    with pytest.raises(ValidationFailed):
        representative_end(actor=act(world.worker_a), representative_id=rep.id, reason="bored")
    assert PersonalRepresentative.objects.get(id=rep.id).ended_at is None


def test_guardian_output_leaves_out_what_a_minor_consented_to_alone(world: World) -> None:
    worker = act(world.worker_a)
    alone = records.note_create(
        actor=worker,
        case_id=world.case_of(world.client_a).id,
        kind="progress",
        body="Counselling the minor sought alone.",
        labels=["minor_consented"],
    )
    shared = world.note(world.worker_a, world.client_a)
    assert guardian_may_see(worker, [alone, shared]) == [False, True]
    assert guardian_may_see(worker, [world.client_a]) == [True]
    Client.objects.filter(id=world.client_a.id).update(labels=["minor_consented"])
    client = Client.objects.get(id=world.client_a.id)
    assert guardian_may_see(worker, [client]) == [False]


# ---- the consent page's reader -----------------------------------------------------------------


def test_the_consent_record_decrypts_for_the_care_team_and_is_on_the_ledger(world: World) -> None:
    _contact(world)
    _representative(world)
    mark = ledger_mark()
    record = consent_record_get(actor=act(world.worker_a), client_id=world.client_a.id)
    assert [c.name for c in record.contacts] == ["Ada Quenby"]
    assert [r.name for r in record.representatives] == ["Iris Quenby"]
    assert len(record.preferences) == 5
    (event,) = events_since(mark)
    assert event.event_type == EventType.CONSENT_VIEWED
    assert event.client_id == world.client_a.id


@pytest.mark.parametrize("persona", ["other_worker_a", "intake_a", "privacy_a", "worker_b"])
def test_the_consent_record_is_hidden_from_everyone_else(world: World, persona: str) -> None:
    mark = ledger_mark()
    with pytest.raises(NotFound):
        consent_record_get(actor=act(getattr(world, persona)), client_id=world.client_a.id)
    assert events_since(mark) == []


def test_after_crypto_shredding_the_sealed_details_are_unreadable_not_an_error(
    world: World,
) -> None:
    from confide.consent.sealed import UNREADABLE
    from confide.crypto.shred import destroy_client_material

    _contact(world)
    _representative(world)
    destroy_client_material(world.client_a.id)
    record = consent_record_get(actor=act(world.worker_a), client_id=world.client_a.id)
    assert [c.name for c in record.contacts] == [UNREADABLE]
    assert [r.name for r in record.representatives] == [UNREADABLE]
    assert record.contacts[0].decision == "agreed"  # the kind of answer stays, not who
