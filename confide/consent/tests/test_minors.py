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


def test_ages_are_plausible_and_the_shipped_states_are_verified() -> None:
    rows = minor_consent_domains()
    assert all(r.min_age is None or 0 <= r.min_age < 18 for r in rows)
    washington = {r.service: r for r in minor_consent_domains("WA")}
    assert washington["outpatient_mental_health"].min_age == 13  # RCW 71.34.530
    # Every row of the seven states was checked against the statute or a source quoting it
    # (docs/disclosure-engine.md); a row added unverified must say so in its own flag.
    assert all(r.verified for r in rows if r.state in STATES)
    maryland = {r.service: r for r in minor_consent_domains("MD")}
    assert maryland["sud_treatment"].min_age == 0  # Health-Gen. 20-102(c): no minimum age


def test_an_unknown_state_has_no_rows() -> None:
    assert minor_consent_domains("ZZ") == []
