//! A differential test over the standard library of the machine's Python: for common names,
//! `secretpatch --check --name NAME` must find exactly the module- and class-level bindings that
//! CPython's `ast` finds, no more and no less, and must read every file `ast` can parse.

use std::collections::BTreeSet;
use std::process::Command;

use crate::util::{python, root, Run, BIN};

fn stdlib() -> String {
    let out = Command::new(python())
        .args([
            "-c",
            "import sysconfig; print(sysconfig.get_paths()['stdlib'])",
        ])
        .output()
        .expect("python3 runs");
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

fn differential(name: &str) {
    let lib = stdlib();
    let out: Run = Command::new(python())
        .arg(root().join("tests/py/bindings.py"))
        .args([name, &lib])
        .output()
        .unwrap()
        .into();
    assert_eq!(out.code, 0, "{out:?}");
    let reference: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let files: Vec<&str> = reference["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect();
    assert!(
        files.len() > 500,
        "the standard library has more files than {}",
        files.len()
    );
    let expected: BTreeSet<(String, u64, u64)> = reference["bindings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            (
                b[0].as_str().unwrap().to_string(),
                b[1].as_u64().unwrap(),
                b[2].as_u64().unwrap(),
            )
        })
        .collect();
    assert!(
        expected.len() >= 10,
        "too few {name} bindings to mean anything: {}",
        expected.len()
    );

    let mut found = BTreeSet::new();
    let mut errors = Vec::new();
    for chunk in files.chunks(500) {
        let run: Run = Command::new(BIN)
            .args([
                "--check",
                "--format",
                "json",
                "--max-size",
                "64M",
                "--name",
                name,
            ])
            .args(chunk)
            .output()
            .unwrap()
            .into();
        let doc: serde_json::Value = serde_json::from_str(&run.stdout).expect("one JSON document");
        for file in doc["files"].as_array().unwrap() {
            let path = file["path"].as_str().unwrap();
            if let Some(e) = file["error"].as_str() {
                errors.push(format!("{path}: {e}"));
            }
            for f in file["findings"].as_array().unwrap() {
                if ["missing", "inherited"].contains(&f["verdict"].as_str().unwrap()) {
                    continue;
                }
                found.insert((
                    path.to_string(),
                    f["line"].as_u64().unwrap(),
                    f["column"].as_u64().unwrap(),
                ));
            }
        }
    }
    assert!(
        errors.is_empty(),
        "files CPython parses but secretpatch rejects:\n{}",
        errors.join("\n")
    );
    let missed: Vec<_> = expected.difference(&found).collect();
    let extra: Vec<_> = found.difference(&expected).collect();
    assert!(
        missed.is_empty() && extra.is_empty(),
        "{name}: {} found by ast only: {missed:#?}\n{} found by secretpatch only: {extra:#?}",
        missed.len(),
        extra.len()
    );
}

#[test]
fn stdlib_all_matches_ast() {
    differential("__all__");
}

#[test]
fn stdlib_version_matches_ast() {
    differential("__version__");
}

#[test]
fn stdlib_slots_matches_ast() {
    differential("__slots__");
}

/// A name bound mostly inside functions: proves function bodies are left out.
#[test]
fn stdlib_x_matches_ast() {
    differential("x");
}

/// A name bound everywhere: classes, blocks, imports, functions.
#[test]
fn stdlib_name_matches_ast() {
    differential("name");
}
