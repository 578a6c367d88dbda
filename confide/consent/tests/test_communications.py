"""Confidential communications (45 CFR 164.522(b)): the care team records how a client may be
reached; messaging and the disclosure workflow ask `communication_preferences` before any
contact, and never see an address through it."""

from __future__ import annotations

import uuid

import pytest

from confide.consent.models import CommunicationPreference
from confide.consent.selectors import communication_preferences
from confide.consent.services import communication_preference_set
from confide.consent.tests.support import act
from confide.core.errors import NotFound, ValidationFailed
from confide.ledger.enums import EventType
from confide.ledger.tests.support import events_since, ledger_mark
from confide.testing import World


def _set(world: World, **overrides: object) -> CommunicationPreference:
    arguments: dict[str, object] = {
        "actor": act(world.worker_a),
        "client_id": world.client_a.id,
        "channel": "phone",
        "allowed": True,
        "leave_message": False,
        "address": "555-0199 (cell)",
        "safe_times": "Weekdays 9 to 12",
    }
    arguments.update(overrides)
    return communication_preference_set(**arguments)  # type: ignore[arg-type]


def test_with_nothing_recorded_every_channel_is_allowed_but_no_message_content(
    world: World,
) -> None:
    preferences = communication_preferences(world.client_a.id)
    assert all(preferences.allows(c) for c in ("email", "phone", "text", "mail", "portal"))
    assert not preferences.may_leave_message("phone")


def test_a_forbidden_channel_is_never_allowed_and_keeps_no_address(world: World) -> None:
    mark = ledger_mark()
    saved = _set(world, channel="mail", allowed=False, address="12 Home Rd")
    preferences = communication_preferences(world.client_a.id)
    assert not preferences.allows("mail")
    assert preferences.allows("email")
    assert (saved.address_enc, saved.safe_times_enc) == (None, None)
    (event,) = events_since(mark)
    assert event.event_type == EventType.COMMUNICATION_PREFERENCE_SET
    assert event.details == {"channel": "mail", "allowed": False}
    assert event.client_id == world.client_a.id


def test_a_new_choice_replaces_the_old_one_for_that_channel(world: World) -> None:
    _set(world, allowed=False)
    _set(world, allowed=True, leave_message=True)
    assert CommunicationPreference.objects.filter(client=world.client_a).count() == 1
    preferences = communication_preferences(world.client_a.id)
    assert preferences.allows("phone")
    assert preferences.may_leave_message("phone")


def test_the_address_and_safe_times_are_stored_only_encrypted(world: World) -> None:
    saved = _set(world)
    raw = bytes(CommunicationPreference.objects.get(id=saved.id).address_enc or b"")
    assert raw
    assert b"555-0199" not in raw


def test_an_unknown_channel_name_is_a_programming_error(world: World) -> None:
    with pytest.raises(ValueError, match="unknown channel"):
        communication_preferences(world.client_a.id).allows("pigeon")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("channel", "pigeon"),
        ("allowed", "yes"),
        ("leave_message", 1),
        ("address", "x" * 501),
        ("safe_times", "x" * 201),
        ("address", 42),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(world: World, field: str, value: object) -> None:
    mark = ledger_mark()
    with pytest.raises(ValidationFailed) as caught:
        _set(world, **{field: value})
    assert field in caught.value.fields
    assert not CommunicationPreference.objects.exists()
    assert events_since(mark) == []


@pytest.mark.parametrize("persona", ["other_worker_a", "intake_a", "privacy_a", "admin_a"])
def test_only_the_care_team_records_preferences(world: World, persona: str) -> None:
    with pytest.raises(NotFound):
        _set(world, actor=act(getattr(world, persona)))
    for client_id in (world.client_b.id, uuid.uuid4(), "nonsense"):
        with pytest.raises(NotFound):
            _set(world, client_id=client_id)
    assert not CommunicationPreference.objects.exists()
