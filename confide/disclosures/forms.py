"""Page forms of the disclosure workflow: they check shape (types, lengths, choices); the
services check the domain rules and the engine decides.

Facts Confide cannot know are asked as "unknown / yes / no", so an unanswered question reaches
the engine as unknown, never as a guess.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings

from confide.disclosures import decisions as dec
from confide.disclosures.engine.facts import (
    AbuseType,
    LegalInstrument,
    ProfessionalRole,
    Purpose,
    Recipient,
    ThreatTarget,
)
from confide.disclosures.enums import DeliveryMethod, NoticeException
from confide.disclosures.services import MAX_ADDRESS, MAX_DESCRIPTION, MAX_NAMES, MAX_RECIPIENT

UNKNOWN = ""
TRI = [(UNKNOWN, "Unknown"), ("yes", "Yes"), ("no", "No")]
DATE = forms.DateInput(attrs={"type": "date"})


def _choices(values: list[str], *, blank: str | None = None) -> list[tuple[str, str]]:
    head = [(UNKNOWN, blank)] if blank is not None else []
    return head + [(v, dec.words(v)) for v in values]


def _tri(label: str) -> forms.ChoiceField:
    return forms.ChoiceField(choices=TRI, required=False, label=label)


def _bool(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


# (form field, engine path, label)
TRI_FACTS: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("emergency", ("emergency",), "A medical or safety emergency is under way"),
    ("client_objects", ("client_objects",), "The client, given the chance, objected"),
    (
        "client_present_and_capable",
        ("client_present_and_capable",),
        "The client is present and able to agree or object",
    ),
    ("threat_present", ("threat", "present"), "The client made or presents a threat of harm"),
    ("threat_serious", ("threat", "serious"), "The threat is serious"),
    ("threat_imminent", ("threat", "imminent"), "The threat is imminent"),
    ("threat_means", ("threat", "means"), "The client has the means to carry it out"),
    (
        "threat_victim_identifiable",
        ("threat", "victim_reasonably_identifiable"),
        "The intended victim can reasonably be identified",
    ),
    (
        "requester_is_suspected_abuser",
        ("abuse_suspected", "requester_is_suspected_abuser"),
        "The requester is the suspected abuser",
    ),
    (
        "alleged_abuser_is_personal_representative",
        ("abuse_suspected", "alleged_abuser_is_personal_representative"),
        "The alleged abuser is the client's personal representative",
    ),
    (
        "report_required",
        ("state_law_flags", "report_required"),
        "A state law requires this report",
    ),
    (
        "report_expressly_authorized",
        ("state_law_flags", "report_expressly_authorized"),
        "A state law expressly authorizes this report",
    ),
    ("client_deceased", ("other", "client_deceased"), "The client has died"),
)


# (form field, engine path) of the facts answered by choosing one value (blank: unknown).
CHOICE_FACTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("threat_target", ("threat", "target")),
    ("abuse_type", ("abuse_suspected", "type")),
    ("professional_role", ("professional_role",)),
)


def _at(facts: dict[str, Any], path: tuple[str, ...]) -> Any:
    value: Any = facts
    for part in path:
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _put(facts: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    for part in path[:-1]:
        facts = facts.setdefault(part, {})
    facts[path[-1]] = value


class FactsMixin(forms.Form):
    """The facts a staff member answers (all optional: unknown unless answered)."""

    professional_role = forms.ChoiceField(
        choices=_choices([r.value for r in ProfessionalRole], blank="Not stated"),
        required=False,
        label="Your professional role",
    )
    threat_target = forms.ChoiceField(
        choices=_choices([t.value for t in ThreatTarget], blank="Unknown or no threat"),
        required=False,
        label="Who the threat is against",
    )
    abuse_type = forms.ChoiceField(
        choices=_choices([a.value for a in AbuseType], blank="No abuse suspected or unknown"),
        required=False,
        label="Suspected abuse or neglect",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, _, label in TRI_FACTS:
            self.fields[name] = _tri(label)

    def fact_fields(self) -> list[forms.BoundField]:
        names = ["professional_role", *(n for n, _, _ in TRI_FACTS), "threat_target", "abuse_type"]
        return [self[n] for n in names]

    @staticmethod
    def initial_from(answered: dict[str, Any]) -> dict[str, str]:
        """The form's values for facts already answered (the inverse of `facts`), so a reviewer
        sees what was given, not "unknown", and keeps it by submitting."""
        initial: dict[str, str] = {}
        for name, path, _ in TRI_FACTS:
            value = _at(answered, path)
            if isinstance(value, bool):
                initial[name] = "yes" if value else "no"
        for name, path in CHOICE_FACTS:
            value = _at(answered, path)
            if isinstance(value, str):
                initial[name] = value
        return initial

    @classmethod
    def starting_from(cls, answered: dict[str, Any]) -> dict[str, str]:
        """`initial_from`, and the list of those fields, so clearing one can be told apart."""
        initial = cls.initial_from(answered)
        return {**initial, "answered": ",".join(sorted(initial))}

    def facts(self) -> dict[str, Any]:
        """The answered facts in the engine's vocabulary (unknowns left out)."""
        facts: dict[str, Any] = {}
        for _name, path, value in self._answers():
            if value is not None:
                _put(facts, path, value)
        return facts

    def _answers(self) -> list[tuple[str, tuple[str, ...], Any]]:
        """(field, engine path, value or None for unknown) of every fact field."""
        data = self.cleaned_data
        tri = [(n, path, _bool(data.get(n, UNKNOWN))) for n, path, _ in TRI_FACTS]
        chosen = [(n, path, data.get(n) or None) for n, path in CHOICE_FACTS]
        return [*tri, *chosen]


class RequestForm(FactsMixin):
    release_id = forms.ChoiceField(
        required=False,
        label="Release of information this rests on",
        help_text="Leave it to Confide to match the releases on file, or name one.",
    )

    def __init__(
        self, *args: Any, releases: list[tuple[str, str]] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["release_id"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(UNKNOWN, "Match the releases on file automatically"), *(releases or [])]

    recipient = forms.CharField(
        max_length=MAX_RECIPIENT, label="Recipient (person and organisation)"
    )
    recipient_address = forms.CharField(
        max_length=MAX_ADDRESS,
        required=False,
        label="Recipient's address",
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    # No answer is chosen for the worker: both are facts the law turns on, so an empty form is
    # refused rather than sent as the list's first entry.
    recipient_type = forms.ChoiceField(
        choices=_choices([r.value for r in Recipient], blank="Choose the kind of recipient"),
        label="Kind of recipient",
    )
    purpose = forms.ChoiceField(
        choices=_choices([p.value for p in Purpose], blank="Choose the purpose"), label="Purpose"
    )
    description = forms.CharField(
        max_length=MAX_DESCRIPTION,
        label="Purpose in your words (goes in the client's accounting)",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    categories = forms.MultipleChoiceField(
        choices=list(dec.CATEGORIES.items()),
        widget=forms.CheckboxSelectMultiple,
        label="Information requested",
    )
    date_from = forms.DateField(label="Notes dated from", widget=DATE)
    date_to = forms.DateField(label="Notes dated to", widget=DATE)
    legal_instrument = forms.ChoiceField(
        choices=_choices([i.value for i in LegalInstrument]),
        initial="none",
        label="Legal instrument",
    )
    instrument = forms.FileField(
        required=False,
        label="The instrument (PDF, image or text; optional)",
        max_length=200,
    )
    extra_names = forms.CharField(
        max_length=MAX_NAMES,
        required=False,
        label="Other people named in these notes, to redact (one per line)",
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean_instrument(self) -> Any:
        upload = self.cleaned_data.get("instrument")
        if upload is not None and upload.size > settings.CONFIDE_ATTACHMENT_MAX_BYTES:
            limit = settings.CONFIDE_ATTACHMENT_MAX_BYTES // (1024 * 1024)
            raise forms.ValidationError(f"is larger than {limit} MB")
        return upload


class ReviewForm(FactsMixin):
    # The facts the form started from (`initial_from`): one set back to "Unknown" (or blank) is
    # cleared, not silently kept.
    answered = forms.CharField(required=False, widget=forms.HiddenInput, max_length=2000)

    def mark_missing(self, missing: list[str]) -> None:
        """Put each fact an approval still needs (engine paths) on its own field."""
        paths = [(name, path) for name, path, _ in TRI_FACTS] + list(CHOICE_FACTS)
        fields = {".".join(path): name for name, path in paths}
        for fact in missing:
            name = fields.get(fact)
            if name is None:
                self.add_error(None, f"{dec.words(fact)}: answer this before approving.")
            else:
                self.add_error(name, "Answer this before approving, or decline.")

    def facts(self) -> dict[str, Any]:
        """The answers, with None for each fact the form started with and the reviewer cleared
        (`services._merge` removes those)."""
        facts = super().facts()
        started = set(filter(None, (self.cleaned_data.get("answered") or "").split(",")))
        for name, path, value in self._answers():
            if name in started and value is None:
                _put(facts, path, None)
        return facts

    decision = forms.ChoiceField(
        choices=[("approve", "Approve the release"), ("decline", "Decline")],
        widget=forms.RadioSelect,
        label="Your decision",
    )
    reason = forms.CharField(
        max_length=2000, label="Reason (recorded)", widget=forms.Textarea(attrs={"rows": 3})
    )


class NoticeMixin(forms.Form):
    # How many releases the page showed: a second click, or a colleague's release meanwhile,
    # is refused rather than released again (`release.release`'s `releases_seen`).
    releases_seen = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    notice_exception = forms.ChoiceField(
        choices=[(UNKNOWN, "Tell the client (by a channel they allow)"), *NoticeException.choices],
        required=False,
        label="Telling the client",
    )
    notice_reason = forms.CharField(
        max_length=1000,
        required=False,
        label="Why the client is not told (required for an exception)",
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ReleaseForm(NoticeMixin):
    # Own element ids: the request page shows this form beside the verbal one.
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "release_%s")
        super().__init__(*args, **kwargs)

    method = forms.ChoiceField(
        choices=[(m.value, m.label) for m in DeliveryMethod if m != DeliveryMethod.VERBAL],
        widget=forms.RadioSelect,
        label="Delivery",
    )
    recipient_email = forms.CharField(
        max_length=254, required=False, label="Recipient's e-mail for the link (optional)"
    )


class VerbalForm(NoticeMixin):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "verbal_%s")
        super().__init__(*args, **kwargs)

    disclosed_at = forms.DateTimeField(
        label="When it was said", widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    summary = forms.CharField(
        max_length=4000, label="What was said", widget=forms.Textarea(attrs={"rows": 4})
    )


class ProfileForm(forms.Form):
    jurisdiction_state = forms.CharField(
        max_length=2, required=False, label="State (two letters; blank if none applies)"
    )
    entity_type = forms.ChoiceField(
        choices=[
            ("hipaa_covered_provider", "A HIPAA covered health care provider"),
            ("non_covered_agency", "An agency HIPAA does not cover"),
            ("vawa_grantee_non_covered", "A VAWA/FVPSA grantee HIPAA does not cover"),
            ("part2_program", "A 42 CFR Part 2 program (all of it)"),
            ("ferpa_school", "A school (FERPA)"),
        ],
        label="The agency is",
    )


class CodeForm(forms.Form):
    code = forms.RegexField(
        regex=r"^\s*\d{8}\s*$",
        max_length=12,
        label="Verification code (8 digits)",
        error_messages={"invalid": "Enter the 8-digit code the sender gave you."},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
