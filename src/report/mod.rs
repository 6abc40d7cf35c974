//! Writers for what secretpatch found and did: check lines ([`text`]), unified diffs ([`diff`]),
//! the JSON document ([`json`]), SARIF ([`sarif`]) and GitHub annotations ([`github`]), each over
//! `&mut dyn Write`. Secret values are masked here unless
//! the caller asks to show them.
//!
//! Nothing here knows flags, exit codes or how files are read and written.

pub mod diff;
pub mod github;
pub mod json;
pub mod sarif;
pub mod text;

use std::ops::Range;

use crate::python::source::StrValue;

/// A masked form of a value that says its shape but not its content: `dj****** (66 chars)`.
/// Short values lose even their first characters.
pub fn mask_text(value: &str) -> String {
    let n = value.chars().count();
    if n == 0 {
        "(empty)".to_string()
    } else if n >= 16 {
        let head: String = value.chars().take(2).collect();
        format!("{head}****** ({n} chars)")
    } else {
        format!("****** ({n} chars)")
    }
}

/// How a judged value is shown: masked, or whole when `show` is set.
pub fn show_value(value: &Option<StrValue>, show: bool) -> String {
    match value {
        None => "None".to_string(),
        Some(StrValue::Str(s)) if show => s.clone(),
        Some(StrValue::Bytes(b)) if show => String::from_utf8_lossy(b).into_owned(),
        Some(StrValue::Str(s)) => mask_text(s),
        Some(StrValue::Bytes(b)) => mask_text(&String::from_utf8_lossy(b)),
    }
}

/// Replaces the body of each string-literal span in `src` by its masked form, keeping prefix and
/// quotes, so that a diff or excerpt shows where keys are but not what they are.
pub fn mask_spans(src: &[u8], spans: &[Range<usize>]) -> Vec<u8> {
    let mut spans: Vec<&Range<usize>> = spans.iter().collect();
    spans.sort_by_key(|r| r.start);
    let mut out = Vec::with_capacity(src.len());
    let mut pos = 0;
    for span in spans {
        if span.start < pos || span.end > src.len() {
            continue;
        }
        out.extend_from_slice(&src[pos..span.start]);
        let token = &src[span.clone()];
        let q = token
            .iter()
            .position(|&c| c == b'\'' || c == b'"')
            .unwrap_or(0);
        let quote = token[q];
        let qlen = if token[q..].starts_with(&[quote; 3]) && token.len() >= q + 6 {
            3
        } else {
            1
        };
        let body = &token[q + qlen..token.len() - qlen];
        out.extend_from_slice(&token[..q + qlen]);
        out.extend_from_slice(mask_text(&String::from_utf8_lossy(body)).as_bytes());
        out.extend_from_slice(&token[token.len() - qlen..]);
        pos = span.end;
    }
    out.extend_from_slice(&src[pos..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks() {
        assert_eq!(
            mask_text("django-insecure-0123456789012345678901234567890123456789012345678"),
            "dj****** (65 chars)"
        );
        assert_eq!(mask_text("dev"), "****** (3 chars)");
        let src = b"K = rb'''abcdefghijklmnopqrstuvwxyz''' # x\nJ = 'dev'\n";
        let text = std::str::from_utf8(src).unwrap();
        let (k, j) = (text.find("rb'''").unwrap(), text.find("'dev'").unwrap());
        let out = mask_spans(src, &[k..k + 34, j..j + 5]);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "K = rb'''ab****** (26 chars)''' # x\nJ = '****** (3 chars)'\n"
        );
    }
}
