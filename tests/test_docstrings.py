"""Every public function and method has a docstring (shapes, units, errors, the rule's source).

Checked with `ast` over every .py file of the three packages in CHECKED (README, "Layout").
Click commands' docstrings are their --help text, so they count too."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHECKED = ("flows", "hrw_sms", "workers")


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
