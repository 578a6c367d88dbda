"""The portal's pages over HTTP: a client accepts an invitation made on the staff page, signs in,
acknowledges the notice and revokes a release; forged and other clients' ids are not found; a
portal session never reaches staff pages or the API, and a staff session never reaches the
portal; every field is labelled."""

from __future__ import annotations

import base64
import re
import time
from urllib.parse import quote

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from confide.accounts.middleware import LAST_SEEN
from confide.consent.models import Acknowledgement
from confide.ledger.enums import EventType
from confide.ledger.models import Event
from confide.portal import services
from confide.portal.auth import ACCOUNT
from confide.portal.models import PortalAccount
from confide.portal.tests.support import (
    PORTAL_PASSWORD,
    Clock,
    clock,
    code,
    drawn_signature,
    enrol,
    portal_browser,
    publish_notice,
)
from confide.releases.enums import ReleaseState, RevokedBy
from confide.releases.models import Release
from confide.releases.tests.support import signed
from confide.testing import World, actor, signed_in

__all__ = ["clock"]

pytestmark = pytest.mark.django_db
FORGED = "00000000-0000-4000-8000-000000000000"


def _labelled(html: str) -> None:
    """Every visible input, select and textarea has a <label for=...>."""
    labels = set(re.findall(r'<label for="([^"]+)"', html))
    for tag in re.findall(r"<(?:input|select|textarea)\b[^>]*>", html):
        if 'type="hidden"' in tag:
            continue
        found = re.search(r'id="([^"]+)"', tag)
        assert found is not None, tag
        assert found.group(1) in labels, f"no label for {found.group(1)}"


def test_a_client_is_invited_signs_in_acknowledges_and_revokes(world: World, clock: Clock) -> None:
    notices = publish_notice(world.privacy_a)
    release = signed(actor(world.worker_a), world.client_a.id)
    staff = signed_in(HttpClient(), world.worker_a)
    page = staff.get(reverse("portal_staff:access", kwargs={"client_id": world.client_a.id}))
    assert page.status_code == 200
    _labelled(page.content.decode())
    made = staff.post(
        reverse("portal_staff:access", kwargs={"client_id": world.client_a.id}),
        {"language": "es", "for_client_only": "on"},
    )
    found = re.search(r'id="invitation-code">([A-Z2-9-]+)<', made.content.decode())
    assert found is not None
    invitation_code = found.group(1)

    browser = HttpClient()
    assert browser.post(reverse("portal:welcome"), {"code": "WRONG-CODE"}).status_code == 400
    step = browser.post(reverse("portal:welcome"), {"code": invitation_code})
    assert step["Location"] == reverse("portal:set_up")
    set_up = browser.get(reverse("portal:set_up"))
    _labelled(set_up.content.decode())
    key = re.search(r'id="totp-key">([A-Z2-7]+)<', set_up.content.decode())
    assert key is not None
    secret = base64.b32decode(key.group(1) + "=" * (-len(key.group(1)) % 8))
    done = browser.post(
        reverse("portal:set_up"),
        {
            "password": PORTAL_PASSWORD,
            "password_again": PORTAL_PASSWORD,
            "code": code(secret, clock),
        },
    )
    assert done["Location"] == reverse("portal:home")
    assert "Please read our privacy notice" in browser.get(reverse("portal:home")).content.decode()

    notice_page = browser.get(reverse("portal:notice"))
    html = notice_page.content.decode()
    assert 'lang="es"' in html  # the client's language
    _labelled(html)
    data_url, _ = drawn_signature()
    posted = browser.post(
        reverse("portal:notice"),
        {
            "notice_id": notices["es"].id,
            "typed_name": "Rosalind Quenby",
            "signature": data_url,
            "read_it": "on",
        },
    )
    assert posted.status_code == 302
    ack = Acknowledgement.objects.get(client=world.client_a)
    assert ack.witness_id is None
    pdf = browser.get(reverse("portal:acknowledgement_pdf", kwargs={"acknowledgement_id": ack.id}))
    assert pdf.status_code == 200
    assert b"/Subtype /Image" in pdf.content

    listing = browser.get(reverse("portal:release_list")).content.decode()
    assert "Lakeside Family Clinic" in listing
    revoke_url = reverse("portal:release_revoke", kwargs={"release_id": release.id})
    _labelled(browser.get(revoke_url).content.decode())
    clock.step()
    wrong = browser.post(
        revoke_url, {"sure": "on", "password": "not it at all", "code": code(secret, clock)}
    )
    assert wrong.status_code == 400
    assert "Nothing was revoked" in wrong.content.decode()
    assert Release.objects.get(id=release.id).state != ReleaseState.REVOKED
    clock.step()
    ok = browser.post(
        revoke_url, {"sure": "on", "password": PORTAL_PASSWORD, "code": code(secret, clock)}
    )
    assert ok.status_code == 302
    revoked = Release.objects.get(id=release.id)
    assert revoked.state == ReleaseState.REVOKED
    assert revoked.revoked_by == RevokedBy.CLIENT
    event = Event.objects.get(event_type=EventType.ROI_REVOKED.value)
    assert event.channel == "portal"
    assert event.actor_id == PortalAccount.objects.get(client=world.client_a).id
    assert event.details["by"] == "client"
    clock.step()
    again = browser.post(
        revoke_url, {"sure": "on", "password": PORTAL_PASSWORD, "code": code(secret, clock)}
    )
    assert again.status_code == 409
    assert "already revoked" in again.content.decode()
    assert (
        browser.get(reverse("portal:release_pdf", kwargs={"release_id": release.id})).status_code
        == 200
    )


def test_another_clients_or_a_forged_id_is_not_found(world: World, clock: Clock) -> None:
    mine = signed(actor(world.worker_a), world.client_a.id)
    theirs = signed(actor(world.other_worker_a), world.client_a_other.id)
    other_agency = signed(actor(world.worker_b), world.client_b.id)
    member = enrol(world.worker_a, world.client_a, clock)
    browser = portal_browser(member.account)
    for name in ("portal:release_detail", "portal:release_pdf", "portal:release_revoke"):
        assert browser.get(reverse(name, kwargs={"release_id": mine.id})).status_code == 200
        for other in (theirs.id, other_agency.id, FORGED):
            assert browser.get(reverse(name, kwargs={"release_id": other})).status_code == 404
    posted = browser.post(
        reverse("portal:release_revoke", kwargs={"release_id": theirs.id}),
        {"sure": "on", "password": PORTAL_PASSWORD, "code": member.next_code()},
    )
    assert posted.status_code == 404
    assert Release.objects.get(id=theirs.id).state != ReleaseState.REVOKED
    listing = browser.get(reverse("portal:release_list")).content.decode()
    assert str(theirs.id) not in listing
    assert str(mine.id) in listing
    url = reverse("portal:acknowledgement_pdf", kwargs={"acknowledgement_id": FORGED})
    assert browser.get(url).status_code == 404


def test_a_portal_session_never_reaches_staff_pages_or_the_api(world: World, clock: Clock) -> None:
    member = enrol(world.worker_a, world.client_a, clock)
    browser = portal_browser(member.account)
    assert browser.get(reverse("portal:home")).status_code == 200
    page = browser.get(reverse("web:client_detail", kwargs={"client_id": world.client_a.id}))
    assert page["Location"].startswith(reverse("web:sign_in"))
    api = browser.get(f"/api/clients/{world.client_a.id}")
    assert api.status_code == 401
    staff_page = browser.get(
        reverse("portal_staff:access", kwargs={"client_id": world.client_a.id})
    )
    assert staff_page["Location"].startswith(reverse("web:sign_in"))


def _sign_in_returning_to(name: str) -> str:
    """The portal's sign-in, returning to the page after it (the home page is where it goes
    anyway)."""
    page = reverse(name)
    sign_in = reverse("portal:sign_in")
    return sign_in if page == reverse("portal:home") else f"{sign_in}?next={page}"


def test_an_open_session_ends_at_its_next_request_once_access_is_ended(
    world: World, clock: Clock
) -> None:
    member = enrol(world.worker_a, world.client_a, clock)
    browser = portal_browser(member.account)
    assert browser.get(reverse("portal:home")).status_code == 200
    services.access_end(actor=actor(world.worker_a), client_id=world.client_a.id)
    for name in ("portal:home", "portal:notice", "portal:release_list"):
        assert browser.get(reverse(name))["Location"] == _sign_in_returning_to(name)
    assert ACCOUNT not in browser.session
    # A new invitation opens the account again, but not the ended session: it was flushed.
    enrol(world.worker_a, world.client_a, clock)
    assert browser.get(reverse("portal:home"))["Location"] == reverse("portal:sign_in")
    # A revocation in flight is refused the same way and changes nothing.
    release = signed(actor(world.worker_a), world.client_a.id)
    stale = portal_browser(member.account)
    services.access_end(actor=actor(world.worker_a), client_id=world.client_a.id)
    posted = stale.post(
        reverse("portal:release_revoke", kwargs={"release_id": release.id}),
        {"sure": "on", "password": PORTAL_PASSWORD, "code": member.next_code()},
    )
    assert posted["Location"] == reverse("portal:sign_in")
    assert Release.objects.get(id=release.id).state != ReleaseState.REVOKED


def test_a_staff_session_is_not_a_portal_session(world: World, clock: Clock) -> None:
    enrol(world.worker_a, world.client_a, clock)
    staff = signed_in(HttpClient(), world.worker_a)
    for name in ("portal:home", "portal:notice", "portal:release_list"):
        assert staff.get(reverse(name))["Location"] == _sign_in_returning_to(name)


def test_an_idle_session_ends_and_is_recorded(world: World, clock: Clock) -> None:
    member = enrol(world.worker_a, world.client_a, clock)
    browser = portal_browser(member.account)
    session = browser.session
    session[LAST_SEEN] = time.time() - 3600
    session.save()
    assert browser.get(reverse("portal:home"))["Location"] == reverse("portal:sign_in")
    assert Event.objects.filter(event_type=EventType.PORTAL_SESSION_EXPIRED.value).count() == 1
    assert browser.get(reverse("portal:home"))["Location"] == reverse("portal:sign_in")


def test_sign_in_pages_refuse_bad_input_clearly(world: World, clock: Clock) -> None:
    member = enrol(world.worker_a, world.client_a, clock)
    browser = HttpClient()
    page = browser.get(reverse("portal:sign_in"))
    _labelled(page.content.decode())
    wrong = browser.post(
        reverse("portal:sign_in"),
        {"sign_in_id": member.account.sign_in_id, "password": "nope nope nope"},
    )
    assert wrong.status_code == 400
    assert "sign-in id, password or code is not right" in wrong.content.decode()
    assert browser.get(reverse("portal:sign_in_code"))["Location"] == reverse("portal:sign_in")
    step = browser.post(
        reverse("portal:sign_in"),
        {"sign_in_id": member.account.sign_in_id, "password": PORTAL_PASSWORD},
    )
    assert step["Location"] == reverse("portal:sign_in_code")
    assert browser.post(reverse("portal:sign_in_code"), {"code": "000000"}).status_code == 400
    done = browser.post(reverse("portal:sign_in_code"), {"code": member.next_code()})
    assert done["Location"] == reverse("portal:home")
    assert browser.get(reverse("portal:home")).status_code == 200
    browser.post(reverse("portal:sign_out"))
    assert browser.get(reverse("portal:home"))["Location"] == reverse("portal:sign_in")
    assert Event.objects.filter(event_type=EventType.PORTAL_SIGN_OUT.value).count() == 1


def test_every_portal_view_is_on_the_ledger(world: World, clock: Clock) -> None:
    publish_notice(world.privacy_a)
    release = signed(actor(world.worker_a), world.client_a.id)
    member = enrol(world.worker_a, world.client_a, clock)
    browser = portal_browser(member.account)
    before = Event.objects.count()
    for url in (
        reverse("portal:home"),
        reverse("portal:notice"),
        reverse("portal:release_list"),
        reverse("portal:release_detail", kwargs={"release_id": release.id}),
        reverse("portal:release_pdf", kwargs={"release_id": release.id}),
    ):
        assert browser.get(url).status_code == 200
    events = list(Event.objects.order_by("seq")[before:])
    assert [e.event_type for e in events] == [
        EventType.PORTAL_PAGE_VIEWED.value,
        EventType.PORTAL_PAGE_VIEWED.value,
        EventType.ROI_LISTED.value,
        EventType.ROI_VIEWED.value,
        EventType.ROI_EXPORTED.value,
    ]
    assert {(e.actor_id, e.channel, e.client_id) for e in events} == {
        (member.account.id, "portal", world.client_a.id)
    }


def _with_next(url: str, value: str) -> str:
    return f"{url}?next={quote(value, safe='')}"


def test_signing_in_returns_to_the_portal_page_asked_for(world: World, clock: Clock) -> None:
    member = enrol(world.worker_a, world.client_a, clock)
    release = signed(actor(world.worker_a), world.client_a.id)
    page = reverse("portal:release_detail", kwargs={"release_id": release.id})
    browser = HttpClient()
    asked = browser.get(page)
    assert asked["Location"] == f"{reverse('portal:sign_in')}?next={page}"
    step = browser.post(
        asked["Location"],
        {"sign_in_id": member.account.sign_in_id, "password": PORTAL_PASSWORD},
    )
    assert step["Location"] == f"{reverse('portal:sign_in_code')}?next={page}"
    done = browser.post(step["Location"], {"code": member.next_code()})
    assert done["Location"] == page
    assert browser.get(page).status_code == 200


def test_after_an_idle_timeout_the_portal_returns_to_the_page(world: World, clock: Clock) -> None:
    member = enrol(world.worker_a, world.client_a, clock)
    browser = portal_browser(member.account)
    session = browser.session
    session[LAST_SEEN] = time.time() - 3600
    session.save()
    page = reverse("portal:release_list")
    timed_out = browser.get(page)
    assert timed_out["Location"] == f"{reverse('portal:sign_in')}?next={page}"
    assert (
        "signed out after a period of inactivity"
        in browser.get(timed_out["Location"]).content.decode()
    )
    step = browser.post(
        timed_out["Location"],
        {"sign_in_id": member.account.sign_in_id, "password": PORTAL_PASSWORD},
    )
    assert browser.post(step["Location"], {"code": member.next_code()})["Location"] == page


@pytest.mark.parametrize(
    "value",
    [
        "//evil.example/",
        "https://evil.example/",
        "/\\evil.example/",
        "/%2F%2Fevil.example/",
        "%2F%2Fevil.example/",
        "/portal/../clients/",
        f"/clients/{FORGED}/",  # a staff page: never from the portal's sign-in
        "/",
        "/portal/sign-in/",
        "/portal/no-such-page/",
    ],
)
def test_a_portal_next_off_the_portal_ends_on_the_portal_home(
    world: World, clock: Clock, value: str
) -> None:
    member = enrol(world.worker_a, world.client_a, clock)
    browser = HttpClient()
    step = browser.post(
        _with_next(reverse("portal:sign_in"), value),
        {"sign_in_id": member.account.sign_in_id, "password": PORTAL_PASSWORD},
    )
    assert step["Location"] == reverse("portal:sign_in_code")
    done = browser.post(
        _with_next(reverse("portal:sign_in_code"), value), {"code": member.next_code()}
    )
    assert done["Location"] == reverse("portal:home")
    assert browser.get(_with_next(reverse("portal:sign_in"), value))["Location"] == reverse(
        "portal:home"
    )


def test_a_staff_sign_in_never_returns_into_the_portal(world: World) -> None:
    page = _with_next(reverse("web:sign_in"), reverse("portal:release_list"))
    staff = signed_in(HttpClient(), world.worker_a)
    assert staff.get(page)["Location"] == reverse("web:dashboard")
