"""Ids from untrusted input: malformed, unknown and out-of-scope ids all read as "not found"."""

from __future__ import annotations

import uuid

import pytest

from confide.core.errors import NotFound
from confide.core.ids import parse_id, row_or_not_found
from confide.records.models import Client
from confide.testing import World


@pytest.mark.parametrize("raw", ["", "x", "1' OR 1=1", "0" * 33, 12, None, b"\x00", [1], {}])
def test_anything_but_a_uuid_parses_to_none(raw: object) -> None:
    assert parse_id(raw) is None


def test_a_uuid_or_its_text_parses_to_itself() -> None:
    ident = uuid.uuid4()
    assert parse_id(ident) is ident
    assert parse_id(str(ident)) == ident
    assert parse_id(str(ident).upper()) == ident


def test_the_row_in_scope_is_found_by_uuid_or_text(world: World) -> None:
    rows = Client.objects.filter(agency_id=world.agency_a.id)
    assert row_or_not_found(rows, world.client_a.id, "client") == world.client_a
    assert row_or_not_found(rows, str(world.client_a.id), "client") == world.client_a


@pytest.mark.parametrize("raw", ["not-an-id", "", None, 42, str(uuid.uuid4())])
def test_malformed_and_unknown_ids_are_not_found(world: World, raw: object) -> None:
    rows = Client.objects.filter(agency_id=world.agency_a.id)
    with pytest.raises(NotFound, match="No such client"):
        row_or_not_found(rows, raw, "client")


def test_another_agencys_row_is_not_found_like_a_forged_one(world: World) -> None:
    rows = Client.objects.filter(agency_id=world.agency_a.id)
    with pytest.raises(NotFound) as other_agency:
        row_or_not_found(rows, world.client_b.id, "client")
    with pytest.raises(NotFound) as forged:
        row_or_not_found(rows, uuid.uuid4(), "client")
    assert str(other_agency.value) == str(forged.value)
