"""Writes the synthetic demo into the database through the ordinary services.

Every row is written by the same services the application uses (staff_create, client_create,
case_create, note_create, note_sign), so the demo's ciphertext, blind indexes and ledger events
are exactly what real use would produce. Nothing here deletes: the ledger is append-only, so the
demo is loaded once per database (a fresh database starts over).

Riverbend also gets one of each access control to look at (`_seed_access`): a practitioner
designated for domestic-violence locations, a trainee, a client whose address is protected
(`dv_location`), a conflict wall, an agreed restriction and one awaiting a privacy officer.
Its disclosures (`_seed_disclosures`): a duty-to-warn request waiting for review, a referral
ready to build into a packet, and two disclosures already made and accounted for (one in the
accounting the client receives, one excluded from it as treatment).
"""

from __future__ import annotations

import base64
import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from uuid import UUID

from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from confide.accounts.actors import actor_for
from confide.accounts.models import Agency, Program, Team, User
from confide.accounts.services import staff_create, staff_update_access
from confide.consent import services as consent
from confide.consent.enums import RestrictionKind
from confide.consent.models import Notice
from confide.consent.services import restriction_decide, restriction_request
from confide.core import clock
from confide.core.actor import Actor
from confide.core.enums import Label, Role
from confide.demo.data import NoteMix, NotePlan, client_input, note_plans, person_name
from confide.ledger import services as ledger
from confide.ledger.enums import EventType
from confide.portal import demo as portal_demo
from confide.records import services as records
from confide.records.enums import NoteKind
from confide.records.models import Case, Client
from confide.releases import services as releases
from confide.releases.enums import ReleaseKind, Statement
from confide.releases.validation import ReleaseInput, SignatureInput
from confide.retention import services as retention
from confide.training.enums import Relationship
from confide.training.services import conflict_declare, training_record

if TYPE_CHECKING:
    from confide.disclosures.models import DisclosureRequest

DEMO_PASSWORD = "confide-demo-password"  # noqa: S105 - printed on purpose: demo accounts only
ROLE_ORDER = (
    Role.PRACTITIONER,
    Role.SUPERVISOR,
    Role.PRIVACY_OFFICER,
    Role.ADMINISTRATOR,
    Role.INTAKE,
)

Progress = Callable[[int, int, int], None]


@dataclass(frozen=True)
class ProgramSpec:
    name: str
    teams: tuple[str, ...]
    is_part2: bool = False
    youth: bool = False


@dataclass(frozen=True)
class AgencySpec:
    slug: str
    name: str
    short: str
    prefix: str
    domain: str
    programs: tuple[ProgramSpec, ...]


AGENCIES = (
    AgencySpec(
        slug="demo-riverbend",
        name="Riverbend Family Services (demo)",
        short="Riverbend",
        prefix="RB",
        domain="riverbend.example",
        programs=(
            ProgramSpec("Family support", ("North family team", "South family team")),
            ProgramSpec("Youth services", ("Youth team",), youth=True),
        ),
    ),
    AgencySpec(
        slug="demo-harborlight",
        name="Harborlight Community Health (demo)",
        short="Harborlight",
        prefix="HL",
        domain="harborlight.example",
        programs=(
            ProgramSpec("Community outreach", ("East outreach team", "West outreach team")),
            ProgramSpec("Recovery services", ("Recovery team",), is_part2=True),
        ),
    ),
)
DEMO_SLUGS = frozenset(spec.slug for spec in AGENCIES)


@dataclass(frozen=True)
class Size:
    """How much to generate. `exact` gives every client exactly `notes_per_client` notes."""

    clients: int = 200
    notes_per_client: int = 10
    exact: bool = False
    mix: NoteMix = field(default_factory=NoteMix)
    batch: int = 25


@dataclass
class TeamCaseload:
    """A team and who writes in its cases."""

    team: Team
    spec: ProgramSpec
    practitioners: list[Actor]
    supervisor: Actor


@dataclass
class AgencySetup:
    agency: Agency
    spec: AgencySpec
    intake: Actor
    teams: list[TeamCaseload]
    cases: int = 0


@dataclass(frozen=True)
class Counts:
    clients: int
    notes: int
    signed: int


@dataclass(frozen=True)
class SignIn:
    email: str
    role: str
    agency: str
    totp_base32: str


def demo_loaded() -> bool:
    return Agency.objects.filter(slug__in=DEMO_SLUGS).exists()


def totp_base32(device: TOTPDevice) -> str:
    """The device secret as an authenticator app expects it (RFC 4648 base32, no padding)."""
    return base64.b32encode(device.bin_key).decode().rstrip("=")


def _enrol_totp(user: User) -> None:
    TOTPDevice.objects.create(user=user, name="Demo authenticator", confirmed=True)
    ledger.record(
        actor=None,
        event_type=EventType.MFA_ENROLLED,
        agency_id=user.agency_id,
        subject_type="user",
        subject_id=user.id,
        channel="cli",
        details={"demo": True},
    )


def _staff(rng: random.Random, agency: Agency, email: str, role: Role, teams: list[Team]) -> User:
    user = staff_create(
        agency=agency,
        email=email,
        display_name=person_name(rng),
        role=role,
        password=DEMO_PASSWORD,
        teams=teams,
    )
    _enrol_totp(user)
    return user


def _record_training(rng: random.Random, agency: Agency, admin: Actor) -> None:
    """Every demo staff member completed confidentiality training in the past few months."""
    today = clock.today()
    for user in User.objects.filter(agency=agency).order_by("email"):
        completed = today - dt.timedelta(days=rng.randint(10, 200))
        training_record(actor=admin, user_id=user.id, completed_on=completed)


def _cli_actor(user: User) -> Actor:
    return actor_for(user, channel="cli", mfa_verified=True)


def _teams(agency: Agency, spec: AgencySpec) -> list[tuple[Team, ProgramSpec]]:
    teams = []
    for program_spec in spec.programs:
        program = Program.objects.create(
            agency=agency, name=program_spec.name, is_part2=program_spec.is_part2
        )
        for name in program_spec.teams:
            teams.append(
                (Team.objects.create(agency=agency, program=program, name=name), program_spec)
            )
    return teams


def _agency_setup(rng: random.Random, spec: AgencySpec) -> AgencySetup:
    """The agency, its programs and teams, and one or more staff in every role."""
    agency = Agency.objects.create(name=spec.name, slug=spec.slug, case_number_prefix=spec.prefix)
    teams = _teams(agency, spec)
    all_teams = [team for team, _ in teams]
    # One practitioner per team, plus a second on the first team (two writers in one caseload).
    homes = [*all_teams, all_teams[0]]
    workers = [
        _staff(rng, agency, f"practitioner{i}@{spec.domain}", Role.PRACTITIONER, [team])
        for i, team in enumerate(homes, start=1)
    ]
    supervisor_user = _staff(rng, agency, f"supervisor@{spec.domain}", Role.SUPERVISOR, all_teams)
    _staff(rng, agency, f"privacy@{spec.domain}", Role.PRIVACY_OFFICER, [])
    admin = _staff(rng, agency, f"admin@{spec.domain}", Role.ADMINISTRATOR, [])
    intake = _staff(rng, agency, f"intake@{spec.domain}", Role.INTAKE, [])
    User.objects.filter(id__in=[w.id for w in workers]).update(supervisor_id=supervisor_user.id)
    _record_training(rng, agency, _cli_actor(admin))
    supervisor = _cli_actor(supervisor_user)  # actors after training: they carry its status
    caseloads = [
        TeamCaseload(
            team=team,
            spec=program_spec,
            supervisor=supervisor,
            practitioners=[
                _cli_actor(w) for w, home in zip(workers, homes, strict=True) if home == team
            ],
        )
        for team, program_spec in teams
    ]
    return AgencySetup(agency=agency, spec=spec, intake=_cli_actor(intake), teams=caseloads)


def _note_count(rng: random.Random, size: Size) -> int:
    if size.exact:
        return size.notes_per_client
    mean = size.notes_per_client
    return rng.randint(max(mean // 2, 1), mean + mean // 2)


def _write_note(author: Actor, case_id: object, plan: NotePlan) -> bool:
    note = records.note_create(
        actor=author,
        case_id=str(case_id),
        kind=plan.kind.value,
        body=plan.body,
        labels=plan.labels,
        occurred_on=plan.occurred_on,
    )
    if plan.sign:
        records.note_sign(actor=author, note_id=note.id, expected_version=note.version)
    return plan.sign


def _author(rng: random.Random, caseload: TeamCaseload, primary: Actor, plan: NotePlan) -> Actor:
    # Psychotherapy notes are the primary worker's own; others are sometimes by colleagues.
    if plan.kind == NoteKind.PSYCHOTHERAPY or rng.random() < 0.8:
        return primary
    return rng.choice([*caseload.practitioners, caseload.supervisor])


def _load_client(
    rng: random.Random, setup: AgencySetup, number: int, size: Size, today: dt.date
) -> tuple[int, int]:
    """One client, one case on a team, and its notes. Returns (notes written, notes signed)."""
    caseload = setup.teams[setup.cases % len(setup.teams)]
    setup.cases += 1
    data = client_input(rng, number, today=today, minor=caseload.spec.youth)
    client = records.client_create(actor=setup.intake, agency=setup.agency, data=data)
    opened = today - dt.timedelta(days=rng.randint(21, 900))
    case = records.case_create(
        actor=setup.intake,
        client=client,
        team=caseload.team,
        case_number=f"{setup.spec.prefix}-{setup.cases:05d}",
        opened_on=opened,
    )
    mix = NoteMix(
        psychotherapy=size.mix.psychotherapy,
        draft_rate=size.mix.draft_rate,
        part2=caseload.spec.is_part2,
        youth=caseload.spec.youth,
    )
    plans = note_plans(rng, _note_count(rng, size), opened_on=opened, today=today, mix=mix)
    primary = rng.choice(caseload.practitioners)
    signed = sum(_write_note(_author(rng, caseload, primary, p), case.id, p) for p in plans)
    return len(plans), signed


def _first_cases(setup: AgencySetup) -> list[Case | None]:
    """The first case of each of the agency's teams, in setup order (None where none yet)."""
    cases = list(
        Case.objects.filter(agency=setup.agency).select_related("client").order_by("case_number")
    )
    return [next((c for c in cases if c.team_id == t.team.id), None) for t in setup.teams]


def _label_client(actor: Actor, client: Client, label: Label) -> None:
    Client.objects.filter(id=client.id).update(labels=[label.value])
    ledger.record(
        actor=actor,
        event_type=EventType.CLIENT_UPDATED,
        subject_type="client",
        subject_id=client.id,
        client_id=client.id,
        details={"labels": [label.value]},
    )


def _seed_access(setup: AgencySetup) -> None:
    """One of each access control, written through the services, chosen so that no
    practitioner loses a client (the end-to-end test opens practitioner1's first client)."""
    people = {u.email.split("@")[0]: u for u in User.objects.filter(agency=setup.agency)}
    admin, privacy = _cli_actor(people["admin"]), _cli_actor(people["privacy"])
    staff_update_access(actor=admin, user_id=people["practitioner1"].id, dv_designated=True)
    staff_update_access(actor=admin, user_id=people["practitioner3"].id, is_trainee=True)
    first = _first_cases(setup)
    if first and first[0] is not None:
        _label_client(setup.teams[0].practitioners[0], first[0].client, Label.DV_LOCATION)
        conflict_declare(
            actor=setup.teams[0].supervisor,
            client_id=first[0].client_id,
            relationship=Relationship.NEIGHBOUR,
        )
    if len(first) > 1 and first[1] is not None:
        asked = restriction_request(
            actor=setup.teams[1].practitioners[0],
            client_id=first[1].client_id,
            kind=RestrictionKind.NOT_STAFF,
            staff_id=people["intake"].id,
        )
        restriction_decide(actor=privacy, restriction_id=asked.id, agree=True)
    if len(first) > 2 and first[2] is not None:
        restriction_request(
            actor=setup.teams[2].practitioners[0],
            client_id=first[2].client_id,
            kind=RestrictionKind.NOT_PROGRAM,
            program_id=setup.teams[0].team.program_id,
        )


def _seed_consent(setups: list[AgencySetup]) -> None:
    """Each agency publishes the shipped notice (English and Spanish); Riverbend's first
    clients get acknowledgements, contacts, contact preferences, a guardian and a self-pay
    limit on what their health plan is told."""
    for setup in setups:
        privacy = User.objects.get(agency=setup.agency, email__startswith="privacy@")
        consent.notice_publish(
            actor=_cli_actor(privacy), texts=consent.shipped_notice_texts(), material=True
        )
    setup = setups[0]
    english, spanish = (
        next(n for n in _published(setup) if n.language == lang) for lang in ("en", "es")
    )
    cases = [c for c in _first_cases(setup)[1:] if c is not None]
    for index, case in enumerate(cases):
        worker = next(t.practitioners[0] for t in setup.teams if t.team.id == case.team_id)
        # The first of these clients asked that intake not use their record (_seed_access).
        witness = setup.intake if index == 1 else worker
        consent.acknowledgement_record(
            actor=witness,
            client_id=case.client_id,
            notice_id=(spanish if index % 2 else english).id,
            typed_name=f"Client of case {case.case_number}",
        )
        _seed_people(worker, case, index)


def _published(setup: AgencySetup) -> list[Notice]:
    return list(Notice.objects.filter(agency=setup.agency))


def _seed_people(worker: Actor, case: Case, index: int) -> None:
    client_id = case.client_id
    consent.contact_add(
        actor=worker,
        client_id=client_id,
        kind="family",
        person=consent.PersonInput(name="Dana Rivers", relationship="sister", phone="555-0140"),
        may_be_told=["appointments", "emergency"],
        decision="agreed",
    )
    consent.contact_add(
        actor=worker,
        client_id=client_id,
        kind="family",
        person=consent.PersonInput(name="Sam Rivers", relationship="former partner"),
        may_be_told=[],
        decision="objected",
    )
    consent.communication_preference_set(
        actor=worker, client_id=client_id, channel="mail", allowed=False
    )
    consent.communication_preference_set(
        actor=worker,
        client_id=client_id,
        channel="phone",
        allowed=True,
        leave_message=False,
        address="555-0188 (work cell)",
        safe_times="Weekdays 9 to 12",
    )
    if index == 0:
        consent.representative_add(
            actor=worker,
            client_id=client_id,
            kind="guardian",
            scope=["all_health_care"],
            person=consent.PersonInput(name="Morgan Hale", relationship="legal guardian"),
            authority="Letters of guardianship (demo)",
            starts_on=case.opened_on,
        )
        consent.disclosure_restriction_request(
            actor=worker,
            client_id=client_id,
            recipient_kind="health_plan",
            recipient="Riverbend Community Health Plan",
            information="Counselling sessions the client paid for in full",
            paid_in_full=True,
        )


def _demo_release(worker: Actor, client_id: UUID, sign: bool = True, **terms: Any) -> UUID:
    """A release through the services, complete for its kind, signed unless told otherwise."""
    start = clock.today() - dt.timedelta(days=20)
    base: dict[str, Any] = {
        "kind": ReleaseKind.HIPAA_AUTHORIZATION,
        "recipient_type": "health_care_provider",
        "recipient_name": "Lakeside Family Clinic (synthetic)",
        "recipient_contact": "Records office, 12 Lake Road",
        "discloser": "Riverbend counseling team",
        "purpose": "care_coordination",
        "categories": ("general", "mental_health_general"),
        "description": "Intake assessment and progress notes of the last six months",
        "starts_on": start,
        "expires_on": start + dt.timedelta(days=365),
        "statements": tuple(Statement.values),
    }
    data = ReleaseInput(**{**base, **terms})
    release = releases.release_create(actor=worker, client_id=client_id, data=data)
    if sign:
        signature = SignatureInput(signer_name="Client (synthetic demo)", signed_on=start)
        releases.release_sign(actor=worker, release_id=release.id, signature=signature)
    return release.id


def _seed_releases(setup: AgencySetup) -> None:
    """Releases of information on the first client of each of the first two teams: an active
    HIPAA authorization, a draft psychotherapy-notes authorization, a revoked VAWA release, a
    Part 2 single consent for TPO, and an agency release ended by its expiry event."""
    first = _first_cases(setup)
    if first and first[0] is not None:
        worker, client_id = setup.teams[0].practitioners[0], first[0].client_id
        _demo_release(worker, client_id)
        _demo_release(
            worker,
            client_id,
            sign=False,
            kind=ReleaseKind.PSYCHOTHERAPY_NOTES,
            categories=("psychotherapy_notes",),
            description="Psychotherapy notes of the sessions in March",
        )
        vawa = _demo_release(
            worker,
            client_id,
            kind=ReleaseKind.VAWA_RELEASE,
            recipient_type="social_service_agency",
            recipient_name="County housing office (synthetic)",
            purpose="client_directed",
            categories=("dv_victim_pii",),
            description="Name and current shelter contact, for a housing application",
            expires_on=clock.today() + dt.timedelta(days=30),
        )
        releases.release_revoke(actor=worker, release_id=vawa)
    if len(first) > 1 and first[1] is not None:
        worker, client_id = setup.teams[1].practitioners[0], first[1].client_id
        _demo_release(
            worker,
            client_id,
            kind=ReleaseKind.PART2_CONSENT,
            part2_tpo=True,
            purpose="tpo",
            categories=("substance_use_part2",),
            recipient_name="My treating providers and health plan (synthetic)",
            description="Substance use treatment records: assessments, plans, attendance",
            expires_on=None,
        )
        ended = _demo_release(
            worker,
            client_id,
            kind=ReleaseKind.AGENCY_RELEASE,
            recipient_type="employer",
            recipient_name="Northside Works (synthetic)",
            purpose="return_to_work_verification",
            categories=("general",),
            description="Dates of attendance only",
            expires_on=None,
            expiry_event="When the return-to-work plan is agreed",
        )
        releases.release_record_expiry_event(
            actor=worker, release_id=ended, occurred_on=clock.today()
        )


def _seed_retention(setup: AgencySetup) -> None:
    """A California schedule, the last three clients' cases closed long ago (so they are due;
    never a team's first client, which other demo seeds and the browser test use), and a legal
    hold on one of them."""
    people = {u.email.split("@")[0]: u for u in User.objects.filter(agency=setup.agency)}
    privacy = _cli_actor(people["privacy"])
    retention.retention_schedule_set(actor=privacy, state="CA")
    firsts = {c.id for c in _first_cases(setup) if c is not None}
    old = [
        c
        for c in Case.objects.filter(agency=setup.agency).order_by("-case_number")[:6]
        if c.id not in firsts
    ][:3]
    # Their history predates the demo: closed in 2015, so due in 2022 under the CA schedule.
    Case.objects.filter(id__in=[c.id for c in old]).update(
        status="closed", opened_on=dt.date(2013, 5, 1), closed_on=dt.date(2015, 9, 30)
    )
    if old:
        retention.legal_hold_place(
            actor=privacy,
            case_number=old[0].case_number,
            reason="subpoena",
            details="Subpoena duces tecum, County Superior Court (synthetic demo)",
        )


DEMO_STATES = ("NY", "CA")


def _seed_disclosures(setups: list[AgencySetup], today: dt.date) -> None:
    """Each agency's disclosure profile; in the first agency, a duty-to-warn request waiting in
    the reviewers' queue and a treatment referral ready to build into a packet, and, for the
    first client of its second team, two disclosures already made (`_seed_released`)."""
    from confide.disclosures import services as disclosures

    for setup, state in zip(setups, DEMO_STATES, strict=False):
        admin = User.objects.get(agency=setup.agency, email__startswith="admin@")
        disclosures.profile_set(
            actor=_cli_actor(admin), jurisdiction_state=state, entity_type="hipaa_covered_provider"
        )
    first = _first_cases(setups[0])[0]
    if first is None or not setups[0].teams[0].practitioners:
        return
    worker = setups[0].teams[0].practitioners[0]
    base = {
        "description": "Demo request",
        "date_from": today - dt.timedelta(days=365),
        "date_to": today,
    }
    _ask(worker, first.client_id, {**WARNING, **base})
    _ask(worker, first.client_id, {**TREATMENT, "recipient": "Lakeside Family Clinic", **base})
    _seed_released(setups[0], base)


# A warning to someone the client threatened (the engine leaves it for review), and a call to a
# provider about the client's care: the demo's requests, each with its recipient and dates added.
WARNING: dict[str, Any] = {
    "recipient": "Named person the client threatened",
    "recipient_type": "potential_victim",
    "purpose": "prevent_serious_threat",
    "categories": ["mental_health_general"],
    "facts": {"threat": {"present": True}},
}
TREATMENT: dict[str, Any] = {
    "recipient_type": "health_care_provider",
    "purpose": "treatment",
    "categories": ["general"],
}


def _ask(worker: Actor, client_id: UUID, fields: dict[str, Any]) -> DisclosureRequest:
    """A disclosure request made through the service."""
    from confide.disclosures import services as disclosures

    return disclosures.request_create(
        actor=worker, client_id=client_id, data=disclosures.RequestInput(**fields)
    )


def _seed_released(setup: AgencySetup, base: dict[str, Any]) -> None:
    """Two disclosures made by telephone and recorded afterwards, through the whole workflow, so
    the client's accounting of disclosures has one entry the client receives and one excluded
    from it: a warning to a person the client threatened (reviewed and approved by the privacy
    officer first; 45 CFR 164.512(j)) and a call to the client's physician about their care
    (treatment, which the accounting leaves out)."""
    from confide.disclosures import release
    from confide.disclosures import services as disclosures

    cases = _first_cases(setup)
    if len(cases) < 2 or cases[1] is None or not setup.teams[1].practitioners:
        return
    worker, client_id = setup.teams[1].practitioners[0], cases[1].client_id
    privacy = _cli_actor(User.objects.get(agency=setup.agency, email__startswith="privacy@"))
    warning = _ask(
        worker,
        client_id,
        {**WARNING, **base, "description": "To warn them of the client's threat against them"},
    )
    disclosures.request_review(
        actor=privacy,
        request_id=warning.id,
        approve=True,
        reason="A specific threat against a named person; warn them as state law allows.",
        answers={
            "threat": {
                "present": True,
                "serious": True,
                "imminent": True,
                "target": "third_party",
                "victim_reasonably_identifiable": True,
            },
            "professional_role": "LCSW",
        },
    )
    treatment = _ask(
        worker,
        client_id,
        {
            **TREATMENT,
            **base,
            "recipient": "Dr. Amara Lindqvist, the client's physician",
            "description": "To coordinate the client's care with their physician",
        },
    )
    called = clock.now() - dt.timedelta(hours=1)
    for request_id, summary in (
        (warning.id, "Told them of the threat and advised them to contact the police."),
        (treatment.id, "Discussed the medication change and the next appointment."),
    ):
        release.release(
            actor=worker,
            request_id=request_id,
            method="verbal",
            notice=release.Notice(),
            summary=summary,
            disclosed_at=called,
        )


def _seed_portal(setup: AgencySetup) -> None:
    """The client with the releases (_seed_releases) gets an active portal account with the demo
    password and an enrolled authenticator, printed with the sign-ins (`portal_signins`)."""
    first = _first_cases(setup)
    if first and first[0] is not None:
        portal_demo.demo_account_create(
            actor=setup.teams[0].practitioners[0],
            client_id=first[0].client_id,
            password=DEMO_PASSWORD,
        )


def portal_signins() -> list[portal_demo.PortalSignIn]:
    """The demo clients' portal sign-ins (the demo agencies only)."""
    agencies = Agency.objects.filter(slug__in=DEMO_SLUGS).values_list("id", flat=True)
    return portal_demo.demo_sign_ins(agencies)


def load_demo(size: Size, *, seed: int = 2025, progress: Progress | None = None) -> Counts:
    """Create both demo agencies and their records. Each batch of clients is one transaction."""
    rng = random.Random(seed)
    today = clock.today()
    with transaction.atomic():
        setups = [_agency_setup(rng, spec) for spec in AGENCIES]
    notes = signed = done = 0
    while done < size.clients:
        with transaction.atomic():
            for number in range(done, min(done + size.batch, size.clients)):
                written, ok = _load_client(
                    rng, setups[number % len(setups)], number + 1, size, today
                )
                notes, signed = notes + written, signed + ok
        done = min(done + size.batch, size.clients)
        if progress is not None:
            progress(done, size.clients, notes)
    with transaction.atomic():
        _seed_access(setups[0])
    with transaction.atomic():
        _seed_consent(setups)
    with transaction.atomic():
        _seed_releases(setups[0])
    with transaction.atomic():
        _seed_portal(setups[0])
    with transaction.atomic():
        _seed_retention(setups[0])
    with transaction.atomic():
        _seed_disclosures(setups, today)
    return Counts(clients=size.clients, notes=notes, signed=signed)


def signins() -> list[SignIn]:
    """Every demo staff member with their TOTP secret, agency by agency, role by role."""
    order = {role.value: i for i, role in enumerate(ROLE_ORDER)}
    shorts = {spec.slug: spec.short for spec in AGENCIES}
    agency_order = {spec.short: i for i, spec in enumerate(AGENCIES)}
    users = User.objects.filter(agency__slug__in=DEMO_SLUGS).select_related("agency")
    devices = {d.user_id: d for d in TOTPDevice.objects.filter(user__in=users, confirmed=True)}
    rows = [
        SignIn(
            email=u.email,
            role=u.role,
            agency=shorts.get(u.agency.slug, u.agency.name),
            totp_base32=totp_base32(devices[u.id]) if u.id in devices else "(none)",
        )
        for u in users
    ]
    return sorted(
        rows, key=lambda r: (agency_order.get(r.agency, 99), order.get(r.role, 99), r.email)
    )
