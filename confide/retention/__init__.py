"""Retention: per-agency schedules with state defaults, legal holds, the due list, approved
purge batches, crypto-shredding of clients, and the shred list kept beside the keys."""
