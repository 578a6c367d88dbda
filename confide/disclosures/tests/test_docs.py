"""The engine's documentation lists every rule exactly as the catalogue renders it."""

from __future__ import annotations

import pytest

from confide.disclosures.engine.catalogue import render

from .factories import REPO_ROOT

DOC = REPO_ROOT / "docs" / "disclosure-engine.md"


@pytest.mark.skipif(not DOC.exists(), reason=f"{DOC} not found")
def test_the_rule_catalogue_in_the_docs_is_current() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert render().strip() in text, "run python -m confide.disclosures.engine.catalogue"
