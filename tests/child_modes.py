"""A child process for ``tests/unit/test_children.py``: ``python -m tests.child_modes`` reads a
mode on stdin and answers as :mod:`ledger.read.children` children do, or fails to."""

from __future__ import annotations

import os
import sys
import time

from ledger.read.children import send


def main() -> int:
    mode = sys.stdin.read()
    if mode == "whole-then-linger":  # sends its answer, then takes its time to exit
        send(b"x" * 300_000)
        time.sleep(5)
        return 0
    if mode == "cut-short":  # dies in the middle of its answer
        out = sys.stdout.buffer
        out.write((1000).to_bytes(8, "big") + b"y" * 10)
        out.flush()
        os._exit(0)
    if mode == "nothing":
        return 1
    send(b"")
    return 0


if __name__ == "__main__":
    sys.exit(main())
