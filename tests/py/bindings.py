"""Where CPython's ast says a module binds NAME at module or class level.

usage: bindings.py NAME ROOT

Walks ROOT for *.py files (skipping site-packages), and prints one JSON document:
{"files": [paths ast could parse], "bindings": [[path, line, column], ...]} with 1-based
columns of the bound name, for: `NAME = ...` (also chained), `NAME: T = ...`, and
`from m import x as NAME` / `import m as NAME`. Function bodies are not entered.
"""

import ast
import json
import os
import sys
import warnings


def visit(body, name, path, out):
    for stmt in body:
        if isinstance(stmt, ast.Assign):
            for t in stmt.targets:
                if isinstance(t, ast.Name) and t.id == name:
                    out.append([path, t.lineno, t.col_offset + 1])
        elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
            t = stmt.target
            if isinstance(t, ast.Name) and t.id == name:
                out.append([path, t.lineno, t.col_offset + 1])
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
