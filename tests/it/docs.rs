//! The docs that ship stay true: the man page and shell completions are what the current flags
//! generate, every flag is in the README, and `--help` covers them all.

use std::fs;
use std::process::Command;

use crate::util::{root, run_in};

fn regenerate_hint(file: &str, kind: &str) -> String {
    format!("{file} is stale: run `cargo run -- --generate {kind} > {file}`")
}

#[test]
fn man_page_and_completions_match_the_flags() {
    let man = fs::read(root().join("man/secretpatch.1")).unwrap();
    assert!(
        man == secretpatch::cli::man_page(),
        "{}",
        regenerate_hint("man/secretpatch.1", "man")
    );
    for (shell, file) in [
        ("bash", "completions/secretpatch.bash"),
        ("zsh", "completions/_secretpatch"),
        ("fish", "completions/secretpatch.fish"),
    ] {
        let on_disk = fs::read(root().join(file)).unwrap();
        assert!(
            on_disk == secretpatch::cli::completion(shell).unwrap(),
            "{}",
            regenerate_hint(file, shell)
        );
    }
    // The binary prints the same.
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(
        run_in(dir.path(), &["--generate", "man"]).stdout.as_bytes(),
        &man[..]
    );
    let bash = Command::new("bash")
        .arg("-n")
        .arg(root().join("completions/secretpatch.bash"))
        .status()
        .unwrap();
    assert!(bash.success(), "the bash completion script parses");
}

#[test]
fn every_flag_is_documented() {
    let readme = fs::read_to_string(root().join("README.md")).unwrap();
    let man = String::from_utf8(secretpatch::cli::man_page()).unwrap();
    let help = run_in(tempfile::tempdir().unwrap().path(), &["--help"]).stdout;
    let cmd = secretpatch::cli::command();
    let longs: Vec<String> = cmd
        .get_arguments()
        .filter_map(|a| a.get_long().map(str::to_string))
        .collect();
    assert!(longs.len() > 25, "{longs:?}");
    for long in longs {
        let flag = format!("--{long}");
        assert!(
            readme.contains(&format!("`{flag}")),
            "README does not document {flag}"
        );
        assert!(help.contains(&flag), "--help lacks {flag}");
        // roff escapes dashes as \-.
        assert!(
            man.contains(&format!("\\-\\-{}", long.replace('-', "\\-"))),
            "the man page lacks {flag}"
        );
    }
}
