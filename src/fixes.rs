//! The Python text a fix writes: a fresh literal in an old one's style, an appended assignment, the
//! expressions that read a key store or the environment, and where a missing `import` goes.
//!
//! It knows nothing of why a key is weak, of options or of files: only of bytes and tokens.

use std::ops::Range;

use crate::edit::Edit;
use crate::python::lexer::{Kind, Lexed, StrInfo};
use crate::scan::Literal;

/// The expression that reads a key store, as Python: the file holds the key and nothing else.
pub fn store_reader(path: &str) -> String {
    format!(
        "pathlib.Path({}).read_text(encoding='ascii').strip()",
        python_str(path)
    )
}

/// The expression that reads the key from the environment.
pub fn environment_reader(var: &str) -> String {
    format!("os.environ[{}]", python_str(var).replace('\'', "\""))
}

/// A Python string literal for `s` (single quotes, backslash escapes where needed).
fn python_str(s: &str) -> String {
    let mut out = String::from("'");
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

/// Modules imported whole at module level (`import os`, `import os, sys`).
pub fn module_imports(src: &[u8], lexed: &Lexed) -> Vec<String> {
    let mut out = Vec::new();
    for line in lexed.lines.iter().filter(|l| l.indent == 0) {
        let toks = &lexed.tokens[line.tokens.clone()];
        if toks.first().is_some_and(|t| &src[t.span()] == b"import") {
            for alias in toks[1..].split(|t| &src[t.span()] == b",") {
                if let [name] = alias {
                    out.push(String::from_utf8_lossy(&src[name.span()]).into_owned());
                }
            }
        }
    }
    out
}

/// Where a new `import` goes: before the first module-level statement that is neither the
/// docstring nor a `from __future__` import.
pub fn import_point(src: &[u8], lexed: &Lexed) -> Option<usize> {
    for (i, line) in lexed.lines.iter().enumerate() {
        let toks = &lexed.tokens[line.tokens.clone()];
        let docstring = i == 0 && toks.iter().all(|t| matches!(t.kind, Kind::Str(_)));
        let future = toks.len() >= 2
            && &src[toks[0].span()] == b"from"
            && &src[toks[1].span()] == b"__future__";
        if line.indent == 0 && !docstring && !future {
            return Some(toks[0].start);
        }
    }
    None
}

/// The edit that puts `key` in place of a literal, written with the first token's prefix and
/// quotes; returns it with the span of the new literal inside its content.
pub fn replace_literal(src: &[u8], lit: &Literal, key: &str) -> (Edit, Range<usize>) {
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
pub fn line_ending(src: &[u8]) -> &'static [u8] {
    match src.iter().position(|&c| c == b'\n' || c == b'\r') {
        Some(i) if src[i] == b'\r' && src.get(i + 1) == Some(&b'\n') => b"\r\n",
        Some(i) if src[i] == b'\r' => b"\r",
        _ => b"\n",
    }
}

pub fn append_assignment(src: &[u8], name: &str, key: &str) -> (Edit, Range<usize>) {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::python::lexer::tokenize;

    #[test]
    fn python_strings_escape_what_they_must() {
        assert_eq!(python_str("/var/lib/app/key"), "'/var/lib/app/key'");
        assert_eq!(python_str("it's\\here\n"), "'it\\'s\\\\here\\x0a'");
        assert_eq!(
            environment_reader("DJANGO_SECRET_KEY"),
            "os.environ[\"DJANGO_SECRET_KEY\"]"
        );
    }

    #[test]
    fn imports_go_after_the_docstring_and_future_imports() {
        let src =
            b"\"\"\"Doc.\"\"\"\nfrom __future__ import annotations\nimport os, sys as s\n\nX = 1\n";
        let lexed = tokenize(src).unwrap();
        let import_os = src.windows(9).position(|w| w == b"import os").unwrap();
        assert_eq!(import_point(src, &lexed), Some(import_os));
        assert_eq!(module_imports(src, &lexed), vec!["os"]);
        let only_doc = b"\"\"\"Doc.\"\"\"\n";
        assert_eq!(import_point(only_doc, &tokenize(only_doc).unwrap()), None);
    }

    #[test]
    fn line_endings() {
        assert_eq!(line_ending(b"a\r\nb"), b"\r\n");
        assert_eq!(line_ending(b"a\rb"), b"\r");
        assert_eq!(line_ending(b"ab"), b"\n");
    }
}
