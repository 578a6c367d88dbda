"""Template helpers for the page frame."""

from __future__ import annotations

from django import forms, template

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


@register.simple_tag
def form_problems(form: forms.BaseForm) -> dict[str, object]:
    """A form's errors for its summary: each visible field's, linked to its input (a group of
    radio buttons or boxes to its first), and whether a hidden field (a page out of date) failed."""
    links = []
    for field in form.visible_fields():
        if field.errors:
            target = field.id_for_label or f"{field.auto_id}_0"
            problems = " ".join(str(e) for e in field.errors)
            links.append((f"#{target}", f"{field.label}: {problems}"))
    stale = any(field.errors for field in form.hidden_fields())
    return {"links": links, "stale": stale}
