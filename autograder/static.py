"""Read an answer cell's source for forbidden built-ins, whatever spelling it uses.

The runtime check (``Probe.ops``, a TorchFunctionMode) sees every PyTorch call that goes through
Python, but student code can reach below it (``torch.ops.aten``, ``torch._C``) or switch it off.
This static check closes those doors in the answer cell: attributes and imports of the forbidden
names, and the ways around any check (dynamic lookups, ``eval``, the C bindings).
"""

from __future__ import annotations

import ast

# Attributes that reach PyTorch's operators without going through its Python functions.
_LOW_LEVEL = {"ops", "_C", "_VF", "_ops", "_refs", "_prims", "_decomp", "_torch_function_mode"}
# Calls that run strings as code or look up names by string in a namespace.
_DYNAMIC = {"__import__", "eval", "exec", "compile", "globals", "vars", "locals"}
# Lookups by string are fine on the student's own objects (getattr(self, f"fc{i}")), not on a
# library module, where they reach a forbidden function under a name no reader sees.
_LOOKUPS = {"getattr", "attrgetter", "methodcaller"}
_LIBRARIES = {"torch", "F", "nn", "np", "numpy", "sklearn", "scipy", "math", "course", "functional"}
_DYNAMIC_MODULES = {"importlib", "ctypes", "builtins"}


def _module_path(node: ast.AST) -> str:
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
    return ".".join(reversed(parts))


def _called_name(node: ast.Call) -> str:
    func = node.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def _bound_names(tree: ast.AST) -> set[str]:
    """Names the cell itself defines (functions, classes, arguments, assignments, imports)."""
    bound: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            bound.add(node.name)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            bound.add(node.id)
        elif isinstance(node, ast.alias):
            bound.add((node.asname or node.name).split(".")[0])
    return bound


def defined_names(source: str) -> set[str]:
    """Names a cell's source defines (empty when it does not parse)."""
    try:
        return _bound_names(ast.parse(source))
    except SyntaxError:
        return set()


def forbidden_uses(source: str, names: set[str], own: set[str] = frozenset()) -> list[str]:
    """Where ``source`` names one of ``names`` or reaches around a runtime check, as
    "line N: what" strings (empty when clean or when the source does not parse). A bare name
    counts unless the cell defines it or it is in ``own`` (what the student's other answer cells
    define: a tanh built on the student's own sigmoid is fine)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    found: list[str] = []
    bound = _bound_names(tree) | set(own)
    imported = {
        (alias.asname or alias.name).split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }

    def add(node: ast.AST, what: str) -> None:
        found.append(f"line {getattr(node, 'lineno', '?')}: {what}")

    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and node.attr == "modules"
            and _module_path(node).startswith("sys.")
        ):
            add(node, "`sys.modules`")
        elif isinstance(node, ast.Attribute):
            if node.attr in names:
                add(node, f"`{_module_path(node) or node.attr}`")
            elif node.attr in _LOW_LEVEL:
                add(node, f"`{_module_path(node)}` (PyTorch's low-level operators)")
        elif isinstance(node, ast.ImportFrom):
            module = (node.module or "").split(".")
            for alias in node.names:
                if alias.name in names or alias.name in _LOW_LEVEL or alias.name == "*":
                    add(node, f"`from {node.module} import {alias.name}`")
            if module[0] in _DYNAMIC_MODULES or set(module) & (names | _LOW_LEVEL):
                add(node, f"`from {node.module} import ...`")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                parts = set(alias.name.split("."))
                if parts & (names | _LOW_LEVEL) or alias.name.split(".")[0] in _DYNAMIC_MODULES:
                    add(node, f"`import {alias.name}`")
        elif isinstance(node, ast.Name) and node.id in _DYNAMIC:
            add(node, f"`{node.id}`")
        elif isinstance(node, ast.Call) and _called_name(node) in _LOOKUPS and node.args:
            target = _module_path(node.args[0]).split(".")[0]
            if _called_name(node) != "getattr" or target in _LIBRARIES | imported:
                add(node, f"`{_called_name(node)}` on `{_module_path(node.args[0]) or '...'}`")
        elif isinstance(node, ast.Name) and node.id in names and node.id not in bound:
            add(node, f"`{node.id}` (defined outside this cell)")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in names:
            add(node, f"the string {node.value!r}")
    return found
