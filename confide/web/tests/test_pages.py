"""Pages: sign-in with MFA, caseload, search, record, note editor, attachments, tokens."""

from __future__ import annotations

import base64
import re
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as HttpClient
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from confide.accounts.models import User
from confide.ledger.models import Event
from confide.records import services
from confide.records.models import Attachment, Note
from confide.records.tests.support import files_on_disk
from confide.testing import PASSWORD, World, actor, signed_in


def _code(user: User) -> str:
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():06d}"


def test_sign_in_needs_password_then_code(world: World, client: HttpClient) -> None:
    response = client.post(
        reverse("web:sign_in"), {"email": "worker_a@a.test", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("web:sign_in_code")
    assert client.get(reverse("web:dashboard")).status_code == 302  # not yet signed in
    response = client.post(reverse("web:sign_in_code"), {"code": _code(world.worker_a)})
    assert response["Location"] == reverse("web:dashboard")
    page = client.get(reverse("web:dashboard"))
    assert page.status_code == 200
    assert b"Rosalind" in page.content
    assert Event.objects.filter(event_type="accounts:session:signed_in").count() == 1


def test_a_staff_member_without_an_authenticator_enrols_with_the_qr_code(
    world: World, client: HttpClient
) -> None:
    TOTPDevice.objects.filter(user=world.worker_a).delete()
    response = client.post(
        reverse("web:sign_in"), {"email": "worker_a@a.test", "password": PASSWORD}
    )
    assert response["Location"] == reverse("web:enrol")
    page = client.get(reverse("web:enrol"))
    assert page.status_code == 200
    svg = re.search(rb"<svg[^>]*>.*?</svg>", page.content, re.S)
    assert svg is not None
    assert b"<path" in svg.group(0)
    assert b"QR code for your authenticator app" in svg.group(0)
    device = TOTPDevice.objects.get(user=world.worker_a, confirmed=False)
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    assert secret.encode() in page.content  # typed by hand when the camera cannot read the code
    wrong = client.post(reverse("web:enrol"), {"code": "000000"})
    assert wrong.status_code == 400
    assert not TOTPDevice.objects.filter(user=world.worker_a, confirmed=True).exists()
    # The failure throttles the device for a second (django-otp's own rule); lift it here.
    TOTPDevice.objects.filter(id=device.id).update(throttling_failure_timestamp=None)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    done = client.post(reverse("web:enrol"), {"code": f"{totp.token():06d}"})
    assert done["Location"] == reverse("web:dashboard")
    assert TOTPDevice.objects.filter(user=world.worker_a, confirmed=True).count() == 1


def test_a_wrong_password_says_nothing_about_which_part_failed(
    world: World, client: HttpClient
) -> None:
    wrong = client.post(reverse("web:sign_in"), {"email": "worker_a@a.test", "password": "nope"})
    unknown = client.post(reverse("web:sign_in"), {"email": "nobody@a.test", "password": "nope"})
    assert wrong.status_code == unknown.status_code == 400
    assert b"not right" in wrong.content
    assert b"not right" in unknown.content


def test_the_client_record_page_shows_notes_and_is_not_cached(
    world: World, client: HttpClient
) -> None:
    world.note(world.worker_a, world.client_a, body="Safety plan reviewed.")
    signed_in(client, world.worker_a)
    page = client.get(reverse("web:client_detail", args=[world.client_a.id]))
    assert page.status_code == 200
    assert b"Safety plan reviewed." in page.content
    assert page["Cache-Control"].startswith("no-store")
    assert "default-src 'self'" in page["Content-Security-Policy"]


@pytest.mark.parametrize("persona", ["worker_b", "other_worker_a", "admin_a"])
def test_a_record_outside_the_caseload_is_simply_not_found(
    world: World, client: HttpClient, persona: str
) -> None:
    signed_in(client, getattr(world, persona))
    page = client.get(reverse("web:client_detail", args=[world.client_a.id]))
    missing = client.get("/clients/00000000-0000-4000-8000-000000000000/")
    assert page.status_code == missing.status_code == 404
    assert _without_csrf(page.content) == _without_csrf(missing.content)


def _without_csrf(html: bytes) -> bytes:
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", html)


def test_autosave_conflict_keeps_both_texts(world: World) -> None:
    """The author's draft open in two browsers: the older one's save is shown back, not lost."""
    note = world.note(world.worker_a, world.client_a, body="first")
    first, second = (
        signed_in(HttpClient(), world.worker_a),
        signed_in(HttpClient(), world.worker_a),
    )
    url = reverse("web:note_save", args=[note.id])
    ok = first.post(url, {"body": "mine", "version": 1}, HTTP_HX_REQUEST="true")
    assert b"Draft saved" in ok.content
    clash = second.post(url, {"body": "theirs", "version": 1})
    assert clash.status_code == 409
    assert b"theirs" in clash.content  # shown back to the second writer, not lost
    note.refresh_from_db()
    assert note.version == 2


def test_post_without_csrf_token_is_refused(world: World) -> None:
    note = world.note(world.worker_a, world.client_a)
    browser = signed_in(HttpClient(enforce_csrf_checks=True), world.worker_a)
    response = browser.post(reverse("web:note_sign", args=[note.id]), {"version": 1})
    assert response.status_code == 403
    note.refresh_from_db()
    assert note.status == "draft"


def test_an_idle_session_expires(
    world: World, client: HttpClient, settings: pytest.FixtureRequest
) -> None:
    signed_in(client, world.worker_a)
    session = client.session
    session["confide_last_seen"] = time.time() - 16 * 60
    session.save()
    response = client.get(reverse("web:dashboard"))
    assert response.status_code == 302
    assert Event.objects.filter(event_type="accounts:session:expired").exists()


def test_signing_a_note_through_the_page(world: World, client: HttpClient) -> None:
    note = world.note(world.worker_a, world.client_a, body="Ready.")
    signed_in(client, world.worker_a)
    client.post(reverse("web:note_sign", args=[note.id]), {"version": 1})
    assert Note.objects.get(id=note.id).status == "signed"


def _upload_form_shown(client: HttpClient, note: Note) -> bool:
    page = client.get(reverse("web:note_detail", args=[note.id]))
    assert page.status_code == 200
    action = reverse("web:attachment_upload", args=[note.id]).encode()
    shown = b'action="' + action + b'"' in page.content
    assert shown == (b'type="file"' in page.content)
    return shown


def test_the_upload_form_is_shown_on_drafts_only(world: World, client: HttpClient) -> None:
    note = world.note(world.worker_a, world.client_a, body="Draft.")
    signed_in(client, world.worker_a)
    assert _upload_form_shown(client, note)
    services.note_sign(actor=actor(world.worker_a), note_id=note.id, expected_version=1)
    assert not _upload_form_shown(client, note)
    page = client.get(reverse("web:note_detail", args=[note.id]))
    assert b"attach files to an addendum" in page.content
    addendum = services.note_add_addendum(
        actor=actor(world.worker_a), note_id=note.id, body="Correction."
    )
    assert _upload_form_shown(client, Note.objects.get(id=addendum.id))


def test_uploading_to_a_signed_note_through_the_page_stores_nothing(
    world: World, client: HttpClient
) -> None:
    note = world.note(world.worker_a, world.client_a, body="Ready.")
    services.note_sign(actor=actor(world.worker_a), note_id=note.id, expected_version=1)
    signed_in(client, world.worker_a)
    files_before = files_on_disk()
    upload = SimpleUploadedFile("late.txt", b"Too late.", content_type="text/plain")
    response = client.post(
        reverse("web:attachment_upload", args=[note.id]), {"file": upload}, follow=True
    )
    assert response.redirect_chain == [(reverse("web:note_detail", args=[note.id]), 302)]
    assert b"signed and can no longer change" in response.content
    assert not Attachment.objects.exists()
    assert files_on_disk() == files_before
    assert not Event.objects.filter(event_type="records:attachment:created").exists()


def test_uploading_to_a_draft_through_the_page_attaches_the_file(
    world: World, client: HttpClient
) -> None:
    note = world.note(world.worker_a, world.client_a, body="Draft.")
    signed_in(client, world.worker_a)
    upload = SimpleUploadedFile("letter.txt", b"Dear colleague.", content_type="text/plain")
    response = client.post(
        reverse("web:attachment_upload", args=[note.id]), {"file": upload}, follow=True
    )
    assert b"File attached." in response.content
    assert b"letter.txt" in response.content
    assert list(Attachment.objects.values_list("note_id", flat=True)) == [note.id]
