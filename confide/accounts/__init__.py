"""Agencies, programs, teams, staff accounts, MFA, session limits, API tokens."""
