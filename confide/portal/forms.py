"""The portal's forms: shape only (the services judge the rest). Every field has a label."""

from __future__ import annotations

from typing import Any

from django import forms

from confide.consent import validation as check
from confide.consent.enums import Language
from confide.portal.wording import acknowledgement_words
from confide.web.forms import CodeForm


def _no_autofocus(form: forms.Form) -> None:
    """The code field is not first on these forms: focus starts at the top, as in reading."""
    form.fields["code"].widget.attrs.pop("autofocus", None)


class SignInForm(forms.Form):
    sign_in_id = forms.CharField(
        max_length=64,
        label="Sign-in id",
        help_text="The id you were given when you set up your account, like ABCD-EFGH-JKMN.",
        widget=forms.TextInput(
            attrs={"autocomplete": "username", "autofocus": True, "autocapitalize": "characters"}
        ),
    )
    password = forms.CharField(
        max_length=1024,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class InvitationForm(forms.Form):
    code = forms.CharField(
        max_length=64,
        label="Invitation code",
        help_text="The code your worker gave you, like ABCD-EFGH-JKMN-PQRS-TUVW.",
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autofocus": True, "autocapitalize": "characters"}
        ),
    )


class SetUpForm(CodeForm):
    password = forms.CharField(
        max_length=1024,
        strip=False,
        label="Choose a password",
        help_text="At least 12 characters. A few unrelated words is a good password.",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password_again = forms.CharField(
        max_length=1024,
        strip=False,
        label="The same password again",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    field_order = ("password", "password_again", "code")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _no_autofocus(self)

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        if cleaned.get("password") != cleaned.get("password_again"):
            self.add_error("password_again", "The two passwords are not the same.")
        return cleaned


class AcknowledgementForm(forms.Form):
    """The client's own acknowledgement: the same fields as at intake, in the first person, in
    the language of the notice it acknowledges (`wording`)."""

    notice_id = forms.UUIDField(widget=forms.HiddenInput)
    typed_name = forms.CharField(
        max_length=check.MAX_NAME, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    # Filled by static/web/signature.js from the drawing pad; empty means typed name only.
    signature = forms.CharField(required=False, widget=forms.HiddenInput, max_length=400_000)
    read_it = forms.BooleanField()

    def __init__(self, *args: Any, language: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.words = acknowledgement_words(language)
        name, read_it = self.fields["typed_name"], self.fields["read_it"]
        name.label = self.words.name
        name.error_messages = {
            **name.error_messages,
            "required": self.words.name_missing,
            "max_length": self.words.name_too_long,
        }
        read_it.label = self.words.statement
        read_it.error_messages = {
            **read_it.error_messages,
            "required": self.words.statement_missing,
        }


class RevokeForm(CodeForm):
    password = forms.CharField(
        max_length=1024,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    sure = forms.BooleanField(label="Yes, revoke this release now.")
    field_order = ("sure", "password", "code")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _no_autofocus(self)


class InviteForm(forms.Form):
    language = forms.ChoiceField(
        choices=Language.choices, label="The client's language for the portal"
    )
    for_client_only = forms.BooleanField(
        label="I will give this code to the client in person (never to a parent, guardian or "
        "other representative: they cannot use the portal yet)."
    )
