"""Minor-consent domains by state: one table (the disclosure engine's
`minor_consent.csv`), read here for staff, covering at least the seven states Confide ships."""

from __future__ import annotations

import pytest

from confide.consent.selectors import minor_consent_domains

STATES = ("CA", "NY", "TX", "FL", "IL", "WA", "MA")


@pytest.mark.parametrize("state", STATES)
def test_each_state_has_a_sourced_row_for_each_service(state: str) -> None:
    rows = minor_consent_domains(state)
    assert {r.service for r in rows} == {"outpatient_mental_health", "sud_treatment"}
    assert all(r.citation and r.source for r in rows)


def test_ages_are_plausible_and_unverified_rows_say_so() -> None:
    rows = minor_consent_domains()
    assert all(r.min_age is None or 0 <= r.min_age < 18 for r in rows)
    washington = {r.service: r for r in minor_consent_domains("WA")}
    assert washington["outpatient_mental_health"].min_age == 13
    assert not washington["outpatient_mental_health"].verified
    california = {r.service: r for r in minor_consent_domains("CA")}
    assert california["outpatient_mental_health"].verified


def test_an_unknown_state_has_no_rows() -> None:
    assert minor_consent_domains("ZZ") == []
