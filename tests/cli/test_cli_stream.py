"""The whole state through the CLI streams from a checkpoint when one is the answer: the same
bytes as the state folded whole, in json and jsonl, and an edited checkpoint is an integrity
error (exit 1, naming ``rebuild``), never a silently different answer."""

from __future__ import annotations

import io
import random
import sqlite3
import zlib
from pathlib import Path

import orjson
import pytest

from ledger import IntegrityError, Ledger
from tests.contract.test_checkpoints import build
from tests.procs import run_cli


@pytest.fixture
def checkpointed(tmp_path: Path) -> str:
    path = str(tmp_path / "streamed.db")
    with Ledger.open(path, init=True) as lg:
        build(lg, random.Random(11), 4)
        lg.rebuild(4)
    return path


def test_the_whole_state_in_json_and_jsonl_is_the_state_folded_whole(checkpointed: str) -> None:
    with Ledger.open(checkpointed) as lg:
        assert lg.stream_state(as_of="2030-12-31").streamed
    done = run_cli(checkpointed, "state", "--as-of", "2030-12-31", "--format", "json")
    lines = run_cli(checkpointed, "state", "--as-of", "2030-12-31", "--format", "jsonl").stdout.splitlines()
    stakes = run_cli(checkpointed, "state", "--as-of", "2030-12-31", "--format", "jsonl", "--section", "Stakes")
    with Ledger.open(checkpointed) as lg:
        lg.store.clear_checkpoints()
        whole = lg.state(as_of="2030-12-31")  # no checkpoint at all: the reference answer
    assert done.returncode == 0, done.stderr
    assert done.stdout == whole.to_json() + "\n"
    assert [orjson.loads(line) for line in lines] == [
        {"section": name, **item} for name in whole.doc if isinstance(whole.doc[name], list) for item in whole.doc[name]]
    assert [orjson.loads(line) for line in stakes.stdout.splitlines()] == whole.doc["stakes"]
    wrong = run_cli(checkpointed, "state", "--format", "jsonl", "--section", "stake")
    assert wrong.returncode == 2 and "stakes" in wrong.stderr


def test_an_edited_checkpoint_line_is_an_integrity_error(checkpointed: str) -> None:
    with Ledger.open(checkpointed) as lg:
        checkpoint_id = lg.store.checkpoint_candidates("2030-12-31", lg.store.head()[0])[0][0]
        lines = zlib.decompress(lg.store.checkpoint_blob(checkpoint_id)).split(b"\n")
        lines[-1] = lines[-1][:-5]  # the last line cut: not JSON

        with sqlite3.connect(checkpointed) as conn:
            conn.execute("UPDATE checkpoints SET state = ? WHERE id = ?", (zlib.compress(b"\n".join(lines)), checkpoint_id))
        stream = lg.stream_state(as_of="2030-12-31")
        assert stream.streamed  # the header and first lines read well ...
        with pytest.raises(IntegrityError, match="rebuild"):
            stream.write_json(io.BytesIO())  # ... the edited line does not
    done = run_cli(checkpointed, "state", "--as-of", "2030-12-31", "--format", "json")
    assert done.returncode == 1 and "rebuild" in done.stderr
    assert run_cli(checkpointed, "verify").returncode != 0


@pytest.mark.parametrize("blob", [b"not zlib at all", zlib.compress(b'{"lines":1,"format":1}\n'),
                                  zlib.compress(b"[1, 2]\n[3]"), b""], ids=["garbage", "no-sections", "not-a-header",
                                                                           "empty"])
def test_an_unreadable_latest_checkpoint_is_passed_over(checkpointed: str, blob: bytes) -> None:
    """A checkpoint row that is not one (derived data edited) is not used, and the answer is the same."""
    with Ledger.open(checkpointed) as lg:
        checkpoint_id = lg.store.checkpoint_candidates("2030-12-31", lg.store.head()[0])[0][0]
        with sqlite3.connect(checkpointed) as conn:
            conn.execute("UPDATE checkpoints SET state = ? WHERE id = ?", (blob, checkpoint_id))
        stream = lg.stream_state(as_of="2030-12-31")
        # passed over: streamed from an earlier checkpoint with its tail folded on, or (a row that
        # could be the one-document form) folded whole; the same answer either way
        written = io.BytesIO()
        stream.write_json(written)
        lg.store.clear_checkpoints()
        assert written.getvalue() == (lg.state(as_of="2030-12-31").to_json() + "\n").encode()
