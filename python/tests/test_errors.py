"""Bad files, keys and values raise ScenarioError with the command line's messages and every
problem's key path."""

import pytest

import medgroup


def test_missing_file():
    with pytest.raises(medgroup.ScenarioError, match="cannot read scenario file scenarios/nope.toml"):
        medgroup.load("scenarios/nope.toml")


def test_unknown_key():
    with pytest.raises(medgroup.ScenarioError) as e:
        medgroup.load("scenarios/small.toml").set("population.signing_rat", 0.5)
    assert "signing_rat" in str(e.value)


def test_value_out_of_range_names_its_key():
    with pytest.raises(medgroup.ScenarioError) as e:
        medgroup.load("scenarios/small.toml").set("population.signing_rate", 2.0)
    keys = [key for key, _ in e.value.problems]
    assert "population.signing_rate" in keys, e.value.problems


def test_bad_file_lists_every_problem():
    # A shipped bad input: the same problems `medgroup validate` prints.
    with pytest.raises(medgroup.ScenarioError) as e:
        medgroup.load("tests/bad_inputs/beds-zero.toml")
    assert e.value.problems and all(key for key, _ in e.value.problems)


def test_wrong_type_of_value():
    with pytest.raises(ValueError, match="bool, int, float, str"):
        medgroup.load("scenarios/small.toml").set("population.signing_rate", {"a": 1})


def test_compare_needs_arms():
    with pytest.raises(medgroup.ExperimentError):
        medgroup.compare("scenarios/small.toml")


def test_folder_of_another_experiment_is_refused(tmp_path):
    settings = dict(replications=1, days=30, warmup_days=0, progress=False)
    medgroup.run("scenarios/small.toml", out=tmp_path, **settings)
    with pytest.raises(medgroup.ExperimentError, match="force"):
        medgroup.run("scenarios/small.toml", seed=99, out=tmp_path, **settings)
