"""Bad input to releases: each gets one clear error naming every problem, and changes nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from confide.core.enums import Role
from confide.core.errors import DomainError, NotFound, NotPermitted, ValidationFailed
from confide.ledger import services as ledger_services
from confide.ledger.models import Event
from confide.releases import services
from confide.releases.enums import ReleaseKind, Statement
from confide.releases.errors import ReleaseIncomplete
from confide.releases.lifecycle import today
from confide.releases.models import Release
from confide.releases.tests.support import complete, signature
from confide.releases.validation import REQUIRED, ReleaseInput, clean_release
from confide.testing import World, actor, make_user
from confide.training import services as training

EMPTY = {
    "purpose": "",
    "recipient_name": "",
    "discloser": "",
    "description": "",
    "categories": (),
    "expires_on": None,
    "expiry_event": "",
    "statements": (),
}


def _refused(world: World, data: ReleaseInput, error: type[DomainError] = ValidationFailed) -> Any:
    """Create `data` for client_a as worker_a; expect `error`; check nothing was written."""
    releases, events = Release.objects.count(), Event.objects.count()
    with pytest.raises(error) as caught:
        services.release_create(actor=actor(world.worker_a), client_id=world.client_a.id, data=data)
    assert (Release.objects.count(), Event.objects.count()) == (releases, events)
    return caught.value


@pytest.mark.parametrize("kind", ReleaseKind.values)
def test_a_complete_release_of_each_kind_is_accepted(world: World, kind: str) -> None:
    release = services.release_create(
        actor=actor(world.worker_a), client_id=world.client_a.id, data=complete(kind)
    )
    assert release.kind == kind


@pytest.mark.parametrize("kind", ReleaseKind.values)
def test_one_error_names_every_missing_element_of_each_kind(world: World, kind: str) -> None:
    error = _refused(world, complete(kind, **EMPTY), ReleaseIncomplete)
    wanted = {e.name for e in REQUIRED[kind]}
    assert {e.name for e in error.missing} == wanted
    for name in wanted:
        assert name in error.message
        assert name in error.fields


def test_hipaa_elements_cite_the_paragraphs_that_ask_for_them(world: World) -> None:
    error = _refused(world, complete(statements=()), ReleaseIncomplete)
    assert error.fields == {
        "right_to_revoke": f"required: {Statement.RIGHT_TO_REVOKE.label} (45 CFR 164.508(c)(2)(i))",
        "conditioning": f"required: {Statement.CONDITIONING.label} (45 CFR 164.508(c)(2)(ii))",
        "redisclosure": f"required: {Statement.REDISCLOSURE.label} (45 CFR 164.508(c)(2)(iii))",
    }


def test_missing_elements_and_bad_values_come_in_the_same_error(world: World) -> None:
    data = complete(recipient_name="", recipient_type="astrologer")
    error = _refused(world, data, ReleaseIncomplete)
    assert set(error.fields) == {"recipient_name", "recipient_type"}


def test_expiry_before_start_is_refused(world: World) -> None:
    error = _refused(world, complete(expires_on=today() - dt.timedelta(days=1)))
    assert error.fields == {"expires_on": "must not be before the start date"}


def test_records_range_backwards_is_refused(world: World) -> None:
    data = complete(records_from=dt.date(2025, 5, 1), records_to=dt.date(2025, 4, 1))
    assert set(_refused(world, data).fields) == {"records_to"}


def test_an_unknown_recipient_type_is_refused(world: World) -> None:
    error = _refused(world, complete(recipient_type="neighbour"))
    assert "recipient_type" in error.fields
    assert "health_care_provider" in error.fields["recipient_type"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"categories": ("general", "gossip")}, "categories"),
        ({"categories": "general"}, "categories"),
        ({"statements": ("right_to_revoke", "other")}, "statements"),
        ({"purpose": "curiosity"}, "purpose"),
        ({"kind": "blanket_release"}, "kind"),
        ({"recipient_name": "x" * 201}, "recipient_name"),
        ({"description": "x" * 2001}, "description"),
        ({"recipient_contact": "a\x00b"}, "recipient_contact"),
        ({"recipient_name": 42}, "recipient_name"),
        ({"part2_tpo": "yes"}, "part2_tpo"),
        ({"starts_on": "2026-01-01"}, "starts_on"),
        ({"starts_on": None}, "starts_on"),
        ({"starts_on": dt.date(1999, 12, 31)}, "starts_on"),
        ({"expires_on": dt.date(2101, 1, 1)}, "expires_on"),
        (
            {
                "starts_on": today() + dt.timedelta(days=400),
                "expires_on": None,
                "expiry_event": "End of treatment",
            },
            "starts_on",
        ),
        ({"records_from": today() + dt.timedelta(days=3)}, "records_from"),
    ],
)
def test_malformed_values_are_refused_by_name(
    world: World, changes: dict[str, Any], field: str
) -> None:
    error = _refused(world, complete(**changes))
    assert field in error.fields


def test_psychotherapy_notes_are_never_combined_with_other_information(world: World) -> None:
    data = complete(ReleaseKind.PSYCHOTHERAPY_NOTES, categories=("psychotherapy_notes", "general"))
    error = _refused(world, data)
    assert "164.508(b)(3)(ii)" in error.fields["categories"]


@pytest.mark.parametrize(
    "kind", [k for k in ReleaseKind.values if k != "psychotherapy_notes_authorization"]
)
def test_psychotherapy_notes_need_their_own_authorization(world: World, kind: str) -> None:
    data = complete(kind, categories=("psychotherapy_notes",))
    assert "own psychotherapy-notes authorization" in _refused(world, data).fields["categories"]


def test_part2_records_need_a_part2_consent(world: World) -> None:
    data = complete(categories=("general", "substance_use_part2"))
    assert "Part 2 consent" in _refused(world, data).fields["categories"]


def test_sud_counseling_notes_need_their_own_part2_consent(world: World) -> None:
    data = complete(
        ReleaseKind.PART2_CONSENT, categories=("sud_counseling_notes", "substance_use_part2")
    )
    assert "SUD counseling notes" in _refused(world, data).fields["categories"]
    alone = complete(ReleaseKind.PART2_CONSENT, categories=("sud_counseling_notes",))
    services.release_create(actor=actor(world.worker_a), client_id=world.client_a.id, data=alone)


def test_a_vawa_release_must_end_on_a_date(world: World) -> None:
    data = complete(ReleaseKind.VAWA_RELEASE, expires_on=None, expiry_event="When I say so")
    error = _refused(world, data, ReleaseIncomplete)
    assert [e.name for e in error.missing] == ["expires_on"]


def test_the_part2_single_tpo_consent_may_run_until_revoked(world: World) -> None:
    data = complete(ReleaseKind.PART2_CONSENT, part2_tpo=True, purpose="tpo", expires_on=None)
    release = services.release_create(
        actor=actor(world.worker_a), client_id=world.client_a.id, data=data
    )
    assert release.expires_on is None


@pytest.mark.parametrize(
    "changes",
    [
        {"part2_tpo": True},  # TPO consent with another purpose
        {"purpose": "tpo"},  # the TPO purpose without the single consent
    ],
)
def test_the_tpo_purpose_and_the_single_consent_go_together(
    world: World, changes: dict[str, Any]
) -> None:
    data = complete(ReleaseKind.PART2_CONSENT, **changes)
    assert set(_refused(world, data).fields) & {"purpose", "part2_tpo"}


def test_only_a_part2_consent_is_a_single_tpo_consent(world: World) -> None:
    data = complete(part2_tpo=True, purpose="tpo")
    assert "part2_tpo" in _refused(world, data).fields


def test_clean_release_trims_text() -> None:
    cleaned = clean_release(complete(recipient_name="  Lakeside  "), today=today())
    assert cleaned.recipient_name == "Lakeside"


# ---- signatures ---------------------------------------------------------------------------------


def _draft(world: World) -> Release:
    return services.release_create(
        actor=actor(world.worker_a), client_id=world.client_a.id, data=complete()
    )


@pytest.mark.parametrize(
    ("changes", "missing"),
    [
        ({"signer_name": "", "signed_on": None}, {"signer_name", "signed_on"}),
        ({"signer_is_representative": True}, {"representative_authority"}),
    ],
)
def test_a_signature_lacking_elements_is_refused_and_the_draft_stays_a_draft(
    world: World, changes: dict[str, Any], missing: set[str]
) -> None:
    draft = _draft(world)
    events = Event.objects.count()
    with pytest.raises(ReleaseIncomplete) as caught:
        services.release_sign(
            actor=actor(world.worker_a), release_id=draft.id, signature=signature(**changes)
        )
    assert {e.name for e in caught.value.missing} == missing
    fresh = Release.objects.get(id=draft.id)
    assert (fresh.state, fresh.signed_at, Event.objects.count()) == ("draft", None, events)


def test_a_signature_dated_in_the_future_is_refused(world: World) -> None:
    draft = _draft(world)
    with pytest.raises(ValidationFailed) as caught:
        services.release_sign(
            actor=actor(world.worker_a),
            release_id=draft.id,
            signature=signature(signed_on=today() + dt.timedelta(days=1)),
        )
    assert set(caught.value.fields) == {"signed_on"}


def test_a_representative_signs_with_their_authority(world: World) -> None:
    draft = _draft(world)
    signed = services.release_sign(
        actor=actor(world.worker_a),
        release_id=draft.id,
        signature=signature(
            signer_is_representative=True, representative_authority="Court-appointed guardian"
        ),
    )
    assert signed.signer_is_representative


def test_a_stated_authority_without_a_representatives_signature_is_refused(world: World) -> None:
    """ "Parent" typed while the box says the client signed would make a parent's release count
    as the client's own: refused, never dropped."""
    draft = _draft(world)
    with pytest.raises(ValidationFailed) as caught:
        services.release_sign(
            actor=actor(world.worker_a),
            release_id=draft.id,
            signature=signature(signer_is_representative=False, representative_authority="Parent"),
        )
    assert set(caught.value.fields) == {"representative_authority"}
    assert Release.objects.get(id=draft.id).state == "draft"


# ---- who may record releases ---------------------------------------------------------------------


@pytest.mark.parametrize("who", ["intake_a", "worker_b", "other_worker_a", "admin_a"])
def test_staff_outside_the_care_team_cannot_record_a_release(world: World, who: str) -> None:
    data = complete()
    with pytest.raises(NotFound):
        services.release_create(
            actor=actor(getattr(world, who)), client_id=world.client_a.id, data=data
        )
    assert not Release.objects.exists()


def test_a_privacy_officer_may_record_a_release(world: World) -> None:
    services.release_create(
        actor=actor(world.privacy_a), client_id=world.client_a.id, data=complete()
    )


def test_a_conflict_wall_hides_the_clients_releases(world: World) -> None:
    training.conflict_declare(
        actor=actor(world.worker_a), client_id=world.client_a.id, relationship="relative"
    )
    with pytest.raises(NotFound):
        services.release_create(
            actor=actor(world.worker_a), client_id=world.client_a.id, data=complete()
        )


def test_an_emergency_grant_reads_the_record_but_records_no_release(world: World) -> None:
    from confide.access import services as access

    access.break_glass_open(
        actor=actor(world.other_worker_a),
        client_id=world.client_a.id,
        reason_category="imminent_harm",
        reason_text="Test emergency.",
        reauthenticated=True,
    )
    with pytest.raises(NotPermitted):
        services.release_create(
            actor=actor(world.other_worker_a), client_id=world.client_a.id, data=complete()
        )


@pytest.mark.parametrize("forged", ["", "nope", "00000000-0000-4000-8000-000000000000"])
def test_a_forged_client_id_is_not_found(world: World, forged: str) -> None:
    with pytest.raises(NotFound):
        services.release_create(actor=actor(world.worker_a), client_id=forged, data=complete())


def test_another_agencys_release_cannot_be_signed_or_revoked(world: World) -> None:
    draft = services.release_create(
        actor=actor(world.worker_b), client_id=world.client_b.id, data=complete()
    )
    me = actor(world.worker_a)
    with pytest.raises(NotFound):
        services.release_sign(actor=me, release_id=draft.id, signature=signature())
    with pytest.raises(NotFound):
        services.release_revoke(actor=me, release_id=draft.id)
    assert Release.objects.get(id=draft.id).state == "draft"


def test_a_crash_while_writing_the_ledger_leaves_no_release(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(**_: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(ledger_services, "record", boom)
    with pytest.raises(RuntimeError):
        services.release_create(
            actor=actor(world.worker_a), client_id=world.client_a.id, data=complete()
        )
    assert not Release.objects.exists()


def test_a_lapsed_practitioner_of_the_team_may_still_record_releases(world: World) -> None:
    lapsed = make_user(
        world.agency_a, "lapsed@a.test", Role.PRACTITIONER, [world.team_a1], trained=False
    )
    release = services.release_create(
        actor=actor(lapsed), client_id=world.client_a.id, data=complete()
    )
    assert release.created_by_id == lapsed.id


def test_a_release_that_has_already_expired_is_refused(world: World) -> None:
    past = today() - dt.timedelta(days=30)
    data = complete(starts_on=past, expires_on=past + dt.timedelta(days=10))
    assert "already passed" in _refused(world, data).fields["expires_on"]


def test_a_draft_that_expired_before_signing_cannot_be_signed(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from confide.core import clock
    from confide.releases.errors import ReleaseWrongState

    draft = services.release_create(
        actor=actor(world.worker_a),
        client_id=world.client_a.id,
        data=complete(expires_on=today() + dt.timedelta(days=1)),
    )
    later = clock.now() + dt.timedelta(days=3)
    monkeypatch.setattr(clock, "now", lambda: later)
    with pytest.raises(ReleaseWrongState, match="already expired"):
        services.release_sign(
            actor=actor(world.worker_a), release_id=draft.id, signature=signature()
        )
    assert Release.objects.get(id=draft.id).state == "draft"


def test_a_signature_dated_long_before_the_release_was_recorded_is_refused(world: World) -> None:
    draft = _draft(world)
    with pytest.raises(ValidationFailed) as caught:
        services.release_sign(
            actor=actor(world.worker_a),
            release_id=draft.id,
            signature=signature(signed_on=today() - dt.timedelta(days=400)),
        )
    assert set(caught.value.fields) == {"signed_on"}
