"""Form shapes for the consent pages: sizes and choices only; the services apply the rules."""

from __future__ import annotations

from typing import Any

from django import forms

from confide.consent import validation as check
from confide.consent.enums import (
    AuthorityScope,
    Channel,
    ClientDecision,
    ContactKind,
    Language,
    MayBeTold,
    RecipientKind,
    RepresentativeKind,
)
from confide.consent.services import END_REASONS, PersonInput

DATE = forms.DateInput(attrs={"type": "date"})


class AcknowledgementForm(forms.Form):
    notice_id = forms.UUIDField(widget=forms.HiddenInput)
    typed_name = forms.CharField(
        max_length=check.MAX_NAME,
        label="The client types their full name",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    # Filled by static/web/signature.js from the drawing pad; empty means typed name only.
    signature = forms.CharField(required=False, widget=forms.HiddenInput, max_length=400_000)
    read_together = forms.BooleanField(
        label="We read this notice together and the client's questions were answered."
    )


class LanguageForm(forms.Form):
    lang = forms.ChoiceField(choices=Language.choices, label="Language", required=False)


class PreferenceForm(forms.Form):
    channel = forms.ChoiceField(choices=Channel.choices, widget=forms.HiddenInput)
    allowed = forms.TypedChoiceField(
        choices=[("yes", "Yes, we may use it"), ("no", "No, never")],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
        label="May we reach the client this way?",
    )
    leave_message = forms.BooleanField(required=False, label="A message with details may be left")
    address = forms.CharField(
        required=False, max_length=check.MAX_ADDRESS, label="Use this number or address instead"
    )
    safe_times = forms.CharField(
        required=False, max_length=check.MAX_SHORT, label="Safe times (for example: weekdays 9-12)"
    )


class PersonFields(forms.Form):
    name = forms.CharField(max_length=check.MAX_NAME, label="Name")
    relationship = forms.CharField(
        required=False, max_length=check.MAX_SHORT, label="Relationship to the client"
    )
    phone = forms.CharField(required=False, max_length=check.MAX_SHORT, label="Phone")
    email = forms.CharField(required=False, max_length=check.MAX_SHORT, label="Email")
    address = forms.CharField(
        required=False,
        max_length=check.MAX_ADDRESS,
        label="Address",
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def person(self) -> PersonInput:
        data = self.cleaned_data
        return PersonInput(
            name=data["name"],
            relationship=data["relationship"],
            phone=data["phone"],
            email=data["email"],
            address=data["address"],
        )


class ContactForm(PersonFields):
    kind = forms.ChoiceField(choices=ContactKind.choices, label="Who they are")
    decision = forms.ChoiceField(
        choices=ClientDecision.choices,
        widget=forms.RadioSelect,
        label="When asked, the client",
    )
    may_be_told = forms.MultipleChoiceField(
        choices=MayBeTold.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="What they may be told",
    )

    field_order = ["kind", "name", "relationship", "phone", "email", "address", "decision"]


class ContactDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=ClientDecision.choices, widget=forms.RadioSelect)
    may_be_told = forms.MultipleChoiceField(
        choices=MayBeTold.choices, required=False, widget=forms.CheckboxSelectMultiple
    )


class RepresentativeForm(PersonFields):
    kind = forms.ChoiceField(choices=RepresentativeKind.choices, label="Kind of representative")
    scope = forms.MultipleChoiceField(
        choices=AuthorityScope.choices,
        widget=forms.CheckboxSelectMultiple,
        label="Their authority covers",
    )
    authority = forms.CharField(
        max_length=check.MAX_DESCRIPTION,
        label="Basis of authority (for example: court order number, power of attorney)",
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    starts_on = forms.DateField(label="From", widget=DATE)
    ends_on = forms.DateField(required=False, label="Until (if known)", widget=DATE)

    field_order = ["kind", "name", "relationship", "phone", "email", "address", "scope"]


class RepresentativeEndForm(forms.Form):
    reason = forms.ChoiceField(
        choices=[
            (END_REASONS[0], "Their authority ended"),
            (END_REASONS[1], "Treating them as representative could endanger the client"),
            (END_REASONS[2], "Recorded in error"),
        ],
        widget=forms.RadioSelect,
        label="Why",
    )


class DisclosureRestrictionForm(forms.Form):
    recipient_kind = forms.ChoiceField(choices=RecipientKind.choices, label="Not to be told")
    recipient = forms.CharField(
        max_length=check.MAX_SHORT, label="Name of the plan, person or organization"
    )
    information = forms.CharField(
        max_length=check.MAX_DESCRIPTION,
        label="What information",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    paid_in_full = forms.BooleanField(
        required=False,
        label="The client paid for this in full, out of pocket (a health plan request is then "
        "agreed at once)",
    )


class DecideForm(forms.Form):
    decision = forms.ChoiceField(choices=[("agree", "Agree"), ("deny", "Deny")])


def initial_preference(row: Any) -> dict[str, Any]:
    return {
        "channel": row.channel,
        "allowed": "yes" if row.allowed else "no",
        "leave_message": row.leave_message,
        "address": row.address,
        "safe_times": row.safe_times,
    }


class NoticePublishForm(forms.Form):
    title_en = forms.CharField(max_length=check.MAX_NOTICE_TITLE, label="Title (English)")
    body_en = forms.CharField(
        max_length=check.MAX_NOTICE_BODY,
        label="Text (English)",
        widget=forms.Textarea(attrs={"rows": 16}),
    )
    title_es = forms.CharField(
        required=False, max_length=check.MAX_NOTICE_TITLE, label="Título (español)"
    )
    body_es = forms.CharField(
        required=False,
        max_length=check.MAX_NOTICE_BODY,
        label="Texto (español)",
        widget=forms.Textarea(attrs={"rows": 16}),
    )
    material = forms.BooleanField(
        required=False,
        label="A material change: ask every client to acknowledge the new version",
    )

    def texts(self) -> dict[str, tuple[str, str]]:
        data = self.cleaned_data
        texts = {"en": (data["title_en"], data["body_en"])}
        if data["title_es"] or data["body_es"]:
            texts["es"] = (data["title_es"], data["body_es"])
        return texts
