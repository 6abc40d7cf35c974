//! Walks directory trees the way ripgrep does (the `ignore` crate: `.gitignore`, `.ignore`,
//! hidden files skipped, parallel), with include and exclude globs, and hands every file found to
//! a visitor. Symlinks are not followed.
//!
//! It knows nothing of file contents.

use std::path::{Path, PathBuf};

use ignore::overrides::OverrideBuilder;
use ignore::{WalkBuilder, WalkState};

/// Which files a walk yields.
#[derive(Debug, Clone, Default)]
pub struct WalkOptions {
    /// Globs of files to take; empty means `*.py`.
    pub include: Vec<String>,
    /// Globs of files and directories to leave out.
    pub exclude: Vec<String>,
    /// Do not read `.gitignore`, `.ignore` and the like.
    pub no_ignore: bool,
    /// Look into hidden files and directories too.
    pub hidden: bool,
}

/// What the walk met.
#[derive(Debug)]
pub enum Entry {
    File(PathBuf),
    /// A directory that could not be read, a bad ignore file, …
    Error(PathBuf, String),
}

/// Walks `root` with `threads` threads, calling `visit` for each file and error, in no order.
pub fn walk(
    root: &Path,
    opts: &WalkOptions,
    threads: usize,
    visit: &(dyn Fn(Entry) + Sync),
) -> Result<(), String> {
    let mut overrides = OverrideBuilder::new(root);
    for glob in &opts.include {
        overrides
            .add(glob)
            .map_err(|e| format!("--include {glob}: {e}"))?;
    }
    if opts.include.is_empty() {
        overrides.add("*.py").expect("a valid glob");
    }
    for glob in &opts.exclude {
        overrides
            .add(&format!("!{glob}"))
            .map_err(|e| format!("--exclude {glob}: {e}"))?;
    }
    let overrides = overrides.build().map_err(|e| e.to_string())?;
    let use_ignores = !opts.no_ignore;
    WalkBuilder::new(root)
        .hidden(!opts.hidden)
        .ignore(use_ignores)
        .git_ignore(use_ignores)
        .git_global(use_ignores)
        .git_exclude(use_ignores)
        .parents(use_ignores)
        .require_git(false)
        .overrides(overrides)
        .threads(threads)
        .build_parallel()
        .run(|| {
            Box::new(move |result| {
                match result {
                    Ok(entry) if entry.file_type().is_some_and(|t| t.is_file()) => {
                        visit(Entry::File(entry.into_path()))
                    }
                    Ok(_) => {}
                    Err(e) => {
                        let path = match &e {
                            ignore::Error::WithPath { path, .. } => path.clone(),
                            _ => root.to_path_buf(),
                        };
                        visit(Entry::Error(path, error_text(&e)))
                    }
                }
                WalkState::Continue
            })
        });
    Ok(())
}

/// The innermost message of a walk error, without the path (the caller names it).
fn error_text(e: &ignore::Error) -> String {
    match e {
        ignore::Error::WithPath { err, .. } | ignore::Error::WithDepth { err, .. } => {
            error_text(err)
        }
        ignore::Error::Io(io) => crate::fsio::describe(io),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    fn found(root: &Path, opts: &WalkOptions) -> Vec<String> {
        let seen = Mutex::new(Vec::new());
        walk(root, opts, 2, &|e| {
            if let Entry::File(p) = e {
                let rel = p.strip_prefix(root).unwrap().to_string_lossy().into_owned();
                seen.lock().unwrap().push(rel);
            }
        })
        .unwrap();
        let mut v = seen.into_inner().unwrap();
        v.sort();
        v
    }

    #[test]
    fn python_files_ignore_rules_and_globs() {
        let dir = tempfile::tempdir().unwrap();
        for f in [
            "a.py",
            "b.txt",
            "sub/c.py",
            "build/d.py",
            ".hidden/e.py",
            "tests/t.py",
        ] {
            let p = dir.path().join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, "x = 1\n").unwrap();
        }
        std::fs::write(dir.path().join(".gitignore"), "build/\n").unwrap();
        let opts = WalkOptions::default();
        assert_eq!(found(dir.path(), &opts), ["a.py", "sub/c.py", "tests/t.py"]);
        let opts = WalkOptions {
            exclude: vec!["tests/**".into()],
            hidden: true,
            no_ignore: true,
            ..Default::default()
        };
        assert_eq!(
            found(dir.path(), &opts),
            [".hidden/e.py", "a.py", "build/d.py", "sub/c.py"]
        );
        let opts = WalkOptions {
            include: vec!["*.txt".into()],
            ..Default::default()
        };
        assert_eq!(found(dir.path(), &opts), ["b.txt"]);
    }
}
