//! One file's bytes in, one [`Analysis`] out: scan for the name, judge each value, and plan the
//! edits that give the file a fresh key where it needs one.
//!
//! Patch, dry-run and check all start from the same analysis and differ only in what they do
//! with it. This module knows nothing of output formats, flags or how files are written.

use std::collections::HashMap;
use std::ops::Range;

use rand::Rng;

use crate::edit::{apply, Edit};
use crate::keygen::{generate, Alphabet};
use crate::policy::{judge, Reason};
use crate::python::lexer::{tokenize, StrInfo};
use crate::python::source::{detect_encoding, LineIndex, StrValue};
use crate::scan::{scan, Literal, Rhs};

/// What the key of one finding amounts to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// A literal (or literal fallback) that fails the policy.
    Insecure,
    /// A file named on the command line that does not define the name.
    Missing,
    /// Generated at import time: every process gets another key.
    Ephemeral,
    /// Not defined, but a star import may bring it in.
    Inherited,
    /// Read from the environment, a file, another module or a call: nothing to judge.
    External,
    /// An expression that cannot be evaluated without running the file.
    Unknown,
    /// A literal that passes every rule.
    Secure,
}

impl Verdict {
    pub fn code(self) -> &'static str {
        match self {
            Verdict::Insecure => "insecure",
            Verdict::Missing => "missing",
            Verdict::Ephemeral => "ephemeral",
            Verdict::Inherited => "inherited",
            Verdict::External => "external",
            Verdict::Unknown => "unknown",
            Verdict::Secure => "secure",
        }
    }

    /// Whether `--check` fails on it.
    pub fn fails(self) -> bool {
        matches!(
            self,
            Verdict::Insecure | Verdict::Missing | Verdict::Ephemeral
        )
    }
}

/// What a patch does about a finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Fix {
    /// Nothing to do, or nothing a patch can do.
    None,
    /// The literal is replaced by a fresh key.
    Replace,
    /// A new assignment is appended to the file.
    Add,
}

/// One statement (or absence) worth reporting.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub name: String,
    /// 1-based line and byte column of the bound name (1, 1 for a missing one).
    pub line: usize,
    pub column: usize,
    /// 1-based line and exclusive byte column where the statement ends.
    pub end_line: usize,
    pub end_column: usize,
    pub verdict: Verdict,
    /// The main reason code (see the README); `reasons` lists every rule broken.
    pub reason: &'static str,
    pub reasons: Vec<&'static str>,
    /// A sentence for people; never contains a secret.
    pub message: String,
    /// The judged literal value, if there was one (for masked display).
    pub value: Option<Option<StrValue>>,
    pub fix: Fix,
}

/// How keys are found and made.
#[derive(Debug, Clone)]
pub struct PatchOptions {
    pub name: String,
    pub length: usize,
    pub alphabet: Alphabet,
}

/// Everything known about one file's content.
#[derive(Debug, Clone, Default)]
pub struct Analysis {
    pub findings: Vec<Finding>,
    /// The patched bytes, when the file needs a change.
    pub patched: Option<Vec<u8>>,
    /// Spans of string tokens in the original that hold a key value (to mask in output).
    pub secrets_before: Vec<Range<usize>>,
    /// Spans of the new literals in the patched bytes.
    pub secrets_after: Vec<Range<usize>>,
    /// The edits that make `patched` from the original, sorted.
    pub edits: Vec<Edit>,
}

/// Why a file cannot be analysed: a message naming the line where that helps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnalysisError(pub String);

/// Analyses `src`. `explicit` says the file was named by the user, so a missing key is a finding.
pub fn analyze(
    src: &[u8],
    opts: &PatchOptions,
    explicit: bool,
    rng: &mut impl Rng,
) -> Result<Analysis, AnalysisError> {
    if src.is_empty() {
        return Err(AnalysisError(
            "file is empty, not a settings file (was it truncated?)".into(),
        ));
    }
    let encoding = detect_encoding(src).map_err(AnalysisError)?;
    let index = LineIndex::new(src);
    let lexed = tokenize(src).map_err(|e| {
        let (line, col) = index.line_col(e.offset);
        AnalysisError(format!("line {line}, column {col}: {}", e.message))
    })?;
    let scanned = scan(src, &lexed, encoding, &opts.name);

    let mut analysis = Analysis::default();
    let mut edits: Vec<(Edit, Range<usize>)> = Vec::new();
    let mut planned: HashMap<(usize, usize), ()> = HashMap::new();
    let name = &opts.name;

    for b in &scanned.bindings {
        let (line, column) = index.line_col(b.name.start);
        let (end_line, end_col) = index.line_col(b.statement.end - 1);
        let mut f = Finding {
            name: name.clone(),
            line,
            column,
            end_line,
            end_column: end_col + 1,
            verdict: Verdict::Unknown,
            reason: "expression",
            reasons: vec!["expression"],
            message: String::new(),
            value: None,
            fix: Fix::None,
        };
        let judged_literal = match &b.value {
            Rhs::Literal(lit) => Some((lit, None)),
            Rhs::Fallback { lookup, literal } => Some((literal, Some(lookup.as_str()))),
            _ => None,
        };
        if let Some((lit, lookup)) = judged_literal {
            let j = judge(lit.value.as_ref());
            analysis.secrets_before.extend(lit.parts.iter().cloned());
            f.value = Some(lit.value.clone());
            if j.is_secure() {
                f.verdict = Verdict::Secure;
                f.reason = "strong";
                f.reasons = vec![];
                f.message = match lookup {
                    None => format!("{name} is a strong literal key"),
                    Some(l) => format!("{name} falls back to a strong literal key in {l}"),
                };
                if lookup.is_some() {
                    f.verdict = Verdict::External;
                    f.reason = "environment";
                    f.reasons = vec!["environment"];
                }
            } else {
                f.verdict = Verdict::Insecure;
                let codes: Vec<&'static str> = j.reasons.iter().map(|r| r.code()).collect();
                match lookup {
                    None => {
                        f.reason = codes[0];
                        f.reasons = codes;
                        f.message = format!("{name} {}", j.detail);
                    }
                    Some(l) => {
                        f.reason = "insecure-fallback";
                        f.reasons = std::iter::once("insecure-fallback").chain(codes).collect();
                        f.message = format!(
                            "the fallback in {l} for {name} {}; it is used whenever the variable is unset",
                            j.detail
                        );
                    }
                }
                f.fix = Fix::Replace;
                let key = (lit.span.start, lit.span.end);
                if planned.insert(key, ()).is_none() {
                    let new = generate(rng, opts.alphabet, opts.length);
                    edits.push(replace_literal(src, lit, &new));
                }
            }
        } else {
            match &b.value {
                Rhs::Ephemeral { generator } => {
                    f.verdict = Verdict::Ephemeral;
                    f.reason = "generated-at-import";
                    f.reasons = vec!["generated-at-import"];
                    f.message = format!(
                        "{name} is generated at import time by {generator}(): every process gets a \
                         different key, so sessions and signatures break across workers and restarts"
                    );
                }
                Rhs::External { source, detail } => {
                    f.verdict = Verdict::External;
                    f.reason = source.code();
                    f.reasons = vec![source.code()];
                    f.message = match source {
                        crate::scan::Source::Environment => {
                            format!("{name} is read from the environment ({detail})")
                        }
                        crate::scan::Source::File => {
                            format!("{name} is read from a file or key store ({detail})")
                        }
                        crate::scan::Source::Import => format!("{name} is {detail}"),
                        crate::scan::Source::Call => {
                            format!("{name} comes from a call to {detail}()")
                        }
                        crate::scan::Source::Module => {
                            format!("{name} comes from another module ({detail})")
                        }
                    };
                }
                _ => {
                    f.message = format!("{name} is an expression secretpatch cannot evaluate");
                }
            }
        }
        analysis.findings.push(f);
    }

    if scanned.bindings.is_empty() {
        if let Some(star) = scanned.star_imports.first() {
            let (line, column) = index.line_col(star.start);
            let (end_line, end_col) = index.line_col(star.end - 1);
            let text = String::from_utf8_lossy(&src[star.clone()]).into_owned();
            analysis.findings.push(Finding {
                name: name.clone(),
                line,
                column,
                end_line,
                end_column: end_col + 1,
                verdict: Verdict::Inherited,
                reason: "star-import",
                reasons: vec!["star-import"],
                message: format!(
                    "{name} is not defined here but may come from `{text}`; not patched, since a key \
                     added here would override that module's"
                ),
                value: None,
                fix: Fix::None,
            });
        } else if explicit {
            let new = generate(rng, opts.alphabet, opts.length);
            edits.push(append_assignment(src, name, &new));
            analysis.findings.push(Finding {
                name: name.clone(),
                line: 1,
                column: 1,
                end_line: 1,
                end_column: 1,
                verdict: Verdict::Missing,
                reason: "not-defined",
                reasons: vec!["not-defined"],
                message: format!("{name} is not defined"),
                value: None,
                fix: Fix::Add,
            });
        }
    }

    if !edits.is_empty() {
        edits.sort_by_key(|(e, _)| e.range.start);
        analysis.edits = edits.iter().map(|(e, _)| e.clone()).collect();
        let patched = apply(src, &analysis.edits).map_err(|o| {
            AnalysisError(format!(
                "internal error: overlapping edits at bytes {:?} and {:?}",
                o.0, o.1
            ))
        })?;
        let mut shift: isize = 0;
        for (e, secret) in &edits {
            let start = (e.range.start as isize + shift) as usize;
            analysis
                .secrets_after
                .push(start + secret.start..start + secret.end);
            shift += e.content.len() as isize - e.range.len() as isize;
        }
        // Secret literals left as they were (strong keys) keep being masked in the new text.
        for kept in &analysis.secrets_before {
            if edits
                .iter()
                .any(|(e, _)| e.range.start < kept.end && kept.start < e.range.end)
            {
                continue;
            }
            let shift: isize = edits
                .iter()
                .filter(|(e, _)| e.range.end <= kept.start)
                .map(|(e, _)| e.content.len() as isize - e.range.len() as isize)
                .sum();
            let start = (kept.start as isize + shift) as usize;
            analysis.secrets_after.push(start..start + kept.len());
        }
        analysis.patched = Some(patched);
    }
    Ok(analysis)
}

/// The edit that puts `key` in place of a literal, written with the first token's prefix and
/// quotes; returns it with the span of the new literal inside its content.
fn replace_literal(src: &[u8], lit: &Literal, key: &str) -> (Edit, Range<usize>) {
    let (prefix, quote): (&[u8], Vec<u8>) = match lit.style {
        Some(StrInfo {
            prefix_len,
            quote,
            triple,
            ..
        }) => (
            &src[lit.span.start..lit.span.start + prefix_len as usize],
            vec![quote; if triple { 3 } else { 1 }],
        ),
        // `None` becomes a plain string.
        None => (b"", vec![b'\'']),
    };
    let mut content = prefix.to_vec();
    content.extend_from_slice(&quote);
    content.extend_from_slice(key.as_bytes());
    content.extend_from_slice(&quote);
    let len = content.len();
    (
        Edit {
            range: lit.span.clone(),
            content,
        },
        0..len,
    )
}

/// The file's own line ending: that of its first line, or `\n`.
fn line_ending(src: &[u8]) -> &'static [u8] {
    match src.iter().position(|&c| c == b'\n' || c == b'\r') {
        Some(i) if src[i] == b'\r' && src.get(i + 1) == Some(&b'\n') => b"\r\n",
        Some(i) if src[i] == b'\r' => b"\r",
        _ => b"\n",
    }
}

fn append_assignment(src: &[u8], name: &str, key: &str) -> (Edit, Range<usize>) {
    let nl = line_ending(src);
    let mut content = Vec::new();
    if !src.is_empty() && !matches!(src.last(), Some(b'\n' | b'\r')) {
        content.extend_from_slice(nl);
    }
    content.extend_from_slice(name.as_bytes());
    content.extend_from_slice(b" = ");
    let start = content.len();
    content.extend_from_slice(format!("'{key}'").as_bytes());
    let end = content.len();
    content.extend_from_slice(nl);
    (
        Edit {
            range: src.len()..src.len(),
            content,
        },
        start..end,
    )
}

/// A short label for the reasons of a finding, for one-line messages.
pub fn reason_label(code: &str) -> String {
    const ALL: [Reason; 7] = [
        Reason::Empty,
        Reason::InsecurePrefix,
        Reason::KnownPublic,
        Reason::Placeholder,
        Reason::TooShort,
        Reason::TooFewUnique,
        Reason::LowEntropy,
    ];
    match ALL.iter().find(|r| r.code() == code) {
        Some(r) => r.label().to_string(),
        None => code.replace('-', " "),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::StdRng;
    use rand::SeedableRng;

    fn opts() -> PatchOptions {
        PatchOptions {
            name: "SECRET_KEY".into(),
            length: 64,
            alphabet: Alphabet::Alnum,
        }
    }

    fn run(src: &[u8]) -> Analysis {
        analyze(src, &opts(), true, &mut StdRng::seed_from_u64(1)).unwrap()
    }

    #[test]
    fn replaces_only_the_literal() {
        let src = b"# c\r\nSECRET_KEY = r\"django-insecure-abc\"  # keep\r\nX = 1";
        let a = run(src);
        let out = a.patched.unwrap();
        assert!(out.starts_with(b"# c\r\nSECRET_KEY = r\""));
        assert!(out.ends_with(b"\"  # keep\r\nX = 1"));
        assert_eq!(out.len(), src.len() - 19 + 64);
        assert_eq!(a.findings[0].reason, "insecure-prefix");
        assert_eq!(&out[a.secrets_after[0].clone()][..2], b"r\"");
    }

    #[test]
    fn concatenation_becomes_one_literal() {
        let a = run(b"SECRET_KEY = (\n    'dev'\n    'key'\n)\n");
        let out = String::from_utf8(a.patched.unwrap()).unwrap();
        assert!(out.starts_with("SECRET_KEY = (\n    '"));
        assert!(out.ends_with("'\n)\n"));
        assert_eq!(out.lines().count(), 3);
    }

    #[test]
    fn missing_is_appended_with_the_files_line_ending() {
        let a = run(b"DEBUG = True\r\nX = 1");
        let out = a.patched.unwrap();
        assert!(out.starts_with(b"DEBUG = True\r\nX = 1\r\nSECRET_KEY = '"));
        assert!(out.ends_with(b"'\r\n"));
        assert_eq!(a.findings[0].verdict, Verdict::Missing);
        let a = analyze(b"X = 1\n", &opts(), false, &mut StdRng::seed_from_u64(1)).unwrap();
        assert!(a.findings.is_empty() && a.patched.is_none());
    }

    #[test]
    fn star_import_is_inherited_not_patched() {
        let a = run(b"from .base import *\nDEBUG = False\n");
        assert_eq!(a.findings[0].verdict, Verdict::Inherited);
        assert!(a.patched.is_none());
    }

    #[test]
    fn second_run_changes_nothing() {
        for src in [
            &b"SECRET_KEY = ''\n"[..],
            b"SECRET_KEY = os.environ.get('K', 'changeme')\n",
            b"X = 1",
            b"SECRET_KEY = None\nSECRET_KEY = b'dev'\n",
            b"A = SECRET_KEY = 'dev'\n",
        ] {
            let first = run(src).patched.expect("first run patches");
            let second = run(&first);
            assert!(
                second.patched.is_none(),
                "{:?}",
                String::from_utf8_lossy(&first)
            );
            assert!(second.findings.iter().all(|f| !f.verdict.fails()));
        }
    }

    #[test]
    fn errors_name_the_line() {
        let e = analyze(
            b"x = 1\ny = 'abc\n",
            &opts(),
            true,
            &mut StdRng::seed_from_u64(1),
        )
        .unwrap_err();
        assert_eq!(e.0, "line 2, column 5: unterminated string literal");
        assert!(analyze(b"", &opts(), true, &mut StdRng::seed_from_u64(1)).is_err());
    }
}
