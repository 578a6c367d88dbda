"""Invariant 5 for the consent tables: after recording contacts, representatives, preferences,
limits on disclosure and a signed acknowledgement, no value any of them named appears in any
column of any consent table, raw, hex-encoded or base64-encoded. A canary written in clear on
purpose is found by the same search, so the test can fail."""

from __future__ import annotations

import base64
import datetime as dt

from django.apps import apps
from django.db import connection

from confide.consent import services
from confide.consent.tests.support import act
from confide.testing import World, signature_png

SECRETS = {
    "contact name": "Philippa Oyelaran-Voss",
    "contact phone": "555-8734-221",
    "contact address": "88 Quillfeather Lane",
    "guardian name": "Thaddeus Brightwater",
    "guardian authority": "Order 2025-GX-5531",
    "alternative number": "555-9911-404",
    "safe times": "Tuesdays after seven",
    "plan": "Zephyrine Mutual Health",
    "information": "the autumn counselling block",
    "typed name": "Rosalind Q. Signer",
}
SIGNATURE = signature_png(marker="SIGNATURE-PIXELS-771")
CANARY = "CANARY-CONSENT-6021"


def _record_everything(world: World) -> None:
    worker = act(world.worker_a)
    client_id = world.client_a.id
    services.contact_add(
        actor=worker,
        client_id=client_id,
        kind="family",
        person=services.PersonInput(
            name=SECRETS["contact name"],
            phone=SECRETS["contact phone"],
            address=SECRETS["contact address"],
        ),
        may_be_told=["appointments"],
        decision="agreed",
    )
    services.representative_add(
        actor=worker,
        client_id=client_id,
        kind="guardian",
        scope=["all_health_care"],
        person=services.PersonInput(name=SECRETS["guardian name"]),
        authority=SECRETS["guardian authority"],
        starts_on=dt.date(2025, 1, 1),
    )
    services.communication_preference_set(
        actor=worker,
        client_id=client_id,
        channel="phone",
        allowed=True,
        address=SECRETS["alternative number"],
        safe_times=SECRETS["safe times"],
    )
    services.disclosure_restriction_request(
        actor=worker,
        client_id=client_id,
        recipient_kind="health_plan",
        recipient=SECRETS["plan"],
        information=SECRETS["information"],
        paid_in_full=True,
    )
    (notice, *_) = services.notice_publish(
        actor=act(world.privacy_a), texts={"en": (CANARY, "We keep it safe.")}, material=True
    )
    services.acknowledgement_record(
        actor=worker,
        client_id=client_id,
        notice_id=notice.id,
        typed_name=SECRETS["typed name"],
        signature="data:image/png;base64," + base64.b64encode(SIGNATURE).decode(),
    )


def _every_value() -> bytes:
    """Every column of every consent table, as bytes (text UTF-8 encoded)."""
    out = bytearray()
    with connection.cursor() as cursor:
        for model in apps.get_app_config("consent").get_models():
            cursor.execute(f"SELECT * FROM {model._meta.db_table}")  # noqa: S608 - our own names
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, bytes | memoryview):
                        out += bytes(value)
                    elif value is not None:
                        out += str(value).encode()
                    out += b"\x00"
    return bytes(out)


def _forms(secret: bytes) -> list[bytes]:
    return [secret, secret.hex().encode(), base64.b64encode(secret)]


def test_nothing_confidential_is_stored_in_clear(world: World) -> None:
    _record_everything(world)
    stored = _every_value()
    assert CANARY.encode() in stored  # the search works: a title is stored in clear
    leaks = [
        label
        for label, secret in {**SECRETS, "signature": SIGNATURE}.items()
        for form in _forms(secret.encode() if isinstance(secret, str) else b"SIGNATURE-PIXELS-771")
        if form in stored
    ]
    assert leaks == []
