"""Benchmarks: run on demand, print figures and ratios (never timed unit tests)."""
