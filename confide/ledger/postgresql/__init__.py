"""Confide's PostgreSQL database backend (`ENGINE` "confide.ledger.postgresql"): see `base`."""
