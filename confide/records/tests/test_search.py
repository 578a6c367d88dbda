"""Search by exact legal name and date of birth through the blind index; false positives of the
truncated index are removed after decryption."""

from __future__ import annotations

import datetime as dt

from confide.crypto.blind_index import NAME_DOB
from confide.crypto.models import BlindIndexRow
from confide.ledger.tests.support import ledger_mark, types_since
from confide.records import selectors
from confide.testing import World, actor, make_client

BORN = dt.date(1984, 3, 9)


def _ids(world: World, name: str, born: dt.date = BORN) -> list[object]:
    found = selectors.client_search(
        actor=actor(world.worker_a), legal_name=name, date_of_birth=born
    )
    return [f.id for f in found]


def test_it_finds_a_client_whatever_the_case_and_spacing(world: World) -> None:
    for spelling in ("Rosalind Quenby", "rosalind quenby", "  ROSALIND   Quenby "):
        assert _ids(world, spelling) == [world.client_a.id]


def test_it_returns_the_names_it_matched(world: World) -> None:
    [found] = selectors.client_search(
        actor=actor(world.worker_a), legal_name="rosalind quenby", date_of_birth=BORN
    )
    assert (found.legal_name, found.preferred_name, found.date_of_birth) == (
        "Rosalind Quenby",
        "Rosalind",
        BORN,
    )


def test_it_needs_the_right_date_of_birth(world: World) -> None:
    assert _ids(world, "Rosalind Quenby", BORN + dt.timedelta(days=1)) == []


def test_a_partial_name_finds_nothing(world: World) -> None:
    assert _ids(world, "Rosalind") == []


def test_it_filters_out_blind_index_false_positives(world: World) -> None:
    # Force a collision of the truncated index, as happens naturally at agency scale.
    lookalike = make_client(
        world.agency_a, world.team_a1, name="Someone Else", dob=dt.date(2000, 1, 1), number="A-1999"
    )
    target = BlindIndexRow.objects.get(client_id=world.client_a.id, index_name=NAME_DOB)
    BlindIndexRow.objects.filter(client_id=lookalike.id, index_name=NAME_DOB).update(
        value=target.value
    )
    assert _ids(world, "Rosalind Quenby") == [world.client_a.id]
    assert _ids(world, "Someone Else", dt.date(2000, 1, 1)) == []  # its index no longer fits


def test_an_empty_or_oversized_query_finds_nothing_and_reveals_nothing(world: World) -> None:
    mark = ledger_mark()
    assert _ids(world, "   ") == []
    assert _ids(world, "x" * 201) == []
    assert types_since(mark) == []
