"""Assistive redaction (patterns, deny-list, the client's own identifiers kept) and the packet
PDF's text layout."""

from __future__ import annotations

import datetime as dt

import pytest

from confide.disclosures import packet_pdf, redaction
from confide.disclosures.redaction import Own, Span

OWN = Own(names=("Rosalind Quenby", "Rosa"), phones=("(555) 201-0100",), emails=("rq@example.org",))


def _found(text: str, deny: list[str] | None = None) -> list[tuple[str, str]]:
    return [
        (text[s.start : s.end], s.entity) for s in redaction.propose(text, deny=deny or [], own=OWN)
    ]


def test_patterns_find_other_peoples_phones_emails_ssns_and_named_relations() -> None:
    text = (
        "Her mother, Ana Lucia called from 415-555-0199 and wrote to ana.l@mail.example; "
        "SSN 536-22-8451. Dr. Okafor agreed."
    )
    assert _found(text) == [
        ("Ana Lucia", "RELATED_PERSON"),
        ("415-555-0199", "PHONE_NUMBER"),
        ("ana.l@mail.example", "EMAIL_ADDRESS"),
        ("536-22-8451", "US_SSN"),
        ("Okafor", "TITLED_PERSON"),
    ]


def test_the_clients_own_identifiers_are_never_proposed() -> None:
    text = "Rosalind Quenby (Rosa) called from 555-201-0100, rq@example.org; her friend Rosa came."
    assert _found(text) == []


def test_lower_case_words_after_a_relation_are_not_names() -> None:
    assert _found("Her brother said the rent is late; the landlord was away.") == []


def test_the_deny_list_matches_whole_words_in_any_case_and_never_inside_words() -> None:
    deny = redaction.name_variants(["Lena Fischer", "Al"], keep_out=OWN.names)
    assert deny == ["Lena Fischer", "Fischer", "Lena"]  # "Al" is too short to match safely
    text = "LENA came; Fischerman is a surname; lena fischer left. Also Halena."
    assert _found(text, deny) == [("LENA", "KNOWN_PERSON"), ("lena fischer", "KNOWN_PERSON")]


def test_a_deny_list_name_that_is_the_clients_own_is_dropped() -> None:
    assert redaction.name_variants(["Rosa Marquez"], keep_out=OWN.names) == [
        "Rosa Marquez",
        "Marquez",
    ]


def test_overlapping_proposals_merge_and_stale_offsets_are_ignored() -> None:
    merged = redaction.merge([Span(0, 5, "A"), Span(3, 9, "B"), Span(12, 14, "C")])
    assert merged == [Span(0, 9, "A"), Span(12, 14, "C")]
    text = "Tomas Reyes called."
    out = redaction.apply(text, [Span(0, 11, "RELATED_PERSON"), Span(5, 30, "X")])
    assert out == "[redacted: name of a related person] called."


def _pdf() -> packet_pdf.PacketPdf:
    content = packet_pdf.PacketContent(
        agency="Agency",
        client_name="Rosalind Quenby",
        client_dob="1984-03-09",
        case_numbers=("A-1",),
        recipient="Riverside Clinic",
        recipient_address="",
        purpose="Care",
        categories=("General",),
        date_from=dt.date(2025, 1, 1),
        date_to=dt.date(2025, 1, 2),
        legal_basis=(),
        released_by="worker",
        released_on=dt.date(2025, 2, 1),
        method="Printed",
        packet_id="p",
        includes_part2=False,
        redactions=0,
        notes=[],
    )
    pdf = packet_pdf.PacketPdf(content)
    pdf.add_page()
    pdf.set_font(pdf.family, "", 9.5)
    return pdf


@pytest.mark.parametrize(
    "text",
    [
        "",
        "one line",
        "first paragraph\n\nsecond after a blank line",
        "word " * 400,
        "https://example.org/" + "x" * 600 + " then words",
    ],
)
def test_wrapped_lines_fit_the_page_and_keep_every_character(text: str) -> None:
    pdf = _pdf()
    lines = pdf._wrapped(text)
    limit = pdf.epw - 2 * pdf.c_margin
    assert all(pdf.get_string_width(line) <= limit + 0.01 for line in lines)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "").replace("\n", "")
    assert len(lines) >= text.count("\n") + 1
