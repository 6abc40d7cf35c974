//! Helpers shared by the integration tests: running the binary in a temporary directory, asking
//! CPython, and matching output that contains fresh random keys.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub const BIN: &str = env!("CARGO_BIN_EXE_secretpatch");

/// The project's root, where `fixtures/` lives.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The Python that judges results: `SECRETPATCH_PYTHON`, else `python3`.
pub fn python() -> PathBuf {
    match std::env::var_os("SECRETPATCH_PYTHON") {
        // Absolute, since tests run it from other directories; not canonical, which would step
        // out of a virtual environment.
        Some(p) if Path::new(&p).components().count() > 1 => std::path::absolute(p).unwrap(),
        Some(p) => p.into(),
        None => "python3".into(),
    }
}

/// A finished run of the binary.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl From<Output> for Run {
    fn from(o: Output) -> Self {
        Run {
            code: o.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }
}

impl std::fmt::Debug for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "exit {}\n--- stdout\n{}--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

/// Runs the binary in `dir` with `args`, no color, no NO_COLOR.
pub fn run_in(dir: &Path, args: &[&str]) -> Run {
    Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .output()
        .expect("run secretpatch")
        .into()
}

/// A temporary directory holding `files` (name, content).
pub fn dir_with(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for (name, content) in files {
        let path = dir.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(path, content).unwrap();
    }
    dir
}

/// Runs `python -c CODE ARGS...` and returns its output.
pub fn python_run(code: &str, args: &[&str]) -> Run {
    Command::new(python())
        .arg("-c")
        .arg(code)
        .args(args)
        .output()
        .expect("run python")
        .into()
}

/// CPython's verdict on a patched file (see tests/py/judge.py): `Ok` or what differs.
pub fn judge(original: &Path, patched: &Path, name: &str) -> Result<(), String> {
    let script = root().join("tests/py/judge.py");
    let out: Run = Command::new(python())
        .arg(&script)
        .arg(original)
        .arg(patched)
        .arg(name)
        .output()
        .expect("run judge.py")
        .into();
    if out.code == 0 {
        Ok(())
    } else {
        Err(format!("{}{}", out.stdout, out.stderr))
    }
}

/// The marker that stands for one fresh key in expected files.
pub const KEY: &[u8] = "«KEY»".as_bytes();

/// Checks that `actual` is `expected` with each «KEY» marker standing for a fresh 64-character
/// alphanumeric key, and returns those keys.
pub fn match_keys(expected: &[u8], actual: &[u8]) -> Result<Vec<String>, String> {
    let mut keys = Vec::new();
    let mut rest = actual;
    let mut pieces = split_on(expected, KEY).into_iter().peekable();
    while let Some(piece) = pieces.next() {
        if !rest.starts_with(piece) {
            return Err(format!(
                "expected {:?}\n     got {:?}",
                String::from_utf8_lossy(piece),
                String::from_utf8_lossy(&rest[..rest.len().min(piece.len() + 20)])
            ));
        }
        rest = &rest[piece.len()..];
        if pieces.peek().is_some() {
            let key = rest.get(..64).ok_or("output ends where a key should be")?;
            if !key.iter().all(u8::is_ascii_alphanumeric) {
                return Err(format!("not a key: {:?}", String::from_utf8_lossy(key)));
            }
            keys.push(String::from_utf8_lossy(key).into_owned());
            rest = &rest[64..];
        }
    }
    if !rest.is_empty() {
        return Err(format!(
            "unexpected tail {:?}",
            String::from_utf8_lossy(rest)
        ));
    }
    Ok(keys)
}

fn split_on<'a>(hay: &'a [u8], sep: &[u8]) -> Vec<&'a [u8]> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i + sep.len() <= hay.len() {
        if &hay[i..i + sep.len()] == sep {
            out.push(&hay[start..i]);
            i += sep.len();
            start = i;
        } else {
            i += 1;
        }
    }
    out.push(&hay[start..]);
    out
}

/// Says why a test cannot run here and lets it pass, unless `SECRETPATCH_STRICT` is set (as CI
/// sets it), where a missing capability is a failure.
pub fn skip(why: &str) {
    assert!(
        std::env::var_os("SECRETPATCH_STRICT").is_none(),
        "{why}, and SECRETPATCH_STRICT forbids skipping"
    );
    eprintln!("skipped: {why}");
}

/// Whether this process runs as root (needed for mounts, chown and chattr).
pub fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .map(|l| l.split_whitespace().nth(2) == Some("0"))
        })
        .unwrap_or(false)
}

/// Whether `tool --version` (or `-V`) runs.
pub fn have(tool: &str) -> bool {
    Command::new(tool)
        .arg("-V")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok()
}

/// Leftover temporary files beside `file`.
pub fn temp_files(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".secretpatch-"))
        .collect()
}

/// `/dev/full` opened for writing: every write fails with ENOSPC.
pub fn dev_full() -> std::fs::File {
    std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .expect("/dev/full")
}
