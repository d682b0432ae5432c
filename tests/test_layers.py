"""The layout keeps its layers: imports run only downwards (README, "Layout").

Reads every import of flows/, workers/ and hrw_sms/ with `ast` (function-local and
TYPE_CHECKING imports count too: they are dependencies all the same) and checks that
- each package (flows, workers, each sub-package of hrw_sms, each top-level module of
  hrw_sms) imports only packages of a lower layer in LAYERS, so the graph has no cycle;
- flows/ imports nothing that does I/O (no Redis, HTTP, Twilio, queues, shell);
- only hrw_sms/cli/ imports click;
- in flows/, the role flows (coordinator, host) do not import the participant flow back.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ("flows", "workers", "hrw_sms")

# Lowest first. A package may import only packages of a lower layer; packages sharing a layer
# may not import each other. A new room (the console, the peer line) must be placed here.
LAYERS: tuple[frozenset[str], ...] = tuple(
    frozenset(layer.split())
    for layer in (
        "flows",
        "hrw_sms hrw_sms.base",
        "hrw_sms.store",
        "hrw_sms.meetings",
        "hrw_sms.jobs",
        "hrw_sms.handlers",
        "hrw_sms.web workers",
        "hrw_sms.demo",
        "hrw_sms.app hrw_sms.gunicorn_logs",
        "hrw_sms.cli",
        "hrw_sms.__main__",
    )
)
RANK = {name: i for i, layer in enumerate(LAYERS) for name in layer}

# Libraries that talk to the world; flows/ is pure and uses none of them (nor the shell).
IO_MODULES = frozenset(
    [
        "redis",
        "fakeredis",
        "flask",
        "werkzeug",
        "gunicorn",
        "twilio",
        "requests",
        "urllib3",
        "rq",
        "click",
        "socket",
        "subprocess",
        "http",
        "urllib",
        "hrw_sms",
        "workers",
        "tests",
    ]
)
ROLE_FLOWS = ("flows.coordinator", "flows.host")


@dataclass(frozen=True)
class Import:
    source: str  # the importing module, dotted
    target: str  # the imported module (or package), dotted
    path: str  # relative to the checkout
    line: int

    def where(self) -> str:
        return f"{self.path}:{self.line} imports {self.target}"


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path, root: Path = ROOT) -> Iterator[Import]:
    """Every import statement in `path`, resolved to absolute dotted names."""
    name = module_name(path, root)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    where = str(path.relative_to(root))
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(name, alias.name, where, node.lineno)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            for alias in node.names:  # `from pkg import module` depends on pkg.module
                yield Import(name, f"{module}.{alias.name}", where, node.lineno)


def package_of(module: str, root: Path = ROOT) -> str | None:
    """The layered unit a module belongs to; None if it is not ours (a library)."""
    parts = module.split(".")
    if parts[0] in ("flows", "workers"):
        return parts[0]
    if parts[0] != "hrw_sms":
        return None
    if len(parts) == 1:
        return "hrw_sms"
    if (root / "hrw_sms" / parts[1]).is_dir():
        return f"hrw_sms.{parts[1]}"
    if (root / "hrw_sms" / f"{parts[1]}.py").is_file():
        return f"hrw_sms.{parts[1]}"
    return "hrw_sms"  # `from hrw_sms import NAME`: a name of the package itself


def all_imports(root: Path = ROOT) -> list[Import]:
    return [
        found
        for source in SOURCES
        for path in sorted((root / source).rglob("*.py"))
        for found in imports_of(path, root)
    ]


def package_arrows(found: list[Import], root: Path = ROOT) -> dict[tuple[str, str], list[Import]]:
    """(importing package, imported package) -> the imports behind that arrow."""
    arrows: dict[tuple[str, str], list[Import]] = {}
    for imp in found:
        a, b = package_of(imp.source, root), package_of(imp.target, root)
        if a is not None and b is not None and a != b:
            arrows.setdefault((a, b), []).append(imp)
    return arrows


def cycles(arrows: dict[tuple[str, str], list[Import]]) -> list[list[str]]:
    """The strongly connected groups of more than one package (Tarjan's algorithm)."""
    graph: dict[str, set[str]] = {}
    for a, b in arrows:
        graph.setdefault(a, set()).add(b)
        graph.setdefault(b, set())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def layer_faults(arrows: dict[tuple[str, str], list[Import]]) -> list[str]:
    faults = []
    for (a, b), imps in sorted(arrows.items()):
        if a not in RANK or b not in RANK:
            faults.append(f"{(a if a not in RANK else b)} has no layer in LAYERS")
        elif RANK[a] <= RANK[b]:
            faults.append(f"{a} may not import {b}: {imps[0].where()}")
    return faults


def test_every_package_has_a_layer() -> None:
    units = {package_of(module_name(p)) for s in SOURCES for p in (ROOT / s).rglob("*.py")}
    assert units - set(RANK) == set()


def test_imports_run_only_downwards() -> None:
    arrows = package_arrows(all_imports())
    assert cycles(arrows) == []
    assert layer_faults(arrows) == []


def test_flows_do_no_io() -> None:
    faults = [
        imp.where()
        for imp in all_imports()
        if imp.source.startswith("flows") and imp.target.split(".")[0] in IO_MODULES
    ]
    assert faults == []


def test_role_flows_do_not_import_the_participant_flow() -> None:
    faults = [
        imp.where()
        for imp in all_imports()
        if imp.source in ROLE_FLOWS and imp.target.startswith("flows.participant")
    ]
    assert faults == []
    # Inside flows/, module by module: no circle (one dispatcher composes the roles).
    modules = {module_name(p) for p in (ROOT / "flows").rglob("*.py")}
    graph: dict[tuple[str, str], list[Import]] = {}
    for imp in all_imports():
        target = imp.target if imp.target in modules else imp.target.rpartition(".")[0]
        if imp.source in modules and target in modules and target != imp.source:
            graph.setdefault((imp.source, target), []).append(imp)
    assert cycles(graph) == []


def test_click_only_in_the_cli() -> None:
    faults = [
        imp.where()
        for imp in all_imports()
        if imp.target.split(".")[0] == "click" and not imp.source.startswith("hrw_sms.cli")
    ]
    assert faults == []


# The checks themselves must be able to fail: a copy of the tree with one back-import added.
@pytest.mark.parametrize(
    ("module", "line", "rule", "circle"),
    [
        ("hrw_sms/store/keys.py", "from hrw_sms.web import sms", "hrw_sms.store", True),
        ("workers/outbound.py", "from hrw_sms.demo import loopback", "workers", True),
        ("hrw_sms/jobs/queues.py", "    import workers.deliver", "hrw_sms.jobs", True),
        (
            "hrw_sms/handlers/broadcasts.py",
            "from workers import broadcasts",
            "hrw_sms.handlers",
            True,
        ),
        ("hrw_sms/web/sms.py", "from workers import deliver", "hrw_sms.web", False),
    ],
)
def test_a_back_import_is_caught(
    tmp_path: Path, module: str, line: str, rule: str, circle: bool
) -> None:
    for source in SOURCES:
        for path in (ROOT / source).rglob("*.py"):
            copy = tmp_path / path.relative_to(ROOT)
            copy.parent.mkdir(parents=True, exist_ok=True)
            copy.write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    target = tmp_path / module
    if line.startswith(" "):  # a function-local import counts as much as a top-level one
        line = f"def _late() -> None:\n{line}"
    target.write_text(target.read_text(encoding="utf-8") + f"\n{line}\n", encoding="utf-8")
    arrows = package_arrows(all_imports(tmp_path), tmp_path)
    assert bool(cycles(arrows)) is circle
    assert any(fault.startswith(f"{rule} may not import") for fault in layer_faults(arrows))


# One owner per concept: a number's language choice, its id, its masking (README, "Layout").
def _calls(attribute: str, of: str) -> set[str]:
    """Modules (dotted) calling `of.attribute(...)`."""
    found = set()
    for source in SOURCES:
        for path in (ROOT / source).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                func = node.func if isinstance(node, ast.Call) else None
                if (
                    isinstance(func, ast.Attribute)
                    and func.attr == attribute
                    and isinstance(func.value, ast.Name)
                    and func.value.id == of
                ):
                    found.add(module_name(path))
    return found


def test_the_language_choice_has_one_owner() -> None:
    # The throttle's and the caller's Lua scripts read the hash too, by prefs.FIELD, given
    # its key (they run inside one atomic script, hrw_sms.handlers.arrival).
    owners = {
        "hrw_sms.store.prefs",
        "hrw_sms.store.keys",
        "hrw_sms.handlers.throttle",
        "hrw_sms.handlers.conversations",
    }
    assert _calls("prefs", "keys") - owners == set()


def test_a_number_has_one_id_and_one_mask() -> None:
    hashing = {imp.source for imp in all_imports() if imp.target.split(".")[0] == "hmac"}
    assert hashing == {"hrw_sms.store.identity"}  # identity.number_id, nowhere else
    masks = {
        module_name(path)
        for source in SOURCES
        for path in (ROOT / source).rglob("*.py")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.FunctionDef) and node.name in ("mask", "mask_in_text")
    }
    assert masks == {"hrw_sms.base.phone"}
