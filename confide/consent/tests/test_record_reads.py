"""What the client record page reads from consent. The restriction list: every request of the
client, whatever its status, for staff who may see the record; read without a query of its own
when the access facts (which name every request) show there are none, and never stale past the
request that loaded them. The consent panel: the notice's state in one query."""

from __future__ import annotations

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from confide.access import facts
from confide.access.lookups import get_authorized, read_scope
from confide.access.policy import Action, authorize
from confide.consent.enums import RestrictionStatus
from confide.consent.models import Acknowledgement, Notice, Restriction
from confide.consent.selectors import (
    NoticeStatus,
    client_restrictions,
    consent_record_get,
    notice_panel,
)
from confide.consent.selectors.record import NO_WITNESS
from confide.consent.services import (
    acknowledgement_record,
    acknowledgement_record_by_client,
    notice_publish,
    restriction_decide,
    restriction_end,
    restriction_request,
    shipped_notice_texts,
)
from confide.core import clock
from confide.core.errors import NotFound
from confide.records.models import Client
from confide.testing import World, signature_data_url

from .support import act


def _request(world: World, staff_persona: str) -> Restriction:
    return restriction_request(
        actor=act(world.worker_a),
        client_id=world.client_a.id,
        kind="not_staff",
        staff_id=getattr(world, staff_persona).id,
    )


def _one_of_each_status(world: World) -> dict[str, Restriction]:
    """Four requests on client_a: left requested, agreed, denied, and agreed then ended."""
    privacy = act(world.privacy_a)
    made = {
        "requested": _request(world, "intake_a"),
        "agreed": _request(world, "supervisor_a"),
        "denied": _request(world, "worker_a2"),
        "ended": _request(world, "admin_a"),
    }
    restriction_decide(actor=privacy, restriction_id=made["agreed"].id, agree=True)
    restriction_decide(actor=privacy, restriction_id=made["denied"].id, agree=False)
    restriction_decide(actor=privacy, restriction_id=made["ended"].id, agree=True)
    restriction_end(actor=privacy, restriction_id=made["ended"].id)
    return made


def test_the_record_lists_requests_of_every_status_newest_first(world: World) -> None:
    made = _one_of_each_status(world)
    rows = client_restrictions(actor=act(world.worker_a), client_id=world.client_a.id)
    newest_first = Restriction.objects.filter(client=world.client_a).order_by("-created_at")
    assert [r.id for r in rows] == [r.id for r in newest_first]
    assert {r.status for r in rows} == {s.value for s in RestrictionStatus}
    assert {r.id for r in rows} == {r.id for r in made.values()}


def test_the_facts_name_every_request_but_only_agreed_ones_bind(world: World) -> None:
    made = _one_of_each_status(world)
    loaded = facts.client_facts(Client.objects.get(id=world.client_a.id))
    assert loaded.restriction_ids == {r.id for r in made.values()}
    assert loaded.excluded_staff_ids == {world.supervisor_a.id}
    # A denied request (worker_a2) hides nothing; the agreed one (supervisor_a) hides the client.
    client = Client.objects.get(id=world.client_a.id)
    assert authorize(act(world.worker_a2), Action.CLIENT_VIEW, client).allowed
    assert not authorize(act(world.supervisor_a), Action.CLIENT_VIEW, client).allowed
    assert facts.client_facts(Client.objects.get(id=world.client_b.id)).restriction_ids == set()


def test_a_client_without_requests_is_listed_with_no_query_of_its_own(world: World) -> None:
    actor = act(world.worker_a)
    with read_scope():
        get_authorized(actor, Client, world.client_a.id, Action.CLIENT_VIEW)  # as the page does
        with CaptureQueriesContext(connection) as queries:
            assert client_restrictions(actor=actor, client_id=world.client_a.id) == []
    assert len(queries) == 0
    _request(world, "intake_a")
    with read_scope():
        get_authorized(actor, Client, world.client_a.id, Action.CLIENT_VIEW)
        with CaptureQueriesContext(connection) as queries:
            rows = client_restrictions(actor=actor, client_id=world.client_a.id)
    assert [r.target for r in rows] == [world.intake_a.display_name]
    assert len(queries) > 0


def test_a_request_recorded_after_a_page_shows_on_the_next_one(world: World) -> None:
    actor = act(world.worker_a)
    with read_scope():
        assert client_restrictions(actor=actor, client_id=world.client_a.id) == []
    made = _request(world, "worker_a2")
    with read_scope():
        assert [r.id for r in client_restrictions(actor=actor, client_id=world.client_a.id)] == [
            made.id
        ]
    # Outside a read scope every call reads the row and its facts afresh.
    assert [r.id for r in client_restrictions(actor=actor, client_id=world.client_a.id)] == [
        made.id
    ]


@pytest.mark.parametrize("with_requests", [False, True])
def test_staff_who_may_not_see_the_client_get_not_found_either_way(
    world: World, with_requests: bool
) -> None:
    if with_requests:
        _request(world, "intake_a")
    for persona in ("other_worker_a", "worker_b"):
        with read_scope(), pytest.raises(NotFound):
            client_restrictions(actor=act(getattr(world, persona)), client_id=world.client_a.id)
    with pytest.raises(NotFound):
        client_restrictions(actor=act(world.worker_a), client_id="not-a-uuid")


# ---- the consent panel ------------------------------------------------------------------------

PNG = signature_data_url()


def _publish(world: World, *, material: bool) -> None:
    notice_publish(actor=act(world.privacy_a), texts=shipped_notice_texts(), material=material)


def _panel_reads(world: World) -> tuple[int, NoticeStatus]:
    """The panel's notice state for worker_a on client_a as the record page asks for it, and the
    panel's query count."""
    actor = act(world.worker_a)
    with read_scope():
        get_authorized(actor, Client, world.client_a.id, Action.CLIENT_VIEW)
        with CaptureQueriesContext(connection) as queries:
            panel = notice_panel(actor=actor, client_id=world.client_a.id)
    assert panel is not None
    return len(queries), panel.status


def test_the_panel_reads_the_notice_state_in_one_query(world: World) -> None:
    count, status = _panel_reads(world)
    assert (count, status.reason) == (1, "none_published")
    _publish(world, material=True)
    count, status = _panel_reads(world)
    assert (count, status.reason, status.current_version) == (1, "never", 1)
    english = Notice.objects.get(agency=world.agency_a, version=1, language="en")
    made = acknowledgement_record(
        actor=act(world.worker_a),
        client_id=world.client_a.id,
        notice_id=english.id,
        typed_name="Rosalind Quenby",
        signature=PNG,
    )
    _publish(world, material=False)  # a wording fix: the acknowledgement still stands
    count, status = _panel_reads(world)
    assert count == 1
    assert (status.acknowledged_version, status.acknowledged_at) == (1, made.acknowledged_at)
    assert (status.needs_acknowledgement, status.current_version) == (False, 2)
    _publish(world, material=True)
    assert _panel_reads(world)[1].reason == "material_change"


def test_the_latest_acknowledgement_is_the_newest_versions(world: World) -> None:
    _publish(world, material=True)
    _publish(world, material=True)
    for version in (2, 1):  # the older one recorded last must not win
        notice = Notice.objects.get(agency=world.agency_a, version=version, language="en")
        Acknowledgement.objects.create(
            agency=world.agency_a,
            client=world.client_a,
            notice=notice,
            typed_name_enc=b"x",
            signature_kind="typed",
            witness=world.worker_a,
            acknowledged_at=clock.now(),
        )
    status = _panel_reads(world)[1]
    assert (status.acknowledged_version, status.needs_acknowledgement) == (2, False)


def test_staff_who_may_not_use_the_notice_get_no_panel(world: World) -> None:
    _publish(world, material=True)
    for persona in ("other_worker_a", "worker_b"):
        assert notice_panel(actor=act(getattr(world, persona)), client_id=world.client_a.id) is None


def test_the_consent_record_lists_an_acknowledgement_made_in_the_portal_without_a_witness(
    world: World,
) -> None:
    _publish(world, material=True)
    english = Notice.objects.get(agency=world.agency_a, version=1, language="en")
    acknowledgement_record_by_client(
        client_id=world.client_a.id,
        agency_id=world.agency_a.id,
        account_id=uuid.uuid4(),
        notice_id=english.id,
        typed_name="Rosalind Quenby",
    )
    record = consent_record_get(actor=act(world.worker_a), client_id=world.client_a.id)
    (row,) = record.acknowledgements
    assert (row.witness, row.typed_name, row.version) == (NO_WITNESS, "Rosalind Quenby", 1)
