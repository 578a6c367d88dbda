"""Delivery: the one-time link (hashed token and code, attempts counted and capped, expiry, one
use, a clear page for each refusal, nothing about the client in its URL), the pages and the
API."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from confide.core import clock
from confide.disclosures import links, packets, release, services
from confide.disclosures.errors import LinkUnavailable, WrongCode
from confide.disclosures.models import AccountingEntry, Delivery, DisclosureRequest, ReleasePacket
from confide.disclosures.tests.workflow_support import (
    OTHER_PERSON,
    THREAT,
    THREAT_ANSWERS,
    request_input,
    set_profile,
    signed_note,
)
from confide.ledger.enums import EventType
from confide.ledger.tests.support import events_since, ledger_mark
from confide.testing import World, actor, signed_in

pytestmark = pytest.mark.django_db
IN_RANGE = dt.date(2025, 3, 4)


@pytest.fixture(autouse=True)
def _files(settings: Any, tmp_path: Path) -> None:
    settings.CONFIDE_FILES_DIR = tmp_path


@pytest.fixture
def ready(world: World) -> World:
    set_profile(world)
    signed_note(world.worker_a, world.client_a, "Plan reviewed at home.", on=IN_RANGE)
    return world


def _link(w: World) -> release.Released:
    request = services.request_create(
        actor=actor(w.worker_a), client_id=w.client_a.id, data=request_input()
    )
    packets.packet_build(actor=actor(w.worker_a), request_id=request.id)
    return release.release(
        actor=actor(w.worker_a), request_id=request.id, method="link", notice=release.Notice()
    )


def test_a_link_is_stored_only_as_hashes_and_opens_once_with_its_code(ready: World) -> None:
    done = _link(ready)
    assert done.link_token is not None
    assert done.link_code is not None
    row = Delivery.objects.get()
    stored = json.dumps(list(Delivery.objects.values().get().values()), default=str)
    assert done.link_token not in stored
    assert done.link_code not in stored
    mark = ledger_mark()
    name, pdf = links.link_redeem(done.link_token, done.link_code)
    assert pdf.startswith(b"%PDF-")
    assert hashlib.sha256(pdf).hexdigest() == row.digest
    assert name == f"release-{row.request_id}.pdf"
    [opened] = events_since(mark)
    assert opened.event_type == EventType.RELEASE_LINK_OPENED
    assert opened.actor_id is None
    assert opened.channel == "link"
    with pytest.raises(LinkUnavailable) as used:
        links.link_redeem(done.link_token, done.link_code)
    assert used.value.reason == "used"


def test_wrong_codes_are_counted_even_though_they_fail_and_then_close_the_link(
    ready: World, settings: Any
) -> None:
    settings.CONFIDE_RELEASE_LINK_ATTEMPTS = 3
    done = _link(ready)
    assert done.link_token is not None
    for left in (2, 1):
        with pytest.raises(WrongCode, match=f"{left} attempt"):
            links.link_redeem(done.link_token, "00000000")
    with pytest.raises(LinkUnavailable) as locked:
        links.link_redeem(done.link_token, "11111111")
    assert locked.value.reason == "locked"
    assert Delivery.objects.get().failed_attempts == 3
    with pytest.raises(LinkUnavailable) as still:
        links.link_redeem(done.link_token, done.link_code)  # the right code is too late
    assert still.value.reason == "locked"


def test_an_expired_or_unknown_link_gives_nothing(ready: World) -> None:
    done = _link(ready)
    assert done.link_token is not None
    Delivery.objects.update(expires_at=clock.now() - dt.timedelta(seconds=1))
    with pytest.raises(LinkUnavailable) as expired:
        links.link_redeem(done.link_token, done.link_code)
    assert expired.value.reason == "expired"
    for token in ("x" * 43, "", None, 5, "a" * 5000):
        with pytest.raises(LinkUnavailable) as unknown:
            links.link_redeem(token, done.link_code)
        assert unknown.value.reason == "unknown"


def test_the_link_email_holds_the_link_but_never_the_code(
    ready: World, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    request = services.request_create(
        actor=actor(ready.worker_a), client_id=ready.client_a.id, data=request_input()
    )
    packets.packet_build(actor=actor(ready.worker_a), request_id=request.id)
    with django_capture_on_commit_callbacks(execute=True):
        done = release.release(
            actor=actor(ready.worker_a),
            request_id=request.id,
            method="link",
            notice=release.Notice(exception="client_is_recipient", reason="Asked for it herself."),
            recipient_email="records@riverside.example",
        )
    [email] = mailoutbox
    assert email.to == ["records@riverside.example"]
    assert done.link_token is not None
    assert done.link_code is not None
    assert done.link_token in email.body
    assert done.link_code not in email.body
    assert "Quenby" not in email.body


# ---- the public page --------------------------------------------------------------------------


def test_the_public_page_asks_for_the_code_and_explains_each_refusal(ready: World) -> None:
    done = _link(ready)
    assert done.link_token is not None
    url = reverse("web:release_link", kwargs={"token": done.link_token})
    assert "Quenby" not in url
    assert str(ready.client_a.id) not in url
    browser = HttpClient()
    page = browser.get(url)
    assert page.status_code == 200
    assert b"Quenby" not in page.content
    wrong = browser.post(url, {"code": "12345678"})
    assert wrong.status_code == 403
    assert b"attempt(s) left" in wrong.content
    bad_shape = browser.post(url, {"code": "abc"})
    assert bad_shape.status_code == 400
    right = browser.post(url, {"code": done.link_code})
    assert right.status_code == 200
    assert right["Content-Type"] == "application/pdf"
    again = browser.get(url)
    assert again.status_code == 410
    assert b"already been used" in again.content
    unknown = browser.get(reverse("web:release_link", kwargs={"token": "y" * 43}))
    assert unknown.status_code == 404
    assert b"not valid" in unknown.content


def test_the_public_page_says_clearly_when_a_link_expired(ready: World) -> None:
    done = _link(ready)
    assert done.link_token is not None
    Delivery.objects.update(expires_at=clock.now() - dt.timedelta(minutes=1))
    page = HttpClient().get(reverse("web:release_link", kwargs={"token": done.link_token}))
    assert page.status_code == 410
    assert b"expired" in page.content


# ---- staff pages ------------------------------------------------------------------------------


def _form(**changes: Any) -> dict[str, Any]:
    data = {
        "recipient": "Dr. Imogen Vale",
        "recipient_address": "12 Harbour Road",
        "recipient_type": "health_care_provider",
        "purpose": "treatment",
        "description": "Continuity of care",
        "categories": ["general"],
        "date_from": "2025-01-01",
        "date_to": "2025-12-31",
        "legal_instrument": "none",
        "extra_names": "",
        "release_id": "",
    }
    data.update(changes)
    return data


def test_a_worker_requests_builds_reviews_and_prints_through_the_pages(ready: World) -> None:
    signed_note(ready.worker_a, ready.client_a, OTHER_PERSON, on=IN_RANGE)
    browser = signed_in(HttpClient(), ready.worker_a)
    client_page = browser.get(reverse("web:client_detail", args=[ready.client_a.id]))
    new_url = reverse("web:disclosure_new", args=[ready.client_a.id])
    assert new_url.encode() in client_page.content
    assert browser.get(new_url).status_code == 200
    created = browser.post(new_url, _form())
    assert created.status_code == 302
    request = DisclosureRequest.objects.get()
    detail = browser.get(created["Location"])
    assert b"Permitted" in detail.content
    assert b"45 CFR 164.506" in detail.content
    built = browser.post(reverse("web:disclosure_packet_build", args=[request.id]))
    packet_url = built["Location"]
    page = browser.get(packet_url)
    assert b"<mark>Tomas Reyes</mark>" in page.content
    choices = {f"r_{r.id}": "accepted" for r in request.packet.redactions.all()}
    assert browser.post(packet_url, choices).status_code == 302
    form = {
        "method": "print",
        "notice_exception": "",
        "notice_reason": "",
        "recipient_email": "",
        "releases_seen": "0",
    }
    ready_page = browser.get(reverse("web:disclosure_detail", args=[request.id]))
    assert b'name="releases_seen" value="0"' in ready_page.content
    printed = browser.post(reverse("web:disclosure_release", args=[request.id]), form)
    assert printed.status_code == 200
    assert printed["Content-Type"] == "application/pdf"
    assert printed["Cache-Control"].startswith("no-store")
    assert AccountingEntry.objects.count() == 1
    # The page still shows its form after the download: a second click releases nothing more.
    again = browser.post(reverse("web:disclosure_release", args=[request.id]), form)
    assert again.status_code == 400
    assert b"Nothing more was released" in again.content
    assert AccountingEntry.objects.count() == Delivery.objects.count() == 1
    page = browser.get(reverse("web:disclosure_detail", args=[request.id]))
    assert b'name="releases_seen" value="1"' in page.content


def test_the_kind_of_recipient_and_the_purpose_are_never_chosen_for_the_worker(
    ready: World,
) -> None:
    browser = signed_in(HttpClient(), ready.worker_a)
    url = reverse("web:disclosure_new", args=[ready.client_a.id])
    empty = browser.get(url).content.decode()
    for name in ("recipient_type", "purpose"):
        select = re.search(rf'<select name="{name}".*?</select>', empty, re.S)
        assert select is not None
        first = re.search(r"<option value=\"([^\"]*)\"( selected)?", select.group(0))
        assert first is not None
        assert first.groups() == ("", " selected")  # an empty "Choose ..." entry, chosen
    page = browser.post(url, _form(recipient_type="", purpose=""))
    assert page.status_code == 400
    assert DisclosureRequest.objects.count() == 0


def test_bad_form_input_is_shown_and_creates_nothing(ready: World) -> None:
    browser = signed_in(HttpClient(), ready.worker_a)
    url = reverse("web:disclosure_new", args=[ready.client_a.id])
    page = browser.post(url, _form(categories=[], date_to="2025-01-01", date_from="2025-06-01"))
    assert page.status_code == 400
    assert b"date_to" in page.content or b"on or after" in page.content
    assert DisclosureRequest.objects.count() == 0


def test_pages_of_another_agency_or_team_are_not_found(ready: World) -> None:
    request = services.request_create(
        actor=actor(ready.worker_a), client_id=ready.client_a.id, data=request_input()
    )
    for person in (ready.worker_b, ready.other_worker_a, ready.intake_a):
        browser = signed_in(HttpClient(), person)
        assert browser.get(reverse("web:disclosure_detail", args=[request.id])).status_code == 404
        new = reverse("web:disclosure_new", args=[ready.client_a.id])
        assert browser.post(new, _form()).status_code == 404
    assert DisclosureRequest.objects.count() == 1


def test_a_refused_release_through_the_page_releases_nothing(ready: World) -> None:
    browser = signed_in(HttpClient(), ready.worker_a)
    browser.post(
        reverse("web:disclosure_new", args=[ready.client_a.id]),
        _form(recipient_type="employer", purpose="return_to_work_verification"),
    )
    request = DisclosureRequest.objects.get()
    page = browser.post(
        reverse("web:disclosure_release", args=[request.id]),
        {"method": "print", "notice_exception": "", "notice_reason": "", "releases_seen": "0"},
    )
    assert page.status_code == 400
    assert b"Nothing was released" in page.content
    assert Delivery.objects.count() == 0


# ---- the API -----------------------------------------------------------------------------------


def _api(user: Any) -> tuple[HttpClient, dict[str, str]]:
    from confide.api.tests.conftest import token_for

    return HttpClient(), {"Authorization": f"Bearer {token_for(user)}"}


def _post(user: Any, path: str, body: object) -> Any:
    http, headers = _api(user)
    return http.post(path, json.dumps(body), content_type="application/json", headers=headers)


def test_the_api_requests_builds_decides_and_releases(ready: World) -> None:
    body = {**_form(), "facts": {}}
    del body["release_id"]
    created = _post(ready.worker_a, f"/api/disclosures/clients/{ready.client_a.id}/requests", body)
    assert created.status_code == 201, created.content
    request_id = created.json()["id"]
    assert created.json()["status"] == "ready"
    http, headers = _api(ready.worker_a)
    detail = http.get(f"/api/disclosures/requests/{request_id}", headers=headers).json()
    assert detail["categories"][0]["outcome"] == "permitted"
    packet = _post(ready.worker_a, f"/api/disclosures/requests/{request_id}/packet", {})
    assert packet.status_code == 201
    release_path = f"/api/disclosures/requests/{request_id}/release"
    released = _post(ready.worker_a, release_path, {"method": "print", "releases_seen": 0})
    assert released.status_code == 201, released.content
    pdf = base64.b64decode(released.json()["pdf_base64"])
    assert hashlib.sha256(pdf).hexdigest() == released.json()["sha256"]
    again = _post(ready.worker_a, release_path, {"method": "print", "releases_seen": 0})
    assert again.status_code == 409
    assert again.json()["error"] == "released_meanwhile"
    assert Delivery.objects.count() == 1
    negative = _post(ready.worker_a, release_path, {"method": "print", "releases_seen": -1})
    assert negative.status_code == 422


def test_the_api_refuses_bad_input_forged_and_foreign_ids(ready: World) -> None:
    path = f"/api/disclosures/clients/{ready.client_a.id}/requests"
    body = {**_form(), "facts": {}}
    del body["release_id"]
    unknown_field = _post(ready.worker_a, path, {**body, "sneaky": 1})
    assert unknown_field.status_code == 422
    oversized = _post(ready.worker_a, path, {**body, "recipient": "x" * 5000})
    assert oversized.status_code == 422
    wrong_enum = _post(ready.worker_a, path, {**body, "purpose": "curiosity"})
    assert wrong_enum.status_code == 422
    assert "purpose" in wrong_enum.json()["fields"]
    assert _post(ready.worker_b, path, body).status_code == 404
    forged = "/api/disclosures/clients/00000000-0000-4000-8000-000000000000/requests"
    assert _post(ready.worker_a, forged, body).status_code == 404
    assert (
        _post(ready.worker_a, "/api/disclosures/clients/nonsense/requests", body).status_code == 404
    )
    http, headers = _api(ready.worker_a)
    assert http.get("/api/disclosures/queue", headers=headers).status_code == 403
    assert DisclosureRequest.objects.count() == 0


def test_a_reviewer_signs_off_through_the_queue_and_the_page(ready: World) -> None:
    worker = signed_in(HttpClient(), ready.worker_a)
    worker.post(
        reverse("web:disclosure_new", args=[ready.client_a.id]),
        _form(
            recipient_type="potential_victim",
            purpose="prevent_serious_threat",
            categories=["mental_health_general"],
        ),
    )
    request = DisclosureRequest.objects.get()
    assert request.status == "in_review"
    page = worker.get(reverse("web:disclosure_detail", args=[request.id]))
    assert b"Needs review" in page.content
    assert b"Record the review" not in page.content  # not for the requester
    officer = signed_in(HttpClient(), ready.privacy_a)
    queue = officer.get(reverse("web:disclosure_queue"))
    assert b"A-1001" in queue.content
    assert b"Quenby" not in queue.content
    assert b"Threat: imminent" in queue.content  # the facts it needs, in words
    assert b"threat.imminent" not in queue.content
    review_url = reverse("web:disclosure_review", args=[request.id])
    officer_page = officer.get(reverse("web:disclosure_detail", args=[request.id])).content
    assert b"Record the review" in officer_page
    # The record does not open to the officer: the page leads back to the queue, not to a 404.
    client_url = reverse("web:client_detail", args=[ready.client_a.id]).encode()
    assert client_url not in officer_page
    assert reverse("web:disclosure_queue").encode() in officer_page
    assert client_url in page.content  # the requester's page leads to the record
    missing = officer.post(review_url, {"decision": "approve", "reason": "Credible."})
    assert missing.status_code == 400
    assert b"answer these facts first" not in missing.content  # no codes for people
    problems = missing.context["review_form"].errors
    for field in ("threat_serious", "threat_imminent"):
        assert problems[field] == ["Answer this before approving, or decline."], field
    answers = {
        "threat_present": "yes",
        "threat_serious": "yes",
        "threat_imminent": "yes",
        "threat_victim_identifiable": "yes",
        "threat_target": "third_party",
        "professional_role": "LCSW",
    }
    done = officer.post(review_url, {"decision": "approve", "reason": "Credible.", **answers})
    assert done.status_code == 302
    request.refresh_from_db()
    assert request.status == "ready"
    practitioner = signed_in(HttpClient(), ready.worker_a2)
    assert practitioner.post(review_url, {"decision": "decline", "reason": "x"}).status_code == 403


def test_a_verbal_disclosure_is_recorded_through_the_page(ready: World) -> None:
    worker = signed_in(HttpClient(), ready.worker_a)
    worker.post(reverse("web:disclosure_new", args=[ready.client_a.id]), _form())
    request = DisclosureRequest.objects.get()
    url = reverse("web:disclosure_verbal", args=[request.id])
    bad = worker.post(url, {"disclosed_at": "not a time", "summary": ""})
    assert bad.status_code == 400
    when = timezone.localtime(clock.now() - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    said = {
        "disclosed_at": when,
        "summary": "Confirmed attendance by phone.",
        "notice_exception": "",
        "notice_reason": "",
        "releases_seen": "0",
    }
    ok = worker.post(url, said)
    assert ok.status_code == 302
    page = worker.get(reverse("web:disclosure_detail", args=[request.id]))
    assert b"Told verbally" in page.content
    assert AccountingEntry.objects.count() == 1
    twice = worker.post(url, said)  # the form sent again: recorded once
    assert twice.status_code == 400
    assert b"Nothing more was released" in twice.content
    assert AccountingEntry.objects.count() == 1
    missing = worker.post(url, {k: v for k, v in said.items() if k != "releases_seen"})
    assert missing.status_code == 400
    assert AccountingEntry.objects.count() == 1


def test_the_api_reviews_decides_redactions_and_sends_a_link(ready: World) -> None:
    signed_note(ready.worker_a, ready.client_a, OTHER_PERSON, on=IN_RANGE)
    body = {
        **_form(
            recipient_type="potential_victim",
            purpose="prevent_serious_threat",
            categories=["mental_health_general"],
        ),
        "facts": {},
    }
    del body["release_id"]
    path = f"/api/disclosures/clients/{ready.client_a.id}/requests"
    created = _post(ready.worker_a, path, body).json()
    assert created["status"] == "in_review"
    http, headers = _api(ready.privacy_a)
    queue = http.get("/api/disclosures/queue", headers=headers).json()
    assert [row["id"] for row in queue] == [created["id"]]
    review = f"/api/disclosures/requests/{created['id']}/review"
    missing = _post(ready.privacy_a, review, {"approve": True, "reason": "Credible."})
    assert missing.status_code == 422
    assert "answers" in missing.json()["fields"]
    answers = THREAT_ANSWERS
    approved = _post(
        ready.privacy_a, review, {"approve": True, "reason": "Credible.", "answers": answers}
    )
    assert approved.json()["status"] == "ready"
    packet = _post(ready.worker_a, f"/api/disclosures/requests/{created['id']}/packet", {})
    redactions = packet.json()["redactions"]
    assert {r["text"] for r in redactions} == {"Tomas Reyes", "415-555-0199"}
    decide = f"/api/disclosures/packets/{packet.json()['id']}/redactions"
    bad = _post(ready.worker_a, decide, {"choices": {redactions[0]["id"]: "perhaps"}})
    assert bad.status_code == 422
    early = _post(
        ready.worker_a, f"/api/disclosures/requests/{created['id']}/release", {"method": "link"}
    )
    assert early.status_code == 409
    decided = _post(ready.worker_a, decide, {"choices": {r["id"]: "accepted" for r in redactions}})
    assert decided.json()["status"] == "approved"
    sent = _post(
        ready.worker_a,
        f"/api/disclosures/requests/{created['id']}/release",
        {"method": "link", "notice_exception": "safety", "notice_reason": "Client at risk."},
    )
    assert sent.status_code == 201, sent.content
    out = sent.json()
    assert out["pdf_base64"] is None
    assert out["link_url"].endswith("/")
    assert len(out["link_code"]) == 8
    token = out["link_url"].rstrip("/").rsplit("/", 1)[1]
    _, pdf = links.link_redeem(token, out["link_code"])
    assert hashlib.sha256(pdf).hexdigest() == out["sha256"]


def test_an_oversized_instrument_upload_is_refused_by_the_page(
    ready: World, settings: Any, tmp_path: Path
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.CONFIDE_ATTACHMENT_MAX_BYTES = 1024
    browser = signed_in(HttpClient(), ready.worker_a)
    big = SimpleUploadedFile("order.pdf", b"%PDF-" + b"0" * 4096, "application/pdf")
    page = browser.post(
        reverse("web:disclosure_new", args=[ready.client_a.id]),
        {**_form(legal_instrument="court_order"), "instrument": big},
    )
    assert page.status_code == 400
    assert b"larger than" in page.content
    assert DisclosureRequest.objects.count() == 0
    assert list(tmp_path.rglob("*.bin")) == []


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"threat_present": "yes", "threat_serious": "no", "threat_target": "third_party"},
        {"emergency": "yes", "client_deceased": "no", "professional_role": "LCSW"},
        {"requester_is_suspected_abuser": "yes", "abuse_type": "child"},
    ],
)
def test_facts_already_answered_come_back_as_the_review_forms_values(data: dict[str, str]) -> None:
    from confide.disclosures.forms import ReviewForm

    posted = ReviewForm({"decision": "approve", "reason": "r", **data})
    assert posted.is_valid(), posted.errors
    assert ReviewForm.initial_from(posted.facts()) == data


def test_the_review_form_shows_what_the_requester_answered(ready: World) -> None:
    services.request_create(
        actor=actor(ready.worker_a),
        client_id=ready.client_a.id,
        data=request_input(**THREAT, facts={"threat": {"present": True}}),
    )
    request = DisclosureRequest.objects.get()
    page = signed_in(HttpClient(), ready.privacy_a).get(
        reverse("web:disclosure_detail", args=[request.id])
    )
    select = re.search(r'<select name="threat_present".*?</select>', page.content.decode(), re.S)
    assert select is not None
    assert '<option value="yes" selected>' in select.group(0)
    words = " ".join(re.sub(r"<[^>]+>", " ", page.content.decode()).split())
    assert "Kind of recipient Potential victim" in words  # codes in words, not potential_victim
    assert "Prevent serious threat" in words
    assert "Threat: present Yes answered by staff" in words
    assert "{'present': True}" not in page.content.decode()


def test_a_reviewer_can_clear_a_fact_the_requester_answered(ready: World) -> None:
    services.request_create(
        actor=actor(ready.worker_a),
        client_id=ready.client_a.id,
        data=request_input(**THREAT, facts={"threat": {"present": True, "serious": True}}),
    )
    request = DisclosureRequest.objects.get()
    officer = signed_in(HttpClient(), ready.privacy_a)
    page = officer.get(reverse("web:disclosure_detail", args=[request.id])).content.decode()
    started = re.search(r'name="answered" value="([^"]*)"', page)
    assert started is not None
    assert started.group(1) == "threat_present,threat_serious"
    declined = officer.post(
        reverse("web:disclosure_review", args=[request.id]),
        {
            "answered": started.group(1),
            "threat_present": "yes",
            "threat_serious": "",  # set back to Unknown: cleared, not kept
            "decision": "decline",
            "reason": "Not serious after all.",
        },
    )
    assert declined.status_code == 302
    from confide.crypto.envelope import client_key

    latest = DisclosureRequest.objects.get()
    stored = services.stored_facts(client_key(ready.client_a.id), latest)
    assert stored["answered"]["threat"] == {"present": True}


def test_the_packet_page_leaves_out_a_ticked_note(ready: World) -> None:
    named = signed_note(ready.worker_a, ready.client_a, OTHER_PERSON, on=IN_RANGE)
    plain = signed_note(ready.worker_a, ready.client_a, "Benefits paperwork.", on=IN_RANGE)
    request = services.request_create(
        actor=actor(ready.worker_a), client_id=ready.client_a.id, data=request_input()
    )
    browser = signed_in(HttpClient(), ready.worker_a)
    packet_url = browser.post(reverse("web:disclosure_packet_build", args=[request.id]))["Location"]
    page = browser.get(packet_url).content.decode()
    assert f'name="leave_out" value="{named.id}"' in page
    saved = browser.post(packet_url, {"leave_out": [str(named.id)]})
    assert saved.status_code == 302
    kept = ReleasePacket.objects.get().note_ids
    assert str(named.id) not in kept
    assert str(plain.id) in kept
    assert "left out by the releaser" in browser.get(packet_url).content.decode()
    forged = browser.post(packet_url, {"leave_out": ["x" * 40]})
    assert forged.status_code == 400
    assert ReleasePacket.objects.get().note_ids == kept
