"""Benchmarks: scripts that measure and print figures and write them to `benchmarks/results/` (not tests)."""
