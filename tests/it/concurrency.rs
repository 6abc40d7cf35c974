//! Many runs at once: exactly one key in the end, every run exits 0, nothing half-written is ever
//! seen, no temporary file is left; and a run that cannot get the lock says so.

use std::fs::{self, File};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::util::{dir_with, judge, run_in, temp_files, Run, BIN};

const ORIGINAL: &[u8] = b"import os\n# SECURITY WARNING: keep it secret\nSECRET_KEY = 'django-insecure-abc'\nDEBUG = False\n";

fn spawn(dir: &std::path::Path, args: &[&str]) -> Child {
    Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn finish(children: Vec<Child>) -> Vec<Run> {
    children
        .into_iter()
        .map(|c| c.wait_with_output().unwrap().into())
        .collect()
}

#[test]
fn fifty_concurrent_runs_on_one_file_make_one_key() {
    for _trial in 0..3 {
        let dir = dir_with(&[("settings.py", ORIGINAL), ("original.py", ORIGINAL)]);
        let mut children: Vec<Child> = (0..50)
            .map(|_| spawn(dir.path(), &["settings.py"]))
            .collect();
        // Readers at the same time only ever see a whole file: old (1) or new (0), never an error.
        children.extend((0..10).map(|_| spawn(dir.path(), &["--check", "-q", "settings.py"])));
        let runs = finish(children);
        let (writers, readers) = runs.split_at(50);
        assert!(writers.iter().all(|r| r.code == 0), "{writers:?}");
        assert!(
            readers.iter().all(|r| r.code == 0 || r.code == 1),
            "{readers:?}"
        );
        let replaced = writers
            .iter()
            .filter(|r| r.stderr.contains("replaced SECRET_KEY"))
            .count();
        assert_eq!(
            replaced, 1,
            "exactly one run replaces the key; the rest see it"
        );
        let text = fs::read_to_string(dir.path().join("settings.py")).unwrap();
        assert_eq!(text.matches("SECRET_KEY = '").count(), 1);
        judge(
            &dir.path().join("original.py"),
            &dir.path().join("settings.py"),
            "SECRET_KEY",
        )
        .unwrap();
        assert!(temp_files(dir.path()).is_empty());
    }
}

#[test]
fn fifty_concurrent_runs_over_ten_files() {
    let names: Vec<String> = (0..10).map(|i| format!("s{i}.py")).collect();
    let files: Vec<(&str, &[u8])> = names.iter().map(|n| (n.as_str(), ORIGINAL)).collect();
    let dir = dir_with(&files);
    let children: Vec<Child> = (0..50)
        .map(|i| {
            // Each run takes the files in its own order.
            let mut order: Vec<&str> = names.iter().map(String::as_str).collect();
            order.rotate_left(i % 10);
            if i % 2 == 1 {
                order.reverse();
            }
            spawn(dir.path(), &order)
        })
        .collect();
    let runs = finish(children);
    assert!(runs.iter().all(|r| r.code == 0), "{runs:?}");
    for name in &names {
        let replaced = runs
            .iter()
            .filter(|r| r.stderr.contains(&format!("{name}: replaced SECRET_KEY")))
            .count();
        assert_eq!(replaced, 1, "{name} was replaced {replaced} times");
        assert_eq!(run_in(dir.path(), &["--check", name]).code, 0);
    }
    assert!(temp_files(dir.path()).is_empty());
}

#[test]
fn a_held_lock_times_out_with_a_clear_message() {
    let dir = dir_with(&[("s.py", ORIGINAL)]);
    let holder = File::open(dir.path().join("s.py")).unwrap();
    holder.lock().unwrap();
    let run = run_in(dir.path(), &["--lock-timeout", "0.3", "s.py"]);
    assert_eq!(run.code, 2);
    assert_eq!(
        run.stderr,
        "secretpatch: s.py: another process has held the lock on this file for over 0.3 s \
         (--lock-timeout); is another secretpatch or editor stuck on it?\n"
    );
    assert_eq!(fs::read(dir.path().join("s.py")).unwrap(), ORIGINAL);
    // A read-only check does not wait for the lock.
    assert_eq!(run_in(dir.path(), &["--check", "-q", "s.py"]).code, 1);
    drop(holder);
    assert_eq!(run_in(dir.path(), &["s.py"]).code, 0);
}

/// The lock is on an inode and a rename replaces the inode: a run that waited on the old one must
/// notice and lock the new one, then see its key and do nothing.
#[test]
fn a_run_that_waited_on_a_replaced_inode_starts_over() {
    let dir = dir_with(&[("s.py", ORIGINAL)]);
    let path = dir.path().join("s.py");
    let holder = File::open(&path).unwrap();
    holder.lock().unwrap();
    let waiting = spawn(dir.path(), &["s.py"]);
    // Wait until the run holds the old file open while it waits for the lock (seen twice, so
    // not the brief read before it), or the test would not test the retry.
    let holds = |pid: u32| {
        fs::read_dir(format!("/proc/{pid}/fd")).is_ok_and(|fds| {
            fds.flatten()
                .any(|fd| fs::read_link(fd.path()).is_ok_and(|p| p == path))
        })
    };
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while !(holds(waiting.id()) && {
        std::thread::sleep(Duration::from_millis(30));
        holds(waiting.id())
    }) {
        assert!(
            std::time::Instant::now() < deadline,
            "the run never waited on the lock"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    let strong =
        b"SECRET_KEY = 'Zq8Lr2Vx9Kt4Np7Ws1Bm6Hc3Jf5Dg0Ya8Ue2Io4Pk7Ln1Mx9Rb3Tc6Vz5Qw2Es8Ad'\n";
    fs::write(dir.path().join("new.py"), strong).unwrap();
    fs::rename(dir.path().join("new.py"), &path).unwrap();
    drop(holder);
    let run: Run = waiting.wait_with_output().unwrap().into();
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.stderr, "", "it saw the strong key and changed nothing");
    assert_eq!(fs::read(&path).unwrap(), strong);
}
