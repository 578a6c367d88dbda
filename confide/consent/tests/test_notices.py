"""The limits-of-confidentiality notice: shipped texts in plain language (measured), versions
published by a privacy officer, acknowledgements witnessed by the care team or intake with a
typed name and an optional drawn signature, and a new acknowledgement after a material change."""

from __future__ import annotations

import base64
import uuid

import pytest

from confide.consent import readability
from confide.consent.models import Acknowledgement, Notice
from confide.consent.selectors import notice_blocks, notice_status
from confide.consent.services import (
    acknowledgement_record,
    notice_publish,
    shipped_notice_texts,
)
from confide.consent.tests.support import act
from confide.core.errors import Conflict, NotFound, NotPermitted, ValidationFailed
from confide.crypto.envelope import client_key
from confide.ledger.enums import EventType
from confide.ledger.tests.support import events_since, ledger_mark
from confide.testing import World, signature_data_url, signature_png

PNG = signature_data_url()
LEGALESE = (
    "Notwithstanding any provision of this authorization, the covered entity may use or "
    "disclose protected health information, consistent with applicable law and standards of "
    "ethical conduct, if the covered entity, in good faith, believes the use or disclosure is "
    "necessary to prevent or lessen a serious and imminent threat to the health or safety of "
    "a person or the public."
)


# ---- the shipped texts -----------------------------------------------------------------------


def test_the_english_notice_reads_at_grade_eight_or_below() -> None:
    _, body = shipped_notice_texts()["en"]
    assert readability.flesch_kincaid_grade(body) <= 8.0


def test_the_spanish_notice_is_fairly_easy_on_the_inflesz_scale() -> None:
    _, body = shipped_notice_texts()["es"]
    assert readability.szigriszt_pazos(body) >= 65.0
    assert readability.fernandez_huerta(body) >= 70.0


def test_the_scores_tell_plain_text_from_legalese() -> None:
    assert readability.flesch_kincaid_grade(LEGALESE) > 16
    assert readability.flesch_kincaid_grade("We keep your notes safe. You can see them.") < 3
    spanish_legal = (
        "No obstante cualquier disposición contraria, la entidad cubierta podrá utilizar o "
        "divulgar información protegida de salud, de conformidad con la legislación aplicable."
    )
    assert readability.szigriszt_pazos(spanish_legal) < 40


@pytest.mark.parametrize(
    ("word", "syllables"),
    [("record", 2), ("hospital", 3), ("make", 1), ("supervisor", 4), ("used", 1)],
)
def test_english_syllables_are_counted_by_rule(word: str, syllables: int) -> None:
    assert readability.english_syllables(word) == syllables


@pytest.mark.parametrize(
    ("word", "syllables"),
    [("registro", 3), ("policía", 4), ("hoy", 1), ("quién", 1), ("aéreo", 4), ("cuidar", 2)],
)
def test_spanish_syllables_count_diphthongs_and_hiatus(word: str, syllables: int) -> None:
    assert readability.spanish_syllables(word) == syllables


def test_both_shipped_texts_cover_every_required_topic() -> None:
    texts = shipped_notice_texts()
    english = texts["en"][1].lower()
    for topic in ("keep", "who can see", "abuse", "danger", "judge", "emergenc", "email", "rights"):
        assert topic in english, topic
    spanish = texts["es"][1].lower()
    for topic in (
        "guardamos",
        "quién puede ver",
        "abuso",
        "peligro",
        "juez",
        "emergencia",
        "correo",
        "derechos",
    ):
        assert topic in spanish, topic


def test_the_notice_body_becomes_headings_paragraphs_and_lists() -> None:
    blocks = notice_blocks("## Title\nOne line.\nTwo.\n\n- a\n- b\n\nEnd.")
    assert [(b.kind, b.lines) for b in blocks] == [
        ("heading", ("Title",)),
        ("paragraph", ("One line. Two.",)),
        ("list", ("a", "b")),
        ("paragraph", ("End.",)),
    ]


# ---- publishing ------------------------------------------------------------------------------


def _publish(world: World, material: bool = True) -> dict[str, Notice]:
    notices = notice_publish(
        actor=act(world.privacy_a), texts=shipped_notice_texts(), material=material
    )
    return {n.language: n for n in notices}


def test_a_privacy_officer_publishes_numbered_versions_on_the_ledger(world: World) -> None:
    mark = ledger_mark()
    first = _publish(world, material=False)
    assert {n.version for n in first.values()} == {1}
    assert first["en"].material  # the first version always asks for an acknowledgement
    second = _publish(world, material=False)
    assert second["es"].version == 2
    assert not second["es"].material
    (event, _) = events_since(mark)
    assert event.event_type == EventType.NOTICE_PUBLISHED
    assert event.details == {"version": 1, "languages": ["en", "es"], "material": True}


@pytest.mark.parametrize("persona", ["worker_a", "supervisor_a", "admin_a", "intake_a"])
def test_only_a_privacy_officer_publishes(world: World, persona: str) -> None:
    with pytest.raises(NotPermitted):
        notice_publish(
            actor=act(getattr(world, persona)), texts=shipped_notice_texts(), material=True
        )
    assert not Notice.objects.exists()


@pytest.mark.parametrize(
    ("texts", "field"),
    [
        ({"es": ("T", "B")}, "texts"),
        ({"en": ("", "Body")}, "title_en"),
        ({"en": ("T", "x" * 20_001)}, "body_en"),
        ({"en": ("T", "B"), "fr": ("T", "B")}, "language"),
    ],
)
def test_a_bad_notice_is_refused_whole(world: World, texts: dict, field: str) -> None:  # type: ignore[type-arg]
    with pytest.raises(ValidationFailed) as caught:
        notice_publish(actor=act(world.privacy_a), texts=texts, material=True)
    assert field in caught.value.fields
    assert not Notice.objects.exists()


# ---- acknowledging ---------------------------------------------------------------------------


def _acknowledge(world: World, notice: Notice, **overrides: object) -> Acknowledgement:
    arguments: dict[str, object] = {
        "actor": act(world.worker_a),
        "client_id": world.client_a.id,
        "notice_id": notice.id,
        "typed_name": "Rosalind Quenby",
        "signature": PNG,
    }
    arguments.update(overrides)
    return acknowledgement_record(**arguments)  # type: ignore[arg-type]


def test_an_acknowledgement_keeps_name_and_signature_encrypted_and_is_on_the_ledger(
    world: World,
) -> None:
    notice = _publish(world)["es"]
    mark = ledger_mark()
    ack = _acknowledge(world, notice)
    assert (ack.signature_kind, ack.witness_id) == ("drawn", world.worker_a.id)
    stored = Acknowledgement.objects.get(id=ack.id)
    assert b"Rosalind" not in bytes(stored.typed_name_enc)
    key = client_key(world.client_a.id)
    assert key.decrypt_text(
        "consent_acknowledgement.typed_name", ack.id, stored.typed_name_enc
    ) == ("Rosalind Quenby")
    signature = key.decrypt(
        "consent_acknowledgement.signature", ack.id, stored.signature_enc or b""
    )
    assert signature.startswith(b"\x89PNG")
    (event,) = events_since(mark)
    assert event.event_type == EventType.NOTICE_ACKNOWLEDGED
    assert event.details == {"version": 1, "language": "es", "signature": "drawn"}


def test_the_consent_record_shows_the_drawn_signature(world: World) -> None:
    from confide.consent.selectors import consent_record_get

    _acknowledge(world, _publish(world)["en"])
    record = consent_record_get(actor=act(world.worker_a), client_id=world.client_a.id)
    (row,) = record.acknowledgements
    assert row.signature_data_url == PNG
    assert row.typed_name == "Rosalind Quenby"


def test_a_typed_name_alone_is_enough(world: World) -> None:
    ack = _acknowledge(world, _publish(world)["en"], signature="")
    assert (ack.signature_kind, ack.signature_enc) == ("typed", None)


def test_intake_witnesses_an_acknowledgement_at_registration(world: World) -> None:
    ack = _acknowledge(world, _publish(world)["en"], actor=act(world.intake_a))
    assert ack.witness_id == world.intake_a.id


def test_a_drawing_at_double_density_is_accepted(world: World) -> None:
    ack = _acknowledge(
        world, _publish(world)["en"], signature=signature_data_url(signature_png(960, 320))
    )
    assert ack.signature_kind == "drawn"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("typed_name", ""),
        ("typed_name", "x" * 201),
        ("typed_name", None),
        ("signature", "data:image/jpeg;base64,AAAA"),
        ("signature", "data:image/png;base64,not base64!"),
        ("signature", "data:image/png;base64," + base64.b64encode(b"GIF89a").decode()),
        ("signature", "data:image/png;base64," + "A" * 400_000),
        ("signature", 7),
        # a PNG header and then junk: would break the printable copy
        ("signature", signature_data_url(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)),
        # a whole PNG cut short
        ("signature", signature_data_url(signature_png()[:-40])),
        # small files that decode to huge images (memory on every printable copy)
        ("signature", signature_data_url(signature_png(4000, 100))),
        ("signature", signature_data_url(signature_png(100, 4000))),
    ],
    ids=[
        "no-name",
        "long-name",
        "name-none",
        "jpeg",
        "not-base64",
        "gif",
        "too-big",
        "not-text",
        "junk-after-header",
        "truncated",
        "too-wide",
        "too-tall",
    ],
)
def test_bad_acknowledgements_are_refused_and_change_nothing(
    world: World, field: str, value: object
) -> None:
    notice = _publish(world)["en"]
    mark = ledger_mark()
    with pytest.raises(ValidationFailed) as caught:
        _acknowledge(world, notice, **{field: value})
    assert field in caught.value.fields
    assert not Acknowledgement.objects.exists()
    assert events_since(mark) == []


def test_an_unknown_or_foreign_notice_is_refused(world: World) -> None:
    theirs = notice_publish(
        actor=act(_privacy_b(world)), texts=shipped_notice_texts(), material=True
    )[0]
    for notice_id in (theirs.id, uuid.uuid4(), "nonsense"):
        with pytest.raises(ValidationFailed) as caught:
            acknowledgement_record(
                actor=act(world.worker_a),
                client_id=world.client_a.id,
                notice_id=notice_id,
                typed_name="R",
            )
        assert "notice" in caught.value.fields


def _privacy_b(world: World):  # type: ignore[no-untyped-def]
    from confide.core.enums import Role
    from confide.testing import make_user

    return make_user(world.agency_b, "privacy_b@b.test", Role.PRIVACY_OFFICER)


def test_an_older_version_cannot_be_acknowledged_once_a_newer_one_exists(world: World) -> None:
    old = _publish(world)["en"]
    _publish(world, material=False)
    with pytest.raises(Conflict):
        _acknowledge(world, old)
    assert not Acknowledgement.objects.exists()


@pytest.mark.parametrize("persona", ["other_worker_a", "privacy_a", "admin_a", "worker_b"])
def test_staff_outside_the_care_team_and_intake_cannot_record_one(
    world: World, persona: str
) -> None:
    notice = _publish(world)["en"]
    with pytest.raises(NotFound):
        _acknowledge(world, notice, actor=act(getattr(world, persona)))
    assert not Acknowledgement.objects.exists()


def test_a_material_new_version_asks_for_a_new_acknowledgement(world: World) -> None:
    worker = act(world.worker_a)
    assert notice_status(actor=worker, client_id=world.client_a.id).reason == "none_published"
    first = _publish(world)["en"]
    status = notice_status(actor=worker, client_id=world.client_a.id)
    assert (status.needs_acknowledgement, status.reason) == (True, "never")
    _acknowledge(world, first)
    assert not notice_status(actor=worker, client_id=world.client_a.id).needs_acknowledgement
    _publish(world, material=False)  # a wording fix: the acknowledgement still stands
    status = notice_status(actor=worker, client_id=world.client_a.id)
    assert (status.needs_acknowledgement, status.acknowledged_version) == (False, 1)
    _publish(world, material=True)
    status = notice_status(actor=worker, client_id=world.client_a.id)
    assert (status.needs_acknowledgement, status.reason) == (True, "material_change")
    assert status.current_version == 3
