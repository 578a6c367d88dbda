"""The portal's staff pages over HTTP: the client record links to the client's portal access page
for exactly the staff that page opens for, and the consent record links each acknowledgement to
its printable copy, which staff download as a PDF (on the ledger) only with consent:view."""

from __future__ import annotations

import re

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from confide.accounts.models import User
from confide.consent import services as consent
from confide.consent.models import Acknowledgement
from confide.ledger.enums import EventType
from confide.ledger.models import Event
from confide.portal.tests.support import Clock, clock, drawn_signature, enrol, publish_notice
from confide.records.models import Client
from confide.testing import World, actor, signed_in

__all__ = ["clock"]  # a fixture, used by name

pytestmark = pytest.mark.django_db
FORGED = "00000000-0000-4000-8000-000000000000"
PORTAL_LINK = "Client portal access"


def _browser(user: User) -> HttpClient:
    return signed_in(HttpClient(), user)


def _record(user: User, client: Client) -> str:
    page = _browser(user).get(reverse("web:client_detail", kwargs={"client_id": client.id}))
    return page.content.decode() if page.status_code == 200 else ""


def test_the_record_links_to_portal_access_exactly_where_that_page_opens(world: World) -> None:
    access = reverse("portal_staff:access", kwargs={"client_id": world.client_a.id})
    link = re.compile(rf'<a href="{re.escape(access)}">{PORTAL_LINK}[^<]*</a>')
    staff = (
        world.worker_a,
        world.worker_a2,
        world.supervisor_a,
        world.other_worker_a,
        world.privacy_a,
        world.admin_a,
        world.intake_a,
        world.worker_b,
    )
    linked = set()
    for user in staff:
        shown = bool(link.search(_record(user, world.client_a)))
        opens = _browser(user).get(access).status_code == 200
        assert shown == opens, user.email
        if shown:
            linked.add(user.email)
    assert linked == {world.worker_a.email, world.worker_a2.email, world.supervisor_a.email}
    # Intake opens the record (demographics and the notice) but gets no link.
    assert "Confidentiality notice" in _record(world.intake_a, world.client_a)


def test_staff_download_the_printable_acknowledgement_from_the_consent_record(
    world: World, clock: Clock
) -> None:
    notices = publish_notice(world.privacy_a)
    witnessed = consent.acknowledgement_record(
        actor=actor(world.intake_a),
        client_id=world.client_a.id,
        notice_id=notices["en"].id,
        typed_name="Rosalind Quenby",
    )
    member = enrol(world.worker_a, world.client_a, clock)
    data_url, _ = drawn_signature(131, 47)
    in_portal = consent.acknowledgement_record_by_client(
        client_id=world.client_a.id,
        agency_id=world.agency_a.id,
        account_id=member.account.id,
        notice_id=notices["es"].id,
        typed_name="Rosalind Quenby",
        signature=data_url,
    )
    browser = _browser(world.worker_a)
    page = browser.get(reverse("web:consent_record", kwargs={"client_id": world.client_a.id}))
    html = page.content.decode()
    before = Event.objects.count()
    for ack in (witnessed, in_portal):
        url = reverse("portal_staff:acknowledgement_pdf", kwargs={"acknowledgement_id": ack.id})
        assert f'<a href="{url}" download>Printable copy (PDF)' in html
        pdf = browser.get(url)
        assert pdf.status_code == 200
        assert pdf["Content-Type"] == "application/pdf"
        assert pdf["Content-Disposition"].startswith("attachment;")
        assert pdf.content.startswith(b"%PDF")
        assert str(ack.id) not in pdf["Content-Disposition"]
    assert b"/Width 131" in pdf.content  # the client's drawn signature is in the portal copy
    events = list(Event.objects.order_by("seq")[before:])
    assert [(e.event_type, e.actor_id, e.subject_id) for e in events] == [
        (EventType.ACKNOWLEDGEMENT_EXPORTED.value, world.worker_a.id, str(witnessed.id)),
        (EventType.ACKNOWLEDGEMENT_EXPORTED.value, world.worker_a.id, str(in_portal.id)),
    ]
    assert "Rosalind" not in str([e.details for e in events])


def test_the_printable_acknowledgement_is_not_found_for_anyone_else(world: World) -> None:
    notices = publish_notice(world.privacy_a)
    ack = consent.acknowledgement_record(
        actor=actor(world.worker_a),
        client_id=world.client_a.id,
        notice_id=notices["en"].id,
        typed_name="Rosalind Quenby",
    )
    url = reverse("portal_staff:acknowledgement_pdf", kwargs={"acknowledgement_id": ack.id})
    # Another team, another agency, intake (who witnesses but does not read them), a privacy
    # officer and an administrator: the same "not found" as a forged id.
    for user in (
        world.other_worker_a,
        world.worker_b,
        world.intake_a,
        world.privacy_a,
        world.admin_a,
    ):
        assert _browser(user).get(url).status_code == 404, user.email
    browser = _browser(world.worker_a)
    forged = reverse("portal_staff:acknowledgement_pdf", kwargs={"acknowledgement_id": FORGED})
    assert browser.get(forged).status_code == 404
    assert browser.get("/acknowledgements/not-an-id/pdf/").status_code == 404
    assert browser.post(url).status_code == 405
    assert HttpClient().get(url)["Location"] == f"{reverse('web:sign_in')}?next={url}"
    assert not Event.objects.filter(event_type=EventType.ACKNOWLEDGEMENT_EXPORTED.value).exists()
    assert Acknowledgement.objects.filter(id=ack.id).exists()
