"""What the client reads: the PDF copy and the portal's release page hold each required statement
in full, worded for the release's kind (`wording`), and never the staff checklist's labels."""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import replace

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from confide.ledger.tests.reporting import pdf_words
from confide.portal.tests.support import Clock, clock, enrol, portal_browser
from confide.releases import pdf as release_pdf
from confide.releases import selectors
from confide.releases.enums import ReleaseKind, ReleasePurpose, Statement
from confide.releases.tests.support import complete, signed
from confide.releases.validation import REQUIRED, ReleaseInput
from confide.releases.wording import client_statements, ends
from confide.testing import World, actor, signed_in

__all__ = ["clock"]

pytestmark = pytest.mark.django_db

# The words each kind's copy must hold, as the rules ask for them (a test of the wording itself:
# a rewording that loses one of these fails here).
MUST_SAY = {
    ReleaseKind.HIPAA_AUTHORIZATION: (
        # 164.508(c)(2)(i), (b)(5)
        "You may revoke this authorization at any time by telling us in writing.",
        "Revoking does not undo what we already did relying on it",
        # 164.508(c)(2)(ii)(A)
        "We will not condition your treatment, payment, enrollment or eligibility for benefits "
        "on whether you sign it.",
        # 164.508(c)(2)(iii)
        "the recipient may share it again, and it may then no longer be protected by the "
        "federal health privacy rules (HIPAA).",
        # 164.508(c)(1)(v)
        "This authorization is in effect until the end of",
    ),
    ReleaseKind.PSYCHOTHERAPY_NOTES: (
        "You may revoke this authorization at any time by telling us in writing.",
        "We will not condition your treatment, payment, enrollment or eligibility for benefits "
        "on whether you sign it.",
        "no longer be protected by the federal health privacy rules (HIPAA).",
    ),
    ReleaseKind.PART2_CONSENT: (
        # 2.31(a): revoke in writing, reliance by the program or another lawful holder
        "You may revoke this consent at any time by telling us in writing.",
        "or others allowed to share your records under this consent, already did relying on it.",
        # 2.31(a): conditioning and the consequences of refusing
        "We will not condition your treatment, payment, enrollment or eligibility for benefits "
        "on whether you sign it. If you do not sign it, we will not share your records under it",
        # 2.32, 2.12(d)
        "Federal law (42 CFR part 2) still protects these records after we share them.",
        "civil, criminal, administrative or legislative proceeding without your specific "
        "written consent or a court order",
        # 2.31(a)(4)(iii), 2.33(b)(1): the purpose is care coordination (treatment)
        "it may share them again as the HIPAA rules allow, except that they still may not be "
        "used or shared in civil, criminal, administrative or legislative proceedings against you.",
    ),
    ReleaseKind.VAWA_RELEASE: (
        # 34 U.S.C. 12291(b)(2): informed, not a condition of service, revocable, time-limited
        "Before you signed, we explained what information will be shared, with whom, why and "
        "for how long, and what could happen once it is shared, including any risk to your "
        "safety.",
        "Our services to you never depend on whether you sign it",
        "You may take back (revoke) this release at any time",
        "This release is in effect until the end of",
    ),
    ReleaseKind.AGENCY_RELEASE: (
        "You may take back (revoke) this release at any time",
        "Revoking cannot undo what was already shared.",
    ),
}
# Staff words that must never reach the client: the checklist labels and third-person lines.
CHECKLIST = (*(s.label for s in Statement), "The client ")


def _required(kind: str) -> tuple[str, ...]:
    """Only the statements the kind requires: what a real form of that kind holds."""
    return tuple(e.name for e in REQUIRED[kind] if e.name in Statement.values)


def _input(kind: str) -> ReleaseInput:
    return complete(kind, statements=_required(kind))


def _normal(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture
def readable_pdf(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(release_pdf, "font_dir", lambda: None)  # core font: text is readable


@pytest.mark.parametrize("kind", ReleaseKind.values)
@pytest.mark.usefixtures("readable_pdf")
def test_the_pdf_copy_holds_every_statement_in_full_and_no_checklist_label(
    world: World, kind: str
) -> None:
    release = signed(actor(world.worker_a), world.client_a.id, _input(kind))
    detail = selectors.release_get(actor=actor(world.worker_a), release_id=release.id)
    words = pdf_words(release_pdf.release_pdf(detail))
    printed = {s.statement.value for s in detail.client_statements}
    assert printed == set(_required(kind))
    for statement in detail.client_statements:
        assert statement.heading in words
        assert _normal(statement.text) in words
    for phrase in MUST_SAY[ReleaseKind(kind)]:
        assert _normal(phrase) in words, phrase
    for label in CHECKLIST:
        assert label not in words, label
    assert "Lakeside Family Clinic" in words


@pytest.mark.usefixtures("readable_pdf")
def test_the_single_tpo_consent_lasts_until_revoked_and_says_so(world: World) -> None:
    data = replace(
        _input(ReleaseKind.PART2_CONSENT),
        part2_tpo=True,
        purpose=ReleasePurpose.TPO,
        expires_on=None,
        recipient_name="My treating providers and health plans",
    )
    release = signed(actor(world.worker_a), world.client_a.id, data)
    detail = selectors.release_get(actor=actor(world.worker_a), release_id=release.id)
    words = pdf_words(release_pdf.release_pdf(detail))
    assert "This consent has no end date: it lasts until you revoke it." in words
    assert "as the HIPAA rules allow" in words


def test_a_part2_consent_outside_tpo_says_only_what_binds_every_recipient() -> None:
    def redisclosure(purpose: str) -> str:
        texts = client_statements(
            ReleaseKind.PART2_CONSENT, ["redisclosure"], part2_tpo=False, purpose=purpose
        )
        return texts[0].text

    assert "42 CFR part 2" in redisclosure(ReleasePurpose.LITIGATION)
    assert "HIPAA rules allow" not in redisclosure(ReleasePurpose.LITIGATION)
    assert "HIPAA rules allow" not in redisclosure(ReleasePurpose.CLIENT_DIRECTED)
    assert "HIPAA rules allow" in redisclosure(ReleasePurpose.PAYMENT)


def test_each_kind_words_its_statements_its_own_way() -> None:
    def text(kind: str, statement: str) -> str:
        found = client_statements(kind, [statement], part2_tpo=False, purpose="treatment")
        return found[0].text

    assert "in writing" in text(ReleaseKind.HIPAA_AUTHORIZATION, "right_to_revoke")
    assert "in writing" in text(ReleaseKind.PART2_CONSENT, "right_to_revoke")
    assert "by telling your advocate" in text(ReleaseKind.VAWA_RELEASE, "right_to_revoke")
    assert "authorization" in text(ReleaseKind.PSYCHOTHERAPY_NOTES, "conditioning")
    assert "consent" in text(ReleaseKind.PART2_CONSENT, "conditioning")
    assert "HIPAA" not in text(ReleaseKind.AGENCY_RELEASE, "redisclosure")
    assert client_statements(ReleaseKind.HIPAA_AUTHORIZATION, [], part2_tpo=False, purpose="") == ()
    # Unknown values are not statements (the validation refuses them before anything is stored).
    assert (
        client_statements(ReleaseKind.AGENCY_RELEASE, ["other"], part2_tpo=False, purpose="") == ()
    )


def test_the_end_is_said_for_a_date_an_event_both_or_none() -> None:
    day = dt.date(2030, 5, 1)
    kind = ReleaseKind.HIPAA_AUTHORIZATION
    assert ends(kind, expires_on=day, expiry_event="") == (
        "This authorization is in effect until the end of 2030-05-01."
    )
    assert ends(kind, expires_on=None, expiry_event="End of treatment") == (
        "This authorization ends when this happens: End of treatment."
    )
    both = ends(kind, expires_on=day, expiry_event="Discharge", expiry_event_on=dt.date(2030, 1, 2))
    assert both.startswith("This authorization is in effect until the end of 2030-05-01, or until")
    assert both.endswith("The event was recorded as having happened on 2030-01-02.")
    assert ends(ReleaseKind.PART2_CONSENT, expires_on=None, expiry_event="") == (
        "This consent has no end date: it lasts until you revoke it."
    )


@pytest.mark.parametrize("kind", ReleaseKind.values)
def test_the_portal_shows_the_client_the_statements_not_the_checklist(
    world: World, clock: Clock, kind: str
) -> None:
    release = signed(actor(world.worker_a), world.client_a.id, _input(kind))
    member = enrol(world.worker_a, world.client_a, clock)
    page = portal_browser(member.account).get(
        reverse("portal:release_detail", kwargs={"release_id": release.id})
    )
    assert page.status_code == 200
    text = _normal(html.unescape(page.content.decode()))
    detail = selectors.release_get(actor=actor(world.worker_a), release_id=release.id)
    for statement in detail.client_statements:
        assert _normal(statement.text) in text
    for label in CHECKLIST:
        assert label not in text, label
    assert detail.ends_for_client in text


def test_staff_keep_the_checklist_and_can_read_the_clients_wording(world: World) -> None:
    release = signed(actor(world.worker_a), world.client_a.id, _input(ReleaseKind.VAWA_RELEASE))
    page = signed_in(HttpClient(), world.worker_a).get(
        reverse("web:roi_detail", kwargs={"release_id": release.id})
    )
    text = html.unescape(page.content.decode())
    assert Statement.INFORMED.label in text  # the checklist, for staff
    assert "including any risk to your safety" in text  # what the client's copy says
