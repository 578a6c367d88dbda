"""Synthetic demo content from a seeded random generator and built-in word lists.

Everything here is invented: no real people, no Faker, no network. Names are recombined from
common given and family names; phone numbers use the 555-01xx range reserved for fiction;
e-mail addresses use the reserved `example.org` domain. Note texts are generic social-work
sentences assembled from fragments and never name the client.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from confide.core.enums import Label
from confide.records.enums import NoteKind
from confide.records.services import ClientInput

GIVEN_NAMES = (
    "Ada",
    "Amara",
    "Andre",
    "Beatriz",
    "Bilal",
    "Camille",
    "Caleb",
    "Dalia",
    "Darius",
    "Elena",
    "Emeka",
    "Farah",
    "Felix",
    "Gianna",
    "Hassan",
    "Hana",
    "Imani",
    "Isaac",
    "Jada",
    "Joaquin",
    "Keiko",
    "Kofi",
    "Lena",
    "Luis",
    "Mara",
    "Mateo",
    "Nadia",
    "Nico",
    "Oona",
    "Omar",
    "Priya",
    "Quentin",
    "Rosa",
    "Rafael",
    "Sana",
    "Silas",
    "Tamsin",
    "Tobias",
    "Uma",
    "Victor",
    "Wren",
    "Xavier",
    "Yara",
    "Yusuf",
    "Zoe",
    "Zane",
)
FAMILY_NAMES = (
    "Abernathy",
    "Baptiste",
    "Calloway",
    "Dunmore",
    "Esparza",
    "Fairweather",
    "Galloway",
    "Hollis",
    "Ibarra",
    "Jessup",
    "Kowalczyk",
    "Lindqvist",
    "Marchetti",
    "Nakamura",
    "Okonkwo",
    "Pemberton",
    "Quintero",
    "Ravensworth",
    "Szabo",
    "Thistlewood",
    "Underhill",
    "Valdivia",
    "Whitlock",
    "Xiong",
    "Yardley",
    "Zielinski",
    "Ashgrove",
    "Brightwater",
    "Copperfield",
    "Delacroix",
    "Everhart",
    "Farrow",
)
STREETS = (
    "Maple Avenue",
    "Cedar Lane",
    "Willow Court",
    "Juniper Street",
    "Birch Road",
    "Orchard Way",
    "Harbor View",
    "Millbrook Drive",
    "Larkspur Terrace",
    "Foxglove Close",
)
TOWNS = ("Fairhaven", "Brookhollow", "Eastmere", "Wrenfield", "Stonebridge", "Kestrel Bay")

OPENINGS = {
    NoteKind.PROGRESS: (
        "Home visit with client.",
        "Office visit with client.",
        "Met client at the community center.",
        "Scheduled session with client and a family member.",
        "Video session with client.",
        "Met client at school during the lunch period.",
    ),
    NoteKind.CONTACT: (
        "Phone call with client.",
        "Client called the office.",
        "Brief check-in by phone.",
        "Left a message; client returned the call the same day.",
        "Coordination call with the client's landlord, with client's consent.",
        "Collateral contact with the school counselor, with a release on file.",
    ),
    NoteKind.ASSESSMENT: (
        "Completed the annual psychosocial assessment.",
        "Completed an intake assessment.",
        "Reviewed and updated the needs assessment.",
        "Completed a safety and risk screening.",
    ),
    NoteKind.PSYCHOTHERAPY: (
        "Individual therapy session.",
        "Session focused on material raised last week.",
        "Therapy session; client arrived on time.",
    ),
}
TOPICS = (
    "the housing application and next steps with the property manager",
    "budgeting for the coming month and the utility payment plan",
    "progress toward the employment goal in the service plan",
    "school attendance and the meeting with the teacher",
    "transportation to medical appointments",
    "food security and the referral to the local pantry",
    "childcare arrangements during the new work schedule",
    "sleep routine and daily structure",
    "parenting strategies for evening routines",
    "the benefits renewal paperwork",
    "support network and people client can call",
    "upcoming court date and what to expect",
)
OBSERVATIONS = (
    "Client appeared engaged and asked relevant questions.",
    "Client reported feeling more settled than at the last contact.",
    "Client described the past week as stressful but manageable.",
    "Client was tired but participated fully.",
    "Client identified two small wins since the last session.",
    "Client expressed frustration with delays and was able to name a next step.",
    "Client's mood was calm and affect was congruent.",
    "Client reported no new safety concerns.",
)
INTERVENTIONS = (
    "Reviewed coping strategies and practiced one together.",
    "Provided information about community resources and eligibility.",
    "Used motivational interviewing to explore readiness for change.",
    "Helped client complete a portion of the application.",
    "Problem-solved barriers and broke the goal into smaller steps.",
    "Validated client's concerns and reflected strengths observed.",
    "Reviewed the service plan and updated target dates.",
)
PLANS = (
    "Plan: follow up by phone in one week.",
    "Plan: next visit in two weeks; client will bring the documents discussed.",
    "Plan: worker will send the referral and confirm receipt.",
    "Plan: check in after the appointment to review how it went.",
    "Plan: continue weekly contact per the service plan.",
    "Plan: supervisor consultation before the next visit.",
)
ASSESSMENT_LINES = (
    "Strengths include a stable relationship with a sibling and consistent engagement.",
    "Needs identified: stable housing, transportation and income support.",
    "No current risk indicators; safety plan reviewed and remains appropriate.",
    "Client's priorities, in order: housing, employment, health care.",
)
THERAPY_LINES = (
    "Explored feelings of grief and how they show up during the week.",
    "Practiced a grounding exercise; client rated distress lower afterwards.",
    "Examined a recurring thought pattern using cognitive restructuring.",
    "Client reflected on early family experiences and their effect on current relationships.",
    "Worked on naming emotions in the moment rather than afterwards.",
)
LABEL_LINES = {
    Label.PART2_SUD: (
        "Discussed recovery goals and attendance at the outpatient group.",
        "Client reported continued abstinence and reviewed relapse prevention steps.",
    ),
    Label.HIV: (
        "Reviewed medication adherence and the upcoming clinic appointment.",
        "Discussed disclosure concerns and supports at the clinic.",
    ),
    Label.DV_LOCATION: (
        "Reviewed the safety plan; current location details are kept in this note only.",
    ),
    Label.MINOR_CONSENTED: (
        "Young person consented to services on their own; discussed what stays private.",
    ),
}

KIND_WEIGHTS = (
    (NoteKind.PROGRESS, 68),
    (NoteKind.CONTACT, 22),
    (NoteKind.ASSESSMENT, 8),
    (NoteKind.PSYCHOTHERAPY, 2),
)


@dataclass(frozen=True)
class NotePlan:
    """One note to write: its kind, labels, text, date, and whether it gets signed."""

    kind: NoteKind
    labels: list[str]
    body: str
    occurred_on: dt.date
    sign: bool


@dataclass(frozen=True)
class NoteMix:
    """How notes vary. The benchmark turns psychotherapy notes and drafts off."""

    psychotherapy: bool = True
    draft_rate: float = 0.03
    part2: bool = False
    youth: bool = False


def person_name(rng: random.Random) -> str:
    return f"{rng.choice(GIVEN_NAMES)} {rng.choice(FAMILY_NAMES)}"


def client_input(rng: random.Random, number: int, *, today: dt.date, minor: bool) -> ClientInput:
    """A synthetic client: invented name, plausible birth date, fictional contact details."""
    given, family = rng.choice(GIVEN_NAMES), rng.choice(FAMILY_NAMES)
    age = rng.randint(11, 17) if minor else rng.randint(19, 78)
    born = today - dt.timedelta(days=age * 365 + rng.randint(0, 364))
    preferred = given if rng.random() < 0.85 else given[:3]
    return ClientInput(
        legal_name=f"{given} {family}",
        preferred_name=preferred,
        date_of_birth=born,
        phone=f"555-01{rng.randint(0, 99):02d}",
        email=f"{given.lower()}.{family.lower()}{number}@example.org",
        address=f"{rng.randint(2, 980)} {rng.choice(STREETS)}, {rng.choice(TOWNS)}",
        identifiers={"demo_id": f"DEMO-{number:05d}"},
    )


def _kind(rng: random.Random, mix: NoteMix) -> NoteKind:
    kinds = [k for k, _ in KIND_WEIGHTS if mix.psychotherapy or k != NoteKind.PSYCHOTHERAPY]
    weights = [w for k, w in KIND_WEIGHTS if k in kinds]
    return rng.choices(kinds, weights=weights)[0]


def _labels(rng: random.Random, mix: NoteMix) -> list[str]:
    labels: set[str] = set()
    if mix.part2 and rng.random() < 0.7:
        labels.add(Label.PART2_SUD.value)
    if mix.youth and rng.random() < 0.15:
        labels.add(Label.MINOR_CONSENTED.value)
    if rng.random() < 0.04:
        labels.add(Label.HIV.value)
    if rng.random() < 0.02:
        labels.add(Label.DV_LOCATION.value)
    return sorted(labels)


def note_body(rng: random.Random, kind: NoteKind, labels: list[str]) -> str:
    """A few generic sentences for a note of this kind and these labels."""
    lines = [rng.choice(OPENINGS[kind])]
    if kind == NoteKind.PSYCHOTHERAPY:
        lines += rng.sample(THERAPY_LINES, 2)
    elif kind == NoteKind.ASSESSMENT:
        lines += rng.sample(ASSESSMENT_LINES, 3)
    else:
        lines.append(f"Discussed {rng.choice(TOPICS)}.")
        lines.append(rng.choice(OBSERVATIONS))
        if kind == NoteKind.PROGRESS:
            lines.append(rng.choice(INTERVENTIONS))
    lines += [rng.choice(LABEL_LINES[Label(label)]) for label in labels]
    lines.append(rng.choice(PLANS))
    return " ".join(lines)


def note_plans(
    rng: random.Random, count: int, *, opened_on: dt.date, today: dt.date, mix: NoteMix
) -> list[NotePlan]:
    """`count` notes dated between the case opening and today, oldest first."""
    span = max((today - opened_on).days, 0)
    days = sorted(opened_on + dt.timedelta(days=rng.randint(0, span)) for _ in range(count))
    plans = []
    for day in days:
        kind = _kind(rng, mix)
        labels = _labels(rng, mix)
        plans.append(
            NotePlan(
                kind=kind,
                labels=labels,
                body=note_body(rng, kind, labels),
                occurred_on=day,
                sign=rng.random() >= mix.draft_rate,
            )
        )
    return plans
