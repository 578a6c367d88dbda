"""Crypto-shredding removes the client's portal: the account and its invitations are deleted in
the shredding's transaction, an open portal session ends at its next request, the account cannot
sign in, and the ledger still verifies; the same after a restore (the shred list re-applied);
and a purge that fails leaves the portal as it was."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import override_settings
from django.urls import reverse

from confide.accounts.models import User
from confide.core import clock as core_clock
from confide.crypto.envelope import DecryptionFailed
from confide.ledger.models import Event
from confide.ledger.verify import verify_chain
from confide.portal import selectors as portal_selectors
from confide.portal import services as portal
from confide.portal.models import PortalAccount, PortalInvitation
from confide.portal.tests.support import PORTAL_PASSWORD, Clock, clock, enrol, portal_browser
from confide.records.models import Client
from confide.retention import purge, services, shredlist
from confide.retention.enums import ShredCause
from confide.retention.models import ShreddedClient
from confide.retention.tests.support import TODAY, close_cases, set_schedule
from confide.testing import World, actor

__all__ = ["clock"]  # a fixture, used by name

Capture = Callable[..., Any]
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _own_shred_list(tmp_path: Path) -> Any:
    with override_settings(CONFIDE_SHRED_LIST_PATH=tmp_path / "keys" / "shredded.jsonl"):
        yield


def _with_portal(staff: User, client: Client, clock: Clock) -> tuple[PortalAccount, str]:
    """An active portal account for the client and a pending (unused) invitation to reset it."""
    member = enrol(staff, client, clock)
    portal.invitation_create(actor=actor(staff), client_id=client.id, language="es")
    assert PortalInvitation.objects.filter(account=member.account, used_at=None).count() == 1
    return member.account, member.account.sign_in_id


def _approve_and_purge(world: World, *clients: Client) -> purge.PurgeSummary:
    set_schedule(world)
    for client in clients:
        close_cases(client)
    services.purge_batch_approve(
        actor=actor(world.privacy_a),
        client_ids=[c.id for c in clients],
        today=TODAY,
        reauthenticated=True,
    )
    return purge.purge_run(today=TODAY)


def test_shredding_deletes_the_portal_account_and_its_invitations(
    world: World, clock: Clock, django_capture_on_commit_callbacks: Capture
) -> None:
    account, sign_in_id = _with_portal(world.worker_a, world.client_a, clock)
    other, _ = _with_portal(world.other_worker_a, world.client_a_other, clock)
    browser = portal_browser(account)
    assert browser.get(reverse("portal:home")).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        summary = _approve_and_purge(world, world.client_a)
    assert (summary.purged, summary.failed) == (1, 0)
    assert not PortalAccount.objects.filter(client=world.client_a).exists()
    assert not PortalInvitation.objects.filter(account_id=account.id).exists()
    assert not PortalAccount.objects.filter(sign_in_id=sign_in_id).exists()
    # Everyone else's portal is untouched.
    assert PortalAccount.objects.filter(id=other.id).exists()
    assert PortalInvitation.objects.filter(account=other).exists()
    # The open session ends at its next request; the account cannot sign in again.
    assert browser.get(reverse("portal:home"))["Location"] == reverse("portal:sign_in")
    assert portal_selectors.principal_for(account.id) is None
    assert portal.sign_in_check_password(sign_in_id=sign_in_id, password=PORTAL_PASSWORD) is None
    shredded = Event.objects.get(event_type="retention:client:shredded")
    assert shredded.details["portal_accounts"] == 1
    assert sign_in_id not in str(shredded.details)
    # The portal's earlier events keep their ids and hashes: the chain verifies.
    assert Event.objects.filter(actor_id=account.id, channel="portal").exists()
    assert verify_chain().ok


def test_a_client_without_a_portal_is_shredded_as_before(
    world: World, django_capture_on_commit_callbacks: Capture
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        assert _approve_and_purge(world, world.client_a).purged == 1
    shredded = Event.objects.get(event_type="retention:client:shredded")
    assert shredded.details["portal_accounts"] == 0
    assert verify_chain().ok


def test_a_disabled_account_with_invitations_is_deleted_too(
    world: World, clock: Clock, django_capture_on_commit_callbacks: Capture
) -> None:
    account, _ = _with_portal(world.worker_a, world.client_a, clock)
    portal.access_end(actor=actor(world.worker_a), client_id=world.client_a.id)
    assert PortalInvitation.objects.filter(account=account).count() == 2  # used and withdrawn
    with django_capture_on_commit_callbacks(execute=True):
        assert _approve_and_purge(world, world.client_a).purged == 1
    assert not PortalAccount.objects.filter(id=account.id).exists()
    assert not PortalInvitation.objects.filter(account_id=account.id).exists()


def test_a_failed_purge_leaves_the_portal_as_it_was(
    world: World, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    account, sign_in_id = _with_portal(world.worker_a, world.client_a, clock)

    def crash(*args: object, **kwargs: object) -> None:
        raise DecryptionFailed("simulated failure after the portal rows were deleted")

    monkeypatch.setattr(purge, "_scrub_client", crash)
    summary = _approve_and_purge(world, world.client_a)
    assert (summary.purged, summary.failed) == (0, 1)
    assert PortalAccount.objects.filter(id=account.id, sign_in_id=sign_in_id).exists()
    assert PortalInvitation.objects.filter(account=account).count() == 2
    assert portal_selectors.principal_for(account.id) is not None
    assert portal.sign_in_check_password(sign_in_id=sign_in_id, password=PORTAL_PASSWORD)
    assert not ShreddedClient.objects.exists()
    assert verify_chain().ok


def test_reapplying_the_shred_list_after_a_restore_deletes_the_portal_too(
    world: World, clock: Clock, django_capture_on_commit_callbacks: Capture
) -> None:
    """A restored database from before the shredding holds the portal rows again; the shred list
    beside the keys names the client, and re-applying it removes them with the rest."""
    account, sign_in_id = _with_portal(world.worker_a, world.client_a, clock)
    shredlist.append(
        [shredlist.Entry(world.client_a.id, world.client_a.agency_id, core_clock.now().isoformat())]
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert purge.reapply_shred_list() == 1
    assert not PortalAccount.objects.filter(id=account.id).exists()
    assert not PortalInvitation.objects.filter(account_id=account.id).exists()
    assert portal.sign_in_check_password(sign_in_id=sign_in_id, password=PORTAL_PASSWORD) is None
    tombstone = ShreddedClient.objects.get(client_id=world.client_a.id)
    assert tombstone.cause == ShredCause.RESTORE
    reapplied = Event.objects.get(event_type="retention:client:shred_reapplied")
    assert reapplied.details["portal_accounts"] == 1
    assert verify_chain().ok
    # Running it again finds nothing more to do.
    assert purge.reapply_shred_list() == 0
