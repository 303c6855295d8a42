"""The bundled Microsoft–OpenAI dataset through the ledger, on both engines: the state at key
dates says what the dataset's sources say, and the demo command runs end to end."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from typer.testing import CliRunner

from events import date_sort_key
from ledger import Ledger
from ledger.cli import app
from ledger.cli.demo import dataset, load


def _rights(lg: Ledger, day: str) -> dict[str, str]:
    return {r["right"]: r["status"] for r in lg.state(as_of=day, party="microsoft").rights}


def _roles(lg: Ledger, day: str) -> dict[tuple[str, str], str]:
    return {(r["person"], r["role"]): r["status"] for r in lg.state(as_of=day, party="openai").roles}


def test_dataset_loads_and_answers_key_dates(ledger: Ledger) -> None:
    events = dataset()
    load(ledger, events, Console(quiet=True))
    assert ledger.store.count() == len(events) and ledger.verify().ok

    # 2019: $1B, Azure as exclusive cloud, IP rights restricted when AGI is declared
    assert _rights(ledger, "2019-08-01") == {"msft-azure-exclusive-cloud": "active", "msft-openai-ip-rights": "active"}
    stake = ledger.state(as_of="2019-08-01", party="microsoft").stakes[0]
    assert stake["invested"] == [{"amount": "1000000000", "currency": "USD"}] and stake["stake"] is None

    # November 2023: Altman removed on the 17th, Murati interim CEO, Altman back on the 22nd
    assert _roles(ledger, "2023-11-18")[("sam-altman", "ceo")] == "ended"
    assert _roles(ledger, "2023-11-18")[("mira-murati", "interim-ceo")] == "active"
    assert _roles(ledger, "2023-11-23")[("sam-altman", "ceo")] == "active"

    # January 2025: exclusivity replaced by a right of first refusal
    early_2025 = _rights(ledger, "2025-02-01")
    assert early_2025["msft-azure-exclusive-cloud"] == "ended" and early_2025["msft-compute-rofr"] == "active"
    assert early_2025["msft-openai-board-observer"] == "ended"  # given up in July 2024

    # October 2025 recapitalization: 27%, the right of first refusal ends, a PBC under the foundation
    late = ledger.state(as_of="2026-01-01", party="microsoft")
    assert late.stakes[0]["stake"]["exact"] == "27"
    assert {r["right"]: r["status"] for r in late.rights}["msft-compute-rofr"] == "ended"
    openai = next(p for p in ledger.state(as_of="2026-01-01").parties if p["party"] == "openai")
    assert (openai["kind"], openai["controlled_by"]) == ("public_benefit_corp", "openai-foundation")

    # Musk's suit: withdrawn in June 2024 (closed), later dismissed
    cases = {c["case"]: (c["status"], c["last_update"]) for c in ledger.state(as_of="2024-07-01").legal_actions}
    assert cases["musk-v-openai"] == ("closed", "withdrawn")


def test_a_correction_changes_the_belief_and_known_at_keeps_the_old_one(ledger: Ledger) -> None:
    """The correction the demo shows (the first StakeChanged correction, else the first correction): the January 2023
    rumour of a ~$10B investment, replaced by the reported investment of 2023-01-23. As of the rumour's date the ledger
    believed the $10B was already invested; after the correction it is not, until 2023-01-23."""
    events = dataset()
    load(ledger, events, Console(quiet=True))
    corrections = [e for e in events if e.get("corrects")]
    fix = next((e for e in corrections if e["type"] == "StakeChanged"), corrections[0])
    assert fix["id"] == "msft-openai-2023-01-23-investment"
    rumour = next(e for e in events if e["id"] == fix["corrects"])
    position = next(ledger.events(ids=[fix["id"]]))["position"]
    day = date_sort_key(rumour["effective_date"])  # the rumour counts from here; the correction only from 2023-01-23
    before = ledger.state(as_of=day, known_at=position - 1, party="microsoft").stakes[0]
    after = ledger.state(as_of=day, known_at=position, party="microsoft").stakes[0]
    assert before["invested"] == [{"amount": "13000000000", "currency": "USD", "approximate": True}]
    assert after["invested"] == [{"amount": "3000000000", "currency": "USD", "approximate": True}]
    assert (before["certainty"], after["certainty"]) == ("rumored", "reported")
    later = ledger.state(as_of="2023-02-01", known_at=position, party="microsoft").stakes[0]
    assert later["invested"] == before["invested"] and later["certainty"] == "reported"


def test_dataset_passes_a_dry_run_and_the_demo_runs(tmp_path: Path) -> None:
    runner = CliRunner()
    db = f"sqlite:///{tmp_path}/demo.db"
    data = Path(__file__).parents[2] / "ledger" / "data" / "microsoft_openai.jsonl"
    assert runner.invoke(app, ["--db", db, "init"]).exit_code == 0
    dry = runner.invoke(app, ["--db", db, "append", str(data), "--dry-run"])
    assert dry.exit_code == 0, dry.stderr
    result = runner.invoke(app, ["demo", "--db", db])
    assert result.exit_code == 0, result.stderr
    for text in ("Microsoft's alliances as of 2019-08-01", "msft-azure-exclusive-cloud", "known_at", "Try next"):
        assert text in result.stdout
    again = runner.invoke(app, ["demo", "--db", db])  # idempotent: nothing appended twice
    assert again.exit_code == 0 and "0 appended now" in again.stdout
