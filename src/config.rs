//! The plain settings of one run: flags and `[tool.secretpatch]` from `pyproject.toml` merged,
//! built once so that nothing past the CLI layer sees clap.
//!
//! It knows nothing of Python or of how files are read and written.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::discover::WalkOptions;
use crate::fsio::IoOptions;
use crate::keygen::Alphabet;
use crate::patch::PatchOptions;
use crate::store::StoreOptions;

/// The report format on standard output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    /// `PATH:LINE:COL: VERDICT: message (REASON)` lines for `--check`, a diff for `--dry-run`.
    #[default]
    Text,
    /// One JSON document (see the README); diffs are included as strings.
    Json,
    /// SARIF 2.1.0, as GitHub code scanning takes it.
    Sarif,
    /// GitHub Actions workflow commands (`::error file=…,line=…::…`).
    Github,
}

/// One run's settings.
#[derive(Debug, Clone)]
pub struct Config {
    /// Files and directories to look at, as given.
    pub paths: Vec<PathBuf>,
    /// Replace insecure keys in place (neither `--check` nor `--dry-run`).
    pub write: bool,
    /// Show a unified diff of what would change (`--dry-run`).
    pub diff: bool,
    /// Report every finding (`--check`).
    pub check: bool,
    pub format: Format,
    /// Print nothing but errors and failing findings.
    pub quiet: bool,
    /// Print secret values whole instead of masked.
    pub show_secrets: bool,
    /// Color the diff.
    pub color: bool,
    /// A file named on the command line that defines no key is a finding (and gets one). Off for
    /// pre-commit, which names every changed file.
    pub missing: bool,
    /// Worker threads for directory walks.
    pub threads: usize,
    pub walk: WalkOptions,
    pub patch: PatchOptions,
    /// `--store`: the key store to make sure of before anything else.
    pub store: Option<StoreOptions>,
    /// What standard input (`-`) is called in messages.
    pub stdin_name: String,
    pub io: IoOptions,
}

/// `[tool.secretpatch]` in `pyproject.toml`. Every key is optional; flags override them.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct FileConfig {
    /// The variables holding keys.
    pub names: Option<Vec<String>>,
    /// Globs of files to look at when walking (default `*.py`).
    pub include: Option<Vec<String>>,
    /// Globs of files and directories to leave out when walking.
    pub exclude: Option<Vec<String>>,
    pub length: Option<usize>,
    pub alphabet: Option<Alphabet>,
    /// More whole values that count as placeholders.
    pub placeholders: Option<Vec<String>>,
    pub strict: Option<bool>,
}

#[derive(Deserialize)]
struct PyProject {
    tool: Option<Tool>,
}

#[derive(Deserialize)]
struct Tool {
    secretpatch: Option<FileConfig>,
}

impl FileConfig {
    /// Reads `[tool.secretpatch]` from a `pyproject.toml`; `None` when it has no such table.
    pub fn load(path: &Path) -> Result<Option<FileConfig>, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("{}: {}", path.display(), crate::fsio::describe(&e)))?;
        let doc: PyProject =
            toml::from_str(&text).map_err(|e| format!("{}: {}", path.display(), e.message()))?;
        Ok(doc.tool.and_then(|t| t.secretpatch))
    }

    /// The nearest `pyproject.toml` with a `[tool.secretpatch]` table, from `start` upwards.
    pub fn find(start: &Path) -> Result<Option<(PathBuf, FileConfig)>, String> {
        for dir in start.ancestors() {
            let candidate = dir.join("pyproject.toml");
            if candidate.is_file() {
                if let Some(config) = FileConfig::load(&candidate)? {
                    return Ok(Some((candidate, config)));
                }
            }
        }
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_table_and_rejects_unknown_keys() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pyproject.toml");
        std::fs::write(
            &path,
            "[project]\nname = 'x'\n[tool.secretpatch]\nnames = ['SECRET_KEY', 'JWT_KEY']\n\
             exclude = ['tests/**']\nlength = 80\nalphabet = 'hex'\nplaceholders = ['ours']\nstrict = true\n",
        )
        .unwrap();
        let c = FileConfig::load(&path).unwrap().unwrap();
        assert_eq!(c.names.unwrap(), vec!["SECRET_KEY", "JWT_KEY"]);
        assert_eq!(c.alphabet, Some(Alphabet::Hex));
        assert_eq!(c.strict, Some(true));
        let sub = dir.path().join("a/b");
        std::fs::create_dir_all(&sub).unwrap();
        assert_eq!(FileConfig::find(&sub).unwrap().unwrap().0, path);
        std::fs::write(&path, "[tool.secretpatch]\nnmaes = []\n").unwrap();
        assert!(FileConfig::load(&path)
            .unwrap_err()
            .contains("unknown field `nmaes`"));
        std::fs::write(&path, "[tool.other]\n").unwrap();
        assert_eq!(FileConfig::load(&path).unwrap(), None);
    }
}
