"""Confidentiality training completions and conflict-of-interest (dual relationship) walls."""
