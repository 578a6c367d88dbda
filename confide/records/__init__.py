"""Clients, cases, notes (with separately kept psychotherapy notes), attachments."""
