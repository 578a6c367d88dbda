"""A release maps onto the disclosure engine's facts with no translation: its closed sets are the
engine's values, and the `consent` object it builds decides as the law says."""

from __future__ import annotations

from typing import Any

import pytest

from confide.core.enums import Label
from confide.disclosures.engine import Outcome, evaluate, parse_facts
from confide.disclosures.engine.facts import ConsentType, InfoCategory, Purpose, Recipient
from confide.releases import selectors, services
from confide.releases.enums import (
    LABEL_CATEGORY,
    TPO_PURPOSES,
    Category,
    RecipientType,
    ReleaseKind,
    ReleasePurpose,
    engine_consent_type,
)
from confide.releases.lifecycle import today
from confide.releases.tests.support import complete, signed
from confide.testing import World, actor


def test_the_closed_sets_are_the_engines_values() -> None:
    assert set(RecipientType.values) <= {r.value for r in Recipient}
    assert set(ReleasePurpose.values) - {"tpo"} <= {p.value for p in Purpose}
    assert set(Category.values) == {c.value for c in InfoCategory}
    assert TPO_PURPOSES.issubset(set(Purpose))
    assert set(LABEL_CATEGORY) <= set(Label.values)


@pytest.mark.parametrize("kind", ReleaseKind.values)
@pytest.mark.parametrize("tpo", [False, True])
def test_every_kind_is_a_written_consent_type_of_the_engine(kind: str, tpo: bool) -> None:
    consent_type = engine_consent_type(kind, part2_tpo=tpo)
    assert consent_type not in (ConsentType.NONE, ConsentType.ORAL_AGREEMENT)
    assert consent_type is not ConsentType.HIPAA_AUTHORIZATION_GENERIC


def _decide(consent: dict[str, Any], **facts: Any) -> Outcome:
    raw = {
        "entity_type": "hipaa_covered_provider",
        "info_category": "psychotherapy_notes",
        "recipient_type": "health_care_provider",
        "purpose": "care_coordination",
        "jurisdiction_state": "ANY",
        "consent": consent,
        **facts,
    }
    return evaluate(parse_facts(raw), today()).outcome


def _psychotherapy_release(world: World) -> selectors.ReleaseOnFile:
    signed(actor(world.worker_a), world.client_a.id, complete(ReleaseKind.PSYCHOTHERAPY_NOTES))
    return selectors.releases_on_file(world.client_a.id, on=today())[0]


def _consent(
    on_file: selectors.ReleaseOnFile, recipient_type: str = "health_care_provider"
) -> dict[str, object]:
    return on_file.engine_consent(
        purpose="care_coordination",
        recipient_type=recipient_type,
        info_category="psychotherapy_notes",
    )


def test_an_active_psychotherapy_notes_authorization_opens_the_notes(world: World) -> None:
    on_file = _psychotherapy_release(world)
    assert _decide(_consent(on_file)) in (
        Outcome.PERMITTED,
        Outcome.PERMITTED_WITH_CONDITIONS,
    )


def test_a_revoked_one_does_not(world: World) -> None:
    on_file = _psychotherapy_release(world)
    services.release_revoke(actor=actor(world.worker_a), release_id=on_file.id)
    revoked = selectors.releases_on_file(world.client_a.id, on=today())[0]
    assert _decide(_consent(revoked)) == Outcome.PROHIBITED


def test_a_release_for_another_recipient_does_not(world: World) -> None:
    on_file = _psychotherapy_release(world)
    consent = _consent(on_file, recipient_type="attorney")
    assert consent["scope_covers_request"] is False
    assert _decide(consent, recipient_type="attorney") == Outcome.PROHIBITED
