"""The layout docs/architecture.md describes: its package list matches the tree, imports run
only down the stages, and no modules import each other in a circle."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "newsbook"
DOC = ROOT / "docs" / "architecture.md"

# The stages in the order a build runs them; a module may import its own stage and earlier ones.
STAGES = ["sources", "model", "render", "builders", "build"]
# What every module may import: the package's version, the model's dataclasses and errors, and
# the build's clock.
VOCABULARY = {"newsbook", "newsbook.model", "newsbook.model.errors", "newsbook.clock"}
MACHINERY = "speed"
# On top of the stages and the machinery: they may import anything, nothing below imports them.
TOP = {"cli", "archive", "serve", "deliver", "__main__"}


def modules() -> dict[str, Path]:
    """Every module of the package by dotted name (a package by its __init__.py)."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _type_checking(node: ast.AST) -> bool:
    test = getattr(node, "test", None)
    return isinstance(node, ast.If) and (
        (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING")
        or (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"))


def imports(path: Path, known: dict[str, Path]) -> set[str]:
    """The newsbook modules a module imports anywhere (functions too), not for type checking."""
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    package = parts[:-1] if parts[-1] != "__init__" else parts[:-1]
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if _type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.split(".")[0] == "newsbook")
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:  # relative: from the module's own package, or above it
                base = package[:len(package) - node.level + 1]
                module = ".".join([*base, module] if module else base)
            if module.split(".")[0] == "newsbook":
                for alias in node.names:
                    sub = f"{module}.{alias.name}"
                    found.add(sub if sub in known else module)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(path.read_text(encoding="utf-8")))
    return found


def layer(module: str) -> str:
    """The top-level package (or module) of newsbook a module belongs to."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def graph() -> dict[str, set[str]]:
    """Every module's imports of other newsbook modules."""
    known = modules()
    return {name: imports(path, known) - {name} for name, path in known.items()}


def documented_packages() -> set[str]:
    """The packages and modules listed under "## Packages" in docs/architecture.md."""
    text = DOC.read_text(encoding="utf-8")
    section = text.split("## Packages", 1)[1].split("\n## ", 1)[0]
    return {m.rstrip("/") for m in re.findall(r"^- `([\w/.]+)`", section, flags=re.M)}


def test_the_documented_packages_are_the_tree():
    """Every top-level entry of src/newsbook, and every subpackage, is in the doc's list."""
    tree = set()
    for entry in PACKAGE.iterdir():
        if entry.is_dir() and (entry / "__init__.py").exists():
            tree.add(entry.name)
            tree.update(f"{entry.name}/{sub.name}" for sub in entry.iterdir()
                        if sub.is_dir() and (sub / "__init__.py").exists())
        elif entry.suffix == ".py" and entry.name not in ("__init__.py", "__main__.py"):
            tree.add(entry.name)
    assert documented_packages() == tree


def test_every_package_says_what_goes_in_and_out():
    """Each package opens with a docstring (the paragraph docs/architecture.md builds on)."""
    bare = [str(init.relative_to(PACKAGE)) for init in PACKAGE.rglob("__init__.py")
            if ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))) is None]
    assert bare == []


def allowed(source: str, target: str) -> bool:
    """Whether module `source` may import module `target` under the layering rules."""
    if target in VOCABULARY:
        return True
    mine, theirs = layer(source), layer(target)
    if mine == theirs or mine in TOP:
        return True
    if theirs in TOP:
        return False
    if mine == MACHINERY:
        return theirs in STAGES
    if theirs == MACHINERY:
        return mine == "build"
    if mine in STAGES and theirs in STAGES:
        return STAGES.index(theirs) <= STAGES.index(mine)
    return False  # the vocabulary (clock.py, newsbook/__init__) imports no stage


def test_imports_run_down_the_stages():
    """No import from an earlier stage to a later one, from a stage to the machinery (but the
    build's), or from below to the command line and the feature packages."""
    wrong = sorted(f"{source} -> {target}" for source, targets in graph().items()
                   for target in targets if not allowed(source, target))
    assert wrong == []


def test_no_import_circles():
    """No set of modules imports each other round in a circle (lazy imports count too)."""
    edges = graph()
    # Tarjan's strongly connected components.
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    circles: list[list[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            if nxt not in edges:
                continue
            if nxt not in index:
                connect(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            connect(node)
    assert circles == []


def test_the_checks_see_a_wrong_import():
    """The rules above catch what they are for (a check that passes on anything proves nothing)."""
    assert not allowed("newsbook.sources.html", "newsbook.model.clean")
    assert not allowed("newsbook.model.assemble", "newsbook.render.environment")
    assert not allowed("newsbook.builders.pdf", "newsbook.speed.pdfparts")
    assert not allowed("newsbook.build.config", "newsbook.deliver")
    assert allowed("newsbook.build.pipeline", "newsbook.speed.readahead")
    assert allowed("newsbook.speed.prerender", "newsbook.render.environment")
    assert allowed("newsbook.sources.html", "newsbook.model.errors")


def test_the_top_level_stays_small():
    """At the top: the stages, the machinery, the command line, the feature packages and the
    clock; a new module belongs in one of them."""
    entries = sorted(e.name for e in PACKAGE.iterdir()
                     if e.name not in ("__init__.py", "__main__.py", "__pycache__"))
    assert len(entries) <= 11, entries


def test_no_module_is_long():
    """Every module stays readable in one sitting: about 400 lines at most (sources/fetch.py's
    Fetcher class alone is 370)."""
    long = {name: n for name, path in modules().items()
            if (n := len(path.read_text(encoding="utf-8").splitlines())) > 410}
    assert long == {}
