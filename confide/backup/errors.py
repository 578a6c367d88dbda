"""Errors of backup and restore: each says what is wrong and that nothing was changed."""

from __future__ import annotations


class BackupError(RuntimeError):
    """The archive cannot be written or restored; the message says why."""
