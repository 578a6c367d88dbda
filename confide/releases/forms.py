"""Page forms for releases, one per kind: they check shape only (types, lengths, choices).
Which elements a kind requires is the service's rule (`validation.REQUIRED`), reported as one
error naming every missing element; the forms only offer each kind its own choices."""

from __future__ import annotations

from typing import Any

from django import forms

from confide.releases.enums import (
    Category,
    RecipientType,
    ReleaseKind,
    ReleasePurpose,
    Statement,
)
from confide.releases.validation import (
    MAX_AUTHORITY,
    MAX_CONTACT,
    MAX_DESCRIPTION,
    MAX_EVENT,
    MAX_NAME,
    MAX_PURPOSE_DETAIL,
    REQUIRED,
    ReleaseInput,
    SignatureInput,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
# Element names that are not form fields, and the field that shows their error.
FIELD_OF = {"expiry": "expires_on", **{s: "statements" for s in Statement.values}}


def categories_for(kind: str) -> list[tuple[str, str]]:
    """Categories a kind may hold (psychotherapy notes and Part 2 records have their own)."""
    if kind == ReleaseKind.PSYCHOTHERAPY_NOTES:
        return [(Category.PSYCHOTHERAPY_NOTES.value, Category.PSYCHOTHERAPY_NOTES.label)]
    own = {
        Category.PSYCHOTHERAPY_NOTES,
        Category.SUBSTANCE_USE_PART2,
        Category.SUD_COUNSELING_NOTES,
    }
    if kind == ReleaseKind.PART2_CONSENT:
        own = {Category.PSYCHOTHERAPY_NOTES}
    return [(c.value, c.label) for c in Category if c not in own]


def statements_for(kind: str) -> list[tuple[str, str]]:
    """The statements a kind's form must hold, labelled as the law words them for that kind."""
    elements = {e.name: e for e in REQUIRED.get(kind, ())}
    return [(s.value, elements[s.value].label) for s in Statement if s.value in elements]


class ReleaseForm(forms.Form):
    recipient_type = forms.ChoiceField(choices=RecipientType.choices, label="Kind of recipient")
    recipient_name = forms.CharField(
        max_length=MAX_NAME, required=False, label="Who may receive it (name or class)"
    )
    recipient_contact = forms.CharField(
        max_length=MAX_CONTACT,
        required=False,
        label="Recipient's address or contact",
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    discloser = forms.CharField(
        max_length=MAX_NAME, required=False, label="Who may disclose it (from whom)"
    )
    purpose = forms.ChoiceField(choices=(), required=False, label="Purpose")
    purpose_detail = forms.CharField(
        max_length=MAX_PURPOSE_DETAIL,
        required=False,
        label="About the purpose (optional)",
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    categories = forms.MultipleChoiceField(
        choices=(), required=False, widget=forms.CheckboxSelectMultiple, label="Information"
    )
    description = forms.CharField(
        max_length=MAX_DESCRIPTION,
        required=False,
        label="Specific description of the information (how much, what kind)",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    records_from = forms.DateField(required=False, widget=DATE, label="Records dated from")
    records_to = forms.DateField(required=False, widget=DATE, label="Records dated to")
    starts_on = forms.DateField(widget=DATE, label="In effect from")
    expires_on = forms.DateField(required=False, widget=DATE, label="Expires after (date)")
    expiry_event = forms.CharField(
        max_length=MAX_EVENT, required=False, label="Or expires on this event"
    )
    part2_tpo = forms.BooleanField(
        required=False,
        label="Single consent for all future treatment, payment and health care operations "
        "(until revoked)",
    )
    statements = forms.MultipleChoiceField(
        choices=(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="The signed form holds these statements",
    )

    def __init__(self, *args: Any, kind: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        purposes = [
            (p.value, p.label)
            for p in ReleasePurpose
            if kind == ReleaseKind.PART2_CONSENT or p != ReleasePurpose.TPO
        ]
        self.fields["purpose"].choices = [("", "Choose a purpose"), *purposes]  # type: ignore[attr-defined]
        self.fields["categories"].choices = categories_for(kind)  # type: ignore[attr-defined]
        self.fields["statements"].choices = statements_for(kind)  # type: ignore[attr-defined]
        if kind != ReleaseKind.PART2_CONSENT:
            del self.fields["part2_tpo"]

    def release_input(self) -> ReleaseInput:
        d = self.cleaned_data
        return ReleaseInput(
            kind=self.kind,
            recipient_type=d["recipient_type"],
            recipient_name=d["recipient_name"],
            recipient_contact=d["recipient_contact"],
            discloser=d["discloser"],
            purpose=d["purpose"],
            purpose_detail=d["purpose_detail"],
            categories=tuple(d["categories"]),
            description=d["description"],
            records_from=d["records_from"],
            records_to=d["records_to"],
            starts_on=d["starts_on"],
            expires_on=d["expires_on"],
            expiry_event=d["expiry_event"],
            part2_tpo=bool(d.get("part2_tpo", False)),
            statements=tuple(d["statements"]),
        )


class SignForm(forms.Form):
    signer_name = forms.CharField(
        max_length=MAX_NAME, required=False, label="Signature: the signer's full name, typed"
    )
    signed_on = forms.DateField(required=False, widget=DATE, label="Date signed")
    signer_is_representative = forms.BooleanField(
        required=False, label="Signed by a personal representative, not the client"
    )
    representative_authority = forms.CharField(
        max_length=MAX_AUTHORITY,
        required=False,
        label="The representative's authority (for example: court-appointed guardian)",
    )

    def signature(self) -> SignatureInput:
        d = self.cleaned_data
        return SignatureInput(
            signer_name=d["signer_name"],
            signed_on=d["signed_on"],
            signer_is_representative=d["signer_is_representative"],
            representative_authority=d["representative_authority"],
        )


class RevokeForm(forms.Form):
    confirm = forms.BooleanField(
        label="The client asked to revoke this release (it stops at once and for good)"
    )


class ExpiryEventForm(forms.Form):
    occurred_on = forms.DateField(widget=DATE, label="The expiry event happened on")
