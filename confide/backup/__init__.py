"""Backups: `confide backup create` / `restore`. An archive of the database and the attachment
files, never of keys; restore re-applies the shred list kept beside the keys."""
