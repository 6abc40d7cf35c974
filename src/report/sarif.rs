//! SARIF 2.1.0 for GitHub code scanning: one run, a rule per kind of finding with its
//! `security-severity`, and a result per failing (or suppressed) finding with a full region and
//! `partialFingerprints` that do not change when lines move.

use std::collections::HashMap;
use std::io::{self, Write};
use std::path::Path;

use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::patch::{Finding, Verdict};
use crate::process::FileOutcome;

use super::show_value;

/// The rules: id, short description, full description, help, level, security-severity.
const RULES: [(&str, &str, &str, &str, &str, &str); 6] = [
    (
        "insecure",
        "Insecure secret key",
        "The secret key (or its fallback in an environment lookup) is empty, a development or \
         published key, a placeholder, too short, or predictable.",
        "Give each installation its own key of at least 50 random characters: run \
         `secretpatch FILE`, or read the key from the environment.",
        "error",
        "8.0",
    ),
    (
        "missing",
        "Missing secret key",
        "The settings file defines no secret key.",
        "Run `secretpatch FILE` to add a fresh one, or read it from the environment.",
        "error",
        "7.0",
    ),
    (
        "ephemeral",
        "Secret key generated at import time",
        "The key is generated anew each time the settings are imported, so each worker process \
         has its own and sessions and signatures break across workers and restarts.",
        "Generate the key once and store it: `secretpatch --store PATH`, or a literal written by \
         `secretpatch FILE`.",
        "error",
        "5.0",
    ),
    (
        "hardcoded",
        "Hard-coded secret key",
        "A literal key is committed to the source: anyone with the repository has it.",
        "Read the key from the environment (`os.environ[\"SECRET_KEY\"]`) or a key store, and \
         rotate the committed one.",
        "error",
        "7.5",
    ),
    (
        "not-a-list",
        "Fallback keys given as a string",
        "SECRET_KEY_FALLBACKS is a string, so Django takes each of its characters as a key.",
        "Make it a list of keys.",
        "error",
        "6.0",
    ),
    (
        "unused-ignore",
        "Unused suppression",
        "A `# secretpatch: ignore` comment suppresses nothing.",
        "Remove the comment.",
        "note",
        "0.0",
    ),
];

/// The rule a finding belongs to, if it is reported at all.
fn rule_of(f: &Finding) -> Option<&'static str> {
    match f.verdict {
        Verdict::Insecure if f.reason == "not-a-list" => Some("not-a-list"),
        Verdict::Insecure => Some("insecure"),
        Verdict::Missing => Some("missing"),
        Verdict::Ephemeral => Some("ephemeral"),
        Verdict::Hardcoded => Some("hardcoded"),
        Verdict::UnusedIgnore => Some("unused-ignore"),
        _ => None,
    }
}

/// The path as a URI reference relative to the working directory (where GitHub expects the
/// checkout), or an absolute `file://` URI for a path outside it.
pub fn uri(path: &Path, cwd: &Path) -> String {
    let rel = if path.is_absolute() {
        match path.strip_prefix(cwd) {
            Ok(r) => r.to_path_buf(),
            Err(_) => return format!("file://{}", encode(&path.to_string_lossy())),
        }
    } else {
        path.components()
            .filter(|c| !matches!(c, std::path::Component::CurDir))
            .collect()
    };
    encode(&rel.to_string_lossy())
}

fn encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Writes the SARIF log for `outcomes`.
pub fn write(
    out: &mut dyn Write,
    outcomes: &[FileOutcome],
    cwd: &Path,
    show_secrets: bool,
) -> io::Result<()> {
    let rules: Vec<Value> = RULES
        .iter()
        .map(|(id, short, full, help, level, severity)| {
            json!({
                "id": id,
                "name": id.split('-').map(capitalize).collect::<String>(),
                "shortDescription": {"text": short},
                "fullDescription": {"text": full},
                "help": {"text": help, "markdown": help},
                "defaultConfiguration": {"level": level},
                "properties": {"security-severity": severity, "tags": ["security"]},
            })
        })
        .collect();
    let mut results = Vec::new();
    let mut notifications = Vec::new();
    for o in outcomes {
        let uri = uri(&o.path, cwd);
        let p = match &o.result {
            Ok(p) => p,
            Err(e) => {
                notifications.push(json!({
                    "level": "error",
                    "message": {"text": format!("{}: {e}", o.display())},
                    "locations": [{"physicalLocation": {"artifactLocation": {"uri": uri}}}],
                }));
                continue;
            }
        };
        // Fingerprints count occurrences of the same rule and name within the file, in order,
        // instead of using line numbers.
        let mut seen: HashMap<(&str, &str), usize> = HashMap::new();
        for f in &p.analysis.findings {
            let Some(rule) = rule_of(f) else { continue };
            let n = seen.entry((rule, f.name.as_str())).or_default();
            *n += 1;
            let fingerprint = hex(&Sha256::digest(format!("{rule}\0{uri}\0{}\0{n}", f.name)));
            let mut text = f.message.clone();
            if let Some(value) = &f.value {
                text.push_str(&format!(" [{}]", show_value(value, show_secrets)));
            }
            let index = RULES
                .iter()
                .position(|r| r.0 == rule)
                .expect("a listed rule");
            let mut result = json!({
                "ruleId": rule,
                "ruleIndex": index,
                "level": RULES[index].4,
                "message": {"text": format!("{text} ({})", f.reason)},
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": {"uri": uri, "uriBaseId": "%SRCROOT%"},
                        "region": {
                            "startLine": f.line,
                            "startColumn": f.column,
                            "endLine": f.end_line,
                            "endColumn": f.end_column,
                        },
                    },
                }],
                "partialFingerprints": {"secretpatch/v1": fingerprint},
                "properties": {"verdict": f.verdict.code(), "reasons": f.reasons},
            });
            if let Some(reason) = &f.suppressed {
                result["suppressions"] = json!([{"kind": "inSource", "justification": reason}]);
            }
            results.push(result);
        }
    }
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "secretpatch",
                "version": env!("CARGO_PKG_VERSION"),
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "originalUriBaseIds": {"%SRCROOT%": {"uri": format!("file://{}/", encode(&cwd.to_string_lossy()))}},
            "results": results,
            "invocations": [{
                "executionSuccessful": notifications.is_empty(),
                "toolExecutionNotifications": notifications,
            }],
        }],
    });
    serde_json::to_writer_pretty(&mut *out, &log)?;
    writeln!(out)
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_relative_and_encoded() {
        let cwd = Path::new("/repo");
        assert_eq!(uri(Path::new("./app/settings.py"), cwd), "app/settings.py");
        assert_eq!(uri(Path::new("/repo/a b.py"), cwd), "a%20b.py");
        assert_eq!(uri(Path::new("/etc/x.py"), cwd), "file:///etc/x.py");
    }
}
