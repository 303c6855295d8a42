"""The published BODS examples some tests read: files of the BODS project, kept beside the
repository (``../shared/data/bods-examples``), never in it (their handling note says so).

Where they are not there (a clone on its own), those tests skip with the reason; with
ALLIANCE_LEDGER_REQUIRE_BODS_EXAMPLES=1 (CI, whose checkout sits beside them) a missing file is a failure.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "bods-examples"
REQUIRED = os.environ.get("ALLIANCE_LEDGER_REQUIRE_BODS_EXAMPLES") == "1"


def example_path(name: str) -> Path:
    """The example ``name``, or a skip (a failure when they are required) when it is not there."""
    path = EXAMPLES / name
    if not path.is_file():
        message = f"the published BODS example {name} is not at {EXAMPLES} (beside the repository, not in it)"
        if REQUIRED:
            pytest.fail(f"ALLIANCE_LEDGER_REQUIRE_BODS_EXAMPLES=1 but {message}")
        pytest.skip(message)
    return path
