//! The plain settings of one run, built once from the command line so that nothing past the CLI
//! layer sees clap.

use std::path::PathBuf;

use crate::fsio::IoOptions;
use crate::patch::PatchOptions;

/// The report format on standard output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    /// `PATH:LINE:COL: VERDICT: message (REASON)` lines for `--check`, a diff for `--dry-run`.
    #[default]
    Text,
    /// One JSON document (see the README); diffs are included as strings.
    Json,
}

/// One run's settings.
#[derive(Debug, Clone)]
pub struct Config {
    /// The files to look at, as given.
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
    pub patch: PatchOptions,
    pub io: IoOptions,
}
