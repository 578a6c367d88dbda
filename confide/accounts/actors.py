"""Building the Actor the access policy and ledger see from a signed-in user.

Everything the Actor holds besides the user row (teams and their programs, supervisees and their
teams, current training, the agency's HIV setting) comes from one statement, in plain SQL: it
runs on every request, and building it through the ORM cost several times its execution
(docs/decisions/0011). On the web that statement is a column of the query that loads the
request's user (`accounts.backends.StaffBackend`), so the actor costs no round trip of its own;
anywhere else (`actor_for` on a user loaded another way) it is its own query. Either way it is
read fresh for each request and nothing of it is kept past the request.
"""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from django.db import connection
from django.db.models import UUIDField

from confide.accounts.models import Agency, Program, Team, User
from confide.core import clock
from confide.core.actor import Actor
from confide.core.enums import Role

# Which part of the query a row comes from: (part, id, related id, flag).
TEAM, SUPERVISEE, TRAINING, AGENCY = "team", "supervisee", "training", "agency"
Row = tuple[str, UUID | None, UUID | None, bool]

# The attribute under which `StaffBackend` leaves a loaded user's rows (for this request only).
FACTS_ATTRIBUTE = "_confide_actor_rows"


def _uuid(value: Any) -> UUID | None:
    """A UUID column as read back (SQLite stores UUIDs as hex text)."""
    return value if value is None or isinstance(value, UUID) else UUID(str(value))


def _union_sql() -> str:
    from confide.training.models import TrainingCompletion

    team, program, agency = Team._meta.db_table, Program._meta.db_table, Agency._meta.db_table
    user, member = User._meta.db_table, User.teams.through._meta.db_table
    training = TrainingCompletion._meta.db_table
    # Only table names (from the models) are formatted in; every value is a bound parameter.
    return " UNION ALL ".join(
        [
            f"SELECT '{TEAM}' AS part, t.id AS a, t.program_id AS b, p.is_part2 AS flag"  # noqa: S608
            f" FROM {team} t JOIN {member} m ON m.team_id = t.id"
            f" JOIN {program} p ON p.id = t.program_id WHERE m.user_id = %s",
            f"SELECT '{SUPERVISEE}', u.id, m.team_id, NULL FROM {user} u"  # noqa: S608
            f" LEFT JOIN {member} m ON m.user_id = u.id"
            " WHERE u.supervisor_id = %s AND u.is_active = %s",
            f"SELECT '{TRAINING}', id, NULL, NULL FROM {training}"  # noqa: S608
            " WHERE user_id = %s AND expires_on >= %s",
            f"SELECT '{AGENCY}', a.id, NULL, a.hiv_restricted FROM {agency} a"  # noqa: S608
            f" JOIN {user} s ON s.agency_id = a.id WHERE s.id = %s",
        ]
    )


def _params(user_id: UUID) -> list[Any]:
    me = UUIDField().get_db_prep_value(user_id, connection)
    today = connection.ops.adapt_datefield_value(clock.today())
    return [me, me, True, me, today, me]


def facts_subquery(user_id: UUID) -> tuple[str, list[Any]]:
    """A scalar subquery and its parameters returning the actor's rows of `user_id` as one JSON
    array of [part, id, related id, flag]: a column of the query that loads the user."""
    if connection.vendor == "postgresql":
        aggregate = "COALESCE(json_agg(json_build_array(f.part, f.a, f.b, f.flag)), '[]')::text"
    else:
        aggregate = "json_group_array(json_array(f.part, f.a, f.b, f.flag))"
    return f"SELECT {aggregate} FROM ({_union_sql()}) f", _params(user_id)  # noqa: S608


def _row(part: Any, a: Any, b: Any, flag: Any) -> Row:
    """One row as the database returned it, typed (SQLite returns booleans as 1/0)."""
    return (str(part), _uuid(a), _uuid(b), bool(flag))


def rows_from_json(text: str | None) -> list[Row]:
    """The rows of `facts_subquery`'s JSON array."""
    return [_row(*row) for row in json.loads(text or "[]")]


def _rows(user: User) -> list[Row]:
    with connection.cursor() as cursor:
        cursor.execute(_union_sql(), _params(user.id))
        rows = cursor.fetchall()
    return [_row(*row) for row in rows]


def actor_for(user: User, *, channel: str, mfa_verified: bool) -> Actor:
    """The Actor of `user` now: from the rows loaded with the user in this request when the
    authentication backend loaded it, else from one query."""
    preloaded: list[Row] | None = getattr(user, FACTS_ATTRIBUTE, None)
    rows = preloaded if preloaded is not None else _rows(user)
    teams = [(i, program, part2) for part, i, program, part2 in rows if part == TEAM]
    supervisees = [(i, team) for part, i, team, _ in rows if part == SUPERVISEE]
    return Actor(
        user_id=user.id,
        agency_id=user.agency_id,
        role=Role(user.role),
        team_ids=frozenset(t[0] for t in teams if t[0] is not None),
        channel=channel,
        mfa_verified=mfa_verified,
        program_ids=frozenset(t[1] for t in teams if t[1] is not None),
        part2_program_ids=frozenset(t[1] for t in teams if t[1] is not None and t[2]),
        supervisee_ids=frozenset(s[0] for s in supervisees if s[0] is not None),
        supervisee_team_ids=frozenset(s[1] for s in supervisees if s[1] is not None),
        training_current=any(part == TRAINING for part, *_ in rows),
        dv_designated=user.dv_designated,
        hiv_designated=user.hiv_designated,
        agency_hiv_restricted=any(part == AGENCY and flag for part, _, _, flag in rows),
    )
