"""The rule catalogue as Markdown, for docs/disclosure-engine.md.

Owns rendering `RULEBOOK` grouped by regime. Run `python -m confide.disclosures.engine.catalogue`
and paste the output under "Rule catalogue" whenever rules change.
"""

from __future__ import annotations

import sys

from . import evaluate as _registers_every_rule  # noqa: F401 - importing defines the rules
from .decision import RULEBOOK

REGIMES = (
    ("hipaa", "HIPAA Privacy Rule"),
    ("part2", "42 CFR Part 2"),
    ("ferpa", "FERPA"),
    ("vawa", "VAWA / FVPSA / VOCA"),
    ("noncovered", "Agencies HIPAA does not cover"),
    ("state", "State overlay"),
    ("nasw", "NASW Code overlay"),
    ("engine", "Engine policy"),
)


def render() -> str:
    parts: list[str] = []
    for regime, name in REGIMES:
        rules = sorted((r for r in RULEBOOK.values() if r.regime == regime), key=lambda r: r.id)
        parts.append(f"### {name} ({len(rules)})\n\n| rule id | says | cites |\n|---|---|---|")
        parts.extend(f"| `{r.id}` | {r.title} | {'; '.join(r.citations)} |" for r in rules)
        parts.append("")
    return "\n".join(parts)


if __name__ == "__main__":
    sys.stdout.write(render())
