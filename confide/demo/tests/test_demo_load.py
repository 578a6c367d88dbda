from __future__ import annotations

import base64
import datetime as dt
import random
import re
import time
from io import StringIO
from typing import Any
from unittest.mock import patch

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from confide.accounts import services as accounts
from confide.accounts.actors import actor_for
from confide.accounts.models import Agency, Program, User
from confide.core.enums import Label, Role
from confide.demo.data import NoteMix, client_input, note_plans
from confide.demo.loader import DEMO_PASSWORD, DEMO_SLUGS
from confide.ledger.models import Event
from confide.portal import services as portal
from confide.portal.models import PortalAccount
from confide.records import selectors
from confide.records.enums import NoteKind, NoteStatus
from confide.records.models import Case, Client, Note
from confide.releases.models import Release
from confide.testing import World

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("own_ledger_export")]


def _load(clients: int = 6, notes: int = 6) -> str:
    out = StringIO()
    call_command(
        "demo_load", clients=clients, notes_per_client=notes, stdout=out, stderr=StringIO()
    )
    return out.getvalue()


def _code(email: str) -> str:
    out = StringIO()
    call_command("demo_code", email, stdout=out, stderr=StringIO())
    return out.getvalue().strip()


def test_it_loads_two_agencies_with_staff_in_every_role() -> None:
    _load()
    agencies = Agency.objects.filter(slug__in=DEMO_SLUGS)
    assert agencies.count() == 2
    for agency in agencies:
        roles = set(User.objects.filter(agency=agency).values_list("role", flat=True))
        assert roles == set(Role.values)
    assert Program.objects.filter(agency__in=agencies, is_part2=True).exists()


def test_every_demo_user_has_a_confirmed_totp_device() -> None:
    _load()
    users = User.objects.filter(agency__slug__in=DEMO_SLUGS)
    assert users.exists()
    for user in users:
        assert TOTPDevice.objects.filter(user=user, confirmed=True).count() == 1


def test_it_writes_clients_cases_and_mostly_signed_notes_through_the_services() -> None:
    _load(clients=6, notes=6)
    assert Client.objects.count() == 6
    assert Case.objects.count() == 6
    notes = Note.objects.all()
    assert notes.count() >= 6 * 3
    signed = notes.filter(status=NoteStatus.SIGNED).count()
    assert signed >= notes.count() * 0.8
    assert Event.objects.filter(event_type="records:note:signed").count() == signed
    part2 = [n for n in notes.select_related("case__program") if Label.PART2_SUD in n.labels]
    assert part2
    assert all(n.case.program.is_part2 for n in part2)


def test_a_practitioner_reads_a_demo_client_with_its_notes() -> None:
    _load(clients=2, notes=4)
    case = Case.objects.select_related("team").first()
    assert case is not None
    worker = User.objects.filter(role=Role.PRACTITIONER, teams=case.team).first()
    assert worker is not None
    view = selectors.client_get(
        actor=actor_for(worker, channel="web", mfa_verified=True), client_id=case.client_id
    )
    assert view.notes
    assert view.identifiers["demo_id"].startswith("DEMO-")


def test_it_is_idempotent_and_prints_the_sign_ins_again() -> None:
    first = _load()
    counts = (User.objects.count(), Client.objects.count(), Note.objects.count())
    second = _load()
    assert "already loaded" in second
    assert (User.objects.count(), Client.objects.count(), Note.objects.count()) == counts
    secrets_first = re.findall(r"\b[A-Z2-7]{32}\b", first)
    assert len(secrets_first) == User.objects.count() + PortalAccount.objects.count()
    assert secrets_first == re.findall(r"\b[A-Z2-7]{32}\b", second)
    assert DEMO_PASSWORD in second


def test_demo_code_prints_a_code_that_verifies_and_signs_in() -> None:
    _load(clients=1, notes=1)
    user = User.objects.get(email="practitioner1@riverbend.example")
    code = _code(user.email)
    assert re.fullmatch(r"\d{6}", code)
    assert accounts.sign_in_check_password(email=user.email, password=DEMO_PASSWORD).ok
    device = accounts.sign_in_check_code(user_id=user.id, code=code)
    assert device is not None


def test_demo_code_refuses_accounts_outside_the_demo_agencies(world: World) -> None:
    _load(clients=1, notes=1)
    with pytest.raises(CommandError, match="No demo account"):
        _code(world.worker_a.email)
    with pytest.raises(CommandError, match="No demo account"):
        _code("nobody@riverbend.example")


def test_a_demo_client_signs_in_to_the_portal_with_the_printed_sign_in() -> None:
    out = _load(clients=2, notes=1)
    (account,) = PortalAccount.objects.all()
    assert account.is_usable
    assert Release.objects.filter(client_id=account.client_id).exists()  # something to see
    listed = re.search(rf"^  {re.escape(account.sign_in_id)}\s+([A-Z2-7]{{32}})$", out, re.M)
    assert listed is not None
    assert f"demo_code {account.sign_in_id}" in out
    assert portal.sign_in_check_password(sign_in_id=account.sign_in_id, password=DEMO_PASSWORD)
    secret = base64.b32decode(listed.group(1))

    def code_at(moment: float) -> str:
        totp = TOTP(secret, 30, 0, 6, 0)
        totp.time = moment
        return f"{totp.token():06d}"

    # demo_code (spaces, dashes and case do not matter) agrees with the printed secret.
    before = code_at(time.time())
    printed = _code(account.sign_in_id.lower().replace("-", " "))
    assert printed in (before, code_at(time.time()))
    # The enrolment used the current step; a code of a later step signs in.
    later = time.time() + 60
    with patch.object(portal, "wall_clock", lambda: later):
        assert portal.sign_in_check_code(account_id=account.id, code=code_at(later)) is not None


def test_demo_code_refuses_portal_accounts_outside_the_demo(world: World) -> None:
    _load(clients=1, notes=1)
    ours = PortalAccount.objects.get()
    PortalAccount.objects.filter(id=ours.id).update(disabled_at=ours.activated_at)
    with pytest.raises(CommandError, match="No demo account"):
        _code(ours.sign_in_id)  # ended: no code
    with pytest.raises(CommandError, match="No demo account"):
        _code("ABCD-EFGH-JKLM")


def test_the_generator_is_deterministic_for_a_seed() -> None:
    today = dt.date(2025, 6, 1)

    def generate() -> tuple[object, ...]:
        rng = random.Random(7)
        client = client_input(rng, 1, today=today, minor=False)
        plans = note_plans(rng, 20, opened_on=dt.date(2024, 1, 1), today=today, mix=NoteMix())
        return client, *plans

    assert generate() == generate()


def test_generated_notes_never_name_the_client() -> None:
    rng = random.Random(3)
    today = dt.date(2025, 6, 1)
    for number in range(20):
        client = client_input(rng, number, today=today, minor=number % 2 == 0)
        plans = note_plans(
            rng, 10, opened_on=dt.date(2024, 1, 1), today=today, mix=NoteMix(part2=True)
        )
        for plan in plans:
            assert client.legal_name.split()[1] not in plan.body
            assert dt.date(2024, 1, 1) <= plan.occurred_on <= today
            assert plan.body


def test_the_benchmark_mix_has_no_psychotherapy_notes_or_drafts() -> None:
    rng = random.Random(1)
    plans = note_plans(
        rng,
        500,
        opened_on=dt.date(2024, 1, 1),
        today=dt.date(2025, 1, 1),
        mix=NoteMix(psychotherapy=False, draft_rate=0.0),
    )
    assert all(p.kind != NoteKind.PSYCHOTHERAPY and p.sign for p in plans)


def test_riverbend_shows_one_of_each_access_control() -> None:
    from confide.consent.models import Restriction
    from confide.training.models import ConflictDeclaration

    _load(clients=6, notes=2)
    riverbend = Agency.objects.get(slug="demo-riverbend")
    staff = User.objects.filter(agency=riverbend)
    assert staff.get(email="practitioner1@riverbend.example").dv_designated
    assert staff.get(email="practitioner3@riverbend.example").is_trainee
    labelled = [c.id for c in Client.objects.filter(agency=riverbend) if "dv_location" in c.labels]
    assert len(labelled) == 1
    protected = Client.objects.filter(id=labelled[0])
    wall = ConflictDeclaration.objects.get(agency=riverbend)
    assert wall.client_id == protected.get().id
    assert wall.user.email == "supervisor@riverbend.example"
    statuses = sorted(Restriction.objects.filter(agency=riverbend).values_list("status", flat=True))
    assert statuses == ["agreed", "requested"]
    # practitioner1 (designated) still reads the protected client's address
    worker = staff.get(email="practitioner1@riverbend.example")
    view = selectors.client_get(
        actor=actor_for(worker, channel="web", mfa_verified=True), client_id=protected.get().id
    )
    assert view.address
    assert Event.objects.filter(event_type="records:client:updated").count() == 1


def test_riverbend_has_disclosures_in_an_accounting_one_included_one_excluded() -> None:
    from confide.disclosures.accounting import accounting_report
    from confide.disclosures.enums import ExcludedKind

    _load(clients=6, notes=2)
    riverbend = Agency.objects.get(slug="demo-riverbend")
    privacy = User.objects.get(agency=riverbend, role=Role.PRIVACY_OFFICER)
    officer = actor_for(privacy, channel="web", mfa_verified=True)
    released = Case.objects.filter(agency=riverbend).order_by("case_number")
    clients = {c.client_id for c in released}
    reports = [accounting_report(actor=officer, client_id=c) for c in clients]
    [report] = [r for r in reports if r.entries]
    included = report.included
    excluded = [e for e in report.entries if not e.included]
    assert [e.recipient for e in included] == ["Named person the client threatened"]
    assert included[0].purpose == "To warn them of the client's threat against them"
    assert "45 CFR 164.512(j)(1)(i)" in included[0].legal_basis
    assert [e.excluded_kind for e in excluded] == [ExcludedKind.TPO]


def test_the_load_signs_a_first_checkpoint(tmp_path: Any) -> None:
    from confide.ledger.verify import verify_ledger

    out = _load(clients=6, notes=2)
    assert re.search(r"Ledger: signed checkpoint of \d+ events in ", out)
    report = verify_ledger()
    assert report.ok
    assert report.checkpoints == 1
    assert len(list((tmp_path / "checkpoints").iterdir())) == 1
