//! What a Python source file's bytes mean as text: its encoding (UTF-8 by default, or what a PEP 263
//! coding declaration says), where its lines start, and the value of a string literal.
//!
//! It knows nothing of assignments or policy.

use super::lexer::StrInfo;

/// How the file's bytes become characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    /// A single-byte encoding declared by a coding cookie (Latin-1 and its relatives). Characters
    /// are read as Latin-1, which is exact for Latin-1 and close enough to judge a key for the rest.
    SingleByte,
}

/// Reads the PEP 263 declaration from the first two lines and checks the bytes against it.
/// Returns the encoding, or an error message when the file is not valid UTF-8 and declares
/// nothing else.
pub fn detect_encoding(src: &[u8]) -> Result<Encoding, String> {
    let encoding = match coding_cookie(src) {
        None => Encoding::Utf8,
        Some(name) => {
            let name = name.to_ascii_lowercase().replace('_', "-");
            if name == "utf-8" || name == "utf8" || name.starts_with("utf-8-") {
                Encoding::Utf8
            } else {
                Encoding::SingleByte
            }
        }
    };
    if encoding == Encoding::Utf8 {
        if let Err(e) = std::str::from_utf8(src) {
            let line = line_of(src, e.valid_up_to());
            return Err(format!(
                "not valid UTF-8 (line {line}) and no PEP 263 coding declaration says otherwise"
            ));
        }
    }
    Ok(encoding)
}

fn line_of(src: &[u8], offset: usize) -> usize {
    LineIndex::new(src).line_col(offset).0
}

/// The name in `# -*- coding: NAME -*-` on line 1, or on line 2 when line 1 is a comment or blank.
fn coding_cookie(src: &[u8]) -> Option<String> {
    let src = src.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(src);
    let mut lines = src.split(|&c| c == b'\n' || c == b'\r');
    for _ in 0..2 {
        let line = lines.next()?;
        let trimmed: &[u8] = {
            let start = line
                .iter()
                .position(|&c| !matches!(c, b' ' | b'\t' | b'\x0c'))
                .unwrap_or(line.len());
            &line[start..]
        };
        if trimmed.first() == Some(&b'#') {
            if let Some(name) = cookie_in_comment(trimmed) {
                return Some(name);
            }
        } else if !trimmed.is_empty() {
            return None;
        }
    }
    None
}

fn cookie_in_comment(comment: &[u8]) -> Option<String> {
    let pos = comment.windows(6).position(|w| w == b"coding")?;
    let rest = &comment[pos + 6..];
    let rest = rest
        .strip_prefix(b":")
        .or_else(|| rest.strip_prefix(b"="))?;
    let rest = &rest[rest
        .iter()
        .position(|&c| c != b' ' && c != b'\t')
        .unwrap_or(rest.len())..];
    let len = rest
        .iter()
        .position(|&c| !(c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.')))
        .unwrap_or(rest.len());
    (len > 0).then(|| String::from_utf8_lossy(&rest[..len]).into_owned())
}

/// Byte offsets of line starts, for turning offsets into 1-based lines and columns. A line ends at
/// `\n`, `\r\n` or a lone `\r`, as in CPython.
#[derive(Debug, Clone)]
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(src: &[u8]) -> Self {
        let mut starts = vec![0];
        let mut i = 0;
        while i < src.len() {
            match src[i] {
                b'\n' => starts.push(i + 1),
                b'\r' if src.get(i + 1) == Some(&b'\n') => {
                    starts.push(i + 2);
                    i += 1;
                }
                b'\r' => starts.push(i + 1),
                _ => {}
            }
            i += 1;
        }
        LineIndex { starts }
    }

    /// 1-based line and 1-based byte column of `offset`.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let line = self.starts.partition_point(|&s| s <= offset);
        (line, offset - self.starts[line - 1] + 1)
    }
}

/// The value a string literal evaluates to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StrValue {
    Str(String),
    Bytes(Vec<u8>),
}

/// Evaluates one string literal token (not an f-string). Escapes CPython would reject are kept as
/// written, as CPython does with a warning; `\N{…}` names are not resolved and stand as U+FFFD.
pub fn literal_value(token: &[u8], info: StrInfo, encoding: Encoding) -> StrValue {
    let q = info.quote_len();
    let body = &token[info.prefix_len as usize + q..token.len() - q];
    // CPython reads source with universal newlines: a line break inside a literal is "\n".
    let mut units: Vec<u32> = Vec::with_capacity(body.len());
    let push_source = |bytes: &[u8], out: &mut Vec<u32>| match encoding {
        Encoding::Utf8 if !info.bytes => {
            out.extend(String::from_utf8_lossy(bytes).chars().map(|c| c as u32))
        }
        _ => out.extend(bytes.iter().map(|&b| b as u32)),
    };
    let mut i = 0;
    let mut plain_start = 0;
    while i < body.len() {
        let c = body[i];
        if c == b'\r' {
            push_source(&body[plain_start..i], &mut units);
            units.push(b'\n' as u32);
            i += if body.get(i + 1) == Some(&b'\n') {
                2
            } else {
                1
            };
            plain_start = i;
            continue;
        }
        if c != b'\\' || info.raw {
            // A raw string keeps its backslashes; it only needs them to know where the string ends.
            i += 1;
            continue;
        }
        push_source(&body[plain_start..i], &mut units);
        let (consumed, value) = escape(&body[i..], info.bytes);
        match value {
            Escape::Unit(u) => units.push(u),
            Escape::Nothing => {}
            Escape::Verbatim => push_source(&body[i..i + consumed], &mut units),
        }
        i += consumed;
        plain_start = i;
    }
    push_source(&body[plain_start..], &mut units);
    if info.bytes {
        StrValue::Bytes(units.into_iter().map(|u| u as u8).collect())
    } else {
        StrValue::Str(
            units
                .into_iter()
                .map(|u| char::from_u32(u).unwrap_or('\u{FFFD}'))
                .collect(),
        )
    }
}

enum Escape {
    Unit(u32),
    /// A backslash-newline: the line break is removed.
    Nothing,
    /// Not an escape: the backslash and what follows stay.
    Verbatim,
}

/// One escape sequence at the start of `s` (which begins with a backslash): bytes consumed and value.
fn escape(s: &[u8], bytes: bool) -> (usize, Escape) {
    let Some(&c) = s.get(1) else {
        return (1, Escape::Verbatim);
    };
    let simple = |u: u8| (2, Escape::Unit(u as u32));
    match c {
        b'\n' => (2, Escape::Nothing),
        b'\r' => (
            if s.get(2) == Some(&b'\n') { 3 } else { 2 },
            Escape::Nothing,
        ),
        b'\\' | b'\'' | b'"' => simple(c),
        b'a' => simple(7),
        b'b' => simple(8),
        b'f' => simple(12),
        b'n' => simple(b'\n'),
        b'r' => simple(b'\r'),
        b't' => simple(b'\t'),
        b'v' => simple(11),
        b'0'..=b'7' => {
            let digits = s[1..]
                .iter()
                .take(3)
                .take_while(|c| (b'0'..=b'7').contains(c))
                .count();
            let text = std::str::from_utf8(&s[1..1 + digits]).unwrap_or("0");
            let v = u32::from_str_radix(text, 8).unwrap_or(0);
            (1 + digits, Escape::Unit(if bytes { v & 0xff } else { v }))
        }
        b'x' => hex_escape(s, 2),
        b'u' if !bytes => hex_escape(s, 4),
        b'U' if !bytes => hex_escape(s, 8),
        b'N' if !bytes && s.get(2) == Some(&b'{') => match s.iter().position(|&c| c == b'}') {
            Some(p) => (p + 1, Escape::Unit(0xFFFD)),
            None => (2, Escape::Verbatim),
        },
        _ => (1, Escape::Verbatim),
    }
}

fn hex_escape(s: &[u8], len: usize) -> (usize, Escape) {
    match s.get(2..2 + len) {
        Some(h) if h.iter().all(u8::is_ascii_hexdigit) => {
            let text = std::str::from_utf8(h).unwrap_or("0");
            (
                2 + len,
                Escape::Unit(u32::from_str_radix(text, 16).unwrap_or(0xFFFD)),
            )
        }
        _ => (1, Escape::Verbatim),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::python::lexer::{tokenize, Kind};

    fn value(src: &str) -> StrValue {
        let lexed = tokenize(src.as_bytes()).unwrap();
        let t = lexed.tokens[0];
        let Kind::Str(info) = t.kind else { panic!() };
        literal_value(&src.as_bytes()[t.span()], info, Encoding::Utf8)
    }

    fn s(v: &str) -> StrValue {
        StrValue::Str(v.to_string())
    }

    #[test]
    fn escapes() {
        assert_eq!(
            value(r"'a\nb\x41\101\u00e9\U0001F600\\\''"),
            s("a\nbAAé😀\\'")
        );
        assert_eq!(value(r"'\q\N{DASH}'"), s("\\q\u{FFFD}"));
        assert_eq!(value("'a\\\nb'"), s("ab"));
        assert_eq!(value(r"r'a\nb'"), s(r"a\nb"));
        assert_eq!(
            value(r#"b'_5#y2L"F4Q8z\n\xec]/'"#),
            StrValue::Bytes(b"_5#y2L\"F4Q8z\n\xec]/".to_vec())
        );
        assert_eq!(value("'''a\r\nb'''"), s("a\nb"));
        assert_eq!(value("''"), s(""));
    }

    #[test]
    fn latin1_literal() {
        let src = b"'\xe9t\xe9'";
        let lexed = tokenize(src).unwrap();
        let Kind::Str(info) = lexed.tokens[0].kind else {
            panic!()
        };
        assert_eq!(literal_value(src, info, Encoding::SingleByte), s("été"));
    }

    #[test]
    fn encodings() {
        assert_eq!(detect_encoding(b"x = 1\n"), Ok(Encoding::Utf8));
        assert_eq!(
            detect_encoding(b"#!/usr/bin/python\n# -*- coding: latin-1 -*-\nx = '\xe9'\n"),
            Ok(Encoding::SingleByte)
        );
        assert_eq!(
            detect_encoding(b"# vim: set fileencoding=iso-8859-15 :\n"),
            Ok(Encoding::SingleByte)
        );
        assert!(detect_encoding(b"x = 1\n# coding: latin-1\ny = '\xe9'\n").is_err());
        assert!(detect_encoding(b"# coding: utf-8\nx = '\xe9'\n")
            .unwrap_err()
            .contains("line 2"));
    }

    #[test]
    fn line_index() {
        let idx = LineIndex::new(b"ab\ncd\r\nef\rg");
        assert_eq!(idx.line_col(0), (1, 1));
        assert_eq!(idx.line_col(4), (2, 2));
        assert_eq!(idx.line_col(7), (3, 1));
        assert_eq!(idx.line_col(10), (4, 1));
    }
}
