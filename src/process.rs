//! Runs one mode on one path: read (or, to patch, lock and read), analyse, and write the patched
//! bytes if asked. Its [`FileOutcome`] is all the report writers and the exit code need.
//!
//! It knows nothing of output formats or exit codes.

use std::path::{Path, PathBuf};

use rand::Rng;

use crate::config::Config;
use crate::fsio;
use crate::patch::{analyze, Analysis};

/// What happened to one path.
#[derive(Debug)]
pub struct FileOutcome {
    /// The path as given, for messages.
    pub path: PathBuf,
    pub result: Result<Processed, String>,
}

/// A file that was read and analysed.
#[derive(Debug)]
pub struct Processed {
    pub original: Vec<u8>,
    pub analysis: Analysis,
    /// The patched content replaced the file.
    pub written: bool,
    pub warnings: Vec<String>,
}

impl FileOutcome {
    pub fn display(&self) -> String {
        self.path.to_string_lossy().into_owned()
    }
}

/// Processes one file named by the user.
pub fn process(path: &Path, config: &Config, rng: &mut impl Rng) -> FileOutcome {
    FileOutcome {
        path: path.to_path_buf(),
        result: run(path, config, rng),
    }
}

fn run(path: &Path, config: &Config, rng: &mut impl Rng) -> Result<Processed, String> {
    if !config.write {
        let original = fsio::read(path, config.io.max_size).map_err(|e| e.0)?;
        let analysis = analyze(&original, &config.patch, true, rng).map_err(|e| e.0)?;
        return Ok(Processed {
            original,
            analysis,
            written: false,
            warnings: Vec::new(),
        });
    }
    let locked = fsio::lock(path, &config.io).map_err(|e| e.0)?;
    let analysis = analyze(&locked.content, &config.patch, true, rng).map_err(|e| e.0)?;
    let mut written = false;
    let mut warnings = Vec::new();
    if let Some(patched) = &analysis.patched {
        let replaced = locked.replace(patched, &config.io).map_err(|e| e.0)?;
        warnings = replaced.warnings;
        written = true;
    }
    Ok(Processed {
        original: locked.content,
        analysis,
        written,
        warnings,
    })
}
