"""Benchmark: the access policy's cost on a caseload page and on a single decision, in one run.

    .venv/bin/python bench/authz.py [--clients 20000] [--iterations 300] [--warmup 30] [--keep-db]
                                    [--profile]

Needs PostgreSQL at 127.0.0.1:5432 (user postgres, trust authentication). The database
`confide_authzbench` (or $CONFIDE_BENCH_AUTHZ_DB) is dropped and created at the start, and dropped
at the end unless --keep-db.

Seed (bulk inserts, for speed): one agency of `--clients` clients, each with a case on one of 100
care teams (200 clients a team at 20,000), about one case in ten with an individually assigned
worker, and some conflict walls and agreed restrictions (a few on the measured practitioner's own
caseload). The policy reads no ciphertext, so the clients' encrypted fields hold dummy bytes (and
no data keys exist); everything the policy reads (teams, programs, assignments, walls,
restrictions, labels, grants, training) is real rows. The measured practitioner is on 10 teams:
2,000 clients, less the walled and restricted ones.

Measured, interleaved (alternating which goes first) after a warm-up:

(a) one caseload page of 100 rows, what `records.selectors.caseload_list` does minus decryption
    and the ledger event: `case_prefilter` count + page query, then `authorize_many` (facts,
    grants, one Cedar batch), versus the SQL prefilter alone (the same count + page query);
(b) one `authorize()` for one client: with its facts and the actor's grants on it already loaded
    (memoized on the instance, as after a list: no query) and its entity made and parsed by an
    earlier decision in the request (the second and later decisions about a client: the record
    page makes several); the first decision about a client in a request (facts loaded, entity
    neither made nor parsed); cold (a fresh instance: its facts and grants are loaded, one
    query); and the Cedar call alone (`engine.evaluate` of a prepared question whose entity is
    not parsed yet: parsing it, evaluation against the policies that can apply, reading the
    answer). Each timed call follows a query (the cold path's fetch), so CPU caches are cold; a
    last row, not a target, times the facts-loaded decision back to back.

Targets: page p50 ratio <= 1.5; single decision p50 <= 150 us. It always exits 0.
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import benchdb

PLACE = benchdb.prepare(
    env_var="CONFIDE_BENCH_AUTHZ_DB", default_db="confide_authzbench", prefix="confide-bench-authz-"
)
DB_NAME, VAR_DIR = PLACE.db_name, PLACE.var_dir
TEAMS, PROGRAMS, PRACTITIONER_TEAMS, STAFF_PER_TEAM = 100, 10, 10, 4
PAGE = 100
PAGE_RATIO_TARGET = 1.5
SINGLE_P50_TARGET_US = 150.0

import django  # noqa: E402

django.setup()

import datetime as dt  # noqa: E402

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import QuerySet  # noqa: E402

from confide.access import entities, facts  # noqa: E402
from confide.access.engine import Ask, Entity, evaluate  # noqa: E402
from confide.access.policy import Action, authorize, authorize_many, case_prefilter  # noqa: E402
from confide.accounts.actors import actor_for  # noqa: E402
from confide.accounts.models import Agency, Program, Team, User  # noqa: E402
from confide.consent.enums import RestrictionKind, RestrictionStatus  # noqa: E402
from confide.consent.models import Restriction  # noqa: E402
from confide.core.actor import Actor  # noqa: E402
from confide.core.enums import Role  # noqa: E402
from confide.records.models import Case, Client  # noqa: E402
from confide.records.selectors import CASELOAD_ORDER  # noqa: E402
from confide.training.models import ConflictDeclaration, TrainingCompletion  # noqa: E402

DUMMY = b"\x01" + bytes(39)  # stands in for ciphertext: the policy never reads it


# --- setup -----------------------------------------------------------------------------------


def _user(agency: Agency, email: str, role: Role) -> User:
    user = User(email=email, display_name=email.split("@")[0], agency=agency, role=role.value)
    user.set_unusable_password()
    return user


@dataclass(frozen=True)
class Seeded:
    practitioner: User
    visible: int


def seed(clients: int, rng: random.Random) -> Seeded:
    agency = Agency.objects.create(name="Bench agency", slug="bench")
    programs = Program.objects.bulk_create(
        Program(agency=agency, name=f"Program {p}", is_part2=p == 0) for p in range(PROGRAMS)
    )
    teams = Team.objects.bulk_create(
        Team(agency=agency, program=programs[t % PROGRAMS], name=f"Team {t}") for t in range(TEAMS)
    )
    staff = User.objects.bulk_create(
        _user(agency, f"staff{t}-{s}@bench.example", Role.PRACTITIONER)
        for t in range(TEAMS)
        for s in range(STAFF_PER_TEAM)
    )
    User.teams.through.objects.bulk_create(
        User.teams.through(user_id=user.id, team_id=teams[n // STAFF_PER_TEAM].id)
        for n, user in enumerate(staff)
    )
    practitioner = User.objects.create(
        email="practitioner@bench.example",
        display_name="Bench practitioner",
        agency=agency,
        role=Role.PRACTITIONER.value,
    )
    mine = rng.sample(teams, PRACTITIONER_TEAMS)
    practitioner.teams.set(mine)
    today = dt.date.today()
    TrainingCompletion.objects.create(
        agency=agency,
        user=practitioner,
        completed_on=today,
        expires_on=today + dt.timedelta(days=365),
        recorded_by=practitioner,
    )
    rows = Client.objects.bulk_create(
        (
            Client(
                agency=agency,
                legal_name_enc=DUMMY,
                preferred_name_enc=DUMMY,
                date_of_birth_enc=DUMMY,
                phone_enc=DUMMY,
                email_enc=DUMMY,
                address_enc=DUMMY,
                identifiers_enc=DUMMY,
                labels=["dv_location"] if rng.random() < 0.02 else [],
            )
            for _ in range(clients)
        ),
        batch_size=2000,
    )
    cases = Case.objects.bulk_create(
        (
            Case(
                agency=agency,
                client=client,
                program_id=teams[n % TEAMS].program_id,
                team=teams[n % TEAMS],
                case_number=f"B-{n:06d}",
                status="open" if rng.random() < 0.8 else "closed",
                opened_on=dt.date(2020, 1, 1) + dt.timedelta(days=rng.randrange(1800)),
            )
            for n, client in enumerate(rows)
        ),
        batch_size=2000,
    )
    Case.workers.through.objects.bulk_create(
        (
            Case.workers.through(case_id=case.id, user_id=rng.choice(staff).id)
            for case in cases
            if rng.random() < 0.1
        ),
        batch_size=2000,
    )
    mine_ids = {t.id for t in mine}
    own = [c for c in cases if c.team_id in mine_ids]
    walls = [(rng.choice(staff), rng.choice(rows)) for _ in range(200)]
    walls += [(practitioner, c.client) for c in rng.sample(own, 5)]
    ConflictDeclaration.objects.bulk_create(
        ConflictDeclaration(agency=agency, user=u, client=c, relationship="other", declared_by=u)
        for u, c in {(u.id, c.id): (u, c) for u, c in walls}.values()
    )
    restricted = [(rng.choice(staff), rng.choice(rows)) for _ in range(100)]
    restricted += [(practitioner, c.client) for c in rng.sample(own, 5)]
    Restriction.objects.bulk_create(
        Restriction(
            agency=agency,
            client=c,
            kind=RestrictionKind.NOT_STAFF,
            staff=u,
            status=RestrictionStatus.AGREED,
            requested_by=u,
        )
        for u, c in restricted
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    hidden = {c.id for u, c in walls + restricted if u.id == practitioner.id}
    return Seeded(practitioner, len({c.client_id for c in own} - hidden))


# --- the two page paths ----------------------------------------------------------------------


def page_query(actor: Actor) -> QuerySet[Case]:
    """The caseload query, exactly as records.selectors.caseload_list builds it."""
    return case_prefilter(actor).select_related("team", "client").order_by(*CASELOAD_ORDER)


def page_prefilter_only(actor: Actor, page: int) -> list[Case]:
    query = page_query(actor)
    query.count()
    return list(query[page * PAGE : (page + 1) * PAGE])


def page_with_policy(actor: Actor, page: int) -> list[Case]:
    query = page_query(actor)
    query.count()
    rows = list(query[page * PAGE : (page + 1) * PAGE])
    decisions = authorize_many(actor, Action.CLIENT_VIEW, rows)
    return [c for c, d in zip(rows, decisions, strict=True) if d.allowed]


# --- measurement -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Summary:
    p50: float
    p95: float
    mean: float


def summarize(samples: list[float]) -> Summary:
    return Summary(
        p50=statistics.median(samples),
        p95=statistics.quantiles(samples, n=20, method="inclusive")[-1],
        mean=statistics.fmean(samples),
    )


def interleaved(
    paths: list[Callable[[int], object]],
    setup: Callable[[int, int], int],
    iterations: int,
    warmup: int,
) -> list[list[float]]:
    """Seconds per call of each path over the same inputs, rotating which runs first; `setup`
    (untimed) gets the iteration and the path it prepares for."""
    samples: list[list[float]] = [[] for _ in paths]
    for i in range(warmup + iterations):
        order = list(range(len(paths)))
        order = order[i % len(order) :] + order[: i % len(order)]
        for p in order:
            argument = setup(i, p)
            started = time.perf_counter()
            paths[p](argument)
            elapsed = time.perf_counter() - started
            if i >= warmup:
                samples[p].append(elapsed)
    return samples


def row(label: str, summary: Summary, unit: str, scale: float) -> str:
    return (
        f"  {label:<34} p50 {summary.p50 * scale:>9.1f} {unit}   "
        f"p95 {summary.p95 * scale:>9.1f} {unit}   mean {summary.mean * scale:>9.1f} {unit}"
    )


def verdict(ok: bool) -> str:
    return "MET" if ok else "MISSED"


def measure_page(actor: Actor, pages: int, args: argparse.Namespace) -> tuple[Summary, Summary]:
    rng = random.Random(7)
    order = [rng.randrange(pages) for _ in range(args.warmup + args.iterations)]
    policy, bare = interleaved(
        [lambda p: page_with_policy(actor, p), lambda p: page_prefilter_only(actor, p)],
        lambda i, _: order[i],
        args.iterations,
        args.warmup,
    )
    return summarize(policy), summarize(bare)


def measure_single(
    actor: Actor, client_ids: list[uuid.UUID], args: argparse.Namespace
) -> dict[str, Summary]:
    """authorize() on one client: facts loaded already, cold, and the Cedar call alone."""
    warm = {c.id: c for c in Client.objects.filter(id__in=client_ids)}
    facts.load(actor, list(warm.values()))
    cold: dict[int, Client] = {}
    prepared: dict[uuid.UUID, Ask] = {}
    for client in warm.values():
        resource = entities.client_entity(facts.client_facts(client))
        prepared[client.id] = Ask(Action.CLIENT_VIEW.value, resource, entities.context({}, "staff"))

    def setup(i: int) -> int:
        client_id = client_ids[i % len(client_ids)]
        cold[i] = Client.objects.get(id=client_id)  # fetched outside the timing, facts not
        return i

    fresh: dict[int, Ask] = {}

    def cedar_only(i: int) -> object:
        return evaluate(entities.principal(actor), [fresh[i]])

    def first(i: int) -> object:
        return authorize(actor, Action.CLIENT_VIEW, unparsed[i])

    unparsed: dict[int, Client] = {}

    def setup_all(i: int, path: int) -> int:
        setup(i)
        if path == 1:  # a client the process has not decided on yet: only its facts loaded
            unparsed[i] = copied = Client.objects.get(id=client_ids[i % len(client_ids)])
            facts.load(actor, [copied])
        if path == 3:  # the prepared question with an entity not parsed yet
            ask = prepared[client_ids[i % len(client_ids)]]
            entity = Entity(ask.resource.kind, ask.resource.ident, ask.resource.content)
            fresh[i] = Ask(ask.action, entity, ask.context)
        return i

    results = interleaved(
        [
            lambda i: authorize(actor, Action.CLIENT_VIEW, warm[client_ids[i % len(client_ids)]]),
            first,
            lambda i: authorize(actor, Action.CLIENT_VIEW, cold[i]),
            cedar_only,
        ],
        setup_all,
        args.iterations * 3,
        args.warmup,
    )
    names = [
        "authorize, facts loaded",
        FIRST,
        "authorize, cold (one facts query)",
        "Cedar call alone",
    ]
    summaries = dict(zip(names, map(summarize, results), strict=True))
    summaries[BACK_TO_BACK] = summarize(
        back_to_back(
            lambda i: authorize(actor, Action.CLIENT_VIEW, warm[client_ids[i % len(client_ids)]]),
            args.iterations * 3,
        )
    )
    return summaries


# The first decision about a client in a request: its facts are loaded (a fresh instance, as
# after a list), its entity is neither written nor parsed yet. The row above it is a later
# decision about the same client in the same request, which reuses both.
FIRST = "authorize, loaded, first on client"

# Not a target: the same decisions one after another, as a page or a request's several look-ups
# make them. Interleaved with a query before each, the CPU's caches are cold at every decision;
# the gap between the two rows is that, not work the decision does.
BACK_TO_BACK = "authorize, loaded, back to back"


def back_to_back(path: Callable[[int], object], iterations: int) -> list[float]:
    samples = []
    for i in range(iterations):
        started = time.perf_counter()
        path(i)
        samples.append(time.perf_counter() - started)
    return samples


def profile_page(actor: Actor, pages: int, count: int) -> None:
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    for i in range(count):
        page_with_policy(actor, i % pages)
    profiler.disable()
    print(f"\ncProfile of {count} policy pages (cumulative):")
    pstats.Stats(profiler, stream=sys.stdout).sort_stats("cumulative").print_stats(
        r"confide|cedarpy|psycopg/cursor|json", 25
    )


def run(args: argparse.Namespace) -> None:
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(f"migrate: {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    seeded = seed(args.clients, random.Random(2025))
    print(
        f"seed: {args.clients} clients on {TEAMS} teams with bulk inserts in "
        f"{time.perf_counter() - started:.1f} s (client fields hold dummy ciphertext bytes: the "
        f"policy reads none; teams, cases, assignments, walls, restrictions and training are real)"
    )
    user = User.objects.select_related("agency").get(id=seeded.practitioner.id)
    actor = actor_for(user, channel="web", mfa_verified=True)
    total = page_query(actor).count()
    pages = max(1, total // PAGE)
    shown = page_with_policy(actor, 0)
    assert len(shown) == len(page_prefilter_only(actor, 0)), "the policy dropped a prefilter row"
    print(
        f"practitioner on {PRACTITIONER_TEAMS} teams: {seeded.visible} visible clients, "
        f"{total} cases in the caseload ({pages} pages of {PAGE}); "
        f"PostgreSQL {getattr(connection, 'pg_version', '?')}"
    )

    policy, bare = measure_page(actor, pages, args)
    ratio50, ratio95 = policy.p50 / bare.p50, policy.p95 / bare.p95
    print(
        f"\n(a) caseload page of {PAGE} rows ({args.iterations} interleaved per path, "
        f"{args.warmup} warm-up)"
    )
    print(row("SQL prefilter + authorize_many", policy, "ms", 1e3))
    print(row("SQL prefilter alone", bare, "ms", 1e3))
    print(f"  ratio p50 {ratio50:.2f}   p95 {ratio95:.2f}")
    print(f"  policy cost per page p50 {(policy.p50 - bare.p50) * 1e3:.2f} ms")
    print(f"  [{verdict(ratio50 <= PAGE_RATIO_TARGET)}] page p50 ratio {ratio50:.2f} <= 1.5")

    visible = list(page_query(actor).values_list("client_id", flat=True)[: args.iterations])
    singles = measure_single(actor, visible, args)
    print(f"\n(b) a single decision, client:view ({args.iterations * 3} interleaved per path)")
    for name, summary in singles.items():
        print(row(name, summary, "us", 1e6))
    loaded = singles["authorize, facts loaded"].p50 * 1e6
    first = singles[FIRST].p50 * 1e6
    cedar = singles["Cedar call alone"].p50 * 1e6
    print(
        f"  [{verdict(loaded <= SINGLE_P50_TARGET_US)}] authorize() p50 {loaded:.0f} us <= 150 us "
        "(a later decision on the client in the request: facts loaded, entity parsed)"
    )
    print(
        f"  [{verdict(first <= SINGLE_P50_TARGET_US)}] the first authorize() on a client p50 "
        f"{first:.0f} us <= 150 us (facts loaded; entity written and parsed in the call)"
    )
    print(
        f"  [{verdict(cedar <= SINGLE_P50_TARGET_US)}] the Cedar decision itself p50 "
        f"{cedar:.0f} us <= 150 us"
    )
    if args.profile:
        profile_page(actor, pages, args.iterations)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--clients", type=int, default=20_000, help="clients to seed (20000)")
    parser.add_argument("--iterations", type=int, default=300, help="timed runs per path")
    parser.add_argument("--warmup", type=int, default=30, help="untimed runs per path")
    parser.add_argument("--profile", action="store_true", help="cProfile the policy page after")
    parser.add_argument("--keep-db", action="store_true", help=f"keep the {DB_NAME} database")
    keep = False
    try:
        args = parser.parse_args()
        if args.clients < TEAMS * 10 or args.iterations < 20:
            parser.error(f"use at least {TEAMS * 10} clients and 20 iterations")
        keep = args.keep_db
        with benchdb.bench_database(PLACE, keep=keep):
            run(args)
    finally:
        shutil.rmtree(VAR_DIR, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
