"""Blind indexes: planner, per-index and per-agency keys, normalization, rows, and lookups that
filter the planned false positives after decryption."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.db import transaction
from pytest_django import Settings

from confide.crypto import blind_index
from confide.crypto.blind_index import (
    IDENTIFIER,
    NAME_DOB,
    PHONE_LAST4,
    IndexVersion,
    normalize,
    plan_bits,
)
from confide.crypto.models import BlindIndexRow, IndexKey
from confide.ledger.models import Event
from confide.records import selectors
from confide.records.models import Client
from confide.testing import World, actor, make_client

NAMES = [f"Person {n} Example" for n in range(12)]
AGENCY_1, AGENCY_2 = uuid.uuid4(), uuid.uuid4()


@pytest.fixture
def version() -> IndexVersion:
    return IndexVersion(
        1, "active", bytes(range(32)), {NAME_DOB: 12, PHONE_LAST4: 12, IDENTIFIER: 12}
    )


# ---- planner ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("population", "fp", "domain", "bits"),
    [
        (100_000, 4, None, 14),  # 100000/4 = 25000 -> 2**14 = 16384 buckets, ~6 per value
        (20_000, 4, None, 12),
        (1_000, 2, None, 8),
        (10, 4, None, 1),  # tiny agencies still truncate to at least one bit
        (1, 1, None, 1),
        (10**12, 1, None, 32),  # capped
        (100_000, 4, 10_000, 12),  # a 10,000-value domain: every value covers >= 2 plaintexts
        (1_000, 4, 10_000, 7),
    ],
)
def test_the_planner_picks_bits_so_a_few_rows_share_each_value(
    population: int, fp: int, domain: int | None, bits: int
) -> None:
    assert plan_bits(population, fp, domain) == bits
    if population > fp * 2:
        per_value = population / 2**bits
        assert fp <= per_value


@pytest.mark.parametrize(("population", "fp"), [(0, 4), (-5, 4), (100, 0), (100, -1)])
def test_the_planner_refuses_nonsense(population: int, fp: int) -> None:
    with pytest.raises(ValueError, match="population"):
        plan_bits(population, fp)


def test_the_plan_follows_settings(settings: Settings) -> None:
    settings.CONFIDE_BLIND_INDEX_POPULATION = 100_000
    settings.CONFIDE_BLIND_INDEX_FALSE_POSITIVES = 4
    assert blind_index.current_plan() == {NAME_DOB: 14, PHONE_LAST4: 12, IDENTIFIER: 14}


# ---- keys and values --------------------------------------------------------------------------


def test_the_same_input_gives_the_same_value(version: IndexVersion) -> None:
    parts = ("Ada Lovelace", "1815-12-10")
    assert version.value(NAME_DOB, AGENCY_1, parts) == version.value(NAME_DOB, AGENCY_1, parts)


def test_values_are_truncated_to_the_planned_width(version: IndexVersion) -> None:
    values = {version.value(NAME_DOB, AGENCY_1, (name,)) for name in NAMES}
    assert all(0 <= value < 2**12 for value in values)
    assert len(values) > 1
    narrow = IndexVersion(1, "active", version.root, {NAME_DOB: 3})
    assert all(0 <= narrow.value(NAME_DOB, AGENCY_1, (n,)) < 8 for n in NAMES)


def test_each_agency_and_each_index_has_its_own_key(version: IndexVersion) -> None:
    keys = {
        version.key(NAME_DOB, AGENCY_1),
        version.key(NAME_DOB, AGENCY_2),
        version.key(IDENTIFIER, AGENCY_1),
    }
    assert len(keys) == 3
    assert version.key(NAME_DOB, AGENCY_1) == version.key(NAME_DOB, AGENCY_1)
    other_root = IndexVersion(2, "active", bytes(32), version.bits)
    assert other_root.key(NAME_DOB, AGENCY_1) != version.key(NAME_DOB, AGENCY_1)


def test_another_agency_or_index_gives_other_values(version: IndexVersion) -> None:
    first = [version.value(NAME_DOB, AGENCY_1, (name,)) for name in NAMES]
    assert first != [version.value(NAME_DOB, AGENCY_2, (name,)) for name in NAMES]
    assert first != [version.value(IDENTIFIER, AGENCY_1, (name,)) for name in NAMES]


def test_normalization_ignores_case_spacing_width_and_composition() -> None:
    assert normalize("  Rosalind   QUENBY\t") == "rosalind quenby"
    assert normalize("\uff32\uff4f\uff53\uff41\uff4c\uff49\uff4e\uff44") == "rosalind"  # full width
    assert normalize("Jose\u0301") == normalize("Jos\u00e9")  # decomposed vs composed
    assert normalize("STRASSE") == normalize("straße")
    assert normalize("José") != normalize("Jose")  # accents are not dropped


def test_the_parts_are_kept_apart(version: IndexVersion) -> None:
    # "ab" + "c" must not be the same message as "a" + "bc".
    joined = [version.value(NAME_DOB, AGENCY_1, (f"{name}x", "y")) for name in NAMES]
    split = [version.value(NAME_DOB, AGENCY_1, (name, "xy")) for name in NAMES]
    assert joined != split


# ---- storage ----------------------------------------------------------------------------------


def test_the_root_key_is_stored_only_wrapped(world: World) -> None:
    [row] = IndexKey.objects.all()
    live = blind_index.active_version()
    assert live.version == row.version == 1
    assert live.root not in bytes(row.wrapped_key)
    assert len(live.root) == 32


def test_a_tampered_root_key_does_not_unwrap(world: World) -> None:
    row = IndexKey.objects.get()
    wrapped = bytearray(row.wrapped_key)
    wrapped[-1] ^= 1
    IndexKey.objects.filter(version=row.version).update(wrapped_key=bytes(wrapped))
    with pytest.raises(blind_index.IndexKeyError):
        blind_index.active_version()


def test_each_client_gets_one_row_per_indexed_value(world: World) -> None:
    rows = BlindIndexRow.objects.filter(client_id=world.client_a.id)
    by_index = sorted(rows.values_list("index_name", flat=True))
    # make_client gives a name+dob, a phone and one identifier (medicaid)
    assert by_index == [IDENTIFIER, NAME_DOB, PHONE_LAST4]
    assert {r.agency_id for r in rows} == {world.agency_a.id}
    assert {r.key_version for r in rows} == {1}


def test_a_client_without_a_phone_has_no_phone_row(world: World) -> None:
    from confide.records import services

    with transaction.atomic():
        client = services.client_create(
            actor=None,
            agency=world.agency_a,
            data=services.ClientInput(
                legal_name="No Phone", preferred_name="", date_of_birth=dt.date(1990, 1, 1)
            ),
        )
    names = set(BlindIndexRow.objects.filter(client_id=client.id).values_list("index_name"))
    assert names == {(NAME_DOB,)}


# ---- lookups ----------------------------------------------------------------------------------


def _found(world: World, **query: str) -> list[uuid.UUID]:
    who = actor(world.worker_a)
    if "last_four" in query:
        return [c.id for c in selectors.client_search_phone(actor=who, **query)]
    return [c.id for c in selectors.client_search_identifier(actor=who, **query)]


def test_it_finds_clients_by_the_last_four_digits_of_their_phone(world: World) -> None:
    # make_client's phone is "555-0100 <number>": A-1001 ends in 1001
    assert _found(world, last_four="1001") == [world.client_a.id]
    assert _found(world, last_four="9999") == []


@pytest.mark.parametrize("bad", ["", "123", "12345", "12a4", "١٢٣٤", " 1001"])
def test_a_malformed_last_four_finds_nothing(world: World, bad: str) -> None:
    before = Event.objects.count()
    assert _found(world, last_four=bad) == []
    assert Event.objects.count() == before


def test_it_finds_a_client_by_an_identifier(world: World) -> None:
    assert _found(world, kind="medicaid", value="MCA-1001") == [world.client_a.id]
    assert _found(world, kind="MEDICAID", value="  mca-1001 ") == [world.client_a.id]
    assert _found(world, kind="medicaid", value="MCA-100") == []
    assert _found(world, kind="ssn", value="MCA-1001") == []


@pytest.mark.parametrize(
    ("kind", "value"), [("", "x"), ("k", " "), ("k" * 41, "x"), ("k", "v" * 101)]
)
def test_a_malformed_identifier_query_finds_nothing(world: World, kind: str, value: str) -> None:
    assert _found(world, kind=kind, value=value) == []


def test_lookups_never_cross_agencies(world: World) -> None:
    other = actor(world.worker_b)
    assert selectors.client_search_phone(actor=other, last_four="1001") == []
    assert selectors.client_search_identifier(actor=other, kind="medicaid", value="MCA-1001") == []


def test_phone_lookups_drop_false_positives_after_decryption(world: World) -> None:
    lookalike = make_client(
        world.agency_a, world.team_a1, name="Other Person", dob=dt.date(1999, 9, 9), number="A-7777"
    )
    target = BlindIndexRow.objects.get(client_id=world.client_a.id, index_name=PHONE_LAST4)
    BlindIndexRow.objects.filter(client_id=lookalike.id, index_name=PHONE_LAST4).update(
        value=target.value
    )
    assert _found(world, last_four="1001") == [world.client_a.id]
    event = Event.objects.order_by("-seq").first()
    assert event is not None
    assert event.details == {
        "index": PHONE_LAST4,
        "matches": 1,
        "clients": [str(world.client_a.id)],
    }


def test_a_search_event_never_holds_the_query(world: World) -> None:
    _found(world, kind="medicaid", value="MCA-1001")
    event = Event.objects.order_by("-seq").first()
    assert event is not None
    assert "MCA-1001" not in str(event.details)
    assert "medicaid" not in str(event.details)


def test_an_unreadable_candidate_is_skipped_not_an_error(world: World) -> None:
    Client.objects.filter(id=world.client_a.id).update(phone_enc=b"\x01garbage" * 8)
    assert _found(world, last_four="1001") == []
