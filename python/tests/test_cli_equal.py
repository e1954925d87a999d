"""The package gives the command line's numbers: for the same scenario, seed and settings its
results folder holds the same files, byte for byte, and its DataFrames are those files."""

import pandas as pd
import pytest

import medgroup

# Every file of a results folder but the shard store (its lines are the same rows, appended in the
# order the replications finished, which depends on the threads).
RESULT_FILES = ["summary.csv", "daily.csv", "replications.jsonl", "manifest.json", "folder.json"]
SETTINGS = dict(replications=3, seed=7, days=60, warmup_days=30)
FLAGS = ["--replications", "3", "--seed", "7", "--days", "60", "--warmup-days", "30"]


def same_files(a, b, names):
    for name in names:
        assert (a / name).read_bytes() == (b / name).read_bytes(), f"{name} differs"


def test_run_equals_cli(cli, tmp_path):
    cli("run", "scenarios/small.toml", *FLAGS, "--out", tmp_path / "cli", "-q")
    r = medgroup.run("scenarios/small.toml", **SETTINGS, progress=False)
    r.write(tmp_path / "py")
    same_files(tmp_path / "cli", tmp_path / "py", RESULT_FILES)
    cli_summary = pd.read_csv(tmp_path / "cli" / "summary.csv", keep_default_na=False, na_values=["NA"])
    pd.testing.assert_frame_equal(r.summary, cli_summary)
    assert r.manifest["seed"] == 7 and r.manifest["replications"] == 3
    assert r.replications["replication"].dtype.kind == "i"


def test_set_equals_cli_set(cli, tmp_path):
    cli("run", "scenarios/small.toml", *FLAGS, "--set", "population.signing_rate=0.8", "--out", tmp_path / "cli", "-q")
    s = medgroup.load("scenarios/small.toml").set("population.signing_rate", 0.8)
    assert s.get("population.signing_rate") == 0.8
    medgroup.run(s, **SETTINGS, out=tmp_path / "py", progress=False)
    same_files(tmp_path / "cli", tmp_path / "py", RESULT_FILES)


def test_compare_equals_cli(cli, tmp_path):
    arms = ["scenarios/small.toml", "scenarios/small_chc_reimbursement.toml"]
    cli("compare", *arms, *FLAGS, "--out", tmp_path / "cli", "-q")
    r = medgroup.compare(*arms, **SETTINGS, out=tmp_path / "py", progress=False)
    same_files(tmp_path / "cli", tmp_path / "py", ["comparison.csv", "manifest.json", "folder.json"])
    for arm in ["small", "small_chc_reimbursement"]:
        same_files(tmp_path / "cli" / "arms" / arm, tmp_path / "py" / "arms" / arm, RESULT_FILES[:-1])
    assert list(r.arms) == ["small", "small_chc_reimbursement"]
    assert set(r.summary["arm"]) == set(r.arms) and "diff_mean" in r.comparison.columns


def test_sweep_equals_cli(cli, tmp_path):
    cli("sweep", "scenarios/small.toml", "--set", "population.signing_rate=0.3,0.9", *FLAGS, "--out", tmp_path / "cli", "-q")
    r = medgroup.sweep("scenarios/small.toml", {"population.signing_rate": [0.3, 0.9]}, **SETTINGS,
                       out=tmp_path / "py", progress=False)
    same_files(tmp_path / "cli", tmp_path / "py", ["sweep.csv", "sweep_summary.csv", "manifest.json", "folder.json"])
    assert sorted(set(r.summary["population_signing_rate"])) == [0.3, 0.9]


def test_threads_do_not_change_results(tmp_path):
    one = medgroup.run("scenarios/small.toml", **SETTINGS, threads=1, progress=False)
    two = medgroup.run("scenarios/small.toml", **SETTINGS, threads=2, progress=False)
    same_files(one.path, two.path, RESULT_FILES)


def test_report_and_write(tmp_path):
    r = medgroup.run("scenarios/small.toml", **SETTINGS, progress=False)
    page = r.report(lang="en", path=tmp_path / "report.html")
    assert page.read_text(encoding="utf-8").lstrip().lower().startswith("<!doctype html")
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "mine.csv").write_text("my own file")
    with pytest.raises(medgroup.ExperimentError, match="not empty"):
        r.write(tmp_path / "full")
    with pytest.raises(ValueError, match="lang"):
        r.report(lang="fr")


def test_to_toml_round_trip(tmp_path):
    s = medgroup.load("scenarios/small.toml").set("facilities[lead].wards[medical].beds", 30)
    (tmp_path / "s.toml").write_text(s.to_toml(), encoding="utf-8")
    again = medgroup.load(tmp_path / "s.toml")
    assert again.hash == s.hash and again.get("facilities[lead].wards[medical].beds") == 30
