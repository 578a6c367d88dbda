"""Building the Actor the access policy and ledger see from a signed-in user."""

from __future__ import annotations

from confide.accounts.models import Team, User
from confide.core import clock
from confide.core.actor import Actor
from confide.core.enums import Role


def _training_current(user: User) -> bool:
    from confide.training.models import TrainingCompletion

    today = clock.today()
    return TrainingCompletion.objects.filter(user=user, expires_on__gte=today).exists()


def actor_for(user: User, *, channel: str, mfa_verified: bool) -> Actor:
    teams = list(
        Team.objects.filter(members=user).values_list("id", "program_id", "program__is_part2")
    )
    supervisees = list(
        User.objects.filter(supervisor=user, is_active=True).values_list("id", "teams")
    )
    return Actor(
        user_id=user.id,
        agency_id=user.agency_id,
        role=Role(user.role),
        team_ids=frozenset(t[0] for t in teams),
        channel=channel,
        mfa_verified=mfa_verified,
        program_ids=frozenset(t[1] for t in teams),
        part2_program_ids=frozenset(t[1] for t in teams if t[2]),
        supervisee_ids=frozenset(s[0] for s in supervisees),
        supervisee_team_ids=frozenset(s[1] for s in supervisees if s[1] is not None),
        training_current=_training_current(user),
        dv_designated=user.dv_designated,
        hiv_designated=user.hiv_designated,
        agency_hiv_restricted=user.agency.hiv_restricted,
    )
