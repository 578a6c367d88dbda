"""The synthetic demo agency loader (generated data only; no real people)."""
