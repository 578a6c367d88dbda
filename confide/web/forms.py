"""Page forms: they check shape (types, lengths); services check the domain rules."""

from __future__ import annotations

from django import forms

from confide.core.enums import Label
from confide.records.enums import NoteKind
from confide.records.validation import MAX_NAME, MAX_NOTE_CHARS


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
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class SearchForm(forms.Form):
    legal_name = forms.CharField(max_length=MAX_NAME, label="Legal name (exact)")
    date_of_birth = forms.DateField(
        label="Date of birth", widget=forms.DateInput(attrs={"type": "date"})
    )


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
