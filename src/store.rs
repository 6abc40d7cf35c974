//! The key store of `--store PATH`: a file holding one key and nothing else (no newline), mode
//! exactly 0600, in the style OpenStack Horizon's `generate_or_read_from_file` made common.
//!
//! It is created once, under an exclusive `flock` on its directory (a path that does not exist yet
//! cannot be locked itself, and a directory lock leaves no lock file behind to go stale), so that
//! any number of concurrent runs end with the same key. An existing store must be mode 0600 (as
//! Horizon requires), owned as asked, and hold a key that passes the policy.
//!
//! It knows nothing of Python or of settings files.

use std::fs::{self, File};
use std::io::Read;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rand::Rng;

use crate::fsio::{describe, lock_until, write_atomic, FsError, NewFile};
use crate::keygen::{generate, Alphabet};
use crate::policy::judge;
use crate::python::source::StrValue;

/// What to do with the store.
#[derive(Debug, Clone)]
pub struct StoreOptions {
    pub path: PathBuf,
    /// Owner and group of a new store (`--owner`).
    pub owner: Option<(u32, u32)>,
    /// Replace the key even if it is fine.
    pub rotate: bool,
    pub alphabet: Alphabet,
    pub length: usize,
    pub lock_timeout: Duration,
}

/// What happened to the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreOutcome {
    Created,
    Kept,
    Rotated,
}

fn err(what: impl Into<String>) -> FsError {
    FsError(what.into())
}

/// Makes sure the store exists and holds a good key.
pub fn ensure(opts: &StoreOptions, rng: &mut impl Rng) -> Result<StoreOutcome, FsError> {
    let path = &opts.path;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let lock = File::open(dir).map_err(|e| {
        err(format!(
            "cannot open its directory {}: {}",
            dir.display(),
            describe(&e)
        ))
    })?;
    let deadline = Instant::now() + opts.lock_timeout;
    lock_until(&lock, deadline, opts.lock_timeout, "its directory")?;
    let write = |key: String, owner: Option<(u32, u32)>| {
        write_atomic(&NewFile {
            target: path,
            content: key.as_bytes(),
            owner,
            mode: 0o600,
            xattrs_from: None,
            validate: None,
            backup: None,
        })
    };
    let meta = match fs::metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            write(generate(rng, opts.alphabet, opts.length), opts.owner)?;
            return Ok(StoreOutcome::Created);
        }
        Err(e) => return Err(err(describe(&e))),
        Ok(m) => m,
    };
    if !meta.is_file() {
        return Err(err(
            "is not a regular file; a key store is a file holding one key",
        ));
    }
    let mode = meta.mode() & 0o7777;
    if mode != 0o600 {
        return Err(err(format!(
            "has mode {mode:04o}, but a key store must be 0600 as Horizon requires (run: chmod 600 {})",
            path.display()
        )));
    }
    if let Some((uid, gid)) = opts.owner {
        if (meta.uid(), meta.gid()) != (uid, gid) {
            return Err(err(format!(
                "is owned by {}:{}, not {uid}:{gid} as --owner asks (run: chown {uid}:{gid} {})",
                meta.uid(),
                meta.gid(),
                path.display()
            )));
        }
    }
    if opts.rotate {
        let key = generate(rng, opts.alphabet, opts.length);
        write(key, Some((meta.uid(), meta.gid())))?;
        return Ok(StoreOutcome::Rotated);
    }
    let mut content = Vec::new();
    File::open(path)
        .and_then(|f| f.take(64 * 1024).read_to_end(&mut content))
        .map_err(|e| err(format!("cannot read: {}", describe(&e))))?;
    let key = String::from_utf8_lossy(&content).trim().to_string();
    let verdict = judge(Some(&StrValue::Str(key)));
    if !verdict.is_secure() {
        return Err(err(format!(
            "holds an insecure key (it {}); delete the file to have a new key made, or run with \
             --rotate",
            verdict.detail
        )));
    }
    Ok(StoreOutcome::Kept)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::StdRng;
    use rand::SeedableRng;
    use std::os::unix::fs::PermissionsExt;

    fn opts(path: PathBuf) -> StoreOptions {
        StoreOptions {
            path,
            owner: None,
            rotate: false,
            alphabet: Alphabet::Alnum,
            length: 64,
            lock_timeout: Duration::from_secs(5),
        }
    }

    #[test]
    fn created_once_then_kept_then_rotated() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secret_key");
        let mut rng = StdRng::seed_from_u64(3);
        assert_eq!(
            ensure(&opts(path.clone()), &mut rng).unwrap(),
            StoreOutcome::Created
        );
        let key = fs::read_to_string(&path).unwrap();
        assert_eq!(key.len(), 64);
        assert!(!key.ends_with('\n'));
        assert_eq!(fs::metadata(&path).unwrap().mode() & 0o777, 0o600);
        assert_eq!(
            ensure(&opts(path.clone()), &mut rng).unwrap(),
            StoreOutcome::Kept
        );
        assert_eq!(fs::read_to_string(&path).unwrap(), key);
        let mut rotate = opts(path.clone());
        rotate.rotate = true;
        assert_eq!(ensure(&rotate, &mut rng).unwrap(), StoreOutcome::Rotated);
        assert_ne!(fs::read_to_string(&path).unwrap(), key);
        assert_eq!(fs::metadata(&path).unwrap().mode() & 0o777, 0o600);
    }

    #[test]
    fn a_bad_store_is_refused_with_the_fix() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secret_key");
        fs::write(
            &path,
            "Zq8Lr2Vx9Kt4Np7Ws1Bm6Hc3Jf5Dg0Ya8Ue2Io4Pk7Ln1Mx9Rb3Tc6Vz5Qw2Es8Ad\n",
        )
        .unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
        let mut rng = StdRng::seed_from_u64(3);
        let e = ensure(&opts(path.clone()), &mut rng).unwrap_err();
        assert!(
            e.0.starts_with("has mode 0644, but a key store must be 0600"),
            "{}",
            e.0
        );
        fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
        // A trailing newline (as an editor leaves) is fine: readers strip it.
        assert_eq!(
            ensure(&opts(path.clone()), &mut rng).unwrap(),
            StoreOutcome::Kept
        );
        fs::write(&path, "changeme").unwrap();
        let e = ensure(&opts(path.clone()), &mut rng).unwrap_err();
        assert!(
            e.0.starts_with("holds an insecure key (it is a placeholder"),
            "{}",
            e.0
        );
    }
}
