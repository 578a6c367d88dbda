"""The FHIR Consent export, validated with the `fhir.resources` models.

fhir.resources 8.3.0 ships FHIR R5 (its root package) and R4B (`fhir.resources.R4B`); no
release of it for pydantic 2 ships an R4 (4.0.1) package, and the last one that did (5.1.1)
needs pydantic 1. The Consent resource did not change between R4 and R4B, so the R4B model is
the R4 structure; a test below also checks the export against R4's own shape where R5 differs.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from uuid import UUID

import pytest
from fhir.resources.R4B.consent import Consent

from confide.releases import selectors, services
from confide.releases.enums import ReleaseKind
from confide.releases.fhir import STATUS, consent_resource
from confide.releases.lifecycle import today
from confide.releases.tests.support import complete, signature, signed
from confide.testing import World, actor, late_evening


def _export(world: World, release_id: UUID) -> dict[str, Any]:
    detail = selectors.release_get(
        actor=actor(world.worker_a), release_id=release_id, export="fhir"
    )
    return consent_resource(detail)


def _valid(resource: dict[str, Any]) -> Any:
    """The resource parsed by the R4B Consent model (raises on a structural error)."""
    return Consent.model_validate(json.loads(json.dumps(resource)))


@pytest.mark.parametrize("kind", ReleaseKind.values)
def test_each_kind_exports_a_valid_fhir_consent(world: World, kind: str) -> None:
    release = signed(actor(world.worker_a), world.client_a.id, complete(kind))
    resource = _export(world, release.id)
    parsed = _valid(resource)
    assert parsed.status == "active"
    assert parsed.patient.reference == f"Patient/{world.client_a.id}"
    assert parsed.scope.coding[0].code == "patient-privacy"
    assert parsed.policyRule is not None
    assert parsed.provision.type == "permit"
    assert parsed.provision.actor[0].reference.display == "Lakeside Family Clinic"


def test_the_legal_basis_is_the_policy_rule(world: World) -> None:
    me = actor(world.worker_a)
    rules = {}
    for kind in ReleaseKind.values:
        release = signed(me, world.client_a.id, complete(kind))
        rule = _export(world, release.id)["policyRule"]
        assert isinstance(rule, dict)
        rules[kind] = rule.get("coding", [{}])[0].get("code", rule["text"])
    assert rules == {
        "hipaa_authorization": "hipaa-auth",
        "psychotherapy_notes_authorization": "HIPAAPsyNotes",
        "part2_consent": "42CFRPart2",
        "vawa_release": "34 U.S.C. 12291(b)(2)",
        "agency_release": "Agency release (NASW Code of Ethics 1.03, 1.07(b))",
    }


def test_the_provision_carries_period_purpose_classes_and_data_range(world: World) -> None:
    data = complete(records_from=dt.date(2025, 1, 1), records_to=dt.date(2025, 6, 30))
    release = signed(actor(world.worker_a), world.client_a.id, data)
    provision = _valid(_export(world, release.id)).provision
    assert provision.period.start.isoformat() == today().isoformat()
    assert provision.period.end.isoformat() == str(data.expires_on)
    assert [p.code for p in provision.purpose] == ["COC", "care_coordination"]
    assert [c.code for c in provision.class_fhir] == ["general", "mental_health_general"]
    assert [s.code for s in provision.securityLabel] == ["MH"]
    assert (provision.dataPeriod.start.isoformat(), provision.dataPeriod.end.isoformat()) == (
        "2025-01-01",
        "2025-06-30",
    )


def test_a_draft_exports_as_draft_and_a_revoked_release_as_inactive(world: World) -> None:
    me = actor(world.worker_a)
    draft = services.release_create(actor=me, client_id=world.client_a.id, data=complete())
    assert _valid(_export(world, draft.id)).status == "draft"
    services.release_sign(actor=me, release_id=draft.id, signature=signature())
    services.release_revoke(actor=me, release_id=draft.id)
    revoked = _valid(_export(world, draft.id))
    assert revoked.status == "inactive"
    assert revoked.provision.period.end.isoformat() == today().isoformat()


def test_a_release_revoked_in_the_evening_ends_on_the_agencys_day(world: World) -> None:
    """21:30 in New York is already the next day in UTC; the consent ends on New York's day."""
    release = signed(actor(world.worker_a), world.client_a.id, complete())
    day = today()
    with late_evening(day):
        services.release_revoke(actor=actor(world.worker_a), release_id=release.id)
        revoked = _valid(_export(world, release.id))
    assert revoked.provision.period.end.isoformat() == day.isoformat()


def test_the_export_has_r4_shape_where_r5_differs(world: World) -> None:
    """R4 keeps `scope`, `patient`, `policyRule`, `provision.type`; R5 renamed or removed them."""
    release = signed(actor(world.worker_a), world.client_a.id, complete())
    resource = _export(world, release.id)
    assert {"scope", "patient", "policyRule", "dateTime", "organization"} <= set(resource)
    assert not {"subject", "decision", "grantor", "grantee", "regulatoryBasis"} & set(resource)


def test_the_export_names_no_client(world: World) -> None:
    release = signed(actor(world.worker_a), world.client_a.id, complete())
    text = json.dumps(_export(world, release.id))
    assert "Rosalind" not in text
    assert "Quenby" not in text


def test_a_representative_signer_is_the_performer(world: World) -> None:
    me = actor(world.worker_a)
    draft = services.release_create(actor=me, client_id=world.client_a.id, data=complete())
    services.release_sign(
        actor=me,
        release_id=draft.id,
        signature=signature(signer_is_representative=True, representative_authority="Guardian"),
    )
    performer = _valid(_export(world, draft.id)).performer[0]
    assert (performer.type, performer.reference) == ("RelatedPerson", None)


@pytest.mark.parametrize(
    ("key", "value"), [("dateTime", "yesterday"), ("scope", "privacy"), ("sneaky", 1)]
)
def test_the_validator_rejects_what_the_model_does_not_allow(
    world: World, key: str, value: object
) -> None:
    release = signed(actor(world.worker_a), world.client_a.id, complete())
    resource = {**_export(world, release.id), key: value}
    with pytest.raises(ValueError, match="validation error"):
        Consent.model_validate(resource)


# The model checks structure and types, not code bindings: the required bindings are checked here.
R4_CONSENT_STATE = {"draft", "proposed", "active", "rejected", "inactive", "entered-in-error"}


def test_statuses_and_provision_types_are_r4_codes(world: World) -> None:
    assert set(STATUS.values()) <= R4_CONSENT_STATE
    release = signed(actor(world.worker_a), world.client_a.id, complete())
    resource = _export(world, release.id)
    provision = resource["provision"]
    assert isinstance(provision, dict)
    assert (resource["status"], provision["type"]) == ("active", "permit")


# FHIR R4 (4.0.1) Consent, element by element: name -> (repeats, required). Read from the R4
# StructureDefinition as fhir.resources 5.1.1 (the last release whose root package is 4.0.1)
# generated it (`fhir/resources/consent.py`, `elementProperties`); docs/consent.md compares it
# with R4B.
R4_CONSENT = {
    "identifier": (True, False),
    "status": (False, True),
    "scope": (False, True),
    "category": (True, True),
    "patient": (False, False),
    "dateTime": (False, False),
    "performer": (True, False),
    "organization": (True, False),
    "sourceAttachment": (False, False),
    "sourceReference": (False, False),
    "policy": (True, False),
    "policyRule": (False, False),
    "verification": (True, False),
    "provision": (False, False),
}
R4_PROVISION = {
    "type": (False, False),
    "period": (False, False),
    "actor": (True, False),
    "action": (True, False),
    "securityLabel": (True, False),
    "purpose": (True, False),
    "class": (True, False),
    "code": (True, False),
    "dataPeriod": (False, False),
    "data": (True, False),
    "provision": (True, False),
}
R4_PROVISION_ACTOR = {"role": (False, True), "reference": (False, True)}
RESOURCE_BASE = {"resourceType", "id", "meta", "implicitRules", "language", "text"}


def _conforms(element: dict[str, Any], table: dict[str, tuple[bool, bool]], where: str) -> None:
    for name, value in element.items():
        if name in RESOURCE_BASE or name in ("extension", "modifierExtension"):
            continue
        assert name in table, f"{where}.{name} is not an R4 element"
        repeats, _ = table[name]
        assert isinstance(value, list) == repeats, f"{where}.{name} has the wrong cardinality"
    missing = [n for n, (_, required) in table.items() if required and n not in element]
    assert missing == [], f"{where} lacks R4's required {missing}"


@pytest.mark.parametrize("kind", list(ReleaseKind))
def test_every_kind_conforms_to_r4_consent_element_by_element(world: World, kind: str) -> None:
    release = signed(actor(world.worker_a), world.client_a.id, complete(kind))
    resource = _export(world, release.id)
    assert resource["resourceType"] == "Consent"
    _conforms(resource, R4_CONSENT, "Consent")
    _conforms(resource["provision"], R4_PROVISION, "Consent.provision")
    for actor_entry in resource["provision"]["actor"]:
        _conforms(actor_entry, R4_PROVISION_ACTOR, "Consent.provision.actor")
    assert resource["status"] in R4_CONSENT_STATE
    assert resource["provision"]["type"] in ("deny", "permit")


def test_the_r4b_model_has_exactly_r4s_consent_elements() -> None:
    """The model the tests validate with has the same elements as R4 Consent, so validating with
    it is validating the R4 structure (a change of R4B or of the package would fail here)."""
    from fhir.resources.R4B.backboneelement import BackboneElement
    from fhir.resources.R4B.consent import ConsentProvision, ConsentProvisionActor
    from fhir.resources.R4B.domainresource import DomainResource

    def elements(model: Any, base: Any) -> set[str]:
        own = set(model.model_fields) - set(base.model_fields)
        return {(model.model_fields[n].alias or n) for n in own if not n.endswith("__ext")}

    assert elements(Consent, DomainResource) == set(R4_CONSENT)
    assert elements(ConsentProvision, BackboneElement) == set(R4_PROVISION)
    assert elements(ConsentProvisionActor, BackboneElement) == set(R4_PROVISION_ACTOR)
