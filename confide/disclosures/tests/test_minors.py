"""What a minor consented to alone (label minor_consented, on a note or on the whole client)
never reaches a parent, guardian or other personal representative through a disclosure: not in a
packet released under a release of information a representative signed, not told verbally under
one, and not listed in an accounting of disclosures given to one."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path
from typing import Any

import pytest

from confide.access.policy import GUARDIAN, STAFF
from confide.disclosures import accounting, packets, release, services
from confide.disclosures.enums import RequestStatus
from confide.disclosures.errors import NotReleasable
from confide.disclosures.models import AccountingEntry, Delivery, DisclosureRequest
from confide.disclosures.tests.workflow_support import request_input, set_profile, signed_note
from confide.ledger.tests.support import events_since, ledger_mark
from confide.records.models import Client
from confide.releases import services as releases
from confide.releases.models import Release
from confide.releases.selectors import signed_by_a_representative
from confide.releases.tests.support import complete, signature
from confide.testing import World, actor

pytestmark = pytest.mark.django_db
IN_RANGE = dt.date(2025, 3, 4)
# The client of these tests is 41: an adult who, as a minor, consented alone to some care.
CONSENTED_ALONE = ["minor_consented"]


@pytest.fixture(autouse=True)
def _files(settings: Any, tmp_path: Path) -> None:
    settings.CONFIDE_FILES_DIR = tmp_path


@pytest.fixture
def ready(world: World) -> World:
    set_profile(world)
    return world


def _on_file(w: World, *, by_representative: bool) -> Release:
    """A HIPAA authorization to the client's attorney, for litigation, of the general record."""
    worker = actor(w.worker_a)
    draft = releases.release_create(
        actor=worker,
        client_id=w.client_a.id,
        data=complete(recipient_type="attorney", purpose="litigation", categories=("general",)),
    )
    signer = (
        signature(signer_is_representative=True, representative_authority="Parent")
        if by_representative
        else signature()
    )
    return releases.release_sign(actor=worker, release_id=draft.id, signature=signer)


def _request(w: World, **overrides: Any) -> DisclosureRequest:
    values: dict[str, Any] = {"recipient_type": "attorney", "purpose": "litigation"}
    values.update(overrides)
    request = services.request_create(
        actor=actor(w.worker_a), client_id=w.client_a.id, data=request_input(**values)
    )
    assert request.status == RequestStatus.READY, request.decisions
    return request


def _label_client(w: World, labels: list[str]) -> None:
    Client.objects.filter(id=w.client_a.id).update(labels=labels)


def _build(w: World, request: DisclosureRequest) -> tuple[list[str], dict[str, int]]:
    packet = packets.packet_build(actor=actor(w.worker_a), request_id=request.id)
    packets.redactions_decide(
        actor=actor(w.worker_a),
        packet_id=packet.id,
        choices={str(r.id): "accepted" for r in packet.redactions.all()},
    )
    return packet.note_ids, packet.withheld


def _release(w: World, request: DisclosureRequest, method: str = "print") -> release.Released:
    extra: dict[str, Any] = {}
    if method == "verbal":
        extra = {"summary": "Read the plan out.", "disclosed_at": dt.datetime.now(dt.UTC)}
    return release.release(
        actor=actor(w.worker_a),
        request_id=request.id,
        method=method,
        notice=release.Notice(),
        **extra,
    )


# ---- a release of information a representative signed -----------------------------------------


@pytest.mark.parametrize("by_representative", [True, False])
def test_a_representatives_release_carries_nothing_of_a_client_who_consented_alone(
    ready: World, by_representative: bool
) -> None:
    first = signed_note(ready.worker_a, ready.client_a, "Session one.", on=IN_RANGE)
    second = signed_note(ready.worker_a, ready.client_a, "Session two.", on=IN_RANGE)
    _on_file(ready, by_representative=by_representative)
    _label_client(ready, CONSENTED_ALONE)
    request = _request(ready)
    assert packets.audience_for(request) == (GUARDIAN if by_representative else STAFF)
    note_ids, withheld = _build(ready, request)
    if by_representative:
        assert note_ids == []
        assert withheld == {"minor_consented": 2}
    else:  # the client themself may release it, an adult now or not
        assert note_ids == [str(first.id), str(second.id)]
        assert withheld == {}


@pytest.mark.parametrize("by_representative", [True, False])
def test_of_labelled_and_unlabelled_notes_only_the_unlabelled_go_out(
    ready: World, by_representative: bool
) -> None:
    plain = signed_note(ready.worker_a, ready.client_a, "Plan reviewed.", on=IN_RANGE)
    signed_note(ready.worker_a, ready.client_a, "Alone.", on=IN_RANGE, labels=CONSENTED_ALONE)
    signed_note(ready.worker_a, ready.client_a, "Test result.", on=IN_RANGE, labels=["hiv"])
    _on_file(ready, by_representative=by_representative)
    note_ids, withheld = _build(ready, _request(ready))
    assert note_ids == [str(plain.id)]
    if by_representative:  # kept out for the representative, and said so
        assert withheld == {"minor_consented": 1, "category_not_allowed": 1}
    else:  # never in any packet (no category opens it), but not because of who signed
        assert withheld == {"category_not_allowed": 2}


def test_a_packet_is_refused_at_release_once_the_client_is_labelled(ready: World) -> None:
    note = signed_note(ready.worker_a, ready.client_a, "Plan reviewed.", on=IN_RANGE)
    _on_file(ready, by_representative=True)
    request = _request(ready)
    assert _build(ready, request) == ([str(note.id)], {})
    _label_client(ready, CONSENTED_ALONE)
    mark = ledger_mark()
    with pytest.raises(NotReleasable, match="build it again"):
        _release(ready, request)
    assert events_since(mark) == []
    assert not Delivery.objects.exists()
    assert not AccountingEntry.objects.exists()
    assert _build(ready, request) == ([], {"minor_consented": 1})


@pytest.mark.parametrize(
    ("by_representative", "recipient", "refused"),
    [
        (True, "attorney", True),
        (False, "attorney", False),
        (False, "parent", True),  # meant for a guardian, whoever signed
    ],
)
def test_a_verbal_disclosure_of_a_client_who_consented_alone(
    ready: World, by_representative: bool, recipient: str, refused: bool
) -> None:
    _on_file(ready, by_representative=by_representative)
    _label_client(ready, CONSENTED_ALONE)
    request = _request(ready)
    DisclosureRequest.objects.filter(id=request.id).update(recipient_type=recipient)
    mark = ledger_mark()
    if refused:
        with pytest.raises(NotReleasable, match="consented alone"):
            _release(ready, request, "verbal")
        assert events_since(mark) == []
        assert not AccountingEntry.objects.exists()
    else:
        assert _release(ready, request, "verbal").delivery.method == "verbal"


def test_a_verbal_disclosure_under_a_representatives_release_goes_for_an_unlabelled_client(
    ready: World,
) -> None:
    _on_file(ready, by_representative=True)
    assert _release(ready, _request(ready), "verbal").delivery.method == "verbal"


def test_only_the_clients_releases_signed_by_a_representative_count(ready: World) -> None:
    own = _on_file(ready, by_representative=False)
    theirs = _on_file(ready, by_representative=True)
    client = ready.client_a.id
    assert signed_by_a_representative([str(theirs.id)], client)
    assert not signed_by_a_representative([str(own.id)], client)
    assert not signed_by_a_representative([], client)
    assert not signed_by_a_representative(["not-an-id", str(uuid.uuid4())], client)
    assert not signed_by_a_representative([str(theirs.id)], ready.client_a_other.id)


# ---- the accounting given to a guardian ---------------------------------------------------------


def _guardians_copy(w: World) -> list[accounting.EntryView]:
    return accounting.accounting_report(
        actor=actor(w.privacy_a), client_id=w.client_a.id, audience=GUARDIAN
    ).entries


@pytest.mark.parametrize("method", ["print", "verbal"])
def test_a_release_of_a_client_who_consented_alone_is_not_in_a_guardians_accounting(
    ready: World, method: str
) -> None:
    signed_note(ready.worker_a, ready.client_a, "Plan reviewed.", on=IN_RANGE)
    _on_file(ready, by_representative=False)
    request = _request(ready)
    if method == "print":
        _build(ready, request)
    _label_client(ready, CONSENTED_ALONE)
    done = _release(ready, request, method)
    _label_client(ready, [])  # the label recorded with the entry still keeps it out
    entry = AccountingEntry.objects.get(release_id=done.delivery.id)
    assert entry.excluded_kind == ""  # in the client's own accounting
    assert _guardians_copy(ready) == []
    full = accounting.accounting_report(actor=actor(ready.privacy_a), client_id=ready.client_a.id)
    assert [(e.id, e.for_guardian) for e in full.entries] == [(entry.id, False)]


def test_a_release_of_unlabelled_notes_is_in_a_guardians_accounting(ready: World) -> None:
    signed_note(ready.worker_a, ready.client_a, "Plan reviewed.", on=IN_RANGE)
    signed_note(ready.worker_a, ready.client_a, "Alone.", on=IN_RANGE, labels=CONSENTED_ALONE)
    _on_file(ready, by_representative=False)
    request = _request(ready)
    _build(ready, request)
    done = _release(ready, request)
    [listed] = _guardians_copy(ready)
    assert listed.release_id == done.delivery.id
    assert listed.for_guardian


# ---- a verbal disclosure names no notes: what its range holds decides -----------------------


def test_a_verbal_disclosure_from_a_range_with_a_note_consented_alone_is_not_in_a_guardians_copy(
    ready: World,
) -> None:
    signed_note(ready.worker_a, ready.client_a, "Plan reviewed.", on=IN_RANGE)
    signed_note(ready.worker_a, ready.client_a, "Alone.", on=IN_RANGE, labels=CONSENTED_ALONE)
    _on_file(ready, by_representative=False)
    done = _release(ready, _request(ready), "verbal")  # the client's own release: it may go
    entry = AccountingEntry.objects.get(release_id=done.delivery.id)
    assert _guardians_copy(ready) == []
    full = accounting.accounting_report(actor=actor(ready.privacy_a), client_id=ready.client_a.id)
    assert [(e.id, e.for_guardian) for e in full.entries] == [(entry.id, False)]


def test_a_verbal_disclosure_from_an_unlabelled_range_is_in_a_guardians_copy(
    ready: World,
) -> None:
    signed_note(ready.worker_a, ready.client_a, "Plan reviewed.", on=IN_RANGE)
    signed_note(ready.worker_a, ready.client_a, "Test result.", on=IN_RANGE, labels=["hiv"])
    _on_file(ready, by_representative=False)
    done = _release(ready, _request(ready), "verbal")
    [listed] = _guardians_copy(ready)
    assert listed.release_id == done.delivery.id


@pytest.mark.parametrize(
    ("by_representative", "recipient"), [(True, "attorney"), (False, "parent")]
)
def test_a_verbal_disclosure_for_a_guardian_from_a_range_with_a_note_consented_alone_is_refused(
    ready: World, by_representative: bool, recipient: str
) -> None:
    signed_note(ready.worker_a, ready.client_a, "Plan reviewed.", on=IN_RANGE)
    signed_note(ready.worker_a, ready.client_a, "Alone.", on=IN_RANGE, labels=CONSENTED_ALONE)
    _on_file(ready, by_representative=by_representative)
    request = _request(ready)
    DisclosureRequest.objects.filter(id=request.id).update(recipient_type=recipient)
    mark = ledger_mark()
    with pytest.raises(NotReleasable, match="range without them"):
        _release(ready, request, "verbal")
    assert events_since(mark) == []
    assert not AccountingEntry.objects.exists()


def test_a_note_the_releaser_cannot_know_stops_nothing_but_keeps_the_entry_from_a_guardian(
    ready: World,
) -> None:
    signed_note(ready.worker_a, ready.client_a, "Plan reviewed.", on=IN_RANGE)
    signed_note(
        ready.worker_a2, ready.client_a, "Theirs.", on=IN_RANGE, kind="psychotherapy",
        labels=["psychotherapy", *CONSENTED_ALONE],
    )  # fmt: skip
    _on_file(ready, by_representative=True)
    done = _release(ready, _request(ready), "verbal")  # worker_a cannot have told it
    assert done.delivery.method == "verbal"
    assert _guardians_copy(ready) == []  # the entry records every note's labels: fail closed


def test_an_author_whose_training_lapsed_still_cannot_tell_a_guardian_their_own_note(
    ready: World,
) -> None:
    from confide.access.tests.support import lapse_training

    signed_note(ready.worker_a, ready.client_a, "Alone.", on=IN_RANGE, labels=CONSENTED_ALONE)
    _on_file(ready, by_representative=True)
    request = _request(ready)
    lapse_training(ready.worker_a)  # the note is now hidden from its own author
    with pytest.raises(NotReleasable, match="range without them"):
        _release(ready, request, "verbal")
    assert not AccountingEntry.objects.exists()
