"""The staff side of the portal: a client's portal access, on a page linked from the client's
record (`clients/<id>/portal/`): invite (the code is shown once, here), see the state, end it,
withdraw a live invitation;
care team only (consent:manage on the client). And the printable acknowledgement of the notice
(`acknowledgements/<id>/pdf/`, linked from the consent record), whether the client made it in
the portal or with a witness: consent:view on the client, decided by `consent.printable`."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from confide.consent import printable
from confide.core.actor import Actor
from confide.core.errors import DomainError
from confide.portal import forms, selectors, services
from confide.web.auth import staff_view
from confide.web.downloads import download
from confide.web.views.common import add_domain_error, posted, status_of


@require_http_methods(["GET", "HEAD", "POST"])
@staff_view
def portal_access(request: HttpRequest, actor: Actor, client_id: UUID) -> HttpResponse:
    form = forms.InviteForm(posted(request))
    invitation = None
    if request.method == "POST" and form.is_valid():
        try:
            invitation = services.invitation_create(
                actor=actor, client_id=client_id, language=form.cleaned_data["language"]
            )
        except DomainError as error:
            add_domain_error(form, error)
    status = selectors.access_status(actor=actor, client_id=client_id)
    if invitation is None and request.method == "GET":
        form = forms.InviteForm()
    context = {"access": status, "form": form, "invitation": invitation}
    return render(request, "portal/staff_access.html", context, status=status_of(form, request))


@require_POST
@staff_view
def portal_access_end(request: HttpRequest, actor: Actor, client_id: UUID) -> HttpResponse:
    services.access_end(actor=actor, client_id=client_id)
    messages.success(request, "Portal access ended. A new invitation opens it again.")
    return redirect("portal_staff:access", client_id=client_id)


@require_POST
@staff_view
def portal_invitation_withdraw(request: HttpRequest, actor: Actor, client_id: UUID) -> HttpResponse:
    services.invitation_withdraw(actor=actor, client_id=client_id)
    messages.success(request, "The invitation is withdrawn. Its code no longer works.")
    return redirect("portal_staff:access", client_id=client_id)


@require_GET
@staff_view
def acknowledgement_pdf(
    request: HttpRequest, actor: Actor, acknowledgement_id: UUID
) -> HttpResponse:
    copy = printable.acknowledgement_copy(actor=actor, acknowledgement_id=acknowledgement_id)
    return download(
        printable.acknowledgement_pdf(copy),
        "application/pdf",
        f"acknowledgement-{copy.notice_version}.pdf",
    )
