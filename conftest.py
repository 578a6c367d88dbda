"""Fixtures for every test: the two-agency world of personas (imported lazily, so tests that
need no Django, such as the disclosure engine's, run without it)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from confide.testing import World


@pytest.fixture
def world(db: None) -> World:
    from confide.testing import build_world

    return build_world()
