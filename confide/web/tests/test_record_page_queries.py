"""The client record page's database work is pinned: a fixed number of queries however many
notes the timeline holds (no query per note, author or file), one more to read the files of
the notes that have any, and the restriction list read only when the client has requests.
A change that adds a query to the page fails here and must say why."""

from __future__ import annotations

from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from confide.consent.services import restriction_request
from confide.records.models import Note
from confide.records.services import attachment_create
from confide.testing import World, actor
from confide.web.tests.support import browser, text

# The record page of a client with notes and no files or restriction requests, signed in with
# password and TOTP: session, user (with its actor's facts in the same query: the actor used to
# be a query of its own), OTP device; the view's transaction (a savepoint inside a test's
# transaction) around client, access facts, data key, notes (each flagged for files), cases and
# the ledger append; the notifications badge; the consent panel's notice state; the session's
# last-seen stamp (its own savepoint and UPDATE). PostgreSQL appends to the ledger in one
# function call (and, outside tests, waits for the commit's flush after it); SQLite in three
# statements (head, insert, head).
PINNED = {"postgresql": 16, "sqlite": 18}


def _open(http: HttpClient, world: World) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        page = http.get(reverse("web:client_detail", args=[world.client_a.id]))
    assert page.status_code == 200
    return len(queries), text(page)


def _notes(world: World, count: int) -> list[Note]:
    return [
        world.note(world.worker_a, world.client_a, body=f"Visit number {i}.") for i in range(count)
    ]


def test_the_record_page_makes_a_pinned_number_of_queries_whatever_the_notes(
    world: World,
) -> None:
    http = browser(world.worker_a)
    _notes(world, 1)
    count, page = _open(http, world)
    assert "Visit number 0." in page
    assert count == PINNED[connection.vendor]
    _notes(world, 1)
    world.note(world.supervisor_a, world.client_a, body="Supervisor's note.")  # another author
    count, page = _open(http, world)
    assert "Supervisor's note." in page
    assert count == PINNED[connection.vendor]


def test_files_cost_one_query_however_many_notes_have_them(world: World) -> None:
    """(The page does not list files; the record's API answer, from the same selector, does.)"""
    http = browser(world.worker_a)
    notes = _notes(world, 3)
    baseline, _ = _open(http, world)
    for note in notes[:2]:
        attachment_create(
            actor=actor(world.worker_a),
            note_id=note.id,
            filename=f"letter-{note.id.hex[:6]}.txt",
            content_type="text/plain",
            data=b"A letter.",
        )
    count, _ = _open(http, world)
    assert count == baseline + 1


def test_the_restriction_list_is_read_only_when_the_client_has_requests(world: World) -> None:
    http = browser(world.worker_a)
    _notes(world, 1)
    baseline, page = _open(http, world)
    assert "Restrictions the client asked for None." in page
    restriction_request(
        actor=actor(world.worker_a),
        client_id=world.client_a.id,
        kind="not_staff",
        staff_id=world.worker_a2.id,
    )
    count, page = _open(http, world)
    assert world.worker_a2.display_name in page
    # The requests with their staff, program and requester; the client's case numbers.
    assert count == baseline + 2
