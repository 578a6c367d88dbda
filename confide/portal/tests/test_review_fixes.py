"""Sessions end when the account is reset or ended (the session epoch); the set-up page keeps one
authenticator secret per invitation; staff withdraw a live invitation whatever the account's
state; refused set-ups are on the ledger; the writers lock the account before its invitations."""

from __future__ import annotations

import base64
import re

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from confide.core.errors import NotFound, ValidationFailed
from confide.crypto.shred import destroy_client_material
from confide.ledger.enums import EventType
from confide.ledger.models import Event
from confide.portal import selectors, services
from confide.portal.auth import EPOCH
from confide.portal.errors import InvitationInvalid, PortalAccessWrongState
from confide.portal.models import PortalAccount, PortalInvitation
from confide.portal.tests.support import (
    PORTAL_PASSWORD,
    Clock,
    clock,
    code,
    enrol,
    portal_browser,
)
from confide.testing import World, actor, signed_in

__all__ = ["clock"]

pytestmark = pytest.mark.django_db
HOME, SIGN_IN = reverse("portal:home"), reverse("portal:sign_in")


def _events(kind: EventType) -> list[Event]:
    return list(Event.objects.filter(event_type=kind.value).order_by("seq"))


def _invite(world: World) -> services.Invitation:
    return services.invitation_create(
        actor=actor(world.worker_a), client_id=world.client_a.id, language="en"
    )


# ---- F1: a reset or an ending ends every earlier session ---------------------------------------


def test_a_reset_with_a_new_invitation_ends_earlier_sessions(world: World, clock: Clock) -> None:
    member = enrol(world.worker_a, world.client_a, clock)
    old = portal_browser(member.account)
    assert old.get(HOME).status_code == 200
    again = enrol(world.worker_a, world.client_a, clock)  # the client lost their phone
    assert old.get(HOME)["Location"] == SIGN_IN
    assert portal_browser(again.account).get(HOME).status_code == 200


def test_an_ended_session_does_not_revive_when_the_client_re_accepts(
    world: World, clock: Clock
) -> None:
    member = enrol(world.worker_a, world.client_a, clock)
    dormant = portal_browser(member.account)
    services.access_end(actor=actor(world.worker_a), client_id=world.client_a.id)
    enrol(world.worker_a, world.client_a, clock)  # within the idle window, no request between
    assert dormant.get(HOME)["Location"] == SIGN_IN


def test_a_session_without_the_accounts_epoch_is_signed_out(world: World, clock: Clock) -> None:
    member = enrol(world.worker_a, world.client_a, clock)
    for forged in (None, "1", str(member.account.session_epoch), 1.0, 99):
        browser = portal_browser(member.account)
        session = browser.session
        if forged is None:
            del session[EPOCH]
        else:
            session[EPOCH] = forged
        session.save()
        assert browser.get(HOME)["Location"] == SIGN_IN, forged


# ---- F2: one authenticator secret per invitation -----------------------------------------------


def _key(html: str) -> bytes:
    found = re.search(r'id="totp-key">([A-Z2-7]+)<', html)
    assert found is not None
    return base64.b32decode(found.group(1) + "=" * (-len(found.group(1)) % 8))


def test_the_set_up_page_keeps_its_secret_across_visits_and_failed_tries(
    world: World, clock: Clock
) -> None:
    browser = HttpClient()
    browser.post(reverse("portal:welcome"), {"code": _invite(world).code})
    first = _key(browser.get(reverse("portal:set_up")).content.decode())
    assert _key(browser.get(reverse("portal:set_up")).content.decode()) == first
    mistyped = browser.post(
        reverse("portal:set_up"),
        {"password": PORTAL_PASSWORD, "password_again": "something else", "code": "123456"},
    )
    assert mistyped.status_code == 400
    assert _key(mistyped.content.decode()) == first
    weak = browser.post(
        reverse("portal:set_up"),
        {"password": "password1234", "password_again": "password1234", "code": code(first, clock)},
    )
    assert weak.status_code == 400
    assert _key(weak.content.decode()) == first
    clock.step()
    done = browser.post(
        reverse("portal:set_up"),
        {
            "password": PORTAL_PASSWORD,
            "password_again": PORTAL_PASSWORD,
            "code": code(first, clock),
        },
    )
    assert done["Location"] == HOME


def test_a_new_invitation_gets_a_new_secret_and_the_old_one_stops(
    world: World, clock: Clock
) -> None:
    first_id = services.invitation_check(code=_invite(world).code)
    assert first_id is not None
    first = services.enrolment_begin(invitation_id=first_id).secret
    second_id = services.invitation_check(code=_invite(world).code)
    assert second_id is not None
    second = services.enrolment_begin(invitation_id=second_id).secret
    assert second != first
    assert services.enrolment_begin(invitation_id=second_id).secret == second
    with pytest.raises(ValidationFailed) as refused:
        services.invitation_accept(
            invitation_id=second_id, password=PORTAL_PASSWORD, code=code(first, clock)
        )
    assert set(refused.value.fields) == {"code"}
    assert PortalInvitation.objects.get(id=first_id).totp_pending_enc is None  # withdrawn


def test_an_invitation_of_a_shredded_client_is_refused_not_an_error(
    world: World, clock: Clock
) -> None:
    browser = HttpClient()
    browser.post(reverse("portal:welcome"), {"code": _invite(world).code})
    destroy_client_material(world.client_a.id)
    page = browser.get(reverse("portal:set_up"))
    assert page.status_code == 410
    assert "Ask your worker for a new invitation" in page.content.decode()
    invitation = PortalInvitation.objects.get()
    with pytest.raises(InvitationInvalid):
        services.enrolment_begin(invitation_id=invitation.id)


# ---- F4: staff withdraw a live invitation whatever the account's state ---------------------------


def test_an_invitation_made_after_ending_can_be_withdrawn(world: World, clock: Clock) -> None:
    staff = actor(world.worker_a)
    enrol(world.worker_a, world.client_a, clock)
    services.access_end(actor=staff, client_id=world.client_a.id)
    later = _invite(world)
    status = selectors.access_status(actor=staff, client_id=world.client_a.id)
    assert status.state == "ended"
    assert status.invitation_expires_at == later.expires_at
    assert status.can_withdraw
    assert not status.can_end
    services.access_end(actor=staff, client_id=world.client_a.id)  # withdraws it
    assert services.invitation_check(code=later.code) is None
    assert _events(EventType.PORTAL_ACCESS_ENDED)[-1].details["withdrawn"] == 1
    with pytest.raises(PortalAccessWrongState):
        services.access_end(actor=staff, client_id=world.client_a.id)


def test_a_reset_invitation_is_withdrawn_and_the_account_stays_active(
    world: World, clock: Clock
) -> None:
    staff = actor(world.worker_a)
    member = enrol(world.worker_a, world.client_a, clock)
    browser = portal_browser(member.account)
    reset = _invite(world)
    with pytest.raises(NotFound):
        services.invitation_withdraw(actor=actor(world.worker_b), client_id=world.client_a.id)
    services.invitation_withdraw(actor=staff, client_id=world.client_a.id)
    assert services.invitation_check(code=reset.code) is None
    assert browser.get(HOME).status_code == 200
    assert selectors.access_status(actor=staff, client_id=world.client_a.id).state == "active"
    assert len(_events(EventType.PORTAL_INVITATION_WITHDRAWN)) == 1
    with pytest.raises(PortalAccessWrongState):
        services.invitation_withdraw(actor=staff, client_id=world.client_a.id)


def test_the_staff_page_shows_and_withdraws_an_invitation_of_an_ended_account(
    world: World, clock: Clock
) -> None:
    enrol(world.worker_a, world.client_a, clock)
    services.access_end(actor=actor(world.worker_a), client_id=world.client_a.id)
    later = _invite(world)
    staff = signed_in(HttpClient(), world.worker_a)
    url = reverse("portal_staff:access", kwargs={"client_id": world.client_a.id})
    html = staff.get(url).content.decode()
    assert 'id="portal-state">Ended<' in html
    assert 'id="portal-invitation"' in html
    assert "Withdraw the invitation" in html
    assert "End portal access now" not in html
    withdraw = reverse("portal_staff:withdraw", kwargs={"client_id": world.client_a.id})
    assert staff.post(withdraw)["Location"] == url
    assert services.invitation_check(code=later.code) is None
    assert 'id="portal-invitation"' not in staff.get(url).content.decode()
    assert staff.post(withdraw).status_code == 409
    other = signed_in(HttpClient(), world.worker_b)
    assert other.post(withdraw).status_code == 404


# ---- F7: refused set-ups are recorded ----------------------------------------------------------


def test_a_refused_set_up_is_recorded_after_the_rollback(world: World, clock: Clock) -> None:
    invitation_id = services.invitation_check(code=_invite(world).code)
    assert invitation_id is not None
    secret = services.enrolment_begin(invitation_id=invitation_id).secret
    with pytest.raises(ValidationFailed):
        services.invitation_accept(invitation_id=invitation_id, password="short", code="000000")
    with pytest.raises(ValidationFailed):
        services.invitation_accept(
            invitation_id=invitation_id, password=PORTAL_PASSWORD, code="000000"
        )
    with pytest.raises(ValidationFailed):
        services.invitation_accept(
            invitation_id=invitation_id, password="password1234", code=code(secret, clock)
        )
    refused = _events(EventType.PORTAL_INVITATION_REFUSED)
    assert [e.details["why"] for e in refused] == [
        ["wrong_code", "weak_password"],
        ["wrong_code"],
        ["weak_password"],
    ]
    assert {e.subject_id for e in refused} == {str(invitation_id)}
    text = str([e.details for e in refused])
    assert "short" not in text
    assert PORTAL_PASSWORD not in text
    assert PortalAccount.objects.get().activated_at is None


# ---- lock order: the account before its invitations, in every writer ---------------------------


def _lock_order(sql: list[str]) -> list[str]:
    tables = []
    for statement in sql:
        if "FOR UPDATE" not in statement:
            continue
        for table in ("portal_portalaccount", "portal_portalinvitation"):
            if re.search(rf'FROM "{table}"', statement):
                tables.append(table)
    return tables


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite does not lock rows")
def test_accepting_locks_the_account_before_the_invitation(world: World, clock: Clock) -> None:
    invitation_id = services.invitation_check(code=_invite(world).code)
    assert invitation_id is not None
    with CaptureQueriesContext(connection) as begun:
        secret = services.enrolment_begin(invitation_id=invitation_id).secret
    with CaptureQueriesContext(connection) as accepted:
        services.invitation_accept(
            invitation_id=invitation_id, password=PORTAL_PASSWORD, code=code(secret, clock)
        )
    for captured in (begun, accepted):
        order = _lock_order([q["sql"] for q in captured.captured_queries])
        assert order == ["portal_portalaccount", "portal_portalinvitation"], order


# ---- F5: a notice published while the page was open ---------------------------------------------


def test_a_notice_published_while_reading_is_shown_and_the_resubmit_works(
    world: World, clock: Clock
) -> None:
    from confide.consent.models import Acknowledgement
    from confide.portal.tests.support import publish_notice

    first = publish_notice(world.privacy_a)
    member = enrol(world.worker_a, world.client_a, clock)
    browser = portal_browser(member.account)
    newer = publish_notice(world.privacy_a)
    answer = {"notice_id": str(first["en"].id), "typed_name": "Rosalind Quenby", "read_it": "on"}
    stale = browser.post(reverse("portal:notice"), answer)
    html = stale.content.decode()
    assert stale.status_code == 400
    assert "updated while you were reading it" in html
    assert "show the client" not in html  # staff wording
    assert f'value="{newer["en"].id}"' in html
    assert f'value="{first["en"].id}"' not in html
    resubmit = dict(answer, notice_id=re.findall(r'name="notice_id" value="([^"]+)"', html)[0])
    done = browser.post(reverse("portal:notice"), resubmit)["Location"]
    assert done == reverse("portal:notice") + "?lang=en"  # back to the language acknowledged
    assert Acknowledgement.objects.get().notice_id == newer["en"].id


# ---- F6: hints and errors carry the ids aria-describedby names; focus starts at the top --------


def test_field_hints_and_errors_have_the_ids_their_inputs_name(world: World, clock: Clock) -> None:
    browser = HttpClient()
    browser.post(reverse("portal:welcome"), {"code": _invite(world).code})
    page = browser.post(
        reverse("portal:set_up"), {"password": "x", "password_again": "y", "code": "12"}
    ).content.decode()
    described = re.findall(r'aria-describedby="([^"]+)"', page)
    assert described
    for ids in described:
        for one in ids.split():
            assert f'id="{one}"' in page, one
    # Focus starts at the top: on the summary of the problems, never on a field half-way down.
    assert re.findall(r"<(\w+)[^>]*\bautofocus\b", page) == ["div"]
    assert 'class="error-summary" role="alert" tabindex="-1" autofocus' in page
