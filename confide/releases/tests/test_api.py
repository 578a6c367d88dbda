"""The release endpoints: the same services as the pages, with JSON errors naming each field."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client as HttpClient
from fhir.resources.R4B.consent import Consent

from confide.accounts import services as accounts
from confide.accounts.models import User
from confide.ledger.models import Event
from confide.releases.lifecycle import today
from confide.releases.models import Release
from confide.releases.tests.support import signed
from confide.testing import World, actor

BASE = "/api/releases"


class Api:
    def __init__(self, user: User) -> None:
        _, secret = accounts.token_create(actor=actor(user), name="test", days=1)
        self.http = HttpClient()
        self.headers = {"Authorization": f"Bearer {secret}"}

    def get(self, path: str) -> Any:
        return self.http.get(BASE + path, headers=self.headers)

    def post(self, path: str, body: object) -> Any:
        raw = body if isinstance(body, str) else json.dumps(body)
        return self.http.post(
            BASE + path, raw, content_type="application/json", headers=self.headers
        )


def _body(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "kind": "hipaa_authorization",
        "recipient_type": "health_care_provider",
        "recipient_name": "Lakeside Family Clinic",
        "discloser": "North team",
        "purpose": "care_coordination",
        "categories": ["general"],
        "description": "Assessment from this year",
        "starts_on": today().isoformat(),
        "expires_on": (today() + dt.timedelta(days=90)).isoformat(),
        "statements": ["right_to_revoke", "conditioning", "redisclosure"],
    }
    body.update(changes)
    return {k: v for k, v in body.items() if v is not None}


def test_create_sign_read_and_revoke(world: World) -> None:
    api = Api(world.worker_a)
    created = api.post(f"/clients/{world.client_a.id}", _body())
    assert created.status_code == 201, created.content
    release_id = created.json()["id"]
    assert created.json()["status"] == "draft"
    signed_now = api.post(
        f"/{release_id}/sign", {"signer_name": "R. Quenby", "signed_on": today().isoformat()}
    )
    assert (signed_now.json()["status"], signed_now.json()["is_active"]) == ("active", True)
    listed = api.get(f"/clients/{world.client_a.id}").json()
    assert [r["id"] for r in listed] == [release_id]
    revoked = api.post(f"/{release_id}/revoke", {})
    assert revoked.json()["status"] == "revoked"
    again = api.post(f"/{release_id}/revoke", {})
    assert (again.status_code, again.json()["error"]) == (409, "release_wrong_state")


def test_missing_elements_are_named_in_one_422(world: World) -> None:
    api = Api(world.worker_a)
    response = api.post(
        f"/clients/{world.client_a.id}", _body(recipient_name="", statements=[], purpose=None)
    )
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "release_incomplete"
    assert set(body["fields"]) == {
        "recipient_name",
        "purpose",
        "right_to_revoke",
        "conditioning",
        "redisclosure",
    }
    assert not Release.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"recipient_type": "astrologer"}, "recipient_type"),
        ({"kind": "blanket"}, "kind"),
        ({"categories": ["gossip"]}, "categories.0"),
        ({"starts_on": "soon"}, "starts_on"),
        ({"part2_tpo": "yes"}, "part2_tpo"),
        ({"recipient_name": "x" * 201}, "recipient_name"),
        ({"surprise": 1}, "surprise"),
        ({"expires_on": (today() - dt.timedelta(days=2)).isoformat()}, "expires_on"),
        (
            {
                "kind": "psychotherapy_notes_authorization",
                "categories": ["psychotherapy_notes", "general"],
            },
            "categories",
        ),
    ],
)
def test_bad_input_is_a_422_naming_the_field_and_writes_nothing(
    world: World, changes: dict[str, Any], field: str
) -> None:
    api = Api(world.worker_a)
    events = Event.objects.count()
    response = api.post(f"/clients/{world.client_a.id}", _body(**changes))
    assert response.status_code == 422, response.content
    assert field in response.json()["fields"]
    assert not Release.objects.exists()
    assert Event.objects.count() == events


def test_a_body_that_is_not_json_is_refused(world: World) -> None:
    response = Api(world.worker_a).post(f"/clients/{world.client_a.id}", "{not json")
    assert response.status_code == 400
    assert not Release.objects.exists()


def test_fhir_and_pdf_downloads(world: World) -> None:
    release = signed(actor(world.worker_a), world.client_a.id)
    api = Api(world.worker_a)
    fhir = api.get(f"/{release.id}/fhir")
    assert Consent.model_validate(fhir.json()).status == "active"
    pdf = api.get(f"/{release.id}/pdf")
    assert (pdf.status_code, pdf["Content-Type"]) == (200, "application/pdf")
    assert pdf.content.startswith(b"%PDF-")


@pytest.mark.parametrize("who", ["worker_b", "intake_a", "other_worker_a"])
def test_other_agencies_and_other_teams_get_404(world: World, who: str) -> None:
    release = signed(actor(world.worker_a), world.client_a.id)
    api = Api(getattr(world, who))
    for path in (f"/clients/{world.client_a.id}", f"/{release.id}", f"/{release.id}/fhir"):
        assert api.get(path).status_code == 404
    assert api.post(f"/{release.id}/revoke", {}).status_code == 404
    assert api.post(f"/clients/{world.client_a.id}", _body()).status_code == 404
    assert Release.objects.count() == 1
    assert Release.objects.get().state == "signed"


@pytest.mark.parametrize("forged", ["nope", "00000000-0000-4000-8000-000000000000"])
def test_forged_ids_get_404(world: World, forged: str) -> None:
    api = Api(world.worker_a)
    assert api.get(f"/{forged}").status_code == 404
    assert api.post(f"/clients/{forged}", _body()).status_code == 404
    assert api.post(f"/{forged}/sign", {"signer_name": "x"}).status_code == 404
