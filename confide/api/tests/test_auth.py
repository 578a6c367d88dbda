"""Token authentication: every kind of failure gets the same 401, and sessions do not count."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client as HttpClient

from confide.accounts import services as accounts
from confide.accounts.models import ApiToken
from confide.api.tests.conftest import ApiCaller, token_for
from confide.core import clock
from confide.ledger.models import Event
from confide.testing import World, actor, signed_in

UNAUTHORIZED = {
    "error": "unauthorized",
    "message": "Send a valid API token as 'Authorization: Bearer <token>'.",
}


def assert_unauthorized(caller: ApiCaller) -> None:
    for response in (
        caller.get("/api/caseload"),
        caller.get("/api/notes/00000000-0000-0000-0000-000000000000"),
        caller.send("post", "/api/notes/x/sign", "not json"),
    ):
        assert response.status_code == 401
        assert response.json() == UNAUTHORIZED
        assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "Bearer",
        "Bearer ",
        "Basic dXNlcjpwYXNz",
        "Token cfd_abc",
        "Bearer not-a-token",
        "Bearer cfd_" + "x" * 43,
        "Bearer cfd_" + "x" * 500,
    ],
)
def test_a_missing_or_malformed_token_is_refused(world: World, header: str | None) -> None:
    assert_unauthorized(ApiCaller(HttpClient(), header))


def test_an_expired_token_is_refused(world: World) -> None:
    secret = token_for(world.worker_a)
    ApiToken.objects.filter(user=world.worker_a).update(expires_at=clock.now() - timedelta(1))
    assert_unauthorized(ApiCaller(HttpClient(), f"Bearer {secret}"))


def test_a_revoked_token_is_refused(world: World) -> None:
    secret = token_for(world.worker_a)
    token = ApiToken.objects.get(user=world.worker_a)
    accounts.token_revoke(actor=actor(world.worker_a), token_id=token.id)
    assert_unauthorized(ApiCaller(HttpClient(), f"Bearer {secret}"))


def test_a_deactivated_users_token_is_refused(world: World) -> None:
    secret = token_for(world.worker_a)
    world.worker_a.is_active = False
    world.worker_a.save(update_fields=["is_active"])
    assert_unauthorized(ApiCaller(HttpClient(), f"Bearer {secret}"))


def test_a_signed_in_browser_session_is_not_api_authentication(world: World) -> None:
    assert_unauthorized(ApiCaller(signed_in(HttpClient(), world.worker_a), None))


def test_a_valid_token_works_and_records_its_use(world: World) -> None:
    secret = token_for(world.worker_a)
    response = ApiCaller(HttpClient(), f"Bearer {secret}").get("/api/caseload")
    assert response.status_code == 200
    assert ApiToken.objects.get(user=world.worker_a).last_used_at is not None


def test_the_scheme_name_is_case_insensitive(world: World) -> None:
    secret = token_for(world.worker_a)
    assert ApiCaller(HttpClient(), f"bearer {secret}").get("/api/caseload").status_code == 200


def test_api_events_carry_the_api_channel_and_the_token_owner(world: World) -> None:
    secret = token_for(world.worker_a)
    ApiCaller(HttpClient(), f"Bearer {secret}").get(f"/api/clients/{world.client_a.id}")
    event = Event.objects.order_by("-seq").first()
    assert event is not None
    assert event.channel == "api"
    assert event.actor_id == world.worker_a.id


def test_no_csrf_token_is_needed_with_a_bearer_token(world: World) -> None:
    secret = token_for(world.worker_a)
    caller = ApiCaller(HttpClient(enforce_csrf_checks=True), f"Bearer {secret}")
    case = world.case_of(world.client_a)
    response = caller.post(f"/api/cases/{case.id}/notes", {"kind": "contact", "body": "Called."})
    assert response.status_code == 201
