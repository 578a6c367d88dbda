"""The portal's services: invitations (single use, time-limited, hashed, withdrawn by a newer one),
accepting one, sign-in with lockout, re-authentication, ending access; the client's own
acknowledgement and its printable copy with the drawn signature in it."""

from __future__ import annotations

import datetime as dt
import re
from uuid import UUID

import pytest
from django.conf import settings
from django.contrib.auth.hashers import identify_hasher
from django.test import override_settings

from confide.accounts import lockout
from confide.accounts import services as staff_services
from confide.consent import printable
from confide.consent import selectors as consent_selectors
from confide.consent import services as consent
from confide.consent.models import Acknowledgement
from confide.consent.selectors import NoticeStatus
from confide.core import clock as core_clock
from confide.core.enums import Role
from confide.core.errors import Conflict, NotFound, ValidationFailed
from confide.ledger.enums import EventType
from confide.ledger.models import Event
from confide.portal import selectors, services
from confide.portal.errors import InvitationInvalid, PortalAccessWrongState
from confide.portal.models import PortalAccount, PortalInvitation
from confide.portal.tests.support import (
    PORTAL_PASSWORD,
    Clock,
    clock,
    code,
    drawn_signature,
    enrol,
    publish_notice,
)
from confide.testing import World, actor, make_user

__all__ = ["clock"]  # a fixture, used by name

pytestmark = pytest.mark.django_db


def _events(kind: EventType) -> list[Event]:
    return list(Event.objects.filter(event_type=kind.value).order_by("seq"))


def test_an_invitation_is_shown_once_and_only_its_hash_is_kept(world: World) -> None:
    invitation = services.invitation_create(
        actor=actor(world.worker_a), client_id=world.client_a.id, language="es"
    )
    assert re.fullmatch(r"([A-Z2-9]{4}-){4}[A-Z2-9]{4}", invitation.code)
    assert re.fullmatch(r"([A-Z2-9]{4}-){2}[A-Z2-9]{4}", invitation.account.sign_in_id)
    row = PortalInvitation.objects.get()
    assert row.token_hash != invitation.code
    assert services.normalise(invitation.code) not in row.token_hash
    hours = (row.expires_at - core_clock.now()).total_seconds() / 3600
    assert hours == pytest.approx(settings.CONFIDE_PORTAL_INVITATION_HOURS, abs=0.01)
    (event,) = _events(EventType.PORTAL_INVITED)
    assert event.client_id == world.client_a.id
    assert invitation.code not in str(event.details)


def test_only_the_care_team_invites(world: World) -> None:
    with pytest.raises(NotFound):  # intake sees demographics only, not consent
        services.invitation_create(
            actor=actor(world.intake_a), client_id=world.client_a.id, language="en"
        )
    with pytest.raises(NotFound):
        services.invitation_create(
            actor=actor(world.worker_b), client_id=world.client_a.id, language="en"
        )
    with pytest.raises(ValidationFailed):
        services.invitation_create(
            actor=actor(world.worker_a), client_id=world.client_a.id, language="fr"
        )
    assert not PortalAccount.objects.exists()


def test_accepting_sets_an_argon2_password_and_uses_the_invitation(
    world: World, clock: Clock
) -> None:
    member = enrol(world.worker_a, world.client_a, clock)
    account = PortalAccount.objects.get(id=member.account.id)
    assert identify_hasher(account.password).algorithm == "argon2"
    assert PORTAL_PASSWORD not in account.password
    assert account.is_usable
    assert account.totp_confirmed
    assert PortalInvitation.objects.get(account=account).totp_pending_enc is None
    assert PortalInvitation.objects.get().used_at is not None
    (accepted,) = _events(EventType.PORTAL_INVITATION_ACCEPTED)
    assert accepted.actor_id == account.id
    assert accepted.channel == "portal"


def test_a_wrong_code_or_weak_password_changes_nothing(world: World, clock: Clock) -> None:
    invitation = services.invitation_create(
        actor=actor(world.worker_a), client_id=world.client_a.id, language="en"
    )
    invitation_id = services.invitation_check(code=invitation.code.lower().replace("-", " "))
    assert invitation_id is not None
    enrolment = services.enrolment_begin(invitation_id=invitation_id)
    with pytest.raises(ValidationFailed) as refused:
        services.invitation_accept(invitation_id=invitation_id, password="short", code="000000")
    assert set(refused.value.fields) == {"password", "code"}
    with pytest.raises(ValidationFailed) as refused:
        services.invitation_accept(
            invitation_id=invitation_id, password="password1234", code=code(enrolment.secret, clock)
        )
    assert set(refused.value.fields) == {"password"}
    account = PortalAccount.objects.get()
    assert account.password == ""
    assert account.activated_at is None
    assert PortalInvitation.objects.get().used_at is None
    assert not _events(EventType.PORTAL_INVITATION_ACCEPTED)


def test_used_expired_replaced_and_forged_codes_are_refused(
    world: World, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    staff = actor(world.worker_a)
    first = services.invitation_create(actor=staff, client_id=world.client_a.id, language="en")
    second = services.invitation_create(actor=staff, client_id=world.client_a.id, language="en")
    assert services.invitation_check(code=first.code) is None  # withdrawn by the second
    assert services.invitation_check(code="ABCD-EFGH-JKMN-PQRS-TUVW") is None  # forged
    live = services.invitation_check(code=second.code)
    assert live is not None
    later = core_clock.now() + dt.timedelta(hours=settings.CONFIDE_PORTAL_INVITATION_HOURS + 1)
    monkeypatch.setattr(core_clock, "now", lambda: later)
    assert services.invitation_check(code=second.code) is None  # expired
    with pytest.raises(InvitationInvalid):
        services.enrolment_begin(invitation_id=live)
    monkeypatch.undo()
    member = enrol(world.worker_a, world.client_a, clock)
    used = PortalInvitation.objects.get(used_at__isnull=False)
    assert used.account_id == member.account.id
    refusals = [e.details["why"] for e in _events(EventType.PORTAL_INVITATION_REFUSED)]
    assert refusals == ["withdrawn", "unknown", "expired"]


def test_an_invitation_works_only_once(world: World, clock: Clock) -> None:
    invitation = services.invitation_create(
        actor=actor(world.worker_a), client_id=world.client_a.id, language="en"
    )
    invitation_id = services.invitation_check(code=invitation.code)
    assert invitation_id is not None
    secret = services.enrolment_begin(invitation_id=invitation_id).secret
    services.invitation_accept(
        invitation_id=invitation_id, password=PORTAL_PASSWORD, code=code(secret, clock)
    )
    assert services.invitation_check(code=invitation.code) is None
    clock.step()
    with pytest.raises(InvitationInvalid):
        services.invitation_accept(
            invitation_id=invitation_id, password=PORTAL_PASSWORD, code=code(secret, clock)
        )


def test_sign_in_takes_password_then_a_fresh_code(world: World, clock: Clock) -> None:
    member = enrol(world.worker_a, world.client_a, clock)
    sign_in_id = member.account.sign_in_id.lower().replace("-", "")
    account = services.sign_in_check_password(sign_in_id=sign_in_id, password=PORTAL_PASSWORD)
    assert account is not None
    assert account.id == member.account.id
    used = member.next_code()
    assert services.sign_in_check_code(account_id=account.id, code=used) is not None
    assert services.sign_in_check_code(account_id=account.id, code=used) is None  # no replay
    assert services.sign_in_check_password(sign_in_id=sign_in_id, password="wrong") is None
    assert services.sign_in_check_password(sign_in_id="NOPE-NOPE-NOPE", password="x") is None
    failed = _events(EventType.PORTAL_SIGN_IN_FAILED)
    assert [e.details["step"] for e in failed] == ["code", "password", "password"]
    assert failed[-1].actor_id is None  # an unknown sign-in id names nobody


def test_repeated_failures_pause_sign_in_even_with_the_right_password(
    world: World, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    member = enrol(world.worker_a, world.client_a, clock)
    sign_in_id = member.account.sign_in_id
    for _ in range(settings.CONFIDE_LOCKOUT_THRESHOLD):
        services.sign_in_check_password(sign_in_id=sign_in_id, password="wrong password")
    assert len(_events(EventType.PORTAL_LOCKED_OUT)) == 1
    assert services.sign_in_check_password(sign_in_id=sign_in_id, password=PORTAL_PASSWORD) is None
    later = core_clock.now() + dt.timedelta(seconds=settings.CONFIDE_LOCKOUT_SECONDS + 1)
    monkeypatch.setattr(core_clock, "now", lambda: later)
    assert services.sign_in_check_password(sign_in_id=sign_in_id, password=PORTAL_PASSWORD)


def test_staff_and_clients_pause_by_the_same_lockout_rule(world: World, clock: Clock) -> None:
    """One rule (accounts.lockout) and one pair of settings serve both kinds of sign-in."""
    member = enrol(world.worker_a, world.client_a, clock)
    with override_settings(CONFIDE_LOCKOUT_THRESHOLD=2):
        for _ in range(2):
            services.sign_in_check_password(
                sign_in_id=member.account.sign_in_id, password="wrong password"
            )
            staff_services.sign_in_check_password(
                email=world.worker_a.email, password="wrong password"
            )
    member.account.refresh_from_db()
    world.worker_a.refresh_from_db()
    for row in (member.account, world.worker_a):
        assert row.failed_sign_ins == 0
        assert row.locked_until is not None
        assert lockout.is_locked(row)
    assert len(_events(EventType.PORTAL_LOCKED_OUT)) == 1
    assert len(_events(EventType.SIGN_IN_LOCKED)) == 1
    # Under the threshold a failure only counts, and a completed sign-in clears the count.
    other = enrol(world.other_worker_a, world.client_a_other, clock)
    sign_in_id = other.account.sign_in_id
    services.sign_in_check_password(sign_in_id=sign_in_id, password="wrong password")
    other.account.refresh_from_db()
    assert (other.account.failed_sign_ins, other.account.locked_until) == (1, None)
    assert services.sign_in_check_password(sign_in_id=sign_in_id, password=PORTAL_PASSWORD)
    assert services.sign_in_check_code(account_id=other.account.id, code=other.next_code())
    other.account.refresh_from_db()
    assert (other.account.failed_sign_ins, other.account.locked_until) == (0, None)


def test_ending_access_stops_sign_in_and_the_session(world: World, clock: Clock) -> None:
    member = enrol(world.worker_a, world.client_a, clock)
    assert selectors.principal_for(member.account.id) is not None
    services.access_end(actor=actor(world.worker_a), client_id=world.client_a.id)
    assert selectors.principal_for(member.account.id) is None
    assert (
        services.sign_in_check_password(
            sign_in_id=member.account.sign_in_id, password=PORTAL_PASSWORD
        )
        is None
    )
    with pytest.raises(PortalAccessWrongState):
        services.access_end(actor=actor(world.worker_a), client_id=world.client_a.id)
    with pytest.raises(PortalAccessWrongState):
        services.access_end(actor=actor(world.worker_b), client_id=world.client_b.id)
    # A new invitation opens it again, with a new password and authenticator.
    again = enrol(world.worker_a, world.client_a, clock)
    assert again.account.id == member.account.id
    assert selectors.principal_for(member.account.id) is not None


def test_reauthentication_needs_both_password_and_a_fresh_code(world: World, clock: Clock) -> None:
    member = enrol(world.worker_a, world.client_a, clock)
    me = selectors.principal_for(member.account.id)
    assert me is not None
    assert not services.reauth_check(principal=me, password="wrong", code=member.next_code())
    assert not services.reauth_check(principal=me, password=PORTAL_PASSWORD, code="123456")
    assert services.reauth_check(principal=me, password=PORTAL_PASSWORD, code=member.next_code())
    assert len(_events(EventType.PORTAL_REAUTHENTICATED)) == 1


def test_the_staff_page_status_follows_the_account(world: World, clock: Clock) -> None:
    staff = actor(world.worker_a)
    assert selectors.access_status(actor=staff, client_id=world.client_a.id).state == "none"
    services.invitation_create(actor=staff, client_id=world.client_a.id, language="en")
    assert selectors.access_status(actor=staff, client_id=world.client_a.id).state == "invited"
    enrol(world.worker_a, world.client_a, clock)
    assert selectors.access_status(actor=staff, client_id=world.client_a.id).state == "active"
    with pytest.raises(NotFound):
        selectors.access_status(actor=actor(world.worker_b), client_id=world.client_a.id)


# ---- the notice state the portal reads (consent's public selector) -----------------------------


def test_the_client_reads_their_own_notice_state_and_nobody_elses(world: World) -> None:
    def mine() -> NoticeStatus:
        return consent_selectors.client_notice_status(
            client_id=world.client_a.id, agency_id=world.agency_a.id
        )

    assert mine().reason == "none_published"
    first = publish_notice(world.privacy_a)
    assert (mine().current_version, mine().needs_acknowledgement, mine().reason) == (
        1,
        True,
        "never",
    )
    # Another client's acknowledgement is not theirs.
    consent.acknowledgement_record(
        actor=actor(world.other_worker_a),
        client_id=world.client_a_other.id,
        notice_id=first["en"].id,
        typed_name="Tobias Wexford",
    )
    assert mine().reason == "never"
    consent.acknowledgement_record(
        actor=actor(world.worker_a),
        client_id=world.client_a.id,
        notice_id=first["es"].id,
        typed_name="Rosalind Quenby",
    )
    assert (mine().acknowledged_version, mine().needs_acknowledgement) == (1, False)
    staff_view = consent_selectors.notice_status(
        actor=actor(world.worker_a), client_id=world.client_a.id
    )
    assert staff_view == mine()
    publish_notice(world.privacy_a)  # material: asks again
    assert (mine().current_version, mine().reason) == (2, "material_change")
    # A client id paired with another agency reads that agency's notices and no acknowledgement.
    crossed = consent_selectors.client_notice_status(
        client_id=world.client_a.id, agency_id=world.agency_b.id
    )
    assert (crossed.acknowledged_version, crossed.reason) == (None, "none_published")
    publish_notice(make_user(world.agency_b, "privacy_b@b.test", Role.PRIVACY_OFFICER))
    crossed = consent_selectors.client_notice_status(
        client_id=world.client_a.id, agency_id=world.agency_b.id
    )
    assert (crossed.acknowledged_version, crossed.reason) == (None, "never")
    assert (
        consent_selectors.client_notice_status(
            client_id=world.client_b.id, agency_id=world.agency_b.id
        ).reason
        == "never"
    )


# ---- the client's own acknowledgement and its printable copy ----------------------------------


def _pdf_images(pdf: bytes) -> list[tuple[int, int]]:
    """(width, height) of each image XObject in a PDF (fpdf2 writes their dictionaries plain)."""
    found = []
    for match in re.finditer(rb"\d+ 0 obj\n<<\n(.*?)\n>>\nstream", pdf, re.S):
        body = match.group(1)
        if b"/Subtype /Image" not in body:
            continue
        width = re.search(rb"/Width (\d+)", body)
        height = re.search(rb"/Height (\d+)", body)
        if width and height:
            found.append((int(width.group(1)), int(height.group(1))))
    return found


def test_a_client_acknowledges_alone_and_the_copy_holds_the_drawn_signature(
    world: World, clock: Clock
) -> None:
    notices = publish_notice(world.privacy_a)
    member = enrol(world.worker_a, world.client_a, clock)
    data_url, png = drawn_signature(123, 45)
    ack = consent.acknowledgement_record_by_client(
        client_id=world.client_a.id,
        agency_id=world.agency_a.id,
        account_id=member.account.id,
        notice_id=notices["es"].id,
        typed_name="Rosalind Quenby",
        signature=data_url,
    )
    assert ack.witness_id is None
    (event,) = _events(EventType.NOTICE_ACKNOWLEDGED)
    assert (event.actor_id, event.channel) == (member.account.id, "portal")
    copy = printable.client_acknowledgement_copy(
        client_id=world.client_a.id,
        agency_id=world.agency_a.id,
        account_id=member.account.id,
        acknowledgement_id=ack.id,
    )
    assert copy.signature_png == png
    assert copy.witness == printable.NO_WITNESS
    pdf = printable.acknowledgement_pdf(copy)
    assert pdf.startswith(b"%PDF")
    assert _pdf_images(pdf) == [(123, 45)]


def test_a_typed_only_acknowledgement_prints_without_an_image(world: World) -> None:
    notices = publish_notice(world.privacy_a)
    ack = consent.acknowledgement_record(
        actor=actor(world.intake_a),
        client_id=world.client_a.id,
        notice_id=notices["en"].id,
        typed_name="Rosalind Quenby",
    )
    # Intake witnessed it but does not read earlier acknowledgements (consent:view): not found.
    with pytest.raises(NotFound):
        printable.acknowledgement_copy(actor=actor(world.intake_a), acknowledgement_id=ack.id)
    copy = printable.acknowledgement_copy(actor=actor(world.worker_a), acknowledgement_id=ack.id)
    assert copy.signature_png is None
    assert copy.witness == world.intake_a.display_name
    assert _pdf_images(printable.acknowledgement_pdf(copy)) == []
    (event,) = _events(EventType.ACKNOWLEDGEMENT_EXPORTED)
    assert (event.actor_id, event.channel, event.client_id) == (
        world.worker_a.id,
        "web",
        world.client_a.id,
    )
    assert event.details == {"format": "pdf"}


def test_nobody_prints_another_clients_acknowledgement(world: World, clock: Clock) -> None:
    notices = publish_notice(world.privacy_a)
    ack = consent.acknowledgement_record(
        actor=actor(world.worker_a),
        client_id=world.client_a.id,
        notice_id=notices["en"].id,
        typed_name="Rosalind Quenby",
    )
    other = enrol(world.other_worker_a, world.client_a_other, clock)
    with pytest.raises(NotFound):
        printable.client_acknowledgement_copy(
            client_id=world.client_a_other.id,
            agency_id=world.agency_a.id,
            account_id=other.account.id,
            acknowledgement_id=ack.id,
        )
    for outsider in (world.worker_b, world.other_worker_a):
        with pytest.raises(NotFound):
            printable.acknowledgement_copy(actor=actor(outsider), acknowledgement_id=ack.id)
    with pytest.raises(NotFound):
        printable.acknowledgement_copy(actor=actor(world.worker_a), acknowledgement_id="nonsense")
    assert not _events(EventType.ACKNOWLEDGEMENT_EXPORTED)


def test_a_bad_signature_or_stale_notice_records_nothing(world: World, clock: Clock) -> None:
    first = publish_notice(world.privacy_a)
    publish_notice(world.privacy_a)
    member = enrol(world.worker_a, world.client_a, clock)

    def acknowledge(client_id: UUID, signature: str | None = None) -> None:
        consent.acknowledgement_record_by_client(
            client_id=client_id,
            agency_id=world.agency_a.id,
            account_id=member.account.id,
            notice_id=first["en"].id,
            typed_name="Rosalind Quenby",
            signature=signature,
        )

    with pytest.raises(ValidationFailed):
        acknowledge(world.client_a.id, "data:image/png;base64,bm90IGEgcG5n")
    with pytest.raises(Conflict):  # a newer version was published
        acknowledge(world.client_a.id)
    with pytest.raises(NotFound):  # not a client of this agency
        acknowledge(world.client_b.id)
    assert not Acknowledgement.objects.exists()
