"""The report pages: privacy officers of the client's agency only (everyone else: the 404 of a
missing client), no names or case numbers in URLs, accessible tables, exports that download."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import uuid

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from confide.accounts.models import User
from confide.core import clock
from confide.disclosures import accounting
from confide.disclosures.enums import ExcludedKind
from confide.disclosures.models import AccountingAnnotation, AccountingEntry
from confide.ledger.enums import EventType
from confide.ledger.tests.reporting import (
    CLIENT_NAMES,
    NOTE_TEXT,
    busy_history,
    pdf_text,
    privacy_b,
)
from confide.ledger.tests.support import events_since, ledger_mark
from confide.testing import World, actor, signed_in

REFUSED = (
    "worker_a",
    "worker_a2",
    "other_worker_a",
    "supervisor_a",
    "admin_a",
    "intake_a",
    "worker_b",
)
CLIENT_ROUTES = ("access_report", "access_report_csv", "access_report_pdf", "accounting")
CLIENT_ROUTES_ALL = (*CLIENT_ROUTES, "accounting_csv")


def browser(user: User) -> HttpClient:
    return signed_in(HttpClient(), user)


def unmasked(page: bytes) -> bytes:
    """A page without its CSRF token (masked afresh on every response)."""
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", page)


def url(name: str, client_id: object, query: str = "") -> str:
    return reverse(f"ledger:{name}", kwargs={"client_id": client_id}) + query


def record_entry(world: World, **changes: object) -> AccountingEntry:
    values: dict[str, object] = {
        "actor": actor(world.worker_a),
        "client_id": world.client_a.id,
        "disclosed_at": clock.now() - dt.timedelta(days=3),
        "recipient": "County Court Clerk Vantablack",
        "description": "Attendance dates for March",
        "purpose": "Court order of 2026-02-01",
        "legal_basis": "45 CFR 164.512(e)(1)(i)",
        "excluded_kind": None,
        "released_labels": [],
    }
    values.update(changes)
    return accounting.accounting_entry_record(**values)  # type: ignore[arg-type]


# ---- choosing a client --------------------------------------------------------------------------


def test_the_chooser_opens_a_report_by_case_number_without_putting_it_in_the_url(
    world: World,
) -> None:
    http = browser(world.privacy_a)
    page = http.get(reverse("ledger:index"))
    assert page.status_code == 200
    assert b'<label for="id_reference">' in page.content
    response = http.post(reverse("ledger:index"), {"reference": "A-1001", "report": "access"})
    assert response.status_code == 302
    assert response["Location"] == url("access_report", world.client_a.id)
    to_accounting = http.post(
        reverse("ledger:index"), {"reference": str(world.client_a.id), "report": "accounting"}
    )
    assert to_accounting["Location"] == url("accounting", world.client_a.id)


@pytest.mark.parametrize(
    "reference", ["B-2001", "nope", "", "00000000-0000-4000-8000-000000000000"]
)
def test_the_chooser_says_the_same_for_missing_and_other_agencies_clients(
    world: World, reference: str
) -> None:
    response = browser(world.privacy_a).post(
        reverse("ledger:index"), {"reference": reference, "report": "access"}
    )
    assert response.status_code == 400
    assert b"Marisol" not in response.content


@pytest.mark.parametrize("persona", REFUSED)
def test_the_chooser_is_for_privacy_officers(world: World, persona: str) -> None:
    http = browser(getattr(world, persona))
    assert http.get(reverse("ledger:index")).status_code == 403
    response = http.post(reverse("ledger:index"), {"reference": "A-1001", "report": "access"})
    assert response.status_code == 403


def test_signed_out_visitors_are_sent_to_sign_in(world: World) -> None:
    for target in (reverse("ledger:index"), url("access_report", world.client_a.id)):
        response = HttpClient().get(target)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("web:sign_in"))


# ---- who may see a client's reports -------------------------------------------------------------


@pytest.mark.parametrize("persona", [*REFUSED, "privacy_b"])
@pytest.mark.parametrize("route", CLIENT_ROUTES_ALL)
def test_everyone_but_the_agencys_privacy_officers_gets_the_missing_client_page(
    world: World, persona: str, route: str
) -> None:
    user = privacy_b(world) if persona == "privacy_b" else getattr(world, persona)
    http = browser(user)
    mark = ledger_mark()
    real = http.get(url(route, world.client_a.id))
    forged = http.get(url(route, uuid.uuid4()))
    assert real.status_code == forged.status_code == 404
    assert unmasked(real.content) == unmasked(forged.content)
    assert events_since(mark) == []


def test_the_annotate_action_is_hidden_from_everyone_else(world: World) -> None:
    entry = record_entry(world)
    target = reverse("ledger:accounting_annotate", kwargs={"entry_id": entry.id})
    for user in (world.worker_a, world.admin_a, world.supervisor_a, privacy_b(world)):
        response = browser(user).post(target, {"text": "probe"})
        assert response.status_code == 404
    forged = reverse("ledger:accounting_annotate", kwargs={"entry_id": uuid.uuid4()})
    assert browser(world.privacy_a).post(forged, {"text": "probe"}).status_code == 404
    assert not AccountingAnnotation.objects.exists()


# ---- the access report page ---------------------------------------------------------------------


def test_the_report_page_shows_an_accessible_table_without_names_or_note_text(
    world: World,
) -> None:
    busy_history(world)
    response = browser(world.privacy_a).get(url("access_report", world.client_a.id))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<caption>" in html
    assert '<th scope="col" aria-sort="descending"><a href="?sort=time&amp;order=asc">' in html
    assert '<th scope="row">' in html
    assert "A-1001" in html
    assert str(world.client_a.id) in html
    assert "worker_a2" in html
    assert "care_team.practitioner" in html
    assert NOTE_TEXT not in html
    for name in CLIENT_NAMES:
        assert name not in html
    assert response["Cache-Control"].startswith("no-store")


def test_filters_and_sorting_travel_as_get_codes(world: World) -> None:
    busy_history(world)
    http = browser(world.privacy_a)
    query = f"?user={world.worker_a2.id}&action=records:client:viewed&sort=user&order=asc"
    mark = ledger_mark()
    response = http.get(url("access_report", world.client_a.id, query))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('<th scope="row">') == 1
    assert 'aria-sort="ascending"' in html
    [event] = events_since(mark)
    assert event.event_type == EventType.LEDGER_REPORT_VIEWED
    assert event.details["user"] == str(world.worker_a2.id)
    assert event.details["action"] == "records:client:viewed"
    assert "csv?" in html
    assert f"user={world.worker_a2.id}" in html


@pytest.mark.parametrize(
    "query",
    ["?since=2026-02-02&until=2026-02-01", "?action=nonsense", "?user=someone", "?since=yesterday"],
)
def test_bad_filters_get_a_form_error_and_nothing_is_read(world: World, query: str) -> None:
    http = browser(world.privacy_a)
    mark = ledger_mark()
    number = world.case_of(world.client_a).case_number
    for route in ("access_report", "access_report_csv", "access_report_pdf"):
        response = http.get(url(route, world.client_a.id, query))
        assert response.status_code == 400
        assert b'class="error"' in response.content
        # The page still names the record and links to its accounting.
        assert number.encode() in response.content
        assert url("accounting", world.client_a.id).encode() in response.content
    assert events_since(mark) == []


@pytest.mark.parametrize("who", ["intake_a", "worker_a", "worker_b"])
def test_bad_filters_from_someone_not_allowed_are_the_same_not_found(
    world: World, who: str
) -> None:
    http = browser(getattr(world, who))
    for route in ("access_report", "access_report_csv", "access_report_pdf"):
        response = http.get(url(route, world.client_a.id, "?since=2026-02-02&until=2026-02-01"))
        assert response.status_code == 404


def test_the_pages_link_to_each_other(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    from confide.ledger import reports

    monkeypatch.setattr(reports, "PAGE_SIZE", 2)
    busy_history(world)
    html = browser(world.privacy_a).get(url("access_report", world.client_a.id)).content.decode()
    assert 'aria-label="Pages of events"' in html
    assert "?page=2" in html


def test_the_csv_and_pdf_download(world: World) -> None:
    busy_history(world)
    http = browser(world.privacy_a)
    csv_response = http.get(url("access_report_csv", world.client_a.id, "?order=asc"))
    assert csv_response.status_code == 200
    assert csv_response["Content-Type"] == "text/csv; charset=utf-8"
    assert csv_response["Content-Disposition"].startswith(
        f'attachment; filename="access-report-{world.client_a.id}-'
    )
    rows = list(csv.reader(io.StringIO(csv_response.content.decode("utf-8-sig"))))
    assert rows[1][6] == EventType.CLIENT_CREATED  # ascending: the record's creation first
    pdf_response = http.get(url("access_report_pdf", world.client_a.id))
    assert pdf_response.status_code == 200
    assert pdf_response["Content-Type"] == "application/pdf"
    assert pdf_response.content.startswith(b"%PDF-")
    for blob in (csv_response.content, pdf_response.content, pdf_text(pdf_response.content)):
        assert NOTE_TEXT.encode() not in blob
        for name in CLIENT_NAMES:
            assert name.encode() not in blob


# ---- the accounting page ------------------------------------------------------------------------


def test_the_accounting_page_marks_excluded_disclosures(world: World) -> None:
    record_entry(world)
    record_entry(world, recipient="Dr. Oyelaran", excluded_kind=ExcludedKind.TPO)
    http = browser(world.privacy_a)
    mark = ledger_mark()
    response = http.get(url("accounting", world.client_a.id))
    assert response.status_code == 200
    html = response.content.decode()
    assert "County Court Clerk Vantablack" in html
    assert "Dr. Oyelaran" in html
    assert "1 in the accounting the client receives, 1 excluded from it" in html
    assert "Excluded from the accounting the client receives" in html
    assert "164.528(a)(1)(i)" in html
    [event] = events_since(mark)
    assert event.event_type == EventType.ACCOUNTING_VIEWED
    for name in CLIENT_NAMES:
        assert name not in html


def test_the_accounting_csv_downloads_with_its_date(world: World) -> None:
    record_entry(world, recipient="=cmd|'/C calc'!A0")
    today = clock.today().strftime("%Y%m%d")  # the agency's day, also just after midnight UTC
    response = browser(world.privacy_a).get(url("accounting_csv", world.client_a.id))
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="accounting-{world.client_a.id}-{today}.csv"'
    )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[1][1] == "'=cmd|'/C calc'!A0"
    disclosed = dt.datetime.fromisoformat(rows[1][0])  # in the agency's time, with its offset
    assert disclosed.utcoffset() == timezone.localtime(disclosed).utcoffset()
    old = browser(world.privacy_a).get(
        url("accounting_csv", world.client_a.id, "?as_of=2020-01-01")
    )
    assert len(list(csv.reader(io.StringIO(old.content.decode("utf-8-sig"))))) == 1
    assert old["Content-Disposition"].endswith(f'-{world.client_a.id}-20200101.csv"')


def test_an_accounting_date_in_the_future_is_a_form_error(world: World) -> None:
    future = (clock.today() + dt.timedelta(days=2)).isoformat()
    http = browser(world.privacy_a)
    mark = ledger_mark()
    response = http.get(url("accounting", world.client_a.id, f"?as_of={future}"))
    assert response.status_code == 400
    assert events_since(mark) == []


def test_a_representatives_copy_leaves_out_what_a_minor_consented_to_alone(world: World) -> None:
    record_entry(world, recipient="Counsel Quillfeather")
    record_entry(world, recipient="Clinic Marrowdale", released_labels=["minor_consented"])
    http = browser(world.privacy_a)
    full = http.get(url("accounting", world.client_a.id)).content.decode()
    assert "Clinic Marrowdale" in full
    assert full.count("Left out of a representative's copy") == 1
    mark = ledger_mark()
    response = http.get(url("accounting", world.client_a.id, "?audience=guardian"))
    assert response.status_code == 200
    copy = response.content.decode()
    assert "Counsel Quillfeather" in copy
    assert "Clinic Marrowdale" not in copy
    assert "for a parent, guardian or other personal representative" in copy
    assert "audience=guardian" in copy  # the CSV link keeps the choice
    [event] = events_since(mark)
    assert event.details["audience"] == "guardian"
    assert event.details["left_out"] == 1
    csv_response = http.get(url("accounting_csv", world.client_a.id, "?audience=guardian"))
    assert csv_response["Content-Disposition"].endswith('-representative.csv"')
    rows = list(csv.reader(io.StringIO(csv_response.content.decode("utf-8-sig"))))
    assert [r[1] for r in rows[1:]] == ["Counsel Quillfeather"]


def test_an_unknown_audience_is_a_form_error(world: World) -> None:
    record_entry(world)
    http = browser(world.privacy_a)
    mark = ledger_mark()
    response = http.get(url("accounting", world.client_a.id, "?audience=parent"))
    assert response.status_code == 400
    assert "County Court Clerk Vantablack" not in response.content.decode()
    export = http.get(url("accounting_csv", world.client_a.id, "?audience=parent"))
    assert export.status_code == 302
    assert export["Location"] == url("accounting", world.client_a.id, "?audience=parent")
    assert events_since(mark) == []


def test_annotating_from_the_page(world: World) -> None:
    entry = record_entry(world)
    http = browser(world.privacy_a)
    target = reverse("ledger:accounting_annotate", kwargs={"entry_id": entry.id})
    response = http.post(target, {"text": "Recipient's office moved; see letter."})
    assert response.status_code == 302
    assert response["Location"] == url("accounting", world.client_a.id) + f"#entry-{entry.id}"
    page = http.get(url("accounting", world.client_a.id)).content.decode()
    assert "see letter." in page
    empty = http.post(target, {"text": "   "})
    assert empty.status_code == 302
    assert AccountingAnnotation.objects.count() == 1
