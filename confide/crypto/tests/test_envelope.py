"""Envelope encryption: AES-GCM under a per-client data key, with AAD binding purpose (table
and column), row, client and key version; tampering or moving a ciphertext fails to decrypt."""

from __future__ import annotations

import uuid

import pytest

from confide.crypto.envelope import (
    NONCE_BYTES,
    DataKey,
    DecryptionFailed,
    client_key,
    create_client_key,
)
from confide.crypto.models import ClientKey
from confide.records import selectors
from confide.records.errors import RecordUnreadable
from confide.records.models import Client, Note
from confide.testing import World, actor

PURPOSE = "records_client.legal_name"
ROW = uuid.uuid4()


@pytest.fixture
def key() -> DataKey:
    return DataKey(client_id=uuid.uuid4(), version=1, key=bytes(range(32)))


def test_it_round_trips(key: DataKey) -> None:
    blob = key.encrypt_text(PURPOSE, ROW, "Rosalind Quenby")
    assert key.decrypt_text(PURPOSE, ROW, blob) == "Rosalind Quenby"
    assert key.decrypt_text(PURPOSE, ROW, memoryview(blob)) == "Rosalind Quenby"


def test_the_ciphertext_carries_format_and_version_but_no_plaintext(key: DataKey) -> None:
    blob = key.encrypt_text(PURPOSE, ROW, "Rosalind Quenby")
    assert blob[0] == 1
    assert int.from_bytes(blob[1:5], "big") == 1
    assert b"Rosalind" not in blob
    assert len(blob) == 5 + NONCE_BYTES + len("Rosalind Quenby") + 16


def test_the_same_text_encrypts_differently_each_time(key: DataKey) -> None:
    assert key.encrypt_text(PURPOSE, ROW, "same") != key.encrypt_text(PURPOSE, ROW, "same")


@pytest.mark.parametrize("position", [0, 3, 5, 10, 17, 20, -1])
def test_a_flipped_byte_anywhere_fails_to_decrypt(key: DataKey, position: int) -> None:
    blob = bytearray(key.encrypt_text(PURPOSE, ROW, "Rosalind Quenby"))
    blob[position] ^= 0x01
    with pytest.raises(DecryptionFailed):
        key.decrypt(PURPOSE, ROW, bytes(blob))


@pytest.mark.parametrize("length", [0, 1, 5, 17, 32])
def test_a_truncated_ciphertext_fails_to_decrypt(key: DataKey, length: int) -> None:
    blob = key.encrypt_text(PURPOSE, ROW, "Rosalind Quenby")
    with pytest.raises(DecryptionFailed):
        key.decrypt(PURPOSE, ROW, blob[:length])


def test_the_aad_binds_the_column(key: DataKey) -> None:
    blob = key.encrypt_text(PURPOSE, ROW, "Rosalind Quenby")
    with pytest.raises(DecryptionFailed):
        key.decrypt(PURPOSE.replace("legal", "preferred"), ROW, blob)
    with pytest.raises(DecryptionFailed):
        key.decrypt("records_note.body", ROW, blob)


def test_the_aad_binds_the_row(key: DataKey) -> None:
    blob = key.encrypt_text(PURPOSE, ROW, "Rosalind Quenby")
    with pytest.raises(DecryptionFailed):
        key.decrypt(PURPOSE, uuid.uuid4(), blob)


def test_the_aad_binds_the_client_even_under_the_same_key_bytes(key: DataKey) -> None:
    blob = key.encrypt_text(PURPOSE, ROW, "Rosalind Quenby")
    impostor = DataKey(client_id=uuid.uuid4(), version=key.version, key=key.key)
    with pytest.raises(DecryptionFailed):
        impostor.decrypt(PURPOSE, ROW, blob)


def test_the_aad_binds_the_key_version(key: DataKey) -> None:
    blob = bytearray(key.encrypt_text(PURPOSE, ROW, "Rosalind Quenby"))
    newer = DataKey(client_id=key.client_id, version=2, key=key.key)
    with pytest.raises(DecryptionFailed):
        newer.decrypt(PURPOSE, ROW, bytes(blob))  # header says version 1
    blob[1:5] = (2).to_bytes(4, "big")  # relabel it as version 2
    with pytest.raises(DecryptionFailed):
        newer.decrypt(PURPOSE, ROW, bytes(blob))


def test_another_clients_key_cannot_open_it(key: DataKey) -> None:
    blob = key.encrypt_text(PURPOSE, ROW, "Rosalind Quenby")
    other = DataKey(client_id=key.client_id, version=1, key=bytes(32))
    with pytest.raises(DecryptionFailed):
        other.decrypt(PURPOSE, ROW, blob)


@pytest.mark.django_db
def test_a_data_key_is_stored_only_wrapped() -> None:
    client_id, agency_id = uuid.uuid4(), uuid.uuid4()
    created = create_client_key(client_id=client_id, agency_id=agency_id)
    row = ClientKey.objects.get(client_id=client_id)
    assert created.key not in bytes(row.wrapped_key)
    assert client_key(client_id) == created


@pytest.mark.django_db
def test_a_missing_data_key_is_decryption_failed() -> None:
    with pytest.raises(DecryptionFailed, match="no data key"):
        client_key(uuid.uuid4())


def test_a_tampered_wrapped_key_does_not_unwrap(world: World) -> None:
    row = ClientKey.objects.get(client_id=world.client_a.id)
    wrapped = bytearray(row.wrapped_key)
    wrapped[-1] ^= 0x80
    ClientKey.objects.filter(client_id=world.client_a.id).update(wrapped_key=bytes(wrapped))
    with pytest.raises(DecryptionFailed, match="did not unwrap"):
        client_key(world.client_a.id)


def test_a_wrapped_key_copied_to_another_client_does_not_unwrap(world: World) -> None:
    source = ClientKey.objects.get(client_id=world.client_a.id)
    ClientKey.objects.filter(client_id=world.client_a_other.id).update(
        wrapped_key=source.wrapped_key
    )
    with pytest.raises(DecryptionFailed):
        client_key(world.client_a_other.id)


def test_a_stored_field_moved_to_another_column_fails(world: World) -> None:
    client = Client.objects.get(id=world.client_a.id)
    key = client_key(client.id)
    with pytest.raises(DecryptionFailed):
        key.decrypt("records_client.preferred_name", client.id, client.legal_name_enc)
    Client.objects.filter(id=client.id).update(preferred_name_enc=client.legal_name_enc)
    with pytest.raises(RecordUnreadable):
        selectors.client_get(actor=actor(world.worker_a), client_id=client.id)


def test_a_stored_field_moved_to_another_client_fails(world: World) -> None:
    source = Client.objects.get(id=world.client_a.id)
    target = Client.objects.get(id=world.client_a_other.id)
    with pytest.raises(DecryptionFailed):
        client_key(target.id).decrypt("records_client.legal_name", target.id, source.legal_name_enc)
    Client.objects.filter(id=target.id).update(legal_name_enc=source.legal_name_enc)
    with pytest.raises(RecordUnreadable):
        selectors.client_get(actor=actor(world.other_worker_a), client_id=target.id)


def test_a_note_body_moved_to_another_note_of_the_same_client_fails(world: World) -> None:
    first = world.note(world.worker_a, world.client_a, body="First visit.")
    second = world.note(world.worker_a, world.client_a, body="Second visit.")
    Note.objects.filter(id=second.id).update(body_enc=first.body_enc)
    with pytest.raises(RecordUnreadable):
        selectors.note_get(actor=actor(world.worker_a), note_id=second.id)
    assert selectors.note_get(actor=actor(world.worker_a), note_id=first.id).body == (
        "First visit."
    )


def test_a_tampered_stored_field_is_unreadable_not_garbled(world: World) -> None:
    client = Client.objects.get(id=world.client_a.id)
    blob = bytearray(client.phone_enc)
    blob[-3] ^= 0x04
    Client.objects.filter(id=client.id).update(phone_enc=bytes(blob))
    with pytest.raises(RecordUnreadable):
        selectors.client_get(actor=actor(world.worker_a), client_id=client.id)
