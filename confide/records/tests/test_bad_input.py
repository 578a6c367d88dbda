"""Invariant 8: bad input gets a ValidationFailed naming each bad field, and changes nothing
(no row, no ledger event, no file). Invariant 7: the error never echoes what was typed."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from pytest_django import Settings

from confide.core.errors import ValidationFailed
from confide.records import services
from confide.records.models import Note
from confide.records.tests.support import files_on_disk, snapshot
from confide.testing import World, actor

TOMORROW = timezone.localdate() + dt.timedelta(days=1)
PDF = b"%PDF-1.4\n1 0 obj\n"
PNG = b"\x89PNG\r\n\x1a\n0000"


def _refused(call: Any, *fields: str) -> ValidationFailed:
    """Run `call`, expect ValidationFailed naming exactly `fields`, and nothing written."""
    before, files_before = snapshot(), files_on_disk()
    with pytest.raises(ValidationFailed) as caught:
        call()
    assert set(caught.value.fields) == set(fields), caught.value.fields
    assert snapshot() == before
    assert files_on_disk() == files_before
    return caught.value


NOTE_CASES: list[tuple[dict[str, Any], str]] = [
    ({"body": "x" * 100_001}, "body"),
    ({"body": "a\x00b"}, "body"),
    ({"body": 12345}, "body"),
    ({"body": None}, "body"),
    ({"body": b"bytes are not text"}, "body"),
    ({"kind": "gossip"}, "kind"),
    ({"kind": 3}, "kind"),
    ({"kind": ""}, "kind"),
    ({"labels": ["nonsense"]}, "labels"),
    ({"labels": ["hiv", "nonsense"]}, "labels"),
    ({"labels": "hiv"}, "labels"),
    ({"labels": [1]}, "labels"),
    ({"labels": None}, "labels"),
    ({"labels": ["psychotherapy"]}, "labels"),
    ({"occurred_on": TOMORROW}, "occurred_on"),
    ({"occurred_on": dt.date(1969, 12, 31)}, "occurred_on"),
    ({"occurred_on": dt.date(1, 1, 1)}, "occurred_on"),
    ({"occurred_on": "2024-01-01"}, "occurred_on"),
    ({"occurred_on": 20240101}, "occurred_on"),
]


@pytest.mark.parametrize(("change", "field"), NOTE_CASES, ids=[f for _, f in NOTE_CASES])
def test_a_bad_new_note_is_refused_and_nothing_is_written(
    world: World, change: dict[str, Any], field: str
) -> None:
    arguments: dict[str, Any] = {
        "actor": actor(world.worker_a),
        "case_id": world.case_of(world.client_a).id,
        "kind": "progress",
        "body": "Fine text.",
        "labels": [],
        **change,
    }
    _refused(lambda: services.note_create(**arguments), field)


def test_a_note_at_the_size_limit_is_accepted(world: World) -> None:
    note = world.note(world.worker_a, world.client_a, body="y" * 100_000)
    assert note.version == 1


def test_a_note_names_every_bad_field_at_once(world: World) -> None:
    # One error names them all (validation.Problems); today the date is checked only after the
    # kind, body and labels passed.
    _refused(
        lambda: services.note_create(
            actor=actor(world.worker_a),
            case_id=world.case_of(world.client_a).id,
            kind="gossip",
            body="Fine.",
            labels=[],
            occurred_on=TOMORROW,
        ),
        "kind",
        "occurred_on",
    )


def test_a_date_and_time_where_a_date_belongs_is_a_validation_error(world: World) -> None:
    # datetime is a subclass of date; comparing it with today's date raises TypeError.
    _refused(
        lambda: services.note_create(
            actor=actor(world.worker_a),
            case_id=world.case_of(world.client_a).id,
            kind="progress",
            body="Fine.",
            labels=[],
            occurred_on=dt.datetime(2024, 1, 1, 9, 30, tzinfo=dt.UTC),
        ),
        "occurred_on",
    )


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"body": "z" * 100_001}, "body"),
        ({"body": "nul \x00 here"}, "body"),
        ({"body": 7}, "body"),
        ({"labels": ["unheard-of"]}, "labels"),
        ({"labels": "hiv"}, "labels"),
        ({"labels": ["psychotherapy"]}, "labels"),
    ],
)
def test_a_bad_draft_save_is_refused_and_the_draft_is_unchanged(
    world: World, change: dict[str, Any], field: str
) -> None:
    note = world.note(world.worker_a, world.client_a, body="Keep me.")
    arguments: dict[str, Any] = {
        "actor": actor(world.worker_a),
        "note_id": note.id,
        "body": "New text.",
        "expected_version": 1,
        **change,
    }
    _refused(lambda: services.note_update_draft(**arguments), field)
    assert Note.objects.get(id=note.id).version == 1


@pytest.mark.parametrize("body", ["", "   \n\t "])
def test_an_empty_note_cannot_be_signed(world: World, body: str) -> None:
    note = world.note(world.worker_a, world.client_a, body=body)
    _refused(
        lambda: services.note_sign(
            actor=actor(world.worker_a), note_id=note.id, expected_version=1
        ),
        "body",
    )


def _client_input(**change: Any) -> services.ClientInput:
    values: dict[str, Any] = {
        "legal_name": "Valid Person",
        "preferred_name": "Val",
        "date_of_birth": dt.date(1990, 6, 1),
        "phone": "555-0123",
        "email": "val@example.org",
        "address": "1 Main St",
        "identifiers": {"medicaid": "MC1"},
        **change,
    }
    return services.ClientInput(**values)


CLIENT_CASES: list[tuple[dict[str, Any], set[str]]] = [
    ({"legal_name": ""}, {"legal_name"}),
    ({"legal_name": "   "}, {"legal_name"}),
    ({"legal_name": "n" * 201}, {"legal_name"}),
    ({"legal_name": "Secret\x00Name"}, {"legal_name"}),
    ({"legal_name": 42}, {"legal_name"}),
    ({"preferred_name": "p" * 201}, {"preferred_name"}),
    ({"date_of_birth": TOMORROW}, {"date_of_birth"}),
    ({"date_of_birth": dt.date(1899, 12, 31)}, {"date_of_birth"}),
    ({"date_of_birth": "1990-06-01"}, {"date_of_birth"}),
    ({"date_of_birth": None}, {"date_of_birth"}),
    ({"phone": "5" * 41}, {"phone"}),
    ({"phone": 5550123}, {"phone"}),
    ({"email": "e" * 250 + "@x.org"}, {"email"}),
    ({"address": "a" * 501}, {"address"}),
    ({"address": "12\x00 Main"}, {"address"}),
    ({"identifiers": {f"k{n}": "v" for n in range(11)}}, {"identifiers"}),
    ({"identifiers": {"medicaid": 5}}, {"identifiers"}),
    ({"identifiers": {"k" * 41: "v"}}, {"identifiers"}),
    ({"identifiers": {"k": "v" * 101}}, {"identifiers"}),
    (
        {"legal_name": "", "date_of_birth": TOMORROW, "phone": "5" * 41},
        {"legal_name", "date_of_birth", "phone"},
    ),
]


@pytest.mark.parametrize(("change", "fields"), CLIENT_CASES)
def test_a_bad_new_client_is_refused_and_nothing_is_written(
    world: World, change: dict[str, Any], fields: set[str]
) -> None:
    data = _client_input(**change)
    _refused(lambda: services.client_create(actor=None, agency=world.agency_a, data=data), *fields)


def test_a_non_text_legal_name_without_a_preferred_name_is_a_validation_error(
    world: World,
) -> None:
    # The preferred name falls back to the legal name; that fallback must use the checked
    # value, not call .strip() on whatever was passed.
    data = _client_input(legal_name=None, preferred_name="")
    _refused(
        lambda: services.client_create(actor=None, agency=world.agency_a, data=data), "legal_name"
    )


def test_a_date_and_time_of_birth_is_a_validation_error(world: World) -> None:
    data = _client_input(date_of_birth=dt.datetime(1990, 6, 1, 12, 0, tzinfo=dt.UTC))
    _refused(
        lambda: services.client_create(actor=None, agency=world.agency_a, data=data),
        "date_of_birth",
    )


def test_a_refusal_never_echoes_what_was_typed(world: World) -> None:
    data = _client_input(
        legal_name="Zebulon\x00Farquharson", phone="Farquharson " * 5, date_of_birth=TOMORROW
    )
    error = _refused(
        lambda: services.client_create(actor=None, agency=world.agency_a, data=data),
        "legal_name",
        "phone",
        "date_of_birth",
    )
    assert "Farquharson" not in str(error)
    assert "Farquharson" not in repr(error.fields)


@pytest.mark.parametrize(
    ("number", "field"), [("", "case_number"), ("C" * 33, "case_number"), (17, "case_number")]
)
def test_a_bad_case_number_is_refused(world: World, number: Any, field: str) -> None:
    _refused(
        lambda: services.case_create(
            actor=None,
            client=world.client_a,
            team=world.team_a1,
            case_number=number,
            opened_on=dt.date(2025, 1, 2),
        ),
        field,
    )


def test_a_case_cannot_go_to_another_agencys_team(world: World) -> None:
    _refused(
        lambda: services.case_create(
            actor=None,
            client=world.client_a,
            team=world.team_b1,
            case_number="X-1",
            opened_on=dt.date(2025, 1, 2),
        ),
        "team",
    )


ATTACHMENT_CASES: list[tuple[dict[str, Any], set[str]]] = [
    ({"data": b""}, {"file"}),
    ({"data": b"t" * 65}, {"file"}),
    ({"content_type": "application/x-msdownload", "data": b"MZ\x90\x00"}, {"file"}),
    ({"content_type": "text/html", "data": b"<script>"}, {"file"}),
    ({"content_type": "image/png", "data": PDF}, {"file"}),
    ({"content_type": "application/pdf", "data": PNG}, {"file"}),
    ({"content_type": "image/jpeg", "data": b"GIF89a"}, {"file"}),
    ({"content_type": "text/plain", "data": b"\xff\xfe\xfa not utf-8"}, {"file"}),
    ({"filename": ""}, {"filename"}),
    ({"filename": "f" * 201}, {"filename"}),
    ({"filename": "evil\x00.pdf"}, {"filename"}),
    ({"filename": None}, {"filename"}),
    ({"filename": "", "data": b""}, {"filename", "file"}),
]


@pytest.mark.parametrize(("change", "fields"), ATTACHMENT_CASES)
def test_a_bad_attachment_is_refused_and_nothing_is_stored(
    world: World, settings: Settings, change: dict[str, Any], fields: set[str]
) -> None:
    settings.CONFIDE_ATTACHMENT_MAX_BYTES = 64
    note = world.note(world.worker_a, world.client_a)
    arguments: dict[str, Any] = {
        "actor": actor(world.worker_a),
        "note_id": note.id,
        "filename": "ok.txt",
        "content_type": "text/plain",
        "data": b"fine",
        **change,
    }
    _refused(lambda: services.attachment_create(**arguments), *fields)


@pytest.mark.parametrize(
    ("content_type", "data"),
    [
        ("application/pdf", PDF),
        ("image/png", PNG),
        ("image/jpeg", b"\xff\xd8\xff\xe0"),
        ("text/plain", "plain ünïcode".encode()),
    ],
)
def test_a_good_attachment_of_each_allowed_type_is_stored(
    world: World, content_type: str, data: bytes
) -> None:
    note = world.note(world.worker_a, world.client_a)
    attachment = services.attachment_create(
        actor=actor(world.worker_a),
        note_id=note.id,
        filename="f",
        content_type=content_type,
        data=data,
    )
    assert attachment.size == len(data)


@pytest.mark.parametrize("content_type", ["text/plain", "application/pdf"])
def test_attachment_data_that_is_not_bytes_is_a_validation_error(
    world: World, content_type: str
) -> None:
    note = world.note(world.worker_a, world.client_a)
    _refused(
        lambda: services.attachment_create(
            actor=actor(world.worker_a),
            note_id=note.id,
            filename="x.txt",
            content_type=content_type,
            data="%PDF- a str, not bytes",  # type: ignore[arg-type]
        ),
        "file",
    )
