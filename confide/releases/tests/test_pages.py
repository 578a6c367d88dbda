"""The release pages: list, per-kind form, sign, revoke, expiry event, PDF copy, FHIR download."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from fhir.resources.R4B.consent import Consent

from confide.accounts.models import User
from confide.ledger.models import Event
from confide.ledger.tests.reporting import pdf_text
from confide.releases import pdf as release_pdf
from confide.releases.lifecycle import today
from confide.releases.models import Release
from confide.releases.tests.support import complete, signed
from confide.testing import World, actor, signed_in


def browser(user: User) -> HttpClient:
    return signed_in(HttpClient(), user)


def _form(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "recipient_type": "health_care_provider",
        "recipient_name": "Lakeside Family Clinic",
        "recipient_contact": "12 Lake Road",
        "discloser": "North team",
        "purpose": "care_coordination",
        "categories": ["general"],
        "description": "Assessment from this year",
        "starts_on": today().isoformat(),
        "expires_on": (today() + dt.timedelta(days=90)).isoformat(),
        "statements": ["right_to_revoke", "conditioning", "redisclosure"],
    }
    data.update(changes)
    return data


def _new_url(world: World, kind: str = "hipaa_authorization") -> str:
    return reverse("web:roi_new", kwargs={"client_id": world.client_a.id}) + f"?kind={kind}"


def test_the_client_page_links_to_the_releases(world: World) -> None:
    page = browser(world.worker_a).get(
        reverse("web:client_detail", kwargs={"client_id": world.client_a.id})
    )
    assert reverse("web:roi_list", kwargs={"client_id": world.client_a.id}) in page.text


def test_the_list_shows_each_release_with_todays_status(world: World) -> None:
    signed(actor(world.worker_a), world.client_a.id)
    page = browser(world.worker_a).get(
        reverse("web:roi_list", kwargs={"client_id": world.client_a.id})
    )
    assert page.status_code == 200
    assert "Lakeside Family Clinic" in page.text
    assert "Active" in page.text


def test_without_a_kind_the_form_offers_the_kinds(world: World) -> None:
    url = reverse("web:roi_new", kwargs={"client_id": world.client_a.id})
    page = browser(world.worker_a).get(url + "?kind=blanket")
    assert page.status_code == 200
    assert "?kind=psychotherapy_notes_authorization" in page.text


def test_each_kind_has_its_own_form(world: World) -> None:
    http = browser(world.worker_a)
    part2 = http.get(_new_url(world, "part2_consent")).text
    hipaa = http.get(_new_url(world)).text
    assert 'name="part2_tpo"' in part2
    assert 'name="part2_tpo"' not in hipaa
    assert 'value="substance_use_part2"' in part2
    assert 'value="substance_use_part2"' not in hipaa
    assert 'value="psychotherapy_notes"' not in hipaa


def test_recording_a_release_then_signing_it(world: World) -> None:
    http = browser(world.worker_a)
    response = http.post(_new_url(world), _form())
    release = Release.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("web:roi_detail", kwargs={"release_id": release.id})
    sign = reverse("web:roi_sign", kwargs={"release_id": release.id})
    http.post(sign, {"signer_name": "Rosalind Quenby", "signed_on": today().isoformat()})
    page = http.get(reverse("web:roi_detail", kwargs={"release_id": release.id}))
    assert "Active" in page.text
    assert Release.objects.get().state == "signed"


def test_an_incomplete_release_names_every_missing_element_and_saves_nothing(
    world: World,
) -> None:
    events = Event.objects.count()
    response = browser(world.worker_a).post(
        _new_url(world), _form(recipient_name="", statements=[], description="")
    )
    assert response.status_code == 400
    for name in ("recipient_name", "description", "right_to_revoke", "redisclosure"):
        assert name in response.text
    assert not Release.objects.exists()
    assert Event.objects.count() == events


@pytest.mark.parametrize(
    ("changes", "shown"),
    [
        ({"expires_on": (today() - dt.timedelta(days=1)).isoformat()}, "before the start date"),
        ({"recipient_type": "astrologer"}, "Select a valid choice"),
        ({"categories": ["psychotherapy_notes"]}, "Select a valid choice"),
        ({"starts_on": "someday"}, "Enter a valid date"),
    ],
)
def test_bad_input_on_the_form_is_refused_and_saves_nothing(
    world: World, changes: dict[str, Any], shown: str
) -> None:
    response = browser(world.worker_a).post(_new_url(world), _form(**changes))
    assert response.status_code == 400
    assert shown in response.text
    assert not Release.objects.exists()


def test_a_signature_without_a_name_is_refused(world: World) -> None:
    http = browser(world.worker_a)
    http.post(_new_url(world), _form())
    release = Release.objects.get()
    sign = reverse("web:roi_sign", kwargs={"release_id": release.id})
    response = http.post(sign, {"signer_name": "", "signed_on": today().isoformat()})
    assert response.status_code == 400
    assert "signer_name" in response.text
    assert Release.objects.get().state == "draft"


def test_revoking_needs_the_confirmation(world: World) -> None:
    release = signed(actor(world.worker_a), world.client_a.id)
    http = browser(world.worker_a)
    url = reverse("web:roi_revoke", kwargs={"release_id": release.id})
    assert http.post(url, {}).status_code == 400
    assert Release.objects.get().state == "signed"
    assert http.post(url, {"confirm": "on"}).status_code == 302
    assert Release.objects.get().state == "revoked"


def test_recording_the_expiry_event_ends_the_release(world: World) -> None:
    data = complete(expires_on=None, expiry_event="End of treatment")
    release = signed(actor(world.worker_a), world.client_a.id, data)
    http = browser(world.worker_a)
    url = reverse("web:roi_expiry", kwargs={"release_id": release.id})
    assert http.post(url, {"occurred_on": "tomorrow"}).status_code == 400
    assert http.post(url, {"occurred_on": today().isoformat()}).status_code == 302
    page = http.get(reverse("web:roi_detail", kwargs={"release_id": release.id}))
    assert "Expired" in page.text


def test_the_pdf_copy_for_the_client(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(release_pdf, "font_dir", lambda: None)  # core font: text is readable
    release = signed(actor(world.worker_a), world.client_a.id)
    response = browser(world.worker_a).get(
        reverse("web:roi_pdf", kwargs={"release_id": release.id})
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="release-{release.id}.pdf"'
    text = pdf_text(response.content)
    assert b"Lakeside Family Clinic" in text
    assert b"revoke" in text
    assert Event.objects.filter(event_type="consent:release:exported").count() == 1


def test_the_fhir_download(world: World) -> None:
    release = signed(actor(world.worker_a), world.client_a.id)
    response = browser(world.worker_a).get(
        reverse("web:roi_fhir", kwargs={"release_id": release.id})
    )
    assert response["Content-Type"] == "application/fhir+json"
    assert Consent.model_validate(json.loads(response.content)).status == "active"


@pytest.mark.parametrize("who", ["intake_a", "worker_b", "other_worker_a", "admin_a"])
def test_people_outside_the_care_team_get_not_found(world: World, who: str) -> None:
    release = signed(actor(world.worker_a), world.client_a.id)
    http = browser(getattr(world, who))
    for url in (
        reverse("web:roi_list", kwargs={"client_id": world.client_a.id}),
        reverse("web:roi_detail", kwargs={"release_id": release.id}),
        reverse("web:roi_pdf", kwargs={"release_id": release.id}),
    ):
        assert http.get(url).status_code == 404
    revoke = reverse("web:roi_revoke", kwargs={"release_id": release.id})
    assert http.post(revoke, {"confirm": "on"}).status_code == 404
    assert Release.objects.get().state == "signed"
