"""The demo's releases of information: one of each kind and status, through the services."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from confide.releases import selectors
from confide.releases.enums import Status
from confide.releases.lifecycle import today
from confide.releases.models import Release

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("own_ledger_export")]


def test_the_demo_holds_releases_of_each_kind_and_status() -> None:
    call_command("demo_load", clients=6, notes_per_client=2, stdout=StringIO(), stderr=StringIO())
    seen = {
        (r.kind, r.status)
        for client_id in Release.objects.values_list("client_id", flat=True).distinct()
        for r in selectors.releases_on_file(client_id, on=today())
    }
    assert seen == {
        ("hipaa_authorization", Status.ACTIVE),
        ("psychotherapy_notes_authorization", Status.DRAFT),
        ("vawa_release", Status.REVOKED),
        ("part2_consent", Status.ACTIVE),
        ("agency_release", Status.EXPIRED),
    }
