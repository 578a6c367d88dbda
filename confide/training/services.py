"""Writers for training completions and conflict walls. Each is one transaction with its
ledger event."""

from __future__ import annotations

import datetime as dt
from uuid import UUID

from django.db import transaction

from confide.access.selectors import LookupPurpose, clients_with_identity
from confide.accounts.models import User
from confide.core import clock
from confide.core.actor import Actor
from confide.core.enums import Role
from confide.core.errors import NotPermitted, ValidationFailed
from confide.core.ids import row_or_not_found
from confide.ledger import services as ledger
from confide.ledger.enums import EventType
from confide.records.models import Client
from confide.training.enums import Relationship
from confide.training.errors import WallAlreadyDeclared
from confide.training.models import ConflictDeclaration, TrainingCompletion

# Who records and removes walls for other staff, and lists the agency's walls: privacy officers.
# Not administrators, who see no client content: recording a wall by name and date of birth,
# then finding it in the list with its case numbers, would tell them who is a client.
WALL_MANAGERS = frozenset({Role.PRIVACY_OFFICER})


def _staff_of_agency(actor: Actor, user_id: UUID | str) -> User:
    rows = User.objects.select_related("agency").filter(agency_id=actor.agency_id)
    return row_or_not_found(rows, user_id, "staff member")


@transaction.atomic
def training_record(
    *, actor: Actor, user_id: UUID | str, completed_on: dt.date, valid_days: int | None = None
) -> TrainingCompletion:
    """Record a completed confidentiality training for a staff member of the agency.

    Needs the administrator role. Writes training:completion:recorded. Raises NotFound,
    NotPermitted, ValidationFailed (a date in the future or over a year old).
    """
    if actor.role != Role.ADMINISTRATOR:
        raise NotPermitted("Only an administrator records training completions.")
    user = _staff_of_agency(actor, user_id)
    today = clock.today()
    if (
        not isinstance(completed_on, dt.date)
        or not today - dt.timedelta(days=366) <= completed_on <= today
    ):
        raise ValidationFailed({"completed_on": "must be a date within the past year"})
    days = valid_days if valid_days is not None else user.agency.training_validity_days
    completion = TrainingCompletion.objects.create(
        agency_id=actor.agency_id,
        user=user,
        completed_on=completed_on,
        expires_on=completed_on + dt.timedelta(days=days),
        recorded_by_id=actor.user_id,
    )
    ledger.record(
        actor=actor,
        event_type=EventType.TRAINING_RECORDED,
        subject_type="user",
        subject_id=user.id,
        details={"expires_on": completion.expires_on.isoformat()},
    )
    return completion


def training_status(user: User) -> dt.date | None:
    """When the user's confidentiality training expires (None if never recorded)."""
    latest = TrainingCompletion.objects.filter(user=user).order_by("-expires_on").first()
    return latest.expires_on if latest else None


@transaction.atomic
def conflict_declare(
    *, actor: Actor, client_id: UUID | str, relationship: str, user_id: UUID | str | None = None
) -> ConflictDeclaration:
    """Declare a personal relationship between a staff member and a client: from now on that
    client does not exist for that staff member.

    Staff declare for themselves; a privacy officer may record one for any
    staff member of the agency. The client is looked up by id within the agency only (a wall
    must be possible exactly where access is not). Writes training:conflict:declared.
    Raises NotFound, NotPermitted, ValidationFailed, WallAlreadyDeclared.
    """
    target = actor.user_id if user_id is None else user_id
    if str(target) != str(actor.user_id) and actor.role not in WALL_MANAGERS:
        raise NotPermitted("Only a privacy officer records walls for others.")
    if relationship not in Relationship.values:
        raise ValidationFailed({"relationship": f"must be one of {', '.join(Relationship.values)}"})
    user = _staff_of_agency(actor, target)
    client = _client_of_agency(actor, client_id)
    if ConflictDeclaration.objects.filter(user=user, client=client, removed_at=None).exists():
        raise WallAlreadyDeclared()
    wall = ConflictDeclaration.objects.create(
        agency_id=actor.agency_id,
        user=user,
        client=client,
        relationship=relationship,
        declared_by_id=actor.user_id,
    )
    ledger.record(
        actor=actor,
        event_type=EventType.CONFLICT_DECLARED,
        subject_type="conflict",
        subject_id=wall.id,
        client_id=client.id,
        details={"staff": str(user.id), "relationship": relationship},
    )
    return wall


def _client_of_agency(actor: Actor, client_id: UUID | str) -> Client:
    return row_or_not_found(Client.objects.filter(agency_id=actor.agency_id), client_id, "client")


@transaction.atomic
def conflict_remove(*, actor: Actor, wall_id: UUID | str, reason: str) -> ConflictDeclaration:
    """End a declared relationship (for example, declared in error). Privacy officers only.
    Writes training:conflict:removed. Raises NotFound, NotPermitted,
    ValidationFailed."""
    if actor.role not in WALL_MANAGERS:
        raise NotPermitted("Only a privacy officer removes a wall.")
    if not reason.strip() or len(reason) > 500:
        raise ValidationFailed({"reason": "give a reason of 1 to 500 characters"})
    rows = ConflictDeclaration.objects.select_for_update().filter(
        agency_id=actor.agency_id, removed_at=None
    )
    wall = row_or_not_found(rows, wall_id, "declaration")
    wall.removed_at = clock.now()
    wall.removed_by_id = actor.user_id
    wall.save(update_fields=["removed_at", "removed_by", "updated_at"])
    ledger.record(
        actor=actor,
        event_type=EventType.CONFLICT_REMOVED,
        subject_type="conflict",
        subject_id=wall.id,
        client_id=wall.client_id,
        reason=reason.strip(),
    )
    return wall


@transaction.atomic
def conflict_declare_by_identity(
    *,
    actor: Actor,
    legal_name: str,
    date_of_birth: dt.date,
    relationship: str,
    user_id: UUID | str | None = None,
) -> None:
    """Declare a relationship with whoever in the agency has exactly this legal name and date
    of birth (the declarer may not be able to see the record, so they cannot pick it by id).

    Returns nothing on purpose: the caller answers the same whether or not anyone matched,
    so the form never reveals whether a person is a client. Walls already in place are left
    as they are. Same permissions as `conflict_declare`. Writes records:client:searched
    (purpose and match count) and training:conflict:declared for each match. Raises
    NotFound (staff member), NotPermitted, ValidationFailed.
    """
    target = actor.user_id if user_id is None else user_id
    if str(target) != str(actor.user_id) and actor.role not in WALL_MANAGERS:
        raise NotPermitted("Only a privacy officer records walls for others.")
    if relationship not in Relationship.values:
        raise ValidationFailed({"relationship": f"must be one of {', '.join(Relationship.values)}"})
    user = _staff_of_agency(actor, target)
    matches = clients_with_identity(
        Client.objects.all(), actor.agency_id, legal_name, date_of_birth
    )
    ledger.record(
        actor=actor,
        event_type=EventType.CLIENT_SEARCHED,
        reason=LookupPurpose.CONFLICT.value,
        details={"purpose": LookupPurpose.CONFLICT.value, "matches": len(matches)},
    )
    for client in matches:
        if not ConflictDeclaration.objects.filter(
            user=user, client=client, removed_at=None
        ).exists():
            conflict_declare(
                actor=actor, client_id=client.id, relationship=relationship, user_id=user.id
            )
