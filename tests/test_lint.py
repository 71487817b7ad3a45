"""The code passes the linter (ruff, with the rules set in pyproject.toml)."""

from __future__ import annotations

import subprocess

from conftest import REPO, tool


def test_ruff_finds_nothing():
    run = subprocess.run([tool("ruff"), "check", "src", "tests", "benchmarks"], cwd=REPO,
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
