"""Key rotations: KEK, one client's data key, blind-index key. Each is killed midway (a crash
injected after some items, or inside a batch) and resumed; every record must stay readable
throughout and nothing may be lost."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.db import transaction
from pytest_django import Settings

from confide.core.actor import Actor
from confide.crypto import blind_index, rotation
from confide.crypto.envelope import blob_version, client_key
from confide.crypto.keyring import load_keyring
from confide.crypto.models import (
    BlindIndexRow,
    ClientKey,
    IndexKey,
    PendingClientKey,
    Rotation,
)
from confide.crypto.rotation import (
    RotationError,
    encrypted_columns,
    rotate_client,
    rotate_index,
    rotate_kek,
)
from confide.crypto.shred import destroy_client_material
from confide.ledger.enums import EventType
from confide.ledger.models import Event
from confide.records import files, selectors
from confide.records import services as records
from confide.records.models import Attachment, Client, Note
from confide.testing import World, actor, make_client

PNG = b"\x89PNG\r\n\x1a\n" + b"picture bytes" * 20


@pytest.fixture(autouse=True)
def own_keyring(settings: Settings, tmp_path: Path) -> None:
    """A keyring per test: rotations add KEK versions to it."""
    settings.CONFIDE_KEYRING_PATH = tmp_path / "keyring.json"


class Crash(Exception):
    """Stands for the process dying at this point."""


def crash_after(items: int) -> rotation.Progress:
    def progress(done: int, total: int) -> None:
        if done >= items:
            raise Crash

    return progress


@dataclass
class Expected:
    """What every record must still say after a rotation: plaintext read through selectors."""

    clients: dict[uuid.UUID, tuple[str, str, str, str]]
    notes: dict[uuid.UUID, str]
    files: dict[uuid.UUID, bytes]


def snapshot(world: World) -> Expected:
    clients, notes, blobs = {}, {}, {}
    for client in (world.client_a, world.client_a_other):
        view = selectors.client_get(actor=_reader(world, client.id), client_id=client.id)
        clients[client.id] = (view.legal_name, view.phone, view.address, str(view.identifiers))
    for note in Note.objects.filter(agency=world.agency_a):
        who = _reader(world, note.client_id)
        notes[note.id] = selectors.note_get(actor=who, note_id=note.id).body
    for attachment in Attachment.objects.all():
        blobs[attachment.id] = selectors.attachment_download(
            actor=actor(world.worker_a), attachment_id=attachment.id
        )[1]
    return Expected(clients, notes, blobs)


def _reader(world: World, client_id: uuid.UUID) -> Actor:
    """A practitioner on the client's team."""
    return actor(world.worker_a if client_id == world.client_a.id else world.other_worker_a)


def populate(world: World) -> None:
    for n in range(5):
        world.note(world.worker_a, world.client_a, body=f"Visit number {n} went well.")
    draft = world.note(world.worker_a, world.client_a, body="Draft with a picture.")
    records.attachment_create(
        actor=actor(world.worker_a),
        note_id=draft.id,
        filename="drawing.png",
        content_type="image/png",
        data=PNG,
    )
    world.note(world.other_worker_a, world.client_a_other, body="Someone else's note.")


@pytest.fixture
def rich(world: World) -> World:
    populate(world)
    return world


def events(event_type: EventType) -> list[Event]:
    return list(Event.objects.filter(event_type=event_type).order_by("seq"))


# ---- KEK -------------------------------------------------------------------------------------


def test_kek_rotation_rewraps_every_key_and_leaves_data_alone(rich: World) -> None:
    expected = snapshot(rich)
    bodies = dict(Note.objects.values_list("id", "body_enc"))
    wrapped = dict(ClientKey.objects.values_list("client_id", "wrapped_key"))
    result = rotate_kek()
    assert (result.version, result.done, result.resumed) == (2, len(wrapped), False)
    assert set(ClientKey.objects.values_list("kek_version", flat=True)) == {2}
    assert set(IndexKey.objects.values_list("kek_version", flat=True)) == {2}
    for client_id, blob in ClientKey.objects.values_list("client_id", "wrapped_key"):
        assert bytes(blob) != bytes(wrapped[client_id])
    assert dict(Note.objects.values_list("id", "body_enc")) == bodies  # data untouched
    assert snapshot(rich) == expected
    assert sorted(load_keyring().keks) == [1, 2]  # the old KEK stays until retired
    [started] = events(EventType.KEY_ROTATION_STARTED)
    [finished] = events(EventType.KEY_ROTATED)
    assert started.details == {"kind": "kek", "version": 2}
    assert finished.details == {"kind": "kek", "version": 2, "items": len(wrapped)}


def test_a_crashed_kek_rotation_resumes_without_a_second_kek(rich: World) -> None:
    expected = snapshot(rich)
    total = ClientKey.objects.count()
    with pytest.raises(Crash):
        rotate_kek(crash_after(1), batch=1)
    versions = sorted(ClientKey.objects.values_list("kek_version", flat=True))
    assert versions == [1] * (total - 1) + [2]  # one batch committed, the rest not yet
    assert snapshot(rich) == expected  # readable meanwhile, under either KEK
    client = make_client(
        rich.agency_a, rich.team_a1, name="New Comer", dob=dt.date(2001, 2, 3), number="A-5"
    )
    assert ClientKey.objects.get(client_id=client.id).kek_version == 2  # new keys use the new KEK
    result = rotate_kek(batch=2)
    assert (result.version, result.resumed) == (2, True)
    assert sorted(load_keyring().keks) == [1, 2]
    assert set(ClientKey.objects.values_list("kek_version", flat=True)) == {2}
    assert snapshot(rich) == expected
    assert Rotation.objects.get().finished_at is not None
    assert len(events(EventType.KEY_ROTATION_STARTED)) == 1
    assert len(events(EventType.KEY_ROTATED)) == 1


def test_a_crash_inside_a_kek_batch_rolls_the_batch_back(
    rich: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = rotation._bulk_update
    calls = []

    def dies_midway(*args: object, **kwargs: object) -> None:
        calls.append(1)
        if len(calls) == 2:
            raise Crash
        real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(rotation, "_bulk_update", dies_midway)
    with pytest.raises(Crash):
        rotate_kek(batch=2)
    assert sorted(ClientKey.objects.values_list("kek_version", flat=True)).count(2) == 2
    monkeypatch.setattr(rotation, "_bulk_update", real)
    rotate_kek()
    assert set(ClientKey.objects.values_list("kek_version", flat=True)) == {2}
    for client_id in ClientKey.objects.values_list("client_id", flat=True):
        client_key(client_id)


def test_a_data_key_that_does_not_unwrap_stops_the_kek_rotation_clearly(rich: World) -> None:
    row = ClientKey.objects.get(client_id=rich.client_a.id)
    spoiled = bytearray(row.wrapped_key)
    spoiled[-1] ^= 1
    ClientKey.objects.filter(client_id=row.client_id).update(wrapped_key=bytes(spoiled))
    with pytest.raises(RotationError, match=f"client {rich.client_a.id} does not unwrap"):
        rotate_kek(batch=100)
    assert set(ClientKey.objects.values_list("kek_version", flat=True)) == {1}  # rolled back
    assert Rotation.objects.get().finished_at is None


def test_two_kek_rotations_in_a_row_give_version_3(rich: World) -> None:
    rotate_kek()
    expected = snapshot(rich)
    assert rotate_kek().version == 3
    assert snapshot(rich) == expected


def test_a_resumed_rotation_refuses_a_provider_with_another_active_kek(rich: World) -> None:
    with pytest.raises(Crash):
        rotate_kek(crash_after(1), batch=1)
    Rotation.objects.filter(finished_at=None).update(target_version=7)
    with pytest.raises(RotationError, match="not 7"):
        rotate_kek()


# ---- one client's data key -------------------------------------------------------------------


def headers(client_id: uuid.UUID) -> set[int | None]:
    versions = set()
    for col in encrypted_columns():
        rows = col.model._default_manager.filter(**{col.client_lookup: client_id})
        for blob in rows.values_list(col.field, flat=True):
            if blob is not None:
                versions.add(blob_version(blob))
    for attachment in Attachment.objects.filter(client_id=client_id):
        versions.add(blob_version(files.load(attachment)))
    return versions


def test_the_convention_finds_every_encrypted_column() -> None:
    found = {(c.model._meta.label, c.field, c.purpose) for c in encrypted_columns()}
    assert ("records.Client", "legal_name_enc", "records_client.legal_name") in found
    assert ("records.Note", "body_enc", "records_note.body") in found
    assert ("records.Attachment", "filename_enc", "records_attachment.filename") in found
    assert ("access.AccessGrant", "reason_text_enc", "access_accessgrant.reason_text") in found
    lookups = {c.model._meta.label: c.client_lookup for c in encrypted_columns()}
    assert lookups["records.Client"] == "id"
    assert lookups["records.Note"] == "client_id"
    assert lookups["disclosures.AccountingAnnotation"] == "entry__client_id"


def plaintexts(client_id: uuid.UUID) -> dict[tuple[str, str, object], bytes]:
    """Every encrypted value of the client, decrypted with the purpose rotation would use."""
    key = client_key(client_id)
    found = {}
    for col in encrypted_columns():
        rows = col.model._default_manager.filter(**{col.client_lookup: client_id})
        for pk, blob in rows.values_list("pk", col.field):
            if blob is not None:
                found[(col.model._meta.label, col.field, pk)] = key.decrypt(col.purpose, pk, blob)
    return found


def test_client_rotation_covers_every_app_with_its_own_purposes(rich: World) -> None:
    from confide.consent.tests.test_at_rest import SECRETS, _record_everything

    _record_everything(rich)
    before = plaintexts(rich.client_a.id)
    tables = {label.split(".")[0] for label, _, _ in before}
    assert {"records", "consent"} <= tables
    assert any(SECRETS["safe times"].encode() == value for value in before.values())
    rotate_client(rich.client_a.id)
    assert plaintexts(rich.client_a.id) == before
    assert headers(rich.client_a.id) == {2}


def test_client_rotation_re_encrypts_fields_notes_and_files(rich: World) -> None:
    expected = snapshot(rich)
    other_before = dict(
        Note.objects.filter(client=rich.client_a_other).values_list("id", "body_enc")
    )
    assert headers(rich.client_a.id) == {1}
    result = rotate_client(rich.client_a.id)
    assert (result.version, result.resumed) == (2, False)
    assert headers(rich.client_a.id) == {2}
    assert client_key(rich.client_a.id).version == 2
    assert not PendingClientKey.objects.exists()
    assert snapshot(rich) == expected
    after = dict(Note.objects.filter(client=rich.client_a_other).values_list("id", "body_enc"))
    assert after == other_before  # another client's data is untouched
    [finished] = events(EventType.KEY_ROTATED)
    assert finished.client_id == rich.client_a.id
    assert finished.details is not None
    assert finished.details["kind"] == "client"


def test_a_client_rotation_killed_midway_resumes_and_loses_nothing(
    rich: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = snapshot(rich)
    with pytest.raises(Crash):
        rotate_client(rich.client_a.id, crash_after(2), batch=2)
    assert headers(rich.client_a.id) == {1, 2}  # half done
    assert snapshot(rich) == expected  # and readable meanwhile
    # A note written meanwhile uses the new key and survives the rest of the rotation.
    late = rich.note(rich.worker_a, rich.client_a, body="Written during the rotation.")
    assert blob_version(Note.objects.get(id=late.id).body_enc) == 2
    expected.notes[late.id] = "Written during the rotation."
    # Die again, this time while rewriting the attachment file.
    real = files.rewrite

    def dies(attachment: Attachment, ciphertext: bytes) -> None:
        raise Crash

    monkeypatch.setattr(files, "rewrite", dies)
    with pytest.raises(Crash):
        rotate_client(rich.client_a.id)
    assert snapshot(rich) == expected
    monkeypatch.setattr(files, "rewrite", real)
    result = rotate_client(rich.client_a.id)
    assert result.resumed
    assert headers(rich.client_a.id) == {2}
    assert snapshot(rich) == expected
    assert selectors.note_get(actor=actor(rich.worker_a), note_id=late.id).body == (
        "Written during the rotation."
    )
    assert len(events(EventType.KEY_ROTATION_STARTED)) == 1


def test_a_second_client_rotation_gives_version_3(rich: World) -> None:
    expected = snapshot(rich)
    rotate_client(rich.client_a.id)
    assert rotate_client(rich.client_a.id).version == 3
    assert headers(rich.client_a.id) == {3}
    assert snapshot(rich) == expected


def test_rotating_an_unknown_or_shredded_client_is_refused(world: World) -> None:
    with pytest.raises(RotationError, match="no data key"):
        rotate_client(uuid.uuid4())
    with transaction.atomic():
        destroy_client_material(world.client_a.id)
    with pytest.raises(RotationError, match="no data key"):
        rotate_client(world.client_a.id)
    assert not Rotation.objects.exists()


def test_a_client_rotation_stops_on_a_value_it_cannot_read(rich: World) -> None:
    note = Note.objects.filter(client=rich.client_a).first()
    assert note is not None
    spoiled = bytearray(note.body_enc)
    spoiled[-1] ^= 1
    Note.objects.filter(id=note.id).update(body_enc=bytes(spoiled))
    with pytest.raises(RotationError, match="does not decrypt"):
        rotate_client(rich.client_a.id)
    assert ClientKey.objects.get(client_id=rich.client_a.id).dek_version == 1  # no swap


def test_shredding_during_a_client_rotation_destroys_the_pending_key(rich: World) -> None:
    with pytest.raises(Crash):
        rotate_client(rich.client_a.id, crash_after(1), batch=1)
    assert PendingClientKey.objects.filter(client_id=rich.client_a.id).exists()
    with transaction.atomic():
        destroy_client_material(rich.client_a.id)
    assert not PendingClientKey.objects.exists()
    assert not ClientKey.objects.filter(client_id=rich.client_a.id).exists()


def test_kek_rotation_also_rewraps_pending_client_keys(rich: World) -> None:
    expected = snapshot(rich)
    with pytest.raises(Crash):
        rotate_client(rich.client_a.id, crash_after(1), batch=1)
    rotate_kek()
    assert PendingClientKey.objects.get().kek_version == 2
    rotate_client(rich.client_a.id)
    assert snapshot(rich) == expected


# ---- blind-index key -------------------------------------------------------------------------


def search_ids(world: World) -> list[list[uuid.UUID]]:
    who, other = actor(world.worker_a), actor(world.other_worker_a)
    return [
        [c.id for c in selectors.client_search(actor=who, legal_name=name, date_of_birth=born)]
        for name, born in (("Rosalind Quenby", dt.date(1984, 3, 9)),)
    ] + [
        [
            c.id
            for c in selectors.client_search(
                actor=other, legal_name="Tobias Wexford", date_of_birth=dt.date(1990, 7, 21)
            )
        ],
        [c.id for c in selectors.client_search_phone(actor=who, last_four="1001")],
        [
            c.id
            for c in selectors.client_search_identifier(
                actor=other, kind="medicaid", value="MCA-1002"
            )
        ],
    ]


def test_index_rotation_recomputes_every_row_under_a_new_key(world: World) -> None:
    expected = search_ids(world)
    assert expected == [
        [world.client_a.id],
        [world.client_a_other.id],
        [world.client_a.id],
        [world.client_a_other.id],
    ]
    before = set(BlindIndexRow.objects.values_list("client_id", "index_name", "value"))
    result = rotate_index()
    assert (result.version, result.done) == (2, Client.objects.count())
    assert list(IndexKey.objects.values_list("version", "state")) == [(2, "active")]
    assert set(BlindIndexRow.objects.values_list("key_version", flat=True)) == {2}
    after = set(BlindIndexRow.objects.values_list("client_id", "index_name", "value"))
    assert len(after) == len(before)
    assert after != before
    assert search_ids(world) == expected


def test_an_index_rotation_killed_midway_resumes_and_every_lookup_still_works(
    world: World,
) -> None:
    expected = search_ids(world)
    with pytest.raises(Crash):
        rotate_index(crash_after(1), batch=1)
    assert sorted(IndexKey.objects.values_list("version", "state")) == [
        (1, "active"),
        (2, "building"),
    ]
    assert search_ids(world) == expected  # the active version serves lookups meanwhile
    # A client registered meanwhile gets rows under both versions.
    late = make_client(
        world.agency_a, world.team_a1, name="Late Arrival", dob=dt.date(1970, 1, 2), number="A-3"
    )
    assert set(
        BlindIndexRow.objects.filter(client_id=late.id).values_list("key_version", flat=True)
    ) == {1, 2}
    result = rotate_index(batch=2)
    assert result.resumed
    assert search_ids(world) == expected
    found = selectors.client_search(
        actor=actor(world.worker_a), legal_name="Late Arrival", date_of_birth=dt.date(1970, 1, 2)
    )
    assert [c.id for c in found] == [late.id]
    assert set(BlindIndexRow.objects.values_list("key_version", flat=True)) == {2}
    clients_with_rows = set(BlindIndexRow.objects.values_list("client_id", flat=True))
    assert clients_with_rows == set(Client.objects.values_list("id", flat=True))


def test_index_rotation_skips_shredded_clients(world: World) -> None:
    with transaction.atomic():
        destroy_client_material(world.client_a.id)
    rotate_index()
    assert not BlindIndexRow.objects.filter(client_id=world.client_a.id).exists()
    assert BlindIndexRow.objects.filter(client_id=world.client_b.id).exists()


def test_index_rotation_applies_a_new_plan(world: World, settings: Settings) -> None:
    settings.CONFIDE_BLIND_INDEX_POPULATION = 1_000
    rotate_index()
    assert IndexKey.objects.get().bits[blind_index.NAME_DOB] == 7
    assert blind_index.active_version().bits[blind_index.NAME_DOB] == 7
    assert all(
        v < 2**7
        for v in BlindIndexRow.objects.filter(index_name=blind_index.NAME_DOB).values_list(
            "value", flat=True
        )
    )
    assert search_ids(world)[0] == [world.client_a.id]


# ---- the command line ------------------------------------------------------------------------


def test_the_keys_commands_show_progress_and_summaries(
    rich: World, capsys: pytest.CaptureFixture[str]
) -> None:
    from confide.cli import main

    assert main(["keys", "rotate-kek"]) == 0
    out, err = capsys.readouterr()
    assert "keys rotate-kek done: KEK version 2" in out
    assert "rewrapping data keys [" in err
    assert main(["keys", "rotate-client", str(rich.client_a.id)]) == 0
    out, err = capsys.readouterr()
    assert "data key version 2" in out
    assert "re-encrypting [" in err
    assert main(["keys", "rotate-index", "--quiet"]) == 0
    out, err = capsys.readouterr()
    assert "blind-index key version 2" in out
    assert err == ""
    assert main(["keys", "status"]) == 0
    out, _ = capsys.readouterr()
    assert "provider: keyring; active KEK version 2" in out
    assert "blind-index key version 2: active" in out


def test_the_keys_commands_refuse_bad_input(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    from confide.cli import main

    assert main(["keys", "rotate-client", "not-a-uuid"]) == 2
    assert main(["keys", "rotate-client", str(uuid.uuid4()), "--quiet"]) == 1
    _, err = capsys.readouterr()
    assert "no data key" in err


def test_status_names_an_unfinished_rotation(
    rich: World, capsys: pytest.CaptureFixture[str]
) -> None:
    from confide.cli import main

    with pytest.raises(Crash):
        rotate_kek(crash_after(1), batch=1)
    assert main(["keys", "status"]) == 1
    out, _ = capsys.readouterr()
    assert "UNFINISHED rotation: kek to version 2" in out


def test_the_keyring_file_is_still_mode_0600_after_rotation(rich: World) -> None:
    from django.conf import settings

    rotate_kek()
    assert Path(settings.CONFIDE_KEYRING_PATH).stat().st_mode & 0o077 == 0
