"""CPython judges a patched settings file.

usage: judge.py ORIGINAL PATCHED NAME

Passes (exit 0) when PATCHED parses, its syntax tree equals ORIGINAL's except the values of
module- and class-level bindings of NAME (a literal may replace a literal, or a whole literal
expression such as 'a' + 'b'), or one `NAME = '...'` appended at the end when ORIGINAL had none,
and every new value passes Django's W009 rules. Prints what differs otherwise (exit 1).
"""

import ast
import sys

MIN_LENGTH, MIN_UNIQUE, PREFIX = 50, 5, "django-insecure-"


def read(path):
    with open(path, "rb") as f:
        return ast.parse(f.read(), path)


class Mismatch(Exception):
    pass


def is_string_constant(node):
    return isinstance(node, ast.Constant) and isinstance(node.value, (str, bytes))


def is_none(node):
    return isinstance(node, ast.Constant) and node.value is None


def binds(t, name):
    """A target that binds the key: NAME, x.config['NAME'], or x.secret_key for SECRET_KEY."""
    if isinstance(t, ast.Name):
        return t.id == name
    if isinstance(t, ast.Subscript) and isinstance(t.slice, ast.Constant):
        return t.slice.value == name
    if isinstance(t, ast.Attribute):
        return name == "SECRET_KEY" and t.attr == "secret_key"
    return False


def targets_name(stmt, name):
    if isinstance(stmt, ast.Assign):
        return any(binds(t, name) for t in stmt.targets)
    if isinstance(stmt, ast.AnnAssign):
        return binds(stmt.target, name)
    # Flask's app.config.update(NAME=...) and dict(NAME=...): the keyword's value.
    if isinstance(stmt, ast.keyword):
        return stmt.arg == name
    return False


def dict_values_of(node, name):
    """The values under the key NAME of a dict display, by position."""
    if not isinstance(node, ast.Dict):
        return set()
    return {i for i, k in enumerate(node.keys) if isinstance(k, ast.Constant) and k.value == name}


def compare(a, b, name, new_values, in_key, where="module"):
    if in_key and a is not None and is_string_constant(b) and ast.dump(a) != ast.dump(b):
        # A literal (or a constant expression of literals) gave way to one new literal.
        if not all(is_string_constant(n) or is_none(n) or isinstance(n, (ast.BinOp, ast.Add))
                   for n in ast.walk(a)):
            raise Mismatch(f"{where}: a non-literal expression was replaced: {ast.dump(a)}")
        new_values.append(b.value)
        return
    if type(a) is not type(b):
        raise Mismatch(f"{where}: {type(a).__name__} became {type(b).__name__}")
    if isinstance(a, list):
        if len(a) != len(b):
            raise Mismatch(f"{where}: {len(a)} items became {len(b)}")
        for x, y in zip(a, b):
            compare(x, y, name, new_values, in_key, where)
        return
    if not isinstance(a, ast.AST):
        if a != b:
            raise Mismatch(f"{where}: {a!r} became {b!r}")
        return
    if isinstance(a, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
        # Inside functions nothing may change at all.
        if ast.dump(a) != ast.dump(b):
            raise Mismatch(f"{where}: a function body changed")
        return
    key_here = in_key or targets_name(a, name)
    if isinstance(a, ast.Dict) and not in_key and isinstance(b, ast.Dict):
        # {'NAME': value} given to app.config.update(...): only that value may change.
        keys = dict_values_of(a, name)
        compare(a.keys, b.keys, name, new_values, False, f"{where}.Dict.keys")
        if len(a.values) != len(b.values):
            raise Mismatch(f"{where}: dict entries changed")
        for i, (x, y) in enumerate(zip(a.values, b.values)):
            compare(x, y, name, new_values, i in keys, f"{where}.Dict.values")
        return
    for field in a._fields:
        sub_key = key_here and (in_key or field == "value")
        compare(getattr(a, field), getattr(b, field), name, new_values, sub_key,
                f"{where}.{type(a).__name__}.{field}")


def bindings(body, name):
    """Whether the module binds NAME at module or class level (as secretpatch sees it)."""
    for stmt in body:
        if targets_name(stmt, name):
            return True
        if isinstance(stmt, ast.ImportFrom) and any(
            (al.asname or al.name) in (name, "*") for al in stmt.names
        ):
            return True
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for field in ("body", "orelse", "finalbody", "handlers", "cases"):
            inner = getattr(stmt, field, None)
            if isinstance(inner, list) and bindings(inner, name):
                return True
    return False


def main():
    original, patched, name = sys.argv[1:4]
    a, b = read(original), read(patched)
    new_values = []
    try:
        if not bindings(a.body, name) and len(b.body) == len(a.body) + 1:
            last = b.body[-1]
            if not (targets_name(last, name) and is_string_constant(last.value)):
                raise Mismatch(f"the appended statement is not {name} = '...': {ast.dump(last)}")
            new_values.append(last.value.value)
            compare(a.body, b.body[:-1], name, new_values, False)
        else:
            compare(a, b, name, new_values, False)
    except Mismatch as e:
        print(f"syntax trees differ beyond the key: {e}")
        return 1
    if not new_values:
        print("no key value changed")
        return 1
    for v in new_values:
        if len(v) < MIN_LENGTH or len(set(v)) < MIN_UNIQUE or (isinstance(v, str) and v.startswith(PREFIX)):
            print(f"new value fails Django's W009 rules: length {len(v)}, {len(set(v))} distinct")
            return 1
    print(f"ok: {len(new_values)} new key(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
