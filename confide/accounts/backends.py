"""The authentication backend that loads the request's user together with its actor's facts.

Django's session authentication loads the signed-in user once per request through the backend
named in the session (`get_user`). This backend is Django's `ModelBackend` (the same checks: an
inactive user is nobody) whose `get_user` also selects, in the same query, the rows
`accounts.actors.actor_for` builds the Actor from. The rows are read at the start of each
request and live only on that request's user object: a change of role, team, supervision,
training or agency setting, or a deactivation, applies at the very next request.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError
from django.db.models import TextField
from django.db.models.expressions import RawSQL

from confide.accounts.actors import FACTS_ATTRIBUTE, facts_subquery, rows_from_json
from confide.accounts.models import User

PATH = "confide.accounts.backends.StaffBackend"


class StaffBackend(ModelBackend):
    def get_user(self, user_id: Any) -> User | None:
        try:
            pk = User._meta.pk.to_python(user_id)
        except ValidationError:  # a malformed id in a session is nobody
            return None
        sql, params = facts_subquery(pk)
        # The subquery is built from model table names only; every value is a parameter.
        rows = RawSQL(sql, params, output_field=TextField())  # noqa: S611
        try:
            user = User.objects.annotate(actor_rows=rows).get(pk=pk)
        except User.DoesNotExist:
            return None
        if not self.user_can_authenticate(user):
            return None
        setattr(user, FACTS_ATTRIBUTE, rows_from_json(user.actor_rows))
        return user
