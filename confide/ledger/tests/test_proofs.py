"""Inclusion and consistency proofs: built from the database, verified with nothing but the
proof, the checkpoint and the public key, by function, by CLI (offline) and over the API."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings as django_settings
from ninja import NinjaAPI
from ninja.testing import TestClient

from confide import cli
from confide.accounts import services as accounts
from confide.accounts.models import User
from confide.api import errors
from confide.api.auth import TokenAuth
from confide.api.ledger_routes import build_router
from confide.ledger import merkle
from confide.ledger.checkpoints import (
    LedgerKeys,
    ProofUnavailable,
    checkpoint_create,
    prove_consistency,
    prove_inclusion,
)
from confide.ledger.models import Event
from confide.ledger.proofs import (
    ProofInvalid,
    verify_consistency_document,
    verify_document,
    verify_inclusion_document,
)
from confide.ledger.signing import Signer, Verifier
from confide.ledger.testing import AGENCIES, append_events, temporary_keys
from confide.testing import World, actor

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def keys(settings: Any, tmp_path: Path) -> LedgerKeys:
    return temporary_keys(settings, tmp_path)


@pytest.fixture
def signed(db: None, keys: LedgerKeys) -> Verifier:
    """50 events under checkpoints of 20 and 50; returns the public key."""
    append_events(20, seed=1)
    checkpoint_create(keys=keys)
    append_events(30, seed=2)
    checkpoint_create(keys=keys)
    return keys.verifier()


# --- proof documents --------------------------------------------------------------------------


def test_every_event_has_an_inclusion_proof_that_verifies(signed: Verifier) -> None:
    for seq in range(1, 51):
        document = prove_inclusion(seq)
        assert document["tree_size"] == (20 if seq <= 20 else 50)
        assert verify_inclusion_document(document, signed).kind == "inclusion"
        assert verify_inclusion_document(prove_inclusion(seq, tree_size=50), signed)


def test_an_inclusion_proof_can_carry_the_event_and_its_hash_is_rechecked(
    signed: Verifier,
) -> None:
    document = prove_inclusion(7, with_event=True)
    assert document["event"]["seq"] == 7
    verify_inclusion_document(document, signed)
    document["event"]["reason"] = "something else"
    with pytest.raises(ProofInvalid, match="do not hash"):
        verify_inclusion_document(document, signed)


@pytest.mark.parametrize(
    "tamper",
    [
        lambda d: d.update(seq=d["seq"] + 1, leaf_index=d["leaf_index"] + 1),
        lambda d: d["path"].__setitem__(0, "00" * 32),
        lambda d: d["path"].pop(),
        lambda d: d.update(event_hash="ab" * 32),
        lambda d: d.update(tree_size=49),
        lambda d: d.update(checkpoint=d["checkpoint"].replace("\n50\n", "\n51\n")),
        lambda d: d.update(origin="another.log"),
        lambda d: d.update(path="not a list"),
        lambda d: d.update(format="something/v9"),
    ],
)
def test_a_tampered_inclusion_proof_does_not_verify(signed: Verifier, tamper: Any) -> None:
    document = copy.deepcopy(prove_inclusion(33))
    tamper(document)
    with pytest.raises(ProofInvalid):
        verify_document(document, signed)


def test_a_proof_does_not_verify_under_another_key(signed: Verifier) -> None:
    stranger = Signer(signed.name, Ed25519PrivateKey.generate()).verifier
    with pytest.raises(ProofInvalid, match="not signed by"):
        verify_document(prove_inclusion(3), stranger)


def test_consistency_proofs_verify_and_tampering_is_caught(signed: Verifier) -> None:
    document = prove_consistency(20)
    assert (document["old_size"], document["new_size"]) == (20, 50)
    assert verify_consistency_document(document, signed).kind == "consistency"
    assert verify_document(prove_consistency(20, 20), signed)
    swapped = dict(document, old_checkpoint=document["new_checkpoint"])
    with pytest.raises(ProofInvalid):
        verify_document(swapped, signed)
    flipped = copy.deepcopy(document)
    flipped["path"][-1] = "11" * 32
    with pytest.raises(ProofInvalid, match="does not extend"):
        verify_document(flipped, signed)


def test_proofs_need_a_checkpoint_that_covers_them(signed: Verifier, keys: LedgerKeys) -> None:
    append_events(1, seed=3)
    with pytest.raises(ProofUnavailable):
        prove_inclusion(51)
    with pytest.raises(ProofUnavailable):
        prove_inclusion(30, tree_size=20)
    with pytest.raises(ProofUnavailable):
        prove_inclusion(999)
    with pytest.raises(ProofUnavailable):
        prove_consistency(21)
    with pytest.raises(ProofUnavailable):
        prove_consistency(50, 20)


def test_the_stored_tree_answers_proofs_like_the_events_do(signed: Verifier) -> None:
    leaves = [merkle.leaf_hash(bytes.fromhex(e.hash)) for e in Event.objects.order_by("seq")]
    for seq in (1, 16, 17, 32, 33, 50):
        path = [bytes.fromhex(node) for node in prove_inclusion(seq, tree_size=50)["path"]]
        assert path == merkle.inclusion_proof(merkle.LeafList(leaves), seq - 1, 50)


# --- the command line -------------------------------------------------------------------------


def test_the_cli_proves_and_an_auditor_verifies_offline(
    signed: Verifier, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["ledger", "public-key"]) == 0
    vkey = capsys.readouterr().out.strip()
    assert Verifier.parse(vkey) == signed
    assert cli.main(["ledger", "prove-inclusion", "42", "--with-event"]) == 0
    inclusion = tmp_path / "inclusion.json"
    inclusion.write_text(capsys.readouterr().out)
    assert cli.main(["ledger", "prove-consistency", "20", "50"]) == 0
    consistency = tmp_path / "consistency.json"
    consistency.write_text(capsys.readouterr().out)

    for proof in (inclusion, consistency):
        assert cli.main(["ledger", "verify-proof", str(proof), "--key", vkey]) == 0
        assert capsys.readouterr().out.startswith("proof verified: ")

    document = json.loads(inclusion.read_text())
    document["path"][0] = "00" * 32
    inclusion.write_text(json.dumps(document))
    assert cli.main(["ledger", "verify-proof", str(inclusion), "--key", vkey]) == 1
    expected = "proof NOT verified: event 42 is not in the checkpoint of size 50\n"
    assert capsys.readouterr().out == expected


def test_verify_proof_runs_without_django_or_a_database(signed: Verifier, tmp_path: Path) -> None:
    document = prove_inclusion(5)
    (tmp_path / "proof.json").write_text(json.dumps(document))
    (tmp_path / "checkpoint.txt").write_text(document.pop("checkpoint"))
    (tmp_path / "proof.json").write_text(json.dumps(document))  # the checkpoint given apart
    (tmp_path / "ledger.pub").write_text(signed.text())
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO", "CONFIDE"))}
    env["CONFIDE_DATABASE_URL"] = "postgres://nobody@127.0.0.1:1/none"  # unusable, if touched
    command = [sys.executable, "-c", "import sys; from confide.cli import main; sys.exit(main())"]
    args = ["ledger", "verify-proof", "proof.json", "--key", "ledger.pub"]
    done = subprocess.run(
        [*command, *args, "--checkpoint", "checkpoint.txt"],
        cwd=tmp_path,
        env={**env, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "event 5 is in the signed checkpoint of size 20" in done.stdout


# --- the API ----------------------------------------------------------------------------------


@pytest.fixture
def api() -> TestClient:
    ninja = NinjaAPI(auth=TokenAuth(), urls_namespace=f"ledger-test-{uuid.uuid4().hex}")
    errors.install(ninja)
    ninja.add_router("/ledger", build_router())
    return TestClient(ninja)


def bearer(user: User) -> dict[str, str]:
    _, secret = accounts.token_create(actor=actor(user), name="ledger test", days=1)
    return {"Authorization": f"Bearer {secret}"}


def own_event(world: World) -> int:
    """The newest event of agency A (the world's own, recorded by its services)."""
    event = Event.objects.filter(agency_id=world.agency_a.id).order_by("-seq").first()
    assert event is not None
    return event.seq


def test_privacy_officers_get_checkpoints_and_proofs(
    world: World, keys: LedgerKeys, api: TestClient
) -> None:
    seq = own_event(world)
    headers = bearer(world.privacy_a)  # writes an event: after `seq`
    checkpoint_create(keys=keys)
    latest = api.get("/ledger/checkpoints/latest", headers=headers)
    assert latest.status_code == 200
    size = latest.json()["tree_size"]
    assert api.get(f"/ledger/checkpoints/{size}", headers=headers).json() == latest.json()
    proof = api.get(f"/ledger/proofs/inclusion?seq={seq}", headers=headers)
    assert proof.status_code == 200
    assert "event" not in proof.json()
    verify_document(proof.json(), keys.verifier())
    append_events(3)
    checkpoint_create(keys=keys)
    growth = api.get(f"/ledger/proofs/consistency?old_size={size}", headers=headers)
    assert growth.status_code == 200
    assert verify_document(growth.json(), keys.verifier()).kind == "consistency"


def test_proofs_of_another_agencys_events_look_missing(
    world: World, keys: LedgerKeys, api: TestClient
) -> None:
    headers = bearer(world.privacy_a)
    append_events(5)
    checkpoint_create(keys=keys)
    other = Event.objects.exclude(agency_id=world.agency_a.id).exclude(agency_id=None).first()
    assert other is not None
    missing = api.get("/ledger/proofs/inclusion?seq=99999", headers=headers)
    foreign = api.get(f"/ledger/proofs/inclusion?seq={other.seq}", headers=headers)
    assert foreign.status_code == missing.status_code == 404
    assert foreign.json() == missing.json()
    assert AGENCIES[0] != world.agency_a.id


@pytest.mark.parametrize("persona", ["worker_a", "supervisor_a", "admin_a", "intake_a"])
def test_only_privacy_officers_may_read_ledger_proofs(
    world: World, keys: LedgerKeys, api: TestClient, persona: str
) -> None:
    checkpoint_create(keys=keys)
    headers = bearer(getattr(world, persona))
    for path in ["/ledger/checkpoints/latest", f"/ledger/proofs/inclusion?seq={own_event(world)}"]:
        response = api.get(path, headers=headers)
        assert response.status_code == 403
        assert response.json()["error"] == "forbidden"


def test_the_ledger_endpoints_need_a_token(world: World, api: TestClient) -> None:
    assert api.get("/ledger/checkpoints/latest").status_code == 401


def test_no_checkpoint_yet_is_a_404(world: World, keys: LedgerKeys, api: TestClient) -> None:
    response = api.get("/ledger/checkpoints/latest", headers=bearer(world.privacy_a))
    assert response.status_code == 404
    assert keys.checkpoint_dir == django_settings.CONFIDE_CHECKPOINT_DIR
