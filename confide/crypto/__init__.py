"""Envelope encryption: the keyring, per-client data keys, field and file ciphers, blind indexes."""
