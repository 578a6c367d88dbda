"""The disclosure decision engine: a pure function from the facts of a proposed disclosure to a
decision (outcome, conditions, citations, rationale, rule ids, missing facts).

Owns nothing itself; it re-exports the public API. Federal law and ethics are code in `rules/`,
state parameters are data in `data/` (read by `states.py`), input validation is `parse.py`,
the combination policy is `evaluate.py`, and the command line is `cli.py`. Never imports Django.
"""

from .decision import RULEBOOK, Decision, Outcome
from .evaluate import evaluate
from .facts import Facts
from .parse import FactsError, parse_facts, parse_line

__all__ = [
    "RULEBOOK",
    "Decision",
    "Facts",
    "FactsError",
    "Outcome",
    "evaluate",
    "parse_facts",
    "parse_line",
]
