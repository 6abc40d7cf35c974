//! Nothing lost, ever: faults injected into every step of the write path (with strace), real full
//! and read-only file systems, immutable files and directories, an unprivileged user, and hostile
//! input. Each time the file is exactly the old one or exactly the new one, no temporary file is
//! left, and the exit status and message tell the truth.

use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;
use std::process::Command;

use crate::util::{dir_with, have, is_root, run_in, skip, temp_files, Run, BIN};

const ORIGINAL: &[u8] = b"# settings\nSECRET_KEY = 'dev'\nDEBUG = False\n";

/// The file is the new one: same bytes around a fresh 64-character key.
fn is_new(content: &[u8]) -> bool {
    content.len() == ORIGINAL.len() - 3 + 64
        && content.starts_with(b"# settings\nSECRET_KEY = '")
        && content.ends_with(b"'\nDEBUG = False\n")
}

fn strace(dir: &Path, inject: &[String], args: &[&str]) -> Run {
    Command::new("strace")
        .args(["-qq", "-f", "-o", "/dev/null"])
        .args(inject)
        .arg(BIN)
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run strace")
        .into()
}

/// The position among all `openat` calls of the one that creates the temporary file, found by
/// tracing one run on a copy.
fn temp_open_index() -> usize {
    let dir = dir_with(&[("s.py", ORIGINAL)]);
    let trace = dir.path().join("trace");
    let ok = Command::new("strace")
        .args(["-qq", "-f", "-e", "trace=openat", "-o"])
        .arg(&trace)
        .arg(BIN)
        .arg("s.py")
        .current_dir(dir.path())
        .stderr(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(ok.success());
    let text = fs::read_to_string(trace).unwrap();
    1 + text
        .lines()
        .filter(|l| l.contains("openat("))
        .position(|l| l.contains(".secretpatch-"))
        .expect("the temporary file is opened")
}

fn need_strace() -> bool {
    if have("strace") {
        return true;
    }
    skip("strace is not installed");
    false
}

/// What a fault must leave behind.
enum Expect {
    /// Exit 2, the original byte for byte, and a one-line message containing each of these.
    Original(Vec<String>),
    /// Exit 2, the new file complete, and a message containing this.
    NewButError(String),
    /// The fault is retried: exit 0 and the new file.
    Retried,
}

fn fault(name: &str, inject: &[String], owner: Option<u32>, expect: Expect) -> Result<(), String> {
    let dir = dir_with(&[("s.py", ORIGINAL)]);
    let file = dir.path().join("s.py");
    if let Some(uid) = owner {
        std::os::unix::fs::chown(&file, Some(uid), Some(uid)).unwrap();
    }
    let run = strace(dir.path(), inject, &["s.py"]);
    let content = fs::read(&file).unwrap();
    let leftovers = temp_files(dir.path());
    if !leftovers.is_empty() {
        return Err(format!("{name}: temporary files left: {leftovers:?}"));
    }
    let ok = match expect {
        Expect::Original(ref parts) => {
            run.code == 2
                && content == ORIGINAL
                && parts.iter().all(|p| run.stderr.contains(p.as_str()))
                && run.stderr.lines().count() == 1
        }
        Expect::NewButError(ref msg) => {
            run.code == 2 && is_new(&content) && run.stderr.contains(msg)
        }
        Expect::Retried => run.code == 0 && is_new(&content),
    };
    if !ok {
        return Err(format!(
            "{name}: {run:?}\ncontent {:?}",
            String::from_utf8_lossy(&content)
        ));
    }
    if let Some(uid) = owner {
        let meta = fs::metadata(&file).unwrap();
        if meta.uid() != uid {
            return Err(format!("{name}: owner {} became {}", uid, meta.uid()));
        }
    }
    Ok(())
}

fn inj(spec: &str) -> Vec<String> {
    let call = spec.split(':').next().unwrap().to_string();
    let trace = match call.as_str() {
        "rename" => "rename,renameat,renameat2".to_string(),
        c => c.to_string(),
    };
    let inject = match call.as_str() {
        "rename" => spec.replacen("rename", "rename,renameat,renameat2", 1),
        _ => spec.to_string(),
    };
    vec![
        "-e".into(),
        format!("trace={trace}"),
        "-e".into(),
        format!("inject={inject}"),
    ]
}

/// Each step of the write path, as strace names its call, and what the message says of it.
fn write_steps(open: usize) -> Vec<(&'static str, String, &'static str)> {
    vec![
        (
            "temporary file open",
            format!("openat:ERR:when={open}"),
            "cannot create a temporary file in",
        ),
        (
            "write",
            "write:ERR:when=1".into(),
            "writing the new content failed: ",
        ),
        (
            "fsync",
            "fsync:ERR:when=1".into(),
            "fsync of the new content failed: ",
        ),
        (
            "fchown",
            "fchown:ERR:when=1".into(),
            "cannot keep the file's owner 65534:65534 (",
        ),
        (
            "fchmod",
            "fchmod:ERR:when=1".into(),
            "setting the file mode failed: ",
        ),
        (
            "rename",
            "rename:ERR:when=1".into(),
            "renaming the new file into place failed: ",
        ),
        (
            "directory fsync",
            "fsync:ERR:when=2".into(),
            "the file was replaced, but fsync of its directory failed: ",
        ),
    ]
}

const ERRNOS: [(&str, &str); 5] = [
    ("ENOSPC", "No space left on device"),
    ("EIO", "Input/output error"),
    ("EXDEV", "Invalid cross-device link"),
    ("EACCES", "Permission denied"),
    ("EINTR", ""),
];

/// Every step of the write path times every fault: before the rename the original survives byte
/// for byte; after it the new file is complete and the error says so; EINTR is retried.
#[test]
fn every_step_of_the_write_path_fails_safely() {
    if !need_strace() {
        return;
    }
    let open = temp_open_index();
    // fchown only runs when the owner differs from the temporary file's: a file owned by another
    // user, patched as root.
    let owner = is_root().then_some(65534);
    if owner.is_none() {
        skip("fchown faults need root, to patch a file owned by another user");
    }
    let mut failures = Vec::new();
    for (step, spec, says) in write_steps(open) {
        if step == "fchown" && owner.is_none() {
            continue;
        }
        let file_owner = if step == "fchown" { owner } else { None };
        for (errno, text) in ERRNOS {
            let expect = if errno == "EINTR" {
                Expect::Retried
            } else if step == "directory fsync" {
                Expect::NewButError(format!("{says}{text}"))
            } else {
                Expect::Original(vec![says.to_string(), text.to_string()])
            };
            let name = format!("{step} {errno}");
            if let Err(e) = fault(
                &name,
                &inj(&spec.replace("ERR", &format!("error={errno}"))),
                file_owner,
                expect,
            ) {
                failures.push(e);
            }
        }
    }
    // And the lock itself.
    if let Err(e) = fault(
        "flock EINTR",
        &inj("flock:error=EINTR:when=1"),
        None,
        Expect::Retried,
    ) {
        failures.push(e);
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

#[test]
fn a_kill_in_the_middle_leaves_the_old_file_and_the_next_run_cleans_up() {
    if !need_strace() {
        return;
    }
    for when in 1..=2 {
        let dir = dir_with(&[("s.py", ORIGINAL)]);
        // Killed at the temp file's write (1) or its fsync (2), before the rename.
        let call = if when == 1 { "write" } else { "fsync" };
        let run = strace(
            dir.path(),
            &inj(&format!("{call}:signal=SIGKILL:when=1")),
            &["s.py"],
        );
        assert_ne!(run.code, 0);
        assert_eq!(fs::read(dir.path().join("s.py")).unwrap(), ORIGINAL);
        assert_eq!(
            temp_files(dir.path()).len(),
            1,
            "the killed run left its temporary file"
        );
        let next = run_in(dir.path(), &["s.py"]);
        assert_eq!(next.code, 0, "{next:?}");
        assert!(is_new(&fs::read(dir.path().join("s.py")).unwrap()));
        assert!(temp_files(dir.path()).is_empty(), "the next run removed it");
    }
}

#[test]
fn kill_at_random_moments_file_is_always_old_or_new() {
    use std::time::Duration;
    // A large settings file, so that a run takes long enough to be hit at many points.
    let mut big = ORIGINAL.to_vec();
    for i in 0..20_000 {
        big.extend_from_slice(format!("OPTION_{i} = 'value {i}'\n").as_bytes());
    }
    let dir = dir_with(&[("s.py", &big)]);
    let file = dir.path().join("s.py");
    // How long an undisturbed run takes here, so the kills spread over the whole of one.
    let mut times: Vec<Duration> = (0..3)
        .map(|_| {
            fs::write(&file, &big).unwrap();
            let start = std::time::Instant::now();
            assert_eq!(run_in(dir.path(), &["-q", "s.py"]).code, 0);
            start.elapsed()
        })
        .collect();
    times.sort();
    // Up to three times the undisturbed run, so that on a loaded machine, where a run takes
    // longer, later kills still land after it finished.
    let span = times[1].as_micros() as u64 * 3;
    let mut outcomes = (0, 0);
    for i in 0..60u64 {
        fs::write(&file, &big).unwrap();
        let mut child = Command::new(BIN)
            .arg("-q")
            .arg("s.py")
            .current_dir(dir.path())
            .spawn()
            .unwrap();
        // Spread over the run in a scrambled order.
        std::thread::sleep(Duration::from_micros((i * 37 % 60) * span / 60));
        let _ = child.kill();
        let _ = child.wait();
        let now = fs::read(&file).unwrap();
        if now == big {
            outcomes.0 += 1;
        } else {
            assert_eq!(
                now.len(),
                big.len() - 3 + 64,
                "run {i}: neither old nor new"
            );
            assert_eq!(&now[..25], &big[..25]);
            assert_eq!(&now[25 + 64..], &big[28..]);
            outcomes.1 += 1;
        }
        let next = run_in(dir.path(), &["-q", "s.py"]);
        assert_eq!(next.code, 0, "{next:?}");
        assert!(
            temp_files(dir.path()).is_empty(),
            "run {i}: temp left after the next run"
        );
        let check = run_in(dir.path(), &["--check", "-q", "s.py"]);
        assert_eq!(check.code, 0, "{check:?}");
    }
    // Both outcomes happen, or the test did not test what it says.
    assert!(
        outcomes.0 > 0 && outcomes.1 > 0,
        "old {} new {}",
        outcomes.0,
        outcomes.1
    );
}

/// Runs `f` with a fresh directory mounted as a tmpfs of `opts`, unmounting after.
fn with_tmpfs(opts: &str, f: impl FnOnce(&Path)) {
    let dir = tempfile::tempdir().unwrap();
    let ok = Command::new("mount")
        .args(["-t", "tmpfs", "-o", opts, "tmpfs"])
        .arg(dir.path())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        skip("cannot mount a tmpfs (needs root)");
        return;
    }
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(dir.path())));
    let _ = Command::new("umount").arg(dir.path()).status();
    if let Err(e) = result {
        std::panic::resume_unwind(e);
    }
}

#[test]
fn a_full_file_system_keeps_the_original() {
    with_tmpfs("size=64k", |mnt| {
        fs::write(mnt.join("s.py"), ORIGINAL).unwrap();
        // Fill every remaining block.
        let mut filler = fs::File::create(mnt.join("filler")).unwrap();
        let chunk = vec![b'x'; 4096];
        while std::io::Write::write_all(&mut filler, &chunk).is_ok() {}
        drop(filler);
        let run = run_in(mnt, &["s.py"]);
        assert_eq!(run.code, 2, "{run:?}");
        assert!(
            run.stderr
                .contains("No space left on device; the original is unchanged"),
            "{run:?}"
        );
        assert_eq!(fs::read(mnt.join("s.py")).unwrap(), ORIGINAL);
        assert!(temp_files(mnt).is_empty());
    });
    // Two inodes: the root directory and the settings file; none left for a temporary file.
    with_tmpfs("size=1m,nr_inodes=2", |mnt| {
        fs::write(mnt.join("s.py"), ORIGINAL).unwrap();
        let run = run_in(mnt, &["s.py"]);
        assert_eq!(run.code, 2, "{run:?}");
        assert!(
            run.stderr.contains("cannot create a temporary file in"),
            "{run:?}"
        );
        assert_eq!(fs::read(mnt.join("s.py")).unwrap(), ORIGINAL);
    });
}

#[test]
fn a_read_only_mount_is_refused() {
    let src = dir_with(&[("s.py", ORIGINAL)]);
    let dst = tempfile::tempdir().unwrap();
    let bind = Command::new("mount")
        .arg("--bind")
        .arg(src.path())
        .arg(dst.path())
        .status();
    if !bind.is_ok_and(|s| s.success()) {
        skip("cannot bind-mount (needs root)");
        return;
    }
    let ro = Command::new("mount")
        .args(["-o", "remount,bind,ro"])
        .arg(dst.path())
        .status();
    let run = run_in(dst.path(), &["s.py"]);
    let check = run_in(dst.path(), &["--check", "s.py"]);
    let _ = Command::new("umount").arg(dst.path()).status();
    assert!(ro.unwrap().success());
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("Read-only file system"), "{run:?}");
    assert_eq!(check.code, 1, "a read-only check still works: {check:?}");
    assert_eq!(fs::read(src.path().join("s.py")).unwrap(), ORIGINAL);
}

fn chattr(flag: &str, path: &Path) -> bool {
    Command::new("chattr")
        .arg(flag)
        .arg(path)
        .status()
        .is_ok_and(|s| s.success())
}

#[test]
fn immutable_file_and_directory_are_refused() {
    let dir = dir_with(&[("s.py", ORIGINAL), ("sub/t.py", ORIGINAL)]);
    let file = dir.path().join("s.py");
    if !chattr("+i", &file) {
        skip("chattr +i is not possible here (needs root on a file system that supports it)");
        return;
    }
    let run = run_in(dir.path(), &["s.py"]);
    chattr("-i", &file);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr
            .contains("renaming the new file into place failed: Operation not permitted"),
        "{run:?}"
    );
    assert_eq!(fs::read(&file).unwrap(), ORIGINAL);
    assert!(temp_files(dir.path()).is_empty());

    let sub = dir.path().join("sub");
    assert!(chattr("+i", &sub));
    let run = run_in(dir.path(), &["sub/t.py"]);
    chattr("-i", &sub);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr.contains("cannot create a temporary file in"),
        "{run:?}"
    );
    assert!(run.stderr.contains("Operation not permitted"), "{run:?}");
    assert_eq!(fs::read(sub.join("t.py")).unwrap(), ORIGINAL);
}

/// A copy of the binary in a world-readable directory, for runs as `nobody`.
fn public_binary() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o755)).unwrap();
    fs::copy(BIN, dir.path().join("secretpatch")).unwrap();
    dir
}

fn as_nobody(bin: &Path, cwd: &Path, args: &[&str]) -> Run {
    Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(bin)
        .args(args)
        .current_dir(cwd)
        .output()
        .unwrap()
        .into()
}

#[test]
fn an_unprivileged_user_gets_clear_messages() {
    if !is_root() || !have("setpriv") {
        skip("runs as another user need root and setpriv");
        return;
    }
    let bin_dir = public_binary();
    let bin = bin_dir.path().join("secretpatch");
    let dir = dir_with(&[("shared.py", ORIGINAL), ("private.py", ORIGINAL)]);
    fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o755)).unwrap();
    fs::set_permissions(
        dir.path().join("shared.py"),
        fs::Permissions::from_mode(0o666),
    )
    .unwrap();
    fs::set_permissions(
        dir.path().join("private.py"),
        fs::Permissions::from_mode(0o600),
    )
    .unwrap();

    // May write the file, may not write its directory: no unsafe in-place fallback.
    let run = as_nobody(&bin, dir.path(), &["shared.py"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr.contains("cannot create a temporary file in"),
        "{run:?}"
    );
    assert!(
        run.stderr
            .contains("Permission denied; secretpatch only writes by atomic replace"),
        "{run:?}"
    );
    assert_eq!(fs::read(dir.path().join("shared.py")).unwrap(), ORIGINAL);

    let run = as_nobody(&bin, dir.path(), &["--check", "private.py"]);
    assert_eq!(run.code, 2);
    assert_eq!(run.stderr, "secretpatch: private.py: Permission denied\n");
}

#[test]
fn owner_group_and_mode_are_kept() {
    if !is_root() {
        skip("changing a file's owner needs root");
        return;
    }
    let dir = dir_with(&[("s.py", ORIGINAL)]);
    let file = dir.path().join("s.py");
    std::os::unix::fs::chown(&file, Some(65534), Some(65533)).unwrap();
    fs::set_permissions(&file, fs::Permissions::from_mode(0o640)).unwrap();
    let run = run_in(dir.path(), &["s.py"]);
    assert_eq!(run.code, 0, "{run:?}");
    let meta = fs::metadata(&file).unwrap();
    assert_eq!(
        (meta.uid(), meta.gid(), meta.mode() & 0o7777),
        (65534, 65533, 0o640)
    );
    assert!(is_new(&fs::read(&file).unwrap()));
    assert!(
        !run.stderr.contains("warning"),
        "0640 is not world-readable: {run:?}"
    );
}

#[test]
fn hard_links_are_refused_unless_asked() {
    let dir = dir_with(&[("s.py", ORIGINAL)]);
    fs::hard_link(dir.path().join("s.py"), dir.path().join("other.py")).unwrap();
    let run = run_in(dir.path(), &["s.py"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("has 2 hard links"), "{run:?}");
    assert_eq!(fs::read(dir.path().join("s.py")).unwrap(), ORIGINAL);
    let run = run_in(dir.path(), &["--split-hard-links", "s.py"]);
    assert_eq!(run.code, 0);
    assert!(is_new(&fs::read(dir.path().join("s.py")).unwrap()));
    assert_eq!(fs::read(dir.path().join("other.py")).unwrap(), ORIGINAL);
}

#[test]
fn special_files_are_never_waited_on() {
    let dir = dir_with(&[]);
    let fifo = dir.path().join("fifo.py");
    assert!(Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    for args in [
        &["fifo.py"][..],
        &["--check", "fifo.py"],
        &["/dev/zero"],
        &["--check", "/dev/null"],
    ] {
        let run = run_in(dir.path(), args);
        assert_eq!(run.code, 2, "{args:?}: {run:?}");
        assert!(
            run.stderr
                .contains("is not a regular file (a FIFO, socket or device)"),
            "{run:?}"
        );
    }
}

#[test]
fn size_limit_long_lines_and_odd_names() {
    let mut huge = b"SECRET_KEY = 'dev'\nX = '".to_vec();
    huge.extend(std::iter::repeat_n(b'a', 1 << 20));
    huge.extend_from_slice(b"'\n");
    let dir = dir_with(&[("long.py", &huge), ("small.py", ORIGINAL)]);
    // A 1 MB line is fine under the limit.
    let run = run_in(dir.path(), &["--check", "long.py"]);
    assert_eq!(run.code, 1, "{run:?}");
    let run = run_in(dir.path(), &["--max-size", "1M", "long.py"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("is 1048602 bytes, over the 1048576-byte limit (--max-size)"),
        "{run:?}"
    );
    assert_eq!(fs::read(dir.path().join("long.py")).unwrap(), huge);

    // A file name that is not UTF-8 is patched, and named as well as it can be.
    use std::os::unix::ffi::OsStrExt;
    let odd = std::ffi::OsStr::from_bytes(b"caf\xe9.py");
    fs::write(dir.path().join(odd), ORIGINAL).unwrap();
    let out: Run = Command::new(BIN)
        .arg(odd)
        .current_dir(dir.path())
        .output()
        .unwrap()
        .into();
    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        out.stderr.contains("caf\u{fffd}.py: replaced SECRET_KEY"),
        "{out:?}"
    );
    assert!(is_new(&fs::read(dir.path().join(odd)).unwrap()));
}

#[test]
fn a_full_stderr_is_an_error_not_a_panic() {
    let dir = dir_with(&[("s.py", ORIGINAL)]);
    let out = Command::new(BIN)
        .arg("s.py")
        .current_dir(dir.path())
        .stderr(crate::util::dev_full())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    // The patch itself was done.
    assert!(is_new(&fs::read(dir.path().join("s.py")).unwrap()));
}

#[test]
fn extended_attributes_are_kept_or_the_file_is_left_alone() {
    use xattr::FileExt;
    let dir = dir_with(&[("s.py", ORIGINAL)]);
    let file = dir.path().join("s.py");
    let set = fs::File::open(&file)
        .unwrap()
        .set_xattr("user.origin", b"package");
    if set.is_err() {
        skip("this file system takes no user extended attributes");
        return;
    }
    let run = run_in(dir.path(), &["s.py"]);
    assert_eq!(run.code, 0, "{run:?}");
    let kept = fs::File::open(&file)
        .unwrap()
        .get_xattr("user.origin")
        .unwrap();
    assert_eq!(kept.as_deref(), Some(&b"package"[..]));

    if !need_strace() {
        return;
    }
    fs::write(&file, ORIGINAL).unwrap();
    fs::File::open(&file)
        .unwrap()
        .set_xattr("user.origin", b"package")
        .unwrap();
    let run = strace(dir.path(), &inj("fsetxattr:error=EPERM:when=1"), &["s.py"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr.contains("cannot keep extended attribute user.origin: Operation not permitted; the original is unchanged"),
        "{run:?}"
    );
    assert_eq!(fs::read(&file).unwrap(), ORIGINAL);
    assert!(temp_files(dir.path()).is_empty());
}

#[test]
fn resource_limits_kill_or_refuse_but_never_corrupt() {
    let mut big = ORIGINAL.to_vec();
    big.extend(std::iter::repeat_n(b"# padding line\n".as_slice(), 400).flatten());
    let dir = dir_with(&[("s.py", &big)]);
    // A file-size limit below the file: the kernel stops the write (SIGXFSZ).
    let run: Run = Command::new("sh")
        .arg("-c")
        .arg(format!("ulimit -f 2; exec {BIN} s.py"))
        .current_dir(dir.path())
        .output()
        .unwrap()
        .into();
    assert_ne!(run.code, 0, "{run:?}");
    assert_eq!(fs::read(dir.path().join("s.py")).unwrap(), big);
    // Too few file descriptors for the temporary file.
    let run: Run = Command::new("sh")
        .arg("-c")
        .arg(format!("ulimit -n 4; exec {BIN} s.py"))
        .current_dir(dir.path())
        .output()
        .unwrap()
        .into();
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("Too many open files"), "{run:?}");
    assert_eq!(fs::read(dir.path().join("s.py")).unwrap(), big);
    // With the limits gone, the next run patches and cleans up after the killed one.
    assert_eq!(run_in(dir.path(), &["-q", "s.py"]).code, 0);
    assert!(temp_files(dir.path()).is_empty());
}
