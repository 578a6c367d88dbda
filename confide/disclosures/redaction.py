"""Assistive redaction of other people's identifiers in a release packet.

Proposes spans; a person accepts or rejects each one before anything is released. Two sources:

* Presidio's pattern recognizers (phone numbers, email addresses, US social security numbers)
  plus two of our own patterns for names that follow a relationship word or an honorific
  ("her brother Tomas", "Mr. Okafor"). Presidio normally loads a spaCy language model for
  named-entity recognition; none can be downloaded here, so the analyzer runs on Presidio's
  `NoOpNlpEngine` (no model, no tokens) with only recognizers that need no NLP artifacts.
  Presidio's own e-mail recognizer is not used: it calls `tldextract`, which fetches the public
  suffix list over the network.
* A deny-list built from the client's record (names of the client's contacts and the names the
  staff member listed on the request), matched as whole words, case-insensitively.

The client's own names, phone numbers and e-mail address are never proposed: the packet is
about the client. Matched text is never stored; a proposal is a note id and character offsets.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

ENTITIES = {
    "PHONE_NUMBER": "phone number",
    "EMAIL_ADDRESS": "e-mail address",
    "US_SSN": "social security number",
    "RELATED_PERSON": "name of a related person",
    "TITLED_PERSON": "name",
    "KNOWN_PERSON": "name from the record",
}
MIN_SCORE = 0.3
MIN_NAME_PART = 3
RELATIONS = (
    "mother|father|mom|dad|brother|sister|son|daughter|husband|wife|partner|boyfriend|girlfriend"
    "|fiancee?|friend|neighbou?r|aunt|uncle|cousin|niece|nephew|grandmother|grandfather|grandma"
    "|grandpa|roommate|landlord|landlady|employer|boss|coworker|co-worker|stepfather|stepmother"
    "|ex-husband|ex-wife|ex|child|baby|guardian|caregiver"
)
NAME = r"\p{Lu}\p{Ll}+(?:[ -]\p{Lu}\p{Ll}+)?"
RELATED_PATTERN = rf"(?<=\b(?i:{RELATIONS}),?\s+(?:(?i:named|called)\s+)?){NAME}"
TITLED_PATTERN = rf"(?<=\b(?:Mr|Mrs|Ms|Miss|Mx|Dr)\.?\s+){NAME}"
EMAIL_PATTERN = r"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}\b"
REDACTED = "[redacted: {label}]"


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    entity: str

    @property
    def label(self) -> str:
        return ENTITIES.get(self.entity, "identifier")


@functools.cache
def _analyzer() -> Any:
    """The Presidio analyzer with pattern recognizers only, built once per process (immutable
    configuration, no data)."""
    from presidio_analyzer import (
        AnalyzerEngine,
        Pattern,
        PatternRecognizer,
        RecognizerRegistry,
    )
    from presidio_analyzer.nlp_engine import NoOpNlpEngine
    from presidio_analyzer.predefined_recognizers import (
        PhoneRecognizer,
        UsSsnRecognizer,
    )

    registry = RecognizerRegistry(supported_languages=["en"])
    registry.add_recognizer(PhoneRecognizer(supported_regions=("US", "CA", "GB", "MX")))
    registry.add_recognizer(UsSsnRecognizer())
    for entity, regex, score in (
        ("EMAIL_ADDRESS", EMAIL_PATTERN, 0.9),
        ("RELATED_PERSON", RELATED_PATTERN, 0.6),
        ("TITLED_PERSON", TITLED_PATTERN, 0.6),
    ):
        registry.add_recognizer(
            PatternRecognizer(
                supported_entity=entity,
                patterns=[Pattern(name=entity.lower(), regex=regex, score=score)],
                supported_language="en",
                global_regex_flags=re.DOTALL | re.MULTILINE,  # case matters (same values in regex)
            )
        )
    engine = NoOpNlpEngine(models=[{"lang_code": "en", "model_name": "none"}])
    return AnalyzerEngine(registry=registry, nlp_engine=engine, supported_languages=["en"])


def name_variants(names: Iterable[str], *, keep_out: Iterable[str] = ()) -> list[str]:
    """Whole names and their parts (three letters or more), minus the client's own names."""
    own = {p.casefold() for n in keep_out for p in [n, *n.split()] if p.strip()}
    found: dict[str, str] = {}
    for name in names:
        cleaned = " ".join(name.split())
        for variant in [cleaned, *cleaned.split()]:
            if len(variant) >= MIN_NAME_PART and variant.casefold() not in own:
                found.setdefault(variant.casefold(), variant)
    return sorted(found.values(), key=lambda v: (-len(v), v))


def _deny_spans(text: str, deny: Sequence[str]) -> list[Span]:
    if not deny:
        return []
    alternation = "|".join(re.escape(d) for d in deny)
    pattern = re.compile(rf"(?<!\w)(?:{alternation})(?!\w)", re.IGNORECASE)
    return [Span(m.start(), m.end(), "KNOWN_PERSON") for m in pattern.finditer(text)]


def _digits(value: str) -> str:
    return "".join(c for c in value if c.isdigit())


@dataclass(frozen=True)
class Own:
    """The client's own identifiers, never proposed for redaction."""

    names: tuple[str, ...]
    phones: tuple[str, ...]
    emails: tuple[str, ...]

    def is_own(self, entity: str, matched: str) -> bool:
        if entity == "PHONE_NUMBER":
            digits = _digits(matched)[-10:]
            return bool(digits) and any(_digits(p)[-10:] == digits for p in self.phones if p)
        if entity == "EMAIL_ADDRESS":
            return matched.casefold() in {e.casefold() for e in self.emails if e}
        parts = {p.casefold() for n in self.names for p in [n, *n.split()] if p}
        return matched.casefold() in parts or all(
            w.casefold() in parts for w in matched.replace("-", " ").split()
        )


def propose(text: str, *, deny: Sequence[str], own: Own) -> list[Span]:
    """Spans of `text` that look like other people's identifiers, merged where they overlap."""
    results = _analyzer().analyze(text=text, language="en", score_threshold=MIN_SCORE)
    spans = [Span(r.start, r.end, r.entity_type) for r in results]
    spans += _deny_spans(text, deny)
    spans = [s for s in spans if not own.is_own(s.entity, text[s.start : s.end])]
    return merge(spans)


def merge(spans: Iterable[Span]) -> list[Span]:
    """Overlapping spans become one (the first entity named wins)."""
    merged: list[Span] = []
    for span in sorted(spans, key=lambda s: (s.start, -s.end)):
        if merged and span.start < merged[-1].end:
            last = merged[-1]
            merged[-1] = Span(last.start, max(last.end, span.end), last.entity)
        else:
            merged.append(span)
    return merged


def apply(text: str, spans: Iterable[Span]) -> str:
    """The text with each span replaced by a marker naming what was removed."""
    out, cursor = [], 0
    for span in sorted(spans, key=lambda s: s.start):
        if span.start < cursor or span.end > len(text):
            continue  # never trust offsets that no longer fit the text
        out.append(text[cursor : span.start])
        out.append(REDACTED.format(label=span.label))
        cursor = span.end
    out.append(text[cursor:])
    return "".join(out)
