"""Releases of information (consents) as enforced data: HIPAA and psychotherapy-notes
authorizations, 42 CFR Part 2 consents, VAWA releases and agency releases; their lifecycle,
a client copy (PDF) and a FHIR R4 Consent export. The disclosure workflow reads them through
`selectors.releases_on_file` and `selectors.require_active_release`."""
