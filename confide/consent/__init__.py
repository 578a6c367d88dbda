"""Consent: notices, releases of information, contacts, and client-requested restrictions."""
