"""Which state minor-consent row governs a minor's records.

Owns the choice of service (SUD treatment for Part 2 categories, otherwise outpatient mental
health) and the lookup in `minor_consent.csv` for the client's state.
"""

from __future__ import annotations

from ..context import SUD_INFO, Context
from ..states import MinorConsentRow, MinorService, minor_consent


def minor_row(ctx: Context) -> MinorConsentRow | None:
    """The minor-consent row for this client's state and kind of care, if any."""
    state = ctx.specific_state
    if state is None:
        return None
    service = (
        MinorService.SUD_TREATMENT
        if ctx.info in SUD_INFO
        else MinorService.OUTPATIENT_MENTAL_HEALTH
    )
    return minor_consent(state, service)
