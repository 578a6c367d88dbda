"""Building the Actor the access policy and ledger see from a signed-in user.

Everything the Actor holds besides the user row (teams and their programs, supervisees and their
teams, current training, the agency's HIV setting) comes in one query per request, in plain SQL:
it runs on every request, and building it through the ORM cost several times its execution
(docs/decisions/0011). Nothing of it is kept past the request.
"""

from __future__ import annotations

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


def _uuid(value: Any) -> UUID | None:
    """A UUID column as read back (SQLite stores UUIDs as hex text)."""
    return value if value is None or isinstance(value, UUID) else UUID(str(value))


def _sql() -> str:
    from confide.training.models import TrainingCompletion

    team, program, agency = Team._meta.db_table, Program._meta.db_table, Agency._meta.db_table
    user, member = User._meta.db_table, User.teams.through._meta.db_table
    training = TrainingCompletion._meta.db_table
    # Only table names (from the models) are formatted in; every value is a bound parameter.
    return " UNION ALL ".join(
        [
            f"SELECT '{TEAM}', t.id, t.program_id, p.is_part2 FROM {team} t"  # noqa: S608
            f" JOIN {member} m ON m.team_id = t.id JOIN {program} p ON p.id = t.program_id"
            " WHERE m.user_id = %s",
            f"SELECT '{SUPERVISEE}', u.id, m.team_id, NULL FROM {user} u"  # noqa: S608
            f" LEFT JOIN {member} m ON m.user_id = u.id"
            " WHERE u.supervisor_id = %s AND u.is_active = %s",
            f"SELECT '{TRAINING}', id, NULL, NULL FROM {training}"  # noqa: S608
            " WHERE user_id = %s AND expires_on >= %s",
            f"SELECT '{AGENCY}', id, NULL, hiv_restricted FROM {agency} WHERE id = %s",  # noqa: S608
        ]
    )


def _rows(user: User) -> list[tuple[str, UUID | None, UUID | None, bool]]:
    def db(value: UUID) -> Any:
        return UUIDField().get_db_prep_value(value, connection)

    me = db(user.id)
    today = connection.ops.adapt_datefield_value(clock.today())
    with connection.cursor() as cursor:
        cursor.execute(_sql(), [me, me, True, me, today, db(user.agency_id)])
        rows = cursor.fetchall()
    return [(part, _uuid(a), _uuid(b), bool(flag)) for part, a, b, flag in rows]


def actor_for(user: User, *, channel: str, mfa_verified: bool) -> Actor:
    rows = _rows(user)
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
