"""The consent pages: usable by the care team (and intake for the notice), refused with the
uniform 404 to everyone else; bad input shows its problems and changes nothing."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from confide.consent.models import Acknowledgement, CommunicationPreference, Contact
from confide.consent.services import (
    disclosure_restriction_request,
    notice_publish,
    shipped_notice_texts,
)
from confide.consent.tests.support import act
from confide.ledger.enums import EventType
from confide.ledger.tests.support import ledger_mark, types_since
from confide.testing import World, signed_in


def browser(user: object) -> HttpClient:
    return signed_in(HttpClient(), user)  # type: ignore[arg-type]


def _publish(world: World) -> None:
    notice_publish(actor=act(world.privacy_a), texts=shipped_notice_texts(), material=True)


def test_the_client_page_asks_for_an_acknowledgement_and_links_the_consent_page(
    world: World,
) -> None:
    _publish(world)
    page = browser(world.worker_a).get(reverse("web:client_detail", args=[world.client_a.id]))
    html = page.content.decode()
    assert "Not acknowledged yet" in html
    assert reverse("web:consent_record", args=[world.client_a.id]) in html
    intake = browser(world.intake_a).get(reverse("web:client_detail", args=[world.client_a.id]))
    html = intake.content.decode()
    assert reverse("web:notice_acknowledge", args=[world.client_a.id]) in html
    assert reverse("web:consent_record", args=[world.client_a.id]) not in html


def test_intake_walks_a_client_through_the_notice_in_spanish(world: World) -> None:
    _publish(world)
    http = browser(world.intake_a)
    url = reverse("web:notice_acknowledge", args=[world.client_a.id])
    page = http.get(url + "?lang=es")
    html = page.content.decode()
    assert 'lang="es"' in html
    assert "Cuándo compartimos sin pedirle permiso" in html
    assert "web/signature.js" in html
    assert "<script>" not in html  # no inline script under the CSP
    notice_id = page.context["form"].initial["notice_id"]
    mark = ledger_mark()
    response = http.post(
        url, {"notice_id": notice_id, "typed_name": "Rosalind Quenby", "read_together": "on"}
    )
    assert response.status_code == 302
    ack = Acknowledgement.objects.get()
    assert (ack.notice.language, ack.signature_kind, ack.witness_id) == (
        "es",
        "typed",
        world.intake_a.id,
    )
    assert types_since(mark) == [EventType.NOTICE_ACKNOWLEDGED]


def test_an_incomplete_acknowledgement_shows_its_problems_and_records_nothing(
    world: World,
) -> None:
    _publish(world)
    http = browser(world.worker_a)
    url = reverse("web:notice_acknowledge", args=[world.client_a.id])
    notice_id = http.get(url).context["form"].initial["notice_id"]
    response = http.post(url, {"notice_id": notice_id, "typed_name": "", "signature": "junk"})
    assert response.status_code == 400
    response = http.post(
        url,
        {
            "notice_id": notice_id,
            "typed_name": "R Q",
            "read_together": "on",
            "signature": "data:image/gif;base64,R0lG",
        },
    )
    assert response.status_code == 400
    assert "PNG" in response.content.decode()
    assert not Acknowledgement.objects.exists()


@pytest.mark.parametrize("persona", ["other_worker_a", "privacy_a", "worker_b"])
def test_the_consent_pages_are_not_found_for_staff_outside_the_care_team(
    world: World, persona: str
) -> None:
    http = browser(getattr(world, persona))
    for name in ("web:consent_record", "web:notice_acknowledge", "web:contact_new"):
        assert http.get(reverse(name, args=[world.client_a.id])).status_code == 404


def test_the_care_team_adds_a_contact_and_sees_it_decrypted(world: World) -> None:
    http = browser(world.worker_a)
    url = reverse("web:contact_new", args=[world.client_a.id])
    bad = http.post(url, {"kind": "family", "name": "", "decision": "agreed"})
    assert bad.status_code == 400
    assert not Contact.objects.exists()
    agreed_nothing = http.post(url, {"kind": "family", "name": "Ada", "decision": "agreed"})
    assert agreed_nothing.status_code == 400
    assert "may_be_told" in agreed_nothing.content.decode() or "choose what" in (
        agreed_nothing.content.decode()
    )
    good = http.post(
        url,
        {
            "kind": "family",
            "name": "Ada Quenby",
            "relationship": "sister",
            "decision": "agreed",
            "may_be_told": ["appointments"],
        },
    )
    assert good.status_code == 302
    page = http.get(reverse("web:consent_record", args=[world.client_a.id]))
    assert "Ada Quenby" in page.content.decode()


def test_a_preference_is_saved_and_a_bad_one_changes_nothing(world: World) -> None:
    http = browser(world.worker_a)
    url = reverse("web:consent_preference", args=[world.client_a.id])
    http.post(url, {"channel": "text", "text-channel": "text", "text-allowed": "maybe"})
    assert not CommunicationPreference.objects.exists()
    http.post(url, {"channel": "text", "text-channel": "text", "text-allowed": "no"})
    assert CommunicationPreference.objects.get().allowed is False
    other = browser(world.other_worker_a).post(
        url, {"channel": "text", "text-channel": "text", "text-allowed": "yes"}
    )
    assert other.status_code == 404
    assert CommunicationPreference.objects.get().allowed is False


def test_a_privacy_officer_decides_a_disclosure_limit_from_the_queue(world: World) -> None:
    restriction = disclosure_restriction_request(
        actor=act(world.worker_a),
        client_id=world.client_a.id,
        recipient_kind="person",
        recipient="Cousin Ned",
        information="Anything about housing",
    )
    http = browser(world.privacy_a)
    queue = http.get(reverse("web:disclosure_restriction_queue"))
    assert "Cousin Ned" in queue.content.decode()
    assert "A-1001" in queue.content.decode()
    decide = reverse("web:disclosure_restriction_decide", args=[restriction.id])
    assert browser(world.worker_a).post(decide, {"decision": "agree"}).status_code == 403
    http.post(decide, {"decision": "perhaps"})
    restriction.refresh_from_db()
    assert restriction.status == "requested"
    http.post(decide, {"decision": "agree"})
    restriction.refresh_from_db()
    assert restriction.status == "agreed"


def test_the_minor_consent_table_lists_the_states(world: World) -> None:
    html = browser(world.worker_a).get(reverse("web:minor_consent")).content.decode()
    for state in ("CA", "NY", "TX", "FL", "IL", "WA", "MA"):
        assert f">{state}<" in html


def test_a_privacy_officer_publishes_a_version_from_the_page(world: World) -> None:
    http = browser(world.privacy_a)
    url = reverse("web:notice_publish")
    assert http.get(url).status_code == 200
    empty = http.post(url, {"title_en": "", "body_en": ""})
    assert empty.status_code == 400
    english = shipped_notice_texts()["en"]
    done = http.post(url, {"title_en": english[0], "body_en": english[1], "material": "on"})
    assert done.status_code == 302
    page = http.get(url).content.decode()
    assert "grade" in page
    assert browser(world.worker_a).get(url).status_code == 403
