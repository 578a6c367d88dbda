"""Sign-in services: each step writes exactly its ledger event; lockout; Argon2."""

from __future__ import annotations

import datetime as dt
import importlib
import time

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.hashers import Argon2PasswordHasher, identify_hasher
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from pytest_django import Settings

from confide.accounts import services
from confide.accounts.hashers import FastArgon2PasswordHasher
from confide.accounts.models import User
from confide.core import clock
from confide.ledger.enums import EventType
from confide.ledger.tests.support import events_since, ledger_mark, ledger_text, types_since
from confide.testing import PASSWORD, World, actor

EMAIL = "worker_a@a.test"


def _codes(user: User) -> set[str]:
    """Every code the device could accept around now (a generous tolerance window)."""
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    now = time.time()
    codes = set()
    for steps in range(-3, 4):
        totp.time = now + steps * device.step
        codes.add(f"{totp.token():06d}")
    return codes


def _a_code(user: User) -> str:
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():06d}"


def _wrong_code(user: User) -> str:
    accepted = _codes(user)
    return next(f"{n:06d}" for n in range(1000) if f"{n:06d}" not in accepted)


def _fail(times: int, email: str = EMAIL) -> None:
    for _ in range(times):
        assert not services.sign_in_check_password(email=email, password="wrong password!").ok


def test_a_right_password_passes_the_first_step_and_writes_nothing_yet(world: World) -> None:
    mark = ledger_mark()
    check = services.sign_in_check_password(email=EMAIL, password=PASSWORD)
    assert check.ok
    assert check.user == world.worker_a
    assert types_since(mark) == []  # signed_in is written once the code is right


def test_the_email_is_matched_without_regard_to_case_or_spaces(world: World) -> None:
    assert services.sign_in_check_password(email="  Worker_A@A.TEST ", password=PASSWORD).ok


def test_a_wrong_password_writes_sign_in_failed_for_that_user(world: World) -> None:
    mark = ledger_mark()
    check = services.sign_in_check_password(email=EMAIL, password="hunter2 is wrong", channel="api")
    assert not check.ok
    [event] = events_since(mark)
    assert event.event_type == EventType.SIGN_IN_FAILED
    assert (event.actor_id, event.agency_id, event.channel) == (
        world.worker_a.id,
        world.agency_a.id,
        "api",
    )
    world.worker_a.refresh_from_db()
    assert world.worker_a.failed_sign_ins == 1
    assert "hunter2" not in ledger_text()


def test_an_unknown_email_writes_an_anonymous_sign_in_failed(world: World) -> None:
    mark = ledger_mark()
    assert not services.sign_in_check_password(email="nobody@nowhere.test", password="x").ok
    [event] = events_since(mark)
    assert event.event_type == EventType.SIGN_IN_FAILED
    assert (event.actor_id, event.agency_id) == (None, None)
    assert "nobody" not in ledger_text()


def test_an_inactive_user_cannot_sign_in(world: World) -> None:
    User.objects.filter(id=world.worker_a.id).update(is_active=False)
    mark = ledger_mark()
    assert not services.sign_in_check_password(email=EMAIL, password=PASSWORD).ok
    assert types_since(mark) == [EventType.SIGN_IN_FAILED]


def test_the_threshold_failure_locks_the_account(world: World) -> None:
    threshold = django_settings.CONFIDE_LOCKOUT_THRESHOLD
    mark = ledger_mark()
    before = clock.now()
    _fail(threshold)
    assert types_since(mark) == [EventType.SIGN_IN_FAILED] * (threshold - 1) + [
        EventType.SIGN_IN_LOCKED
    ]
    world.worker_a.refresh_from_db()
    assert world.worker_a.locked_until is not None
    lock = dt.timedelta(seconds=django_settings.CONFIDE_LOCKOUT_SECONDS)
    assert before + lock <= world.worker_a.locked_until <= clock.now() + lock


def test_a_locked_account_refuses_even_the_right_password_and_code(world: World) -> None:
    _fail(django_settings.CONFIDE_LOCKOUT_THRESHOLD)
    mark = ledger_mark()
    assert not services.sign_in_check_password(email=EMAIL, password=PASSWORD).ok
    assert services.sign_in_check_code(user_id=world.worker_a.id, code=_a_code(world.worker_a)) is (
        None
    )
    assert types_since(mark) == [EventType.SIGN_IN_FAILED, EventType.MFA_FAILED]


def test_the_lock_lifts_after_the_lockout_period(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fail(django_settings.CONFIDE_LOCKOUT_THRESHOLD)
    later = clock.now() + dt.timedelta(seconds=django_settings.CONFIDE_LOCKOUT_SECONDS + 1)
    monkeypatch.setattr(clock, "now", lambda: later)
    assert services.sign_in_check_password(email=EMAIL, password=PASSWORD).ok


def test_a_lower_configured_threshold_locks_sooner(world: World, settings: Settings) -> None:
    settings.CONFIDE_LOCKOUT_THRESHOLD = 2
    mark = ledger_mark()
    _fail(2)
    assert types_since(mark) == [EventType.SIGN_IN_FAILED, EventType.SIGN_IN_LOCKED]
    assert not services.sign_in_check_password(email=EMAIL, password=PASSWORD).ok


def test_wrong_codes_count_towards_the_lockout(world: World) -> None:
    threshold = django_settings.CONFIDE_LOCKOUT_THRESHOLD
    _fail(threshold - 1)
    mark = ledger_mark()
    assert services.sign_in_check_code(user_id=world.worker_a.id, code="abcdef") is None
    assert types_since(mark) == [EventType.SIGN_IN_LOCKED]


def test_a_right_code_signs_in_and_clears_the_failures(world: World) -> None:
    _fail(1)
    mark = ledger_mark()
    device = services.sign_in_check_code(
        user_id=world.worker_a.id, code=_a_code(world.worker_a), channel="web"
    )
    assert device is not None
    [event] = events_since(mark)
    assert event.event_type == EventType.SIGN_IN
    assert (event.actor_id, event.agency_id, event.channel) == (
        world.worker_a.id,
        world.agency_a.id,
        "web",
    )
    world.worker_a.refresh_from_db()
    assert world.worker_a.failed_sign_ins == 0
    assert world.worker_a.last_login is not None


@pytest.mark.parametrize("code", ["abcdef", "12345", "1234567", "", "12 34 5x"])
def test_a_malformed_code_writes_mfa_failed(world: World, code: str) -> None:
    mark = ledger_mark()
    assert services.sign_in_check_code(user_id=world.worker_a.id, code=code) is None
    assert types_since(mark) == [EventType.MFA_FAILED]


def test_a_wrong_code_writes_mfa_failed(world: World) -> None:
    mark = ledger_mark()
    wrong = _wrong_code(world.worker_a)
    assert services.sign_in_check_code(user_id=world.worker_a.id, code=wrong) is None
    [event] = events_since(mark)
    assert (event.event_type, event.actor_id) == (EventType.MFA_FAILED, world.worker_a.id)
    world.worker_a.refresh_from_db()
    assert world.worker_a.failed_sign_ins == 1


def test_a_user_without_a_confirmed_device_cannot_pass_the_code_step(world: World) -> None:
    TOTPDevice.objects.filter(user=world.worker_a).update(confirmed=False)
    mark = ledger_mark()
    assert services.sign_in_check_code(user_id=world.worker_a.id, code="123456") is None
    assert types_since(mark) == [EventType.MFA_FAILED]


def test_an_unknown_user_at_the_code_step_gets_nothing(world: World) -> None:
    mark = ledger_mark()
    assert services.sign_in_check_code(user_id=world.client_a.id, code="123456") is None
    assert types_since(mark) == []


def test_signing_out_writes_signed_out(world: World) -> None:
    mark = ledger_mark()
    services.sign_out_record(actor=actor(world.supervisor_a))
    [event] = events_since(mark)
    assert (event.event_type, event.actor_id) == (EventType.SIGN_OUT, world.supervisor_a.id)


def test_an_expired_session_writes_expired(world: World) -> None:
    mark = ledger_mark()
    services.sign_out_record(actor=actor(world.supervisor_a), expired=True)
    assert types_since(mark) == [EventType.SESSION_EXPIRED]


def test_production_settings_hash_passwords_with_argon2() -> None:
    production = importlib.import_module("config.settings")
    assert production.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_the_test_hasher_is_argon2_with_smaller_costs(world: World) -> None:
    assert issubclass(FastArgon2PasswordHasher, Argon2PasswordHasher)
    assert FastArgon2PasswordHasher.algorithm == "argon2"
    assert world.worker_a.password.startswith("argon2$argon2id$")
    assert identify_hasher(world.worker_a.password).algorithm == "argon2"
