"""The request's user is loaded with its actor's facts in one query, fresh on every request: a
change of role, team, supervision, training or the agency's setting, and a deactivation, apply
at the very next request; nothing of the actor outlives the request."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from django.contrib.auth import get_user
from django.db import connection
from django.http import HttpRequest
from django.test import Client as HttpClient
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from confide.accounts.actors import FACTS_ATTRIBUTE, actor_for
from confide.accounts.backends import PATH, StaffBackend
from confide.accounts.models import User
from confide.core import clock
from confide.core.actor import Actor
from confide.core.enums import Role
from confide.testing import World, signed_in
from confide.training.models import TrainingCompletion


@pytest.fixture(autouse=True)
def _staff_backend() -> Iterator[None]:
    with override_settings(AUTHENTICATION_BACKENDS=[PATH]):
        yield


def _request_user(http: HttpClient) -> User:
    """The user a request with this browser's session sees, loaded as AuthenticationMiddleware
    loads it (django.contrib.auth.get_user, through the backend the session names)."""
    request = HttpRequest()
    request.session = http.session
    user = get_user(request)
    assert isinstance(user, User), "the session should be signed in"
    return user


def _actor(http: HttpClient) -> Actor:
    return actor_for(_request_user(http), channel="web", mfa_verified=True)


def _plain(user: User) -> Actor:
    """The actor from a user loaded another way (its own query), to compare against."""
    return actor_for(User.objects.get(pk=user.pk), channel="web", mfa_verified=True)


def test_the_actor_from_the_loaded_user_equals_the_one_from_its_own_query(world: World) -> None:
    for user in (world.worker_a, world.supervisor_a, world.privacy_a, world.intake_a):
        http = signed_in(HttpClient(), user)
        assert _actor(http) == _plain(user)


def test_the_supervisors_actor_names_its_supervisees_and_their_teams(world: World) -> None:
    User.objects.filter(pk=world.worker_a.pk).update(supervisor=world.supervisor_a)
    http = signed_in(HttpClient(), world.supervisor_a)
    built = _actor(http)
    assert world.worker_a.id in built.supervisee_ids
    assert world.team_a1.id in built.supervisee_team_ids
    assert built == _plain(world.supervisor_a)


def test_building_the_actor_costs_no_query_after_the_user_is_loaded(world: World) -> None:
    http = signed_in(HttpClient(), world.worker_a)
    with CaptureQueriesContext(connection) as loading:
        user = _request_user(http)
    with CaptureQueriesContext(connection) as building:
        actor_for(user, channel="web", mfa_verified=True)
    assert len(loading) == 2  # the session, and the user with its facts
    assert len(building) == 0


def test_a_user_loaded_another_way_still_gets_its_facts_from_the_database(world: World) -> None:
    user = User.objects.get(pk=world.worker_a.pk)
    assert not hasattr(user, FACTS_ATTRIBUTE)
    with CaptureQueriesContext(connection) as building:
        built = actor_for(user, channel="api", mfa_verified=True)
    assert len(building) == 1
    assert built.team_ids == {world.team_a1.id}


def test_a_role_change_applies_at_the_next_request(world: World) -> None:
    http = signed_in(HttpClient(), world.worker_a)
    assert _actor(http).role == Role.PRACTITIONER
    User.objects.filter(pk=world.worker_a.pk).update(role=Role.INTAKE.value)
    assert _actor(http).role == Role.INTAKE


def test_a_team_change_applies_at_the_next_request(world: World) -> None:
    http = signed_in(HttpClient(), world.worker_a)
    url = reverse("web:client_detail", args=[world.client_a.id])
    assert http.get(url).status_code == 200
    world.worker_a.teams.remove(world.team_a1)
    assert _actor(http).team_ids == frozenset()
    assert http.get(url).status_code == 404  # the client is out of reach at once


def test_a_deactivation_signs_the_user_out_at_the_next_request(world: World) -> None:
    http = signed_in(HttpClient(), world.worker_a)
    url = reverse("web:client_detail", args=[world.client_a.id])
    assert http.get(url).status_code == 200
    User.objects.filter(pk=world.worker_a.pk).update(is_active=False)
    request = HttpRequest()
    request.session = http.session
    assert not get_user(request).is_authenticated
    page = http.get(url)
    assert page.status_code == 302
    assert page["Location"].startswith(reverse("web:sign_in"))


def test_lapsed_training_applies_at_the_next_request(world: World) -> None:
    http = signed_in(HttpClient(), world.worker_a)
    assert _actor(http).training_current
    yesterday = clock.today() - dt.timedelta(days=1)
    TrainingCompletion.objects.filter(user=world.worker_a).update(expires_on=yesterday)
    assert not _actor(http).training_current


def test_the_agencys_hiv_setting_and_a_new_team_apply_at_the_next_request(world: World) -> None:
    http = signed_in(HttpClient(), world.worker_a)
    before = _actor(http)
    type(world.agency_a).objects.filter(pk=world.agency_a.pk).update(
        hiv_restricted=not before.agency_hiv_restricted
    )
    world.worker_a.teams.add(world.team_a2)
    after = _actor(http)
    assert after.agency_hiv_restricted is not before.agency_hiv_restricted
    assert after.team_ids == {world.team_a1.id, world.team_a2.id}
    assert after == _plain(world.worker_a)


def test_each_request_gets_its_own_user_object(world: World) -> None:
    http = signed_in(HttpClient(), world.worker_a)
    first, second = _request_user(http), _request_user(http)
    assert first is not second


def test_a_missing_or_malformed_user_id_is_nobody(world: World) -> None:
    backend = StaffBackend()
    assert backend.get_user("not-a-uuid") is None
    assert backend.get_user("00000000-0000-0000-0000-000000000000") is None
    assert backend.get_user(world.worker_a.pk) is not None


def test_an_inactive_user_is_nobody(world: World) -> None:
    User.objects.filter(pk=world.worker_a.pk).update(is_active=False)
    assert StaffBackend().get_user(world.worker_a.pk) is None
