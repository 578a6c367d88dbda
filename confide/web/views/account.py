"""The staff member's own settings: API tokens and declared personal relationships."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from confide.accounts import services as accounts
from confide.accounts.models import ApiToken
from confide.core.actor import Actor
from confide.core.errors import DomainError
from confide.training import services as training
from confide.web import forms
from confide.web.auth import reauth_redirect, recently_authenticated, staff_view
from confide.web.views.common import add_domain_error, posted, status_of

# The same words whether or not the person is a client (the form must not tell which), so it
# promises only what holds when they are.
DECLARED = (
    "Recorded. If this person is a client of the agency, their record is now hidden from you "
    "everywhere in Confide, and the agency's privacy officers can see your declaration."
)


@require_http_methods(["GET", "HEAD", "POST"])
@staff_view
def tokens(request: HttpRequest, actor: Actor) -> HttpResponse:
    form = forms.TokenForm(request.POST or None)
    secret = None
    if request.method == "POST":
        if not recently_authenticated(request):
            return reauth_redirect(request)
        if form.is_valid():
            try:
                _, secret = accounts.token_create(actor=actor, **form.cleaned_data)
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                form = forms.TokenForm()
    mine = ApiToken.objects.filter(user_id=actor.user_id).order_by("-created_at")
    return render(request, "web/tokens.html", {"form": form, "tokens": mine, "secret": secret})


@require_POST
@staff_view
def token_revoke(request: HttpRequest, actor: Actor, token_id: UUID) -> HttpResponse:
    accounts.token_revoke(actor=actor, token_id=token_id)
    messages.success(request, "Token revoked.")
    return redirect("web:tokens")


@require_http_methods(["GET", "HEAD", "POST"])
@staff_view
def relationships(request: HttpRequest, actor: Actor) -> HttpResponse:
    """Declare a personal relationship with someone who may be a client. The answer is the
    same whether or not they are one: the form must not become a way to find out."""
    form = forms.RelationshipForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            training.conflict_declare_by_identity(actor=actor, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, DECLARED)
            return redirect("web:relationships")
    return render(
        request, "web/relationships.html", {"form": form}, status=status_of(form, request)
    )
