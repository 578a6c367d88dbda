"""Shared kernel: base model, Actor, domain errors, clock, canonical JSON."""
