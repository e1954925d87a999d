"""The Python examples of python/README.md run as written (the walk-through and the error
example; the reading recipes need a folder the command line made, and R)."""

import re
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def blocks():
    text = README.read_text(encoding="utf-8")
    walk = text[text.index("## A walk-through"):text.index("## Reading a results folder")]
    return re.findall(r"```python\n(.*?)```", walk, flags=re.S)


def test_walk_through_runs():
    found = blocks()
    assert len(found) == 2, "the walk-through and the error example"
    namespace = {}
    for code in found:
        exec(compile(code, str(README), "exec"), namespace)
    assert Path("results/town-seed7/summary.csv").is_file()
    # Run twice, as a reader might: writing the same experiment again into its folder works.
    namespace["r"].write("results/town-seed7")
