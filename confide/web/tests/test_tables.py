"""Every data table in every template sits in its own labelled scroll box, so a table wider than a
phone's screen (375 px) scrolls inside the box and never the page (checked in a real browser at
375 px when the rule was made; this keeps new tables to it)."""

from __future__ import annotations

import re
from pathlib import Path

import confide

TEMPLATES = sorted(Path(confide.__file__).parent.glob("*/templates/**/*.html"))
BOX = re.compile(
    r'<div class="table-scroll" role="region" aria-label="[^"{}]+" tabindex="0">\s*<table\b'
)


def test_there_are_templates_with_tables() -> None:
    assert sum("<table" in path.read_text() for path in TEMPLATES) >= 20


def test_every_table_is_in_a_labelled_scroll_box() -> None:
    unboxed = [
        str(path.relative_to(Path(confide.__file__).parent))
        for path in TEMPLATES
        if path.read_text().count("<table") != len(BOX.findall(path.read_text()))
    ]
    assert unboxed == []


def test_the_check_finds_a_table_without_its_box() -> None:
    assert BOX.findall('<section><table class="table"></table></section>') == []
    boxed = '<div class="table-scroll" role="region" aria-label="Cases" tabindex="0">\n  <table>'
    assert len(BOX.findall(boxed)) == 1
