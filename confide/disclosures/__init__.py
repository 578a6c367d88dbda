"""Disclosure requests, the decision engine and its rule packs, release packets."""
