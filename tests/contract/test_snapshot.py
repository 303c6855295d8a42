"""``snapshot``: the state as a SQLite file that outside tools read (SPEC §7, §11), from ledgers on
both engines. The files are read back with sqlite-utils and pandas, never with our own code, and
every value must equal the state document's."""

from __future__ import annotations

import json
import os
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import sqlite_utils
from rich.console import Console
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from ledger import Ledger, LedgerError
from ledger.cli import app
from ledger.cli.demo import dataset, load
from ledger.interop.snapshot import write_snapshot
from projections import FIELDS, KEY_FIELDS, SECTIONS, item_key
from tests.procs import is_sqlite

runner = CliRunner()


@pytest.fixture
def demo(ledger: Ledger) -> Ledger:
    load(ledger, dataset(), Console(quiet=True))
    return ledger


def _expected_row(item: dict[str, Any], columns: list[str]) -> dict[str, Any]:
    """What a flat row must hold for ``item``: written here from the documented layout, not
    with the snapshot's own flattening."""
    row: dict[str, Any] = {}
    for name, value in item.items():
        subs = [c.split(".", 1)[1] for c in columns if c.startswith(name + ".")]
        if subs or isinstance(value, dict):
            assert set(value or {}) <= set(subs), (name, value, subs)
            row.update({f"{name}.{sub}": (value or {}).get(sub) for sub in subs})
        elif isinstance(value, list):
            row[name] = json.dumps(value)
        elif isinstance(value, bool):
            row[name] = int(value)
        else:
            row[name] = value
    for name, value in list(row.items()):
        if isinstance(value, bool):
            row[name] = int(value)
    return row


def _decoded(row: dict[str, Any]) -> dict[str, Any]:
    return {k: json.dumps(json.loads(v)) if isinstance(v, str) and v[:1] == "[" else v for k, v in row.items()}


def test_snapshot_tables_equal_the_state_read_with_sqlite_utils(demo: Ledger, tmp_path: Path) -> None:
    out = tmp_path / "alliance.db"
    result = write_snapshot(demo, out, as_of="2025-11-01")
    state = demo.state(as_of="2025-11-01")
    db = sqlite_utils.Database(out)
    assert set(db.table_names()) == {*SECTIONS, "meta"}
    assert result["tables"] == {section: len(state[section]) for section in SECTIONS}
    for section in SECTIONS:
        table = db[section]
        assert table.pks == list(KEY_FIELDS[section]), section
        columns = [c.name for c in table.columns]
        top = list(dict.fromkeys(c.split(".")[0] for c in columns))  # in the section's field order
        assert top == [f for f in FIELDS[section] if f in top] and set(FIELDS[section]) - set(top) <= {"terms"}
        rows = {"/".join(str(r[k]) for k in KEY_FIELDS[section]): _decoded(r) for r in table.rows}
        assert list(rows) == [item_key(section, it) for it in state[section]]
        for item in state[section]:
            assert rows[item_key(section, item)] == _expected_row(item, columns), (section, item_key(section, item))
    stakes = {(r["holder"], r["issuer"]): r for r in db["stakes"].rows}
    msft = stakes[("microsoft", "openai")]
    assert (msft["stake.exact"], msft["stake.basis"], msft["stake.min"]) == ("27", "equity", None)
    assert json.loads(msft["invested"]) == [{"amount": "13000000000", "currency": "USD", "approximate": True}]
    assert db["stakes"].columns_dict["stake.exact"] is str  # decimals stay exact text
    assert db["agreements"].columns_dict["binding"] is int
    terms = [c for c in db["rights"].columns_dict if c.startswith("terms.")]
    assert terms and all(c.count(".") >= 1 for c in terms)


def test_snapshot_meta_says_which_query_and_ledger(demo: Ledger, db_url: str, tmp_path: Path) -> None:
    known = 60
    out = tmp_path / "then.db"
    write_snapshot(demo, out, as_of="2024-06-01", known_at=known, min_certainty="reported")
    [meta] = list(sqlite_utils.Database(out)["meta"].rows)
    head, head_hash, _ = demo.store.head()
    at = next(demo.events(ids=[e["id"] for e in demo.events() if e["position"] == known]))
    assert meta == {
        "as_of": "2024-06-01", "known_at_position": known, "known_at_recorded_at": at["recorded_at"],
        "known_at_hash": at["hash"], "min_certainty": "reported", "head_position": head, "head_hash": head_hash,
        "ledger": make_url(db_url).render_as_string(hide_password=True), "generated_by": meta["generated_by"],
    }
    assert meta["generated_by"].startswith("alliance-ledger ")
    if make_url(db_url).password:
        assert ":***@" in meta["ledger"] and ":ledger@" not in json.dumps(meta)
    state = demo.state(as_of="2024-06-01", known_at=known, min_certainty="reported")
    rows = list(sqlite_utils.Database(out)["rights"].rows)
    assert [r["right"] for r in rows] == [r["right"] for r in state.rights]
    assert [r["status"] for r in rows] == [r["status"] for r in state.rights]


def _py(value: Any) -> Any:
    """pandas shows SQL NULL as None or NaN depending on the column's other values."""
    return None if pd.isna(value) else value


def test_snapshot_read_with_pandas_gives_the_state_values(demo: Ledger, tmp_path: Path) -> None:
    out = tmp_path / "alliance.db"
    write_snapshot(demo, out, as_of="2026-01-01")
    state = demo.state(as_of="2026-01-01")
    with closing(sqlite3.connect(out)) as conn:
        stakes = pd.read_sql("SELECT * FROM stakes", conn)
        rights = pd.read_sql("SELECT * FROM rights ORDER BY right", conn)
    assert list(stakes.columns[:6]) == ["holder", "issuer", "stake.exact", "stake.min", "stake.max", "stake.basis"]
    for item in state.stakes:
        row = stakes[(stakes.holder == item["holder"]) & (stakes.issuer == item["issuer"])].iloc[0]
        assert (_py(row["stake.exact"]), _py(row["stake.basis"])) == ((item["stake"] or {}).get("exact"),
                                                                      (item["stake"] or {}).get("basis"))
        assert json.loads(row["invested"]) == item["invested"]
        assert json.loads(row["evidence"]) == item["evidence"]
    assert list(rights["right"]) == [r["right"] for r in state.rights]
    assert list(rights["status"]) == [r["status"] for r in state.rights]
    assert [_py(v) for v in rights["until"]] == [r["until"] for r in state.rights]


def test_snapshot_refuses_the_ledger_file_and_existing_files(demo: Ledger, db_url: str, tmp_path: Path) -> None:
    taken = tmp_path / "taken.db"
    taken.write_bytes(b"keep me")
    with pytest.raises(LedgerError, match="exists; choose another file or pass --force"):
        write_snapshot(demo, taken, as_of="2025-01-01")
    assert taken.read_bytes() == b"keep me"
    code = runner.invoke(app, ["--db", db_url, "snapshot", "--as-of", "2025-01-01", "--out", str(taken)]).exit_code
    assert code == 2 and taken.read_bytes() == b"keep me"
    result = runner.invoke(app, ["--db", db_url, "snapshot", "--as-of", "2025-01-01", "--out", str(taken), "--force"])
    assert result.exit_code == 0, result.stderr
    assert "wrote" in result.stderr and sqlite_utils.Database(taken)["meta"].count == 1
    with pytest.raises(LedgerError, match="is a directory"):
        write_snapshot(demo, tmp_path, as_of="2025-01-01")
    with pytest.raises(LedgerError, match="does not exist"):
        write_snapshot(demo, tmp_path / "no" / "dir.db", as_of="2025-01-01")
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []  # no scratch file left
    if not is_sqlite(db_url):
        return
    own = Path(make_url(db_url).database or "")
    size = own.stat().st_size
    link = tmp_path / "link.db"
    link.symlink_to(own)
    spellings = [own, link, tmp_path / "x" / ".." / own.name, Path(os.path.relpath(own)),
                 own.with_name(own.name + "-wal")]
    (tmp_path / "x").mkdir()
    for path in spellings:
        for force in (False, True):
            with pytest.raises(LedgerError, match="the ledger's own database"):
                write_snapshot(demo, path, as_of="2025-01-01", force=force)
    result = runner.invoke(app, ["--db", db_url, "snapshot", "--out", str(link), "--force"])
    assert result.exit_code == 2 and "the ledger's own database" in result.stderr
    assert own.stat().st_size == size and demo.verify().ok
