"""Function-local imports are the exception, and each one says why (issue 13, "Explicit
wiring"): an import cycle that cannot be cut, or a deliberate lazy load (the demo stack
for one CLI command, fakeredis only without redis-server).

An import inside a function passes when a comment sits on its own line, on the line just
above it, or above the run of imports it belongs to."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ("flows", "hrw_sms", "workers")


def unexplained(path: Path, root: Path = ROOT) -> list[str]:
    """`path:line` of each import inside a function with no comment saying why."""
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    local: dict[int, int] = {}  # first line -> last line of each function-local import
    for fn in ast.walk(ast.parse(text, str(path))):
        if isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
            for node in ast.walk(fn):
                if isinstance(node, ast.Import | ast.ImportFrom):
                    local[node.lineno] = node.end_lineno or node.lineno
    ends = {end: start for start, end in local.items()}
    found = []
    for start in sorted(local):
        first = start
        while first - 1 in ends:  # climb the run of imports this one belongs to
            first = ends[first - 1]
        own = any("#" in lines[n - 1] for n in range(start, local[start] + 1))
        above = first >= 2 and lines[first - 2].strip().startswith("#")
        if not (own or above):
            found.append(f"{path.relative_to(root)}:{start}")
    return found


def test_every_function_local_import_says_why() -> None:
    paths = [p for name in SOURCES for p in sorted((ROOT / name).rglob("*.py"))]
    missing = [entry for path in paths for entry in unexplained(path)]
    assert missing == [], "function-local imports without a reason:\n" + "\n".join(missing)


def test_the_check_sees_an_unexplained_import(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import os\n\n\n"
        "def bare():\n    import json\n    import re\n\n\n"
        "def said():\n    # lazy: heavy\n    import json\n    import re\n\n\n"
        "def inline():\n    import json  # cycle\n"
    )
    assert unexplained(sample, tmp_path) == ["sample.py:5", "sample.py:6"]
