"""The acknowledgement is in the notice's language: a client who reads the notice in Spanish
ticks a Spanish statement, fills Spanish labels, presses a Spanish button and reads Spanish
errors and messages, all marked `lang` for assistive technology; tables name languages instead
of showing their codes."""

from __future__ import annotations

import html
import re
from dataclasses import fields

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from confide.consent import printable
from confide.consent import services as consent
from confide.consent.enums import Language, language_name
from confide.consent.models import Acknowledgement
from confide.ledger.tests.reporting import pdf_words
from confide.portal.tests.support import Clock, clock, enrol, portal_browser, publish_notice
from confide.portal.wording import ENGLISH, SPANISH, WORDS, acknowledgement_words
from confide.testing import World, actor, signed_in

__all__ = ["clock"]

pytestmark = pytest.mark.django_db
URL = "/portal/notice/"


def _section(page: str) -> tuple[str, str]:
    """The acknowledgement section of the notice page: its lang and its text (unescaped)."""
    found = re.search(
        r'<section lang="([a-z]+)" aria-labelledby="acknowledgement-h">(.*?)</section>', page, re.S
    )
    assert found is not None
    return found.group(1), html.unescape(found.group(2))


def _label_of(page: str, field_id: str) -> str:
    found = re.search(rf'<label for="{field_id}">([^<]*)</label>', page)
    assert found is not None, field_id
    return html.unescape(found.group(1))


def test_every_notice_language_has_its_own_acknowledgement_words() -> None:
    assert set(WORDS) == set(Language.values)
    for code in Language.values:
        assert language_name(code)
        assert language_name(code) != code
        words = acknowledgement_words(code)
        for field in fields(words):
            assert getattr(words, field.name).strip(), (code, field.name)
            if code != Language.ENGLISH:  # translated, not copied
                assert getattr(words, field.name) != getattr(ENGLISH, field.name), field.name
    assert acknowledgement_words("xx") == ENGLISH
    assert language_name("xx") == "xx"


@pytest.mark.parametrize(("language", "words"), [("es", SPANISH), ("en", ENGLISH)])
def test_the_acknowledgement_is_in_the_notices_language(
    world: World, clock: Clock, language: str, words: object
) -> None:
    assert words is acknowledgement_words(language)
    publish_notice(world.privacy_a)
    member = enrol(world.worker_a, world.client_a, clock, language=language)
    page = portal_browser(member.account).get(URL).content.decode()
    assert f'<article lang="{language}"' in page
    lang, section = _section(page)
    assert lang == language
    other = ENGLISH if language == "es" else SPANISH
    for text in (
        acknowledgement_words(language).heading,
        acknowledgement_words(language).submit,
        acknowledgement_words(language).date_hint,
        acknowledgement_words(language).signature_clear,
    ):
        assert text in section
    assert other.submit not in section
    assert other.statement not in section
    assert _label_of(page, "id_read_it") == acknowledgement_words(language).statement
    assert _label_of(page, "id_typed_name") == acknowledgement_words(language).name
    assert _label_of(page, "signature-pad") == acknowledgement_words(language).signature
    assert f'aria-label="{acknowledgement_words(language).signature_area}"' in html.unescape(page)


def test_a_spanish_acknowledgement_refuses_and_thanks_in_spanish(
    world: World, clock: Clock
) -> None:
    notices = publish_notice(world.privacy_a)
    member = enrol(world.worker_a, world.client_a, clock, language="es")
    browser = portal_browser(member.account)
    refused = browser.post(URL, {"notice_id": notices["es"].id, "typed_name": ""})
    assert refused.status_code == 400
    lang, section = _section(refused.content.decode())
    assert lang == "es"
    for text in (SPANISH.problem, SPANISH.statement_missing, SPANISH.name_missing):
        assert text in section
    assert "There is a problem" not in section
    assert "This field is required" not in section
    too_long = browser.post(
        URL, {"notice_id": notices["es"].id, "typed_name": "x" * 500, "read_it": "on"}
    )
    assert SPANISH.name_too_long.split(":")[0] in html.unescape(too_long.content.decode())
    assert not Acknowledgement.objects.exists()

    done = browser.post(
        URL, {"notice_id": notices["es"].id, "typed_name": "Rosalind Quenby", "read_it": "on"}
    )
    assert done.status_code == 302
    assert done["Location"] == f"{URL}?lang=es"
    after = browser.get(done["Location"]).content.decode()
    assert f'<p class="message message-success" lang="es">{SPANISH.recorded}</p>' in after
    lang, section = _section(after)
    assert (lang, SPANISH.done in section) == ("es", True)
    row = re.search(r'<th scope="row">1</th><td>([^<]*)</td>', after)
    assert row is not None
    assert row.group(1) == "Spanish"


def test_a_stale_notice_is_explained_in_the_notices_language(world: World, clock: Clock) -> None:
    first = publish_notice(world.privacy_a)
    publish_notice(world.privacy_a)
    member = enrol(world.worker_a, world.client_a, clock, language="es")
    stale = portal_browser(member.account).post(
        URL, {"notice_id": first["es"].id, "typed_name": "Rosalind Quenby", "read_it": "on"}
    )
    assert stale.status_code == 400
    assert SPANISH.changed in _section(stale.content.decode())[1]


def test_switching_language_switches_the_acknowledgement_too(world: World, clock: Clock) -> None:
    publish_notice(world.privacy_a)
    member = enrol(world.worker_a, world.client_a, clock, language="es")
    page = portal_browser(member.account).get(f"{URL}?lang=en").content.decode()
    assert _section(page)[0] == "en"
    assert _label_of(page, "id_read_it") == ENGLISH.statement


def test_a_language_the_current_version_lacks_falls_back_to_english_words(
    world: World, clock: Clock
) -> None:
    texts = consent.shipped_notice_texts()
    consent.notice_publish(actor=actor(world.privacy_a), texts={"en": texts["en"]}, material=True)
    member = enrol(world.worker_a, world.client_a, clock, language="es")
    page = portal_browser(member.account).get(URL).content.decode()
    assert '<article lang="en"' in page
    assert _section(page)[0] == "en"
    assert _label_of(page, "id_read_it") == ENGLISH.statement


def test_staff_tables_and_the_printable_copy_name_the_language(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    notices = publish_notice(world.privacy_a)
    ack = consent.acknowledgement_record(
        actor=actor(world.worker_a),
        client_id=world.client_a.id,
        notice_id=notices["es"].id,
        typed_name="Rosalind Quenby",
    )
    page = signed_in(HttpClient(), world.worker_a).get(
        reverse("web:consent_record", kwargs={"client_id": world.client_a.id})
    )
    row = re.search(
        r'<th scope="row">1</th><td>([^<]*)</td><td>[^<]*</td><td>([^<]*)</td>',
        page.content.decode(),
    )
    assert row is not None
    assert (row.group(1), row.group(2)) == ("Spanish", "Typed name only")
    monkeypatch.setattr(printable, "font_dir", lambda: None)  # core font: text is readable
    copy = printable.acknowledgement_copy(actor=actor(world.worker_a), acknowledgement_id=ack.id)
    assert "(version 1, Spanish)" in pdf_words(printable.acknowledgement_pdf(copy))
