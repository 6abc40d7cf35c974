"""Where CPython's ast says a module binds NAME at module or class level.

usage: bindings.py NAME ROOT

Walks ROOT for *.py files (skipping site-packages), and prints one JSON document:
{"files": [paths ast could parse], "bindings": [[path, line, column], ...]} with 1-based
columns of the bound name, for: `NAME = ...` (also chained), `NAME: T = ...`,
`from m import x as NAME` / `import m as NAME`, and Flask's shapes: `x.config['NAME'] = ...`,
`x.secret_key = ...` (for SECRET_KEY), and the keyword NAME= of a statement-level
`x.config.update(...)`, `x.config.from_mapping(...)` (also in a `dict(...)` or `{...}` argument of these) or
`dict(...)`. Function bodies are not entered.
"""

import ast
import json
import os
import sys
import warnings


def is_config(node):
    return (isinstance(node, ast.Attribute) and node.attr == "config") or (
        isinstance(node, ast.Name) and node.id == "config")


def target_binds(t, name):
    if isinstance(t, ast.Name):
        return t.id == name
    if isinstance(t, ast.Subscript) and is_config(t.value):
        key = t.slice
        return isinstance(key, ast.Constant) and key.value == name
    if isinstance(t, ast.Attribute) and isinstance(t.value, (ast.Name, ast.Attribute)):
        return name == "SECRET_KEY" and t.attr == "secret_key" and dotted(t.value)
    return False


def dotted(node):
    while isinstance(node, ast.Attribute):
        node = node.value
    return isinstance(node, ast.Name)


def keyword_bindings(call, name, path, out, inner=False):
    if not isinstance(call, ast.Call):
        return
    f = call.func
    is_dict = isinstance(f, ast.Name) and f.id == "dict"
    is_method = (isinstance(f, ast.Attribute) and f.attr in ("update", "from_mapping")
                 and is_config(f.value) and dotted(f.value))
    if not (is_dict or (is_method and not inner)):
        return
    for kw in call.keywords:
        if kw.arg == name:
            out.append([path, kw.lineno, kw.col_offset + 1])
    if is_method:
        for arg in call.args:
            if isinstance(arg, ast.Dict):
                for key in arg.keys:
                    if isinstance(key, ast.Constant) and key.value == name:
                        out.append([path, key.lineno, key.col_offset + 1])
            keyword_bindings(arg, name, path, out, inner=True)


def visit(body, name, path, out):
    for stmt in body:
        if isinstance(stmt, ast.Assign):
            for t in stmt.targets:
                if target_binds(t, name):
                    out.append([path, t.lineno, t.col_offset + 1])
            keyword_bindings(stmt.value, name, path, out)
        elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
            t = stmt.target
            if isinstance(t, ast.Name) and t.id == name:
                out.append([path, t.lineno, t.col_offset + 1])
            keyword_bindings(stmt.value, name, path, out)
        elif isinstance(stmt, ast.Expr):
            keyword_bindings(stmt.value, name, path, out)
        elif isinstance(stmt, (ast.ImportFrom, ast.Import)):
            for alias in stmt.names:
                bound = alias.asname or alias.name
                if bound == name:
                    # The bound name ends the alias.
                    out.append([path, alias.end_lineno, alias.end_col_offset - len(name) + 1])
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for field in ("body", "orelse", "finalbody", "handlers"):
            inner = getattr(stmt, field, None)
            if isinstance(inner, list):
                visit(inner, name, path, out)
        for case in getattr(stmt, "cases", []) or []:
            visit(case.body, name, path, out)


def main():
    name, root = sys.argv[1], sys.argv[2]
    files, out = [], []
    warnings.simplefilter("ignore")
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d != "site-packages" and d != "__pycache__")
        for f in sorted(filenames):
            if not f.endswith(".py"):
                continue
            path = os.path.join(dirpath, f)
            try:
                with open(path, "rb") as fh:
                    src = fh.read()
                tree = ast.parse(src, path)
            except (SyntaxError, ValueError, UnicodeDecodeError):
                continue
            if not src.strip():
                continue
            files.append(path)
            visit(tree.body, name, path, out)
    json.dump({"files": files, "bindings": out}, sys.stdout)


if __name__ == "__main__":
    main()
