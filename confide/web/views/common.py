"""What every page module shares: error pages, form helpers, role checks."""

from __future__ import annotations

from collections.abc import Iterable

from django.forms import Form as BaseForm
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render

from confide.core.actor import Actor
from confide.core.enums import Role
from confide.core.errors import DomainError, NotFound, NotPermitted, ValidationFailed
from confide.portal.auth import render_portal_error
from confide.web.auth import is_portal_path, render_error


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return render(request, "web/csrf_failure.html", status=403)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """The 404 for an address no route matches: the portal's own page under /portal/ (a client
    is never sent to the staff sign-in), else the staff page."""
    if is_portal_path(request.path):
        return render_portal_error(request, NotFound("page"))
    return render_error(request, NotFound("page"))


def posted(request: HttpRequest) -> QueryDict | None:
    """The POST data of a POST (even an empty one, which must fail validation), else None."""
    return request.POST if request.method == "POST" else None


def status_of(form: BaseForm, request: HttpRequest) -> int:
    """400 for a posted form with errors, else 200."""
    return 400 if request.method == "POST" and form.errors else 200


def form_problem(form: BaseForm) -> str:
    return "; ".join(
        f"{name}: {' '.join(str(e) for e in errs)}" for name, errs in form.errors.items()
    )


def require_role(actor: Actor, roles: Iterable[Role], message: str) -> None:
    """Pages of one role: anyone else gets a clear 403 (the page's existence is no secret)."""
    if actor.role not in set(roles):
        raise NotPermitted(message)


def add_domain_error(form: BaseForm, error: DomainError) -> None:
    """Show a service's refusal on the form: per field where it names form fields.

    NotFound is re-raised: it becomes the uniform 404 page, like any missing object.
    """
    if isinstance(error, NotFound):
        raise error
    if isinstance(error, ValidationFailed):
        for name, problem in error.fields.items():
            form.add_error(name if name in form.fields else None, problem)
        return
    form.add_error(None, error.message)
