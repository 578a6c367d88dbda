"""The privacy officer's retention pages: schedule, due list and approval, legal holds."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.test import override_settings
from django.urls import reverse

from confide.records.models import Case
from confide.retention.models import LegalHold, PurgeItem, RetentionSchedule
from confide.retention.tests.support import close_cases, set_schedule
from confide.testing import World
from confide.web.tests.support import browser, text

LONG_AGO = {"opened": dt.date(2014, 1, 1), "closed": dt.date(2015, 6, 30)}


@pytest.fixture(autouse=True)
def _own_shred_list(tmp_path: Path) -> Any:
    with override_settings(CONFIDE_SHRED_LIST_PATH=tmp_path / "shred.jsonl"):
        yield


def test_the_due_page_lists_case_numbers_and_dates_never_names(world: World) -> None:
    set_schedule(world)
    close_cases(world.client_a, **LONG_AGO)
    page = browser(world.privacy_a).get(reverse("web:retention"))
    assert page.status_code == 200
    shown = text(page)
    assert "A-1001" in shown
    assert "2022-06-30" in shown
    assert "Cal. Bus. & Prof. Code" in shown
    assert "Rosalind" not in shown
    assert "Quenby" not in shown
    assert "A-1002" not in shown  # its case is open


def test_without_a_schedule_the_page_asks_for_one(world: World) -> None:
    page = browser(world.privacy_a).get(reverse("web:retention"))
    assert "No schedule yet" in text(page)


def test_approving_needs_a_fresh_confirmation_then_creates_the_batch(world: World) -> None:
    set_schedule(world)
    close_cases(world.client_a, **LONG_AGO)
    body = {"clients": [str(world.client_a.id)], "confirm": "on"}
    stale = browser(world.privacy_a).post(reverse("web:retention_approve"), body)
    assert stale.status_code == 302
    assert stale["Location"] == f"{reverse('web:reauth')}?next={reverse('web:retention')}"
    assert not PurgeItem.objects.exists()
    done = browser(world.privacy_a, reauth=True).post(reverse("web:retention_approve"), body)
    assert done.status_code == 302
    assert PurgeItem.objects.get().client_id == world.client_a.id
    assert "Approved, waiting for the job" in text(
        browser(world.privacy_a).get(reverse("web:retention"))
    )


@pytest.mark.parametrize(
    "body",
    [
        {"confirm": "on"},  # nobody chosen
        {"clients": ["not-a-uuid"], "confirm": "on"},
        {"clients": ["00000000-0000-4000-8000-000000000000"], "confirm": "on"},  # forged
        {"clients": []},  # not confirmed either
    ],
)
def test_a_bad_approval_changes_nothing(world: World, body: dict[str, Any]) -> None:
    set_schedule(world)
    close_cases(world.client_a, **LONG_AGO)
    response = browser(world.privacy_a, reauth=True).post(reverse("web:retention_approve"), body)
    assert response.status_code == 400
    assert not PurgeItem.objects.exists()


def test_another_agencys_client_cannot_be_approved_by_id(world: World) -> None:
    set_schedule(world)
    close_cases(world.client_a, **LONG_AGO)
    close_cases(world.client_b, **LONG_AGO)
    body = {"clients": [str(world.client_b.id)], "confirm": "on"}
    response = browser(world.privacy_a, reauth=True).post(reverse("web:retention_approve"), body)
    assert response.status_code == 400
    assert not PurgeItem.objects.exists()


def test_the_schedule_form_saves_and_refuses_a_shorter_period_than_the_law(world: World) -> None:
    http = browser(world.privacy_a)
    refused = http.post(
        reverse("web:retention_schedule"), {"state": "CA", "years_after_closure": 3}
    )
    assert refused.status_code == 400
    assert "law requires at least 7" in text(refused)
    assert not RetentionSchedule.objects.exists()
    saved = http.post(reverse("web:retention_schedule"), {"state": "TX"})
    assert saved.status_code == 302
    assert RetentionSchedule.objects.get().state == "TX"
    assert "22 Tex. Admin. Code" in text(http.get(reverse("web:retention_schedule")))


def test_a_hold_is_placed_shown_and_released_from_the_page(world: World) -> None:
    http = browser(world.privacy_a)
    placed = http.post(
        reverse("web:retention_holds"),
        {"case_number": "A-1001", "reason": "subpoena", "details": "Docket 26-CV-0042"},
    )
    assert placed.status_code == 302
    hold = LegalHold.objects.get()
    page = text(http.get(reverse("web:retention_holds")))
    assert "Docket 26-CV-0042" in page
    assert "A-1001" in page
    missing_note = http.post(reverse("web:retention_hold_release"), {"hold_id": str(hold.id)})
    assert missing_note.status_code == 302
    assert LegalHold.objects.get().released_at is None
    http.post(reverse("web:retention_hold_release"), {"hold_id": str(hold.id), "note": "Quashed"})
    assert LegalHold.objects.get().released_at is not None


def test_a_hold_on_an_unknown_or_foreign_case_is_refused(world: World) -> None:
    http = browser(world.privacy_a)
    for number in ("B-2001", "NOPE"):
        response = http.post(
            reverse("web:retention_holds"),
            {"case_number": number, "reason": "subpoena", "details": "x"},
        )
        assert response.status_code == 400
        assert "No case with this number that you may place a hold on" in text(response)
    assert not LegalHold.objects.exists()
    assert Case.objects.filter(case_number="B-2001").exists()
