//! Packaging hooks and deployments: the key store, environment and rotation modes, standard
//! input, backups and validation, and every snippet under `contrib/` run as shipped — twice, and
//! several at once.

use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use crate::util::{dir_with, judge, python, python_run, root, run_in, temp_files, Run, BIN};

/// This process's user id (a store's owner in tests that do not run as root).
fn uid() -> u32 {
    fs::read_to_string("/proc/self/status")
        .unwrap()
        .lines()
        .find(|l| l.starts_with("Uid:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .unwrap()
        .parse()
        .unwrap()
}

/// PATH with the binary's directory first, so snippets find `secretpatch`.
fn path_with_bin() -> String {
    let dir = Path::new(BIN).parent().unwrap().display().to_string();
    format!("{dir}:{}", std::env::var("PATH").unwrap_or_default())
}

fn sh(script: &str, envs: &[(&str, &str)], cwd: &Path) -> Command {
    let mut c = Command::new("sh");
    c.arg("-c")
        .arg(script)
        .current_dir(cwd)
        .env("PATH", path_with_bin());
    for (k, v) in envs {
        c.env(k, v);
    }
    c.stdout(Stdio::piped()).stderr(Stdio::piped());
    c
}

/// Runs a command twice in a row, then `n` at once; returns every run.
fn twice_then_together(mut make: impl FnMut() -> Command, n: usize) -> Vec<Run> {
    let mut runs: Vec<Run> = (0..2).map(|_| make().output().unwrap().into()).collect();
    let children: Vec<Child> = (0..n).map(|_| make().spawn().unwrap()).collect();
    runs.extend(
        children
            .into_iter()
            .map(|c| Run::from(c.wait_with_output().unwrap())),
    );
    runs
}

fn assert_sound_store(path: &Path) -> String {
    let meta = fs::metadata(path).unwrap();
    assert_eq!(meta.mode() & 0o7777, 0o600, "a key store is 0600");
    let key = fs::read_to_string(path).unwrap();
    assert_eq!(key.len(), 64, "{key:?}");
    assert!(
        key.bytes().all(|c| c.is_ascii_alphanumeric()),
        "no newline, no other byte: {key:?}"
    );
    key
}

#[test]
fn the_debian_postinst_makes_the_store_once() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("var/lib/myapp/secret_key");
    let script = format!(
        "sh {} configure",
        root().join("contrib/debian/postinst").display()
    );
    let user = uid().to_string();
    let envs = [
        ("MYAPP_SECRET_KEY_STORE", store.to_str().unwrap()),
        ("MYAPP_USER", user.as_str()),
    ];
    let first: Run = sh(&script, &envs, dir.path()).output().unwrap().into();
    assert_eq!(first.code, 0, "{first:?}");
    assert!(
        first.stderr.contains("created the key store (mode 0600)"),
        "{first:?}"
    );
    let key = assert_sound_store(&store);
    for run in twice_then_together(|| sh(&script, &envs, dir.path()), 10) {
        assert_eq!(run.code, 0, "{run:?}");
        assert!(!run.stderr.contains("created"), "made only once: {run:?}");
    }
    assert_eq!(assert_sound_store(&store), key, "upgrades keep the key");
    assert_eq!(fs::metadata(&store).unwrap().uid(), uid());
    assert!(temp_files(store.parent().unwrap()).is_empty());
}

#[test]
fn the_rpm_post_scriptlet_makes_the_store_once() {
    let spec = fs::read_to_string(root().join("contrib/rpm/myapp.spec.snippet")).unwrap();
    let body: String = spec
        .lines()
        .skip_while(|l| l.trim() != "%post")
        .skip(1)
        .take_while(|l| !l.starts_with('%'))
        .map(|l| l.replace("%{_sharedstatedir}", "/nonexistent") + "\n")
        .collect();
    assert!(body.contains("secretpatch --store"), "{body}");
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("lib/myapp/secret_key");
    let user = uid().to_string();
    let envs = [
        ("MYAPP_SECRET_KEY_STORE", store.to_str().unwrap()),
        ("MYAPP_USER", user.as_str()),
    ];
    let runs = twice_then_together(|| sh(&body, &envs, dir.path()), 10);
    assert!(runs.iter().all(|r| r.code == 0), "{runs:?}");
    assert_eq!(
        runs.iter().filter(|r| r.stderr.contains("created")).count(),
        1
    );
    assert_sound_store(&store);
}

#[test]
fn the_first_boot_unit_rotates_the_image_key() {
    let unit = fs::read_to_string(root().join("contrib/systemd/myapp-secret-key.service")).unwrap();
    assert!(unit.contains("\nConditionFirstBoot=yes\n"));
    assert!(unit.contains("\nBefore=myapp.service\n"));
    let exec = unit
        .lines()
        .find_map(|l| l.strip_prefix("ExecStart="))
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let lib = dir.path().join("var/lib/myapp");
    fs::create_dir_all(&lib).unwrap();
    let command = exec
        .replace("/usr/bin/secretpatch", BIN)
        .replace("/var/lib/myapp", lib.to_str().unwrap())
        .replace("--owner myapp", &format!("--owner {}", uid()));
    // The image was built with a store: every clone starts with that key.
    let made: Run = sh(
        &format!("{BIN} --store {}/secret_key", lib.display()),
        &[],
        dir.path(),
    )
    .output()
    .unwrap()
    .into();
    assert_eq!(made.code, 0, "{made:?}");
    let image_key = assert_sound_store(&lib.join("secret_key"));
    let runs = twice_then_together(|| sh(&command, &[], dir.path()), 8);
    assert!(runs.iter().all(|r| r.code == 0), "{runs:?}");
    assert!(
        runs.iter().all(|r| r.stderr.contains("rotated the key")),
        "{runs:?}"
    );
    assert_ne!(assert_sound_store(&lib.join("secret_key")), image_key);
    assert!(temp_files(&lib).is_empty());
}

#[test]
fn the_container_entrypoint_shares_one_key() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("secret_key");
    let script = format!(
        "sh {} sh -c 'cat \"$SECRET_KEY_STORE\"'",
        root().join("contrib/container/entrypoint.sh").display()
    );
    let envs = [("SECRET_KEY_STORE", store.to_str().unwrap())];
    let runs = twice_then_together(|| sh(&script, &envs, dir.path()), 10);
    assert!(runs.iter().all(|r| r.code == 0), "{runs:?}");
    let key = assert_sound_store(&store);
    assert!(
        runs.iter().all(|r| r.stdout == key),
        "every start reads the same key"
    );
}

#[test]
fn the_ansible_task_reports_changed_once() {
    let task = fs::read_to_string(root().join("contrib/ansible/secret-key.yml")).unwrap();
    let argv: Vec<&str> = task
        .lines()
        .skip_while(|l| l.trim() != "argv:")
        .skip(1)
        .map_while(|l| l.trim().strip_prefix("- "))
        .collect();
    assert_eq!(argv[0], "secretpatch");
    assert!(task.contains("changed_when: (secretpatch.stdout | from_json).summary.changed > 0"));
    assert!(task.contains("failed_when: secretpatch.rc == 2"));
    let dir = dir_with(&[("settings.py", b"SECRET_KEY = 'django-insecure-x'\n")]);
    let settings = dir.path().join("settings.py");
    let mut args: Vec<String> = argv[1..]
        .iter()
        .map(|a| a.replace("/etc/myapp/settings.py", settings.to_str().unwrap()))
        .collect();
    args.insert(0, BIN.to_string());
    let changed = |run: &Run| -> u64 {
        let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
        doc["summary"]["changed"].as_u64().unwrap()
    };
    let make = || {
        let mut c = Command::new(&args[0]);
        c.args(&args[1..])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        c
    };
    let runs = twice_then_together(make, 6);
    assert!(runs.iter().all(|r| r.code != 2), "{runs:?}");
    assert_eq!(changed(&runs[0]), 1, "the first run changes the file");
    assert!(
        runs[1..].iter().all(|r| changed(r) == 0),
        "no later run does"
    );
}

#[test]
fn settings_rewritten_to_read_the_store_even_when_many_run_at_once() {
    let src =
        b"\"\"\"Settings.\"\"\"\nimport os\nDEBUG = False\nSECRET_KEY = 'django-insecure-abc'\n";
    let dir = dir_with(&[("settings.py", src), ("orig.py", src)]);
    let store = dir.path().join("state/secret_key");
    fs::create_dir(dir.path().join("state")).unwrap();
    let args = ["--store", store.to_str().unwrap(), "settings.py"];
    let runs = twice_then_together(
        || {
            let mut c = Command::new(BIN);
            c.args(args)
                .current_dir(dir.path())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped());
            c
        },
        20,
    );
    assert!(runs.iter().all(|r| r.code == 0), "{runs:?}");
    assert_eq!(
        runs.iter()
            .filter(|r| r.stderr.contains("created the key store"))
            .count(),
        1
    );
    assert_eq!(
        runs.iter()
            .filter(|r| r.stderr.contains("replaced SECRET_KEY with a read of"))
            .count(),
        1
    );
    let key = assert_sound_store(&store);
    let text = fs::read_to_string(dir.path().join("settings.py")).unwrap();
    assert_eq!(
        text,
        format!(
            "\"\"\"Settings.\"\"\"\nimport pathlib\nimport os\nDEBUG = False\n\
             SECRET_KEY = pathlib.Path('{}').read_text(encoding='ascii').strip()\n",
            store.display()
        )
    );
    // Python reads exactly the store's key through the rewritten statement.
    let read = python_run(
        "import runpy, sys; print(runpy.run_path(sys.argv[1])['SECRET_KEY'])",
        &[dir.path().join("settings.py").to_str().unwrap()],
    );
    assert_eq!(read.stdout.trim(), key, "{read:?}");
    assert_eq!(run_in(dir.path(), &["--check", "settings.py"]).code, 0);
}

#[test]
fn a_store_horizons_reader_accepts_and_the_refusals() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("secret_key_store");
    assert_eq!(
        run_in(dir.path(), &["--store", store.to_str().unwrap()]).code,
        0
    );
    // What Horizon's generate_or_read_from_file does with an existing store: the mode must be
    // exactly 0600, and the key is the file's first line.
    let reader = "import os, stat, sys\n\
                  p = sys.argv[1]\n\
                  if stat.S_IMODE(os.stat(p).st_mode) != 0o600: sys.exit('insecure permissions')\n\
                  print(open(p).readline(), end='')";
    let read = python_run(reader, &[store.to_str().unwrap()]);
    assert_eq!(read.code, 0, "{read:?}");
    assert_eq!(read.stdout, assert_sound_store(&store));

    fs::set_permissions(&store, fs::Permissions::from_mode(0o644)).unwrap();
    let run = run_in(dir.path(), &["--store", store.to_str().unwrap()]);
    assert_eq!(run.code, 2);
    assert_eq!(
        run.stderr,
        format!(
            "secretpatch: {0}: has mode 0644, but a key store must be 0600 as Horizon requires (run: chmod 600 {0})\n",
            store.display()
        )
    );
    fs::set_permissions(&store, fs::Permissions::from_mode(0o600)).unwrap();
    fs::write(&store, "short").unwrap();
    let run = run_in(
        dir.path(),
        &[
            "--store",
            store.to_str().unwrap(),
            "--owner",
            &uid().to_string(),
        ],
    );
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains(
            "holds an insecure key (it has 5 characters, fewer than 50); delete the file"
        ),
        "{run:?}"
    );
    let run = run_in(
        dir.path(),
        &[
            "--store",
            store.to_str().unwrap(),
            "--owner",
            "no-such-user-here",
        ],
    );
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("no user named 'no-such-user-here'"),
        "{run:?}"
    );
    // --rotate mends a weak store.
    assert_eq!(
        run_in(
            dir.path(),
            &["--store", store.to_str().unwrap(), "--rotate"]
        )
        .code,
        0
    );
    assert_sound_store(&store);
    // A read-only check neither creates nor rotates.
    let other = dir.path().join("none");
    assert_eq!(
        run_in(dir.path(), &["--check", "--store", other.to_str().unwrap()]).code,
        0
    );
    assert!(!other.exists());
}

#[test]
fn a_new_store_gets_the_owner_asked_for() {
    if !crate::util::is_root() {
        crate::util::skip("giving a store to another user needs root");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("secret_key");
    let run = run_in(
        dir.path(),
        &["--store", store.to_str().unwrap(), "--owner", "65534:65533"],
    );
    assert_eq!(run.code, 0, "{run:?}");
    let meta = fs::metadata(&store).unwrap();
    assert_eq!((meta.uid(), meta.gid()), (65534, 65533));
    let run = run_in(
        dir.path(),
        &["--store", store.to_str().unwrap(), "--owner", "0:0"],
    );
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("is owned by 65534:65533, not 0:0 as --owner asks"),
        "{run:?}"
    );
}

#[test]
fn from_env_rewrites_and_adds_the_import_once() {
    let src = b"\"\"\"Doc.\"\"\"\nfrom __future__ import annotations\n\nDEBUG = False\nSECRET_KEY = 'dev'\nclass Config:\n    SECRET_KEY = os.getenv('K', 'changeme')\n";
    let dir = dir_with(&[("s.py", src), ("orig.py", src)]);
    let run = run_in(dir.path(), &["--from-env", "DJANGO_SECRET_KEY", "s.py"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run
        .stderr
        .contains("replaced SECRET_KEY with os.environ[\"DJANGO_SECRET_KEY\"]"));
    assert!(
        !run.stderr.contains("warning"),
        "the file holds no key now: {run:?}"
    );
    let text = fs::read_to_string(dir.path().join("s.py")).unwrap();
    assert_eq!(
        text,
        "\"\"\"Doc.\"\"\"\nfrom __future__ import annotations\n\nimport os\nDEBUG = False\n\
         SECRET_KEY = os.environ[\"DJANGO_SECRET_KEY\"]\nclass Config:\n    SECRET_KEY = os.environ[\"DJANGO_SECRET_KEY\"]\n"
    );
    let again = run_in(dir.path(), &["--from-env", "DJANGO_SECRET_KEY", "s.py"]);
    assert_eq!((again.code, again.stderr.as_str()), (0, ""));
    // With --strict, a strong literal is moved out of the file too.
    let strong = b"import os\nSECRET_KEY = 'Zq8Lr2Vx9Kt4Np7Ws1Bm6Hc3Jf5Dg0Ya8Ue2Io4Pk7Ln1Mx9Rb3Tc6Vz5Qw2Es8Ad'\n";
    fs::write(dir.path().join("t.py"), strong).unwrap();
    assert_eq!(run_in(dir.path(), &["--from-env", "K", "t.py"]).code, 0);
    assert_eq!(
        fs::read(dir.path().join("t.py")).unwrap(),
        strong,
        "not without --strict"
    );
    assert_eq!(
        run_in(dir.path(), &["--from-env", "K", "--strict", "t.py"]).code,
        0
    );
    assert_eq!(
        fs::read_to_string(dir.path().join("t.py")).unwrap(),
        "import os\nSECRET_KEY = os.environ[\"K\"]\n"
    );
    assert_eq!(run_in(dir.path(), &["--check", "--strict", "t.py"]).code, 0);
}

#[test]
fn rotate_keeps_the_old_key_as_a_fallback() {
    let strong = "Zq8Lr2Vx9Kt4Np7Ws1Bm6Hc3Jf5Dg0Ya8Ue2Io4Pk7Ln1Mx9Rb3Tc6Vz5Qw2Es8Ad";
    let src = format!("if True:\n    SECRET_KEY = '{strong}'\nDEBUG = False\n");
    let dir = dir_with(&[("s.py", src.as_bytes()), ("orig.py", src.as_bytes())]);
    let run = run_in(dir.path(), &["--rotate", "--keep-fallback", "s.py"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stderr.contains("replaced SECRET_KEY (line 2: rotated)"),
        "{run:?}"
    );
    let text = fs::read_to_string(dir.path().join("s.py")).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[2], format!("    SECRET_KEY_FALLBACKS = ['{strong}']"));
    assert!(!lines[1].contains(strong));
    let second_key = &lines[1]["    SECRET_KEY = '".len()..lines[1].len() - 1].to_string();
    // A second rotation puts the newer old key first in the existing list.
    assert_eq!(
        run_in(dir.path(), &["--rotate", "--keep-fallback", "s.py"]).code,
        0
    );
    let text = fs::read_to_string(dir.path().join("s.py")).unwrap();
    assert!(
        text.contains(&format!(
            "    SECRET_KEY_FALLBACKS = ['{second_key}', '{strong}']"
        )),
        "{text}"
    );
    assert_eq!(run_in(dir.path(), &["--check", "s.py"]).code, 0);
    let without = dir_with(&[("s.py", src.as_bytes())]);
    assert_eq!(run_in(without.path(), &["--rotate", "s.py"]).code, 0);
    assert!(!fs::read_to_string(without.path().join("s.py"))
        .unwrap()
        .contains("FALLBACKS"));
    let usage = run_in(dir.path(), &["--keep-fallback", "s.py"]);
    assert_eq!(usage.code, 2, "--keep-fallback needs --rotate");
}

#[test]
fn standard_input_to_standard_output() {
    let mut child = Command::new(BIN)
        .args(["--stdin-filename", "settings.py", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"# c\r\nSECRET_KEY = ''\r\n")
        .unwrap();
    let run: Run = child.wait_with_output().unwrap().into();
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stdout.starts_with("# c\r\nSECRET_KEY = '") && run.stdout.ends_with("'\r\n"));
    assert_eq!(run.stdout.len(), "# c\r\nSECRET_KEY = ''\r\n".len() + 64);
    assert!(
        run.stderr
            .contains("secretpatch: settings.py: replaced SECRET_KEY"),
        "{run:?}"
    );
    let mut check = Command::new(BIN)
        .args(["--check", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    check.stdin.take().unwrap().write_all(b"X = 1\n").unwrap();
    let out: Run = check.wait_with_output().unwrap().into();
    assert_eq!(out.code, 1);
    assert_eq!(
        out.stdout,
        "<stdin>:1:1: missing: SECRET_KEY is not defined (not-defined)\n"
    );
}

#[test]
fn backup_and_validate() {
    let src = b"SECRET_KEY = 'dev'\n";
    let dir = dir_with(&[("s.py", src), ("t.py", src), ("u.py", src)]);
    fs::set_permissions(dir.path().join("s.py"), fs::Permissions::from_mode(0o640)).unwrap();
    assert_eq!(run_in(dir.path(), &["--backup", "s.py"]).code, 0);
    assert_eq!(fs::read(dir.path().join("s.py.bak")).unwrap(), src);
    assert_eq!(
        fs::metadata(dir.path().join("s.py.bak")).unwrap().mode() & 0o777,
        0o640
    );
    assert_eq!(
        fs::metadata(dir.path().join("s.py")).unwrap().nlink(),
        1,
        "the new file is its own"
    );
    assert_eq!(run_in(dir.path(), &["--backup=.orig", "t.py"]).code, 0);
    assert_eq!(fs::read(dir.path().join("t.py.orig")).unwrap(), src);

    let py = python().display().to_string();
    let check = format!("{py} -c 'import ast, sys; ast.parse(open(sys.argv[1]).read())' %s");
    assert_eq!(run_in(dir.path(), &["--validate", &check, "u.py"]).code, 0);
    assert_ne!(fs::read(dir.path().join("u.py")).unwrap(), src);
    fs::write(dir.path().join("u.py"), src).unwrap();
    let run = run_in(
        dir.path(),
        &["--validate", "echo refused >&2; grep -q never %s", "u.py"],
    );
    assert_eq!(run.code, 2);
    assert_eq!(
        run.stderr,
        "secretpatch: u.py: the --validate command exited 1: refused; the original is unchanged\n"
    );
    assert_eq!(fs::read(dir.path().join("u.py")).unwrap(), src);
    assert!(temp_files(dir.path()).is_empty());
    assert_eq!(
        run_in(dir.path(), &["--validate", "true", "u.py"]).code,
        2,
        "%s is required"
    );
}

#[test]
fn every_mode_is_idempotent() {
    let src = b"import os\nSECRET_KEY = os.environ.get('K', '')\nSECRET_KEY_FALLBACKS = []\n";
    for args in [
        &[][..],
        &["--from-env", "K"],
        &["--store", "STORE"],
        &["--alphabet", "django", "--length", "100"],
    ] {
        let dir = dir_with(&[("s.py", src), ("orig.py", src)]);
        let store = dir.path().join("key");
        let args: Vec<String> = args
            .iter()
            .map(|a| {
                if *a == "STORE" {
                    store.display().to_string()
                } else {
                    a.to_string()
                }
            })
            .chain(["s.py".to_string()])
            .collect();
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        assert_eq!(run_in(dir.path(), &args).code, 0, "{args:?}");
        let once = fs::read(dir.path().join("s.py")).unwrap();
        let again = run_in(dir.path(), &args);
        assert_eq!((again.code, again.stderr.as_str()), (0, ""), "{args:?}");
        assert_eq!(fs::read(dir.path().join("s.py")).unwrap(), once, "{args:?}");
        if args.len() == 1 || args[0] == "--alphabet" {
            judge(
                &dir.path().join("orig.py"),
                &dir.path().join("s.py"),
                "SECRET_KEY",
            )
            .unwrap();
        }
    }
}
