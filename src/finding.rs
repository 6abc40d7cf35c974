//! What secretpatch says about a key: a [`Finding`] with its [`Verdict`], the reason codes of the
//! stable output formats, and what a patch does about it ([`Fix`]).
//!
//! Plain data: it knows nothing of Python, policy rules, files or output formats.

use crate::policy::Reason;
use crate::python::source::StrValue;

/// What the key of one finding amounts to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
    /// `--strict`: a literal key, however strong, committed to the source.
    Hardcoded,
    /// A `# secretpatch: ignore` comment that suppresses nothing.
    UnusedIgnore,
}

/// JSON writes the same code as text output: [`Verdict::code`] is the one spelling.
impl serde::Serialize for Verdict {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.code())
    }
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
            Verdict::Hardcoded => "hardcoded",
            Verdict::UnusedIgnore => "unused-ignore",
        }
    }

    /// Whether `--check` fails on it.
    pub fn fails(self) -> bool {
        matches!(
            self,
            Verdict::Insecure | Verdict::Missing | Verdict::Ephemeral | Verdict::Hardcoded
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
    /// Set when a `# secretpatch: ignore` comment covers it: the reason given, possibly empty.
    /// A suppressed finding never fails and is never patched.
    pub suppressed: Option<String>,
}

impl Finding {
    /// Whether it makes `--check` fail: a failing verdict, not suppressed.
    pub fn fails(&self) -> bool {
        self.verdict.fails() && self.suppressed.is_none()
    }
}

/// A short label for the reasons of a finding, for one-line messages.
pub fn reason_label(code: &str) -> String {
    match Reason::ALL.iter().find(|r| r.code() == code) {
        Some(r) => r.label().to_string(),
        None => code.replace('-', " "),
    }
}
