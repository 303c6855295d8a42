"""The child process of a whole-ledger fold (:mod:`ledger.read.split`): reads the request (the
store's address, the date, the recording horizon and the certainty) as JSON on stdin, folds the
stake events and sends the stakes section, marshalled, as one frame on stdout
(:func:`ledger.read.children.send`); anything short of a whole frame makes the parent fold the
stakes itself."""

from __future__ import annotations

import marshal
import os
import sys


def main() -> int:
    import orjson

    from ledger.read.children import send
    from ledger.read.split import fold_stakes
    from ledger.store import open_store

    request = orjson.loads(sys.stdin.buffer.read())
    store = open_store(request["address"])
    try:
        stakes = fold_stakes(store, request["day"], request["position"], request["min_certainty"])
    finally:
        store.dispose()
    send(marshal.dumps(stakes))
    return 0


if __name__ == "__main__":
    code = main()
    # Skip the interpreter's teardown: its last collection rescans the state and frees it object by
    # object (measured at a million events, 6.3 s after a 7.7 s fold), which holds this process's
    # memory and a core while the parent loads the stakes. Nothing here needs it: the answer is sent,
    # the store closed.
    os._exit(code)
