"""Tests of the disclosure engine: rules, input validation, the command line, scenarios."""
