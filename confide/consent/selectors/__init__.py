"""The consent app's readers. Callers import from here; the modules below group them:

- `shared`: for other modules, no actor and no confidential text (`communication_preferences`,
  `personal_representatives`, `guardian_may_see`, `disclosure_limits`, `contact_permissions`);
- `notices`: the current notice texts (also for the portal) and a client's acknowledgement state
  (`client_notice_status` for the client themself, in the portal);
- `record`: one client's consent record, decrypted for its care team, on the ledger;
- `restrictions`: restriction lists and the privacy officers' queues;
- `minors`: the state table of minor-consent domains.
"""

from confide.consent.selectors.minors import MinorConsentDomain, minor_consent_domains
from confide.consent.selectors.notices import (
    NoticeBlock,
    NoticePanel,
    NoticeStatus,
    client_notice_status,
    current_notices,
    notice_blocks,
    notice_panel,
    notice_scores,
    notice_status,
    notice_versions,
)
from confide.consent.selectors.record import (
    AcknowledgementRow,
    ConsentRecord,
    ContactRow,
    DisclosureRestrictionRow,
    PreferenceRow,
    RepresentativeRow,
    consent_client_check,
    consent_record_get,
    contact_client,
    representative_client,
)
from confide.consent.selectors.restrictions import (
    QueuedDisclosureRestriction,
    RestrictionRow,
    case_numbers,
    client_restrictions,
    disclosure_restriction_queue,
    requested_count,
    restriction_queue,
)
from confide.consent.selectors.shared import (
    CommunicationPreferences,
    ContactPermission,
    DisclosureLimit,
    Representative,
    communication_preferences,
    contact_permissions,
    disclosure_limits,
    guardian_may_see,
    personal_representatives,
)

__all__ = [
    "AcknowledgementRow",
    "CommunicationPreferences",
    "ConsentRecord",
    "ContactPermission",
    "ContactRow",
    "DisclosureLimit",
    "DisclosureRestrictionRow",
    "MinorConsentDomain",
    "NoticeBlock",
    "NoticePanel",
    "NoticeStatus",
    "PreferenceRow",
    "QueuedDisclosureRestriction",
    "Representative",
    "RepresentativeRow",
    "RestrictionRow",
    "case_numbers",
    "client_notice_status",
    "client_restrictions",
    "communication_preferences",
    "consent_client_check",
    "consent_record_get",
    "contact_client",
    "contact_permissions",
    "current_notices",
    "disclosure_limits",
    "disclosure_restriction_queue",
    "guardian_may_see",
    "minor_consent_domains",
    "notice_blocks",
    "notice_panel",
    "notice_scores",
    "notice_status",
    "notice_versions",
    "personal_representatives",
    "representative_client",
    "requested_count",
    "restriction_queue",
]
