"""Notifications to staff (in the app and by email, sent after commit)."""
