"""Benchmark: server time to open a client record page with 20 notes, real path versus bare path.

    .venv/bin/python bench/record_open.py [--clients 2000] [--iterations 300] [--profile]

Needs PostgreSQL at 127.0.0.1:5432 (user postgres, trust authentication). The database
`confide_bench` (or $CONFIDE_BENCH_DB) is dropped and created at the start, and dropped at the end
unless --keep-db; keys live in a temporary directory.

Seed: the demo's two agencies, staff, training and access examples through the loader; then each
client and its case through the services (`client_create`, `case_create`: data key, encrypted
fields, blind indexes, ledger events), and its 20 signed notes in bulk, each body encrypted with
the client's data key exactly as `note_create` does (purpose `records_note.body`, bound to the
note's id). Bulk notes take the seed of 2,000 clients from about 12 minutes to under one; the
ledger then holds no per-note creation events, which the page never reads.

Both paths are GET requests through the Django test client with the same signed-in (password +
TOTP) session and the full middleware stack, and both render `web/client.html`:

* real: `web:client_detail`, i.e. staff_view -> actor_for -> records.selectors.client_get (access
  decisions, data-key unwrap, AES-GCM decryption, a ledger event committed in the request), then
  the client's restriction list (consent.selectors.client_restrictions: its own decision);
* bare: a bench-only view over plaintext shadow tables holding the same content, with no access
  check, no decryption and no ledger event of its own. The template's consent panel is the same
  tag on both paths and asks the policy on both: on the bare path it also fetches the client row
  and its facts, which the real path has already fetched (about 1 ms of policy work under load
  that the bare figure includes).

The paths are interleaved (alternating which goes first) after a warm-up, over the practitioner's
caseload. Targets: p50 and p95 ratios <= 1.3, real p95 <= 30 ms. It always exits 0.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import re
import shutil
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from uuid import UUID

import benchdb

PLACE = benchdb.prepare(
    env_var="CONFIDE_BENCH_DB", default_db="confide_bench", prefix="confide-bench-"
)
DB_NAME, VAR_DIR = PLACE.db_name, PLACE.var_dir
NOTES_PER_CLIENT = 20
SEED_BATCH = 100
RATIO_TARGET = 1.3
P95_TARGET_MS = 30.0

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, models, transaction  # noqa: E402
from django.db.models import Exists, OuterRef  # noqa: E402
from django.http import HttpRequest, HttpResponse  # noqa: E402
from django.shortcuts import render  # noqa: E402
from django.test import Client as HttpClient  # noqa: E402
from django.urls import clear_url_caches, include, path, reverse  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_otp import DEVICE_ID_SESSION_KEY  # noqa: E402
from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: E402

from confide.accounts.actors import actor_for  # noqa: E402
from confide.accounts.models import Team, User  # noqa: E402
from confide.core.actor import Actor  # noqa: E402
from confide.core.enums import Role  # noqa: E402
from confide.crypto.envelope import client_key  # noqa: E402
from confide.demo.data import NoteMix, client_input, note_plans  # noqa: E402
from confide.demo.loader import AGENCIES, AgencySpec, Size, load_demo  # noqa: E402
from confide.records import selectors  # noqa: E402
from confide.records import services as records  # noqa: E402
from confide.records.enums import NoteStatus  # noqa: E402
from confide.records.models import Attachment, Case, Client, Note  # noqa: E402
from confide.records.selectors import CaseRow, ClientView, NoteView  # noqa: E402


class BareClient(models.Model):
    """Bench-only plaintext twin of records.Client (never part of the product schema)."""

    id = models.UUIDField(primary_key=True)
    agency_id = models.UUIDField()
    legal_name = models.TextField()
    preferred_name = models.TextField()
    date_of_birth = models.DateField()
    phone = models.TextField()
    email = models.TextField()
    address = models.TextField()
    identifiers = models.JSONField()

    objects: models.Manager[BareClient] = models.Manager()

    class Meta:
        app_label = "demo"
        db_table = "bench_bare_client"
        managed = False


class BareNote(models.Model):
    """Bench-only plaintext twin of records.Note (same ids, so attachments line up)."""

    id = models.UUIDField(primary_key=True)
    client_id = models.UUIDField()
    case_id = models.UUIDField()
    author = models.ForeignKey(
        User, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    kind = models.CharField(max_length=16)
    status = models.CharField(max_length=8)
    labels = models.JSONField()
    body = models.TextField()
    occurred_on = models.DateField()
    signed_at = models.DateTimeField(null=True)
    version = models.PositiveIntegerField()
    addendum_to_id = models.UUIDField(null=True)
    created_at = models.DateTimeField()

    author_id: UUID
    objects: models.Manager[BareNote] = models.Manager()

    class Meta:
        app_label = "demo"
        db_table = "bench_bare_note"
        managed = False
        indexes = [models.Index(fields=["client_id", "occurred_on"], name="bench_note_client")]


# --- the bare path ---------------------------------------------------------------------------


def bare_client_view(client_id: UUID) -> ClientView:
    """The record page's content from plaintext rows: no policy, no keys, no ledger."""
    row = BareClient.objects.get(id=client_id)
    cases = Case.objects.filter(client_id=client_id).select_related("team").order_by("-opened_on")
    # Each note says whether it has files, as on the real path (which reads attachments only
    # for the notes that do; the bench seeds none).
    notes = list(
        BareNote.objects.filter(client_id=client_id)
        .select_related("author")
        .annotate(has_files=Exists(Attachment.objects.filter(note_id=OuterRef("pk"))))
        .order_by("-occurred_on", "-created_at")
    )
    return ClientView(
        id=row.id,
        legal_name=row.legal_name,
        preferred_name=row.preferred_name,
        date_of_birth=row.date_of_birth,
        phone=row.phone,
        email=row.email,
        address=row.address,
        identifiers=dict(row.identifiers),
        cases=[
            CaseRow(
                c.id,
                c.case_number,
                c.status,
                c.opened_on,
                c.team.name,
                c.client_id,
                row.preferred_name,
            )
            for c in cases
        ],
        notes=[_bare_note_view(n, bool(getattr(n, "has_files", False))) for n in notes],
    )


def _bare_note_view(note: BareNote, has_files: bool) -> NoteView:
    assert not has_files, "the bench seeds no attachments"
    return NoteView(
        id=note.id,
        case_id=note.case_id,
        client_id=note.client_id,
        kind=note.kind,
        status=note.status,
        labels=list(note.labels),
        body=note.body,
        author_id=note.author_id,
        author_name=note.author.display_name,
        occurred_on=note.occurred_on,
        signed_at=note.signed_at,
        version=note.version,
        addendum_to=note.addendum_to_id,
        attachments=[],
    )


def bare_page(request: HttpRequest, client_id: UUID) -> HttpResponse:
    """Same template and context as web:client_detail; the actor is built once, outside."""
    return render(
        request, "web/client.html", {"client": bare_client_view(client_id), "actor": BENCH.actor}
    )


class BenchUrls:
    """The product's URLs plus the bare page (a class: a URLconf only needs `urlpatterns`)."""

    urlpatterns = [
        path("__bench__/bare/<uuid:client_id>/", bare_page, name="bench_bare"),
        path("", include("config.urls")),
    ]


@dataclass
class BenchState:
    actor: Actor | None = None


BENCH = BenchState()


# --- setup -----------------------------------------------------------------------------------


def progress(done: int, total: int, notes: int) -> None:
    end = "\r" if sys.stderr.isatty() and done < total else "\n"
    print(f"  seeded clients {done}/{total}, notes {notes}", end=end, file=sys.stderr, flush=True)


@dataclass(frozen=True)
class TeamLoad:
    """A demo team and who writes in its cases."""

    team: Team
    agency: AgencySpec
    mix: NoteMix
    practitioners: list[UUID]
    supervisor: UUID


def team_loads() -> list[list[TeamLoad]]:
    """Each demo agency's teams in the loader's order, with their writers."""
    loads = []
    for spec in AGENCIES:
        kinds = {name: program for program in spec.programs for name in program.teams}
        staff = User.objects.filter(agency__slug=spec.slug, is_active=True)
        supervisor = staff.get(role=Role.SUPERVISOR.value).id
        teams = Team.objects.filter(agency__slug=spec.slug).order_by("created_at", "name")
        loads.append(
            [
                TeamLoad(
                    team=team,
                    agency=spec,
                    mix=NoteMix(
                        psychotherapy=False,
                        draft_rate=0.0,
                        part2=kinds[team.name].is_part2,
                        youth=kinds[team.name].youth,
                    ),
                    practitioners=list(
                        staff.filter(role=Role.PRACTITIONER.value, teams=team)
                        .order_by("email")
                        .values_list("id", flat=True)
                    ),
                    supervisor=supervisor,
                )
                for team in teams
            ]
        )
    return loads


def seed_client(rng: random.Random, load: TeamLoad, number: int, today: dt.date) -> list[Note]:
    """A client and a case through the services, and its notes as signed rows encrypted with the
    client's data key (the services' format: purpose `records_note.body`, the note's id)."""
    intake = User.objects.get(email=f"intake@{load.agency.domain}")
    actor = actor_for(intake, channel="cli", mfa_verified=True)
    data = client_input(rng, number, today=today, minor=load.mix.youth)
    client = records.client_create(actor=actor, agency=load.team.agency, data=data)
    opened = today - dt.timedelta(days=rng.randint(21, 900))
    case = records.case_create(
        actor=actor,
        client=client,
        team=load.team,
        case_number=f"{load.agency.prefix}-{number:05d}",
        opened_on=opened,
    )
    key = client_key(client.id)
    primary = rng.choice(load.practitioners)
    writers = [*load.practitioners, load.supervisor]
    notes = []
    for plan in note_plans(rng, NOTES_PER_CLIENT, opened_on=opened, today=today, mix=load.mix):
        author = primary if rng.random() < 0.8 else rng.choice(writers)
        note = Note(
            id=uuid.uuid4(),
            agency_id=client.agency_id,
            client_id=client.id,
            case_id=case.id,
            author_id=author,
            kind=plan.kind.value,
            status=NoteStatus.SIGNED,
            labels=sorted(set(plan.labels)),
            occurred_on=plan.occurred_on,
            signed_at=timezone.now(),
            version=2,
        )
        note.body_enc = key.encrypt_text("records_note.body", note.id, plan.body)
        notes.append(note)
    return notes


def seed(clients: int) -> float:
    """The demo's agencies, staff and training through the loader; then each client and case
    through the services, and their notes in bulk (the ledger so holds no per-note events)."""
    started = time.perf_counter()
    load_demo(Size(clients=0), seed=2025)
    loads = team_loads()
    rng, today = random.Random(2025), timezone.localdate()
    written = 0
    for start in range(0, clients, SEED_BATCH):
        with transaction.atomic():
            notes: list[Note] = []
            for number in range(start, min(start + SEED_BATCH, clients)):
                teams = loads[number % len(loads)]
                load = teams[(number // len(loads)) % len(teams)]
                notes += seed_client(rng, load, number + 1, today)
            Note.objects.bulk_create(notes, batch_size=2000)
        written += len(notes)
        progress(min(start + SEED_BATCH, clients), clients, written)
    return time.perf_counter() - started


def build_shadow() -> float:
    """Copy every client and note, decrypted, into the bench-only plaintext tables."""
    started = time.perf_counter()
    with connection.schema_editor() as editor:
        editor.create_model(BareClient)
        editor.create_model(BareNote)
        for index in BareNote._meta.indexes:  # create_model skips indexes of unmanaged models
            editor.add_index(BareNote, index)
    notes_by_client: dict[UUID, list[Note]] = {}
    for note in Note.objects.all().iterator(chunk_size=2000):
        notes_by_client.setdefault(note.client_id, []).append(note)
    for client in Client.objects.all().iterator(chunk_size=500):
        _copy_client(client, notes_by_client.get(client.id, []))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # fresh planner statistics for both paths' tables
    return time.perf_counter() - started


@transaction.atomic
def _copy_client(client: Client, notes: list[Note]) -> None:
    key = client_key(client.id)

    def field(column: str) -> str:
        return key.decrypt_text(
            f"records_client.{column}", client.id, getattr(client, f"{column}_enc")
        )

    BareClient.objects.create(
        id=client.id,
        agency_id=client.agency_id,
        legal_name=field("legal_name"),
        preferred_name=field("preferred_name"),
        date_of_birth=field("date_of_birth"),
        phone=field("phone"),
        email=field("email"),
        address=field("address"),
        identifiers=json.loads(field("identifiers")),
    )
    BareNote.objects.bulk_create(
        BareNote(
            id=n.id,
            client_id=n.client_id,
            case_id=n.case_id,
            author_id=n.author_id,
            kind=n.kind,
            status=n.status,
            labels=n.labels,
            body=key.decrypt_text("records_note.body", n.id, n.body_enc),
            occurred_on=n.occurred_on,
            signed_at=n.signed_at,
            version=n.version,
            addendum_to_id=n.addendum_to_id,
            created_at=n.created_at,
        )
        for n in notes
    )


def signed_in_browser(user: User) -> HttpClient:
    """A session as after password + TOTP sign-in (the same state the sign-in view leaves)."""
    http = HttpClient()
    http.force_login(user, backend=settings.AUTHENTICATION_BACKENDS[0])
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    session = http.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return http


def caseload(user: User) -> list[UUID]:
    ids = sorted(
        set(Case.objects.filter(team__in=user.teams.all()).values_list("client_id", flat=True))
    )
    random.Random(1).shuffle(ids)
    return ids


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


def fetch(http: HttpClient, url: str) -> bytes:
    response = http.get(url)
    if response.status_code != 200:
        raise SystemExit(f"GET {url} answered {response.status_code}")
    return response.content


def urls_for(client_id: UUID) -> tuple[str, str]:
    return (reverse("web:client_detail", args=[client_id]), reverse("bench_bare", args=[client_id]))


PROFILE_FILTER = r"confide|psycopg/cursor|template/base|sessions"
NOTE_ITEM = re.compile(rb'<li class="note note-')
CSRF = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]*"')


def check_same_page(http: HttpClient, client_id: UUID) -> int:
    """Both paths must produce the same page (apart from the per-response CSRF mask)."""
    real_url, bare_url = urls_for(client_id)
    real, bare = fetch(http, real_url), fetch(http, bare_url)
    if CSRF.sub(b"", real) != CSRF.sub(b"", bare):
        raise SystemExit("the bare page differs from the real page; the comparison is void")
    return len(NOTE_ITEM.findall(real))


def measure(
    real: Callable[[UUID], object],
    bare: Callable[[UUID], object],
    ids: list[UUID],
    iterations: int,
    warmup: int,
) -> tuple[list[float], list[float]]:
    """Milliseconds per call of each path, interleaved over the same sequence of clients."""
    samples: tuple[list[float], list[float]] = ([], [])
    for i in range(warmup + iterations):
        client_id = ids[i % len(ids)]
        order = [(real, samples[0]), (bare, samples[1])]
        if i % 2:
            order.reverse()  # alternate which path runs first, so neither inherits warm caches
        for action, sink in order:
            started = time.perf_counter()
            action(client_id)
            if i >= warmup:
                sink.append((time.perf_counter() - started) * 1000)
    return samples


def page_getter(http: HttpClient, which: int) -> Callable[[UUID], object]:
    return lambda client_id: fetch(http, urls_for(client_id)[which])


def profile_real(http: HttpClient, ids: list[UUID], count: int) -> None:
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    for i in range(count):
        http.get(urls_for(ids[i % len(ids)])[0])
    profiler.disable()
    print(f"\ncProfile of {count} real requests (cumulative time, Confide and hot spots):")
    pstats.Stats(profiler, stream=sys.stdout).sort_stats("cumulative").print_stats(
        r"confide|ledger|crypto|psycopg/cursor|template/base|sessions", 40
    )


def report(real: Summary, bare: Summary, *, targets: bool) -> None:
    p50_ratio, p95_ratio = real.p50 / bare.p50, real.p95 / bare.p95
    print(f"{'path':<6} {'p50 ms':>8} {'p95 ms':>8} {'mean ms':>8}")
    for name, s in (("real", real), ("bare", bare)):
        print(f"{name:<6} {s.p50:>8.2f} {s.p95:>8.2f} {s.mean:>8.2f}")
    print(f"ratio  p50 {p50_ratio:.2f}  p95 {p95_ratio:.2f}")
    if not targets:
        return
    checks = [
        (f"p50 ratio {p50_ratio:.2f} <= {RATIO_TARGET}", p50_ratio <= RATIO_TARGET),
        (f"p95 ratio {p95_ratio:.2f} <= {RATIO_TARGET}", p95_ratio <= RATIO_TARGET),
        (f"real p95 {real.p95:.2f} ms <= {P95_TARGET_MS:.0f} ms", real.p95 <= P95_TARGET_MS),
    ]
    for label, ok in checks:
        print(f"  [{'MET' if ok else 'MISSED'}] {label}")


def stage(label: str, action: Callable[[], float]) -> float:
    print(f"{label}...", file=sys.stderr, flush=True)
    seconds = action()
    print(f"{label}: {seconds:.1f} s")
    return seconds


def run(args: argparse.Namespace) -> None:
    stage("migrate", lambda: _timed(lambda: call_command("migrate", verbosity=0)))
    stage(
        f"seed {args.clients} clients x {NOTES_PER_CLIENT} notes (clients and cases through the "
        "services, notes in bulk)",
        lambda: seed(args.clients),
    )
    stage("copy plaintext shadow tables (bare path)", build_shadow)
    settings.ROOT_URLCONF = BenchUrls
    clear_url_caches()
    user = User.objects.get(email="practitioner1@riverbend.example")
    BENCH.actor = actor_for(user, channel="web", mfa_verified=True)
    http = signed_in_browser(user)
    ids = caseload(user)
    shown = check_same_page(http, ids[0])
    print(
        f"practitioner caseload: {len(ids)} clients; notes on a page: {shown}; "
        f"database: PostgreSQL {getattr(connection, 'pg_version', '?')}"
    )
    real, bare = measure(
        page_getter(http, 0), page_getter(http, 1), ids, args.iterations, args.warmup
    )
    print(
        f"\nopen a client record page: GET through the full middleware stack "
        f"({args.iterations} interleaved requests per path, {args.warmup} warm-up)"
    )
    report(summarize(real), summarize(bare), targets=True)

    def real_data(client_id: UUID) -> object:
        actor = actor_for(user, channel="web", mfa_verified=True)
        return selectors.client_get(actor=actor, client_id=client_id)

    real, bare = measure(real_data, bare_client_view, ids, args.iterations, args.warmup)
    print(
        "\ndata layer only: actor_for + client_get versus the plaintext queries "
        "(no HTTP, no template)"
    )
    report(summarize(real), summarize(bare), targets=False)
    if args.profile:
        profile_real(http, ids, args.iterations)


def _timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--clients", type=int, default=2000, help="clients to seed (2000)")
    parser.add_argument("--iterations", type=int, default=300, help="timed requests per path")
    parser.add_argument("--warmup", type=int, default=30, help="untimed requests per path")
    parser.add_argument("--profile", action="store_true", help="cProfile the real path after")
    parser.add_argument(
        "--keep-db",
        action="store_true",
        help=f"keep the {DB_NAME} database and key directory ({VAR_DIR})",
    )
    keep = False
    try:
        args = parser.parse_args()
        if args.clients < 6 or args.iterations < 20:
            parser.error("use at least 6 clients and 20 iterations")
        keep = args.keep_db
        with benchdb.bench_database(PLACE, keep=keep):
            run(args)
    finally:
        if not keep:
            shutil.rmtree(VAR_DIR, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
