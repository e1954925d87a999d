"""medgroup from Python: scenarios, runs, comparisons and sweeps of the compact-city medical-group
simulation, with results as pandas DataFrames.

The engine is the same Rust library the ``medgroup`` command runs; an experiment writes the same
results folder the command line writes for the same scenario, seed and settings (its result
files byte for byte; the shard file holds the same rows in the order they finished), and this
package reads it::

    import medgroup
    s = medgroup.load("scenarios/small.toml").set("population.signing_rate", 0.8)
    r = medgroup.run(s, replications=4, seed=1)
    r.summary.head()            # summary.csv as a DataFrame
    r.report(lang="en")         # the HTML report, in the results folder

Long runs release the GIL, show progress (tqdm when it is installed, a line on stderr otherwise)
and stop cleanly on Ctrl-C (KeyboardInterrupt): the replications that finished are kept in the
results folder, and running the same experiment into it again resumes from them.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import weakref
from pathlib import Path
from typing import Any, Mapping, Optional, Sequence, Union

from . import _medgroup
from ._medgroup import Scenario, __version__

__all__ = [
    "Scenario",
    "ScenarioError",
    "ExperimentError",
    "Results",
    "load",
    "run",
    "compare",
    "sweep",
    "read",
    "__version__",
]


class ScenarioError(ValueError):
    """A scenario file, key or value was refused. ``problems`` lists every problem found as
    ``(key path, message)`` pairs (empty when the file could not be read or parsed at all)."""

    def __init__(self, message: str, problems: Sequence[tuple] = ()):
        super().__init__(message)
        self.problems = [tuple(p) for p in problems]


class ExperimentError(RuntimeError):
    """An experiment could not run: its folder is in use or belongs to another experiment, a
    file could not be written, or the arms cannot be compared."""

    def __init__(self, message: str, problems: Sequence[tuple] = ()):
        super().__init__(message)
        self.problems = [tuple(p) for p in problems]


def load(path: Union[str, os.PathLike]) -> Scenario:
    """Loads, resolves (``extends``) and validates a scenario file. Raises ScenarioError with every
    problem's key path and message."""
    return _medgroup.load(os.fspath(path))


ScenarioLike = Union[Scenario, str, os.PathLike]


def _scenario(s: ScenarioLike) -> Scenario:
    return s if isinstance(s, Scenario) else load(s)


class Results:
    """A results folder read into pandas.

    ``summary``, ``daily`` and ``replications`` are summary.csv, daily.csv and replications.jsonl
    (same columns and values); in a comparison they are the arms' files one after the other with
    an ``arm`` column in front, and ``comparison`` is comparison.csv (the paired differences); in
    a sweep ``summary`` is sweep_summary.csv and ``sweep`` is sweep.csv (every replication per
    point). ``manifest`` is manifest.json as a dict, ``arms`` the arms' own results. ``path`` is
    the folder; when no ``out`` was given it is a temporary folder removed with this object
    (``write`` keeps a copy)."""

    def __init__(self, path: Union[str, os.PathLike], _temporary: bool = False):
        self.path = Path(path)
        if not (self.path / "manifest.json").is_file():
            raise ExperimentError(f"{self.path} holds no finished results (manifest.json is missing)")
        self._cache: dict = {}
        if _temporary:
            weakref.finalize(self, shutil.rmtree, str(self.path), True)

    def _csv(self, name: str):
        if name not in self._cache:
            import pandas as pd

            file = self.path / name
            if not file.is_file():
                raise AttributeError(f"this {self.kind} results folder has no {name}")
            # NA is how the files write a missing value; an empty field is an empty breakdown.
            self._cache[name] = pd.read_csv(file, keep_default_na=False, na_values=["NA"])
        return self._cache[name]

    def _jsonl(self, name: str):
        if name not in self._cache:
            import pandas as pd

            with (self.path / name).open(encoding="utf-8") as f:
                self._cache[name] = pd.DataFrame.from_records([json.loads(line) for line in f])
        return self._cache[name]

    def _arms_joined(self, what: str):
        import pandas as pd

        frames = []
        for name, arm in self.arms.items():
            frame = getattr(arm, what).copy()
            frame.insert(0, "arm", name)
            frames.append(frame)
        return pd.concat(frames, ignore_index=True)

    @property
    def manifest(self) -> dict:
        """manifest.json: what was run (kind, scenario, seed, replications, days, files, …)."""
        return json.loads((self.path / "manifest.json").read_text(encoding="utf-8"))

    @property
    def kind(self) -> str:
        """``run``, ``compare`` or ``sweep``."""
        return self.manifest["kind"]

    @property
    def arms(self) -> dict:
        """A comparison's arms, base first: name → Results of its folder (``arms/<name>``)."""
        if self.kind != "compare":
            return {}
        return {a["name"]: Results(self.path / a["folder"]) for a in self.manifest["arms"]}

    @property
    def summary(self):
        """Every metric's mean, SD and 95 % CI per breakdown (per arm in a comparison, per point
        in a sweep)."""
        kind = self.kind
        if kind == "compare":
            return self._arms_joined("summary")
        return self._csv("sweep_summary.csv" if kind == "sweep" else "summary.csv")

    @property
    def daily(self):
        """daily.csv: the daily series, mean across replications, per day (per arm in a
        comparison)."""
        return self._arms_joined("daily") if self.kind == "compare" else self._csv("daily.csv")

    @property
    def replications(self):
        """replications.jsonl: one row per replication and metric (per arm in a comparison)."""
        return self._arms_joined("replications") if self.kind == "compare" else self._jsonl("replications.jsonl")

    @property
    def comparison(self):
        """comparison.csv (compare): paired differences of every arm against the base, with CIs
        and the verdict against the minimal important difference."""
        return self._csv("comparison.csv")

    @property
    def sweep(self):
        """sweep.csv (sweep): every replication's value of each metric per point."""
        return self._csv("sweep.csv")

    def write(self, path: Union[str, os.PathLike], force: bool = False) -> Path:
        """Copies the results folder to ``path`` (what ``medgroup run --out path`` writes for the
        same experiment; its result files byte for byte). Refuses a folder that exists and is not
        empty, unless it holds a copy of this same experiment or ``force``."""
        dest = Path(path)
        if dest.resolve() == self.path.resolve():
            return dest
        same = (dest / "folder.json").is_file() and (dest / "folder.json").read_bytes() == (
            self.path / "folder.json"
        ).read_bytes()
        if dest.exists() and any(dest.iterdir()):
            if not (force or same):
                raise ExperimentError(f"{dest} exists and is not empty: choose another folder, or force=True")
            shutil.rmtree(dest)
        shutil.copytree(self.path, dest, dirs_exist_ok=True)
        return dest

    def report(self, lang: str = "zh", path: Optional[Union[str, os.PathLike]] = None) -> Path:
        """Writes the HTML report in ``lang`` ("zh" or "en") to ``path`` (default:
        ``report.<lang>.html`` in the results folder) and returns where it went."""
        return Path(_medgroup.report(str(self.path), lang, None if path is None else os.fspath(path)))

    def __repr__(self) -> str:
        m = self.manifest
        what = m.get("scenario") or " vs ".join(self.arms)
        return f"<medgroup.Results {m['kind']} {what!r}: {m['replications']} replication(s) in {self.path}>"


def read(path: Union[str, os.PathLike]) -> Results:
    """Reads a results folder written by the command line or by this package."""
    return Results(path)


class _Bar:
    """Progress on stderr: tqdm (notebook-aware) when it is installed, a line otherwise."""

    def __init__(self, total: int, what: str, show: bool):
        self.total, self.what, self.show, self.shown = total, what, show, -1
        self.tqdm = None
        if show:
            try:
                from tqdm.auto import tqdm

                self.tqdm = tqdm(total=total, desc=what, unit="replication")
            except ImportError:
                pass

    def update(self, done: int) -> None:
        if not self.show or done == self.shown:
            return
        if self.tqdm is not None:
            self.tqdm.update(done - max(self.shown, 0))
        else:
            end = "\n" if done >= self.total else ""
            print(f"\r{self.what}: {done}/{self.total} replication(s)", end=end, file=sys.stderr, flush=True)
        self.shown = done

    def close(self) -> None:
        if self.tqdm is not None:
            self.tqdm.close()


def _execute(
    kind: str,
    scenarios: Sequence[Scenario],
    out: Optional[Union[str, os.PathLike]],
    progress: bool,
    force: bool,
    **settings: Any,
) -> Results:
    temporary = out is None
    folder = tempfile.mkdtemp(prefix=f"medgroup-{kind}-") if temporary else os.fspath(out)
    try:
        job = _medgroup.start(kind, list(scenarios), folder, force=force, command=f"python: medgroup.{kind}", **settings)
    except BaseException:
        if temporary:
            shutil.rmtree(folder, ignore_errors=True)
        raise
    bar = _Bar(job.total, f"{kind} {scenarios[0].name}", progress)
    try:
        while not job.wait(0.2):
            bar.update(job.done)
        bar.update(job.done)
    except KeyboardInterrupt:
        job.stop()
        finished, done, total = job.join()
        bar.close()
        print(
            f"\ninterrupted: {done} of {total} replication(s) finished and kept in {folder}; "
            f"run the same experiment with out={folder!r} to resume",
            file=sys.stderr,
        )
        raise
    bar.close()
    try:
        finished, done, total = job.join()
    except BaseException:
        if temporary:
            shutil.rmtree(folder, ignore_errors=True)
        raise
    if not finished:  # stopped without an interrupt here: nothing else sets the flag
        raise ExperimentError(f"stopped with {done} of {total} replication(s) in {folder}")
    return Results(folder, _temporary=temporary)


def run(
    scenario: ScenarioLike,
    replications: Optional[int] = None,
    seed: Optional[int] = None,
    days: Optional[int] = None,
    warmup_days: Optional[int] = None,
    threads: Optional[int] = None,
    out: Optional[Union[str, os.PathLike]] = None,
    force: bool = False,
    progress: bool = True,
) -> Results:
    """Runs ``replications`` of a scenario (a Scenario or a path), as ``medgroup run`` does with
    ``--replications``, ``--seed``, ``--days``, ``--warmup-days``, ``--threads``, ``--out`` and
    ``--force``. Results do not depend on ``threads``. Without ``out`` the folder is temporary."""
    s = _scenario(scenario)
    return _execute(
        "run", [s], out, progress, force,
        replications=replications, seed=seed, days=days, warmup_days=warmup_days, threads=threads,
    )


def compare(
    base: ScenarioLike,
    *arms: ScenarioLike,
    replications: Optional[int] = None,
    seed: Optional[int] = None,
    days: Optional[int] = None,
    warmup_days: Optional[int] = None,
    threads: Optional[int] = None,
    independent: bool = False,
    out: Optional[Union[str, os.PathLike]] = None,
    force: bool = False,
    progress: bool = True,
) -> Results:
    """Compares each arm with ``base`` under common random numbers (``independent=True``: each
    arm on its own seeds), as ``medgroup compare`` does. ``.comparison`` holds the paired
    differences as a DataFrame."""
    if not arms:
        raise ExperimentError("compare needs a base scenario and at least one arm")
    scenarios = [_scenario(s) for s in (base, *arms)]
    return _execute(
        "compare", scenarios, out, progress, force,
        replications=replications, seed=seed, days=days, warmup_days=warmup_days, threads=threads,
        independent=independent,
    )


def sweep(
    base: ScenarioLike,
    grid: Mapping[str, Sequence[Any]],
    replications: Optional[int] = None,
    seed: Optional[int] = None,
    days: Optional[int] = None,
    warmup_days: Optional[int] = None,
    threads: Optional[int] = None,
    independent: bool = False,
    out: Optional[Union[str, os.PathLike]] = None,
    force: bool = False,
    progress: bool = True,
) -> Results:
    """Sweeps ``base`` over a grid, e.g. ``{"population.signing_rate": [0.3, 0.6, 0.9]}``: every
    combination of the listed values (first key slowest), as ``medgroup sweep --set
    key=v1,v2,…`` does. ``.sweep`` holds each metric per point."""
    if not grid:
        raise ExperimentError("a sweep needs at least one key with values")
    axes = [(key, list(values) if not isinstance(values, (str, bytes)) else [values]) for key, values in grid.items()]
    return _execute(
        "sweep", [_scenario(base)], out, progress, force,
        replications=replications, seed=seed, days=days, warmup_days=warmup_days, threads=threads,
        independent=independent, grid=axes,
    )
