"""`confide disclosure evaluate` through the real console script, as outside checks call it."""

from __future__ import annotations

import io
import json
import os
import subprocess
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from confide.disclosures.engine import cli
from confide.disclosures.engine.cli import evaluate_main, run

from .factories import CONFIDE, SERIOUS_IMMINENT_THREAT, raw

pytestmark = pytest.mark.skipif(
    not CONFIDE.exists(), reason=f"{CONFIDE} is not installed (pip install -e . in the venv)"
)


def _line(line_id: str, **overrides: object) -> str:
    return json.dumps({"id": line_id, "facts": raw(**overrides)})


def _confide(
    *args: str, stdin: str = "", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(CONFIDE), "disclosure", "evaluate", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=None if env is None else {**os.environ, **env},
    )


def test_cli_evaluates_stdin_in_order_and_echoes_ids() -> None:
    lines = [_line("A"), _line("B", recipient_type="media", purpose="media_inquiry"), _line("C")]
    result = _confide("-", stdin="\n".join(lines) + "\n")
    assert result.returncode == 0, result.stderr
    out = [json.loads(x) for x in result.stdout.splitlines()]
    assert [o["id"] for o in out] == ["A", "B", "C"]
    assert [o["outcome"] for o in out] == ["permitted", "prohibited", "permitted"]
    assert set(out[0]) == {
        "id",
        "outcome",
        "conditions",
        "citations",
        "rationale",
        "rules",
        "missing_facts",
    }


def test_cli_reads_a_file_argument(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text(_line("F1") + "\n", encoding="utf-8")
    result = _confide(str(path))
    assert result.returncode == 0
    assert json.loads(result.stdout)["id"] == "F1"


def test_cli_exits_2_on_an_invalid_line_but_evaluates_the_others() -> None:
    lines = [_line("ok1"), _line("bad", recipient_type="polise"), "{not json", _line("ok2")]
    result = _confide(stdin="\n".join(lines))
    assert result.returncode == 2
    out = [json.loads(x) for x in result.stdout.splitlines()]
    assert len(out) == 4
    assert out[1] == {"id": "bad", "error": "facts.recipient_type: unknown value 'polise'"}
    assert out[2]["id"] is None
    assert out[2]["error"].startswith("invalid JSON")
    assert out[3]["outcome"] == "permitted"
    assert "facts.recipient_type" in result.stderr


def test_cli_exits_2_for_a_missing_file(tmp_path: Path) -> None:
    result = _confide(str(tmp_path / "nope.jsonl"))
    assert result.returncode == 2
    assert "cannot read" in result.stderr


def test_cli_does_not_import_django() -> None:
    code = (
        "import sys; from confide.cli import main; import io;"
        "sys.stdin = io.TextIOWrapper(io.BytesIO(b'')); main(['disclosure', 'evaluate', '-']);"
        "assert 'django' not in sys.modules, 'django imported'"
    )
    python = CONFIDE.parent / "python"
    result = subprocess.run(
        [str(python), "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr


def _run(data: bytes) -> tuple[int, list[dict[str, object]]]:
    out = io.StringIO()
    status = run(io.BytesIO(data), out, io.StringIO(), date(2026, 6, 1))
    return status, [json.loads(x) for x in out.getvalue().splitlines()]


def test_blank_lines_are_skipped_and_do_not_fail_the_run() -> None:
    status, out = _run(("\n" + _line("A") + "\n   \n\n" + _line("B") + "\n\n").encode())
    assert status == 0
    assert [o["id"] for o in out] == ["A", "B"]


def test_a_byte_order_mark_and_crlf_endings_are_tolerated() -> None:
    status, out = _run(("\ufeff" + _line("A") + "\r\n" + _line("B") + "\r\n").encode())
    assert status == 0
    assert [o["id"] for o in out] == ["A", "B"]


def test_invalid_utf8_is_an_error_line() -> None:
    status, out = _run(b"\xff\xfe\n" + _line("B").encode())
    assert status == 2
    assert out[0]["error"] == "invalid UTF-8 at byte 0"
    assert out[1]["id"] == "B"


def test_a_line_without_an_id_gets_a_null_id() -> None:
    status, out = _run(json.dumps({"facts": raw()}).encode())
    assert status == 0
    assert out[0]["id"] is None


# Florida's duty to tell the police of a serious threat is in force from 2019-07-01 (the state
# table's row); this instant is 22:30 on 30 June in New York and already 1 July in UTC.
FLORIDA_THREAT = {
    "jurisdiction_state": "FL",
    "recipient_type": "law_enforcement",
    "purpose": "prevent_serious_threat",
    "threat": SERIOUS_IMMINENT_THREAT,
}
EVENING_BEFORE_FLORIDAS_DUTY = datetime(2019, 7, 1, 2, 30, tzinfo=UTC)


def _outcome_on_the_evening_before(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str], zone: str
) -> str:
    monkeypatch.setenv("CONFIDE_TIME_ZONE", zone)
    monkeypatch.setattr(cli, "_now", lambda: EVENING_BEFORE_FLORIDAS_DUTY)
    path = tmp_path / "in.jsonl"
    path.write_text(_line("FL", **FLORIDA_THREAT) + "\n", encoding="utf-8")
    assert evaluate_main(str(path)) == 0
    outcome: str = json.loads(capsys.readouterr().out)["outcome"]
    return outcome


def test_the_command_judges_by_the_agencys_date_not_the_servers_or_utcs(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """In New York it is still 30 June, before the duty: the law then permitted the warning."""
    new_york = _outcome_on_the_evening_before(monkeypatch, tmp_path, capsys, "America/New_York")
    assert new_york == "permitted_with_conditions"
    utc = _outcome_on_the_evening_before(monkeypatch, tmp_path, capsys, "UTC")
    assert utc == "required"


def test_the_agencys_date_defaults_to_new_york(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("CONFIDE_TIME_ZONE", raising=False)
    monkeypatch.setattr(cli, "_now", lambda: EVENING_BEFORE_FLORIDAS_DUTY)
    assert cli.agency_today() == date(2019, 6, 30)
    monkeypatch.setenv("CONFIDE_TIME_ZONE", "Asia/Tokyo")
    assert cli.agency_today() == date(2019, 7, 1)


@pytest.mark.parametrize("zone", ["Mars/Olympus_Mons", "../../etc/passwd", ""])
def test_an_unknown_time_zone_is_reported_and_nothing_is_evaluated(zone: str) -> None:
    result = _confide("-", stdin=_line("A") + "\n", env={"CONFIDE_TIME_ZONE": zone})
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == f"confide: CONFIDE_TIME_ZONE: unknown time zone {zone!r}\n"
