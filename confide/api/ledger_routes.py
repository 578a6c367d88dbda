"""Ledger checkpoints and proofs over the API, for privacy officers.

A privacy officer fetches signed checkpoints, an inclusion proof that one of their agency's
events is in a signed checkpoint (for an access report entry shown to a client, say), and
consistency proofs that the log only grew. Everything returned is hashes, sizes and signed
notes; proofs of another agency's events answer 404, like missing ones. Each answer verifies
offline with `confide ledger verify-proof` and the ledger's public key.

The role check is here for now (`Role.PRIVACY_OFFICER` on the Actor); the Cedar policy of the
access issue takes it over (action `ledger:proof:read`) without changing these endpoints.

Mount in `confide/api/api.py`, *before* the record router (whose catch-all answers any other
path): `api.add_router("/ledger", ledger_router)`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema

from confide.api.auth import actor_of
from confide.api.schemas import ErrorOut
from confide.core.actor import Actor
from confide.core.enums import Role
from confide.core.errors import NotFound, NotPermitted, ValidationFailed
from confide.ledger import checkpoints
from confide.ledger.merkle import ProofError
from confide.ledger.models import Event

ERRORS: dict[int, type[ErrorOut]] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
MAX_SIZE = 2**62


class CheckpointOut(Schema):
    tree_size: int
    root_hash: str = Field(description="Hex SHA-256 Merkle root (RFC 9162).")
    key_id: str
    signed_at: str
    note: str = Field(description="The C2SP signed checkpoint note, as exported.")


class InclusionProofOut(Schema):
    format: str
    origin: str
    tree_size: int
    seq: int
    leaf_index: int
    event_hash: str
    path: list[str]
    checkpoint: str


class ConsistencyProofOut(Schema):
    format: str
    origin: str
    old_size: int
    new_size: int
    path: list[str]
    old_checkpoint: str
    new_checkpoint: str


def privacy_officer(request: HttpRequest) -> Actor:
    """The caller, if a privacy officer (until the Cedar policy decides `ledger:proof:read`)."""
    actor = actor_of(request)
    if actor.role != Role.PRIVACY_OFFICER:
        raise NotPermitted("Only privacy officers may read ledger checkpoints and proofs.")
    return actor


def _checkpoint_out(stored: checkpoints.StoredCheckpoint | None) -> CheckpointOut:
    if stored is None:
        raise NotFound("checkpoint")
    return CheckpointOut(
        tree_size=stored.tree_size,
        root_hash=stored.root_hash,
        key_id=stored.key_id,
        signed_at=stored.signed_at,
        note=stored.note,
    )


def _proof(build: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    try:
        document = build()
    except checkpoints.ProofUnavailable:
        raise NotFound("checkpoint") from None
    except ProofError as exc:
        raise ValidationFailed({"tree_size": str(exc)}) from None
    return document


def build_router() -> Router:
    """A fresh router (a ninja router can be mounted on one API only)."""
    router = Router(tags=["ledger"])

    @router.get("/checkpoints/latest", response={200: CheckpointOut, **ERRORS})
    def checkpoint_latest(request: HttpRequest) -> CheckpointOut:
        """The newest signed checkpoint."""
        privacy_officer(request)
        return _checkpoint_out(checkpoints.checkpoint_latest())

    @router.get("/checkpoints/{tree_size}", response={200: CheckpointOut, **ERRORS})
    def checkpoint_detail(request: HttpRequest, tree_size: int) -> CheckpointOut:
        """The signed checkpoint of a tree size."""
        privacy_officer(request)
        if not 0 < tree_size < MAX_SIZE:
            raise NotFound("checkpoint")
        return _checkpoint_out(checkpoints.checkpoint_get(tree_size))

    @router.get("/proofs/inclusion", response={200: InclusionProofOut, **ERRORS})
    def inclusion_proof(
        request: HttpRequest, seq: int, tree_size: int | None = None
    ) -> dict[str, Any]:
        """Proof that event `seq` (of the caller's agency) is in a signed checkpoint: the given
        tree size, or else the first checkpoint that includes it."""
        actor = privacy_officer(request)
        if (
            not 0 < seq < MAX_SIZE
            or not Event.objects.filter(seq=seq, agency_id=actor.agency_id).exists()
        ):
            raise NotFound("event")
        return _proof(lambda: checkpoints.prove_inclusion(seq, tree_size=tree_size))

    @router.get("/proofs/consistency", response={200: ConsistencyProofOut, **ERRORS})
    def consistency_proof(
        request: HttpRequest, old_size: int, new_size: int | None = None
    ) -> dict[str, Any]:
        """Proof that the checkpoint of `new_size` (default: the latest) extends `old_size`."""
        privacy_officer(request)
        if not 0 < old_size < MAX_SIZE or (new_size is not None and not 0 < new_size < MAX_SIZE):
            raise NotFound("checkpoint")
        return _proof(lambda: checkpoints.prove_consistency(old_size, new_size))

    return router


router = build_router()
