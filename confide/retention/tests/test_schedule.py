"""The state table and the destruction-date rule (no database)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from confide.retention.enums import Basis
from confide.retention.schedule import (
    ClientDates,
    Rule,
    ScheduleDataError,
    add_years,
    destruction_date,
    state_defaults,
)

CA = Rule(years_after_closure=7, years_after_majority=7, majority_age=18)


def test_the_table_covers_the_required_states_and_every_row_has_a_source() -> None:
    table = state_defaults()
    assert {"CA", "NY", "TX", "FL", "IL", "WA", "MA"} <= set(table)
    for row in table.values():
        assert row.citation.strip()
        assert len(row.source) > 40
        assert row.closure_basis in ("law", "agency_policy")
        assert 1 <= row.years_after_closure <= 30
        assert 18 <= row.majority_age <= 25


def test_agency_policy_values_set_no_floor_but_law_does() -> None:
    table = state_defaults()
    assert table["IL"].minimums() == (0, 0)
    assert table["CA"].minimums() == (7, 7)
    assert table["FL"].minimums() == (7, 0)


def test_an_adult_is_due_years_after_the_last_closure() -> None:
    dates = ClientDates(dt.date(2010, 1, 1), dt.date(2020, 5, 4), born=dt.date(1980, 1, 1))
    assert destruction_date(CA, dates) == (dt.date(2027, 5, 4), Basis.CLOSURE)


def test_a_minor_is_kept_until_years_after_majority_when_that_is_later() -> None:
    dates = ClientDates(dt.date(2020, 1, 1), dt.date(2021, 1, 1), born=dt.date(2015, 3, 9))
    assert destruction_date(CA, dates) == (dt.date(2040, 3, 9), Basis.MAJORITY)


def test_a_client_served_only_as_an_adult_never_gets_the_minor_rule() -> None:
    dates = ClientDates(dt.date(2033, 3, 9), dt.date(2034, 1, 1), born=dt.date(2015, 3, 9))
    assert destruction_date(CA, dates) == (dt.date(2041, 1, 1), Basis.CLOSURE)


def test_a_recent_disclosure_keeps_the_record_six_years() -> None:
    dates = ClientDates(
        dt.date(2010, 1, 1),
        dt.date(2011, 1, 1),
        dt.date(1970, 1, 1),
        last_disclosed=dt.date(2019, 2, 2),
    )
    assert destruction_date(CA, dates) == (dt.date(2025, 2, 2), Basis.ACCOUNTING)


def test_the_29th_of_february_moves_to_the_later_day() -> None:
    assert add_years(dt.date(2024, 2, 29), 1) == dt.date(2025, 3, 1)
    assert add_years(dt.date(2024, 2, 29), 4) == dt.date(2028, 2, 29)


@pytest.mark.parametrize(
    "row",
    [
        "CA,7,law,7,18,law,,some source,no,",  # no citation
        "CA,seven,law,7,18,law,cite,some source,no,",  # not a number
        "California,7,law,7,18,law,cite,some source,no,",  # not a code
        "CA,7,statute,7,18,law,cite,some source,no,",  # unknown basis
        "CA,7,law,7,18,law,cite,some source,maybe,",  # verified must be yes/no
    ],
)
def test_a_malformed_table_is_refused_at_load(tmp_path: Path, row: str) -> None:
    header = (
        "state,years_after_closure,closure_basis,years_after_majority,majority_age,minor_basis,"
        "citation,source,verified,note\n"
    )
    bad = tmp_path / "bad.csv"
    bad.write_text(header + row + "\n")
    with pytest.raises(ScheduleDataError):
        state_defaults(bad)


def test_massachusetts_values_are_agency_policy_with_no_floor() -> None:
    """258 CMR 22.02's period was never read here, so no law floor rests on it."""
    row = state_defaults()["MA"]
    assert (row.closure_basis, row.minor_basis) == ("agency_policy", "agency_policy")
    assert row.minimums() == (0, 0)
    assert not row.verified
