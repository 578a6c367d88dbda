"""Template helpers for the page frame."""

from __future__ import annotations

from django import template

from confide.accounts.models import User
from confide.disclosures.decisions import words as spoken
from confide.messaging.services import unread_count as count_unread

register = template.Library()


@register.simple_tag
def unread_count(user: object) -> int:
    """Unread notifications of the signed-in staff member (0 for anyone else)."""
    return count_unread(user.id) if isinstance(user, User) else 0


@register.filter
def words(code: object) -> str:
    """An engine or form code in words (`potential_victim` -> "Potential victim")."""
    return spoken(code)
