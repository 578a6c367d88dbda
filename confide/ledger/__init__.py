"""The append-only, hash-chained ledger of every read, write, sign-in and disclosure."""
