"""A release as a FHIR R4 Consent resource (JSON), for health partners and auditors.

Mapping (FHIR R4 Consent, http://hl7.org/fhir/R4/consent.html):

- `status`: draft -> draft; signed, in effect or not yet -> active (the provision's period says
  from when); expired or revoked -> inactive (R4 has no "revoked"; the period ends on the
  revocation date and `provision.type` stays "permit" for the record of what was agreed).
- `scope`: patient-privacy. `category`: LOINC 64292-6 "Release of information consent" and
  v3 ActCode IDSCL (information disclosure).
- `patient`: Patient/<client id> (an opaque id, never a name). `dateTime`: when signed (else
  recorded). `performer`: the client, or the personal representative who signed.
  `organization`: the agency (the custodian).
- `policy` and `policyRule`: the legal basis (45 CFR 164.508, HIPAAPsyNotes, 42 CFR Part 2,
  34 U.S.C. 12291(b)(2), or the agency's own policy).
- `provision`: permit; `period` start and end (expiry date, expiry event, or revocation);
  `actor` the recipient (IRCP) and the discloser (CST); `action` disclose; `purpose` (v3
  ActReason where one fits, plus Confide's own code); `securityLabel` (v3 ActCode sensitivity
  codes for the categories); `class` (Confide's information categories); `dataPeriod` (the range
  of records covered).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from confide.releases.enums import Category, ReleaseKind, ReleasePurpose, Status
from confide.releases.selectors import ReleaseDetail

LOINC = "http://loinc.org"
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
ACT_REASON = "http://terminology.hl7.org/CodeSystem/v3-ActReason"
PARTICIPATION = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType"
CONSENT_SCOPE = "http://terminology.hl7.org/CodeSystem/consentscope"
CONSENT_POLICY = "http://terminology.hl7.org/CodeSystem/consentpolicycodes"
CONSENT_ACTION = "http://terminology.hl7.org/CodeSystem/consentaction"
OWN_PURPOSE = "urn:confide:release-purpose"
OWN_CATEGORY = "urn:confide:information-category"
OWN_KIND = "urn:confide:release-kind"

STATUS = {
    Status.DRAFT: "draft",
    Status.SIGNED: "active",
    Status.ACTIVE: "active",
    Status.EXPIRED: "inactive",
    Status.REVOKED: "inactive",
}
POLICY: dict[str, tuple[str, str, dict[str, Any]]] = {
    # kind: (authority, uri, policyRule)
    ReleaseKind.HIPAA_AUTHORIZATION: (
        "https://www.hhs.gov/hipaa",
        "https://www.ecfr.gov/current/title-45/section-164.508",
        {"coding": [{"system": CONSENT_POLICY, "code": "hipaa-auth"}], "text": "45 CFR 164.508"},
    ),
    ReleaseKind.PSYCHOTHERAPY_NOTES: (
        "https://www.hhs.gov/hipaa",
        "https://www.ecfr.gov/current/title-45/section-164.508",
        {
            "coding": [{"system": ACT_CODE, "code": "HIPAAPsyNotes"}],
            "text": "45 CFR 164.508(a)(2)",
        },
    ),
    ReleaseKind.PART2_CONSENT: (
        "https://www.samhsa.gov",
        "https://www.ecfr.gov/current/title-42/section-2.31",
        {"coding": [{"system": ACT_CODE, "code": "42CFRPart2"}], "text": "42 CFR 2.31"},
    ),
    ReleaseKind.VAWA_RELEASE: (
        "https://www.justice.gov/ovw",
        "https://uscode.house.gov/view.xhtml?req=granuleid:USC-prelim-title34-section12291",
        {"text": "34 U.S.C. 12291(b)(2)"},
    ),
    ReleaseKind.AGENCY_RELEASE: (
        "https://www.socialworkers.org",
        "https://www.socialworkers.org/About/Ethics/Code-of-Ethics",
        {"text": "Agency release (NASW Code of Ethics 1.03, 1.07(b))"},
    ),
}
PURPOSE_REASON: dict[str, tuple[str, ...]] = {
    ReleasePurpose.TREATMENT: ("TREAT",),
    ReleasePurpose.PAYMENT: ("HPAYMT",),
    ReleasePurpose.CARE_COORDINATION: ("COC",),
    ReleasePurpose.CLIENT_DIRECTED: ("PATRQT",),
    ReleasePurpose.LITIGATION: ("HLEGAL",),
    ReleasePurpose.TPO: ("TREAT", "HPAYMT", "HOPERAT"),
}
SENSITIVITY: dict[str, str] = {
    Category.MENTAL_HEALTH: "MH",
    Category.PSYCHOTHERAPY_NOTES: "PSYTHPN",
    Category.SUBSTANCE_USE_PART2: "ETH",
    Category.SUD_COUNSELING_NOTES: "ETH",
    Category.HIV: "HIV",
    Category.DV_VICTIM_PII: "SDV",
}


def _day(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _period_end(detail: ReleaseDetail) -> str | None:
    ends = [
        d
        for d in (
            detail.on_file.expires_on,
            detail.expiry_event_on,
            timezone.localdate(detail.revoked_at) if detail.revoked_at else None,
        )
        if d is not None
    ]
    return _day(min(ends)) if ends else None


def _compact(value: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in value.items() if v not in (None, [], {})}


def _performer(detail: ReleaseDetail) -> dict[str, Any]:
    patient = f"Patient/{detail.on_file.client_id}"
    if detail.signer_is_representative:
        return {"type": "RelatedPerson", "display": "Personal representative of the client"}
    return {"reference": patient}


def _actors(detail: ReleaseDetail) -> list[dict[str, Any]]:
    def actor(code: str, display: str, who: str) -> dict[str, Any]:
        role = {"coding": [{"system": PARTICIPATION, "code": code, "display": display}]}
        return {"role": role, "reference": {"display": who}}

    actors = [actor("IRCP", "information recipient", detail.on_file.recipient_name)]
    if detail.discloser:
        actors.append(actor("CST", "custodian", detail.discloser))
    return actors


def _purposes(purpose: str) -> list[dict[str, str]]:
    codes = [{"system": ACT_REASON, "code": c} for c in PURPOSE_REASON.get(purpose, ())]
    label = ReleasePurpose(purpose).label
    return [*codes, {"system": OWN_PURPOSE, "code": purpose, "display": label}]


def _provision(detail: ReleaseDetail) -> dict[str, Any]:
    f = detail.on_file
    labels = sorted({SENSITIVITY[c] for c in f.categories if c in SENSITIVITY})
    return _compact(
        {
            "type": "permit",
            "period": _compact({"start": f.starts_on.isoformat(), "end": _period_end(detail)}),
            "actor": _actors(detail),
            "action": [{"coding": [{"system": CONSENT_ACTION, "code": "disclose"}]}],
            "securityLabel": [{"system": ACT_CODE, "code": code} for code in labels],
            "purpose": _purposes(f.purpose),
            "class": [
                {"system": OWN_CATEGORY, "code": c.value, "display": c.label} for c in f.categories
            ],
            "dataPeriod": _compact({"start": _day(f.records_from), "end": _day(f.records_to)}),
        }
    )


def consent_resource(detail: ReleaseDetail) -> dict[str, Any]:
    """The FHIR R4 Consent for one release (a JSON-ready dict)."""
    f = detail.on_file
    authority, uri, rule = POLICY[f.kind]
    moment = detail.signed_at or detail.created_at
    return {
        "resourceType": "Consent",
        "id": str(f.id),
        "identifier": [{"system": "urn:ietf:rfc:3986", "value": f"urn:uuid:{f.id}"}],
        "status": STATUS[f.status],
        "scope": {
            "coding": [
                {"system": CONSENT_SCOPE, "code": "patient-privacy", "display": "Privacy Consent"}
            ]
        },
        "category": [
            {
                "coding": [
                    {
                        "system": LOINC,
                        "code": "64292-6",
                        "display": "Release of information consent",
                    }
                ]
            },
            {
                "coding": [
                    {"system": ACT_CODE, "code": "IDSCL", "display": "information disclosure"}
                ]
            },
            {"coding": [{"system": OWN_KIND, "code": f.kind.value, "display": f.kind.label}]},
        ],
        "patient": {"reference": f"Patient/{f.client_id}"},
        "dateTime": moment.astimezone(dt.UTC).isoformat(),
        "performer": [_performer(detail)],
        "organization": [{"reference": f"Organization/{detail.agency_id}"}],
        "policy": [{"authority": authority, "uri": uri}],
        "policyRule": rule,
        "provision": _provision(detail),
    }
