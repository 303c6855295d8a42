"""Benchmark suite of alliance-ledger (SPEC §9): not tests, measurements.

``python -m benchmarks --events 100000 --out benchmarks/results.json`` generates a realistic
synthetic ledger, measures the library, the CLI and peers (raw ``sqlite3``, SQLAlchemy Core,
the ``eventsourcing`` library) each in a fresh subprocess, and reports ratios and the SPEC §9
targets as met or gap. See ``benchmarks/README.md``.
"""

__all__ = ["gen"]
