"""Ctrl-C during a long run stops it cleanly: the replications that finished are kept in the
results folder, and the same run into that folder resumes from them and gives what an
uninterrupted run gives."""

import signal
import subprocess
import sys
import time
from pathlib import Path

import medgroup

ROOT = Path(__file__).resolve().parents[2]
# One thread and replications of about half a second each (the baseline, 90 days), so that the
# interrupt lands while most of them are still to run.
SETTINGS = dict(replications=6, days=90, warmup_days=0, threads=1)
SCRIPT = """
import sys, medgroup
medgroup.run("scenarios/baseline.toml", out=sys.argv[1], progress=False, **{settings})
print("finished")
"""


def finished_units(folder):
    shard = folder / "shards" / "shard-1-of-1.jsonl"
    if not shard.is_file():
        return 0
    return sum('"kind":"unit"' in line for line in shard.read_text(encoding="utf-8").splitlines())


def test_keyboard_interrupt_keeps_finished_replications(tmp_path):
    out = tmp_path / "run"
    code = SCRIPT.format(settings=SETTINGS)
    proc = subprocess.Popen([sys.executable, "-c", code, str(out)], cwd=ROOT, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 120
    while finished_units(out) < 1:
        assert proc.poll() is None, "the run ended before it could be interrupted"
        assert time.time() < deadline, "no replication finished within two minutes"
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode != 0
    assert "KeyboardInterrupt" in stderr and "kept in" in stderr, stderr
    kept = finished_units(out)
    assert 1 <= kept < SETTINGS["replications"], kept
    assert not (out / "summary.csv").exists()

    # The same run into the folder resumes: it runs only what is missing.
    resumed = medgroup.run("scenarios/baseline.toml", out=out, progress=False, **SETTINGS)
    assert finished_units(out) == SETTINGS["replications"]
    fresh = medgroup.run("scenarios/baseline.toml", out=tmp_path / "fresh", progress=False, **SETTINGS)
    for name in ["summary.csv", "daily.csv", "replications.jsonl", "manifest.json"]:
        assert (resumed.path / name).read_bytes() == (fresh.path / name).read_bytes(), name
