"""Benchmarks that print figures (not timed tests). Run one with `python -m benchmarks.<name>`."""
