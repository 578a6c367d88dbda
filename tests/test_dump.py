"""Invariant 5: nothing confidential at rest in clear.

A few clients with notes, drafts, addenda and attachments are written and committed to a scratch
database (see conftest.py for why not the test database); then the database is dumped every way
an attacker with a copy could read it: the SQLite file's bytes and a copy made with SQLite's
backup API, `pg_dump` on PostgreSQL, and every value of every column of every table read back
through a cursor. No client's names, date of birth (in any common format), phone, email,
address, identifiers, note text, attachment name or content may appear, raw, hex-encoded (how
pg_dump prints bytea) or base64-encoded; nor may any key. The same search must find canaries
stored in clear on purpose, so the test can fail.
"""

from __future__ import annotations

import base64
import calendar
import datetime as dt
import sqlite3
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper
from scratchdb import ScratchDatabase

from confide.crypto.blind_index import INDEXES, IndexVersion, live_versions
from confide.crypto.envelope import client_key
from confide.crypto.keyring import load_keyring
from confide.crypto.models import BlindIndexRow
from confide.records import selectors, services
from confide.records.models import Attachment, Client
from confide.testing import World, actor, build_world, make_client

CANARY_CASE_NUMBER = "CANARY-CASE-4417"  # stored in clear on purpose (case numbers are not)
CANARY_BLOB = b"CANARY-BLOB-9931"  # written raw into a binary column on purpose


@dataclass
class Planted:
    texts: dict[str, str] = field(default_factory=dict)
    keys: dict[str, bytes] = field(default_factory=dict)
    attachments: list[Attachment] = field(default_factory=list)


def date_forms(day: dt.date) -> list[str]:
    month = calendar.month_name[day.month]
    return [
        day.isoformat(),
        day.strftime("%Y%m%d"),
        day.strftime("%Y/%m/%d"),
        day.strftime("%m/%d/%Y"),
        f"{day.month}/{day.day}/{day.year}",
        day.strftime("%d/%m/%Y"),
        day.strftime("%d.%m.%Y"),
        day.strftime("%m-%d-%Y"),
        f"{month} {day.day}, {day.year}",
        f"{day.day} {month} {day.year}",
        f"{month[:3]} {day.day}, {day.year}",
        f"{day:%m/%d/%y}",
    ]


def _plant_client(planted: Planted, label: str, data: services.ClientInput) -> None:
    planted.texts[f"{label} legal name"] = data.legal_name
    for n, part in enumerate(data.legal_name.replace("-", " ").split()):
        planted.texts[f"{label} name part {n}"] = part
    planted.texts[f"{label} preferred name"] = data.preferred_name
    for form in date_forms(data.date_of_birth):
        planted.texts[f"{label} date of birth {form}"] = form
    for column in ("phone", "email", "address"):
        planted.texts[f"{label} {column}"] = getattr(data, column)
    for key, value in (data.identifiers or {}).items():
        planted.texts[f"{label} identifier {key}"] = value


def _plant_narrative(planted: Planted, label: str, text: str) -> None:
    """The text, and every run of three words in it: a leak of part of it counts too."""
    planted.texts[label] = text
    words = text.split()
    for n in range(len(words) - 2):
        planted.texts[f"{label}, words {n}-{n + 2}"] = " ".join(words[n : n + 3])


# Invented words of the narratives below: any one of them in a dump is a leak.
DISTINCTIVE = [
    "Kestrel", "marmalade-vortex", "Thistlewood", "lighthouse dream", "Candlemas",
    "Willowmere", "Quillfeather", "Pemberton-Hollis",
]  # fmt: skip


def _world_clients(world: World, planted: Planted) -> None:
    people = {
        "client_a": ("Rosalind Quenby", dt.date(1984, 3, 9), "A-1001"),
        "client_a_other": ("Tobias Wexford", dt.date(1990, 7, 21), "A-1002"),
        "client_b": ("Marisol Ketterly", dt.date(1975, 11, 2), "B-2001"),
    }  # as built by confide.testing.build_world
    for label, (name, born, number) in people.items():
        _plant_client(
            planted,
            label,
            services.ClientInput(
                legal_name=name,
                preferred_name=name.split()[0],
                date_of_birth=born,
                phone="555-0100 " + number,
                email=f"{number}@example.org",
                address=f"{number} Elm Street, Springfield",
                identifiers={"medicaid": "MC" + number},
            ),
        )


def populate() -> Planted:
    """Write and commit the record of a small agency; return what must never show in clear."""
    planted = Planted()
    world = build_world()
    _world_clients(world, planted)
    data = services.ClientInput(
        legal_name="José Ñúñez-Oyelaran",
        preferred_name="Pepito",
        date_of_birth=dt.date(1962, 12, 30),
        phone="+1 (415) 555-0199",
        email="jose.nunez.private@example.net",
        address="77 Larkspur Lane, Apt 4B, Oakland",
        identifiers={"medicaid": "MCX99187", "ssn": "078-05-1120"},
    )
    jose = services.client_create(actor=None, agency=world.agency_a, data=data)
    _plant_client(planted, "jose", data)
    case = services.case_create(
        actor=None,
        client=jose,
        team=world.team_a1,
        case_number=CANARY_CASE_NUMBER,
        opened_on=dt.date(2025, 1, 2),
    )
    worker = actor(world.worker_a)

    bodies = {
        "signed note": "Client disclosed the landlord threatened eviction over the Kestrel flat.",
        "first draft": "First draft mentions the marmalade-vortex incident at school.",
        "saved draft": "Saved draft: the marmalade-vortex incident was reported by Ms Thistlewood.",
        "psychotherapy note": "Process note: transference themes around the lighthouse dream.",
        "addendum": "Addendum: eviction hearing moved to the Wednesday after Candlemas.",
    }
    for name, body in bodies.items():
        _plant_narrative(planted, f"note {name}", body)
    planted.texts.update({f"invented word {word}": word for word in DISTINCTIVE})
    signed = services.note_create(
        actor=worker, case_id=case.id, kind="progress", body=bodies["signed note"], labels=[]
    )
    draft = services.note_create(
        actor=worker,
        case_id=case.id,
        kind="contact",
        body=bodies["first draft"],
        labels=["dv_location"],
    )
    services.note_update_draft(
        actor=worker, note_id=draft.id, body=bodies["saved draft"], expected_version=1
    )
    services.note_create(
        actor=worker,
        case_id=case.id,
        kind="psychotherapy",
        body=bodies["psychotherapy note"],
        labels=[],
    )
    rosalind_note = services.note_create(
        actor=worker,
        case_id=world.case_of(world.client_a).id,
        kind="progress",
        body="Rosalind's note about the Quillfeather custody evaluation.",
        labels=[],
    )
    planted.texts["note about Quillfeather"] = "Quillfeather custody evaluation"

    files = {
        (
            "willowmere-discharge-summary.txt",
            "text/plain",
        ): b"Discharge summary: referred to the Willowmere clinic for follow-up.",
        (
            "quillfeather_custody_eval.pdf",
            "application/pdf",
        ): b"%PDF-1.4\n% Quillfeather custody evaluation, Judge Pemberton-Hollis\n",
    }
    for (filename, content_type), content in files.items():
        note = signed if content_type == "text/plain" else rosalind_note
        planted.attachments.append(
            services.attachment_create(
                actor=worker,
                note_id=note.id,
                filename=filename,
                content_type=content_type,
                data=content,
            )
        )
        planted.texts[f"attachment name {filename}"] = filename
        planted.texts[f"attachment name stem {filename}"] = filename.rsplit(".", 1)[0]
        sentence = content.decode().removeprefix("%PDF-1.4\n% ").strip()
        _plant_narrative(planted, f"attachment content of {filename}", sentence)
    # Signed only now: a signed note takes no new files, so its file went on the draft above.
    services.note_sign(actor=worker, note_id=signed.id, expected_version=1)
    services.note_add_addendum(actor=worker, note_id=signed.id, body=bodies["addendum"])

    # Reads leave ledger events; none of them may carry what was read or searched for.
    selectors.client_get(actor=worker, client_id=jose.id)
    selectors.note_get(actor=worker, note_id=draft.id)
    selectors.caseload_list(actor=worker)
    selectors.client_search(
        actor=worker, legal_name="josé ñúñez-oyelaran", date_of_birth=dt.date(1962, 12, 30)
    )
    selectors.client_search(
        actor=worker,
        legal_name="Searched-For Nonexistent Person",
        date_of_birth=dt.date(1999, 9, 19),
    )
    planted.texts["search for nobody"] = "Searched-For Nonexistent Person"
    assert selectors.client_search_phone(actor=worker, last_four="0199")
    assert selectors.client_search_identifier(actor=worker, kind="ssn", value="078-05-1120")
    selectors.attachment_download(actor=worker, attachment_id=planted.attachments[0].id)

    canary = make_client(
        world.agency_a,
        world.team_a2,
        name="Canary Binary",
        dob=dt.date(1950, 5, 5),
        number="A-CANARY",
    )
    Client.objects.filter(id=canary.id).update(phone_enc=CANARY_BLOB)

    keyring = load_keyring()
    planted.keys.update({f"key-encryption key {v}": k for v, k in keyring.keks.items()})
    for version in live_versions():
        planted.keys[f"blind-index root key {version.version}"] = version.root
        for index_name in INDEXES:
            planted.keys[f"blind-index key {index_name} v{version.version}"] = version.key(
                index_name, world.agency_a.id
            )
    for client in Client.objects.all():
        planted.keys[f"data key of {client.id}"] = client_key(client.id).key
    return planted


def forms_found(dump: bytes, raw: bytes) -> list[str]:
    """How `raw` appears in `dump`: as is (ASCII case folded), hex-encoded, base64-encoded."""
    lowered = dump.lower()
    found = []
    if raw.lower() in lowered:
        found.append("raw")
    if raw.hex().encode() in lowered:
        found.append("hex")
    if base64.b64encode(raw) in dump:
        found.append("base64")
    return found


def text_forms_found(dump: bytes, text: str) -> list[str]:
    return sorted(
        {
            f
            for variant in {text, text.lower(), text.upper()}
            for f in forms_found(dump, variant.encode())
        }
    )


def _as_bytes(value: object) -> bytes:
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value)
    return str(value).encode()


def every_column(db: BaseDatabaseWrapper) -> bytes:
    """Every value of every row of every table, through a plain cursor."""
    chunks: list[bytes] = []
    with db.cursor() as cursor:
        tables = db.introspection.table_names(cursor)
        assert {"records_client", "records_note", "ledger_event"} <= set(tables)
        for table in tables:
            cursor.execute("SELECT * FROM " + db.ops.quote_name(table))  # noqa: S608 - a table name
            chunks.extend(_as_bytes(value) for row in cursor.fetchall() for value in row)
    return b"\n".join(chunks)


def sqlite_backup(db: BaseDatabaseWrapper, target: Path) -> bytes:
    db.ensure_connection()
    copy = sqlite3.connect(target)
    try:
        db.connection.backup(copy)
    finally:
        copy.close()
    return target.read_bytes()


def pg_dump(scratch: ScratchDatabase) -> bytes:
    arguments = scratch.postgres_arguments()
    command = [
        "/usr/bin/pg_dump",
        "--no-password",
        "-h",
        arguments["host"],
        "-U",
        arguments["user"],
        "-d",
        scratch.name,
    ]
    if "port" in arguments:
        command += ["-p", arguments["port"]]
    environment = {"PGPASSWORD": arguments["password"]} if "password" in arguments else {}
    result = subprocess.run(
        command,
        capture_output=True,
        check=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", **environment},
    )
    assert b"COPY public.records_client" in result.stdout
    return result.stdout


def assert_nothing_in_clear(dumps: dict[str, bytes], planted: Planted) -> None:
    assert len(planted.texts) > 80
    assert len(planted.keys) >= 7
    for source, dump in dumps.items():
        # The same search finds data that is stored in clear: the dump is real and complete.
        assert text_forms_found(dump, CANARY_CASE_NUMBER), f"{source} misses the case number"
        assert forms_found(dump, CANARY_BLOB), f"{source} misses binary columns"
        assert text_forms_found(dump, "worker_a@a.test"), f"{source} misses the staff table"
        leaks = [
            f"{label} ({', '.join(forms)})"
            for label, text in planted.texts.items()
            if (forms := text_forms_found(dump, text))
        ]
        leaks += [
            f"{label} ({', '.join(forms)})"
            for label, key in planted.keys.items()
            if (forms := forms_found(dump, key))
        ]
        assert leaks == [], f"in clear in the {source}: {leaks}"


def assert_attachments_encrypted_on_disk(planted: Planted) -> None:
    root = Path(settings.CONFIDE_FILES_DIR)
    for attachment in planted.attachments:
        stored = (root / str(attachment.agency_id) / f"{attachment.id}.bin").read_bytes()
        assert len(stored) > attachment.size
        leaks = [
            label
            for label, text in planted.texts.items()
            if label.startswith("attachment") and text_forms_found(stored, text)
        ]
        assert leaks == []


def assert_every_file_holds_nothing_in_clear(planted: Planted) -> None:
    """Every file these agencies' records left on disk (placed or still staged): only ciphertext
    with Confide's header, holding no planted text and no key in any encoding."""
    root = Path(settings.CONFIDE_FILES_DIR)
    agencies = {str(a.agency_id) for a in planted.attachments}
    staged = {f"{a.id}.bin" for a in planted.attachments}
    stored = [p for agency in agencies for p in (root / agency).rglob("*") if p.is_file()]
    stored += [p for p in (root / ".staging").glob("*.bin") if p.name in staged]
    assert len(stored) >= len(planted.attachments)
    for path in stored:
        blob = path.read_bytes()
        assert blob[0] == 1, f"{path.name} lacks the ciphertext header"
        leaks = [label for label, text in planted.texts.items() if text_forms_found(blob, text)]
        leaks += [label for label, key in planted.keys.items() if forms_found(blob, key)]
        assert leaks == [], f"in clear in {path.name}: {leaks}"


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite file dump")
def test_the_sqlite_file_and_its_backup_hold_no_client_data_in_clear(
    scratch_db: ScratchDatabase, tmp_path: Path
) -> None:
    with scratch_db.bound() as db:
        planted = populate()
        dumps = {
            "column values": every_column(db),
            "backup API copy": sqlite_backup(db, tmp_path / "backup.sqlite3"),
        }
    # Closed now, so everything is in the file (and any journal beside it).
    database_files = sorted(Path(scratch_db.name).parent.glob(Path(scratch_db.name).name + "*"))
    dumps["database file"] = b"".join(path.read_bytes() for path in database_files)
    assert_nothing_in_clear(dumps, planted)
    assert_attachments_encrypted_on_disk(planted)
    assert_every_file_holds_nothing_in_clear(planted)


@pytest.mark.postgres_only
@pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_dump needs PostgreSQL")
def test_a_pg_dump_holds_no_client_data_in_clear(scratch_db: ScratchDatabase) -> None:
    with scratch_db.bound() as db:
        planted = populate()
        dumps = {"pg_dump": pg_dump(scratch_db), "column values": every_column(db)}
    assert_nothing_in_clear(dumps, planted)
    assert_attachments_encrypted_on_disk(planted)
    assert_every_file_holds_nothing_in_clear(planted)


def test_no_column_holds_client_data_in_clear_inside_the_transaction(world: World) -> None:
    """The same check on the suite's own test database, before anything commits."""
    planted = Planted()
    _world_clients(world, planted)
    note = world.note(world.worker_a, world.client_a, body="Notes on the Brackenridge visit.")
    planted.texts["note"] = "Brackenridge"
    services.case_create(
        actor=None,
        client=world.client_a,
        team=world.team_a2,
        case_number=CANARY_CASE_NUMBER,
        opened_on=dt.date(2025, 1, 3),
    )
    canary = make_client(
        world.agency_a,
        world.team_a2,
        name="Canary Binary",
        dob=dt.date(1950, 5, 5),
        number="A-CANARY",
    )
    Client.objects.filter(id=canary.id).update(phone_enc=CANARY_BLOB)
    planted.keys["data key"] = client_key(world.client_a.id).key
    planted.keys.update({f"kek {v}": k for v, k in load_keyring().keks.items()})
    assert note.body_enc
    dump = every_column(connection)
    assert text_forms_found(dump, CANARY_CASE_NUMBER)
    assert forms_found(dump, CANARY_BLOB)
    assert [label for label, text in planted.texts.items() if text_forms_found(dump, text)] == []
    assert [label for label, key in planted.keys.items() if forms_found(dump, key)] == []


def test_blind_index_rows_hold_only_ids_and_keyed_truncated_values(world: World) -> None:
    """The blind-index table: no planted text or key in any column, only the expected columns,
    values within the planned width, and each value the keyed HMAC of the client's data (so it
    cannot be computed from the plaintext without the index key)."""
    planted = Planted()
    _world_clients(world, planted)
    versions = live_versions()
    for version in versions:
        planted.keys[f"index root {version.version}"] = version.root
    table = BlindIndexRow._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM " + connection.ops.quote_name(table))  # noqa: S608
        columns = [c[0] for c in cursor.description]
        rows = cursor.fetchall()
    assert sorted(columns) == sorted(
        ["id", "agency_id", "client_id", "index_name", "key_version", "value"]
    )
    assert len(rows) >= 9  # three clients, three indexes each
    dump = b"\n".join(_as_bytes(value) for row in rows for value in row)
    assert [label for label, text in planted.texts.items() if text_forms_found(dump, text)] == []
    assert [label for label, key in planted.keys.items() if forms_found(dump, key)] == []
    [active] = versions
    stranger = IndexVersion(active.version, "active", bytes(32), active.bits)
    differs = 0
    for row in BlindIndexRow.objects.filter(client_id=world.client_a.id):
        assert row.index_name in INDEXES
        assert 0 <= row.value < 2 ** active.bits[row.index_name]
        parts = {
            "client_name_dob": ("Rosalind Quenby", "1984-03-09"),
            "client_phone_last4": ("1001",),
            "client_identifier": ("medicaid", "MCA-1001"),
        }[row.index_name]
        assert row.value == active.value(row.index_name, row.agency_id, parts)
        differs += row.value != stranger.value(row.index_name, row.agency_id, parts)
    assert differs >= 2  # another key gives other values (a chance collision is allowed once)


def test_the_search_used_by_these_tests_sees_each_encoding() -> None:
    plain = b"Rosalind Quenby"
    assert forms_found(b"..." + plain.upper() + b"...", plain) == ["raw"]
    assert forms_found(b"\\\\x" + plain.hex().encode() + b"\t", plain) == ["hex"]
    assert forms_found(b"x" + base64.b64encode(plain), plain) == ["base64"]
    assert forms_found(b"nothing here", plain) == []
