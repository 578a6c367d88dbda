#!/usr/bin/env bash
# The test suite on SQLite and, when CONFIDE_TEST_DATABASE_URL is set, on PostgreSQL, the two
# side by side (`make test`; `make pytest-sqlite` or `make pytest-postgres` runs one alone).
#
# The SQLite run prints its progress here; the PostgreSQL run writes to
# test-artifacts/pytest-postgres.log, which is printed in full when it ends. The script fails
# when either run fails. PYTEST (default .venv/bin/pytest) and MAKE are taken from the caller.
set -uo pipefail
cd "$(dirname "$0")/.."
MAKE="${MAKE:-make}"
PYTEST="${PYTEST:-.venv/bin/pytest}"
mkdir -p test-artifacts
log=test-artifacts/pytest-postgres.log

pg_pid=""
if [ -n "${CONFIDE_TEST_DATABASE_URL:-}" ]; then
  echo "== pytest on PostgreSQL started alongside; its output goes to $log"
  "$MAKE" --no-print-directory pytest-postgres >"$log" 2>&1 &
  pg_pid=$!
else
  echo "== CONFIDE_TEST_DATABASE_URL not set: PostgreSQL run skipped"
fi

echo "== pytest on SQLite"
"$PYTEST" -q --durations=15
sqlite_rc=$?

pg_rc=0
if [ -n "$pg_pid" ]; then
  if kill -0 "$pg_pid" 2>/dev/null; then
    echo "== SQLite run ended (exit $sqlite_rc); waiting for the PostgreSQL run"
  fi
  wait "$pg_pid"
  pg_rc=$?
  echo "== PostgreSQL run's output ($log)"
  cat "$log"
  echo "== PostgreSQL run ended (exit $pg_rc)"
fi

echo "== SQLite exit $sqlite_rc, PostgreSQL exit $pg_rc"
[ "$sqlite_rc" -eq 0 ] && [ "$pg_rc" -eq 0 ]
