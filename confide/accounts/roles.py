"""Changing a staff member's role: configuration that decides access, so it is on the ledger
with the old and the new role."""

from __future__ import annotations

from uuid import UUID

from django.db import transaction

from confide.accounts.models import User
from confide.core.actor import Actor
from confide.core.enums import Role
from confide.core.errors import NotPermitted, ValidationFailed
from confide.core.ids import row_or_not_found
from confide.ledger import services as ledger
from confide.ledger.enums import EventType


@transaction.atomic
def staff_set_role(*, actor: Actor, user_id: UUID | str, role: Role | str) -> User:
    """Give a staff member of the actor's agency another role; it applies from their next
    request (the Actor is rebuilt per request).

    Administrators only, and never their own role (another administrator changes it, so an
    agency cannot lose its last administrator by mistake, nor anyone raise themselves). Needs a
    recent re-authentication (checked by the caller's view). Writes accounts:user:role_changed
    with the old and the new role. Raises NotPermitted, NotFound, ValidationFailed.
    """
    if actor.role != Role.ADMINISTRATOR:
        raise NotPermitted("Only an administrator changes staff roles.")
    if role not in Role.values:
        raise ValidationFailed({"role": "choose one of: " + ", ".join(Role.values)})
    new = Role(role)
    rows = User.objects.select_for_update().filter(agency_id=actor.agency_id)
    user = row_or_not_found(rows, user_id, "staff member")
    if user.id == actor.user_id:
        raise NotPermitted("Ask another administrator to change your own role.")
    old = Role(user.role)
    if old == new:
        raise ValidationFailed({"role": f"already {new.label.lower()}"})
    user.role = new.value
    user.save(update_fields=["role", "updated_at"])
    ledger.record(
        actor=actor,
        event_type=EventType.ROLE_CHANGED,
        subject_type="user",
        subject_id=user.id,
        details={"from": old.value, "to": new.value},
    )
    return user
