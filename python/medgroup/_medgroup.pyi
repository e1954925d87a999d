"""Type hints of the compiled core (medgroup._medgroup). Use the functions of `medgroup`."""

from os import PathLike
from pathlib import Path
from typing import Any, List, Optional, Sequence, Tuple, Union

__version__: str

_Value = Union[bool, int, float, str, Sequence["_Value"]]

class Scenario:
    """A resolved, validated scenario (`medgroup.load`)."""

    @property
    def name(self) -> str: ...
    @property
    def files(self) -> List[Path]:
        """The file it was loaded from, then each file it extends."""
    @property
    def hash(self) -> str:
        """The stable hash of the resolved scenario (as in manifest.json)."""
    def set(self, key: str, value: _Value) -> "Scenario":
        """Sets `key` (a `--set` key path) to `value`, validating again; returns the scenario."""
    def get(self, key: str) -> Any:
        """The value at `key`, or None."""
    def to_toml(self) -> str:
        """The resolved scenario as TOML."""

class Job:
    @property
    def done(self) -> int: ...
    @property
    def total(self) -> int: ...
    @property
    def resumed(self) -> int: ...
    @property
    def out(self) -> Path: ...
    def wait(self, timeout: float) -> bool: ...
    def stop(self) -> None: ...
    def join(self) -> Tuple[bool, int, int]: ...

def load(path: Union[str, PathLike]) -> Scenario: ...
def start(
    kind: str,
    scenarios: Sequence[Scenario],
    out: Union[str, PathLike],
    *,
    replications: Optional[int] = ...,
    seed: Optional[int] = ...,
    days: Optional[int] = ...,
    warmup_days: Optional[int] = ...,
    threads: Optional[int] = ...,
    force: bool = ...,
    independent: bool = ...,
    grid: Optional[Sequence[Tuple[str, Sequence[_Value]]]] = ...,
    command: str = ...,
) -> Job: ...
def report(folder: Union[str, PathLike], lang: str = ..., path: Optional[Union[str, PathLike]] = ...) -> Path: ...
def default_folder(command: str, names: Sequence[str]) -> Path: ...
