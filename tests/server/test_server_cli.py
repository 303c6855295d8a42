"""The ``serve`` command as a command: its help, and that no other command pays for it."""

from __future__ import annotations

import subprocess
import sys

from typer.testing import CliRunner

from ledger.cli import app
from tests.procs import ROOT, child_env


def test_serve_help_has_an_example_and_the_documented_options() -> None:
    result = CliRunner().invoke(app, ["serve", "--help"])
    assert result.exit_code == 0
    for option in ("--host", "--port", "--token-file", "--max-body", "--private", "Example:", "127.0.0.1"):
        assert option in result.stdout, option


def test_the_cli_imports_no_web_framework_until_serve_runs() -> None:
    code = ("import sys, ledger.cli; heavy = sorted({m.split('.')[0] for m in sys.modules} & "
            "{'fastapi', 'starlette', 'uvicorn', 'anyio', 'selenium'}); print(','.join(heavy))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=child_env(), capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == ""
