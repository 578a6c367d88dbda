"""Page forms: they check shape (types, lengths); services check the domain rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.validators import MaxValueValidator

from confide.access.models import EmergencyReason, ReviewOutcome, ReviewPurpose
from confide.consent.enums import RestrictionKind
from confide.core.enums import Label, Role
from confide.records.enums import NoteKind
from confide.records.validation import (
    MAX_ADDRESS,
    MAX_EMAIL,
    MAX_NAME,
    MAX_NOTE_CHARS,
    MAX_PHONE,
)
from confide.training.enums import Relationship


class SignInForm(forms.Form):
    email = forms.EmailField(
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        max_length=1024,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class CodeForm(forms.Form):
    code = forms.RegexField(
        regex=r"^\s*\d{3}\s?\d{3}\s*$",
        max_length=8,
        label="6-digit code",
        error_messages={"invalid": "Enter the 6 digits your authenticator app shows."},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


class ReauthForm(CodeForm):
    password = forms.CharField(
        max_length=1024,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The password comes first on the page: the cursor starts there, not in the code.
        self.fields["code"].widget.attrs.pop("autofocus", None)


class SearchForm(forms.Form):
    legal_name = forms.CharField(max_length=MAX_NAME, label="Legal name (exact)")
    date_of_birth = forms.DateField(
        label="Date of birth", widget=forms.DateInput(attrs={"type": "date"})
    )


class PhoneSearchForm(forms.Form):
    last_four = forms.RegexField(
        regex=r"^[0-9]{4}$",
        max_length=4,
        label="Last four digits of the phone number",
        error_messages={"invalid": "Enter exactly four digits."},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )


class IdentifierSearchForm(forms.Form):
    kind = forms.CharField(max_length=40, label="Identifier kind (for example medicaid)")
    value = forms.CharField(max_length=100, label="Identifier (exact)")


class RegisterClientForm(forms.Form):
    """A new client and the team their first case goes to. Browsers are told not to fill in or
    remember these fields: they describe someone else."""

    legal_name = forms.CharField(max_length=MAX_NAME, label="Legal name")
    preferred_name = forms.CharField(
        max_length=MAX_NAME,
        required=False,
        label="Preferred name",
        help_text="What the client likes to be called. Leave empty to use the legal name.",
    )
    date_of_birth = forms.DateField(
        label="Date of birth", widget=forms.DateInput(attrs={"type": "date"})
    )
    phone = forms.CharField(max_length=MAX_PHONE, required=False, label="Phone")
    email = forms.EmailField(max_length=MAX_EMAIL, required=False, label="Email")
    address = forms.CharField(
        max_length=MAX_ADDRESS,
        required=False,
        label="Address",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    team = forms.ChoiceField(label="Team", help_text="The care team the first case is opened on.")
    opened_on = forms.DateField(
        required=False,
        label="Case opened on",
        help_text="Leave as today unless the case started earlier.",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args: Any, teams: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].choices = [("", "Choose a team"), *teams]  # type: ignore[attr-defined]
        for field in self.fields.values():
            field.widget.attrs.setdefault("autocomplete", "off")


class NoteForm(forms.Form):
    kind = forms.ChoiceField(choices=NoteKind.choices)
    body = forms.CharField(
        max_length=MAX_NOTE_CHARS,
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 14}),
        label="Note",
    )
    labels = forms.MultipleChoiceField(
        choices=[c for c in Label.choices if c[0] != Label.PSYCHOTHERAPY],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Sensitivity labels",
    )


class DraftForm(forms.Form):
    body = forms.CharField(
        max_length=MAX_NOTE_CHARS,
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 14}),
        label="Note",
    )
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)


class SignForm(forms.Form):
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)


class AddendumForm(forms.Form):
    body = forms.CharField(
        max_length=MAX_NOTE_CHARS,
        strip=False,
        label="Addendum",
        widget=forms.Textarea(attrs={"rows": 6}),
    )


class AttachmentForm(forms.Form):
    file = forms.FileField(label="File (PDF, PNG, JPEG or text)")


class TokenForm(forms.Form):
    name = forms.CharField(max_length=100, label="Token name")
    days = forms.IntegerField(min_value=1, max_value=365, initial=30, label="Valid for (days)")


# --- access: emergency access, review purposes, grant review --------------------------------

REASON_CHARS = 1000


class IdentityForm(forms.Form):
    """Exact legal name and date of birth: sent by POST, never in a URL."""

    legal_name = forms.CharField(max_length=MAX_NAME, label="Legal name (exact)")
    date_of_birth = forms.DateField(
        label="Date of birth", widget=forms.DateInput(attrs={"type": "date"})
    )


class EmergencyForm(IdentityForm):
    client_id = forms.UUIDField(required=False, widget=forms.HiddenInput)
    reason_category = forms.ChoiceField(
        choices=[("", "Choose a reason"), *EmergencyReason.choices], label="Reason"
    )
    reason_text = forms.CharField(
        max_length=REASON_CHARS,
        label="What is happening (the reviewer reads this)",
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    minutes = forms.IntegerField(min_value=5, label="For how many minutes")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        minutes = self.fields["minutes"]
        assert isinstance(minutes, forms.IntegerField)
        minutes.max_value = settings.CONFIDE_BREAK_GLASS_MAX_MINUTES
        minutes.initial = settings.CONFIDE_BREAK_GLASS_MINUTES
        minutes.validators.append(MaxValueValidator(settings.CONFIDE_BREAK_GLASS_MAX_MINUTES))
        minutes.widget.attrs.update(
            {"min": 5, "max": settings.CONFIDE_BREAK_GLASS_MAX_MINUTES, "step": 5}
        )


class ReviewOpenForm(forms.Form):
    legal_name = forms.CharField(max_length=MAX_NAME, label="Legal name (exact)", required=False)
    date_of_birth = forms.DateField(
        label="Date of birth", widget=forms.DateInput(attrs={"type": "date"}), required=False
    )
    client_id = forms.UUIDField(required=False, widget=forms.HiddenInput)
    grant_id = forms.UUIDField(required=False, widget=forms.HiddenInput)
    purpose = forms.ChoiceField(
        choices=[("", "Choose a purpose"), *ReviewPurpose.choices], label="Purpose of the review"
    )
    note = forms.CharField(
        max_length=REASON_CHARS,
        label="Note for the record (what you are reviewing and why)",
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        has_identity = data.get("legal_name") and data.get("date_of_birth")
        if not has_identity and not data.get("client_id") and not data.get("grant_id"):
            raise forms.ValidationError("Give the client's exact legal name and date of birth.")
        return data


class GrantReviewForm(forms.Form):
    outcome = forms.ChoiceField(
        choices=ReviewOutcome.choices, widget=forms.RadioSelect, label="Outcome"
    )
    note = forms.CharField(
        max_length=REASON_CHARS,
        label="Review note",
        widget=forms.Textarea(attrs={"rows": 4}),
    )


# --- restrictions ------------------------------------------------------------------------------


class RestrictionRequestForm(forms.Form):
    kind = forms.ChoiceField(
        choices=RestrictionKind.choices, widget=forms.RadioSelect, label="The client asks for"
    )
    staff = forms.ChoiceField(required=False, label="Staff member")
    program = forms.ChoiceField(required=False, label="Program")

    def __init__(
        self,
        *args: Any,
        staff: list[tuple[str, str]],
        programs: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["staff"].choices = [("", "Choose a staff member"), *staff]  # type: ignore[attr-defined]
        self.fields["program"].choices = [("", "Choose a program"), *programs]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") == RestrictionKind.NOT_STAFF and not data.get("staff"):
            self.add_error("staff", "Choose the staff member the client named.")
        if data.get("kind") == RestrictionKind.NOT_PROGRAM and not data.get("program"):
            self.add_error("program", "Choose the program the client named.")
        return data


class RestrictionDecideForm(forms.Form):
    decision = forms.ChoiceField(choices=[("agree", "Agree"), ("deny", "Deny")])


# --- conflict walls ----------------------------------------------------------------------------


class RelationshipForm(IdentityForm):
    relationship = forms.ChoiceField(
        choices=[("", "Choose the relationship"), *Relationship.choices], label="Relationship"
    )


class WallForm(RelationshipForm):
    staff = forms.ChoiceField(label="Staff member")

    field_order = ("staff", "relationship", "legal_name", "date_of_birth")

    def __init__(self, *args: Any, staff: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["staff"].choices = [("", "Choose a staff member"), *staff]  # type: ignore[attr-defined]


class WallRemoveForm(forms.Form):
    reason = forms.CharField(max_length=500, label="Reason for removing")


# --- administration ----------------------------------------------------------------------------


class StaffAccessForm(forms.Form):
    supervisor = forms.ChoiceField(required=False, label="Supervisor")
    teams = forms.MultipleChoiceField(
        required=False, widget=forms.CheckboxSelectMultiple, label="Teams"
    )
    is_trainee = forms.BooleanField(required=False, label="Trainee (supervised training)")
    dv_designated = forms.BooleanField(
        required=False, label="Designated for domestic-violence locations"
    )
    hiv_designated = forms.BooleanField(required=False, label="Designated for HIV records")

    def __init__(
        self,
        *args: Any,
        supervisors: list[tuple[str, str]],
        teams: list[tuple[str, str]],
        has_supervisor: bool,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        empty = [] if has_supervisor else [("", "No supervisor")]
        self.fields["supervisor"].choices = [*empty, *supervisors]  # type: ignore[attr-defined]
        self.fields["teams"].choices = teams  # type: ignore[attr-defined]


class TrainingForm(forms.Form):
    completed_on = forms.DateField(
        label="Training completed on", widget=forms.DateInput(attrs={"type": "date"})
    )


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices, label="Role")


class AgencySettingsForm(forms.Form):
    hiv_restricted = forms.BooleanField(
        required=False, label="HIV-labelled records only for designated staff (state law)"
    )
    training_validity_days = forms.IntegerField(
        min_value=30, max_value=730, label="Training stays current for (days)"
    )
