"""Confide: a confidentiality-first case record system for social work agencies."""
