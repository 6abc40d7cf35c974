//! The command line as a user meets it: modes, output formats, masking, exit codes and errors.

use std::fs;
use std::os::unix::fs::{symlink, PermissionsExt};
use std::process::{Command, Stdio};

use crate::util::{dir_with, judge, run_in, BIN};

const STARTPROJECT_KEY: &str = "django-insecure-q7#n2x&k9!m@4v)w(=p+e_0z*b8c1h^s%d3$t6y-r5u&j&l2oa";

fn settings() -> String {
    format!(
        "import os\n\nBASE = 1\n# SECURITY WARNING: keep the secret key used in production secret!\n\
         SECRET_KEY = '{STARTPROJECT_KEY}'\n\nDEBUG = True\nA = 1\nB = 2\nC = 3\n"
    )
}

#[test]
fn dry_run_prints_a_masked_unified_diff_and_writes_nothing() {
    let dir = dir_with(&[("settings.py", settings().as_bytes())]);
    let run = run_in(dir.path(), &["--dry-run", "settings.py"]);
    assert_eq!(run.code, 1, "{run:?}");
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines[0], "--- a/settings.py");
    assert_eq!(lines[1], "+++ b/settings.py");
    assert_eq!(lines[2], "@@ -2,7 +2,7 @@");
    assert_eq!(lines[3], " ");
    assert_eq!(lines[6], "-SECRET_KEY = 'dj****** (66 chars)'");
    assert!(lines[7].starts_with("+SECRET_KEY = '"), "{}", lines[7]);
    assert!(lines[7].ends_with("****** (64 chars)'"), "{}", lines[7]);
    assert_eq!(lines.len(), 11, "three lines of context each side: {run:?}");
    assert!(!run.stdout.contains(STARTPROJECT_KEY));
    assert_eq!(
        fs::read_to_string(dir.path().join("settings.py")).unwrap(),
        settings()
    );
    // --diff is the same flag.
    assert_eq!(run_in(dir.path(), &["--diff", "settings.py"]).code, 1);
}

#[test]
fn shown_secrets_make_a_diff_that_patch_applies() {
    let dir = dir_with(&[("settings.py", settings().as_bytes())]);
    let run = run_in(dir.path(), &["--dry-run", "--show-secrets", "settings.py"]);
    assert_eq!(run.code, 1);
    assert!(run.stdout.contains(STARTPROJECT_KEY));
    fs::write(dir.path().join("change.diff"), &run.stdout).unwrap();
    let status = Command::new("patch")
        .args(["-s", "-p1", "-i", "change.diff"])
        .current_dir(dir.path())
        .status()
        .expect("run patch");
    assert!(status.success());
    let original = dir_with(&[("settings.py", settings().as_bytes())]);
    judge(
        &original.path().join("settings.py"),
        &dir.path().join("settings.py"),
        "SECRET_KEY",
    )
    .unwrap();
    assert_eq!(run_in(dir.path(), &["--check", "settings.py"]).code, 0);
}

/// The diff of a Latin-1 file keeps its bytes, so that `patch` finds its context.
#[test]
fn a_latin1_diff_applies_byte_for_byte() {
    let latin1 = b"# -*- coding: latin-1 -*-\nNAME = 'R\xe9sum\xe9'\nSECRET_KEY = 'caf\xe9'\n";
    let dir = dir_with(&[("settings.py", latin1)]);
    let run = Command::new(BIN)
        .args(["--dry-run", "--show-secrets", "settings.py"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(1));
    assert!(
        run.stdout.windows(6).any(|w| w == b"R\xe9sum\xe9"),
        "the bytes pass through"
    );
    fs::write(dir.path().join("change.diff"), &run.stdout).unwrap();
    let applied = Command::new("patch")
        .args(["-s", "-p1", "-i", "change.diff"])
        .current_dir(dir.path())
        .status()
        .unwrap();
    assert!(applied.success());
    let after = fs::read(dir.path().join("settings.py")).unwrap();
    assert!(after.starts_with(b"# -*- coding: latin-1 -*-\nNAME = 'R\xe9sum\xe9'\nSECRET_KEY = '"));
    assert_eq!(run_in(dir.path(), &["--check", "settings.py"]).code, 0);
}

#[test]
fn check_lines_and_exit_codes() {
    let dir = dir_with(&[
        ("bad.py", b"SECRET_KEY = 'changeme'\n"),
        (
            "good.py",
            b"SECRET_KEY = 'Zq8Lr2Vx9Kt4Np7Ws1Bm6Hc3Jf5Dg0Ya8Ue2Io4Pk7Ln1Mx9Rb3Tc6Vz5Qw2Es8Ad'\n",
        ),
        ("none.py", b"DEBUG = False\n"),
    ]);
    let run = run_in(dir.path(), &["--check", "good.py"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(
        run.stdout,
        "good.py:1:1: secure: SECRET_KEY is a strong literal key [Zq****** (65 chars)] (strong)\n"
    );
    let run = run_in(dir.path(), &["--check", "bad.py", "good.py", "none.py"]);
    assert_eq!(run.code, 1);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(
        lines[0],
        "bad.py:1:1: insecure: SECRET_KEY is a placeholder; has 8 characters, fewer than 50 [****** (8 chars)] (placeholder)"
    );
    assert_eq!(
        lines[2],
        "none.py:1:1: missing: SECRET_KEY is not defined (not-defined)"
    );
    // --quiet keeps only what fails.
    let run = run_in(dir.path(), &["--check", "--quiet", "bad.py", "good.py"]);
    assert_eq!(run.stdout.lines().count(), 1);
    // Nothing was written by --check.
    assert_eq!(
        fs::read(dir.path().join("bad.py")).unwrap(),
        b"SECRET_KEY = 'changeme'\n"
    );
}

#[test]
fn check_and_dry_run_together_print_both() {
    let dir = dir_with(&[("s.py", b"SECRET_KEY = ''\n")]);
    let run = run_in(dir.path(), &["--check", "--dry-run", "s.py"]);
    assert_eq!(run.code, 1);
    assert!(run
        .stdout
        .starts_with("s.py:1:1: insecure: SECRET_KEY is empty"));
    assert!(run.stdout.contains("\n--- a/s.py\n+++ b/s.py\n"));
}

#[test]
fn json_report_is_one_document_with_masked_values() {
    let dir = dir_with(&[("settings.py", settings().as_bytes()), ("x.py", b"x = (\n")]);
    let run = run_in(
        dir.path(),
        &["--check", "--format", "json", "settings.py", "x.py"],
    );
    assert_eq!(run.code, 2, "an unreadable file makes it an error: {run:?}");
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(doc["version"], 1);
    let f = &doc["files"][0];
    assert_eq!(f["path"], "settings.py");
    assert_eq!(f["changed"], false);
    assert_eq!(f["would_change"], true);
    let finding = &f["findings"][0];
    assert_eq!(finding["name"], "SECRET_KEY");
    assert_eq!(
        (finding["line"].as_u64(), finding["column"].as_u64()),
        (Some(5), Some(1))
    );
    assert_eq!(finding["end_line"], 5);
    assert_eq!(finding["end_column"], 82);
    assert_eq!(finding["verdict"], "insecure");
    assert_eq!(finding["reason"], "insecure-prefix");
    assert_eq!(finding["reasons"], serde_json::json!(["insecure-prefix"]));
    assert_eq!(finding["value"], "dj****** (66 chars)");
    assert_eq!(finding["fix"], "replace");
    assert!(doc["files"][1]["error"]
        .as_str()
        .unwrap()
        .contains("was never closed"));
    assert_eq!(doc["summary"]["errors"], 1);
    assert_eq!(doc["summary"]["failing"], 1);
    assert!(!run.stdout.contains(STARTPROJECT_KEY));
    let shown = run_in(
        dir.path(),
        &[
            "--check",
            "--format",
            "json",
            "--show-secrets",
            "settings.py",
        ],
    );
    let doc: serde_json::Value = serde_json::from_str(&shown.stdout).unwrap();
    assert_eq!(doc["files"][0]["findings"][0]["value"], STARTPROJECT_KEY);
}

#[test]
fn patch_mode_json_says_what_changed() {
    let dir = dir_with(&[("s.py", b"SECRET_KEY = 'dev'\n")]);
    let run = run_in(dir.path(), &["--format", "json", "s.py"]);
    assert_eq!(run.code, 0);
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(doc["files"][0]["changed"], true);
    let run = run_in(dir.path(), &["--format", "json", "s.py"]);
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(doc["files"][0]["changed"], false);
    assert_eq!(doc["summary"]["changed"], 0);
}

#[test]
fn no_secret_reaches_any_output_unless_asked() {
    let secrets = [
        "dev-secret-key-change-in-production",
        "k9Jq2Lm8Np4Rs6Tv1Wx3Yz5Ab7Cd9Ef0Gh2Ij4Kl6Mn8Op0Qr2St4Uv6Wx8",
    ];
    let src = format!(
        "import os\nif X:\n    SECRET_KEY = os.environ.get('K', '{}')\nelse:\n    SECRET_KEY = '{}'\nclass C:\n    SECRET_KEY = ''\n",
        secrets[0], secrets[1]
    );
    let dir = dir_with(&[("s.py", src.as_bytes())]);
    for args in [
        &["--check", "s.py"][..],
        &["--check", "--format", "json", "s.py"],
        &["--dry-run", "s.py"],
        &["--dry-run", "--format", "json", "s.py"],
        &["--check", "--dry-run", "--color", "always", "s.py"],
    ] {
        let run = run_in(dir.path(), args);
        for s in secrets {
            assert!(
                !run.stdout.contains(s) && !run.stderr.contains(s),
                "{args:?} leaked {s}"
            );
        }
        for line in run
            .stdout
            .lines()
            .filter(|l| l.starts_with('+') && l.contains("SECRET_KEY ="))
        {
            assert!(
                line.contains("****** ("),
                "{args:?}: new key shown in {line}"
            );
        }
    }
    let run = run_in(dir.path(), &["--dry-run", "--show-secrets", "s.py"]);
    assert!(run.stdout.contains(secrets[0]));
    // Patching leaves the strong key alone, and the new ones never appear in messages.
    let run = run_in(dir.path(), &["s.py"]);
    let after = fs::read_to_string(dir.path().join("s.py")).unwrap();
    assert!(after.contains(secrets[1]) && !after.contains(secrets[0]));
    for line in after.lines().filter(|l| l.contains("SECRET_KEY")) {
        let key = line.split('\'').rev().nth(1).unwrap();
        assert!(!run.stderr.contains(key));
    }
}

#[test]
fn errors_are_one_line_exit_two_and_other_files_still_run() {
    let dir = dir_with(&[
        ("ok.py", b"SECRET_KEY = 'dev'\n"),
        ("unterminated.py", b"SECRET_KEY = 'dev\n"),
        ("binary.py", b"SECRET_KEY = 1\0\x01\x02"),
        ("notutf8.py", b"X = '\xe9'\n"),
        ("brackets.py", b"X = [1, 2\nSECRET_KEY = 'dev'\n"),
        ("empty.py", b""),
    ]);
    fs::create_dir(dir.path().join("adir")).unwrap();
    let names = [
        "missing.py",
        "adir",
        "unterminated.py",
        "binary.py",
        "notutf8.py",
        "brackets.py",
        "empty.py",
        "ok.py",
    ];
    let before: Vec<Option<Vec<u8>>> = names
        .iter()
        .map(|n| fs::read(dir.path().join(n)).ok())
        .collect();
    let mut args = vec![];
    args.extend(names);
    let run = run_in(dir.path(), &args);
    assert_eq!(run.code, 2, "{run:?}");
    let errors: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| !l.contains("replaced") && !l.contains("warning"))
        .collect();
    let expect = [
        "secretpatch: missing.py: No such file or directory",
        "secretpatch: unterminated.py: line 1, column 14: unterminated string literal",
        "secretpatch: binary.py: line 1, column 15: NUL byte: not a Python source file",
        "secretpatch: notutf8.py: not valid UTF-8 (line 1) and no PEP 263 coding declaration says otherwise",
        "secretpatch: brackets.py: line 1, column 5: '[' was never closed",
        "secretpatch: empty.py: file is empty, not a settings file (was it truncated?)",
    ];
    assert_eq!(errors, expect);
    for (n, b) in names.iter().zip(&before).take(7) {
        assert_eq!(&fs::read(dir.path().join(n)).ok(), b, "{n} was touched");
    }
    assert!(run
        .stderr
        .contains("secretpatch: ok.py: replaced SECRET_KEY (line 1: placeholder"));
    assert_ne!(
        fs::read(dir.path().join("ok.py")).unwrap(),
        b"SECRET_KEY = 'dev'\n"
    );
}

#[test]
fn worst_status_wins() {
    let dir = dir_with(&[
        ("a.py", b"SECRET_KEY = 'dev'\n"),
        ("b.py", b"SECRET_KEY = get_random_secret_key()\n"),
    ]);
    let run = run_in(dir.path(), &["a.py", "b.py"]);
    assert_eq!(run.code, 1, "an ephemeral key remains: {run:?}");
    assert!(run
        .stderr
        .contains("b.py:1:1: SECRET_KEY is generated at import time"));
    assert!(run.stderr.contains("(not patched)"));
    assert_eq!(run_in(dir.path(), &["a.py"]).code, 0);
}

#[test]
fn key_options() {
    let dir = dir_with(&[("s.py", b"APP_KEY = ''\nSECRET_KEY = 'keep me as I am'\n")]);
    let run = run_in(dir.path(), &["--length", "40", "s.py"]);
    assert_eq!(run.code, 2);
    assert_eq!(
        run.stderr,
        "secretpatch: --length 40 is too short: Django requires keys of at least 50 characters\n"
    );
    assert_eq!(
        run_in(dir.path(), &["--name", "not-a-name", "s.py"]).code,
        2
    );
    let run = run_in(
        dir.path(),
        &[
            "--name",
            "APP_KEY",
            "--length",
            "80",
            "--alphabet",
            "hex",
            "s.py",
        ],
    );
    assert_eq!(run.code, 0, "{run:?}");
    let text = fs::read_to_string(dir.path().join("s.py")).unwrap();
    let key = text
        .lines()
        .next()
        .unwrap()
        .trim_start_matches("APP_KEY = '")
        .trim_end_matches('\'');
    assert_eq!(key.len(), 80);
    assert!(key
        .bytes()
        .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
    assert!(text.ends_with("SECRET_KEY = 'keep me as I am'\n"));
    let dir = dir_with(&[("s.py", b"SECRET_KEY = ''\n")]);
    run_in(dir.path(), &["--alphabet", "django", "s.py"]);
    let text = fs::read_to_string(dir.path().join("s.py")).unwrap();
    let key = &text[14..14 + 64];
    let django = "abcdefghijklmnopqrstuvwxyz0123456789!@#$%^&*(-_=+)";
    assert!(key.chars().all(|c| django.contains(c)), "{key}");
}

#[test]
fn color_only_when_asked_or_on_a_terminal() {
    let dir = dir_with(&[("s.py", b"SECRET_KEY = ''\n")]);
    assert!(
        run_in(dir.path(), &["--dry-run", "--color", "always", "s.py"])
            .stdout
            .contains("\x1b[31m-")
    );
    assert!(
        !run_in(dir.path(), &["--dry-run", "--color", "never", "s.py"])
            .stdout
            .contains('\x1b')
    );
    // Standard output is a pipe here, so auto means none.
    assert!(!run_in(dir.path(), &["--dry-run", "s.py"])
        .stdout
        .contains('\x1b'));
}

/// On a terminal (a pseudo-terminal made by `script`), auto colors, unless NO_COLOR is set.
#[test]
fn a_terminal_gets_color_unless_no_color() {
    if !crate::util::have("script") {
        crate::util::skip("script (util-linux) is not installed");
        return;
    }
    let dir = dir_with(&[("s.py", b"SECRET_KEY = ''\n")]);
    let on_tty = |no_color: Option<&str>| {
        let mut c = Command::new("script");
        c.args(["-qec", &format!("{BIN} --dry-run s.py"), "/dev/null"])
            .current_dir(dir.path())
            .env_remove("NO_COLOR");
        if let Some(v) = no_color {
            c.env("NO_COLOR", v);
        }
        String::from_utf8_lossy(&c.output().unwrap().stdout).into_owned()
    };
    assert!(on_tty(None).contains("\x1b[1m--- a/s.py"));
    assert!(!on_tty(Some("1")).contains('\x1b'));
    assert!(
        on_tty(Some("")).contains('\x1b'),
        "an empty NO_COLOR does not count"
    );
}

#[test]
fn quiet_patch_prints_nothing() {
    let dir = dir_with(&[("s.py", b"SECRET_KEY = ''\n")]);
    fs::set_permissions(dir.path().join("s.py"), fs::Permissions::from_mode(0o600)).unwrap();
    let run = run_in(dir.path(), &["-q", "s.py"]);
    assert_eq!(
        (run.code, run.stdout.as_str(), run.stderr.as_str()),
        (0, "", "")
    );
}

#[test]
fn mode_is_kept_no_temp_file_is_left_and_a_world_readable_file_is_warned_about() {
    let dir = dir_with(&[
        ("s.py", b"SECRET_KEY = ''\n"),
        ("t.py", b"SECRET_KEY = ''\n"),
    ]);
    fs::set_permissions(dir.path().join("s.py"), fs::Permissions::from_mode(0o640)).unwrap();
    fs::set_permissions(dir.path().join("t.py"), fs::Permissions::from_mode(0o644)).unwrap();
    let run = run_in(dir.path(), &["s.py", "t.py"]);
    assert_eq!(run.code, 0);
    let mode = |n: &str| {
        fs::metadata(dir.path().join(n))
            .unwrap()
            .permissions()
            .mode()
            & 0o7777
    };
    assert_eq!((mode("s.py"), mode("t.py")), (0o640, 0o644));
    assert!(!run.stderr.contains("warning: s.py"));
    assert!(run
        .stderr
        .contains("secretpatch: warning: t.py: is readable by every user (mode 0644)"));
    let names: Vec<_> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
}

#[test]
fn a_symlink_is_followed_and_kept() {
    let dir = dir_with(&[("real/settings.py", b"SECRET_KEY = ''\n")]);
    symlink("real/settings.py", dir.path().join("link.py")).unwrap();
    assert_eq!(run_in(dir.path(), &["link.py"]).code, 0);
    assert!(fs::symlink_metadata(dir.path().join("link.py"))
        .unwrap()
        .file_type()
        .is_symlink());
    let text = fs::read_to_string(dir.path().join("real/settings.py")).unwrap();
    assert_eq!(text.len(), "SECRET_KEY = ''\n".len() + 64);
}

#[test]
fn full_stdout_is_an_error_and_a_closed_pipe_is_not() {
    let dir = dir_with(&[("s.py", b"SECRET_KEY = ''\n")]);
    let full = Command::new(BIN)
        .args(["--dry-run", "s.py"])
        .current_dir(dir.path())
        .stdout(crate::util::dev_full())
        .output()
        .unwrap();
    assert_eq!(full.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&full.stderr),
        "secretpatch: cannot write to standard output: No space left on device\n"
    );
    let mut child = Command::new(BIN)
        .args(["--dry-run", "s.py"])
        .current_dir(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.stderr.is_empty());
}

#[test]
fn help_and_version() {
    let dir = dir_with(&[]);
    let help = run_in(dir.path(), &["--help"]);
    assert_eq!(help.code, 0);
    for flag in [
        "--dry-run",
        "--check",
        "--format",
        "--name",
        "--length",
        "--alphabet",
        "--show-secrets",
        "--color",
    ] {
        assert!(help.stdout.contains(flag), "{flag} missing from --help");
    }
    let version = run_in(dir.path(), &["--version"]);
    assert_eq!(
        version.stdout,
        format!("secretpatch {}\n", env!("CARGO_PKG_VERSION"))
    );
    assert_eq!(run_in(dir.path(), &[]).code, 2);
}
