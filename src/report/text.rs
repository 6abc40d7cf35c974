//! One line per finding, `PATH:LINE:COL: VERDICT: message (REASON)`, the shape compilers and
//! editors understand.

use std::io::{self, Write};

use crate::patch::Finding;

use super::show_value;

/// Writes one finding; the judged value is appended, masked unless `show_secrets`.
pub fn finding(out: &mut dyn Write, path: &str, f: &Finding, show_secrets: bool) -> io::Result<()> {
    write!(
        out,
        "{path}:{}:{}: {}: {}",
        f.line,
        f.column,
        f.verdict.code(),
        f.message
    )?;
    if let Some(value) = &f.value {
        write!(out, " [{}]", show_value(value, show_secrets))?;
    }
    writeln!(out, " ({})", f.reason)
}
