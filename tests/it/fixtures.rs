//! Every fixture in `fixtures/`: patched as a user would, compared with its `expected.py` (where
//! «KEY» stands for a fresh key), judged by CPython, and patched again to prove nothing changes.

use std::fs;

use crate::util::{dir_with, judge, match_keys, root, run_in};

/// Each fixture, the exit status of a patch, and the verdicts `--check` reports.
const CASES: &[(&str, i32, &[&str])] = &[
    ("annotated-double-quotes", 0, &["insecure"]),
    ("bom-crlf", 0, &["insecure"]),
    ("chained-and-semicolon", 0, &["insecure", "insecure"]),
    ("cr-only", 0, &["insecure"]),
    ("django-startproject", 0, &["insecure"]),
    ("empty-string", 0, &["insecure"]),
    (
        "env-fallbacks",
        0,
        &["insecure", "insecure", "insecure", "insecure"],
    ),
    ("ephemeral-generator", 1, &["ephemeral"]),
    ("external-environment", 0, &["external"]),
    (
        "flask-config-classes",
        0,
        &["insecure", "insecure", "insecure"],
    ),
    ("horizon-key-store", 0, &["external"]),
    ("latin1-cookie", 0, &["insecure"]),
    ("lookalikes", 0, &["insecure"]),
    ("missing-crlf", 0, &["missing"]),
    ("missing-no-final-newline", 0, &["missing"]),
    ("parenthesised-concatenation", 0, &["insecure"]),
    ("plus-and-backslash", 0, &["insecure"]),
    ("secure-literal", 0, &["secure"]),
    ("split-settings-star-import", 0, &["inherited"]),
    ("try-local-import", 0, &["external", "insecure"]),
];

#[test]
fn every_fixture_is_listed() {
    let mut on_disk: Vec<String> = fs::read_dir(root().join("fixtures"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    on_disk.sort();
    let listed: Vec<String> = CASES.iter().map(|c| c.0.to_string()).collect();
    assert_eq!(on_disk, listed);
}

#[test]
fn fixtures_patch_as_expected_and_cpython_agrees() {
    let mut failures = Vec::new();
    for &(case, code, verdicts) in CASES {
        if let Err(e) = one(case, code, verdicts) {
            failures.push(format!("{case}: {e}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

fn one(case: &str, code: i32, verdicts: &[&str]) -> Result<(), String> {
    let base = root().join("fixtures").join(case);
    let input = fs::read(base.join("input.py")).unwrap();
    let expected = fs::read(base.join("expected.py")).ok();
    let dir = dir_with(&[("input.py", &input)]);
    let file = dir.path().join("input.py");

    let check = run_in(dir.path(), &["--check", "--format", "json", "input.py"]);
    let doc: serde_json::Value =
        serde_json::from_str(&check.stdout).map_err(|e| format!("{e}: {check:?}"))?;
    let found: Vec<&str> = doc["files"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["verdict"].as_str().unwrap())
        .collect();
    if found != verdicts {
        return Err(format!("--check verdicts {found:?}, expected {verdicts:?}"));
    }
    let failing = verdicts
        .iter()
        .any(|v| ["insecure", "missing", "ephemeral"].contains(v));
    if check.code != i32::from(failing) {
        return Err(format!(
            "--check exit {}, expected {}",
            check.code,
            i32::from(failing)
        ));
    }

    let dry = run_in(dir.path(), &["--dry-run", "input.py"]);
    if dry.code != i32::from(expected.is_some()) || fs::read(&file).unwrap() != input {
        return Err(format!("--dry-run wrote or exited wrong: {dry:?}"));
    }

    let run = run_in(dir.path(), &["input.py"]);
    if run.code != code {
        return Err(format!("patch exit {}, expected {code}: {run:?}", run.code));
    }
    let patched = fs::read(&file).unwrap();
    match &expected {
        None => {
            if patched != input {
                return Err("a file that needs no change was changed".into());
            }
            if run.stderr.contains("replaced") || run.stderr.contains("added") {
                return Err(format!("reported a change it did not make: {run:?}"));
            }
        }
        Some(expected) => {
            let keys = match_keys(expected, &patched)?;
            let mut unique = keys.clone();
            unique.sort();
            unique.dedup();
            if unique.len() != keys.len() {
                return Err("the same key was written twice".into());
            }
            judge(&base.join("input.py"), &file, "SECRET_KEY")
                .map_err(|e| format!("CPython: {e}"))?;
            if !run.stderr.contains("secretpatch: input.py: ") {
                return Err(format!("no message for the change: {run:?}"));
            }
        }
    }

    let again = run_in(dir.path(), &["input.py"]);
    if fs::read(&file).unwrap() != patched {
        return Err("a second run changed the file again".into());
    }
    if again.stderr.contains("replaced") || again.code != code {
        return Err(format!("second run: {again:?}"));
    }
    let recheck = run_in(dir.path(), &["--check", "input.py"]);
    if recheck.code != code {
        return Err(format!("--check after patching: {recheck:?}"));
    }
    Ok(())
}
