"""Release lifecycle: draft, signed, active, expired, revoked; and what the disclosure workflow
reads of it."""

from __future__ import annotations

import datetime as dt

import pytest

from confide.core import clock
from confide.core.errors import NotFound
from confide.disclosures.engine.facts import ConsentType
from confide.ledger.enums import EventType
from confide.ledger.models import Event
from confide.releases import selectors, services
from confide.releases.access import ClientSelf
from confide.releases.enums import ReleaseKind, Status
from confide.releases.errors import ReleaseNotUsable, ReleaseWrongState
from confide.releases.lifecycle import today
from confide.releases.models import Release
from confide.releases.tests.support import complete, signature, signed
from confide.testing import World, actor

DAY = dt.timedelta(days=1)


def _events(kind: EventType) -> int:
    return Event.objects.filter(event_type=kind.value).count()


def test_a_signed_release_is_active_from_its_start_until_its_expiry(world: World) -> None:
    me = actor(world.worker_a)
    start = today() + dt.timedelta(days=10)
    data = complete(starts_on=start, expires_on=start + dt.timedelta(days=30))
    release = services.release_create(actor=me, client_id=world.client_a.id, data=data)
    on_day = {
        "draft": selectors.releases_on_file(world.client_a.id, on=start)[0].status,
    }
    services.release_sign(actor=me, release_id=release.id, signature=signature())
    client = world.client_a.id
    on_day["before"] = selectors.releases_on_file(client, on=start - DAY)[0].status
    on_day["first"] = selectors.releases_on_file(client, on=start)[0].status
    on_day["last"] = selectors.releases_on_file(client, on=start + dt.timedelta(days=30))[0].status
    on_day["after"] = selectors.releases_on_file(client, on=start + dt.timedelta(days=31))[0].status
    assert on_day == {
        "draft": Status.DRAFT,
        "before": Status.SIGNED,
        "first": Status.ACTIVE,
        "last": Status.ACTIVE,
        "after": Status.EXPIRED,
    }


def test_an_expired_release_is_never_active_when_the_clock_moves_on(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    me = actor(world.worker_a)
    release = signed(me, world.client_a.id, complete(expires_on=today() + DAY))
    later = clock.now() + dt.timedelta(days=2)
    monkeypatch.setattr(clock, "now", lambda: later)
    listed = selectors.release_list(actor=me, client_id=world.client_a.id)
    assert [(r.id, r.on_file.status, r.on_file.is_active) for r in listed] == [
        (release.id, Status.EXPIRED, False)
    ]
    with pytest.raises(ReleaseNotUsable, match="expired"):
        selectors.require_active_release(release.id, world.client_a.id, today())


def test_staff_revoke_on_the_clients_word_takes_effect_at_once(world: World) -> None:
    me = actor(world.worker_a)
    release = signed(me, world.client_a.id)
    assert selectors.require_active_release(release.id, world.client_a.id, today()).is_active
    services.release_revoke(actor=me, release_id=release.id)
    with pytest.raises(ReleaseNotUsable, match="revoked"):
        selectors.require_active_release(release.id, world.client_a.id, today())
    event = Event.objects.get(event_type=EventType.ROI_REVOKED.value)
    assert (event.actor_id, event.details["by"]) == (world.worker_a.id, "staff")


def test_the_client_can_revoke_their_own_release(world: World) -> None:
    release = signed(actor(world.worker_a), world.client_a.id)
    me = ClientSelf(client_id=world.client_a.id, agency_id=world.agency_a.id)
    services.release_revoke(actor=me, release_id=release.id)
    on_file = selectors.releases_on_file(world.client_a.id, on=today())[0]
    assert on_file.status == Status.REVOKED
    event = Event.objects.get(event_type=EventType.ROI_REVOKED.value)
    assert (event.actor_id, event.channel, event.details["by"]) == (None, "portal", "client")


def test_a_client_cannot_revoke_another_clients_release(world: World) -> None:
    release = signed(actor(world.worker_a), world.client_a.id)
    other = ClientSelf(client_id=world.client_a_other.id, agency_id=world.agency_a.id)
    with pytest.raises(NotFound):
        services.release_revoke(actor=other, release_id=release.id)
    assert Release.objects.get(id=release.id).revoked_at is None


def test_revoking_twice_is_a_clear_error_that_changes_nothing(world: World) -> None:
    me = actor(world.worker_a)
    release = signed(me, world.client_a.id)
    services.release_revoke(actor=me, release_id=release.id)
    first = Release.objects.get(id=release.id).revoked_at
    before = _events(EventType.ROI_REVOKED)
    with pytest.raises(ReleaseWrongState, match="already revoked"):
        services.release_revoke(actor=me, release_id=release.id)
    assert Release.objects.get(id=release.id).revoked_at == first
    assert _events(EventType.ROI_REVOKED) == before


def test_an_unsigned_release_used_as_a_basis_is_a_clear_error(world: World) -> None:
    me = actor(world.worker_a)
    draft = services.release_create(actor=me, client_id=world.client_a.id, data=complete())
    with pytest.raises(ReleaseNotUsable, match="not been signed"):
        selectors.require_active_release(draft.id, world.client_a.id, today())


def test_a_release_not_yet_in_effect_is_not_a_basis(world: World) -> None:
    me = actor(world.worker_a)
    start = today() + dt.timedelta(days=5)
    release = signed(me, world.client_a.id, complete(starts_on=start, expires_on=start + DAY))
    with pytest.raises(ReleaseNotUsable, match="does not take effect"):
        selectors.require_active_release(release.id, world.client_a.id, today())


@pytest.mark.parametrize("forged", ["", "not-a-uuid", "00000000-0000-4000-8000-000000000000"])
def test_a_forged_release_id_is_not_found(world: World, forged: str) -> None:
    with pytest.raises(NotFound):
        selectors.require_active_release(forged, world.client_a.id, today())


def test_another_clients_release_is_not_a_basis(world: World) -> None:
    release = signed(actor(world.worker_a), world.client_a.id)
    with pytest.raises(NotFound):
        selectors.require_active_release(release.id, world.client_a_other.id, today())


def test_signing_twice_is_refused(world: World) -> None:
    me = actor(world.worker_a)
    release = signed(me, world.client_a.id)
    with pytest.raises(ReleaseWrongState, match="already signed"):
        services.release_sign(actor=me, release_id=release.id, signature=signature())


def test_a_draft_revoked_before_signing_cannot_be_signed(world: World) -> None:
    me = actor(world.worker_a)
    draft = services.release_create(actor=me, client_id=world.client_a.id, data=complete())
    services.release_revoke(actor=me, release_id=draft.id)
    with pytest.raises(ReleaseWrongState, match="revoked"):
        services.release_sign(actor=me, release_id=draft.id, signature=signature())
    assert Release.objects.get(id=draft.id).signed_at is None


def test_an_expiry_event_ends_the_release_from_the_day_recorded(world: World) -> None:
    me = actor(world.worker_a)
    data = complete(expires_on=None, expiry_event="End of treatment at the clinic")
    release = signed(me, world.client_a.id, data)
    assert selectors.releases_on_file(world.client_a.id, on=today())[0].is_active
    services.release_record_expiry_event(actor=me, release_id=release.id, occurred_on=today())
    on_file = selectors.releases_on_file(world.client_a.id, on=today())[0]
    assert (on_file.status, on_file.expiry_event) == (
        Status.EXPIRED,
        "End of treatment at the clinic",
    )
    with pytest.raises(ReleaseWrongState):
        services.release_record_expiry_event(actor=me, release_id=release.id, occurred_on=today())


def test_a_release_ending_on_a_date_takes_no_expiry_event(world: World) -> None:
    me = actor(world.worker_a)
    release = signed(me, world.client_a.id)
    with pytest.raises(ReleaseWrongState):
        services.release_record_expiry_event(actor=me, release_id=release.id, occurred_on=today())


def test_what_the_engine_reads_of_a_release(world: World) -> None:
    me = actor(world.worker_a)
    signed(me, world.client_a.id)
    on_file = selectors.releases_on_file(world.client_a.id, on=today())[0]
    covered = on_file.engine_consent(
        purpose="care_coordination",
        recipient_type="health_care_provider",
        info_category="mental_health_general",
    )
    other = on_file.engine_consent(
        purpose="litigation", recipient_type="attorney", info_category="general"
    )
    assert covered == {
        "present": True,
        "type": "hipaa_authorization",
        "valid": True,
        "revoked": False,
        "scope_covers_request": True,
    }
    assert other["scope_covers_request"] is False


def test_a_part2_single_consent_covers_treatment_payment_and_operations(world: World) -> None:
    me = actor(world.worker_a)
    data = complete(ReleaseKind.PART2_CONSENT, part2_tpo=True, purpose="tpo", expires_on=None)
    signed(me, world.client_a.id, data)
    on_file = selectors.releases_on_file(world.client_a.id, on=today())[0]
    assert on_file.consent_type == ConsentType.PART2_TPO_SINGLE_CONSENT
    covers = {
        p: on_file.covers(
            purpose=p, recipient_type="health_care_provider", info_category="substance_use_part2"
        )
        for p in ("treatment", "payment", "care_coordination", "litigation")
    }
    assert covers == {
        "treatment": True,
        "payment": True,
        "care_coordination": True,
        "litigation": False,
    }


def test_the_records_date_range_limits_what_a_release_covers(world: World) -> None:
    first, last = dt.date(2025, 1, 1), dt.date(2025, 6, 30)
    signed(actor(world.worker_a), world.client_a.id, complete(records_from=first, records_to=last))
    on_file = selectors.releases_on_file(world.client_a.id, on=today())[0]

    def covers(first: dt.date | None, last: dt.date | None) -> bool:
        return on_file.covers(
            purpose="care_coordination",
            recipient_type="health_care_provider",
            info_category="general",
            records_from=first,
            records_to=last,
        )

    assert covers(first, last)
    assert not covers(first, dt.date(2025, 7, 1))
    assert not covers(None, None)  # unknown dates are not assumed to fit

    def engine_covers(first: dt.date | None, last: dt.date | None) -> object:
        return on_file.engine_consent(
            purpose="care_coordination",
            recipient_type="health_care_provider",
            info_category="general",
            records_from=first,
            records_to=last,
        )["scope_covers_request"]

    assert engine_covers(first, last) is True
    assert engine_covers(None, None) is False


def test_each_action_is_on_the_ledger(world: World) -> None:
    me = actor(world.worker_a)
    release = signed(me, world.client_a.id)
    selectors.release_list(actor=me, client_id=world.client_a.id)
    selectors.release_get(actor=me, release_id=release.id)
    selectors.release_get(actor=me, release_id=release.id, export="pdf")
    services.release_revoke(actor=me, release_id=release.id)
    kinds = list(
        Event.objects.filter(subject_id__in=[str(release.id), str(world.client_a.id)])
        .filter(event_type__startswith="consent:release:")
        .order_by("seq")
        .values_list("event_type", flat=True)
    )
    assert kinds == [
        "consent:release:created",
        "consent:release:signed",
        "consent:release:listed",
        "consent:release:viewed",
        "consent:release:exported",
        "consent:release:revoked",
    ]


def test_a_database_dump_holds_no_recipient_in_clear(world: World) -> None:
    release = signed(actor(world.worker_a), world.client_a.id)
    row = Release.objects.filter(id=release.id).values().get()
    blob = b"".join(bytes(v) for v in row.values() if isinstance(v, bytes | memoryview))
    for secret in (b"Lakeside", b"Lake Road", b"Rosalind", b"six months"):
        assert secret not in blob
