//! Reading settings files without surprises and replacing them so that nothing is ever lost.
//!
//! Reading: the path is resolved (a symlink is followed, and its target is what gets patched), opened
//! without blocking (a FIFO or device is refused, never waited on), checked to be a regular file
//! under the size limit, then read whole.
//!
//! Replacing, under an exclusive `flock` on the file:
//! 1. a temporary file `.NAME.secretpatch-XXXXXX` is created in the same directory with mode 0600;
//! 2. the new content is written in full and fsync'd;
//! 3. it is given the original's owner and group, then its mode (chown may clear set-id bits), then
//!    its extended attributes (SELinux label, ACLs);
//! 4. it is renamed over the original, and the directory is fsync'd so the rename survives a crash.
//!
//! Why the lock is safe although the rename replaces the inode: a process locks the inode it opened,
//! then checks that the path still names that inode; if a concurrent run renamed a new file into
//! place meanwhile, it drops the stale lock and starts over. So two writers never both hold a lock on
//! the inode the path names, and each re-reads the content under its lock, which lets the second of
//! two concurrent runs see the first one's key. `flock` locks vanish with the process, so a `kill -9`
//! never leaves a stale lock behind; the temporary file it may leave is removed by the next run,
//! under the lock.
//!
//! This module knows nothing of Python or of output formats.

use std::fs::{self, File, Metadata, OpenOptions};
use std::io::{self, Read, Write};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::thread::sleep;
use std::time::{Duration, Instant};

/// An error about one file, already worded for people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FsError(pub String);

/// An `io::Error` without the "(os error N)" tail.
pub fn describe(e: &io::Error) -> String {
    let text = e.to_string();
    match text.find(" (os error") {
        Some(i) => text[..i].to_string(),
        None => text,
    }
}

fn err(what: impl Into<String>) -> FsError {
    FsError(what.into())
}

/// Retries an operation interrupted by a signal (EINTR).
fn retry<T>(mut op: impl FnMut() -> io::Result<T>) -> io::Result<T> {
    loop {
        match op() {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            other => return other,
        }
    }
}

/// How files are read and written.
#[derive(Debug, Clone)]
pub struct IoOptions {
    /// Files larger than this are refused.
    pub max_size: u64,
    /// How long to wait for another run holding the lock.
    pub lock_timeout: Duration,
    /// Replace a file that has other hard links (splitting them) instead of refusing.
    pub split_hard_links: bool,
    /// A shell command that must accept the new content (`%s` is its path) before it replaces
    /// the old.
    pub validate: Option<String>,
    /// Keep the previous file under its name plus this suffix.
    pub backup: Option<String>,
}

/// Opens `path` for reading without following it into a FIFO or device.
fn open_regular(path: &Path, max_size: u64) -> Result<(File, Metadata), FsError> {
    let file = retry(|| {
        OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NONBLOCK | libc::O_CLOEXEC)
            .open(path)
    })
    .map_err(|e| err(describe(&e)))?;
    let meta = file.metadata().map_err(|e| err(describe(&e)))?;
    let ft = meta.file_type();
    if ft.is_dir() {
        return Err(err("is a directory, not a file"));
    }
    if !ft.is_file() {
        return Err(err(
            "is not a regular file (a FIFO, socket or device); refusing to read it",
        ));
    }
    if meta.len() > max_size {
        return Err(err(format!(
            "is {} bytes, over the {max_size}-byte limit (--max-size)",
            meta.len()
        )));
    }
    Ok((file, meta))
}

fn read_all(file: &mut File, max_size: u64) -> Result<Vec<u8>, FsError> {
    let mut buf = Vec::new();
    retry(|| (&mut *file).take(max_size + 1).read_to_end(&mut buf))
        .map_err(|e| err(format!("cannot read: {}", describe(&e))))?;
    if buf.len() as u64 > max_size {
        return Err(err(format!(
            "grew over the {max_size}-byte limit (--max-size) while being read"
        )));
    }
    Ok(buf)
}

/// Reads a file for a read-only run.
pub fn read(path: &Path, max_size: u64) -> Result<Vec<u8>, FsError> {
    let (mut file, _) = open_regular(path, max_size)?;
    read_all(&mut file, max_size)
}

/// A file opened and locked for patching, with the content read under the lock.
#[derive(Debug)]
pub struct Locked {
    /// The file the path resolves to (a symlink's target).
    real: PathBuf,
    /// The original, open: holds the lock until dropped.
    file: File,
    meta: Metadata,
    pub content: Vec<u8>,
}

/// What a successful replace wants the user to know.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Replaced {
    /// The mode the file kept.
    pub mode: u32,
}

/// Opens and locks `path`, waiting up to the lock timeout for other runs.
pub fn lock(path: &Path, opts: &IoOptions) -> Result<Locked, FsError> {
    let deadline = Instant::now() + opts.lock_timeout;
    loop {
        let real = fs::canonicalize(path).map_err(|e| err(describe(&e)))?;
        let (mut file, meta) = open_regular(&real, opts.max_size)?;
        lock_until(&file, deadline, opts.lock_timeout, "this file")?;
        // The path may have been replaced by a concurrent run between open and lock.
        match fs::metadata(&real) {
            Ok(now) if now.dev() == meta.dev() && now.ino() == meta.ino() => {
                let content = read_all(&mut file, opts.max_size)?;
                remove_leftovers(&real);
                return Ok(Locked {
                    real,
                    file,
                    meta,
                    content,
                });
            }
            _ => continue,
        }
    }
}

/// Copies every extended attribute (SELinux label, POSIX ACLs, user attributes) from the original
/// to the new file, so that neither its label nor its access list is lost. One that cannot be
/// copied stops the replace.
fn copy_xattrs(from: &File, to: &File) -> Result<(), FsError> {
    use xattr::FileExt;
    let names = match from.list_xattr() {
        Ok(names) => names,
        // A file system without extended attributes has none to keep.
        Err(e) if e.raw_os_error() == Some(libc::ENOTSUP) => return Ok(()),
        Err(e) => {
            return Err(err(format!(
                "cannot list extended attributes: {}",
                describe(&e)
            )))
        }
    };
    for name in names {
        let shown = name.to_string_lossy().into_owned();
        let failed = |e: io::Error| {
            err(format!(
                "cannot keep extended attribute {shown}: {}; the original is unchanged",
                describe(&e)
            ))
        };
        if let Some(value) = from.get_xattr(&name).map_err(failed)? {
            retry(|| to.set_xattr(&name, &value)).map_err(failed)?;
        }
    }
    Ok(())
}

/// Takes an exclusive `flock` on `file`, polling with backoff until `deadline`; `what` names the
/// locked thing in the message (`this file`, `its directory`).
pub fn lock_until(
    file: &File,
    deadline: Instant,
    timeout: Duration,
    what: &str,
) -> Result<(), FsError> {
    let mut pause = Duration::from_millis(2);
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(()),
            Err(fs::TryLockError::WouldBlock) if Instant::now() < deadline => {
                sleep(pause);
                pause = (pause * 2).min(Duration::from_millis(50));
            }
            Err(fs::TryLockError::WouldBlock) => {
                return Err(err(format!(
                    "another process has held the lock on {what} for over {:.1} s \
                     (--lock-timeout); is another secretpatch or editor stuck on it?",
                    timeout.as_secs_f64()
                )))
            }
            Err(fs::TryLockError::Error(e)) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(fs::TryLockError::Error(e)) => {
                return Err(err(format!("cannot lock {what}: {}", describe(&e))))
            }
        }
    }
}

fn temp_prefix(real: &Path) -> String {
    let name = real
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    format!(".{name}.secretpatch-")
}

/// Removes temporary files a killed run left beside `real`. Called under the lock, so no live run
/// on this file is writing one.
fn remove_leftovers(real: &Path) {
    let (Some(dir), prefix) = (real.parent(), temp_prefix(real)) else {
        return;
    };
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with(&prefix) && name.len() == prefix.len() + 6 {
            let _ = fs::remove_file(entry.path());
        }
    }
}

impl Locked {
    /// Atomically replaces the file with `new`, keeping its owner, group, mode and extended
    /// attributes.
    pub fn replace(&self, new: &[u8], opts: &IoOptions) -> Result<Replaced, FsError> {
        let mut out = Replaced::default();
        let links = self.meta.nlink();
        if links > 1 && !opts.split_hard_links {
            return Err(err(format!(
                "has {links} hard links; replacing it would leave the other names with the old \
                 content (use --split-hard-links to replace this name only)"
            )));
        }
        let mode = self.meta.mode() & 0o7777;
        write_atomic(&NewFile {
            target: &self.real,
            content: new,
            owner: Some((self.meta.uid(), self.meta.gid())),
            mode,
            xattrs_from: Some(&self.file),
            validate: opts.validate.as_deref(),
            backup: opts.backup.as_deref(),
        })?;
        out.mode = mode;
        Ok(out)
    }
}

/// A file to put in place atomically.
pub struct NewFile<'a> {
    pub target: &'a Path,
    pub content: &'a [u8],
    /// Owner and group to give it (needs root to give away); `None` keeps the creator's.
    pub owner: Option<(u32, u32)>,
    pub mode: u32,
    /// The file whose extended attributes it gets.
    pub xattrs_from: Option<&'a File>,
    /// A shell command run on the finished temporary file (`%s` is its path) before the rename;
    /// a failure aborts.
    pub validate: Option<&'a str>,
    /// Keep the file being replaced under its name plus this suffix.
    pub backup: Option<&'a str>,
}

/// Puts `n.content` at `n.target` by temporary file, fsync, chown, chmod, xattrs, rename and
/// directory fsync, so that the target is always either the old file or the complete new one.
pub fn write_atomic(n: &NewFile) -> Result<(), FsError> {
    let dir = match n.target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut temp = tempfile::Builder::new()
        .prefix(&temp_prefix(n.target))
        .suffix("")
        .rand_bytes(6)
        .permissions(fs::Permissions::from_mode(0o600))
        .tempfile_in(dir)
        .map_err(|e| {
            err(format!(
                "cannot create a temporary file in {}: {}; secretpatch only writes by atomic \
                 replace, which needs write access to the directory",
                dir.display(),
                describe(&e)
            ))
        })?;
    let write_step = |what: &str, e: io::Error| {
        err(format!(
            "{what} failed: {}; the original is unchanged",
            describe(&e)
        ))
    };
    temp.write_all(n.content)
        .map_err(|e| write_step("writing the new content", e))?;
    retry(|| temp.as_file().sync_all()).map_err(|e| write_step("fsync of the new content", e))?;
    if let Some((uid, gid)) = n.owner {
        let tmeta = temp
            .as_file()
            .metadata()
            .map_err(|e| write_step("stat of the temporary file", e))?;
        if tmeta.uid() != uid || tmeta.gid() != gid {
            retry(|| std::os::unix::fs::fchown(temp.as_file(), Some(uid), Some(gid))).map_err(
                |e| {
                    err(format!(
                        "cannot keep the file's owner {uid}:{gid} ({}); the original is unchanged",
                        describe(&e)
                    ))
                },
            )?;
        }
    }
    retry(|| {
        temp.as_file()
            .set_permissions(fs::Permissions::from_mode(n.mode))
    })
    .map_err(|e| write_step("setting the file mode", e))?;
    // After chown, which drops security.capability.
    if let Some(from) = n.xattrs_from {
        copy_xattrs(from, temp.as_file())?;
    }
    if let Some(command) = n.validate {
        validate(command, temp.path())?;
    }
    if let Some(suffix) = n.backup {
        backup(n.target, suffix)?;
    }
    let mut temp = Some(temp);
    loop {
        match temp.take().expect("temp file").persist(n.target) {
            Ok(_) => break,
            Err(e) if e.error.kind() == io::ErrorKind::Interrupted => temp = Some(e.file),
            Err(e) => return Err(write_step("renaming the new file into place", e.error)),
        }
    }
    retry(|| File::open(dir).and_then(|d| d.sync_all())).map_err(|e| {
        err(format!(
            "the file was replaced, but fsync of its directory failed: {}; the change may not \
             survive a crash",
            describe(&e)
        ))
    })
}

/// Quotes a path for `sh`.
fn shell_quote(path: &Path) -> String {
    format!("'{}'", path.to_string_lossy().replace('\'', "'\\''"))
}

/// Runs the `--validate` command on the new content; any failure aborts the replace.
fn validate(command: &str, temp: &Path) -> Result<(), FsError> {
    let line = command.replace("%s", &shell_quote(temp));
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(&line)
        .stdin(std::process::Stdio::null())
        .output()
        .map_err(|e| {
            err(format!(
                "cannot run the --validate command: {}",
                describe(&e)
            ))
        })?;
    if out.status.success() {
        return Ok(());
    }
    let said = String::from_utf8_lossy(&out.stderr);
    let said = said
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .trim();
    let status = out
        .status
        .code()
        .map_or("was killed".to_string(), |c| format!("exited {c}"));
    Err(err(format!(
        "the --validate command {status}{}{said}; the original is unchanged",
        if said.is_empty() { "" } else { ": " }
    )))
}

/// Keeps the file about to be replaced as `target` + `suffix`: a hard link to it (same inode,
/// mode and owner), put in place by rename so an older backup is replaced atomically.
fn backup(target: &Path, suffix: &str) -> Result<(), FsError> {
    let mut name = target.as_os_str().to_owned();
    name.push(suffix);
    let dest = PathBuf::from(name);
    let mut link = target.as_os_str().to_owned();
    link.push(format!("{suffix}.secretpatch-link"));
    let link = PathBuf::from(link);
    let _ = fs::remove_file(&link);
    let failed = |e: io::Error| {
        err(format!(
            "cannot keep a backup as {}: {}; the original is unchanged",
            dest.display(),
            describe(&e)
        ))
    };
    fs::hard_link(target, &link).map_err(failed)?;
    retry(|| fs::rename(&link, &dest)).map_err(|e| {
        let _ = fs::remove_file(&link);
        failed(e)
    })
}
