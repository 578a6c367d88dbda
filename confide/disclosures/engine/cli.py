"""`confide disclosure evaluate [FILE]`: JSON Lines in, one JSON decision line out per line.

Owns the command's input/output contract (shared/spec/disclosure-evaluate.md): read FILE or
standard input ("-"), write one output line per input line in order, echo each line's `id`,
report an invalid line as `{"id": ..., "error": "field: problem"}` and go on, and exit 0 when
every line was evaluated or 2 when any line was invalid (or the file cannot be read).

Blank lines (empty or whitespace only) carry no object: they are skipped, produce no output
line and do not change the exit status, so a trailing blank line is harmless.

Every line is judged on the agency's date, the date where the agency is (CONFIDE_TIME_ZONE,
read by `config.env` as the Django settings read it), not the server's: the state-law rows in
force change on a calendar day. Never imports Django, so it cannot ask `confide.core.clock`;
an unknown time zone is reported and nothing is evaluated (exit 2).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime
from typing import BinaryIO, TextIO

from config.env import ConfigError, agency_time_zone

from .evaluate import evaluate
from .parse import parse_line

EXIT_OK = 0
EXIT_INVALID = 2


def _decode(raw: bytes, first: bool) -> str:
    text = raw.decode("utf-8")
    if first and text.startswith("\ufeff"):
        text = text[1:]
    return text.rstrip("\r\n")


def evaluate_lines(
    raw_lines: Iterable[bytes], as_of: date
) -> Iterator[tuple[dict[str, object], bool]]:
    """Yield (output object, ok) for each non-blank input line, in order."""
    for number, raw in enumerate(raw_lines):
        try:
            text = _decode(raw, number == 0)
        except UnicodeDecodeError as exc:
            yield {"id": None, "error": f"invalid UTF-8 at byte {exc.start}"}, False
            continue
        if not text.strip():
            continue
        parsed = parse_line(text)
        if parsed.facts is None:
            yield {"id": parsed.id, "error": parsed.error}, False
            continue
        yield evaluate(parsed.facts, as_of).as_json(parsed.id), True


def _now() -> datetime:
    return datetime.now(UTC)


def agency_today() -> date:
    """Today's date where the agency is (what `confide.core.clock.today()` gives with Django).
    Raises ConfigError for an unknown CONFIDE_TIME_ZONE."""
    return _now().astimezone(agency_time_zone()).date()


def run(source: BinaryIO, out: TextIO, err: TextIO, as_of: date) -> int:
    """Evaluate every line of `source` into `out` with the law in force on `as_of`; problems
    are also summarized on `err`."""
    status = EXIT_OK
    for index, (obj, ok) in enumerate(evaluate_lines(source, as_of), start=1):
        out.write(json.dumps(obj) + "\n")
        if not ok:
            status = EXIT_INVALID
            err.write(f"confide: output line {index}: {obj['error']}\n")
    out.flush()
    return status


def evaluate_main(path: str) -> int:
    """Entry point used by `confide.cli`: FILE, or standard input when `path` is "-", judged
    on the agency's date."""
    try:
        today = agency_today()
    except ConfigError as exc:
        sys.stderr.write(f"confide: {exc}\n")
        return EXIT_INVALID
    if path == "-":
        return run(sys.stdin.buffer, sys.stdout, sys.stderr, today)
    try:
        with open(path, "rb") as handle:
            return run(handle, sys.stdout, sys.stderr, today)
    except OSError as exc:
        sys.stderr.write(f"confide: cannot read {path}: {exc.strerror}\n")
        return EXIT_INVALID
