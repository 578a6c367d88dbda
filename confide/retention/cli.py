"""`confide retention due` and `confide retention purge`: the operator's side of retention.

`due` lists, per agency, the clients due for destruction (ids, case numbers, dates, whether
held or already approved: no names). `purge` carries out what privacy officers approved in the
web pages, one client per transaction, with a progress line; it never decides on its own who is
destroyed. Both take --today (default: the date now) so a run can be rehearsed.
"""

from __future__ import annotations

import datetime as dt
import sys
from uuid import UUID

from confide.core import clock


def _today(raw: str | None) -> dt.date:
    if raw is None:
        return clock.today()
    return dt.date.fromisoformat(raw)


def due_main(*, today: str | None, agency: str | None) -> int:
    from confide.accounts.models import Agency
    from confide.retention.selectors import due_clients, rule_of, schedule_current

    try:
        day = _today(today)
    except ValueError:
        print("retention due: --today must be a date (YYYY-MM-DD)", file=sys.stderr)
        return 2
    agencies = Agency.objects.order_by("slug")
    if agency:
        agencies = agencies.filter(slug=agency)
        if not agencies.exists():
            print(f"retention due: no agency with the slug {agency!r}", file=sys.stderr)
            return 2
    total = 0
    for each in agencies:
        schedule = schedule_current(each.id)
        if schedule is None:
            print(f"{each.slug}: no retention schedule set; nothing is due")
            continue
        due = due_clients(each.id, day, rule_of(schedule))
        total += len(due)
        print(
            f"{each.slug}: {len(due)} due on {day} under the {schedule.state} schedule "
            f"({schedule.years_after_closure}y after closure; "
            f"{schedule.years_after_majority}y after age {schedule.majority_age})"
        )
        for d in due:
            flags = " HELD" if d.held else (" approved" if d.approved else "")
            print(
                f"  {d.client_id}  cases {','.join(d.case_numbers)}  closed {d.last_closed}  "
                f"due {d.due_on} ({d.basis}){flags}"
            )
    print(f"{total} client(s) due in all. Approve them in Retention on the web.")
    return 0


def purge_main(*, today: str | None, batch: str | None, quiet: bool) -> int:
    from confide.retention.errors import ShredListError
    from confide.retention.purge import purge_run

    try:
        day = _today(today)
        batch_id = UUID(batch) if batch else None
    except ValueError:
        print("retention purge: --today must be YYYY-MM-DD and --batch a batch id", file=sys.stderr)
        return 2

    def progress(done: int, total: int, outcome: str) -> None:
        if not quiet:
            width = 30
            filled = width * done // max(total, 1)
            sys.stderr.write(f"\rpurging [{'#' * filled}{'-' * (width - filled)}] {done}/{total}")
            sys.stderr.flush()

    try:
        summary = purge_run(today=day, batch_id=batch_id, progress=progress)
    except ShredListError as error:
        print(f"retention purge: {error}; nothing was purged", file=sys.stderr)
        return 2
    if not quiet:
        sys.stderr.write("\n")
    print(
        f"purged {summary.purged}; skipped under legal hold {summary.held}; "
        f"no longer due {summary.not_due}; failed {summary.failed}; "
        f"leftover files removed {summary.files_removed}"
    )
    return 1 if summary.failed else 0
