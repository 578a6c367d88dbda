"""The consent app's writers: restrictions on use and on disclosure, confidential-communication
preferences, notices and acknowledgements, contacts and personal representatives. Each is one
transaction with its ledger event; confidential text is sealed with the client's data key.
Callers import from here; the modules below group the services by topic."""

from confide.consent.services.communications import communication_preference_set
from confide.consent.services.notices import (
    MAX_SIGNATURE_BYTES,
    acknowledgement_record,
    acknowledgement_record_by_client,
    notice_publish,
    shipped_notice_texts,
)
from confide.consent.services.people import (
    END_REASONS,
    PersonInput,
    contact_add,
    contact_decide,
    contact_end,
    representative_add,
    representative_end,
)
from confide.consent.services.restrictions import (
    SELF_PAY_RULE,
    disclosure_restriction_decide,
    disclosure_restriction_end,
    disclosure_restriction_request,
    restriction_decide,
    restriction_end,
    restriction_request,
)

__all__ = [
    "END_REASONS",
    "MAX_SIGNATURE_BYTES",
    "SELF_PAY_RULE",
    "PersonInput",
    "acknowledgement_record",
    "acknowledgement_record_by_client",
    "communication_preference_set",
    "contact_add",
    "contact_decide",
    "contact_end",
    "disclosure_restriction_decide",
    "disclosure_restriction_end",
    "disclosure_restriction_request",
    "notice_publish",
    "representative_add",
    "representative_end",
    "restriction_decide",
    "restriction_end",
    "restriction_request",
    "shipped_notice_texts",
]
