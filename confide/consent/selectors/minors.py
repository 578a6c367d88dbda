"""The state table of minor-consent domains, read from the disclosure engine's data (the one
place for these facts)."""

from __future__ import annotations

from dataclasses import dataclass

from confide.disclosures.engine import states


@dataclass(frozen=True)
class MinorConsentDomain:
    """One row of the state minor-consent table (kept with the disclosure engine's data, the
    one place for these facts): a service a minor may consent to alone, from what age."""

    state: str
    service: str
    min_age: int | None
    session_limit: int | None
    parental_access: str
    citation: str
    source: str
    verified: bool

    @property
    def parental_access_label(self) -> str:
        return PARENTAL_ACCESS.get(self.parental_access, self.parental_access)


PARENTAL_ACCESS = {
    "prohibited": "Not allowed",
    "minor_consent_required": "Only with the minor's consent",
    "unknown": "Not settled in this table",
}


def minor_consent_domains(state: str | None = None) -> list[MinorConsentDomain]:
    """Rows of `confide/disclosures/engine/data/minor_consent.csv`, for one state or all."""
    return [
        MinorConsentDomain(
            state=r.state,
            service=r.service.value,
            min_age=r.min_age,
            session_limit=r.session_limit,
            parental_access=r.parental_access.value,
            citation=r.citation,
            source=r.source,
            verified=r.verified,
        )
        for r in states.minor_consent_rows()
        if state is None or r.state == state
    ]
