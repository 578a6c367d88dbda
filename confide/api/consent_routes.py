"""The consent endpoints: thin calls to confide.consent's services and selectors, which hold
every rule, access decision and ledger event.

Path ids are plain strings so a malformed id, a forged one, another agency's and a missing one
all reach the lookup and get the same 404. Bodies reject unknown fields and check shape and size
only; domain problems come back as 422 naming each field.
"""

from __future__ import annotations

import datetime as dt
from uuid import UUID

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from confide.api.auth import actor_of
from confide.api.schemas import ErrorOut, InputSchema
from confide.consent import selectors, services
from confide.consent import validation as check
from confide.consent.enums import (
    AuthorityScope,
    Channel,
    ClientDecision,
    ContactKind,
    Language,
    MayBeTold,
    RecipientKind,
    RepresentativeKind,
)
from confide.consent.selectors import (
    AcknowledgementRow,
    ContactRow,
    DisclosureRestrictionRow,
    PreferenceRow,
    RepresentativeRow,
)

router = Router(tags=["consent"])

READ: dict[int, type[ErrorOut]] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
WRITE: dict[int, type[ErrorOut]] = {**READ, 409: ErrorOut}
MAX_SIGNATURE_CHARS = 400_000


# ---- bodies ------------------------------------------------------------------------------------


class PersonIn(InputSchema):
    name: str = Field(max_length=check.MAX_NAME)
    relationship: str = Field(default="", max_length=check.MAX_SHORT)
    phone: str = Field(default="", max_length=check.MAX_SHORT)
    email: str = Field(default="", max_length=check.MAX_SHORT)
    address: str = Field(default="", max_length=check.MAX_ADDRESS)

    def as_input(self) -> services.PersonInput:
        return services.PersonInput(
            self.name, self.relationship, self.phone, self.email, self.address
        )


class PreferenceIn(InputSchema):
    channel: Channel
    allowed: bool
    leave_message: bool = False
    address: str = Field(default="", max_length=check.MAX_ADDRESS)
    safe_times: str = Field(default="", max_length=check.MAX_SHORT)


class AcknowledgementIn(InputSchema):
    notice_id: UUID
    typed_name: str = Field(max_length=check.MAX_NAME)
    signature: str | None = Field(
        default=None,
        max_length=MAX_SIGNATURE_CHARS,
        description="A drawn signature as a data:image/png;base64 URL; omit for a typed name only.",
    )


class ContactIn(InputSchema):
    kind: ContactKind
    person: PersonIn
    decision: ClientDecision
    may_be_told: list[MayBeTold] = Field(default_factory=list, max_length=len(MayBeTold))


class ContactDecisionIn(InputSchema):
    decision: ClientDecision
    may_be_told: list[MayBeTold] = Field(default_factory=list, max_length=len(MayBeTold))


class RepresentativeIn(InputSchema):
    kind: RepresentativeKind
    scope: list[AuthorityScope] = Field(max_length=len(AuthorityScope))
    person: PersonIn
    authority: str = Field(max_length=check.MAX_DESCRIPTION)
    starts_on: dt.date
    ends_on: dt.date | None = None


class RepresentativeEndIn(InputSchema):
    reason: str = Field(max_length=32, description=", ".join(services.END_REASONS))


class DisclosureLimitIn(InputSchema):
    recipient_kind: RecipientKind
    recipient: str = Field(max_length=check.MAX_SHORT)
    information: str = Field(max_length=check.MAX_DESCRIPTION)
    paid_in_full: bool = False


class DecideIn(InputSchema):
    agree: bool


class NoticeTextIn(InputSchema):
    title: str = Field(max_length=check.MAX_NOTICE_TITLE)
    body: str = Field(max_length=check.MAX_NOTICE_BODY)


class NoticePublishIn(InputSchema):
    material: bool
    texts: dict[Language, NoticeTextIn] = Field(max_length=len(Language))


# ---- answers -----------------------------------------------------------------------------------


class NoticeStatusOut(Schema):
    current_version: int | None
    acknowledged_version: int | None
    acknowledged_at: dt.datetime | None
    needs_acknowledgement: bool
    reason: str


class ConsentRecordOut(Schema):
    client_id: UUID
    notice: NoticeStatusOut
    acknowledgements: list[AcknowledgementRow]
    contacts: list[ContactRow]
    preferences: list[PreferenceRow]
    representatives: list[RepresentativeRow]
    disclosure_restrictions: list[DisclosureRestrictionRow]


class CreatedOut(Schema):
    id: UUID
    status: str = ""


class NoticeOut(Schema):
    id: UUID
    version: int
    language: str
    title: str
    body: str
    material: bool


class MinorConsentOut(Schema):
    state: str
    service: str
    min_age: int | None
    session_limit: int | None
    parental_access: str
    citation: str
    source: str
    verified: bool


# ---- one client's consent record ----------------------------------------------------------------


@router.get("/clients/{client_id}", response={200: ConsentRecordOut, **READ})
def consent_record(request: HttpRequest, client_id: str) -> ConsentRecordOut:
    """Notice acknowledgements, contacts, contact preferences, representatives and limits on
    disclosure, decrypted, for the client's care team."""
    record = selectors.consent_record_get(actor=actor_of(request), client_id=client_id)
    return ConsentRecordOut.model_validate(record, from_attributes=True)


@router.get("/clients/{client_id}/notice", response={200: NoticeStatusOut, **READ})
def notice_status(request: HttpRequest, client_id: str) -> NoticeStatusOut:
    """Whether the client acknowledged the current notice (care team and intake)."""
    status = selectors.notice_status(actor=actor_of(request), client_id=client_id)
    return NoticeStatusOut.model_validate(status, from_attributes=True)


@router.put("/clients/{client_id}/preferences", response={200: CreatedOut, **WRITE})
def preference_set(request: HttpRequest, client_id: str, payload: PreferenceIn) -> CreatedOut:
    """How the client may be reached on one channel; replaces what was recorded."""
    saved = services.communication_preference_set(
        actor=actor_of(request),
        client_id=client_id,
        channel=payload.channel.value,
        allowed=payload.allowed,
        leave_message=payload.leave_message,
        address=payload.address,
        safe_times=payload.safe_times,
    )
    return CreatedOut(id=saved.id)


@router.post("/clients/{client_id}/acknowledgements", response={201: CreatedOut, **WRITE})
def acknowledgement_record(
    request: HttpRequest, client_id: str, payload: AcknowledgementIn
) -> Status[CreatedOut]:
    """The client's acknowledgement of the current notice; the caller is the witness."""
    ack = services.acknowledgement_record(
        actor=actor_of(request),
        client_id=client_id,
        notice_id=payload.notice_id,
        typed_name=payload.typed_name,
        signature=payload.signature,
    )
    return Status(201, CreatedOut(id=ack.id, status=ack.signature_kind))


@router.post("/clients/{client_id}/contacts", response={201: CreatedOut, **WRITE})
def contact_add(request: HttpRequest, client_id: str, payload: ContactIn) -> Status[CreatedOut]:
    """Someone involved in the client's care, and what the client agreed they may be told."""
    contact = services.contact_add(
        actor=actor_of(request),
        client_id=client_id,
        kind=payload.kind.value,
        person=payload.person.as_input(),
        may_be_told=[v.value for v in payload.may_be_told],
        decision=payload.decision.value,
    )
    return Status(201, CreatedOut(id=contact.id, status=contact.decision))


@router.post("/contacts/{contact_id}/decision", response={200: CreatedOut, **WRITE})
def contact_decide(request: HttpRequest, contact_id: str, payload: ContactDecisionIn) -> CreatedOut:
    """The client's new answer about a contact."""
    contact = services.contact_decide(
        actor=actor_of(request),
        contact_id=contact_id,
        decision=payload.decision.value,
        may_be_told=[v.value for v in payload.may_be_told],
    )
    return CreatedOut(id=contact.id, status=contact.decision)


@router.post("/contacts/{contact_id}/end", response={200: CreatedOut, **WRITE})
def contact_end(request: HttpRequest, contact_id: str) -> CreatedOut:
    """Remove a contact from the client's list (kept for the record)."""
    contact = services.contact_end(actor=actor_of(request), contact_id=contact_id)
    return CreatedOut(id=contact.id, status="ended")


@router.post("/clients/{client_id}/representatives", response={201: CreatedOut, **WRITE})
def representative_add(
    request: HttpRequest, client_id: str, payload: RepresentativeIn
) -> Status[CreatedOut]:
    """A parent, guardian, conservator or agent, with the scope and basis of their authority."""
    rep = services.representative_add(
        actor=actor_of(request),
        client_id=client_id,
        kind=payload.kind.value,
        scope=[s.value for s in payload.scope],
        person=payload.person.as_input(),
        authority=payload.authority,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
    )
    return Status(201, CreatedOut(id=rep.id))


@router.post("/representatives/{representative_id}/end", response={200: CreatedOut, **WRITE})
def representative_end(
    request: HttpRequest, representative_id: str, payload: RepresentativeEndIn
) -> CreatedOut:
    """Stop treating someone as the client's representative."""
    rep = services.representative_end(
        actor=actor_of(request), representative_id=representative_id, reason=payload.reason
    )
    return CreatedOut(id=rep.id, status="ended")


@router.post("/clients/{client_id}/disclosure-limits", response={201: CreatedOut, **WRITE})
def disclosure_limit_request(
    request: HttpRequest, client_id: str, payload: DisclosureLimitIn
) -> Status[CreatedOut]:
    """A request not to disclose some information to someone; the self-pay health plan one is
    agreed at once."""
    restriction = services.disclosure_restriction_request(
        actor=actor_of(request),
        client_id=client_id,
        recipient_kind=payload.recipient_kind.value,
        recipient=payload.recipient,
        information=payload.information,
        paid_in_full=payload.paid_in_full,
    )
    return Status(201, CreatedOut(id=restriction.id, status=restriction.status))


@router.post("/disclosure-limits/{restriction_id}/decide", response={200: CreatedOut, **WRITE})
def disclosure_limit_decide(
    request: HttpRequest, restriction_id: str, payload: DecideIn
) -> CreatedOut:
    """Agree to or deny a request (privacy officers)."""
    restriction = services.disclosure_restriction_decide(
        actor=actor_of(request), restriction_id=restriction_id, agree=payload.agree
    )
    return CreatedOut(id=restriction.id, status=restriction.status)


@router.post("/disclosure-limits/{restriction_id}/end", response={200: CreatedOut, **WRITE})
def disclosure_limit_end(request: HttpRequest, restriction_id: str) -> CreatedOut:
    """End an agreed limit (privacy officers)."""
    restriction = services.disclosure_restriction_end(
        actor=actor_of(request), restriction_id=restriction_id
    )
    return CreatedOut(id=restriction.id, status=restriction.status)


# ---- the agency's notice and the state table ---------------------------------------------------


@router.get("/notices/current", response={200: list[NoticeOut], 401: ErrorOut})
def notices_current(request: HttpRequest) -> list[NoticeOut]:
    """The current version of the agency's notice, one text per language (no client data)."""
    notices = selectors.current_notices(actor_of(request).agency_id)
    return [NoticeOut.model_validate(n, from_attributes=True) for _, n in sorted(notices.items())]


@router.post("/notices", response={201: list[NoticeOut], **WRITE})
def notice_publish(request: HttpRequest, payload: NoticePublishIn) -> Status[list[NoticeOut]]:
    """Publish a new version (privacy officers). `material` asks clients to acknowledge again."""
    notices = services.notice_publish(
        actor=actor_of(request),
        texts={lang.value: (t.title, t.body) for lang, t in payload.texts.items()},
        material=payload.material,
    )
    return Status(201, [NoticeOut.model_validate(n, from_attributes=True) for n in notices])


@router.get("/minor-consent", response={200: list[MinorConsentOut], 401: ErrorOut})
def minor_consent(request: HttpRequest, state: str | None = None) -> list[MinorConsentOut]:
    """Services a minor may consent to alone, by state, with sources."""
    actor_of(request)
    rows = selectors.minor_consent_domains(state.upper()[:2] if state else None)
    return [MinorConsentOut.model_validate(r, from_attributes=True) for r in rows]
