"""Forms of the retention pages: shape only; the services check the rules."""

from __future__ import annotations

from django import forms

from confide.retention.enums import HoldReason
from confide.retention.schedule import state_defaults
from confide.retention.services import MAX_HOLD_TEXT


def _states() -> list[tuple[str, str]]:
    return [(code, code) for code in sorted(state_defaults())]


class ScheduleForm(forms.Form):
    state = forms.ChoiceField(choices=_states, label="State whose law governs the records")
    years_after_closure = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=100,
        label="Years after the last case closed (blank: the state's default)",
    )
    years_after_majority = forms.IntegerField(
        required=False,
        min_value=0,
        max_value=100,
        label="For clients served as minors: years after majority (blank: default)",
    )
    majority_age = forms.IntegerField(
        required=False, min_value=18, max_value=25, label="Age of majority (blank: default)"
    )


class ApproveForm(forms.Form):
    clients = forms.TypedMultipleChoiceField(
        choices=(),
        coerce=str,
        label="Clients to destroy",
        error_messages={"required": "Choose at least one client."},
    )
    confirm = forms.BooleanField(
        label="I have checked that no legal hold, open matter or request applies to these records."
    )

    def __init__(self, *args: object, choices: list[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["clients"].choices = choices  # type: ignore[attr-defined]


class HoldForm(forms.Form):
    case_number = forms.CharField(max_length=32, label="Case number of the client to hold")
    reason = forms.ChoiceField(choices=HoldReason.choices, label="Reason")
    details = forms.CharField(
        max_length=MAX_HOLD_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Details (court, docket or reference; kept encrypted)",
    )


class ReleaseForm(forms.Form):
    hold_id = forms.UUIDField(widget=forms.HiddenInput)
    note = forms.CharField(
        max_length=MAX_HOLD_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Why the hold ends (kept encrypted)",
    )
