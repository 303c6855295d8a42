"""The README's tutorial runs as written, in order, as a new user would run it: every ``python`` and
``bash`` block of its Tutorial and Interoperability sections, in a fresh directory holding only the
demo ledger (what the README's first command leaves), with the installed ``alliance-ledger`` on
``PATH``. A ``text`` block right after a code block is what that block prints (standard output and
error together): a line ``...`` stands for any number of lines, and ``...`` inside a line for any
text, so hashes and timestamps need not be spelled out; everything else must match exactly."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RUN_SECTIONS = ("## Tutorial", "## Interoperability")
FENCE = re.compile(r"^( *)```(\w+)\n(.*?)^\1```", re.M | re.S)


def blocks() -> list[tuple[str, str, str | None]]:
    """(language, code, expected output or None) for each runnable block, in README order."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    found: list[tuple[str, str, str | None]] = []
    for heading in RUN_SECTIONS:
        section = readme.split("\n" + heading + "\n", 1)[1].split("\n## ", 1)[0]
        fences = [(m.group(2), textwrap.dedent(m.group(3)), m.start(), m.end()) for m in FENCE.finditer(section)]
        for i, (lang, code, _, end) in enumerate(fences):
            if lang not in ("python", "bash"):
                continue
            expected = None
            if i + 1 < len(fences) and fences[i + 1][0] == "text" and not section[end:fences[i + 1][2]].strip():
                expected = fences[i + 1][1]
            found.append((lang, code, expected))
    return found


def matches(expected: list[str], actual: list[str]) -> bool:
    """Whether ``actual`` reads as ``expected``, with ``...`` lines and ``...`` inside lines as wildcards."""
    if not expected:
        return not actual
    head, rest = expected[0], expected[1:]
    if head.strip() == "...":
        return any(matches(rest, actual[i:]) for i in range(len(actual) + 1))
    pattern = ".*".join(re.escape(part) for part in head.split("..."))
    return bool(actual) and re.fullmatch(pattern, actual[0]) is not None and matches(rest, actual[1:])


@pytest.fixture(scope="module")
def newcomer(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """A fresh directory with the demo ledger, and an environment whose PATH starts with the bin
    directory of this interpreter (where ``alliance-ledger`` and ``python3`` are installed)."""
    here = tmp_path_factory.mktemp("newcomer")
    bindir = str(Path(sys.executable).parent)
    env = {**os.environ, "PATH": bindir + os.pathsep + os.environ.get("PATH", ""), "COLUMNS": "100"}
    env.pop("ALLIANCE_LEDGER_DB", None)
    assert (Path(bindir) / "alliance-ledger").exists(), "the console script is not installed beside python"
    subprocess.run(["alliance-ledger", "demo"], cwd=here, env=env, check=True, capture_output=True)
    return here, env


def test_the_readme_opens_with_two_commands_in_separate_venvs() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    first = FENCE.search(readme)
    assert first is not None and first.group(2) == "bash"
    lines = first.group(3).strip().splitlines()
    assert len(lines) == 2 and "alliance-ledger demo" in lines[0] and "pytest" in lines[1]
    venvs = [re.search(r"python3 -m venv (\S+)", line) for line in lines]
    assert all(venvs) and venvs[0].group(1) != venvs[1].group(1)  # type: ignore[union-attr]


def test_the_tutorial_runs_as_written(newcomer: tuple[Path, dict[str, str]]) -> None:
    here, env = newcomer
    runnable = blocks()
    assert sum(1 for _, _, out in runnable if out is not None) >= 8, "the tutorial shows what its steps print"
    for number, (lang, code, expected) in enumerate(runnable, 1):
        command = [sys.executable, "-c", code] if lang == "python" else ["bash", "-o", "pipefail", "-c", code]
        done = subprocess.run(command, cwd=here, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True, timeout=120)
        assert done.returncode == 0, f"block {number} ({lang}) failed:\n{code}\n---\n{done.stdout}"
        if expected is not None:
            actual = [line.rstrip() for line in done.stdout.strip("\n").splitlines()]
            want = [line.rstrip() for line in expected.strip("\n").splitlines()]
            assert matches(want, actual), f"block {number} printed:\n{done.stdout}\nthe README says:\n{expected}"
