"""Shared fixtures: the repository root (tests run from it, so scenario paths are the ones the
command line is given) and the command-line binary the package is checked against."""

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def at_root(monkeypatch):
    monkeypatch.chdir(ROOT)


@pytest.fixture(scope="session")
def cli():
    """Runs the `medgroup` binary (MEDGROUP_BIN, or the workspace's release build)."""
    binary = Path(os.environ.get("MEDGROUP_BIN", ROOT / "target" / "release" / "medgroup"))
    if not binary.is_file():
        pytest.fail(f"the command-line binary {binary} is missing: `cargo build --release` first, or set MEDGROUP_BIN")

    def run(*args):
        done = subprocess.run([str(binary), *map(str, args)], cwd=ROOT, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        return done

    return run
