"""Report pages for privacy officers: the access report (HTML, CSV, PDF) and the accounting of
disclosures (HTML, CSV) of one client, and the form that chooses the client.

Only privacy officers of the client's agency reach a client's reports; everyone else, and any
missing, forged or another agency's id, gets the same 404 page (`ledger.reports.report_client`).
URLs carry the client's UUID and filter codes, never a name or a case number (the chooser posts).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from django.contrib import messages
from django.forms import Form
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import (
    require_GET,
    require_http_methods,
    require_POST,
    require_safe,
)

from confide.access.policy import STAFF
from confide.core.actor import Actor
from confide.core.enums import Role
from confide.core.errors import NotPermitted
from confide.disclosures import accounting
from confide.disclosures.exports import accounting_csv
from confide.ledger import exports, reports
from confide.ledger.forms import AccessFilterForm, AccountingForm, AnnotationForm, ReportChoiceForm
from confide.ledger.reports import AccessReport, ReportFilters, local_day_start
from confide.records.models import Client
from confide.web.auth import staff_view
from confide.web.downloads import download

FILTER_KEYS = ("since", "until", "user", "action", "sort", "order")
DEFAULT_ORDER = {"time": "desc", "user": "asc", "action": "asc"}


def _status(form: Form) -> int:
    return 400 if form.is_bound and form.errors else 200


def _stamp() -> str:
    return timezone.localtime().strftime("%Y%m%d-%H%M")


# ---- choosing a client --------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
@staff_view
def index(request: HttpRequest, actor: Actor) -> HttpResponse:
    """Choose a client by id or case number (posted: a case number stays out of URLs)."""
    if actor.role != Role.PRIVACY_OFFICER:
        raise NotPermitted("This page is for privacy officers.")
    form = ReportChoiceForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        client_id = reports.report_client_find(
            actor=actor, reference=form.cleaned_data["reference"]
        )
        if client_id is not None:
            target = "ledger:accounting" if form.cleaned_data["report"] == "accounting" else None
            return redirect(target or "ledger:access_report", client_id=client_id)
        form.add_error("reference", "No client of your agency has that id or case number.")
    return render(request, "ledger/index.html", {"form": form}, status=_status(form))


# ---- the access report --------------------------------------------------------------------------


def _filter_form(
    request: HttpRequest, actor: Actor, client_id: UUID
) -> tuple[Client, AccessFilterForm]:
    """The client whose report it is (the uniform 404 before anything else) and the filters."""
    client = reports.report_client(actor, client_id)
    data = request.GET if any(k in request.GET for k in (*FILTER_KEYS, "page")) else None
    return client, AccessFilterForm(data, staff=reports.report_staff(actor))


def _query(params: dict[str, Any], **changes: object) -> str:
    merged = {**params, **changes}
    return urlencode({k: v for k, v in merged.items() if v not in (None, "")})


def _sort_links(params: dict[str, Any], filters: ReportFilters) -> dict[str, dict[str, str]]:
    """Per column: the link that sorts by it (toggling the order of the current column) and
    its aria-sort value."""
    links = {}
    for column in ("time", "user", "action"):
        current = filters.sort == column
        if current:
            order = "asc" if filters.descending else "desc"
            aria = "descending" if filters.descending else "ascending"
        else:
            order, aria = DEFAULT_ORDER[column], "none"
        links[column] = {"href": "?" + _query(params, sort=column, order=order, page=None)}
        links[column]["aria"] = aria
    return links


def _params(form: AccessFilterForm) -> dict[str, Any]:
    if not form.is_bound:
        return {}
    return {k: form.data.get(k, "") for k in FILTER_KEYS}


def _report_context(
    form: AccessFilterForm, report: AccessReport | None, client: Client
) -> dict[str, Any]:
    """The page's context; with filters in error (no report), still the client's case numbers
    and the link to their accounting (the client was authorized before)."""
    client_id = client.id
    params = _params(form)
    context: dict[str, Any] = {
        "form": form,
        "client_id": client_id,
        "report": report,
        "case_numbers": report.case_numbers if report else reports.case_numbers(client),
        "accounting_url": reverse("ledger:accounting", args=[client_id]),
    }
    if report is None:
        return context
    export = _query(params)
    context.update(
        sort_links=_sort_links(params, report.filters),
        csv_url=reverse("ledger:access_report_csv", args=[client_id]) + "?" + export,
        pdf_url=reverse("ledger:access_report_pdf", args=[client_id]) + "?" + export,
        previous_url="?" + _query(params, page=report.page - 1) if report.page > 1 else None,
        next_url="?" + _query(params, page=report.page + 1) if report.page < report.pages else None,
        sorted_by=form.label_of("sort", report.filters.sort),
    )
    return context


@require_safe
@staff_view
def access_report(request: HttpRequest, actor: Actor, client_id: UUID) -> HttpResponse:
    client, form = _filter_form(request, actor, client_id)
    report = None
    if not form.is_bound or form.is_valid():
        filters = form.filters() if form.is_bound else ReportFilters()
        page = (form.cleaned_data.get("page") if form.is_bound else None) or 1
        report = reports.access_report(actor=actor, client_id=client_id, filters=filters, page=page)
    context = _report_context(form, report, client)
    return render(request, "ledger/access_report.html", context, status=_status(form))


def _export(
    request: HttpRequest,
    actor: Actor,
    client_id: UUID,
    fmt: reports.Format,
    build: Callable[[AccessReport, AccessFilterForm], HttpResponse],
) -> HttpResponse:
    client, form = _filter_form(request, actor, client_id)
    if form.is_bound and not form.is_valid():
        context = _report_context(form, None, client)
        return render(request, "ledger/access_report.html", context, status=400)
    filters = form.filters() if form.is_bound else ReportFilters()
    report = reports.access_report(actor=actor, client_id=client_id, filters=filters, fmt=fmt)
    return build(report, form)


def _staff_label(form: AccessFilterForm, filters: ReportFilters) -> str | None:
    if filters.user is None:
        return None
    return form.label_of("user", filters.user)


@require_GET
@staff_view
def access_report_csv(request: HttpRequest, actor: Actor, client_id: UUID) -> HttpResponse:
    def build(report: AccessReport, form: AccessFilterForm) -> HttpResponse:
        name = f"access-report-{report.client_id}-{_stamp()}.csv"
        return download(exports.access_report_csv(report), "text/csv; charset=utf-8", name)

    return _export(request, actor, client_id, "csv", build)


@require_GET
@staff_view
def access_report_pdf(request: HttpRequest, actor: Actor, client_id: UUID) -> HttpResponse:
    def build(report: AccessReport, form: AccessFilterForm) -> HttpResponse:
        pdf = exports.access_report_pdf(report, staff_name=_staff_label(form, report.filters))
        name = f"access-report-{report.client_id}-{_stamp()}.pdf"
        return download(pdf, "application/pdf", name)

    return _export(request, actor, client_id, "pdf", build)


# ---- the accounting of disclosures --------------------------------------------------------------


def _as_of(form: AccountingForm) -> dt.datetime | None:
    day = form.cleaned_data.get("as_of") if form.is_bound else None
    if day is None:
        return None
    return local_day_start(day + dt.timedelta(days=1)) - dt.timedelta(microseconds=1)


def _accounting_form(request: HttpRequest) -> AccountingForm:
    bound = "as_of" in request.GET or "audience" in request.GET
    data: QueryDict | None = request.GET if bound else None
    return AccountingForm(data)


def _audience(form: AccountingForm) -> str:
    return str(form.cleaned_data["audience"]) if form.is_bound else STAFF


def _accounting_query(form: AccountingForm) -> str:
    """The page's choices, for the CSV link and for going back to the page."""
    if not form.is_bound:
        return ""
    chosen = {k: form.data.get(k, "") for k in ("as_of", "audience")}
    return urlencode({k: v for k, v in chosen.items() if v})


@require_safe
@staff_view
def accounting_page(request: HttpRequest, actor: Actor, client_id: UUID) -> HttpResponse:
    reports.report_client(actor, client_id)  # the uniform 404 before anything else
    form = _accounting_form(request)
    report = None
    if not form.is_bound or form.is_valid():
        report = accounting.accounting_report(
            actor=actor, client_id=client_id, as_of=_as_of(form), audience=_audience(form)
        )
    query = _accounting_query(form)
    context = {
        "form": form,
        "report": report,
        "client_id": client_id,
        "annotation_max": accounting.MAX_ANNOTATION,
        "csv_url": reverse("ledger:accounting_csv", args=[client_id])
        + ("?" + query if query else ""),
        "access_url": reverse("ledger:access_report", args=[client_id]),
    }
    return render(request, "ledger/accounting.html", context, status=_status(form))


@require_GET
@staff_view
def accounting_csv_view(request: HttpRequest, actor: Actor, client_id: UUID) -> HttpResponse:
    reports.report_client(actor, client_id)
    form = _accounting_form(request)
    if form.is_bound and not form.is_valid():  # the page shows the error
        query = _accounting_query(form)
        return redirect(reverse("ledger:accounting", args=[client_id]) + "?" + query)
    report = accounting.accounting_report(
        actor=actor, client_id=client_id, as_of=_as_of(form), fmt="csv", audience=_audience(form)
    )
    day = timezone.localdate(report.as_of)
    copy = "-representative" if report.for_guardian else ""
    name = f"accounting-{report.client_id}-{day:%Y%m%d}{copy}.csv"
    return download(accounting_csv(report), "text/csv; charset=utf-8", name)


@require_POST
@staff_view
def accounting_annotate(request: HttpRequest, actor: Actor, entry_id: UUID) -> HttpResponse:
    form = AnnotationForm(request.POST)
    # Access first, so a refused caller learns nothing from a form error.
    client_id = accounting.accounting_entry_client(actor=actor, entry_id=entry_id)
    if form.is_valid():
        accounting.accounting_entry_annotate(
            actor=actor, entry_id=entry_id, text=form.cleaned_data["text"]
        )
        messages.success(request, "Annotation added.")
    else:
        problems = " ".join(str(e) for errors in form.errors.values() for e in errors)
        messages.error(request, f"The annotation was not added: {problems}")
    return redirect(reverse("ledger:accounting", args=[client_id]) + f"#entry-{entry_id}")
