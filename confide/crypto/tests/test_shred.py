"""Crypto-shredding: the client's data keys and blind-index rows go; nobody else's do."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.db import transaction

from confide.crypto.envelope import DecryptionFailed, client_key
from confide.crypto.models import BlindIndexRow, ClientKey, PendingClientKey
from confide.crypto.shred import destroy_client_material
from confide.records import selectors
from confide.records.errors import RecordUnreadable
from confide.testing import World, actor

BORN = dt.date(1984, 3, 9)


def _seed_rows(world: World) -> None:
    """Rows of a second key version too, as during a blind-index key rotation."""
    for client in (world.client_a, world.client_a_other):
        BlindIndexRow.objects.create(
            agency_id=client.agency_id,
            client_id=client.id,
            index_name="client_phone_last4",
            key_version=99,
            value=7,
        )


def test_the_clients_have_index_rows_to_destroy(world: World) -> None:
    assert BlindIndexRow.objects.filter(client_id=world.client_a.id).count() == 3


def test_it_destroys_the_clients_keys_and_index_rows_only(world: World) -> None:
    _seed_rows(world)
    PendingClientKey.objects.create(
        client_id=world.client_a.id,
        agency_id=world.client_a.agency_id,
        dek_version=2,
        kek_version=1,
        wrapped_key=b"x" * 60,
    )
    others_before = BlindIndexRow.objects.exclude(client_id=world.client_a.id).count()
    with transaction.atomic():
        destroy_client_material(world.client_a.id)
    assert not ClientKey.objects.filter(client_id=world.client_a.id).exists()
    assert not PendingClientKey.objects.filter(client_id=world.client_a.id).exists()
    assert not BlindIndexRow.objects.filter(client_id=world.client_a.id).exists()
    assert BlindIndexRow.objects.exclude(client_id=world.client_a.id).count() == others_before
    assert ClientKey.objects.filter(client_id=world.client_a_other.id).exists()
    with pytest.raises(DecryptionFailed):
        client_key(world.client_a.id)
    client_key(world.client_a_other.id)  # still opens


def test_a_shredded_client_is_unreadable_and_unsearchable(world: World) -> None:
    found = selectors.client_search(
        actor=actor(world.worker_a), legal_name="Rosalind Quenby", date_of_birth=BORN
    )
    assert [c.id for c in found] == [world.client_a.id]
    with transaction.atomic():
        destroy_client_material(world.client_a.id)
    with pytest.raises(RecordUnreadable):
        selectors.client_get(actor=actor(world.worker_a), client_id=world.client_a.id)
    found = selectors.client_search(
        actor=actor(world.worker_a), legal_name="Rosalind Quenby", date_of_birth=BORN
    )
    assert found == []


def test_it_is_idempotent_and_ignores_unknown_clients(world: World) -> None:
    with transaction.atomic():
        destroy_client_material(world.client_a.id)
        destroy_client_material(world.client_a.id)
        destroy_client_material(uuid.uuid4())
    assert ClientKey.objects.filter(client_id=world.client_a_other.id).exists()


def test_it_rolls_back_with_the_callers_transaction(world: World) -> None:
    class Abort(Exception):
        pass

    def purge_that_fails() -> None:
        with transaction.atomic():
            destroy_client_material(world.client_a.id)
            raise Abort

    with pytest.raises(Abort):
        purge_that_fails()
    client_key(world.client_a.id)
