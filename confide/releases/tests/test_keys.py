"""Releases under the client's key life cycle: a data-key rotation re-encrypts them (found by
the `<table>.<column>` convention); a shredded client's releases are unreadable (410), no crash."""

from __future__ import annotations

import pytest
from django.db import transaction

from confide.crypto.envelope import blob_version
from confide.crypto.rotation import rotate_client
from confide.crypto.shred import destroy_client_material
from confide.records.errors import RecordUnreadable
from confide.releases import selectors, services
from confide.releases.lifecycle import today
from confide.releases.models import Release
from confide.releases.tests.support import complete, signed
from confide.testing import World, actor

BLOBS = (
    "recipient_name_enc",
    "recipient_contact_enc",
    "discloser_enc",
    "purpose_detail_enc",
    "description_enc",
    "expiry_event_enc",
    "signer_name_enc",
    "representative_authority_enc",
)


def test_a_data_key_rotation_reencrypts_every_release_column(world: World) -> None:
    me = actor(world.worker_a)
    release = signed(me, world.client_a.id)
    rotate_client(world.client_a.id)
    row = Release.objects.get(id=release.id)
    assert {blob_version(getattr(row, name)) for name in BLOBS} == {2}
    detail = selectors.release_get(actor=me, release_id=release.id)
    assert (detail.on_file.recipient_name, detail.signer_name) == (
        "Lakeside Family Clinic",
        "Rosalind Quenby",
    )


def test_a_shredded_clients_releases_are_unreadable_not_a_crash(world: World) -> None:
    me = actor(world.worker_a)
    release = signed(me, world.client_a.id)
    with transaction.atomic():
        destroy_client_material(world.client_a.id)
    with pytest.raises(RecordUnreadable):
        selectors.release_list(actor=me, client_id=world.client_a.id)
    with pytest.raises(RecordUnreadable):
        selectors.releases_on_file(world.client_a.id, on=today())
    with pytest.raises(RecordUnreadable):
        selectors.require_active_release(release.id, world.client_a.id, today())
    with pytest.raises(RecordUnreadable):
        services.release_create(actor=me, client_id=world.client_a.id, data=complete())
