"""The permission matrix: every URL of the site and the API, every persona of two agencies, and
each kind of object, proving deny by default.

Every route is classified in ROUTES, once: public, any signed-in staff member, some roles, or
scoped to one kind of object. A route missing from the table (a new page or endpoint) fails
`test_every_route_is_classified` with its name, and so does a stale entry.

For object-scoped routes the tables below list who reaches each object ("ok": the request got
past the access check, whatever the domain then said) and who is refused with a 403 (they may
see the object but not do that to it). Everyone else must get the uniform 404, and anyone
signed out the sign-in page (web) or a 401 (API). Probes are built so that reaching the object
is visible without changing it where possible (a stale version number, a file of the wrong
type), and each probe runs in a savepoint that is rolled back, so one persona's probe never
changes what the next one sees.

The world is built once for the module inside a transaction that is rolled back at the end.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.http import HttpResponse
from django.test import Client as HttpClient
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver, include, path, reverse
from pytest_django import DjangoDbBlocker

from confide.access import services as access
from confide.access.models import AccessGrant, GrantKind
from confide.accounts import services as accounts
from confide.accounts.models import ApiToken, Program, Team, User
from confide.consent import services as consent
from confide.consent.models import Restriction
from confide.core import clock
from confide.core.enums import Role
from confide.disclosures import accounting
from confide.disclosures.models import AccountingEntry
from confide.ledger import checkpoints
from confide.ledger.models import Event
from confide.messaging.models import Notification
from confide.records import files
from confide.records import services as records
from confide.records.models import Attachment, Case, Client, Note
from confide.releases import services as releases
from confide.releases.tests import support as release_support
from confide.testing import World, actor, build_world, make_client, make_user, signed_in
from confide.training import services as training
from confide.training.models import ConflictDeclaration
from confide.web.auth import REAUTH_AT

# ---- the classification ------------------------------------------------------------------------

PUBLIC, SIGNED_IN, ROLE, OBJECT = "public", "signed-in", "role", "object"
PORTAL = "portal"  # the client portal: only a client's own portal session, only their own data
CASEWORK = frozenset({Role.PRACTITIONER, Role.SUPERVISOR})
PRIVACY = frozenset({Role.PRIVACY_OFFICER})
ADMIN = frozenset({Role.ADMINISTRATOR})
MANAGERS = PRIVACY | ADMIN


@dataclass(frozen=True)
class Route:
    kind: str
    method: str = "GET"
    roles: frozenset[Role] = frozenset()  # ROLE routes; OBJECT routes gated by role first
    obj: str = ""  # OBJECT routes: which kind of object the URL names
    ability: str = ""  # OBJECT routes: which expectation table applies
    body: Callable[[Any], Any] | None = None  # the probe's body, given the matrix world
    query: Callable[[Any], str] = lambda _: ""  # the probe's query string, given the world


CASEWORK_REVIEW = frozenset({Role.SUPERVISOR, Role.PRIVACY_OFFICER})


def _disclosure_body(_: Any) -> dict[str, Any]:
    """A valid disclosure request (the matrix agencies have no disclosure profile, so the
    service refuses it after the access check)."""
    return {
        "recipient": "Probe",
        "recipient_type": "health_care_provider",
        "purpose": "treatment",
        "description": "Probe",
        "categories": ["general"],
        "date_from": "2025-01-01",
        "date_to": "2025-01-31",
    }


def _note_body(_: Any) -> dict[str, Any]:
    return {"body": "probe", "version": 999}


def _bad_file(_: Any) -> dict[str, Any]:
    return {"file": SimpleUploadedFile("probe.zip", b"PK\x03\x04", "application/zip")}


def _roi_body(_: Any) -> dict[str, Any]:
    """A release that reaches the service and is refused there (it ends before it starts)."""
    return {
        "kind": "agency_release",
        "recipient_type": "attorney",
        "starts_on": "2030-01-02",
        "expires_on": "2030-01-01",
    }


ROUTES: dict[str, Route] = {
    # signing in and out: reachable by anyone, holding nothing
    "web:sign_in": Route(PUBLIC),
    "web:sign_in_code": Route(PUBLIC),
    "web:enrol": Route(PUBLIC),
    "web:sign_out": Route(PUBLIC, method="POST"),
    "api:openapi-json": Route(PUBLIC),
    "api:openapi-view": Route(PUBLIC),
    "api:api-root": Route(PUBLIC),
    "api:unknown": Route(PUBLIC),
    # any signed-in staff member; what each sees is their own (or filtered by the policy)
    "web:dashboard": Route(SIGNED_IN),
    "web:reauth": Route(SIGNED_IN),
    "web:client_search": Route(SIGNED_IN),
    "web:tokens": Route(SIGNED_IN),
    "web:relationships": Route(SIGNED_IN),
    "web:notifications_read_all": Route(SIGNED_IN, method="POST"),
    "api:caseload": Route(SIGNED_IN),
    # pages of some roles (no object in the URL)
    "web:emergency": Route(ROLE, roles=CASEWORK),
    "web:client_register": Route(ROLE, roles=CASEWORK | {Role.INTAKE}),
    "web:review_open": Route(ROLE, roles=PRIVACY),
    "web:grant_queue": Route(ROLE, roles=PRIVACY),
    "web:restriction_queue": Route(ROLE, roles=PRIVACY),
    "web:walls": Route(ROLE, roles=PRIVACY),
    "web:staff_list": Route(ROLE, roles=ADMIN),
    "web:agency_settings": Route(ROLE, roles=ADMIN),
    # retention: schedule, due list and approval, legal holds (object ids travel in POST bodies)
    "web:retention": Route(ROLE, roles=PRIVACY),
    "web:retention_approve": Route(ROLE, "POST", roles=PRIVACY),
    "web:retention_schedule": Route(ROLE, roles=PRIVACY),
    "web:retention_holds": Route(ROLE, roles=PRIVACY),
    "web:retention_hold_release": Route(ROLE, "POST", roles=PRIVACY),
    # the ledger's signed checkpoints and proofs: hashes only, for privacy officers
    "api:checkpoint_latest": Route(ROLE, roles=PRIVACY),
    "api:checkpoint_detail": Route(ROLE, roles=PRIVACY),
    "api:consistency_proof": Route(
        ROLE, roles=PRIVACY, query=lambda m: f"?old_size={m.checkpoints[0]}"
    ),
    "api:inclusion_proof": Route(OBJECT, roles=PRIVACY, obj="event", ability="agency"),
    # one object named in the URL
    "web:client_detail": Route(OBJECT, obj="client", ability="record"),
    "api:client_detail": Route(OBJECT, obj="client", ability="record"),
    "web:restriction_new": Route(OBJECT, obj="client", ability="client:view"),
    "web:note_new": Route(OBJECT, obj="case", ability="note:create"),
    "api:note_create": Route(
        OBJECT,
        "POST",
        obj="case",
        ability="note:create",
        body=lambda _: {"kind": "progress", "body": "probe", "occurred_on": "2999-01-01"},
    ),
    "web:note_detail": Route(OBJECT, obj="note", ability="note:view+why"),
    "api:note_detail": Route(OBJECT, obj="note", ability="note:view"),
    "web:note_save": Route(OBJECT, "POST", obj="note", ability="note:edit", body=_note_body),
    "api:note_update": Route(
        OBJECT,
        "PATCH",
        obj="note",
        ability="note:edit",
        body=lambda _: {"body": "probe", "expected_version": 999},
    ),
    "web:note_sign": Route(OBJECT, "POST", obj="note", ability="note:sign", body=_note_body),
    "api:note_sign": Route(
        OBJECT, "POST", obj="note", ability="note:sign", body=lambda _: {"expected_version": 999}
    ),
    "web:note_addendum": Route(
        OBJECT, "POST", obj="note", ability="note:addendum", body=lambda _: {"body": "probe"}
    ),
    "web:attachment_upload": Route(OBJECT, "POST", obj="note", ability="note:edit", body=_bad_file),
    "web:attachment_download": Route(OBJECT, obj="attachment", ability="note:view"),
    "web:grant_review": Route(OBJECT, obj="grant", ability="grant:read"),
    "web:grant_review#POST": Route(
        OBJECT,
        "POST",
        obj="grant",
        ability="grant:review",
        body=lambda _: {"outcome": "justified", "note": "probe"},
    ),
    "web:grant_end": Route(OBJECT, "POST", obj="grant", ability="grant:own"),
    "web:restriction_decide": Route(
        OBJECT,
        "POST",
        roles=PRIVACY,
        obj="restriction",
        ability="agency",
        body=lambda _: {"decision": "deny"},
    ),
    "web:restriction_end": Route(
        OBJECT, "POST", roles=PRIVACY, obj="restriction", ability="agency"
    ),
    "web:wall_remove": Route(
        OBJECT,
        "POST",
        roles=PRIVACY,
        obj="wall",
        ability="agency",
        body=lambda _: {"reason": "probe"},
    ),
    "web:staff_detail": Route(OBJECT, roles=ADMIN, obj="staff", ability="agency"),
    "web:staff_detail#POST": Route(
        OBJECT, "POST", roles=ADMIN, obj="staff", ability="agency", body=lambda _: {}
    ),
    "web:staff_training": Route(
        OBJECT,
        "POST",
        roles=ADMIN,
        obj="staff",
        ability="agency",
        body=lambda _: {"completed_on": clock.today().isoformat()},
    ),
    "web:staff_role": Route(
        OBJECT, "POST", roles=ADMIN, obj="staff", ability="agency", body=lambda _: {"role": "x"}
    ),
    "web:notification_read": Route(OBJECT, "POST", obj="notification", ability="own"),
    "web:notification_open": Route(OBJECT, obj="notification", ability="own"),
    # the ledger's report pages: privacy officers of the client's agency, walls apply
    "ledger:index": Route(ROLE, roles=PRIVACY),
    "ledger:access_report": Route(OBJECT, obj="client", ability="report"),
    "ledger:access_report_csv": Route(OBJECT, obj="client", ability="report"),
    "ledger:access_report_pdf": Route(OBJECT, obj="client", ability="report"),
    "ledger:accounting": Route(OBJECT, obj="client", ability="report"),
    "ledger:accounting_csv": Route(OBJECT, obj="client", ability="report"),
    "ledger:accounting_annotate": Route(
        OBJECT, "POST", obj="accounting_entry", ability="report", body=lambda _: {"text": "probe"}
    ),
    "web:token_revoke": Route(OBJECT, "POST", obj="token", ability="own"),
    # disclosures: the care team requests and releases; supervisors and privacy officers review;
    # the recipient's one-time link is public (a token, nothing about the client)
    "web:release_link": Route(PUBLIC),
    "web:disclosure_queue": Route(ROLE, roles=CASEWORK_REVIEW),
    "api:disclosure_review_queue": Route(ROLE, roles=CASEWORK_REVIEW),
    "web:disclosure_profile": Route(ROLE, roles=ADMIN),
    "web:disclosure_new": Route(OBJECT, obj="client", ability="disclosure:request"),
    "web:client_disclosures": Route(OBJECT, obj="client", ability="disclosure:request"),
    "api:disclosure_request_create": Route(
        OBJECT, "POST", obj="client", ability="disclosure:request", body=_disclosure_body
    ),
    "web:disclosure_detail": Route(OBJECT, obj="disclosure_request", ability="disclosure:read"),
    "api:disclosure_request_detail": Route(
        OBJECT, obj="disclosure_request", ability="disclosure:read"
    ),
    "web:disclosure_instrument": Route(OBJECT, obj="disclosure_request", ability="disclosure:read"),
    "web:disclosure_review": Route(
        OBJECT,
        "POST",
        obj="disclosure_request",
        ability="disclosure:review",
        body=lambda _: {"decision": "decline", "reason": "probe"},
    ),
    "api:disclosure_request_review": Route(
        OBJECT,
        "POST",
        obj="disclosure_request",
        ability="disclosure:review",
        body=lambda _: {"approve": False, "reason": "probe"},
    ),
    "web:disclosure_packet_build": Route(
        OBJECT, "POST", obj="disclosure_request", ability="disclosure:release"
    ),
    "api:disclosure_packet_build": Route(
        OBJECT, "POST", obj="disclosure_request", ability="disclosure:release"
    ),
    "web:disclosure_release": Route(
        OBJECT,
        "POST",
        obj="disclosure_request",
        ability="disclosure:release",
        body=lambda _: {"method": "fax"},
    ),
    "api:disclosure_release_send": Route(
        OBJECT,
        "POST",
        obj="disclosure_request",
        ability="disclosure:release",
        body=lambda _: {"method": "fax"},
    ),
    "web:disclosure_verbal": Route(
        OBJECT,
        "POST",
        obj="disclosure_request",
        ability="disclosure:release",
        body=lambda _: {"summary": ""},
    ),
    "web:packet_detail": Route(OBJECT, obj="packet", ability="disclosure:release"),
    "web:packet_detail#POST": Route(
        OBJECT, "POST", obj="packet", ability="disclosure:release", body=lambda _: {"r_x": "y"}
    ),
    "api:disclosure_packet_detail": Route(OBJECT, obj="packet", ability="disclosure:release"),
    "api:disclosure_redactions_decide": Route(
        OBJECT,
        "POST",
        obj="packet",
        ability="disclosure:release",
        body=lambda _: {"choices": {}},
    ),
    # releases of information: the client's care team and the agency's privacy officers
    "web:roi_list": Route(OBJECT, obj="client", ability="release"),
    "web:roi_new": Route(OBJECT, obj="client", ability="release"),
    "api:roi_list": Route(OBJECT, obj="client", ability="release"),
    "api:roi_create": Route(OBJECT, "POST", obj="client", ability="release", body=_roi_body),
    "web:roi_detail": Route(OBJECT, obj="release", ability="release"),
    "web:roi_sign": Route(OBJECT, "POST", obj="release", ability="release"),
    "web:roi_revoke": Route(OBJECT, "POST", obj="release", ability="release"),
    "web:roi_expiry": Route(OBJECT, "POST", obj="release", ability="release"),
    "web:roi_pdf": Route(OBJECT, obj="release", ability="release"),
    "web:roi_fhir": Route(OBJECT, obj="release", ability="release"),
    "api:roi_detail": Route(OBJECT, obj="release", ability="release"),
    "api:roi_sign": Route(
        OBJECT, "POST", obj="release", ability="release", body=lambda _: {"signer_name": "P"}
    ),
    "api:roi_revoke": Route(OBJECT, "POST", obj="release", ability="release"),
    "api:roi_expiry": Route(
        OBJECT,
        "POST",
        obj="release",
        ability="release",
        body=lambda _: {"occurred_on": "2999-01-01"},
    ),
    "api:roi_fhir": Route(OBJECT, obj="release", ability="release"),
    "api:roi_pdf": Route(OBJECT, obj="release", ability="release"),
    # consent: the client's care team (and intake for the notice); privacy officers decide
    # limits on disclosure and publish the notice; the minor-consent table holds no client data
    "web:minor_consent": Route(SIGNED_IN),
    "api:minor_consent": Route(SIGNED_IN),
    "api:notices_current": Route(SIGNED_IN),
    "web:disclosure_restriction_queue": Route(ROLE, roles=PRIVACY),
    "web:notice_publish": Route(ROLE, roles=PRIVACY),
    "api:notice_publish": Route(
        ROLE,
        "POST",
        roles=PRIVACY,
        body=lambda _: {"material": True, "texts": {"en": {"title": "T", "body": "B."}}},
    ),
    "web:consent_record": Route(OBJECT, obj="client", ability="consent"),
    "api:consent_record": Route(OBJECT, obj="client", ability="consent"),
    "web:consent_preference": Route(
        OBJECT,
        "POST",
        obj="client",
        ability="consent",
        body=lambda _: {"channel": "mail", "mail-channel": "mail", "mail-allowed": "no"},
    ),
    "api:preference_set": Route(
        OBJECT,
        "PUT",
        obj="client",
        ability="consent",
        body=lambda _: {"channel": "mail", "allowed": False},
    ),
    "web:notice_acknowledge": Route(OBJECT, obj="client", ability="notice"),
    "api:notice_status": Route(OBJECT, obj="client", ability="notice"),
    "api:acknowledgement_record": Route(
        OBJECT,
        "POST",
        obj="client",
        ability="notice",
        body=lambda _: {"notice_id": "00000000-0000-4000-8000-000000000000", "typed_name": "P"},
    ),
    "web:contact_new": Route(OBJECT, obj="client", ability="consent"),
    "api:contact_add": Route(
        OBJECT,
        "POST",
        obj="client",
        ability="consent",
        body=lambda _: {"kind": "friend", "person": {"name": "P"}, "decision": "objected"},
    ),
    "web:representative_new": Route(OBJECT, obj="client", ability="consent"),
    "api:representative_add": Route(
        OBJECT,
        "POST",
        obj="client",
        ability="consent",
        body=lambda _: {
            "kind": "parent",
            "scope": ["education"],
            "person": {"name": "P"},
            "authority": "Probe",
            "starts_on": "2025-01-01",
        },
    ),
    "web:disclosure_restriction_new": Route(OBJECT, obj="client", ability="consent"),
    "api:disclosure_limit_request": Route(
        OBJECT,
        "POST",
        obj="client",
        ability="consent",
        body=lambda _: {"recipient_kind": "person", "recipient": "P", "information": "P"},
    ),
    "web:contact_decide": Route(
        OBJECT, "POST", obj="contact", ability="consent", body=lambda _: {"decision": "objected"}
    ),
    "api:contact_decide": Route(
        OBJECT, "POST", obj="contact", ability="consent", body=lambda _: {"decision": "objected"}
    ),
    "web:contact_end": Route(OBJECT, "POST", obj="contact", ability="consent"),
    "api:contact_end": Route(OBJECT, "POST", obj="contact", ability="consent"),
    "web:representative_end": Route(
        OBJECT,
        "POST",
        obj="representative",
        ability="consent",
        body=lambda _: {"reason": "authority_ended"},
    ),
    "api:representative_end": Route(
        OBJECT,
        "POST",
        obj="representative",
        ability="consent",
        body=lambda _: {"reason": "authority_ended"},
    ),
    "web:disclosure_restriction_decide": Route(
        OBJECT,
        "POST",
        roles=PRIVACY,
        obj="disclosure_restriction",
        ability="agency",
        body=lambda _: {"decision": "deny"},
    ),
    "api:disclosure_limit_decide": Route(
        OBJECT,
        "POST",
        roles=PRIVACY,
        obj="disclosure_restriction",
        ability="agency",
        body=lambda _: {"agree": False},
    ),
    "web:disclosure_restriction_end": Route(
        OBJECT, "POST", roles=PRIVACY, obj="disclosure_restriction", ability="agency"
    ),
    "api:disclosure_limit_end": Route(
        OBJECT, "POST", roles=PRIVACY, obj="disclosure_restriction", ability="agency"
    ),
    # the client portal: accepting an invitation and signing in hold nothing; the client's own
    # pages open only to that client's portal session (obj: only their own objects); staff
    # sessions and anonymous browsers are sent to the portal's sign-in
    "portal:welcome": Route(PUBLIC),
    "portal:set_up": Route(PUBLIC),
    "portal:sign_in": Route(PUBLIC),
    "portal:sign_in_code": Route(PUBLIC),
    "portal:sign_out": Route(PUBLIC, method="POST"),
    "portal:home": Route(PORTAL),
    "portal:notice": Route(PORTAL),
    "portal:release_list": Route(PORTAL),
    "portal:release_detail": Route(PORTAL, obj="release"),
    "portal:release_pdf": Route(PORTAL, obj="release"),
    "portal:release_revoke": Route(PORTAL, obj="release"),
    "portal:acknowledgement_pdf": Route(PORTAL, obj="acknowledgement"),
    # a client's portal access, on the staff side: the care team (consent:manage)
    "portal_staff:access": Route(OBJECT, obj="client", ability="consent"),
    "portal_staff:access#POST": Route(
        OBJECT, "POST", obj="client", ability="consent", body=lambda _: {"language": "xx"}
    ),
    "portal_staff:end": Route(OBJECT, "POST", obj="client", ability="consent"),
    "portal_staff:withdraw": Route(OBJECT, "POST", obj="client", ability="consent"),
    # the printable acknowledgement of the notice: consent:view, as the consent record
    "portal_staff:acknowledgement_pdf": Route(OBJECT, obj="acknowledgement", ability="consent"),
}


def _walk(patterns: list[Any], namespace: str = "") -> Iterator[str]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, pattern.namespace or namespace)
        elif isinstance(pattern, URLPattern):
            yield f"{namespace}:{pattern.name}" if namespace else str(pattern.name)


def unclassified(urlconf: str | None = None) -> tuple[list[str], list[str]]:
    """Routes missing from ROUTES, and entries of ROUTES that name no route."""
    names = set(_walk(get_resolver(urlconf).url_patterns))
    classified = {name.split("#")[0] for name in ROUTES}
    return sorted(names - classified), sorted(classified - names)


def test_every_route_is_classified() -> None:
    missing, stale = unclassified()
    assert missing == [], f"unclassified routes, add them to ROUTES: {missing}"
    assert stale == [], f"entries of ROUTES that name no route: {stale}"


urlpatterns = [  # this module doubles as a URLconf with one route nobody classified
    path("", include("config.urls")),
    path("new-page/", lambda request: HttpResponse(), name="brand_new_page"),
]


def test_a_new_route_without_a_classification_is_caught() -> None:
    missing, stale = unclassified(__name__)
    assert missing == ["brand_new_page"]
    assert stale == []


# ---- the world ---------------------------------------------------------------------------------

A_STAFF = (
    "worker_a",
    "worker_a2",
    "other_worker_a",
    "supervisor_a",
    "privacy_a",
    "admin_a",
    "intake_a",
    "lapsed_a",
)
B_STAFF = ("worker_b", "supervisor_b", "privacy_b", "admin_b", "intake_b")
PERSONAS = (*A_STAFF, *B_STAFF)
ANONYMOUS = "anonymous"
# Clients signed in to the portal, and the matrix client each one is.
PORTAL_PERSONAS = {"client_own_team": "own_team", "client_other_agency": "other_agency"}


@dataclass
class Matrix:
    """The shared world: personas (with a signed-in browser and an API token each) and one
    object of each kind per situation."""

    world: World
    users: dict[str, User] = field(default_factory=dict)
    browsers: dict[str, HttpClient] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    objects: dict[str, dict[str, Any]] = field(default_factory=dict)
    checkpoints: list[int] = field(default_factory=list)

    def add(self, kind: str, name: str, obj: Any) -> None:
        self.objects.setdefault(kind, {})[name] = obj


def _extra_personas(w: World) -> dict[str, User]:
    extra = {
        "lapsed_a": make_user(
            w.agency_a, "lapsed_a@a.test", Role.PRACTITIONER, [w.team_a1], trained=False
        ),
        "supervisor_b": make_user(w.agency_b, "supervisor_b@b.test", Role.SUPERVISOR, [w.team_b1]),
        "privacy_b": make_user(w.agency_b, "privacy_b@b.test", Role.PRIVACY_OFFICER),
        "admin_b": make_user(w.agency_b, "admin_b@b.test", Role.ADMINISTRATOR),
        "intake_b": make_user(w.agency_b, "intake_b@b.test", Role.INTAKE),
    }
    # supervisor_a supervises other_worker_a (so the South team's cases too), and is the one
    # person designated for domestic-violence locations.
    User.objects.filter(id=w.other_worker_a.id).update(supervisor_id=w.supervisor_a.id)
    User.objects.filter(id=w.supervisor_a.id).update(dv_designated=True)
    return extra


def _note(
    author: User, client: Client, *, kind: str = "progress", labels: list[str] | None = None
) -> Note:
    case = Case.objects.filter(client=client).first()
    assert case is not None
    return records.note_create(
        actor=actor(author), case_id=case.id, kind=kind, body="Matrix note.", labels=labels or []
    )


def _attachment(author: User, note: Note) -> Attachment:
    attachment = records.attachment_create(
        actor=actor(author),
        note_id=note.id,
        filename="letter.txt",
        content_type="text/plain",
        data=b"Dear colleague.",
    )
    files.promote(attachment)  # its commit never comes: the module's transaction rolls back
    return attachment


def build_matrix() -> Matrix:
    w = build_world()
    m = Matrix(world=w)
    extra = _extra_personas(w)
    team_b2 = Team.objects.create(
        agency=w.agency_b, program=Program.objects.get(agency=w.agency_b), name="B team 2"
    )
    m.users = {n: User.objects.get(id=getattr(w, n).id) for n in A_STAFF if hasattr(w, n)}
    m.users.update({"worker_b": w.worker_b, **extra})
    u = m.users
    _clients(m, w, team_b2)
    m.checkpoints.append(_checkpoint())
    _notes(m, w)
    _grants_and_the_rest(m, w)
    _disclosures(m, w)
    _releases(m, w)
    _consent(m, w)
    for agency in ("a", "b"):
        agency_id = getattr(w, f"agency_{agency}").id
        m.add("event", agency, Event.objects.filter(agency_id=agency_id).order_by("seq").first())
    m.checkpoints.append(_checkpoint())
    for name in PERSONAS:
        http = signed_in(HttpClient(), u[name])
        session = http.session
        session[REAUTH_AT] = time.time()
        session.save()
        m.browsers[name] = http
        _, m.tokens[name] = accounts.token_create(actor=actor(u[name]), name="matrix", days=1)
    m.browsers[ANONYMOUS] = HttpClient()
    _portal(m, w)
    return m


def _portal(m: Matrix, w: World) -> None:
    """A portal account (signed in) for the own-team client and the other agency's client, and
    an acknowledgement of the notice by each of them."""
    from confide.accounts.middleware import LAST_SEEN, STARTED
    from confide.portal.auth import ACCOUNT, EPOCH
    from confide.portal.models import PortalAccount

    notices = {}
    for agency, officer in (("a", "privacy_a"), ("b", "privacy_b")):
        published = consent.notice_publish(
            actor=actor(m.users[officer]), texts={"en": ("Notice", "Text.")}, material=True
        )
        notices[agency] = published[0]
    for persona, client_name in PORTAL_PERSONAS.items():
        client = m.objects["client"][client_name]
        account = PortalAccount.objects.create(
            agency_id=client.agency_id,
            client=client,
            sign_in_id=f"MTRX-{client_name[:4].upper()}",
            invited_by=m.users["worker_a" if client.agency_id == w.agency_a.id else "worker_b"],
            activated_at=clock.now(),
        )
        m.add(
            "acknowledgement",
            client_name,
            consent.acknowledgement_record_by_client(
                client_id=client.id,
                agency_id=client.agency_id,
                account_id=account.id,
                notice_id=notices["a" if client.agency_id == w.agency_a.id else "b"].id,
                typed_name="Matrix client",
            ),
        )
        http = HttpClient()
        session = http.session
        session[ACCOUNT] = str(account.id)
        session[EPOCH] = account.session_epoch
        session[STARTED] = session[LAST_SEEN] = time.time()
        session.save()
        m.browsers[persona] = http


def _checkpoint() -> int:
    created = checkpoints.checkpoint_create().created
    assert created is not None
    return created.tree_size


def _clients(m: Matrix, w: World, team_b2: Team) -> None:
    u = m.users
    walled = make_client(
        w.agency_a, w.team_a1, name="Wanda Walled", dob=dt.date(1970, 1, 2), number="A-W"
    )
    restricted = make_client(
        w.agency_a, w.team_a1, name="Rhea Restricted", dob=dt.date(1971, 2, 3), number="A-R"
    )
    emergency = make_client(
        w.agency_a, w.team_a2, name="Elio Emergency", dob=dt.date(1972, 3, 4), number="A-E"
    )
    review = make_client(
        w.agency_a, w.team_a2, name="Rory Review", dob=dt.date(1973, 4, 5), number="A-V"
    )
    client_b2 = make_client(
        w.agency_b, team_b2, name="Bea Second", dob=dt.date(1974, 5, 6), number="B-2"
    )
    # A grant of worker_a that predates the wall: the wall still wins.
    AccessGrant.objects.create(
        agency=w.agency_a,
        kind=GrantKind.BREAK_GLASS,
        user=u["worker_a"],
        client=walled,
        reason_category="other",
        reason_text_enc=b"",
        starts_at=clock.now(),
        expires_at=clock.now() + dt.timedelta(hours=2),
    )
    wall_a = training.conflict_declare(
        actor=actor(u["worker_a"]), client_id=walled.id, relationship="relative"
    )
    wall_b = training.conflict_declare(
        actor=actor(u["privacy_b"]),
        client_id=client_b2.id,
        relationship="friend",
        user_id=u["intake_b"].id,
    )
    agreed = consent.restriction_request(
        actor=actor(u["worker_a"]),
        client_id=restricted.id,
        kind="not_staff",
        staff_id=u["worker_a2"].id,
    )
    consent.restriction_decide(actor=actor(u["privacy_a"]), restriction_id=agreed.id, agree=True)
    for name, client in (
        ("own_team", w.client_a),
        ("other_team", w.client_a_other),
        ("other_agency", w.client_b),
        ("walled", walled),
        ("restricted", restricted),
        ("emergency", emergency),
        ("review", review),
    ):
        m.add("client", name, client)
        m.add("case", name, Case.objects.get(client=client))
    m.add("client", "b2", client_b2)
    # privacy_a knows the South team's client personally: no reports of it for them.
    training.conflict_declare(
        actor=actor(u["privacy_a"]), client_id=w.client_a_other.id, relationship="neighbour"
    )
    m.add("wall", "a", wall_a)
    m.add("wall", "b", wall_b)
    m.add("restriction", "agreed_a", agreed)


def _notes(m: Matrix, w: World) -> None:
    u, clients = m.users, m.objects["client"]
    plain = _note(u["worker_a"], w.client_a)
    psy = _note(u["worker_a2"], w.client_a, kind="psychotherapy")
    m.add("note", "plain", plain)
    m.add("note", "psychotherapy_of_another", psy)
    m.add("note", "dv_labelled", _note(u["worker_a2"], w.client_a, labels=["dv_location"]))
    m.add("note", "hiv_labelled", _note(u["worker_a"], w.client_a, labels=["hiv"]))
    m.add("note", "walled", _note(u["worker_a2"], clients["walled"]))
    m.add("note", "other_agency", _note(u["worker_b"], w.client_b))
    m.add("note", "emergency", _note(u["other_worker_a"], clients["emergency"]))
    m.add("note", "review", _note(u["other_worker_a"], clients["review"]))
    m.add("attachment", "plain", _attachment(u["worker_a"], plain))
    m.add("attachment", "psychotherapy_of_another", _attachment(u["worker_a2"], psy))
    m.add(
        "attachment", "other_agency", _attachment(u["worker_b"], m.objects["note"]["other_agency"])
    )


def _grants_and_the_rest(m: Matrix, w: World) -> None:
    u, clients = m.users, m.objects["client"]
    emergency = access.break_glass_open(
        actor=actor(u["worker_a"]),
        client_id=clients["emergency"].id,
        reason_category="imminent_harm",
        reason_text="Matrix emergency.",
        reauthenticated=True,
    )
    grant_b = access.break_glass_open(
        actor=actor(u["worker_b"]),
        client_id=clients["b2"].id,
        reason_category="coverage",
        reason_text="Matrix emergency B.",
        reauthenticated=True,
    )
    review = access.review_purpose_open(
        actor=actor(u["privacy_a"]),
        client_id=clients["review"].id,
        purpose="access_audit",
        note="Matrix audit.",
        reauthenticated=True,
    )
    m.add("grant", "emergency_a", emergency)
    m.add("grant", "emergency_b", grant_b)
    m.add("grant", "review_a", review)
    requested_b = consent.restriction_request(
        actor=actor(u["worker_b"]),
        client_id=w.client_b.id,
        kind="not_staff",
        staff_id=u["intake_b"].id,
    )
    m.add("restriction", "requested_b", requested_b)
    for name, officer, client in (
        ("own_team", "privacy_a", w.client_a),
        ("other_team", "privacy_a", w.client_a_other),
        ("other_agency", "privacy_b", w.client_b),
    ):
        m.add("accounting_entry", name, _disclosure(u[officer], client))
    m.add("staff", "a", u["worker_a"])
    m.add("staff", "b", u["worker_b"])
    m.add(
        "notification", "privacy_a", Notification.objects.filter(recipient=u["privacy_a"]).first()
    )
    m.add(
        "notification", "privacy_b", Notification.objects.filter(recipient=u["privacy_b"]).first()
    )
    # tokens are made per persona in build_matrix; these two are the objects probed
    for name in ("worker_a", "worker_b"):
        token, _ = accounts.token_create(actor=actor(u[name]), name="object", days=1)
        m.add("token", name, token)


def _consent(m: Matrix, w: World) -> None:
    """A contact and a representative of a client in each situation, and a limit on
    disclosure awaiting a decision in each agency."""
    u = m.users
    for name, author, client in (
        ("own_team", "worker_a", w.client_a),
        ("other_team", "other_worker_a", w.client_a_other),
        ("other_agency", "worker_b", w.client_b),
    ):
        person = consent.PersonInput(name="Matrix person")
        m.add(
            "contact",
            name,
            consent.contact_add(
                actor=actor(u[author]),
                client_id=client.id,
                kind="friend",
                person=person,
                may_be_told=["appointments"],
                decision="agreed",
            ),
        )
        m.add(
            "representative",
            name,
            consent.representative_add(
                actor=actor(u[author]),
                client_id=client.id,
                kind="guardian",
                scope=["all_health_care"],
                person=person,
                authority="Matrix order",
                starts_on=dt.date(2025, 1, 1),
            ),
        )
    for name, author, client in (
        ("dr_a", "worker_a", w.client_a),
        ("dr_b", "worker_b", w.client_b),
    ):
        m.add(
            "disclosure_restriction",
            name,
            consent.disclosure_restriction_request(
                actor=actor(u[author]),
                client_id=client.id,
                recipient_kind="person",
                recipient="Matrix recipient",
                information="Matrix information",
            ),
        )


def _releases(m: Matrix, w: World) -> None:
    """A signed release of information of a client in each situation, by its care team."""
    u, clients = m.users, m.objects["client"]
    for name, author in (
        ("own_team", "worker_a"),
        ("other_team", "other_worker_a"),
        ("other_agency", "worker_b"),
        ("walled", "worker_a2"),
        ("restricted", "worker_a"),
        ("emergency", "other_worker_a"),
        ("review", "other_worker_a"),
    ):
        who = actor(u[author])
        made = releases.release_create(
            actor=who, client_id=clients[name].id, data=release_support.complete()
        )
        signed = releases.release_sign(
            actor=who, release_id=made.id, signature=release_support.signature()
        )
        m.add("release", name, signed)


def _disclosures(m: Matrix, w: World) -> None:
    """A disclosure request on four clients (each with an uploaded instrument) and a packet on
    two. The profiles are removed again, so the create probes stop at the service."""
    from confide.disclosures import packets as disclosure_packets
    from confide.disclosures import services as disclosure_services
    from confide.disclosures.models import DisclosureProfile

    for agency, admin in ((w.agency_a, m.users["admin_a"]), (w.agency_b, m.users["admin_b"])):
        DisclosureProfile.objects.create(
            agency=agency,
            jurisdiction_state="CA",
            entity_type="hipaa_covered_provider",
            updated_by=admin,
        )
    clients = m.objects["client"]
    for name, requester in (
        ("own_team", "worker_a"),
        ("other_team", "other_worker_a"),
        ("other_agency", "worker_b"),
        ("walled", "worker_a2"),
    ):
        request = disclosure_services.request_create(
            actor=actor(m.users[requester]),
            client_id=clients[name].id,
            data=disclosure_services.RequestInput(
                recipient="Matrix clinic",
                recipient_type="health_care_provider",
                purpose="treatment",
                description="Matrix",
                categories=["general"],
                date_from=dt.date(2025, 1, 1),
                date_to=dt.date(2025, 1, 31),
                legal_instrument="subpoena",
                instrument=disclosure_services.Upload("order.txt", "text/plain", b"Order."),
            ),
        )
        assert request.instrument is not None
        files.promote(request.instrument)
        m.add("disclosure_request", name, request)
        if name in ("own_team", "other_agency"):
            packet = disclosure_packets.packet_build(
                actor=actor(m.users[requester]), request_id=request.id
            )
            m.add("packet", name, packet)
    DisclosureProfile.objects.all().delete()


def _disclosure(officer: User, client: Client) -> AccountingEntry:
    return accounting.accounting_entry_record(
        actor=actor(officer),
        client_id=client.id,
        disclosed_at=clock.now() - dt.timedelta(days=3),
        recipient="County court",
        description="Records under subpoena",
        purpose="Legal proceeding",
        legal_basis="45 CFR 164.512(e)",
        excluded_kind=None,
        released_labels=[],
    )


@pytest.fixture(scope="module")
def matrix(
    django_db_setup: None,
    django_db_blocker: DjangoDbBlocker,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Matrix]:
    keys = tmp_path_factory.mktemp("matrix-ledger")
    with (
        django_db_blocker.unblock(),
        override_settings(
            CONFIDE_LEDGER_SIGNING_KEY_PATH=keys / "ledger-signing.key",
            CONFIDE_CHECKPOINT_DIR=keys / "checkpoints",
        ),
    ):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield build_matrix()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


# ---- who may do what (everything not listed: 404) ---------------------------------------------

_INTAKE_A = {"intake_a"}
CLIENT_VIEW: dict[str, set[str]] = {
    "own_team": {"worker_a", "worker_a2", "supervisor_a", "lapsed_a"},
    "other_team": {"other_worker_a", "supervisor_a"},
    "other_agency": {"worker_b", "supervisor_b"},
    "walled": {"worker_a2", "supervisor_a", "lapsed_a"},  # not worker_a, grant or no grant
    "restricted": {"worker_a", "supervisor_a", "lapsed_a"},  # not worker_a2
    "emergency": {"other_worker_a", "supervisor_a", "worker_a"},  # worker_a by the grant
    "review": {"other_worker_a", "supervisor_a", "privacy_a"},  # privacy_a by the purpose
}
INTAKE_OF = {"other_agency": "intake_b"}
NOTE_VIEW: dict[str, set[str]] = {
    "plain": CLIENT_VIEW["own_team"],
    "psychotherapy_of_another": {"worker_a2"},
    "dv_labelled": {"worker_a2", "supervisor_a"},  # author and the designated supervisor
    "hiv_labelled": {"worker_a", "worker_a2", "supervisor_a"},  # lapsed training: not lapsed_a
    "walled": CLIENT_VIEW["walled"],
    "other_agency": CLIENT_VIEW["other_agency"],
    "emergency": CLIENT_VIEW["emergency"],
    "review": CLIENT_VIEW["review"],
}
# Labelled notes closed to lapsed_a by lapsed training alone (the others by their own rules too).
TRAINING_ONLY = {"hiv_labelled"}
GRANT_ONLY = {"emergency": {"worker_a"}, "review": {"privacy_a"}}  # view, but change nothing
AUTHOR = {
    "plain": "worker_a",
    "psychotherapy_of_another": "worker_a2",
    "dv_labelled": "worker_a2",
    "hiv_labelled": "worker_a",
    "walled": "worker_a2",
    "other_agency": "worker_b",
    "emergency": "other_worker_a",
    "review": "other_worker_a",
}
GRANTS = {  # reader(s) of each grant, its reviewer, its holder
    "emergency_a": ({"privacy_a", "supervisor_a"}, "privacy_a", "worker_a"),
    "emergency_b": ({"privacy_b", "supervisor_b"}, "privacy_b", "worker_b"),
    "review_a": (set(), "", "privacy_a"),  # a review grant is not an emergency to review
}
REPORTS = {  # privacy officers of the agency, unless walled (privacy_a from other_team)
    "own_team": {"privacy_a"},
    "other_team": set(),
    "other_agency": {"privacy_b"},
    "walled": {"privacy_a"},
    "restricted": {"privacy_a"},
    "emergency": {"privacy_a"},
    "review": {"privacy_a"},
}
AGENCY_OF = {
    "a": "a",
    "b": "b",
    "agreed_a": "a",
    "requested_b": "b",
    "worker_a": "a",
    "worker_b": "b",
    "dr_a": "a",
    "dr_b": "b",
}


def expected(route: Route, obj: str) -> dict[str, str]:
    """{persona: outcome} for everyone who is not simply told "not found"."""
    if route.ability == "record":
        intake = INTAKE_OF.get(obj, "intake_a")
        return dict.fromkeys(CLIENT_VIEW[obj] | {intake}, "ok")
    if route.ability == "client:view":
        return dict.fromkeys(CLIENT_VIEW[obj], "ok")
    if route.ability in ("consent", "notice"):
        # The care team; an emergency or review grant reads the record but not this (403).
        only_read = GRANT_ONLY.get(obj, set())
        outcome = {p: "refused" if p in only_read else "ok" for p in CLIENT_VIEW[obj]}
        if route.ability == "notice":  # intake walks a new client through the notice
            outcome[INTAKE_OF.get(obj, "intake_a")] = "ok"
        return outcome
    if route.ability == "note:create":
        viewers = CLIENT_VIEW[obj]
        refused = {"privacy_a"} if obj == "review" else set()  # a review reads, never writes
        return {p: "refused" if p in refused else "ok" for p in viewers}
    if route.ability == "note:view":
        return dict.fromkeys(NOTE_VIEW[obj], "ok")
    if route.ability == "note:view+why":
        # The page says why a labelled note is closed to someone whose training lapsed, when
        # that is the only reason and they can open its record (which already counts it as
        # withheld): a 403 with the remedy, not a 404.
        explained = {"lapsed_a"} if obj in TRAINING_ONLY else set()
        return {**dict.fromkeys(explained, "refused"), **dict.fromkeys(NOTE_VIEW[obj], "ok")}
    if route.ability == "note:addendum":  # the care team (a grant to read writes nothing)
        only_read = GRANT_ONLY.get(obj, set())
        return {p: "refused" if p in only_read else "ok" for p in NOTE_VIEW[obj]}
    if route.ability == "note:edit":  # its author only (a grant to read writes nothing)
        only_read = GRANT_ONLY.get(obj, set())
        return {
            p: "ok" if p == AUTHOR[obj] and p not in only_read else "refused"
            for p in NOTE_VIEW[obj]
        }
    if route.ability == "note:sign":
        return {p: "ok" if p == AUTHOR[obj] else "refused" for p in NOTE_VIEW[obj]}
    if route.ability == "grant:read":
        return dict.fromkeys(GRANTS[obj][0], "ok")
    if route.ability == "grant:review":
        readers, reviewer, _ = GRANTS[obj]
        return {p: "ok" if p == reviewer else "refused" for p in readers}
    if route.ability == "grant:own":
        return {GRANTS[obj][2]: "ok"}
    if route.ability == "report":
        return dict.fromkeys(REPORTS[obj], "ok")
    if route.ability == "own":
        return {obj: "ok"}
    if route.ability == "agency":
        # Gated by role first (a 403 that names no object), then by agency (404).
        agency = AGENCY_OF[obj]
        outcome = {}
        for persona in PERSONAS:
            role = actor_role(persona)
            if role not in route.roles:
                outcome[persona] = "refused"
            elif persona.endswith(f"_{agency}"):
                outcome[persona] = "ok"
        return outcome
    if route.ability == "release":
        # The care team (an emergency grant reads the record but not its releases) and the
        # agency's privacy officers, unless walled.
        ok = (CLIENT_VIEW[obj] - GRANT_ONLY.get(obj, set())) | REPORTS[obj]
        refused = GRANT_ONLY.get(obj, set()) - ok
        return {**dict.fromkeys(refused, "refused"), **dict.fromkeys(ok, "ok")}
    if route.ability.startswith("disclosure:"):
        return _disclosure_expected(route.ability, obj)
    raise AssertionError(f"no expectation for {route.ability}")


# Who may read a disclosure request: its client's care team (disclosure:request) and the
# agency's privacy officers (disclosure:review), never through a wall.
DISCLOSURE_READ: dict[str, set[str]] = {
    "own_team": CLIENT_VIEW["own_team"] | {"privacy_a"},
    "other_team": {"other_worker_a", "supervisor_a"},  # privacy_a is walled off this client
    "other_agency": CLIENT_VIEW["other_agency"] | {"privacy_b"},
    "walled": CLIENT_VIEW["walled"] | {"privacy_a"},
}


def _disclosure_expected(ability: str, obj: str) -> dict[str, str]:
    if ability == "disclosure:request":
        # Viewing through an emergency or review grant opens no disclosure (a 403 there).
        only_read = GRANT_ONLY.get(obj, set())
        return {p: "refused" if p in only_read else "ok" for p in CLIENT_VIEW[obj]}
    if ability == "disclosure:read":
        return dict.fromkeys(DISCLOSURE_READ[obj], "ok")
    if ability == "disclosure:review":
        # Supervisors and privacy officers review; a practitioner on the team is refused.
        return {
            p: "refused" if actor_role(p) == Role.PRACTITIONER else "ok"
            for p in DISCLOSURE_READ[obj]
        }
    if ability == "disclosure:release":
        return dict.fromkeys(CLIENT_VIEW[obj], "ok")
    raise AssertionError(f"no expectation for {ability}")


ROLES = {
    "worker": Role.PRACTITIONER,
    "other": Role.PRACTITIONER,
    "lapsed": Role.PRACTITIONER,
    "supervisor": Role.SUPERVISOR,
    "privacy": Role.PRIVACY_OFFICER,
    "admin": Role.ADMINISTRATOR,
    "intake": Role.INTAKE,
}


def actor_role(persona: str) -> Role:
    return ROLES[persona.split("_")[0]]


# ---- probing ----------------------------------------------------------------------------------


def _url(m: Matrix, name: str, obj: Any = None) -> str:
    base, route = name.split("#")[0], ROUTES[name]
    if obj is None:
        kwargs: dict[str, object] = {"rest": "nothing-here"} if base == "api:unknown" else {}
        if base == "web:release_link":
            kwargs = {"token": "matrix-probe-token-that-names-no-delivery"}
        if base == "api:checkpoint_detail":
            kwargs = {"tree_size": m.checkpoints[-1]}
        return reverse(base, kwargs=kwargs) + route.query(m)
    if route.obj == "event":
        return f"{reverse(base)}?seq={getattr(obj, 'seq', 0)}"
    param = {
        "client": "client_id",
        "case": "case_id",
        "note": "note_id",
        "attachment": "attachment_id",
        "grant": "grant_id",
        "restriction": "restriction_id",
        "wall": "wall_id",
        "staff": "user_id",
        "notification": "notification_id",
        "token": "token_id",
        "accounting_entry": "entry_id",
        "disclosure_request": "request_id",
        "packet": "packet_id",
        "release": "release_id",
        "contact": "contact_id",
        "representative": "representative_id",
        "disclosure_restriction": "restriction_id",
        "acknowledgement": "acknowledgement_id",
    }[ROUTES[name].obj]
    return reverse(base, kwargs={param: str(obj.id)})


def probe(m: Matrix, name: str, persona: str, obj: Any = None) -> str:
    """One request, rolled back afterwards; its outcome: ok, refused, hidden or signin."""
    route = ROUTES[name]
    url, is_api = _url(m, name, obj), name.startswith("api:")
    body = route.body(m) if route.body else {}
    # A portal session's browser carries its cookie to the API too (and has no token).
    http = m.browsers[persona] if not is_api or persona in PORTAL_PERSONAS else HttpClient()
    headers = {}
    if is_api and persona in m.tokens:
        headers["Authorization"] = f"Bearer {m.tokens[persona]}"
    with transaction.atomic():
        if route.method == "GET":
            response = http.get(url, headers=headers)
        elif is_api:
            send = getattr(http, route.method.lower())
            response = send(url, json.dumps(body), content_type="application/json", headers=headers)
        else:
            response = http.post(url, body)
        transaction.set_rollback(True)
    return _outcome(response, is_api)


def _outcome(response: Any, is_api: bool) -> str:
    status = response.status_code
    assert status < 500, f"server error {status}"
    if status == 404:
        return "hidden"
    if status == 403:
        return "refused"
    if status == 401 and is_api:
        return "signin"
    if status == 302 and response["Location"].startswith(reverse("web:sign_in")):
        return "signin"
    if status == 302 and response["Location"].startswith(reverse("web:reauth")):
        return "reauth"
    if status == 302 and response["Location"].startswith(reverse("portal:sign_in")):
        return "portal-signin"
    return "ok"


def _mismatches(actual: dict[str, str], wanted: dict[str, str]) -> list[str]:
    return [
        f"{p}: got {actual[p]}, expected {wanted.get(p, 'hidden')}"
        for p in actual
        if actual[p] != wanted.get(p, "hidden")
    ]


# ---- the tests ----------------------------------------------------------------------------------

OBJECT_ROUTES = sorted(n for n, r in ROUTES.items() if r.kind == OBJECT)
ROLE_ROUTES = sorted(n for n, r in ROUTES.items() if r.kind == ROLE)
SIGNED_IN_ROUTES = sorted(n for n, r in ROUTES.items() if r.kind == SIGNED_IN)
PUBLIC_ROUTES = sorted(n for n, r in ROUTES.items() if r.kind == PUBLIC)
PORTAL_ROUTES = sorted(n for n, r in ROUTES.items() if r.kind == PORTAL)
STAFF_ROUTES = sorted(n for n, r in ROUTES.items() if r.kind in (OBJECT, ROLE, SIGNED_IN))


@pytest.mark.parametrize("name", OBJECT_ROUTES)
def test_object_routes_answer_exactly_the_expected_personas(
    matrix: Matrix, db: None, name: str
) -> None:
    route = ROUTES[name]
    problems = []
    objects = matrix.objects[route.obj]
    for obj_name, obj in objects.items():
        if route.obj in ("client", "case") and obj_name == "b2":
            continue  # the B emergency's client: there for the grant, covered by other_agency
        if route.obj == "notification" and obj is None:
            continue
        actual = {p: probe(matrix, name, p, obj) for p in PERSONAS}
        problems += [
            f"{obj_name} / {line}" for line in _mismatches(actual, expected(route, obj_name))
        ]
    first = next(iter(objects.values()))
    signed_out = probe(matrix, name, ANONYMOUS, first)
    if signed_out != "signin":
        problems.append(f"signed out: got {signed_out}")
    forged = type("Forged", (), {"id": "00000000-0000-4000-8000-000000000000"})()
    for persona in PERSONAS:
        outcome = probe(matrix, name, persona, forged)
        if outcome not in ("hidden", "refused"):
            problems.append(f"forged id / {persona}: got {outcome}")
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize("name", ROLE_ROUTES)
def test_role_pages_open_for_their_roles_and_refuse_the_rest(
    matrix: Matrix, db: None, name: str
) -> None:
    route = ROUTES[name]
    actual = {p: probe(matrix, name, p) for p in (*PERSONAS, ANONYMOUS)}
    wanted = {p: "ok" if actor_role(p) in route.roles else "refused" for p in PERSONAS}
    wanted[ANONYMOUS] = "signin"
    assert _mismatches(actual, wanted) == [], actual


@pytest.mark.parametrize("name", SIGNED_IN_ROUTES)
def test_signed_in_pages_open_for_every_persona_and_nobody_else(
    matrix: Matrix, db: None, name: str
) -> None:
    actual = {p: probe(matrix, name, p) for p in (*PERSONAS, ANONYMOUS)}
    wanted = {**dict.fromkeys(PERSONAS, "ok"), ANONYMOUS: "signin"}
    assert _mismatches(actual, wanted) == [], actual


@pytest.mark.parametrize("name", PUBLIC_ROUTES)
def test_public_routes_hold_nothing_confidential(matrix: Matrix, db: None, name: str) -> None:
    outcome = probe(matrix, name, ANONYMOUS)
    assert outcome in ("ok", "hidden", "signin", "portal-signin")
    assert "Rosalind" not in matrix.browsers[ANONYMOUS].get(_url(matrix, name)).content.decode()


@pytest.mark.parametrize("name", PORTAL_ROUTES)
def test_portal_pages_open_only_to_their_own_client(matrix: Matrix, db: None, name: str) -> None:
    """A client's portal session reaches its own pages and objects; another client's object or a
    forged id is not found; staff sessions and anonymous browsers get the portal's sign-in."""
    route, problems = ROUTES[name], []
    staff_and_anonymous = dict.fromkeys((*PERSONAS, ANONYMOUS), "portal-signin")
    if not route.obj:
        wanted = {**staff_and_anonymous, **dict.fromkeys(PORTAL_PERSONAS, "ok")}
        actual = {p: probe(matrix, name, p) for p in wanted}
        problems += _mismatches(actual, wanted)
    for obj_name, obj in matrix.objects.get(route.obj, {}).items() if route.obj else ():
        own = {p: "ok" if c == obj_name else "hidden" for p, c in PORTAL_PERSONAS.items()}
        wanted = {**staff_and_anonymous, **own}
        actual = {p: probe(matrix, name, p, obj) for p in wanted}
        problems += [f"{obj_name} / {line}" for line in _mismatches(actual, wanted)]
    if route.obj:
        forged = type("Forged", (), {"id": "00000000-0000-4000-8000-000000000000"})()
        for persona in PORTAL_PERSONAS:
            outcome = probe(matrix, name, persona, forged)
            if outcome != "hidden":
                problems.append(f"forged id / {persona}: got {outcome}")
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize("name", STAFF_ROUTES)
def test_a_portal_session_reaches_no_staff_page_or_api(matrix: Matrix, db: None, name: str) -> None:
    """Every staff page and API endpoint treats a client's portal session as signed out (the
    staff sign-in page, or 401), whatever object it names."""
    route = ROUTES[name]
    obj = None
    if route.kind == OBJECT:
        obj = next(
            (o for o in matrix.objects[route.obj].values() if o is not None),
            None,
        )
    actual = {p: probe(matrix, name, p, obj) for p in PORTAL_PERSONAS}
    assert actual == dict.fromkeys(PORTAL_PERSONAS, "signin")


def test_nothing_in_the_matrix_changed_the_world(matrix: Matrix, db: None) -> None:
    """Every probe rolled back: the objects are as they were built."""
    assert Note.objects.filter(status="signed").count() == 0
    assert ConflictDeclaration.objects.filter(removed_at=None).count() == 3
    assert Restriction.objects.filter(status="agreed").count() == 1
    assert AccessGrant.objects.filter(reviewed_at=None, revoked_at=None).count() == 4
    assert ApiToken.objects.filter(revoked_at=None).count() == len(PERSONAS) + 2
