"""Speed, memory and correctness at scale, measured apart from the tests.

A package so that each script runs from the repository root as a module
(`python -m benchmarks.run_stages county`), its siblings import as `benchmarks.scale`,
and the tests import what they share with it (`from benchmarks import orlib`).
"""
