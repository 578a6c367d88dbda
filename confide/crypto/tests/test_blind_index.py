"""Blind indexes: deterministic, scoped per agency and index, over normalized text."""

from __future__ import annotations

import datetime as dt
import uuid

from confide.crypto.blind_index import BITS, _index_key, blind_index, normalize
from confide.records.services import name_dob_index

NAMES = [f"Person {n} Example" for n in range(12)]


def test_the_same_input_gives_the_same_value() -> None:
    assert blind_index("client_name_dob", "agency-1", "Ada Lovelace", "1815-12-10") == (
        blind_index("client_name_dob", "agency-1", "Ada Lovelace", "1815-12-10")
    )


def test_values_are_truncated_to_the_configured_width() -> None:
    values = {blind_index("client_name_dob", "agency-1", name) for name in NAMES}
    assert all(0 <= value < 2**BITS for value in values)
    assert len(values) > 1


def test_each_agency_and_each_index_has_its_own_key() -> None:
    keys = {
        _index_key("client_name_dob", "agency-1"),
        _index_key("client_name_dob", "agency-2"),
        _index_key("case_number", "agency-1"),
    }
    assert len(keys) == 3
    assert _index_key("client_name_dob", "agency-1") == _index_key("client_name_dob", "agency-1")


def test_another_agency_scope_gives_other_values() -> None:
    # Truncated values may collide by chance (1 in 2**BITS); over twelve names all colliding
    # is impossible in practice.
    first = [blind_index("client_name_dob", "agency-1", name) for name in NAMES]
    second = [blind_index("client_name_dob", "agency-2", name) for name in NAMES]
    assert first != second
    other_index = [blind_index("case_number", "agency-1", name) for name in NAMES]
    assert first != other_index


def test_normalization_ignores_case_spacing_width_and_composition() -> None:
    assert normalize("  Rosalind   QUENBY\t") == "rosalind quenby"
    assert normalize("\uff32\uff4f\uff53\uff41\uff4c\uff49\uff4e\uff44") == "rosalind"  # full width
    assert normalize("Jose\u0301") == normalize("Jos\u00e9")  # decomposed vs composed
    assert normalize("STRASSE") == normalize("straße")
    assert normalize("José") != normalize("Jose")  # accents are not dropped


def test_equivalent_spellings_share_an_index_value() -> None:
    agency = uuid.uuid4()
    born = dt.date(1984, 3, 9)
    assert name_dob_index(agency, "Rosalind Quenby", born) == name_dob_index(
        agency, "  rosalind  QUENBY ", born
    )


def test_the_parts_are_kept_apart() -> None:
    # "ab" + "c" must not be the same message as "a" + "bc".
    values_joined = [blind_index("i", "s", f"{name}x", "y") for name in NAMES]
    values_split = [blind_index("i", "s", name, "xy") for name in NAMES]
    assert values_joined != values_split
