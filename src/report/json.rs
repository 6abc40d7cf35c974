//! The JSON report: one document on standard output. This is a stable format; fields are only
//! ever added.
//!
//! ```json
//! {
//!   "version": 1,
//!   "files": [
//!     {
//!       "path": "settings.py",          // as given on the command line
//!       "changed": false,               // the file was rewritten by this run
//!       "would_change": true,           // a patch would rewrite it
//!       "error": null,                  // or a one-line message, then no findings
//!       "diff": "--- a/settings.py…",   // only with --dry-run; masked unless --show-secrets
//!       "findings": [
//!         {
//!           "name": "SECRET_KEY",
//!           "line": 23, "column": 1,         // 1-based, of the bound name (1, 1 when missing)
//!           "end_line": 23, "end_column": 82, // end of the statement, exclusive
//!           "verdict": "insecure",           // insecure missing ephemeral inherited external unknown secure
//!           "reason": "insecure-prefix",     // the main reason code
//!           "reasons": ["insecure-prefix"],  // every rule the value breaks
//!           "message": "…",                  // for people; never holds a secret
//!           "value": "dj****** (66 chars)",  // judged literal, masked unless --show-secrets; null if none
//!           "fix": "replace",                // replace, add or none: what a patch does
//!           "suppressed": null               // or the reason of a `# secretpatch: ignore`
//!         }
//!       ]
//!     }
//!   ],
//!   "summary": {"files": 1, "files_scanned": 1, "errors": 0, "changed": 0,
//!               "would_change": 1, "failing": 1, "verdicts": {"insecure": 1}}
//! }
//! ```

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde::Serialize;

use crate::patch::{Finding, Fix, Verdict};
use crate::process::Report;

use super::show_value;

#[derive(Serialize)]
struct Document<'a> {
    version: u32,
    files: Vec<FileJson<'a>>,
    summary: Summary,
}

#[derive(Serialize)]
struct FileJson<'a> {
    path: String,
    changed: bool,
    would_change: bool,
    error: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    diff: Option<String>,
    findings: Vec<FindingJson<'a>>,
}

#[derive(Serialize)]
struct FindingJson<'a> {
    name: &'a str,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    verdict: Verdict,
    reason: &'a str,
    reasons: &'a [&'static str],
    message: &'a str,
    value: Option<String>,
    fix: Fix,
    suppressed: Option<&'a str>,
}

#[derive(Serialize, Default)]
struct Summary {
    /// Files reported: those named, and walked ones with findings or errors.
    files: usize,
    /// Files looked at, walked ones included.
    files_scanned: usize,
    errors: usize,
    changed: usize,
    would_change: usize,
    failing: usize,
    verdicts: BTreeMap<&'static str, usize>,
}

/// Writes the report for `outcomes`; `diffs` gives each file's diff text when `--dry-run` asked.
pub fn write(
    out: &mut dyn Write,
    report: &Report,
    diffs: Option<&[Vec<u8>]>,
    show_secrets: bool,
) -> io::Result<()> {
    let mut summary = Summary {
        files_scanned: report.files_scanned,
        ..Summary::default()
    };
    let mut files = Vec::new();
    for (i, o) in report.outcomes.iter().enumerate() {
        summary.files += 1;
        let mut file = FileJson {
            path: o.display(),
            changed: false,
            would_change: false,
            error: None,
            // JSON strings are Unicode: bytes that are not UTF-8 show as U+FFFD here.
            diff: diffs.map(|d| String::from_utf8_lossy(&d[i]).into_owned()),
            findings: Vec::new(),
        };
        match &o.result {
            Err(e) => {
                summary.errors += 1;
                file.error = Some(e);
                file.diff = None;
            }
            Ok(p) => {
                file.changed = p.written;
                file.would_change = p.would_change;
                summary.changed += usize::from(file.changed);
                summary.would_change += usize::from(file.would_change);
                for f in &p.analysis.findings {
                    *summary.verdicts.entry(f.verdict.code()).or_default() += 1;
                    summary.failing += usize::from(f.fails());
                    file.findings.push(finding(f, show_secrets));
                }
            }
        }
        files.push(file);
    }
    let doc = Document {
        version: 1,
        files,
        summary,
    };
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)
}

fn finding(f: &Finding, show_secrets: bool) -> FindingJson<'_> {
    FindingJson {
        name: &f.name,
        line: f.line,
        column: f.column,
        end_line: f.end_line,
        end_column: f.end_column,
        verdict: f.verdict,
        reason: f.reason,
        reasons: &f.reasons,
        message: &f.message,
        value: f.value.as_ref().map(|v| show_value(v, show_secrets)),
        fix: f.fix,
        suppressed: f.suppressed.as_deref(),
    }
}
