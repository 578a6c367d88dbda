"""The engine asks Cedar with the slice of the policy set for the request's action and resource
type. Over many random requests (every action the schema declares and one it does not, clients
and notes, random facts, some with an attribute missing so policies error), each slice gives
exactly the decision, deciding policy ids and errors of the whole set."""

from __future__ import annotations

import json
import random
import re
from typing import Any

import cedarpy
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from confide.access import engine

ACTIONS = sorted(
    {
        name
        for declaration in re.findall(r"action ((?:\"[^\"]+\",?\s*)+)", engine.SCHEMA_TEXT)
        for name in re.findall(r'"([^"]+)"', declaration)
    }
)
UNKNOWN_ACTION = "client:export"
AGENCIES, TEAMS, PROGRAMS = ["a1", "a2"], ["t1", "t2", "t3"], ["p1", "p2", "p3"]
USERS = ["me", "u1", "u2"]
ROLES = ["practitioner", "supervisor", "intake", "privacy_officer", "admin"]
LABELS = ["psychotherapy", "part2_sud", "hiv", "dv_location", "minor_consented"]
POLICY_IDS = re.findall(r'@id\("([^"]+)"\)', engine.POLICY_TEXT)


def _refs(kind: str, ids: list[str]) -> list[dict[str, dict[str, str]]]:
    return [engine.uid(kind, i) for i in ids]


def _subset(pool: list[str]) -> st.SearchStrategy[list[str]]:
    return st.lists(st.sampled_from(pool), unique=True, max_size=len(pool))


@st.composite
def principals(draw: st.DrawFn) -> dict[str, object]:
    return {
        "uid": {"type": "Confide::User", "id": "me"},
        "attrs": {
            "agency": engine.uid("Agency", draw(st.sampled_from(AGENCIES))),
            "role": draw(st.sampled_from(ROLES)),
            "teams": _refs("Team", draw(_subset(TEAMS))),
            "programs": _refs("Program", draw(_subset(PROGRAMS))),
            "part2_programs": _refs("Program", draw(_subset(PROGRAMS))),
            "supervisees": _refs("User", draw(_subset(USERS[1:]))),
            "supervisee_teams": _refs("Team", draw(_subset(TEAMS))),
            "training_current": draw(st.booleans()),
            "dv_designated": draw(st.booleans()),
            "hiv_designated": draw(st.booleans()),
        },
        "parents": [],
    }


@st.composite
def resources(draw: st.DrawFn) -> dict[str, object]:
    kind = draw(st.sampled_from(["Client", "Note"]))
    attrs: dict[str, object] = {
        "assigned": _refs("User", draw(_subset(USERS))),
        "walled": _refs("User", draw(_subset(USERS))),
        "excluded_staff": _refs("User", draw(_subset(USERS))),
        "excluded_programs": _refs("Program", draw(_subset(PROGRAMS))),
        "labels": draw(_subset(LABELS)),
    }
    if kind == "Note":
        attrs |= {
            "program": engine.uid("Program", draw(st.sampled_from(PROGRAMS))),
            "author": engine.uid("User", draw(st.sampled_from(USERS))),
            "author_is_trainee": draw(st.booleans()),
            "agency_hiv_restricted": draw(st.booleans()),
            "client_labels": draw(_subset(LABELS)),
        }
    if draw(st.integers(0, 9)) == 0:  # a fact missing: the policies reading it error
        del attrs[draw(st.sampled_from(sorted(attrs)))]
    parents = [{"type": "Confide::Agency", "id": draw(st.sampled_from(AGENCIES))}]
    parents += [{"type": "Confide::Team", "id": t} for t in draw(_subset(TEAMS))]
    return {"uid": {"type": f"Confide::{kind}", "id": "r"}, "attrs": attrs, "parents": parents}


def _answer(result: cedarpy.AuthzResult) -> tuple[bool, list[str], int]:
    names = result.diagnostics.id_annotations_by_reason
    ids = sorted(names[reason] for reason in result.diagnostics.reasons)
    return result.allowed, ids, len(result.diagnostics.errors)


def test_the_schema_declares_the_actions_the_slices_are_checked_on() -> None:
    assert len(ACTIONS) >= 20
    assert {"client:view", "note:view", "retention:hold"} <= set(ACTIONS)
    assert UNKNOWN_ACTION not in ACTIONS


def test_every_policy_is_in_the_slices_its_scope_can_match_and_no_other() -> None:
    whole = engine.POLICIES.to_pst().static_policies
    for action in [*ACTIONS, UNKNOWN_ACTION]:
        for kind in ("Confide::Client", "Confide::Note", "Confide::Other"):
            kept = engine.policies_for(action, kind).to_pst().static_policies
            assert set(kept) <= set(whole)
            for pid, policy in whole.items():
                text = str(policy.action)
                for_action = (
                    isinstance(policy.action, cedarpy.pst.ScopeAny) or f"'{action}'" in text
                )
                for_kind = not isinstance(policy.resource, cedarpy.pst.ScopeIs) or (
                    str(policy.resource.entity_type) == kind
                )
                assert (pid in kept) == (for_action and for_kind), (action, kind, pid)
                if pid in kept:
                    assert kept[pid] == policy  # the very policy, annotations included


def test_a_slice_of_client_view_leaves_out_note_rules_and_other_actions() -> None:
    kept = engine.policies_for("client:view", "Confide::Client").to_pst().static_policies
    ids = {p.annotations["id"] for p in kept.values()}
    assert "conflict.wall" in ids
    assert "care_team.practitioner" in ids
    assert "label.psychotherapy.author_only" not in ids  # notes only
    assert "note.sign.author_only" not in ids  # another action
    assert len(ids) < len(POLICY_IDS)


@settings(max_examples=400, deadline=None)
@given(
    principal=principals(),
    resource=resources(),
    action=st.sampled_from([*ACTIONS, UNKNOWN_ACTION]),
    break_glass=st.booleans(),
    review_purpose=st.booleans(),
    audience=st.sampled_from(["staff", "guardian"]),
)
def test_each_slice_decides_exactly_as_the_whole_policy_set(
    principal: dict[str, object],
    resource: dict[str, object],
    action: str,
    break_glass: bool,
    review_purpose: bool,
    audience: str,
) -> None:
    entities = cedarpy.Entities.from_json_str(json.dumps([principal, resource]))
    kind = resource["uid"]["type"]  # type: ignore[index]
    context = engine.context_text(break_glass, review_purpose, audience)
    request = {
        "principal": {"type": "Confide::User", "id": "me"},
        "action": {"type": "Confide::Action", "id": action},
        "resource": resource["uid"],
        **({"context": context} if context else {}),
    }
    whole = cedarpy.is_authorized(request, engine.POLICIES, entities)
    sliced = cedarpy.is_authorized(request, engine.policies_for(action, kind), entities)
    assert _answer(sliced) == _answer(whole)
    role = str(principal["attrs"]["role"])  # type: ignore[index]
    guarded = engine.policies_for(action, kind, role, context)
    assert _answer(cedarpy.is_authorized(request, guarded, entities)) == _answer(whole)


def _ids(policies: cedarpy.PolicySet) -> set[str]:
    return {p.annotations["id"] for p in policies.to_pst().static_policies.values()}


def test_guards_leave_out_other_roles_rules_and_grant_rules_without_a_grant() -> None:
    usual = engine.context_text(False, False, "staff")
    assert usual == ""  # the usual request carries no context at all
    practitioner = _ids(
        engine.policies_for("client:view", "Confide::Client", "practitioner", usual)
    )
    assert practitioner == {
        "care_team.practitioner",
        "agency.boundary",
        "conflict.wall",
        "restriction.staff",
        "restriction.program",
    }
    emergency = engine.context_text(True, False, "staff")
    with_grant = _ids(
        engine.policies_for("client:view", "Confide::Client", "practitioner", emergency)
    )
    assert with_grant == practitioner | {"break_glass.emergency"}
    guardian = engine.context_text(False, False, "guardian")
    for_guardian = _ids(
        engine.policies_for("client:view", "Confide::Client", "practitioner", guardian)
    )
    assert for_guardian == practitioner | {"label.minor_consented.guardian"}
    review = engine.context_text(False, True, "staff")
    officer = _ids(engine.policies_for("client:view", "Confide::Client", "privacy_officer", review))
    assert "privacy.review_purpose" in officer
    assert "care_team.practitioner" not in officer


def test_a_guard_the_role_and_context_cannot_decide_keeps_the_policy() -> None:
    policy = cedarpy.PolicySet.from_str(
        '@id("p") permit (principal, action, resource) '
        'when { resource.flag || principal.role == "intake" };'
    ).to_pst()
    (template,) = policy.static_policies.values()
    assert engine.can_apply(template, "practitioner", frozenset())
    unless = cedarpy.PolicySet.from_str(
        '@id("u") forbid (principal, action, resource) unless { principal.role == "admin" };'
    ).to_pst()
    (template,) = unless.static_policies.values()
    assert not engine.can_apply(template, "admin", frozenset())  # `unless true`: never forbids
    assert engine.can_apply(template, "practitioner", frozenset())


def test_every_action_type_role_and_context_decides_as_the_whole_set() -> None:
    """Every key the guards can see, each with a few seeded random principals and resources (the
    property test above samples keys; this one visits them all)."""
    rng = random.Random(20261124)
    contexts = {
        engine.context_text(b, r, a)
        for b in (False, True)
        for r in (False, True)
        for a in ("staff", "guardian")
    }
    for action in [*ACTIONS, UNKNOWN_ACTION]:
        for kind in ("Client", "Note"):
            for role in ROLES:
                for context in sorted(contexts):
                    for _ in range(2):
                        principal = _random_principal(rng, role)
                        resource = _random_resource(rng, kind)
                        entities = cedarpy.Entities.from_json_str(json.dumps([principal, resource]))
                        request = {
                            "principal": {"type": "Confide::User", "id": "me"},
                            "action": {"type": "Confide::Action", "id": action},
                            "resource": resource["uid"],
                            **({"context": context} if context else {}),
                        }
                        guarded = engine.policies_for(action, f"Confide::{kind}", role, context)
                        whole = cedarpy.is_authorized(request, engine.POLICIES, entities)
                        pruned = cedarpy.is_authorized(request, guarded, entities)
                        assert _answer(pruned) == _answer(whole), (action, kind, role, context)


def _pick(rng: random.Random, pool: list[str]) -> list[str]:
    return [item for item in pool if rng.random() < 0.4]


def _random_principal(rng: random.Random, role: str) -> dict[str, Any]:
    return {
        "uid": {"type": "Confide::User", "id": "me"},
        "attrs": {
            "agency": engine.uid("Agency", rng.choice(AGENCIES)),
            "role": role,
            "teams": _refs("Team", _pick(rng, TEAMS)),
            "programs": _refs("Program", _pick(rng, PROGRAMS)),
            "part2_programs": _refs("Program", _pick(rng, PROGRAMS)),
            "supervisees": _refs("User", _pick(rng, USERS[1:])),
            "supervisee_teams": _refs("Team", _pick(rng, TEAMS)),
            "training_current": rng.random() < 0.5,
            "dv_designated": rng.random() < 0.5,
            "hiv_designated": rng.random() < 0.5,
        },
        "parents": [],
    }


def _random_resource(rng: random.Random, kind: str) -> dict[str, Any]:
    attrs: dict[str, Any] = {
        "assigned": _refs("User", _pick(rng, USERS)),
        "walled": _refs("User", _pick(rng, USERS)),
        "excluded_staff": _refs("User", _pick(rng, USERS)),
        "excluded_programs": _refs("Program", _pick(rng, PROGRAMS)),
        "labels": _pick(rng, LABELS),
    }
    if kind == "Note":
        attrs |= {
            "program": engine.uid("Program", rng.choice(PROGRAMS)),
            "author": engine.uid("User", rng.choice(USERS)),
            "author_is_trainee": rng.random() < 0.5,
            "agency_hiv_restricted": rng.random() < 0.5,
            "client_labels": _pick(rng, LABELS),
        }
    if rng.random() < 0.1:  # a fact missing: the policies reading it error
        del attrs[rng.choice(sorted(attrs))]
    parents = [{"type": "Confide::Agency", "id": rng.choice(AGENCIES)}]
    parents += [{"type": "Confide::Team", "id": t} for t in _pick(rng, TEAMS)]
    return {"uid": {"type": f"Confide::{kind}", "id": "r"}, "attrs": attrs, "parents": parents}


def test_a_principal_whose_role_or_id_is_not_its_texts_is_refused() -> None:
    def text(uid: str, attrs: str) -> str:
        return f'[{{"uid":{{"type":"Confide::User","id":"{uid}"}},"attrs":{attrs},"parents":[]}}]'

    with pytest.raises(ValueError, match="role"):
        engine.Principal("me", text("me", "{}"), "practitioner")  # no role in the text at all
    with pytest.raises(ValueError, match="role"):
        engine.Principal("me", text("me", '{"role":"intake"}'), "admin")
    with pytest.raises(ValueError, match="id"):
        engine.Principal("me", text("someone-else", '{"role":"intake"}'), "intake")
    with pytest.raises(ValueError, match="uid first"):
        engine.Principal("me", '[{"attrs":{"role":"intake"}}]', "intake")
    engine.Principal("me", text("me", '{"role":"intake"}'), "intake")
