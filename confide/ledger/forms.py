"""Forms of the report pages: choosing a client, the access report's filters, the accounting's
date and whom it is for, and an annotation. Filters travel as GET parameters: ids, dates and
codes only."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal
from uuid import UUID

from django import forms

from confide.access.policy import GUARDIAN, STAFF
from confide.core import clock
from confide.disclosures.accounting import MAX_ANNOTATION
from confide.ledger.enums import EventType
from confide.ledger.reports import SYSTEM, ReportFilters, Sort

REPORTS = (("access", "Access report"), ("accounting", "Accounting of disclosures"))
SORT_CHOICES = (("time", "Time"), ("user", "Staff member"), ("action", "Action"))
ORDER_CHOICES = (("desc", "Descending (newest first, Z to A)"), ("asc", "Ascending"))
AUDIENCE_CHOICES = (
    (STAFF, "The client, or the agency's own review"),
    (GUARDIAN, "A parent, guardian or other personal representative"),
)


class DateInput(forms.DateInput):
    input_type = "date"


class ReportChoiceForm(forms.Form):
    reference = forms.CharField(
        label="Client id or case number",
        max_length=64,
        help_text="The client's record id (as in the record's address) or one of their case "
        "numbers.",
    )
    report = forms.ChoiceField(
        label="Report", choices=REPORTS, initial="access", widget=forms.RadioSelect
    )


class AccessFilterForm(forms.Form):
    since = forms.DateField(label="From", required=False, widget=DateInput)
    until = forms.DateField(label="To", required=False, widget=DateInput)
    user = forms.ChoiceField(label="Staff member", required=False)
    action = forms.ChoiceField(label="Action", required=False)
    sort = forms.ChoiceField(label="Sort by", required=False, choices=SORT_CHOICES)
    order = forms.ChoiceField(label="Order", required=False, choices=ORDER_CHOICES)
    page = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args: Any, staff: list[tuple[UUID, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        people = [(str(ident), name) for ident, name in staff]
        users = [("", "Anyone"), (SYSTEM, "System (no staff member)"), *people]
        actions = sorted(((v, f"{label} ({v})") for v, label in EventType.choices), key=str)
        self._choice("user").choices = users
        self._choice("action").choices = [("", "Any action"), *actions]
        self.labels: dict[str, dict[str, str]] = {
            "user": dict(users),
            "action": dict(actions),
            "sort": dict(SORT_CHOICES),
        }

    def _choice(self, name: str) -> forms.ChoiceField:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        return field

    def label_of(self, name: str, value: object) -> str:
        """The label shown for a value of a choice field (a staff member's name, say)."""
        return self.labels[name].get(str(value), str(value))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", "The end date must not be before the start date.")
        return data

    def filters(self) -> ReportFilters:
        data = self.cleaned_data
        raw = data.get("user") or None
        user: UUID | Literal["system"] | None = None
        if raw == SYSTEM:
            user = SYSTEM
        elif raw:
            user = UUID(raw)
        sort: Sort = data.get("sort") or "time"
        return ReportFilters(
            since=data.get("since"),
            until=data.get("until"),
            user=user,
            action=data.get("action") or None,
            sort=sort,
            descending=(data.get("order") or "desc") == "desc",
        )


class AccountingForm(forms.Form):
    as_of = forms.DateField(
        label="Accounting as of",
        required=False,
        widget=DateInput,
        help_text="The six years up to the end of this day. Leave empty for now.",
    )
    audience = forms.ChoiceField(
        label="For",
        choices=AUDIENCE_CHOICES,
        required=False,
        help_text="A representative's copy leaves out every disclosure of what a minor "
        "consented to alone.",
    )

    def clean_as_of(self) -> dt.date | None:
        day: dt.date | None = self.cleaned_data.get("as_of")
        if day is not None and day > clock.today():
            raise forms.ValidationError("Choose today or an earlier day.")
        return day

    def clean_audience(self) -> str:
        return self.cleaned_data.get("audience") or STAFF


class AnnotationForm(forms.Form):
    text = forms.CharField(
        label="Annotation",
        max_length=MAX_ANNOTATION,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="A correction or a note (a suspension under 164.528(a)(2), say). The entry "
        "itself never changes.",
    )
