"""PostgreSQL: keep the link-at-commit queue small and its removals cheap (decision 0012).

Every event linked at commit leaves one dead row in `ledger_pending` (queued, then removed by
the commit-time trigger; migration 0006), about 0.9 kB each, and only a vacuum makes their space
reusable:

* The queue is vacuumed as soon as a thousand of its rows are dead, whatever the table's
  estimated size or the server's defaults (50 dead rows plus 20% of the estimate), and the pass
  is not throttled (`autovacuum_vacuum_cost_delay`). Its TOAST table too: an event with long
  details is stored there. Autovacuum looks at a database once per `autovacuum_naptime`, so the
  queue holds at most the dead rows of one naptime, or a thousand, whichever is more. These
  parameters need autovacuum on: they cannot turn it on for one table.
* The trigger removes each linked row by its `ctid`, inside the chain's lock. When the planner
  believes the queue empty (after a vacuum has truncated it) it scans the whole table for that
  row instead of fetching it, and keeps that plan for the session while the queue grows: every
  commit then reads every page of the queue under the lock. `enable_seqscan` is off for the
  trigger's function, so the row is always fetched by its `ctid` (and the chain head, which
  `ledger_link` reads and updates within that function, through its primary key).

Run as the owner (`manage.py migrate`, `ledger.dbroles`): only the owner may alter the table or
the function, and neither change grants anything.
"""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

PARAMETERS = {
    "autovacuum_vacuum_threshold": "1000",
    "autovacuum_vacuum_scale_factor": "0",
    "autovacuum_vacuum_cost_delay": "0",
}
NAMES = [*PARAMETERS, *(f"toast.{name}" for name in PARAMETERS)]


def forwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    values = ", ".join(f"{name} = {PARAMETERS[name.removeprefix('toast.')]}" for name in NAMES)
    schema_editor.execute(f"ALTER TABLE ledger_pending SET ({values})")
    schema_editor.execute("ALTER FUNCTION ledger_link_pending() SET enable_seqscan = off")


def backwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("ALTER FUNCTION ledger_link_pending() RESET enable_seqscan")
    schema_editor.execute(f"ALTER TABLE ledger_pending RESET ({', '.join(NAMES)})")


class Migration(migrations.Migration):
    dependencies = [("ledger", "0006_link_at_commit")]
    operations = [migrations.RunPython(forwards, backwards)]
