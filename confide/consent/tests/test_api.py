"""The consent API: the same services as the pages, token-authenticated; bad bodies get a 422
naming the field and change nothing; other agencies' and forged ids get the uniform 404."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from django.test import Client as HttpClient

from confide.accounts import services as accounts
from confide.consent.models import (
    Acknowledgement,
    CommunicationPreference,
    Contact,
    DisclosureRestriction,
    PersonalRepresentative,
)
from confide.consent.services import notice_publish, shipped_notice_texts
from confide.consent.tests.support import act
from confide.testing import World


class Api:
    def __init__(self, user: Any) -> None:
        _, self.token = accounts.token_create(actor=act(user), name="t", days=1)
        self.http = HttpClient()

    def call(self, method: str, path: str, body: object = None) -> Any:
        send = getattr(self.http, method)
        response = send(
            f"/api/consent{path}",
            json.dumps(body) if body is not None else None,
            content_type="application/json",
            headers={"Authorization": f"Bearer {self.token}"},
        )
        return response.status_code, response.json()


def test_the_care_team_builds_a_consent_record_over_the_api(world: World) -> None:
    api = Api(world.worker_a)
    client = f"/clients/{world.client_a.id}"
    status, _ = api.call("put", f"{client}/preferences", {"channel": "text", "allowed": False})
    assert status == 200
    status, body = api.call(
        "post",
        f"{client}/contacts",
        {
            "kind": "friend",
            "person": {"name": "Jo Friend", "phone": "555-0101"},
            "decision": "agreed",
            "may_be_told": ["appointments"],
        },
    )
    assert status == 201
    contact_id = body["id"]
    status, _ = api.call(
        "post", f"/contacts/{contact_id}/decision", {"decision": "objected", "may_be_told": []}
    )
    assert status == 200
    status, body = api.call(
        "post",
        f"{client}/representatives",
        {
            "kind": "guardian",
            "scope": ["all_health_care"],
            "person": {"name": "Gail Guardian"},
            "authority": "Letters of guardianship, case 24-117",
            "starts_on": "2025-02-01",
        },
    )
    assert status == 201
    status, body = api.call(
        "post",
        f"{client}/disclosure-limits",
        {
            "recipient_kind": "health_plan",
            "recipient": "Acme",
            "information": "Sessions",
            "paid_in_full": True,
        },
    )
    assert (status, body["status"]) == (201, "agreed")
    status, record = api.call("get", client)
    assert status == 200
    assert record["contacts"][0]["name"] == "Jo Friend"
    assert record["contacts"][0]["decision"] == "objected"
    assert record["representatives"][0]["name"] == "Gail Guardian"
    text = next(p for p in record["preferences"] if p["channel"] == "text")
    assert text["allowed"] is False


def test_an_acknowledgement_over_the_api_and_the_current_notice(world: World) -> None:
    notice_publish(actor=act(world.privacy_a), texts=shipped_notice_texts(), material=True)
    intake = Api(world.intake_a)
    status, notices = intake.call("get", "/notices/current")
    assert status == 200
    assert [n["language"] for n in notices] == ["en", "es"]
    client = f"/clients/{world.client_a.id}"
    status, body = intake.call(
        "post", f"{client}/acknowledgements", {"notice_id": notices[0]["id"], "typed_name": "R Q"}
    )
    assert (status, body["status"]) == (201, "typed")
    status, body = intake.call("get", f"{client}/notice")
    assert (status, body["needs_acknowledgement"]) == (200, False)
    status, _ = intake.call("get", client)  # intake sees no consent record
    assert status == 404


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/preferences", {"channel": "text", "allowed": "sometimes"}, "allowed"),
        ("/preferences", {"channel": "text", "allowed": True, "colour": "red"}, "colour"),
        ("/preferences", {"channel": "text", "allowed": True, "address": "x" * 501}, "address"),
        ("/preferences", {"channel": "pigeon", "allowed": True}, "channel"),
        ("/contacts", {"kind": "pet", "person": {"name": "A"}, "decision": "agreed"}, "kind"),
        (
            "/contacts",
            {"kind": "friend", "person": {"name": "A"}, "decision": "agreed"},
            "may_be_told",
        ),
        ("/contacts", {"kind": "friend", "person": {"name": ""}, "decision": "objected"}, "name"),
        (
            "/representatives",
            {
                "kind": "guardian",
                "scope": ["all_health_care"],
                "person": {"name": "G"},
                "authority": "Order",
                "starts_on": "2025-02-01",
                "ends_on": "2025-01-01",
            },
            "ends_on",
        ),
        (
            "/disclosure-limits",
            {
                "recipient_kind": "person",
                "recipient": "X",
                "information": "Y",
                "paid_in_full": True,
            },
            "paid_in_full",
        ),
        ("/acknowledgements", {"notice_id": "not-a-uuid", "typed_name": "R"}, "notice_id"),
    ],
)
def test_bad_bodies_get_a_422_naming_the_field_and_change_nothing(
    world: World, path: str, body: dict[str, object], field: str
) -> None:
    api = Api(world.worker_a)
    method = "put" if path.startswith("/preferences") else "post"
    status, answer = api.call(method, f"/clients/{world.client_a.id}{path}", body)
    assert status == 422
    assert any(field in name for name in answer["fields"]), answer
    for model in (
        CommunicationPreference,
        Contact,
        PersonalRepresentative,
        DisclosureRestriction,
        Acknowledgement,
    ):
        assert not model.objects.exists()


@pytest.mark.parametrize("client_id", ["other_agency", "forged", "nonsense"])
def test_other_agencies_and_forged_ids_are_not_found(world: World, client_id: str) -> None:
    ident = {"other_agency": str(world.client_b.id), "forged": str(uuid.uuid4())}.get(
        client_id, client_id
    )
    api = Api(world.worker_a)
    assert api.call("get", f"/clients/{ident}")[0] == 404
    status, _ = api.call(
        "put", f"/clients/{ident}/preferences", {"channel": "email", "allowed": False}
    )
    assert status == 404
    assert api.call("post", f"/contacts/{ident}/end")[0] == 404
    assert not CommunicationPreference.objects.exists()


def test_only_a_privacy_officer_publishes_or_decides(world: World) -> None:
    texts = {"en": {"title": "T", "body": "We keep it safe."}}
    status, _ = Api(world.worker_a).call("post", "/notices", {"material": True, "texts": texts})
    assert status == 403
    status, body = Api(world.privacy_a).call("post", "/notices", {"material": True, "texts": texts})
    assert (status, body[0]["version"]) == (201, 1)


def test_the_minor_consent_table_is_served_by_state(world: World) -> None:
    status, rows = Api(world.worker_a).call("get", "/minor-consent?state=wa")
    assert status == 200
    assert {r["state"] for r in rows} == {"WA"}
