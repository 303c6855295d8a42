"""The child process of ``verify`` (:mod:`ledger.read.verify`): reads a store address on stdin,
re-folds the store's checkpoints (the whole ledger's and the busy parties') and sends the problems
found as JSON, one frame on stdout (:func:`ledger.read.children.send`); anything short of a whole
frame makes the parent fold the checkpoints itself."""

from __future__ import annotations

import sys


def main() -> int:
    import orjson

    from ledger.read.children import send
    from ledger.read.verify import fold_checks
    from ledger.store import open_store
    from projections import gc_paused

    store = open_store(sys.stdin.read())
    try:
        with gc_paused():
            found = fold_checks(store)
    finally:
        store.dispose()
    send(orjson.dumps(found))
    return 0


if __name__ == "__main__":
    sys.exit(main())
