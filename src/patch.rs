//! One file's bytes in, one [`Analysis`] out: scan for the name, judge each value, and plan the
//! edits that give the file a fresh key where it needs one.
//!
//! Patch, dry-run and check all start from the same analysis and differ only in what they do
//! with it. This module knows nothing of output formats, flags or how files are written.

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use rand::Rng;

use crate::edit::{apply, Edit};
pub use crate::finding::{reason_label, Finding, Fix, Verdict};
use crate::fixes::{
    append_assignment, environment_reader, import_point, line_ending, module_imports,
    replace_literal, store_reader,
};
use crate::keygen::{generate, Alphabet};
use crate::policy::{judge_with, Judgement};
use crate::python::lexer::{tokenize, Lexed};
use crate::python::source::{detect_encoding, LineIndex, StrValue};
use crate::scan::{scan, Binding, Literal, Rhs, Source};

/// How keys are found, judged and made.
#[derive(Debug, Clone)]
pub struct PatchOptions {
    /// The variables holding keys (`SECRET_KEY`); each one's `NAME_FALLBACKS` list is judged too.
    pub names: Vec<String>,
    pub length: usize,
    pub alphabet: Alphabet,
    /// Report every hard-coded literal key, however strong.
    pub strict: bool,
    /// More whole values to treat as placeholders.
    pub placeholders: Vec<String>,
    /// What a fix writes in place of a weak key.
    pub source: KeySource,
    /// Replace literal keys even when they are strong.
    pub rotate: bool,
    /// With `rotate`, move the old key into `NAME_FALLBACKS`.
    pub keep_fallback: bool,
}

/// What a fix puts where a weak key was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySource {
    /// A fresh literal key.
    Literal,
    /// A read of the key store at this (absolute) path.
    Store(String),
    /// `os.environ["VAR"]`.
    Environment(String),
}

impl PatchOptions {
    /// The defaults: `SECRET_KEY`, 64 characters, alphanumeric, not strict.
    pub fn new(names: &[&str]) -> Self {
        PatchOptions {
            names: names.iter().map(|n| n.to_string()).collect(),
            length: 64,
            alphabet: Alphabet::Alnum,
            strict: false,
            placeholders: Vec::new(),
            source: KeySource::Literal,
            rotate: false,
            keep_fallback: false,
        }
    }
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

/// Analyses `src`. `explicit` says the file was named by the user, so a missing key (and a key
/// that may be inherited through a star import) is a finding.
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
    // Each key's `NAME_FALLBACKS` is looked for too, after the keys themselves.
    let fallbacks: Vec<String> = opts
        .names
        .iter()
        .map(|n| format!("{n}_FALLBACKS"))
        .collect();
    let mut names: Vec<&str> = opts.names.iter().map(String::as_str).collect();
    for f in &fallbacks {
        if !names.contains(&f.as_str()) {
            names.push(f);
        }
    }
    let scanned = scan(src, &lexed, encoding, &names);

    let mut b = Builder {
        src,
        index: &index,
        opts,
        rng,
        findings: Vec::new(),
        edits: Vec::new(),
        planned: HashSet::new(),
        secrets_before: Vec::new(),
        ignores: ignore_comments(src, &lexed, &index),
        fallback_lists: HashMap::new(),
        imported: module_imports(src, &lexed),
        import_point: import_point(src, &lexed),
    };
    for binding in &scanned.bindings {
        let (Some(name), Rhs::Sequence(items)) = (names.get(binding.which), &binding.value) else {
            continue;
        };
        if binding.which < opts.names.len() || binding.value_span.is_empty() {
            continue;
        }
        let opening = src[binding.value_span.start];
        let at = binding.value_span.start + usize::from(opening == b'[' || opening == b'(');
        b.fallback_lists
            .insert(name.to_string(), (at, items.is_empty()));
    }
    for binding in &scanned.bindings {
        let name = names[binding.which];
        if binding.which < opts.names.len() {
            b.key(name, binding);
        } else {
            b.fallbacks(name, binding);
        }
    }
    for (which, name) in opts.names.iter().enumerate() {
        if !explicit || scanned.bindings.iter().any(|x| x.which == which) {
            continue;
        }
        match scanned.star_imports.first() {
            Some(star) => b.inherited(name, star),
            None => b.missing(name),
        }
    }
    b.unused_ignores();
    b.finish()
}

/// A `# secretpatch: ignore` comment, with the reason written after it.
#[derive(Debug)]
struct Ignore {
    line: usize,
    column: usize,
    end_column: usize,
    reason: String,
    used: bool,
}

/// Finds `# secretpatch: ignore`, `# secretpatch: ignore[reason]` and
/// `# secretpatch: ignore -- reason`, also after other text in the same comment.
fn ignore_comments(src: &[u8], lexed: &Lexed, index: &LineIndex) -> Vec<Ignore> {
    let mut out = Vec::new();
    for c in &lexed.comments {
        let text = String::from_utf8_lossy(&src[c.clone()]);
        let Some(at) = text.find("secretpatch:") else {
            continue;
        };
        let rest = text[at + "secretpatch:".len()..].trim_start();
        let Some(rest) = rest.strip_prefix("ignore") else {
            continue;
        };
        if rest.starts_with(|ch: char| ch.is_alphanumeric() || ch == '_') {
            continue;
        }
        let reason = rest
            .trim()
            .trim_start_matches(['-', ':', '['])
            .trim_end_matches(']')
            .trim()
            .to_string();
        let (line, column) = index.line_col(c.start);
        out.push(Ignore {
            line,
            column,
            end_column: column + c.len(),
            reason,
            used: false,
        });
    }
    out
}

/// Collects the findings and edits of one file.
struct Builder<'a, R: Rng> {
    src: &'a [u8],
    index: &'a LineIndex,
    opts: &'a PatchOptions,
    rng: &'a mut R,
    findings: Vec<Finding>,
    /// Each planned edit with the span of the new key's literal inside its content.
    edits: Vec<(Edit, Range<usize>)>,
    /// Literal spans already given an edit (chained targets share one literal).
    planned: HashSet<(usize, usize)>,
    secrets_before: Vec<Range<usize>>,
    ignores: Vec<Ignore>,
    /// For each `NAME_FALLBACKS` literal list: where a new first entry goes, and whether the list
    /// is empty.
    fallback_lists: HashMap<String, (usize, bool)>,
    /// Modules imported at module level (`import os`), and those an edit adds.
    imported: Vec<String>,
    /// Where a new `import` line goes: the start of the first module-level statement that is not
    /// the docstring or a `from __future__` import; `None` to append.
    import_point: Option<usize>,
}

impl<R: Rng> Builder<'_, R> {
    fn finding(&self, name: &str, span: Range<usize>) -> Finding {
        let (line, column) = self.index.line_col(span.start);
        let (end_line, end_col) = self.index.line_col(span.end.max(span.start + 1) - 1);
        Finding {
            name: name.to_string(),
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
            suppressed: None,
        }
    }

    /// Applies a covering ignore comment to a failing finding, then records it.
    fn push(&mut self, mut f: Finding) -> bool {
        if f.verdict.fails() {
            if let Some(ig) = self
                .ignores
                .iter_mut()
                .find(|ig| (f.line..=f.end_line).contains(&ig.line))
            {
                ig.used = true;
                f.suppressed = Some(ig.reason.clone());
                f.fix = Fix::None;
            }
        }
        let fix = f.fix;
        self.findings.push(f);
        fix != Fix::None
    }

    fn judge(&self, value: Option<&StrValue>) -> Judgement {
        judge_with(value, &self.opts.placeholders)
    }

    fn key(&mut self, name: &str, b: &Binding) {
        let mut f = self.finding(name, b.name.start..b.statement.end);
        let literal = match &b.value {
            Rhs::Literal(lit) => Some((lit, None)),
            Rhs::Fallback { lookup, literal } => Some((literal, Some(lookup.as_str()))),
            _ => None,
        };
        let Some((lit, lookup)) = literal else {
            self.describe_other(name, &b.value, &mut f);
            self.push(f);
            return;
        };
        let j = self.judge(lit.value.as_ref());
        self.secrets_before.extend(lit.parts.iter().cloned());
        f.value = Some(lit.value.clone());
        if j.is_secure() {
            (f.verdict, f.reason, f.message) = match (lookup, self.opts.strict) {
                (None, false) => (
                    Verdict::Secure,
                    "strong",
                    format!("{name} is a strong literal key"),
                ),
                (Some(l), false) => (
                    Verdict::External,
                    "environment",
                    format!("{name} falls back to a strong literal key in {l}"),
                ),
                (None, true) => (
                    Verdict::Hardcoded,
                    "hardcoded",
                    format!(
                        "{name} is hard-coded: a key committed to a repository is a leaked key; \
                         read it from the environment, e.g. os.environ[\"{name}\"]"
                    ),
                ),
                (Some(l), true) => (
                    Verdict::Hardcoded,
                    "hardcoded",
                    format!(
                        "{name} falls back to a hard-coded key in {l}: a key committed to a \
                         repository is a leaked key; drop the fallback so a missing variable fails"
                    ),
                ),
            };
            f.reasons = if f.reason == "strong" {
                vec![]
            } else {
                vec![f.reason]
            };
            // A strong literal is rewritten when asked to rotate it, or, when hard-coded keys
            // are findings, to read the key from the store or the environment instead.
            let literal_source = matches!(self.opts.source, KeySource::Literal);
            if self.opts.rotate || (f.verdict == Verdict::Hardcoded && !literal_source) {
                f.fix = Fix::Replace;
            }
            if self.push(f) {
                self.fix_literal(name, b, lit);
            }
            return;
        }
        let codes: Vec<&'static str> = j.reasons.iter().map(|r| r.code()).collect();
        f.verdict = Verdict::Insecure;
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
        if self.push(f) {
            self.fix_literal(name, b, lit);
        }
    }

    /// Plans the edit that fixes a literal key (once per literal: chained targets share one):
    /// a fresh literal in its place, a read of the key store, or the environment variable (which
    /// replaces the whole value, fallback lookups included).
    fn fix_literal(&mut self, name: &str, b: &Binding, lit: &Literal) {
        if !self.planned.insert((lit.span.start, lit.span.end)) {
            return;
        }
        match self.opts.source.clone() {
            KeySource::Literal => {
                let key = generate(self.rng, self.opts.alphabet, self.opts.length);
                self.edits.push(replace_literal(self.src, lit, &key));
                if self.opts.rotate && self.opts.keep_fallback {
                    self.keep_as_fallback(name, b, lit);
                }
            }
            KeySource::Store(path) => {
                self.need_import("pathlib");
                self.edits.push((
                    Edit {
                        range: lit.span.clone(),
                        content: store_reader(&path).into_bytes(),
                    },
                    0..0,
                ));
            }
            KeySource::Environment(var) => {
                self.need_import("os");
                self.edits.push((
                    Edit {
                        range: b.value_span.clone(),
                        content: environment_reader(&var).into_bytes(),
                    },
                    0..0,
                ));
            }
        }
    }

    /// `--keep-fallback`: the old key goes first into `NAME_FALLBACKS`, a literal list that is
    /// created after the key's statement if the file has none.
    fn keep_as_fallback(&mut self, name: &str, b: &Binding, lit: &Literal) {
        if lit.value.is_none() || !matches!(&self.src[b.name.clone()], n if n == name.as_bytes()) {
            return;
        }
        let old = String::from_utf8_lossy(&self.src[lit.span.clone()]).into_owned();
        let list = format!("{name}_FALLBACKS");
        if let Some(&(at, empty)) = self.fallback_lists.get(&list) {
            let content = if empty { old } else { format!("{old}, ") };
            self.edits.push((
                Edit {
                    range: at..at,
                    content: content.into_bytes(),
                },
                0..0,
            ));
            return;
        }
        // A new statement after this one, indented like it; after `;` when it shares its line.
        let line_start = self.src[..b.statement.start]
            .iter()
            .rposition(|&c| c == b'\n' || c == b'\r')
            .map_or(0, |i| i + 1);
        let indent = &self.src[line_start..b.statement.start];
        let content = if indent.iter().all(|&c| c == b' ' || c == b'\t') {
            let nl = String::from_utf8_lossy(line_ending(self.src)).into_owned();
            format!("{nl}{}{list} = [{old}]", String::from_utf8_lossy(indent))
        } else {
            format!("; {list} = [{old}]")
        };
        self.edits.push((
            Edit {
                range: b.statement.end..b.statement.end,
                content: content.into_bytes(),
            },
            0..0,
        ));
    }

    /// Makes sure `import MODULE` stands at module level, inserting it where imports go.
    fn need_import(&mut self, module: &str) {
        if self.imported.iter().any(|m| m == module) {
            return;
        }
        self.imported.push(module.to_string());
        let nl = String::from_utf8_lossy(line_ending(self.src)).into_owned();
        let (at, content) = match self.import_point {
            Some(at) => (at, format!("import {module}{nl}")),
            None => {
                let lead = if matches!(self.src.last(), Some(b'\n' | b'\r') | None) {
                    ""
                } else {
                    nl.as_str()
                };
                (self.src.len(), format!("{lead}import {module}{nl}"))
            }
        };
        self.edits.push((
            Edit {
                range: at..at,
                content: content.into_bytes(),
            },
            0..0,
        ));
    }

    fn describe_other(&self, name: &str, value: &Rhs, f: &mut Finding) {
        let (verdict, reason, message) = match value {
            Rhs::Ephemeral { generator } => (
                Verdict::Ephemeral,
                "generated-at-import",
                format!(
                    "{name} is generated at import time by {generator}(): every process gets a \
                     different key, so sessions and signatures break across workers and restarts"
                ),
            ),
            Rhs::External { source, detail } => (
                Verdict::External,
                source.code(),
                match source {
                    Source::Environment => {
                        format!("{name} is read from the environment ({detail})")
                    }
                    Source::File => format!("{name} is read from a file or key store ({detail})"),
                    Source::Import => format!("{name} is {detail}"),
                    Source::Call => format!("{name} comes from a call to {detail}()"),
                    Source::Module => format!("{name} comes from another module ({detail})"),
                },
            ),
            _ => (
                Verdict::Unknown,
                "expression",
                format!("{name} is an expression secretpatch cannot evaluate"),
            ),
        };
        f.verdict = verdict;
        f.reason = reason;
        f.reasons = vec![reason];
        f.message = message;
    }

    /// `NAME_FALLBACKS`: each literal entry is judged like a key (Django's W025); reported, never
    /// patched, since old keys are there on purpose.
    fn fallbacks(&mut self, name: &str, b: &Binding) {
        match &b.value {
            Rhs::Sequence(items) => {
                for (n, item) in items.iter().enumerate() {
                    let Rhs::Literal(lit) = &item.value else {
                        continue;
                    };
                    self.secrets_before.extend(lit.parts.iter().cloned());
                    let j = self.judge(lit.value.as_ref());
                    let mut f = self.finding(name, item.span.clone());
                    f.value = Some(lit.value.clone());
                    if !j.is_secure() {
                        let codes: Vec<&'static str> = j.reasons.iter().map(|r| r.code()).collect();
                        f.verdict = Verdict::Insecure;
                        f.reason = codes[0];
                        f.reasons = codes;
                        f.message = format!(
                            "entry {} of {name} {} (Django's W025); remove it once the sessions \
                             signed with it have expired",
                            n + 1,
                            j.detail
                        );
                    } else if self.opts.strict {
                        f.verdict = Verdict::Hardcoded;
                        f.reason = "hardcoded";
                        f.reasons = vec!["hardcoded"];
                        f.message = format!(
                            "entry {} of {name} is a hard-coded key: a key committed to a \
                             repository is a leaked key",
                            n + 1
                        );
                    } else {
                        continue;
                    }
                    self.push(f);
                }
            }
            Rhs::Literal(lit) if lit.value.is_some() => {
                self.secrets_before.extend(lit.parts.iter().cloned());
                let mut f = self.finding(name, b.name.start..b.statement.end);
                f.value = Some(lit.value.clone());
                f.verdict = Verdict::Insecure;
                f.reason = "not-a-list";
                f.reasons = vec!["not-a-list"];
                f.message = format!(
                    "{name} is a string, not a list: Django would take each of its characters \
                     as a key"
                );
                self.push(f);
            }
            _ => {}
        }
    }

    fn inherited(&mut self, name: &str, star: &Range<usize>) {
        let text = String::from_utf8_lossy(&self.src[star.clone()]).into_owned();
        let mut f = self.finding(name, star.clone());
        f.verdict = Verdict::Inherited;
        f.reason = "star-import";
        f.reasons = vec!["star-import"];
        f.message = format!(
            "{name} is not defined here but may come from `{text}`; not patched, since a key \
             added here would override that module's"
        );
        self.push(f);
    }

    fn missing(&mut self, name: &str) {
        let mut f = self.finding(name, 0..0);
        f.end_column = 1;
        f.verdict = Verdict::Missing;
        f.reason = "not-defined";
        f.reasons = vec!["not-defined"];
        f.message = format!("{name} is not defined");
        f.fix = Fix::Add;
        if !self.push(f) {
            return;
        }
        let value = match self.opts.source.clone() {
            KeySource::Literal => None,
            KeySource::Store(path) => {
                self.need_import("pathlib");
                Some(store_reader(&path))
            }
            KeySource::Environment(var) => {
                self.need_import("os");
                Some(environment_reader(&var))
            }
        };
        let key = generate(self.rng, self.opts.alphabet, self.opts.length);
        let (edit, secret) = append_assignment(self.src, name, &key);
        match value {
            None => self.edits.push((edit, secret)),
            Some(v) => {
                let mut content = edit.content[..secret.start].to_vec();
                content.extend_from_slice(v.as_bytes());
                content.extend_from_slice(&edit.content[secret.end..]);
                self.edits.push((
                    Edit {
                        range: edit.range,
                        content,
                    },
                    0..0,
                ));
            }
        }
    }

    fn unused_ignores(&mut self) {
        let unused: Vec<(usize, usize, usize)> = self
            .ignores
            .iter()
            .filter(|ig| !ig.used)
            .map(|ig| (ig.line, ig.column, ig.end_column))
            .collect();
        for (line, column, end_column) in unused {
            self.findings.push(Finding {
                name: String::new(),
                line,
                column,
                end_line: line,
                end_column,
                verdict: Verdict::UnusedIgnore,
                reason: "unused-ignore",
                reasons: vec!["unused-ignore"],
                message: "this `# secretpatch: ignore` suppresses nothing; remove it".into(),
                value: None,
                fix: Fix::None,
                suppressed: None,
            });
        }
    }

    fn finish(mut self) -> Result<Analysis, AnalysisError> {
        self.findings.sort_by_key(|f| (f.line, f.column));
        let mut analysis = Analysis {
            findings: self.findings,
            secrets_before: self.secrets_before,
            ..Analysis::default()
        };
        let mut edits = self.edits;
        if edits.is_empty() {
            return Ok(analysis);
        }
        edits.sort_by_key(|(e, _)| e.range.start);
        analysis.edits = edits.iter().map(|(e, _)| e.clone()).collect();
        let patched = apply(self.src, &analysis.edits).map_err(|o| {
            AnalysisError(format!(
                "internal error: overlapping edits at bytes {:?} and {:?}",
                o.0, o.1
            ))
        })?;
        let mut shift: isize = 0;
        for (e, secret) in &edits {
            let start = (e.range.start as isize + shift) as usize;
            if !secret.is_empty() {
                analysis
                    .secrets_after
                    .push(start + secret.start..start + secret.end);
            }
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
        Ok(analysis)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::StdRng;
    use rand::SeedableRng;

    fn opts() -> PatchOptions {
        PatchOptions::new(&["SECRET_KEY"])
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
