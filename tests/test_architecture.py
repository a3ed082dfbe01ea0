"""The package layout is a one-way flow, checked from the source itself.

A module that imports one that imports it back (even from inside a function) hides the order in
which the app is put together and breaks when either moves; a shared module that reaches up into
``web``, ``build`` or ``publish`` drags the server into the build or the build into the server.
Nor does one blueprint import another (what two areas share belongs in a helper). These tests
read every module of ``src/mwg_graph`` with :mod:`ast` (nothing is imported or run),
so they see imports at any depth, absolute or relative.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = "mwg_graph"
SOURCE = Path(__file__).resolve().parents[1] / "src" / PACKAGE

# Shared at the top level: anything may use them, they use nothing above them.
SHARED = ("config", "iris", "dist", "formats", "jsonld", "names", "search_index", "store",
          "remote_http")  # fmt: skip
# Who may not import whom: (importer prefix, forbidden imported prefixes).
LAYERS = [
    *((f"{PACKAGE}.{name}", ("web", "build", "publish")) for name in SHARED),
    (f"{PACKAGE}.sparql", ("web", "build", "publish")),
    (f"{PACKAGE}.build", ("web", "publish")),
    # a web worker reads releases through dist.py and never loads the build (pySHACL and all)
    (f"{PACKAGE}.web", ("build",)),
]


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SOURCE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(SOURCE.rglob("*.py"))}


def imported_names(name: str, path: Path, known: set[str]) -> set[str]:
    """The package's modules ``name`` imports anywhere in its file: ``from a import b`` counts as
    ``a.b`` when that is a module, else as ``a``; relative imports are resolved against ``name``."""
    is_package = path.name == "__init__.py"
    here = name.split(".") if is_package else name.split(".")[:-1]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base_parts = here[: len(here) - (node.level - 1)] if node.level > 1 else here
                base = ".".join(base_parts + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            targets = [f"{base}.{alias.name}" for alias in node.names]
            targets = [t if t in known else base for t in targets]
        else:
            continue
        for target in targets:
            while target and target not in known:  # import a.b.c where only a.b is ours
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def defines_blueprint(path: Path) -> bool:
    """Does the module make a Flask blueprint at its top level (``bp = Blueprint(...)``)?"""
    for node in ast.parse(path.read_text(encoding="utf-8"), str(path)).body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
            called = node.value.func
            if isinstance(called, ast.Name) and called.id == "Blueprint":
                return True
    return False


def import_graph() -> dict[str, set[str]]:
    found = modules()
    known = set(found)
    return {name: imported_names(name, path, known) for name, path in found.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected group of more than one module (Tarjan), each as one cycle path."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[set[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for after in sorted(graph.get(node, ())):
            if after not in index:
                visit(after)
                low[node] = min(low[node], low[after])
            elif after in on_stack:
                low[node] = min(low[node], index[after])
        if low[node] == index[node]:
            group = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.add(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(group)

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return [cycle_in(graph, group) for group in groups]


def cycle_in(graph: dict[str, set[str]], group: set[str]) -> list[str]:
    """One concrete loop through ``group``, start → … → start, so the failure names the imports."""
    start = min(group)
    paths = {start: [start]}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for after in sorted(graph[node] & group):
            if after == start:
                return paths[node] + [start]
            if after not in paths:
                paths[after] = paths[node] + [after]
                queue.append(after)
    return sorted(group)


def test_the_graph_reader_sees_imports_at_every_depth() -> None:
    """The checker itself: a cycle made by an import inside a function is still a cycle."""
    graph = {"p.a": {"p.b"}, "p.b": {"p.c"}, "p.c": {"p.a"}, "p.d": {"p.a"}}
    assert cycles(graph) == [["p.a", "p.b", "p.c", "p.a"]]
    assert cycles({"p.a": {"p.b"}, "p.b": set()}) == []
    found = import_graph()
    # web.app imports its views only inside create_app: it must still be seen.
    assert f"{PACKAGE}.web.views" in found[f"{PACKAGE}.web.app"] or any(
        name.startswith(f"{PACKAGE}.web.views") for name in found[f"{PACKAGE}.web.app"]
    )


def test_no_module_imports_one_that_imports_it_back() -> None:
    found = cycles(import_graph())
    assert not found, "import cycles:\n" + "\n".join(" → ".join(cycle) for cycle in found)


@pytest.mark.parametrize(("importer", "forbidden"), LAYERS, ids=[layer[0] for layer in LAYERS])
def test_lower_layers_do_not_import_higher_ones(importer: str, forbidden: tuple[str, ...]) -> None:
    graph = import_graph()
    wrong = sorted(
        f"{name} imports {target}"
        for name, targets in graph.items()
        if name == importer or name.startswith(importer + ".")
        for target in targets
        if any(
            target == f"{PACKAGE}.{up}" or target.startswith(f"{PACKAGE}.{up}.") for up in forbidden
        )
    )
    assert not wrong, "\n".join(wrong)


def test_no_blueprint_imports_another() -> None:
    """What two areas of the site share lives in a helper (``web/views/common.py``), not in one of
    them: a blueprint that imports another drags that area in and invites cycles."""
    blueprints = {name for name, path in modules().items() if defines_blueprint(path)}
    assert f"{PACKAGE}.web.views.pages" in blueprints and len(blueprints) >= 9
    graph = import_graph()
    wrong = sorted(
        f"{name} imports {target}" for name in blueprints for target in graph[name] & blueprints
    )
    assert not wrong, "\n".join(wrong)


APP_WIDE = {  # Blueprint methods that install something on the whole app, not on the blueprint
    "record",
    "record_once",
    "before_app_request",
    "after_app_request",
    "teardown_app_request",
    "app_errorhandler",
    "app_context_processor",
    "app_template_filter",
    "app_template_global",
    "app_template_test",
    "app_url_defaults",
    "app_url_value_preprocessor",
}


def test_blueprints_install_nothing_app_wide() -> None:
    """``create_app`` is the one list of what runs around a view: a blueprint that installs a hook
    or handler for the whole app hides it there."""
    wrong = []
    for name, path in modules().items():
        if not defines_blueprint(path):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Attribute) and node.attr in APP_WIDE:
                wrong.append(f"{name}:{node.lineno} uses .{node.attr}")
    assert not wrong, "\n".join(wrong)
