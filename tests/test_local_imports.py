"""Function-local imports are the exception (issue 13, "Explicit wiring"): only those in
ALLOWED, each a deliberate lazy load, and each says why in a comment. No module imports
another that imports it back (cycles were cut, not hidden in functions), and the command
line loads the web stack only for the commands that serve the app.

An import inside a function passes when a comment sits on its own line, on the line just
above it, or above the run of imports it belongs to."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ("flows", "hrw_sms", "workers")

# (file, module imported inside a function): why it may be.
ALLOWED = {
    ("hrw_sms/demo/embedded.py", "fakeredis"): "heavy (Lua), needed only without redis-server",
}


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


def sources() -> list[Path]:
    return [p for name in SOURCES for p in sorted((ROOT / name).rglob("*.py"))]


def local_imports(path: Path, root: Path = ROOT) -> set[tuple[str, str]]:
    """(file, module) of each import inside a function of `path`."""
    found = set()
    for fn in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
            for node in ast.walk(fn):
                if isinstance(node, ast.Import):
                    found.update((str(path.relative_to(root)), a.name) for a in node.names)
                elif isinstance(node, ast.ImportFrom):
                    found.add((str(path.relative_to(root)), node.module or "."))
    return found


def test_only_the_allowed_function_local_imports() -> None:
    found = {entry for path in sources() for entry in local_imports(path)}
    assert found == set(ALLOWED), "function-local imports not in ALLOWED (or gone from it)"


def test_every_function_local_import_says_why() -> None:
    missing = [entry for path in sources() for entry in unexplained(path)]
    assert missing == [], "function-local imports without a reason:\n" + "\n".join(missing)


def module_of(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_by(path: Path, modules: set[str]) -> set[str]:
    """Our modules `path` imports anywhere in it (`from pkg import sub` counts as `pkg.sub`;
    a module's own package is not counted: Python loads it first, whoever imports what)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for a in node.names:
                sub = f"{node.module}.{a.name}"
                found.add(sub if sub in modules else node.module)
    return found & modules


def test_no_module_imports_one_that_imports_it_back() -> None:
    """tests/test_layers.py keeps packages acyclic; this keeps modules acyclic too, so no
    import needs hiding in a function to break a cycle."""
    paths = {module_of(p): p for p in sources()}
    graph = {m: imported_by(p, set(paths)) - {m} for m, p in paths.items()}
    cycles = []
    for start in graph:  # depth-first from each module: does any path lead back to it?
        seen, todo = set(), [(start, (start,))]
        while todo:
            node, trail = todo.pop()
            for nxt in graph[node]:
                if nxt == start:
                    cycles.append(" -> ".join((*trail, start)))
                elif nxt not in seen:
                    seen.add(nxt)
                    todo.append((nxt, (*trail, nxt)))
    assert cycles == []


def test_the_command_line_loads_the_web_stack_only_to_serve_it() -> None:
    """`hrw-sms worker` (the Procfile) and every other command import neither Flask nor the
    app: only `chat` and `demo` load them, when run (hrw_sms.cli.SERVING)."""
    probe = (
        "import sys; from hrw_sms.cli import main;"
        "print(sorted(m for m in ('flask', 'hrw_sms.app', 'hrw_sms.demo.world') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"


def test_the_check_sees_an_unexplained_import(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import os\n\n\n"
        "def bare():\n    import json\n    import re\n\n\n"
        "def said():\n    # lazy: heavy\n    import json\n    import re\n\n\n"
        "def inline():\n    import json  # cycle\n"
    )
    assert unexplained(sample, tmp_path) == ["sample.py:5", "sample.py:6"]
