"""The disclosure workflow's services: requests decided at once with facts from the record,
review with a recorded reason, packets that hold only what the decision allows, and releases
that account, record and tell the client."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.core import mail

from confide.access.policy import Action, authorize_many
from confide.consent.models import CommunicationPreference, Contact
from confide.consent.sealed import seal_json
from confide.core import clock
from confide.core.errors import NotFound, NotPermitted, ValidationFailed
from confide.crypto.envelope import client_key
from confide.disclosures import accounting, packet_pdf, packets, release, selectors, services
from confide.disclosures.enums import (
    ClientNotice,
    DeliveryMethod,
    ExcludedKind,
    PacketStatus,
    RequestStatus,
)
from confide.disclosures.errors import (
    MissingFacts,
    NoProfile,
    NotReleasable,
    OwnRequest,
    RedactionsPending,
)
from confide.disclosures.models import AccountingEntry, Delivery, DisclosureRequest, ReleasePacket
from confide.disclosures.tests.workflow_support import (
    OTHER_PERSON,
    THREAT,
    THREAT_ANSWERS,
    print_release,
    request_input,
    set_profile,
    signed_note,
)
from confide.ledger.enums import EventType
from confide.ledger.models import Event
from confide.ledger.tests.support import events_since, ledger_mark, ledger_text, types_since
from confide.messaging.models import Notification
from confide.records import services as records
from confide.records.models import Client
from confide.releases.enums import ReleaseKind
from confide.releases.tests.support import complete, signed
from confide.testing import World, actor, late_evening
from confide.training import services as training

pytestmark = pytest.mark.django_db
IN_RANGE = dt.date(2025, 3, 4)


@pytest.fixture(autouse=True)
def _files(settings: Any, tmp_path: Path) -> None:
    settings.CONFIDE_FILES_DIR = tmp_path


@pytest.fixture
def ready(world: World) -> World:
    set_profile(world)
    return world


def _request(w: World, **overrides: Any) -> DisclosureRequest:
    return services.request_create(
        actor=actor(w.worker_a), client_id=w.client_a.id, data=request_input(**overrides)
    )


# ---- opening a request --------------------------------------------------------------------------


def test_a_treatment_request_is_decided_at_once_with_facts_from_the_record(ready: World) -> None:
    mark = ledger_mark()
    request = _request(ready)
    assert request.status == RequestStatus.READY
    decision = request.decisions["general"]["decision"]
    assert decision["outcome"] == "permitted"
    assert "hipaa.tpo.treatment" in decision["rules"]
    stored = services.stored_facts(client_key(ready.client_a.id), request)
    assert stored["known"]["jurisdiction_state"] == "CA"
    assert stored["known"]["entity_type"] == "hipaa_covered_provider"
    assert stored["known"]["client_age"] == 41 or stored["known"]["client_age"] == 42
    assert stored["consent"]["general"] == {"present": False, "type": "none"}
    [event] = events_since(mark)
    assert event.event_type == EventType.DISCLOSURE_REQUESTED
    assert "Imogen" not in json.dumps(event.details)


def test_a_client_in_a_part2_program_is_a_part2_programs_client(ready: World) -> None:
    program = ready.team_a1.program
    program.is_part2 = True
    program.save()
    request = _request(ready)
    stored = services.stored_facts(client_key(ready.client_a.id), request)
    assert stored["known"]["entity_type"] == "part2_program"


def test_a_release_on_file_is_the_consent_the_engine_sees(ready: World) -> None:
    on_file = signed(
        actor(ready.worker_a),
        ready.client_a.id,
        complete(ReleaseKind.PSYCHOTHERAPY_NOTES, purpose="treatment"),
    )
    request = _request(ready, categories=["psychotherapy_notes"])
    stored = services.stored_facts(client_key(ready.client_a.id), request)
    assert stored["releases"]["psychotherapy_notes"] == str(on_file.id)
    assert stored["consent"]["psychotherapy_notes"]["valid"] is True
    assert stored["consent"]["psychotherapy_notes"]["scope_covers_request"] is True
    assert request.decisions["psychotherapy_notes"]["decision"]["outcome"].startswith("permitted")
    elsewhere = _request(ready, categories=["psychotherapy_notes"], recipient_type="attorney")
    facts = services.stored_facts(client_key(ready.client_a.id), elsewhere)
    assert facts["consent"]["psychotherapy_notes"] == {"present": False, "type": "none"}
    assert elsewhere.decisions["psychotherapy_notes"]["decision"]["outcome"] == "prohibited"


def test_a_named_release_that_is_not_the_clients_is_refused(ready: World) -> None:
    other = signed(actor(ready.other_worker_a), ready.client_a_other.id)
    with pytest.raises(ValidationFailed) as failed:
        _request(ready, release_id=str(other.id))
    assert set(failed.value.fields) == {"release_id"}
    with pytest.raises(ValidationFailed):
        _request(ready, release_id="not-an-id")
    assert DisclosureRequest.objects.count() == 0


def test_known_facts_cannot_be_given_by_staff(ready: World) -> None:
    with pytest.raises(ValidationFailed) as failed:
        _request(ready, facts={"jurisdiction_state": "TX", "consent": {"valid": True}})
    assert "come from the record" in failed.value.fields["facts"]
    with pytest.raises(ValidationFailed):
        _request(ready, facts={"other": {"paid_in_full_out_of_pocket": True}})


def test_bad_input_names_every_field_and_writes_nothing(ready: World) -> None:
    mark = ledger_mark()
    with pytest.raises(ValidationFailed) as failed:
        _request(
            ready,
            recipient="x" * 201,
            recipient_type="polise",
            purpose=7,
            categories=[],
            date_from=dt.date(2025, 5, 1),
            date_to=dt.date(2025, 4, 1),
            legal_instrument="warrant",
            description="",
        )
    assert set(failed.value.fields) >= {
        "recipient",
        "recipient_type",
        "purpose",
        "categories",
        "date_to",
        "legal_instrument",
        "description",
    }
    with pytest.raises(ValidationFailed) as failed:
        _request(ready, facts={"threat": {"serious": "yes"}})
    assert "facts.threat.serious" in failed.value.fields["facts"]
    assert DisclosureRequest.objects.count() == 0
    assert events_since(mark) == []


def test_a_future_date_range_is_refused(ready: World) -> None:
    with pytest.raises(ValidationFailed) as failed:
        _request(ready, date_to=clock.today() + dt.timedelta(days=3))
    assert "date_to" in failed.value.fields


def test_without_a_profile_the_request_is_refused_clearly(world: World) -> None:
    with pytest.raises(NoProfile):
        _request(world)


def test_only_the_care_team_opens_requests(ready: World) -> None:
    for person in (ready.other_worker_a, ready.worker_b, ready.intake_a, ready.admin_a):
        with pytest.raises(NotFound):
            services.request_create(
                actor=actor(person), client_id=ready.client_a.id, data=request_input()
            )
    with pytest.raises(NotFound):
        services.request_create(
            actor=actor(ready.worker_a),
            client_id="00000000-0000-4000-8000-000000000000",
            data=request_input(),
        )


def test_a_conflict_wall_closes_disclosures_too(ready: World) -> None:
    training.conflict_declare(
        actor=actor(ready.worker_a2), client_id=ready.client_a.id, relationship="relative"
    )
    with pytest.raises(NotFound):
        services.request_create(
            actor=actor(ready.worker_a2), client_id=ready.client_a.id, data=request_input()
        )


def test_an_instrument_is_stored_encrypted_and_read_back_on_the_ledger(
    ready: World, tmp_path: Path
) -> None:
    upload = services.Upload("subpoena.txt", "text/plain", b"SUBPOENA DUCES TECUM Quenby")
    request = _request(ready, legal_instrument="subpoena", instrument=upload)
    assert request.instrument is not None
    on_disk = b"".join(p.read_bytes() for p in tmp_path.rglob("*.bin"))
    assert on_disk
    assert b"Quenby" not in on_disk
    mark = ledger_mark()
    name, kind, data = selectors.instrument_download(
        actor=actor(ready.worker_a), request_id=request.id
    )
    assert (name, kind, data) == ("subpoena.txt", "text/plain", upload.data)
    assert types_since(mark) == [EventType.ATTACHMENT_DOWNLOADED]
    with pytest.raises(NotFound):
        selectors.instrument_download(actor=actor(ready.worker_b), request_id=request.id)


@pytest.mark.parametrize(
    ("upload", "problem"),
    [
        (services.Upload("big.txt", "text/plain", b"x" * 2048), "larger"),
        (services.Upload("evil.pdf", "application/pdf", b"MZ\x90\x00"), "does not match"),
        (services.Upload("a.zip", "application/zip", b"PK\x03\x04"), "must be a PDF"),
        (services.Upload("empty.txt", "text/plain", b""), "empty"),
    ],
)
def test_a_bad_or_oversized_instrument_is_refused_and_nothing_is_stored(
    ready: World, settings: Any, tmp_path: Path, upload: services.Upload, problem: str
) -> None:
    settings.CONFIDE_ATTACHMENT_MAX_BYTES = 1024
    with pytest.raises(ValidationFailed) as failed:
        _request(ready, legal_instrument="subpoena", instrument=upload)
    assert problem in failed.value.fields["instrument"]
    assert list(tmp_path.rglob("*.bin")) == []
    assert DisclosureRequest.objects.count() == 0


# ---- review -------------------------------------------------------------------------------------


def test_needs_review_goes_to_reviewers_who_answer_the_missing_facts(ready: World) -> None:
    request = _request(ready, **THREAT)
    assert request.status == RequestStatus.IN_REVIEW
    assert Notification.objects.filter(recipient=ready.privacy_a, kind="disclosure_review").exists()
    assert Notification.objects.filter(recipient=ready.supervisor_a).exists()
    assert not Notification.objects.filter(recipient=ready.worker_a, kind="disclosure_review")
    queue = selectors.review_queue(actor=actor(ready.privacy_a))
    assert [r.id for r in queue] == [request.id]
    assert selectors.review_queue(actor=actor(ready.supervisor_a))[0].case_numbers == ["A-1001"]
    with pytest.raises(NotPermitted):
        selectors.review_queue(actor=actor(ready.worker_a))
    with pytest.raises(MissingFacts) as failed:
        services.request_review(
            actor=actor(ready.privacy_a), request_id=request.id, approve=True, reason="Urgent."
        )
    assert "threat.serious" in failed.value.missing
    assert "Threat: serious" in failed.value.fields["answers"]  # in words for people
    answers = THREAT_ANSWERS
    mark = ledger_mark()
    reviewed = services.request_review(
        actor=actor(ready.privacy_a),
        request_id=request.id,
        approve=True,
        reason="Specific threat against a named person; warn per state law.",
        answers=answers,
    )
    assert reviewed.status == RequestStatus.READY
    assert reviewed.review_outcome == "approved"
    assert types_since(mark)[0] == EventType.DISCLOSURE_REVIEWED
    assert "named person" not in ledger_text()
    view = selectors.request_get(actor=actor(ready.worker_a), request_id=request.id)
    assert view.review_reason.startswith("Specific threat")


def test_a_review_clears_every_reviewers_notice_and_tells_the_requester(ready: World) -> None:
    request = _request(ready, **THREAT)
    waiting = Notification.objects.filter(kind="disclosure_review", read_at=None)
    asked = set(waiting.values_list("recipient_id", flat=True))
    assert {ready.privacy_a.id, ready.supervisor_a.id} <= asked
    services.request_review(
        actor=actor(ready.privacy_a), request_id=request.id, approve=False, reason="Too vague."
    )
    assert not waiting.exists()  # done for every reviewer, not only the one who did it
    told = Notification.objects.get(kind="disclosure_reviewed")
    assert (told.recipient_id, told.read_at) == (ready.worker_a.id, None)


def test_reviewers_are_never_the_requester_nor_a_practitioner(ready: World) -> None:
    request = _request(ready, **THREAT)
    with pytest.raises(NotPermitted):
        services.request_review(
            actor=actor(ready.worker_a2), request_id=request.id, approve=False, reason="No."
        )
    with pytest.raises(NotFound):
        services.request_review(
            actor=actor(ready.worker_b), request_id=request.id, approve=False, reason="No."
        )
    own = services.request_create(
        actor=actor(ready.supervisor_a), client_id=ready.client_a.id, data=request_input(**THREAT)
    )
    with pytest.raises(OwnRequest):
        services.request_review(
            actor=actor(ready.supervisor_a), request_id=own.id, approve=False, reason="Mine."
        )


def test_a_review_needs_a_reason_and_happens_once(ready: World) -> None:
    request = _request(ready, **THREAT)
    with pytest.raises(ValidationFailed):
        services.request_review(
            actor=actor(ready.privacy_a), request_id=request.id, approve=False, reason="  "
        )
    services.request_review(
        actor=actor(ready.privacy_a), request_id=request.id, approve=False, reason="Too vague."
    )
    request.refresh_from_db()
    assert request.status == RequestStatus.REFUSED
    with pytest.raises(Exception, match="not waiting for review"):
        services.request_review(
            actor=actor(ready.supervisor_a), request_id=request.id, approve=True, reason="x"
        )


# ---- refusals release nothing -------------------------------------------------------------------


def test_a_prohibited_request_then_a_release_attempt_releases_nothing(ready: World) -> None:
    signed_note(ready.worker_a, ready.client_a, "Plan reviewed.", on=IN_RANGE)
    request = _request(ready, recipient_type="employer", purpose="return_to_work_verification")
    assert request.status == RequestStatus.REFUSED
    assert request.decisions["general"]["decision"]["outcome"] == "prohibited"
    mark = ledger_mark()
    with pytest.raises(NotReleasable):
        packets.packet_build(actor=actor(ready.worker_a), request_id=request.id)
    for method in ("print", "link"):
        with pytest.raises(NotReleasable):
            release.release(
                actor=actor(ready.worker_a),
                request_id=request.id,
                method=method,
                notice=release.Notice(),
            )
    with pytest.raises(NotReleasable):
        release.release(
            actor=actor(ready.worker_a),
            request_id=request.id,
            method="verbal",
            notice=release.Notice(),
            summary="Told them.",
            disclosed_at=dt.datetime.now(dt.UTC),
        )
    assert events_since(mark) == []
    assert AccountingEntry.objects.count() == Delivery.objects.count() == 0


def test_a_request_in_review_cannot_be_released(ready: World) -> None:
    request = _request(ready, **THREAT)
    with pytest.raises(NotReleasable, match="waiting for review"):
        release.release(
            actor=actor(ready.worker_a),
            request_id=request.id,
            method="verbal",
            notice=release.Notice(),
            summary="x",
            disclosed_at=dt.datetime.now(dt.UTC),
        )


# ---- the packet ---------------------------------------------------------------------------------


def _notes(w: World) -> dict[str, Any]:
    author = w.worker_a
    notes = {
        "plain": signed_note(author, w.client_a, OTHER_PERSON, on=IN_RANGE),
        "early": signed_note(author, w.client_a, "Too early.", on=dt.date(2024, 12, 31)),
        "psy": signed_note(author, w.client_a, "Process.", on=IN_RANGE, kind="psychotherapy"),
        "part2": signed_note(author, w.client_a, "SUD.", on=IN_RANGE, labels=["part2_sud"]),
        "hiv": signed_note(author, w.client_a, "HIV.", on=IN_RANGE, labels=["hiv"]),
        "colleague_psy": signed_note(
            w.worker_a2, w.client_a, "Not mine.", on=IN_RANGE, kind="psychotherapy"
        ),
    }
    case = w.client_a.cases.first()
    assert case is not None
    notes["draft"] = records.note_create(
        actor=actor(author), case_id=case.id, kind="progress", body="Draft.", labels=[]
    )
    return notes


def test_a_packet_holds_only_signed_notes_of_allowed_categories_in_range(ready: World) -> None:
    notes = _notes(ready)
    request = _request(ready)
    packet = packets.packet_build(actor=actor(ready.worker_a), request_id=request.id)
    assert packet.note_ids == [str(notes["plain"].id)]
    assert packet.withheld == {"category_not_allowed": 3}  # psy, part2, hiv of worker_a
    assert packet.includes_part2 is False


@pytest.mark.parametrize(
    ("recipient", "purpose"),
    [
        ("parent", "treatment"),
        ("parent_personal_representative", "treatment"),
        ("family_member", "treatment"),  # a grandparent raising the child, for one
        ("attorney", "parent_inquiry"),
    ],
)
def test_a_release_to_a_parent_never_carries_what_a_minor_consented_to_alone(
    ready: World, recipient: str, purpose: str
) -> None:
    notes = _notes(ready)
    request = _request(ready)
    worker = actor(ready.worker_a)

    def chosen(client: Client) -> list[Any]:
        return [n.id for n in packets.select_notes(worker, request, client).notes]

    client = Client.objects.get(id=ready.client_a.id)
    assert chosen(client) == [notes["plain"].id]  # to a provider
    # the same request, meant for a parent
    request.recipient_type, request.purpose = recipient, purpose
    assert chosen(client) == [notes["plain"].id]
    # A client who consented alone: none of their notes, labelled or not, goes to a parent.
    Client.objects.filter(id=client.id).update(labels=["minor_consented"])
    consented = Client.objects.get(id=client.id)
    assert chosen(consented) == []
    selection = packets.select_notes(worker, request, consented)
    # Every note in range the builder may read is counted under that reason; one the builder may
    # not read (a colleague's psychotherapy note, a Part 2 note outside their program) is not.
    in_range = [n for n in notes.values() if n.occurred_on == IN_RANGE]
    staff = authorize_many(worker, Action.NOTE_VIEW, in_range)
    assert selection.withheld == {"minor_consented": sum(d.allowed for d in staff)}
    request.recipient_type, request.purpose = "health_care_provider", "treatment"
    assert chosen(consented) == [notes["plain"].id]


def test_a_packet_whose_notes_may_no_longer_go_out_is_refused_at_release(ready: World) -> None:
    notes = _notes(ready)
    request = _request(ready)
    packet = packets.packet_build(actor=actor(ready.worker_a), request_id=request.id)
    assert packet.note_ids == [str(notes["plain"].id)]
    packets.redactions_decide(
        actor=actor(ready.worker_a),
        packet_id=packet.id,
        choices={str(r.id): "accepted" for r in packet.redactions.all()},
    )
    # Built for a provider; the request now goes to a parent, of a client who consented alone.
    DisclosureRequest.objects.filter(id=request.id).update(recipient_type="parent")
    Client.objects.filter(id=ready.client_a.id).update(labels=["minor_consented"])
    mark = ledger_mark()
    with pytest.raises(NotReleasable, match="build it again"):
        print_release(actor(ready.worker_a), request.id)
    assert types_since(mark) == []
    assert not Delivery.objects.filter(request_id=request.id).exists()


def test_other_peoples_identifiers_are_proposed_and_the_clients_own_are_not(
    ready: World,
) -> None:
    key = client_key(ready.client_a.id)
    contact = Contact.objects.create(
        agency=ready.agency_a,
        client=ready.client_a,
        kind="family",
        details_enc=b"",
        decision="agreed",
        decided_on=dt.date(2025, 1, 1),
        recorded_by=ready.worker_a,
    )
    contact.details_enc = seal_json(key, "contact.details", contact.id, {"name": "Lena Fischer"})
    contact.save()
    body = OTHER_PERSON + " Lena Fischer visited; Rosalind Quenby agreed. Rosalind's line 555-0100."
    signed_note(ready.worker_a, ready.client_a, body, on=IN_RANGE)
    request = _request(ready, extra_names="Okonkwo Adaeze")
    signed_note(ready.worker_a, ready.client_a, "Okonkwo came too.", on=IN_RANGE)
    packet = packets.packet_build(actor=actor(ready.worker_a), request_id=request.id)
    view = selectors.packet_get(actor=actor(ready.worker_a), packet_id=packet.id)
    proposed = [s.text for n in view.notes for s in n.segments if s.redaction_id]
    assert proposed == ["Tomas Reyes", "415-555-0199", "Lena Fischer", "Okonkwo"]
    assert packet.status == PacketStatus.DRAFT


def test_redactions_are_reviewed_before_release_and_applied(
    ready: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(packet_pdf, "font_dir", lambda: None)  # core font: text is searchable
    signed_note(ready.worker_a, ready.client_a, OTHER_PERSON, on=IN_RANGE)
    request = _request(ready)
    packet = packets.packet_build(actor=actor(ready.worker_a), request_id=request.id)
    with pytest.raises(RedactionsPending):
        print_release(actor(ready.worker_a), request.id)
    name, phone = sorted(packet.redactions.all(), key=lambda r: r.start)
    with pytest.raises(ValidationFailed):
        packets.redactions_decide(
            actor=actor(ready.worker_a), packet_id=packet.id, choices={str(name.id): "maybe"}
        )
    forged = {"00000000-0000-4000-8000-000000000000": "accepted"}
    with pytest.raises(ValidationFailed):
        packets.redactions_decide(actor=actor(ready.worker_a), packet_id=packet.id, choices=forged)
    packets.redactions_decide(
        actor=actor(ready.worker_a),
        packet_id=packet.id,
        choices={str(name.id): "accepted", str(phone.id): "rejected"},
    )
    done = print_release(actor(ready.worker_a), request.id)
    assert done.pdf is not None
    text = _pdf_text(done.pdf)
    assert b"Tomas Reyes" not in text
    assert b"redacted: name of a related person" in text
    assert b"415-555-0199" in text  # kept by the reviewer
    assert b"Released to Dr. Imogen Vale" in text  # the watermark
    assert b"42 CFR part 2 prohibits" not in text


def _pdf_text(pdf: bytes) -> bytes:
    from confide.ledger.tests.reporting import pdf_text

    return pdf_text(pdf)


def test_a_release_accounts_records_and_emails_the_client(
    ready: World, django_capture_on_commit_callbacks: Any
) -> None:
    signed_note(ready.worker_a, ready.client_a, "Plan reviewed.", on=IN_RANGE)
    request = _request(
        ready, recipient_type="attorney", purpose="litigation", legal_instrument="court_order"
    )
    assert request.status == RequestStatus.READY, request.decisions
    packets.packet_build(actor=actor(ready.worker_a), request_id=request.id)
    mark = ledger_mark()
    with django_capture_on_commit_callbacks(execute=True):
        done = print_release(actor(ready.worker_a), request.id)
    assert done.pdf is not None
    assert done.delivery.digest == packet_pdf.digest(done.pdf)
    assert done.delivery.client_notice == ClientNotice.EMAILED
    [email] = mail.outbox
    assert email.to == ["A-1001@example.org"]
    assert "Imogen" not in email.body
    assert "attorney" not in email.body
    entry = AccountingEntry.objects.get()
    assert entry.release_id == done.delivery.id
    assert entry.excluded_kind == ""
    types = types_since(mark)
    assert EventType.ACCOUNTING_ENTRY_RECORDED in types
    assert EventType.DISCLOSURE_RELEASED in types
    released = next(e for e in events_since(mark) if e.event_type == EventType.DISCLOSURE_RELEASED)
    assert released.details["sha256"] == done.delivery.digest
    request.refresh_from_db()
    assert request.status == RequestStatus.RELEASED


def test_the_clients_email_dates_an_evening_release_by_the_agencys_day(
    ready: World, django_capture_on_commit_callbacks: Any
) -> None:
    """21:30 in New York is already the next day in UTC; the client reads the agency's day."""
    request = _request(ready)
    packets.packet_build(actor=actor(ready.worker_a), request_id=request.id)
    day = clock.today()
    with late_evening(day), django_capture_on_commit_callbacks(execute=True):
        done = print_release(actor(ready.worker_a), request.id)
    assert done.delivery.client_notice == ClientNotice.EMAILED
    [email] = mail.outbox
    assert f"On {day.isoformat()}, " in email.body


def test_a_treatment_release_is_accounted_as_excluded(ready: World) -> None:
    request = _request(ready)
    packets.packet_build(actor=actor(ready.worker_a), request_id=request.id)
    print_release(actor(ready.worker_a), request.id)
    assert AccountingEntry.objects.get().excluded_kind == ExcludedKind.TPO


def test_the_client_is_never_emailed_when_their_preferences_forbid_it(
    ready: World, django_capture_on_commit_callbacks: Any
) -> None:
    CommunicationPreference.objects.create(
        agency=ready.agency_a,
        client=ready.client_a,
        channel="email",
        allowed=False,
        recorded_by=ready.worker_a,
    )
    request = _request(ready)
    packets.packet_build(actor=actor(ready.worker_a), request_id=request.id)
    with django_capture_on_commit_callbacks(execute=True):
        done = print_release(actor(ready.worker_a), request.id)
    assert mail.outbox == [] or all("A-1001" not in ",".join(m.to) for m in mail.outbox)
    assert done.delivery.client_notice == ClientNotice.NO_CHANNEL
    assert Notification.objects.filter(recipient=ready.worker_a, kind="disclosure_tell_client")


def test_an_exception_is_recorded_with_its_reason_and_nobody_is_told(
    ready: World, django_capture_on_commit_callbacks: Any
) -> None:
    request = _request(ready)
    packets.packet_build(actor=actor(ready.worker_a), request_id=request.id)
    with pytest.raises(ValidationFailed) as failed:
        print_release(
            actor(ready.worker_a), request.id, release.Notice(exception="safety", reason="")
        )
    assert "notice_reason" in failed.value.fields
    with django_capture_on_commit_callbacks(execute=True):
        done = print_release(
            actor(ready.worker_a),
            request.id,
            release.Notice(exception="safety", reason="Partner reads her e-mail."),
        )
    assert done.delivery.client_notice == ClientNotice.EXCEPTION
    assert mail.outbox == []
    assert b"Partner" not in bytes(done.delivery.notice_reason_enc)


def test_a_crash_mid_release_leaves_nothing_behind(
    ready: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    request = _request(ready)
    packets.packet_build(actor=actor(ready.worker_a), request_id=request.id)

    def boom(**_: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(release, "_tell_client", lambda *a, **k: boom())
    mark = ledger_mark()
    with pytest.raises(RuntimeError):
        print_release(actor(ready.worker_a), request.id)
    assert events_since(mark) == []
    assert AccountingEntry.objects.count() == Delivery.objects.count() == 0
    request.refresh_from_db()
    assert request.status == RequestStatus.READY


def test_a_verbal_disclosure_is_recorded_after_the_fact(ready: World) -> None:
    request = _request(ready)
    with pytest.raises(ValidationFailed) as failed:
        release.release(
            actor=actor(ready.worker_a),
            request_id=request.id,
            method="verbal",
            notice=release.Notice(),
            summary="",
            disclosed_at=dt.datetime.now(dt.UTC) + dt.timedelta(days=1),
        )
    assert set(failed.value.fields) == {"summary", "disclosed_at"}
    when = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=30)
    done = release.release(
        actor=actor(ready.worker_a),
        request_id=request.id,
        method="verbal",
        notice=release.Notice(),
        summary="Confirmed the appointment plan by phone.",
        disclosed_at=when,
    )
    assert done.pdf is None
    assert done.delivery.method == DeliveryMethod.VERBAL
    assert AccountingEntry.objects.get().disclosed_at == when


def test_a_released_packet_is_never_rebuilt(ready: World) -> None:
    request = _request(ready)
    packets.packet_build(actor=actor(ready.worker_a), request_id=request.id)
    print_release(actor(ready.worker_a), request.id)
    with pytest.raises(NotReleasable, match="already released"):
        packets.packet_build(actor=actor(ready.worker_a), request_id=request.id)
    assert ReleasePacket.objects.count() == 1


def test_another_agency_cannot_reach_a_request_or_its_packet(ready: World) -> None:
    request = _request(ready)
    packet = packets.packet_build(actor=actor(ready.worker_a), request_id=request.id)
    for call in (
        lambda a: selectors.request_get(actor=a, request_id=request.id),
        lambda a: selectors.packet_get(actor=a, packet_id=packet.id),
        lambda a: packets.packet_build(actor=a, request_id=request.id),
        lambda a: packets.redactions_decide(actor=a, packet_id=packet.id, choices={}),
        lambda a: print_release(a, request.id),
    ):
        for person in (ready.worker_b, ready.other_worker_a, ready.intake_a):
            with pytest.raises(NotFound):
                call(actor(person))


def test_a_dump_holds_no_recipient_or_reason_in_clear(ready: World) -> None:
    request = _request(ready, extra_names="Okonkwo Adaeze")
    row = DisclosureRequest.objects.filter(id=request.id).values().get()
    flat = repr(row).encode()
    for secret in (b"Imogen", b"Okonkwo", b"Harbour", b"Continuity"):
        assert secret not in flat


def test_part2_records_go_only_under_their_own_rules_with_the_redisclosure_notice(
    ready: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(packet_pdf, "font_dir", lambda: None)
    program = ready.team_a1.program
    program.is_part2 = True
    program.save()
    sud = signed_note(
        ready.worker_a, ready.client_a, "Relapse plan.", on=IN_RANGE, labels=["part2_sud"]
    )
    plain = signed_note(ready.worker_a, ready.client_a, "Housing call.", on=IN_RANGE)
    general_only = _request(ready, recipient_type="employer", purpose="return_to_work_verification")
    assert general_only.status == RequestStatus.REFUSED  # no Part 2 consent: nothing at all
    emergency = _request(
        ready,
        recipient_type="medical_personnel",
        purpose="medical_emergency",
        categories=["general", "substance_use_part2"],
        facts={"emergency": True},
    )
    assert emergency.status == RequestStatus.READY, emergency.decisions
    packet = packets.packet_build(actor=actor(ready.worker_a), request_id=emergency.id)
    assert set(packet.note_ids) == {str(sud.id), str(plain.id)}
    assert packet.includes_part2 is True
    done = print_release(actor(ready.worker_a), emergency.id)
    assert done.pdf is not None
    assert b"42 CFR part 2 prohibits unauthorized use or disclosure of these records." in (
        _pdf_text(done.pdf)
    )


def test_psychotherapy_notes_go_only_with_their_own_authorization_and_to_their_author(
    ready: World,
) -> None:
    signed(
        actor(ready.worker_a),
        ready.client_a.id,
        complete(ReleaseKind.PSYCHOTHERAPY_NOTES, purpose="treatment"),
    )
    today = clock.today()
    own = signed_note(ready.worker_a, ready.client_a, "Mine.", on=today, kind="psychotherapy")
    signed_note(ready.worker_a2, ready.client_a, "A colleague's.", on=today, kind="psychotherapy")
    plain = signed_note(ready.worker_a, ready.client_a, "Plain.", on=today)
    general = _request(ready, date_from=today, date_to=today)
    packet = packets.packet_build(actor=actor(ready.worker_a), request_id=general.id)
    assert packet.note_ids == [str(plain.id)]  # a general release never carries them
    both = _request(
        ready, categories=["general", "psychotherapy_notes"], date_from=today, date_to=today
    )
    assert both.status == RequestStatus.READY, both.decisions
    packet = packets.packet_build(actor=actor(ready.worker_a), request_id=both.id)
    assert set(packet.note_ids) == {str(own.id), str(plain.id)}  # never a colleague's


def test_a_client_with_disclosures_can_still_be_crypto_shredded(ready: World) -> None:
    from confide.retention.enums import ShredCause
    from confide.retention.services import shred_client

    upload = services.Upload("order.txt", "text/plain", b"Order.")
    request = _request(ready, legal_instrument="court_order", instrument=upload)
    packets.packet_build(actor=actor(ready.worker_a), request_id=request.id)
    done = print_release(actor(ready.worker_a), request.id)
    shred_client(ready.client_a, cause=ShredCause.PURGE, batch_id=None)
    request.refresh_from_db()
    delivery = Delivery.objects.get(id=done.delivery.id)
    assert request.instrument_id is None
    assert delivery.pdf_id is None
    assert delivery.digest == done.delivery.digest  # what was sent can still be proven


def test_the_request_shows_which_labelled_notes_in_range_were_not_requested(ready: World) -> None:
    _notes(ready)
    request = _request(ready)
    view = selectors.request_get(actor=actor(ready.worker_a), request_id=request.id)
    assert {(label, n, requested) for label, n, requested in view.in_range} == {
        ("General case record (notes without a sensitivity label)", 1, True),
        ("HIV-related information", 1, False),
        ("Psychotherapy notes", 1, False),  # the colleague's is not counted for worker_a
        ("Substance use records (42 CFR Part 2)", 1, False),
    }


def test_the_cover_leaves_the_birth_date_out_for_a_warned_person(
    ready: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(packet_pdf, "font_dir", lambda: None)
    signed_note(ready.worker_a, ready.client_a, "Threat made in session.", on=IN_RANGE)
    request = _request(ready, **THREAT)
    services.request_review(
        actor=actor(ready.privacy_a),
        request_id=request.id,
        approve=True,
        reason="Serious, imminent, identifiable victim.",
        answers=THREAT_ANSWERS,
    )
    packet = packets.packet_build(actor=actor(ready.worker_a), request_id=request.id)
    packets.redactions_decide(actor=actor(ready.worker_a), packet_id=packet.id, choices={})
    done = print_release(actor(ready.worker_a), request.id)
    assert done.pdf is not None
    text = _pdf_text(done.pdf)
    assert b"1984-03-09" not in text
    assert b"not needed for this recipient" in text


def test_a_release_revoked_after_the_decision_stops_the_disclosure(ready: World) -> None:
    from confide.releases import services as releases

    on_file = signed(
        actor(ready.worker_a),
        ready.client_a.id,
        complete(ReleaseKind.PSYCHOTHERAPY_NOTES, purpose="treatment"),
    )
    today = clock.today()
    signed_note(ready.worker_a, ready.client_a, "Mine.", on=today, kind="psychotherapy")
    request = _request(ready, categories=["psychotherapy_notes"], date_from=today, date_to=today)
    assert request.status == RequestStatus.READY
    packets.packet_build(actor=actor(ready.worker_a), request_id=request.id)
    releases.release_revoke(actor=actor(ready.worker_a), release_id=on_file.id)
    mark = ledger_mark()
    with pytest.raises(NotReleasable, match="no longer usable"):
        print_release(actor(ready.worker_a), request.id)
    with pytest.raises(NotReleasable, match="no longer usable"):
        packets.packet_build(actor=actor(ready.worker_a), request_id=request.id)
    assert events_since(mark) == []
    assert Delivery.objects.count() == 0


def test_a_damaged_ciphertext_is_a_clear_error_not_a_crash(ready: World) -> None:
    from confide.records.errors import RecordUnreadable

    request = _request(ready)
    packets.packet_build(actor=actor(ready.worker_a), request_id=request.id)
    DisclosureRequest.objects.filter(id=request.id).update(recipient_enc=b"\x01damaged")
    mark = ledger_mark()
    with pytest.raises(RecordUnreadable):
        selectors.request_get(actor=actor(ready.worker_a), request_id=request.id)
    with pytest.raises(RecordUnreadable):
        print_release(actor(ready.worker_a), request.id)
    assert events_since(mark) == []
    assert AccountingEntry.objects.count() == Delivery.objects.count() == 0


def test_no_disclosure_table_or_event_holds_names_or_free_text_in_clear(ready: World) -> None:
    from confide.disclosures.models import Redaction
    from confide.ledger.models import Event

    signed_note(ready.worker_a, ready.client_a, OTHER_PERSON, on=IN_RANGE)
    request = _request(ready, **THREAT, extra_names="Okonkwo Adaeze")
    services.request_review(
        actor=actor(ready.privacy_a),
        request_id=request.id,
        approve=False,
        reason="Vague threat against Okonkwo; no plan.",
    )
    treatment = _request(ready)
    packet = packets.packet_build(actor=actor(ready.worker_a), request_id=treatment.id)
    packets.redactions_decide(
        actor=actor(ready.worker_a),
        packet_id=packet.id,
        choices={str(r.id): "accepted" for r in packet.redactions.all()},
    )
    release.release(
        actor=actor(ready.worker_a),
        request_id=treatment.id,
        method="verbal",
        notice=release.Notice(exception="safety", reason="Partner Okonkwo reads her mail."),
        summary="Told Dr. Imogen Vale about Tomas Reyes.",
        disclosed_at=dt.datetime.now(dt.UTC),
    )
    rows = [
        *DisclosureRequest.objects.values(),
        *ReleasePacket.objects.values(),
        *Redaction.objects.values(),
        *Delivery.objects.values(),
        *AccountingEntry.objects.values(),
        *Event.objects.values("details", "reason"),
    ]
    flat = repr(rows).encode()
    for secret in (b"Okonkwo", b"Imogen", b"Tomas", b"Quenby", b"415-555", b"Partner", b"Vague"):
        assert secret not in flat, secret


def test_a_warnings_accounting_entry_names_the_rule_that_allowed_it_first(ready: World) -> None:
    request = _request(ready, **THREAT)
    services.request_review(
        actor=actor(ready.privacy_a),
        request_id=request.id,
        approve=True,
        reason="A specific threat against a named person.",
        answers=THREAT_ANSWERS,
    )
    release.release(
        actor=actor(ready.worker_a),
        request_id=request.id,
        method="verbal",
        notice=release.Notice(),
        summary="Warned them by phone.",
        disclosed_at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5),
    )
    entry = accounting.accounting_report(
        actor=actor(ready.privacy_a), client_id=ready.client_a.id
    ).entries[0]
    cites = entry.legal_basis.split("; ")
    assert cites[0].startswith("45 CFR 164.512(j)")  # the serious-threat permission decided
    decided = DisclosureRequest.objects.get(id=request.id).decisions["mental_health_general"]
    whole = decided["decision"]["citations"]
    assert cites == whole[: len(cites)] or cites[:-1] == whole[: len(cites) - 1]
    assert len(entry.legal_basis) <= accounting.MAX_LEGAL_BASIS


# ---- minimum necessary: the releaser leaves out notes the purpose does not need -----------------


def test_a_releaser_leaves_out_a_note_and_its_proposals_and_it_is_on_the_ledger(
    ready: World,
) -> None:
    named = signed_note(ready.worker_a, ready.client_a, OTHER_PERSON, on=IN_RANGE)
    plain = signed_note(ready.worker_a, ready.client_a, "Benefits paperwork.", on=IN_RANGE)
    request = _request(ready)
    packet = packets.packet_build(actor=actor(ready.worker_a), request_id=request.id)
    assert set(packet.note_ids) == {str(named.id), str(plain.id)}
    proposals = list(packet.redactions.all())  # on the note that names another person
    assert proposals
    assert {str(r.note_id) for r in proposals} == {str(named.id)}
    mark = ledger_mark()
    kept = packets.redactions_decide(
        actor=actor(ready.worker_a),
        packet_id=packet.id,
        choices={str(r.id): "accepted" for r in proposals},  # their note now goes: ignored
        leave_out=[str(named.id)],
    )
    assert kept.note_ids == [str(plain.id)]
    assert kept.withheld == {"left_out": 1}
    assert kept.status == "approved"  # nothing left to decide
    assert not kept.redactions.exists()
    left = Event.objects.get(event_type=EventType.PACKET_NOTES_LEFT_OUT)
    assert left.details == {"notes": [str(named.id)]}
    assert left in events_since(mark)
    done = print_release(actor(ready.worker_a), request.id)
    assert done.delivery.packet_id == packet.id
    with pytest.raises(NotReleasable, match="already released"):
        packets.redactions_decide(
            actor=actor(ready.worker_a), packet_id=packet.id, choices={},
            leave_out=[str(plain.id)],
        )  # fmt: skip


@pytest.mark.parametrize("bad", [["not-a-note"], [str(uuid.uuid4())], "every"])
def test_leaving_out_a_stranger_or_every_note_is_refused_and_changes_nothing(
    ready: World, bad: Any
) -> None:
    note = signed_note(ready.worker_a, ready.client_a, "Plan reviewed.", on=IN_RANGE)
    request = _request(ready)
    packet = packets.packet_build(actor=actor(ready.worker_a), request_id=request.id)
    out = [str(note.id)] if bad == "every" else bad
    with pytest.raises(ValidationFailed) as failed:
        packets.redactions_decide(
            actor=actor(ready.worker_a), packet_id=packet.id, choices={}, leave_out=out
        )
    assert "leave_out" in failed.value.fields
    assert ReleasePacket.objects.get(id=packet.id).note_ids == [str(note.id)]
