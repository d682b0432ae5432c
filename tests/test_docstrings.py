"""Every public function and method has a docstring (shapes, units, errors, the rule's source).

Checked with `ast` over the packages listed in CHECKED. Other folders (the web layer, the
store, the CLI, the demo, the rest of flows/) are being reshaped by parallel work and join
the list as they are documented: add a path here, never remove one."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHECKED = (
    "workers",
    "hrw_sms/handlers",
    "hrw_sms/jobs",
    "flows/context.py",
    "flows/coordinator.py",
    "flows/dispatch.py",
    "flows/effects.py",
    "flows/graph.py",
    "flows/gsm.py",
    "flows/host.py",
    "flows/occurrences.py",
    "flows/pending.py",
    "flows/session.py",
    "flows/step.py",
)


def undocumented(path: Path) -> list[str]:
    """Public functions and methods of public classes in `path` without a docstring."""
    found: list[str] = []

    def visit(body: list[ast.stmt], prefix: str) -> None:
        for node in body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                if not node.name.startswith("_") and ast.get_docstring(node) is None:
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno} {prefix}{node.name}")
            elif isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
                visit(node.body, f"{node.name}.")

    visit(ast.parse(path.read_text()).body, "")
    return found


def files() -> list[Path]:
    out: list[Path] = []
    for name in CHECKED:
        target = ROOT / name
        out += sorted(target.rglob("*.py")) if target.is_dir() else [target]
    return out


def test_every_public_function_says_what_it_does() -> None:
    missing = [entry for path in files() for entry in undocumented(path)]
    assert missing == [], "\n".join(missing)


def test_the_check_sees_a_missing_docstring(tmp_path: Path) -> None:
    sample = ROOT / "tests" / "_docstring_sample.py"
    try:
        sample.write_text("def public():\n    pass\n\n\ndef _private():\n    pass\n")
        assert undocumented(sample) == ["tests/_docstring_sample.py:1 public"]
    finally:
        sample.unlink()
