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
# Calls that look names up by string or run strings as code.
_DYNAMIC = {"getattr", "__import__", "eval", "exec", "compile", "globals", "vars", "locals"}
_DYNAMIC_MODULES = {"importlib", "ctypes", "builtins", "sys"}


def _module_path(node: ast.AST) -> str:
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
    return ".".join(reversed(parts))


def forbidden_uses(source: str, names: set[str]) -> list[str]:
    """Where ``source`` names one of ``names`` or reaches around a runtime check, as
    "line N: what" strings (empty when clean or when the source does not parse)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    found: list[str] = []

    def add(node: ast.AST, what: str) -> None:
        found.append(f"line {getattr(node, 'lineno', '?')}: {what}")

    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            if node.attr in names:
                add(node, f"`{_module_path(node) or node.attr}`")
            elif node.attr in _LOW_LEVEL:
                add(node, f"`{_module_path(node)}` (PyTorch's low-level operators)")
        elif isinstance(node, ast.ImportFrom):
            for alias in node.names:
                if alias.name in names or alias.name in _LOW_LEVEL or alias.name == "*":
                    add(node, f"`from {node.module} import {alias.name}`")
            if (node.module or "").split(".")[0] in _DYNAMIC_MODULES:
                add(node, f"`from {node.module} import ...`")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                parts = set(alias.name.split("."))
                if parts & (names | _LOW_LEVEL) or alias.name.split(".")[0] in _DYNAMIC_MODULES:
                    add(node, f"`import {alias.name}`")
        elif isinstance(node, ast.Name) and node.id in _DYNAMIC:
            add(node, f"`{node.id}`")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in names:
            add(node, f"the string {node.value!r}")
    return found
