//! Runs one mode over every path: files named by the user, and the files of directories walked
//! in parallel. For each file: read, skip it quickly if it cannot mention a key, analyse, and to
//! patch, lock, read and judge again under the lock, then replace. Its [`Report`] is all the
//! writers and the exit code need.
//!
//! It knows nothing of output formats or exit codes.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use memchr::memmem;
use rand::Rng;

use crate::config::Config;
use crate::discover::{walk, Entry};
use crate::fsio;
use crate::keygen::os_rng;
use crate::patch::{analyze, Analysis};

/// What happened to one path.
#[derive(Debug)]
pub struct FileOutcome {
    /// The path as given (or as found under a directory given), for messages.
    pub path: PathBuf,
    pub result: Result<Processed, String>,
    /// Read from standard input: a patch writes the result to standard output.
    pub stdin: bool,
}

/// A file that was read and analysed.
#[derive(Debug)]
pub struct Processed {
    /// The bytes read; kept only when a diff is wanted, else empty.
    pub original: Vec<u8>,
    /// The findings; `patched` is kept only when a diff is wanted.
    pub analysis: Analysis,
    /// The file needed a change.
    pub would_change: bool,
    /// This run replaced the file.
    pub written: bool,
    pub warnings: Vec<String>,
}

impl FileOutcome {
    pub fn display(&self) -> String {
        self.path.to_string_lossy().into_owned()
    }
}

/// Every outcome worth reporting, sorted by path, and how many files were looked at.
#[derive(Debug, Default)]
pub struct Report {
    /// Files named on the command line, errors, and walked files with findings.
    pub outcomes: Vec<FileOutcome>,
    pub files_scanned: usize,
}

/// Runs the configured mode over all paths: named files in the order given, each directory's
/// files sorted by path whatever the number of threads.
pub fn run_all(config: &Config) -> Report {
    let needles = needles(config);
    let finders: Vec<memmem::Finder> = needles.iter().map(memmem::Finder::new).collect();
    let scanned = AtomicUsize::new(0);
    let mut outcomes = Vec::new();
    for path in &config.paths {
        let is_dir = std::fs::metadata(path).is_ok_and(|m| m.is_dir());
        if path.as_os_str() == "-" {
            scanned.fetch_add(1, Ordering::Relaxed);
            outcomes.push(FileOutcome {
                path: PathBuf::from(&config.stdin_name),
                result: run_stdin(config, &mut os_rng()),
                stdin: true,
            });
            continue;
        }
        if !is_dir {
            scanned.fetch_add(1, Ordering::Relaxed);
            let result = run(path, true, config.missing, config, &finders, &mut os_rng());
            outcomes.push(FileOutcome {
                path: path.clone(),
                result: result.map(|p| p.expect("files named are always reported")),
                stdin: false,
            });
            continue;
        }
        let found = Mutex::new(Vec::new());
        let keep = |o: FileOutcome| found.lock().expect("no panics while held").push(o);
        let walked = walk(path, &config.walk, config.threads, &|entry| match entry {
            Entry::File(file) => {
                scanned.fetch_add(1, Ordering::Relaxed);
                match run(&file, false, false, config, &finders, &mut os_rng()) {
                    Ok(None) => {}
                    Ok(Some(p)) => keep(FileOutcome {
                        path: file,
                        result: Ok(p),
                        stdin: false,
                    }),
                    Err(e) => keep(FileOutcome {
                        path: file,
                        result: Err(e),
                        stdin: false,
                    }),
                }
            }
            Entry::Error(at, e) => keep(FileOutcome {
                path: at,
                result: Err(e),
                stdin: false,
            }),
        });
        if let Err(e) = walked {
            keep(FileOutcome {
                path: path.clone(),
                result: Err(e),
                stdin: false,
            });
        }
        let mut found = found.into_inner().expect("no panics while held");
        found.sort_by(|a, b| a.path.cmp(&b.path));
        outcomes.extend(found);
    }
    Report {
        outcomes,
        files_scanned: scanned.into_inner(),
    }
}

/// Standard input as a file named on the command line; its bytes and patch are kept, since a
/// patch goes to standard output.
fn run_stdin(config: &Config, rng: &mut impl Rng) -> Result<Processed, String> {
    use std::io::Read;
    let mut bytes = Vec::new();
    std::io::stdin()
        .lock()
        .take(config.io.max_size + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read standard input: {}", fsio::describe(&e)))?;
    if bytes.len() as u64 > config.io.max_size {
        return Err(format!(
            "standard input is over the {}-byte limit (--max-size)",
            config.io.max_size
        ));
    }
    let analysis = analyze(&bytes, &config.patch, config.missing, rng).map_err(|e| e.0)?;
    Ok(Processed {
        would_change: analysis.patched.is_some(),
        original: bytes,
        analysis,
        written: false,
        warnings: Vec::new(),
    })
}

/// Byte strings at least one of which a file must contain to be worth tokenizing: the names
/// (`NAME_FALLBACKS` contains `NAME`), Flask's `secret_key` attribute, and ignore comments.
fn needles(config: &Config) -> Vec<Vec<u8>> {
    let mut n: Vec<Vec<u8>> = config
        .patch
        .names
        .iter()
        .map(|s| s.as_bytes().to_vec())
        .collect();
    n.extend(
        config
            .patch
            .names
            .iter()
            .filter_map(|s| crate::scan::flask_attribute(s))
            .map(|a| a.as_bytes().to_vec()),
    );
    n.push(b"secretpatch:".to_vec());
    n
}

/// Processes one file. `named` says the user named it (so it is reported even when clean);
/// `explicit` that a missing key in it is a finding. `None`: a walked file with nothing to say.
fn run(
    path: &Path,
    named: bool,
    explicit: bool,
    config: &Config,
    finders: &[memmem::Finder],
    rng: &mut impl Rng,
) -> Result<Option<Processed>, String> {
    let bytes = fsio::read(path, config.io.max_size).map_err(|e| e.0)?;
    if !explicit && !finders.iter().any(|f| f.find(&bytes).is_some()) {
        return Ok(named.then(|| Processed {
            original: Vec::new(),
            analysis: Analysis::default(),
            would_change: false,
            written: false,
            warnings: Vec::new(),
        }));
    }
    let mut analysis = analyze(&bytes, &config.patch, explicit, rng).map_err(|e| e.0)?;
    let mut original = bytes;
    let mut written = false;
    let mut warnings = Vec::new();
    if config.write && analysis.patched.is_some() {
        // Judge again under the lock: a concurrent run may have given the file its key already.
        let mut locked = fsio::lock(path, &config.io).map_err(|e| e.0)?;
        analysis = analyze(&locked.content, &config.patch, explicit, rng).map_err(|e| e.0)?;
        if let Some(patched) = &analysis.patched {
            let mode = locked.replace(patched, &config.io).map_err(|e| e.0)?.mode;
            written = true;
            // Only a file that now holds a key (not one that reads a store or the environment).
            if mode & 0o004 != 0 && !analysis.secrets_after.is_empty() {
                warnings.push(format!(
                    "is readable by every user (mode {mode:04o}) and now holds a secret key; \
                     consider chmod o-r"
                ));
            }
        }
        original = std::mem::take(&mut locked.content);
    }
    if !named && analysis.findings.is_empty() {
        return Ok(None);
    }
    let would_change = analysis.patched.is_some();
    if !config.diff {
        original = Vec::new();
        analysis.patched = None;
    }
    Ok(Some(Processed {
        original,
        analysis,
        would_change,
        written,
        warnings,
    }))
}
