#!/usr/bin/env python3
"""Makes a synthetic Python source tree with planted secret keys and a ground-truth manifest.

usage: bench/gen_tree.py OUT [--files N] [--planted N] [--seed S]

OUT gets N small modules of ordinary-looking Python in packages of 100. Into some of them it
plants statements of every kind secretpatch tells apart, each recorded in OUT/manifest.json with
its file and the line of the bound name:

  insecure     keys that must be reported (every shape and every policy rule)
  ephemeral    keys generated at import time (reported)
  strong       strong hard-coded keys (reported only under --strict)
  environment  keys read from the environment or a key store (never reported)
  lookalike    text that mentions SECRET_KEY but binds nothing (never reported)

The same seed makes the same tree. The values are test data, never real keys.
"""

import argparse
import json
import os
import random
import string

ALNUM = string.ascii_letters + string.digits
DJANGO = "abcdefghijklmnopqrstuvwxyz0123456789!@#$%^&*(-_=+)"


def rand_key(rng, n=64, alphabet=ALNUM):
    return "".join(rng.choice(alphabet) for _ in range(n))


# Each template is (kind, lines, index of the line holding the bound name). {K} is a value.
def templates(rng):
    strong = rand_key(rng)
    dj = "django-insecure-" + rand_key(rng, 50, DJANGO)
    return [
        ("insecure", [f"SECRET_KEY = '{dj}'"], 0),
        ("insecure", ["SECRET_KEY = ''"], 0),
        ("insecure", ['SECRET_KEY = ""  # fill in'], 0),
        ("insecure", ["SECRET_KEY: str = 'changeme'"], 0),
        ("insecure", ["SECRET_KEY = b'dev'"], 0),
        ("insecure", ["SECRET_KEY = None"], 0),
        ("insecure", [f"SECRET_KEY = '{rand_key(rng, 20, '0123456789abcdef')}'"], 0),
        ("insecure", ["SECRET_KEY = '" + "abcde" * 10 + "'"], 0),
        ("insecure", ["SECRET_KEY = 'elj1IWiLoWHgcyYxFVLj7cM5rGOOxWl0'"], 0),
        ("insecure", ["SECRET_KEY = '!!!SET DJANGO_SECRET_KEY!!!'"], 0),
        ("insecure", ["SECRET_KEY = os.environ.get('DJANGO_SECRET_KEY', 'dev-secret-key-change-in-production')"], 0),
        ("insecure", ["SECRET_KEY = os.getenv('SECRET_KEY', default='your-secret-key')"], 0),
        ("insecure", ["SECRET_KEY = os.getenv('SECRET_KEY') or 'insecure'"], 0),
        ("insecure", ["SECRET_KEY = env('DJANGO_SECRET_KEY', default='!!!SET DJANGO_SECRET_KEY!!!')"], 0),
        ("insecure", ["SECRET_KEY = config('SECRET_KEY', default='secret')"], 0),
        ("insecure", ["SECRET_KEY = (", "    'django-insecure-'", f"    '{rand_key(rng, 50)}'", ")"], 0),
        ("insecure", ["SECRET_KEY = '''dummy'''"], 0),
        ("insecure", ["A_KEY = SECRET_KEY = 'xxxxxxxxxxxxxxxx'"], 0),
        ("insecure", ["class Config:", "    DEBUG = False", "    SECRET_KEY = 'dev'"], 2),
        ("insecure", ["app.config['SECRET_KEY'] = 'dev'"], 0),
        ("insecure", ["app.secret_key = 'development key'"], 0),
        ("insecure", ["app.config.update(SECRET_KEY='dev', DEBUG=True)"], 0),
        ("insecure", ["app.config.from_mapping(", "    SECRET_KEY='dev',", ")"], 1),
        ("insecure", ["CONFIG = dict(SECRET_KEY='changeme')"], 0),
        ("insecure", ["if DEBUG:", "    SECRET_KEY = 'test'"], 1),
        ("insecure", ["try:", "    from .local import SECRET_KEY", "except ImportError:", "    SECRET_KEY = 'dev'"], 3),
        ("ephemeral", ["SECRET_KEY = get_random_secret_key()"], 0),
        ("ephemeral", ["SECRET_KEY = secrets.token_hex(32)"], 0),
        ("ephemeral", ["SECRET_KEY = os.environ.get('SECRET_KEY', get_random_secret_key())"], 0),
        ("strong", [f"SECRET_KEY = '{strong}'"], 0),
        ("strong", [f"SECRET_KEY = r\"{rand_key(rng, 72)}\""], 0),
        ("environment", ["SECRET_KEY = os.environ['DJANGO_SECRET_KEY']"], 0),
        ("environment", ["SECRET_KEY = env('DJANGO_SECRET_KEY')"], 0),
        ("environment", ["SECRET_KEY = config('SECRET_KEY')"], 0),
        ("environment", ["SECRET_KEY = secret_key.generate_or_read_from_file(", "    os.path.join(LOCAL_PATH, '.secret_key_store'))"], 0),
        ("environment", ["SECRET_KEY = open('/etc/app/secret_key').read().strip()"], 0),
        ("lookalike", ["# SECRET_KEY = 'dev'"], 0),
        ("lookalike", ['"""Set SECRET_KEY = \'changeme\' in production."""'], 0),
        ("lookalike", ["HELP = \"SECRET_KEY = 'dev'\""], 0),
        ("lookalike", ["JWT_SECRET_KEY = 'dev'"], 0),
        ("lookalike", ["settings.SECRET_KEY = 'dev'"], 0),
        ("lookalike", ["def configure():", "    SECRET_KEY = 'dev'", "    return SECRET_KEY"], 1),
        ("lookalike", ["print(f\"{SECRET_KEY!r}\")"], 0),
        ("lookalike", ["client = make_client(SECRET_KEY='dev')"], 0),
        ("lookalike", ["same = SECRET_KEY == 'dev'"], 0),
        ("lookalike", ["NOTE = '''", "SECRET_KEY = 'dev'", "'''"], 1),
        ("lookalike", ["OPTIONS = {'SECRET_KEY_NAME': 'dev'}"], 0),
    ]


FILLER = [
    "import os",
    "import sys",
    "from pathlib import Path",
    "",
    "LOG_LEVEL = 'INFO'",
    "TIMEOUT = {n}",
    "",
    "",
    "def helper_{n}(value, *, scale=2):",
    '    """Return a scaled value."""',
    "    if value is None:",
    "        return 0",
    "    return value * scale + {n}",
    "",
    "",
    "class Widget{n}:",
    "    name = 'widget-{n}'",
    "",
    "    def __init__(self, size):",
    "        self.size = size",
    "",
    "    def area(self):",
    "        return self.size ** 2",
    "",
]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--files", type=int, default=100_000)
    ap.add_argument("--planted", type=int, default=400)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    tpls = templates(rng)
    manifest = {k: [] for k in ("insecure", "ephemeral", "strong", "environment", "lookalike")}
    # Which files get a planted statement: spread evenly, every template used in turn.
    planted = {}
    step = max(1, args.files // max(1, args.planted))
    for i in range(min(args.planted, args.files)):
        planted[i * step] = tpls[i % len(tpls)]
    for n in range(args.files):
        rel = os.path.join(f"pkg{n // 100:04d}", f"mod{n % 100:02d}.py")
        path = os.path.join(args.out, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        lines = [line.format(n=n) for line in FILLER]
        if n in planted:
            kind, body, at = planted[n]
            insert = 4  # after the imports
            lines[insert:insert] = body
            manifest[kind].append([rel, insert + at + 1])
        with open(path, "w") as f:
            f.write("\n".join(lines) + "\n")
        if n % 100 == 0:
            with open(os.path.join(os.path.dirname(path), "__init__.py"), "w") as f:
                f.write("")
    with open(os.path.join(args.out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)


if __name__ == "__main__":
    main()
