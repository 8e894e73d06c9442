"""The bindings crate (rust/py/src) stays easy to live in: no import cycle
among its modules and no module far over ~500 lines (the brief's house
rule, issue 14). Reads the sources; nothing is built."""

import re
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "rust" / "py" / "src"
MAX_LINES = 520  # "about 500"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] in ("mod", "lib"):
        parts.pop()
    return "::".join(parts)


def _top_level_graph() -> dict[str, set[str]]:
    modules = {_module_name(p): p for p in SRC.rglob("*.rs")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        top = name.split("::")[0]
        text = re.sub(r"//.*", "", path.read_text(encoding="utf-8"))
        deps = graph.setdefault(top, set())
        for ref in re.findall(r"crate::([a-z_0-9]+)", text):
            if ref in modules and ref != top:
                deps.add(ref)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    # Tarjan's strongly connected components; any with two or more members
    # is a cycle.
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycle_among_binding_modules():
    graph = _top_level_graph()
    assert {"record", "field", "walk", "storage"} <= graph.keys()
    assert _cycles(graph) == []


def test_no_binding_module_is_far_over_500_lines():
    sizes = {str(p.relative_to(SRC)): len(p.read_text(encoding="utf-8").splitlines()) for p in SRC.rglob("*.rs")}
    assert {name: n for name, n in sizes.items() if n > MAX_LINES} == {}
