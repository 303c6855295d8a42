"""Every command of the app has ``--help`` with examples, the examples run on the demo ledger as
written, and the README's command table names exactly the app's commands."""

from __future__ import annotations

import os
import re
import shlex
import shutil
from pathlib import Path

import orjson
import pytest
import typer
from typer.testing import CliRunner

from ledger.cli import app
from tests.bods_examples import EXAMPLES, example_path
from tests.samples import basic, investment

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()


def commands() -> list[str]:
    """The app's real commands (read off the click group typer builds, so none is forgotten)."""
    group = typer.main.get_command(app)
    return sorted(group.commands)  # type: ignore[attr-defined]


def examples(command: str) -> list[str]:
    text = runner.invoke(app, [command, "--help"], terminal_width=200).stdout
    assert "Example:" in text, command
    block = text.split("Example:")[1].split("Arguments:")[0].split("Options:")[0]
    return [line.strip() for line in block.splitlines() if line.strip()]


def test_every_command_has_help_with_an_example() -> None:
    names = commands()
    assert {"init", "append", "state", "diff", "history", "streams", "explain", "trail", "snapshot", "verify",
            "export", "import", "rebuild", "schema", "report", "demo", "serve"} <= set(names)
    for name in names:
        lines = examples(name)
        assert lines and all(line.startswith(("alliance-ledger", "cat ", "sqlite-utils")) for line in lines), name


def test_the_readme_command_table_names_the_apps_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("## Command line", 1)[1].split("\n## ", 1)[0]
    listed = set(re.findall(r"^\| `([a-z]+)", table, flags=re.M))
    assert listed == set(commands()), (listed ^ set(commands()))


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory where the examples run: the demo ledger, and the files the examples name."""
    here = tmp_path_factory.mktemp("examples")
    cwd = os.getcwd()
    os.chdir(here)
    try:
        assert runner.invoke(app, ["demo"]).exit_code == 0
        assert runner.invoke(app, ["--db", "alliances.db", "init"]).exit_code == 0  # the tutorial's ledger
    finally:
        os.chdir(cwd)
    (here / "events.jsonl").write_bytes(b"".join(orjson.dumps(e) + b"\n" for e in basic()))
    more = investment("inv-2021", "2021", "2000000000")
    del more["stream"]
    (here / "more.json").write_bytes(orjson.dumps([more]))
    if (EXAMPLES / "tecido.json").is_file():  # else the one example that imports it skips (see below)
        shutil.copy(EXAMPLES / "tecido.json", here / "tecido.json")
    return here


@pytest.mark.parametrize("command", commands())
def test_help_examples_run_on_the_demo_ledger(command: str, demo_dir: Path) -> None:
    cwd = os.getcwd()
    os.chdir(demo_dir)
    try:
        for line in examples(command):
            if command == "serve" or "postgresql://" in line:
                continue  # a server runs until stopped, and no PostgreSQL is named here
            stdin = None
            if line.startswith("cat "):
                name, _, line = line[4:].partition(" | ")
                stdin = (demo_dir / name).read_bytes()
            argv = shlex.split(line)
            if argv[0] == "sqlite-utils":
                continue  # another program's command (the snapshot's test runs sqlite-utils on it)
            if ">" in argv:  # shell redirection: the command prints to stdout here
                argv = argv[:argv.index(">")]
            argv = [a.replace("$(cat head.txt)", _head(demo_dir)) for a in argv]
            if "tecido.json" in argv:
                example_path("tecido.json")  # a published BODS example, kept beside the repository
            result = runner.invoke(app, argv[1:], input=stdin)
            assert result.exit_code == 0, (line, result.stderr[-2000:])
    finally:
        os.chdir(cwd)


def _head(here: Path) -> str:
    result = runner.invoke(app, ["--db", "alliance-ledger-demo.db", "verify", "--print-head"])
    return result.stdout.strip()


def test_help_shows_no_python_types() -> None:
    """Metavars say what to give (FILE, DATE, ITEM); ``<str>`` or ``<list[str]>`` is Python, not help."""
    for name in commands():
        text = runner.invoke(app, [name, "--help"], terminal_width=200).stdout
        assert not re.search(r"<(str|int|float|bool|list\[[a-z]+\]|path|text|integer)>", text), (name, text)
