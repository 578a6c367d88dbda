"""Signing in returns to the page asked for: a deep link or a page whose session timed out. The
`next` is a staff page path only (`auth.local_path`); anything else, an open redirect attempt
included, ends on the start page."""

from __future__ import annotations

import time
from urllib.parse import quote

import pytest
from django.test import Client as HttpClient
from django.test import RequestFactory
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from confide.accounts.middleware import LAST_SEEN
from confide.accounts.models import User
from confide.testing import PASSWORD, World, signed_in
from confide.web.auth import local_path, return_to
from confide.web.tests.support import text

CLIENT_ID = "00000000-0000-4000-8000-000000000000"

# Each would lead off this site, into the portal, or to no page, if it were followed.
REFUSED = [
    "//evil.example/",
    "https://evil.example/",
    "http:/evil.example/",
    "/\\evil.example/",
    "\\\\evil.example/",
    "/\\/evil.example/",
    "%2F%2Fevil.example/",
    "/%2F%2Fevil.example/",
    "/%2F/evil.example/",
    "/%5Cevil.example/",
    "%252F%252Fevil.example/",
    "/\t/evil.example/",
    "/\n/evil.example/",
    " //evil.example/",
    "javascript:alert(1)",
    "evil.example",
    "/\uff45vil/",  # not ASCII
    "/clients/../portal/",
    f"/clients/{CLIENT_ID}/?q=name",
    f"/clients/{CLIENT_ID}/#x",
    "/portal/",
    "/portal/releases/",
    "/api/caseload",
    "/sign-in/",
    "/sign-in/code/",
    "/no-such-page/",
    "/" + "a/" * 300,
]


def _code(user: User) -> str:
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():06d}"


def _with(url: str, value: str) -> str:
    """`url` with `value` as its `next`, arriving at the server exactly as `value`."""
    return f"{url}?next={quote(value, safe='')}"


@pytest.mark.parametrize("value", REFUSED)
def test_local_path_refuses_anything_but_a_staff_page(value: str) -> None:
    assert local_path(value, portal=False) is None


@pytest.mark.parametrize(
    "value",
    [f"/clients/{CLIENT_ID}/", f"/disclosures/{CLIENT_ID}/", "/review/grants/", "/ledger/"],
)
def test_local_path_keeps_a_staff_page(value: str) -> None:
    assert local_path(value, portal=False) == value
    assert local_path(value, portal=True) is None  # never a portal return address


def test_a_deep_link_returns_there_through_the_password_and_code_steps(
    world: World, client: HttpClient
) -> None:
    page = reverse("web:client_detail", args=[world.client_a.id])
    asked = client.get(page)
    assert asked["Location"] == f"{reverse('web:sign_in')}?next={page}"
    assert client.get(asked["Location"]).status_code == 200
    step = client.post(asked["Location"], {"email": "worker_a@a.test", "password": PASSWORD})
    assert step["Location"] == f"{reverse('web:sign_in_code')}?next={page}"
    assert client.get(step["Location"]).status_code == 200
    done = client.post(step["Location"], {"code": _code(world.worker_a)})
    assert done["Location"] == page
    assert client.get(page).status_code == 200


@pytest.mark.parametrize("value", REFUSED)
def test_a_next_off_this_site_or_into_the_portal_ends_on_the_start_page(
    world: World, client: HttpClient, value: str
) -> None:
    step = client.post(
        _with(reverse("web:sign_in"), value), {"email": "worker_a@a.test", "password": PASSWORD}
    )
    assert step["Location"] == reverse("web:sign_in_code")  # not carried on
    # Added again at the code step, it is refused there too.
    done = client.post(_with(reverse("web:sign_in_code"), value), {"code": _code(world.worker_a)})
    assert done["Location"] == reverse("web:dashboard")
    # And a signed-in visit to the sign-in page with it goes to the start page.
    again = client.get(_with(reverse("web:sign_in"), value))
    assert again["Location"] == reverse("web:dashboard")


def test_a_first_sign_in_carries_next_through_enrolment(world: World, client: HttpClient) -> None:
    TOTPDevice.objects.filter(user=world.worker_a).delete()
    page = reverse("web:disclosure_queue")
    step = client.post(
        _with(reverse("web:sign_in"), page), {"email": "worker_a@a.test", "password": PASSWORD}
    )
    assert step["Location"] == f"{reverse('web:enrol')}?next={page}"
    client.get(step["Location"])
    device = TOTPDevice.objects.get(user=world.worker_a, confirmed=False)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    done = client.post(step["Location"], {"code": f"{totp.token():06d}"})
    assert done["Location"] == page


def test_an_expired_code_step_sends_back_to_sign_in_with_the_next(
    world: World, client: HttpClient
) -> None:
    page = reverse("web:client_detail", args=[world.client_a.id])
    stale = client.get(_with(reverse("web:sign_in_code"), page))
    assert stale["Location"] == f"{reverse('web:sign_in')}?next={page}"


def test_after_an_idle_timeout_signing_in_returns_to_the_page(
    world: World, client: HttpClient
) -> None:
    signed_in(client, world.worker_a)
    session = client.session
    session[LAST_SEEN] = time.time() - 16 * 60
    session.save()
    page = reverse("web:client_detail", args=[world.client_a.id])
    timed_out = client.get(page)
    assert timed_out["Location"] == f"{reverse('web:sign_in')}?next={page}"
    sign_in = client.get(timed_out["Location"])
    assert "signed out after a period of inactivity" in text(sign_in)
    step = client.post(timed_out["Location"], {"email": "worker_a@a.test", "password": PASSWORD})
    done = client.post(step["Location"], {"code": _code(world.worker_a)})
    assert done["Location"] == page


def test_a_form_sent_after_a_timeout_is_not_a_return_address(
    world: World, client: HttpClient
) -> None:
    signed_in(client, world.worker_a)
    session = client.session
    session[LAST_SEEN] = time.time() - 16 * 60
    session.save()
    posted = client.post(reverse("web:notifications_read_all"))
    assert posted["Location"] == reverse("web:sign_in")


def test_the_start_page_and_a_post_carry_no_next(rf: RequestFactory) -> None:
    assert return_to(rf.get(reverse("web:dashboard")), portal=False) is None
    assert return_to(rf.post(reverse("web:review_open")), portal=False) is None
    assert return_to(rf.head(reverse("web:review_open")), portal=False) == "/review/open/"


def test_reauthentication_returns_only_to_a_staff_page(world: World) -> None:
    http = signed_in(HttpClient(), world.worker_a)
    form = http.get(_with(reverse("web:reauth"), "//evil.example/")).content.decode()
    assert "evil" not in form
    assert 'name="next" value="/"' in form
