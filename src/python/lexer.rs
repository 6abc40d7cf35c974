//! A byte-level Python tokenizer: names, numbers, operators, brackets and string literals of every
//! prefix and quote style (PEP 701 f-strings and PEP 750 t-strings included), grouped into logical
//! lines with their indentation.
//!
//! It works on bytes so that a Latin-1 file (PEP 263) or one with a BOM, CRLF or lone CR line endings
//! is read exactly as it is, and every token carries the byte span it came from. It knows nothing of
//! `SECRET_KEY`, assignments or policy; it only has to agree with CPython about where tokens, strings,
//! comments and logical lines begin and end.
//!
//! Written by hand because no maintained crate tokenizes Python on bytes: the parsers that agree with
//! CPython are internal-API crates pinned to one release and take `&str` only.

use std::ops::Range;

/// What a token is. Keywords are plain [`Kind::Name`]s: the scanner decides what they mean.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Name,
    Number,
    Str(StrInfo),
    /// An operator or delimiter, brackets included.
    Op,
}

/// How a string literal is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StrInfo {
    /// Bytes of prefix before the opening quote (`rb'…'` has 2).
    pub prefix_len: u8,
    /// `b'` or `b"`.
    pub quote: u8,
    pub triple: bool,
    pub raw: bool,
    pub bytes: bool,
    /// An f-string or t-string: its value is computed, not written.
    pub formatted: bool,
}

impl StrInfo {
    /// Length of the opening (and closing) quote: 1 or 3.
    pub fn quote_len(&self) -> usize {
        if self.triple {
            3
        } else {
            1
        }
    }
}

/// One token and the bytes it spans.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    pub kind: Kind,
    pub start: usize,
    pub end: usize,
    /// Bracket nesting the token stands at; an opening bracket and its closing one share a depth.
    pub depth: u32,
}

impl Token {
    pub fn span(&self) -> Range<usize> {
        self.start..self.end
    }
}

/// A logical line: the tokens of one or more physical lines joined by brackets or backslashes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogicalLine {
    /// Indentation column of its first physical line (tabs to the next multiple of 8, form feed
    /// resets), as CPython computes it.
    pub indent: u32,
    /// Index range into [`Lexed::tokens`].
    pub tokens: Range<usize>,
}

/// The whole file, tokenized.
#[derive(Debug, Clone, Default)]
pub struct Lexed {
    pub tokens: Vec<Token>,
    pub lines: Vec<LogicalLine>,
    /// Byte spans of comments, `#` included (not those inside f-string fields).
    pub comments: Vec<Range<usize>>,
}

/// Why the bytes are not Python, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LexError {
    pub offset: usize,
    pub message: String,
}

impl LexError {
    fn new(offset: usize, message: impl Into<String>) -> Self {
        LexError {
            offset,
            message: message.into(),
        }
    }
}

/// Tokenizes a whole file. `src` may start with a UTF-8 BOM.
pub fn tokenize(src: &[u8]) -> Result<Lexed, LexError> {
    Lexer {
        b: src,
        i: 0,
        out: Lexed::default(),
        brackets: Vec::new(),
    }
    .run()
}

struct Lexer<'a> {
    b: &'a [u8],
    i: usize,
    out: Lexed,
    /// Open brackets and where they opened.
    brackets: Vec<(u8, usize)>,
}

fn is_ident_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_' || c >= 0x80
}

fn is_ident(c: u8) -> bool {
    is_ident_start(c) || c.is_ascii_digit()
}

/// The string prefixes CPython accepts, in any case: `r u b f t br rb fr rf tr rt`.
fn string_prefix(ident: &[u8]) -> Option<(bool, bool, bool)> {
    if ident.len() > 2 {
        return None;
    }
    let (mut raw, mut bytes, mut fmt, mut uni) = (false, false, false, false);
    for &c in ident {
        let flag = match c.to_ascii_lowercase() {
            b'r' => &mut raw,
            b'b' => &mut bytes,
            b'f' | b't' => &mut fmt,
            b'u' => &mut uni,
            _ => return None,
        };
        if *flag {
            return None;
        }
        *flag = true;
    }
    let ok = match ident.len() {
        1 => true,
        _ => raw && (bytes || fmt),
    };
    ok.then_some((raw, bytes, fmt))
}

/// Length of the line break at `i` (`\n`, `\r\n` or `\r`), or 0.
fn newline_len(b: &[u8], i: usize) -> usize {
    match b.get(i) {
        Some(b'\n') => 1,
        Some(b'\r') if b.get(i + 1) == Some(&b'\n') => 2,
        Some(b'\r') => 1,
        _ => 0,
    }
}

const THREE_CHAR_OPS: [&[u8]; 5] = [b"**=", b"//=", b">>=", b"<<=", b"..."];
const TWO_CHAR_OPS: [&[u8]; 20] = [
    b"==", b"!=", b"<=", b">=", b":=", b"->", b"+=", b"-=", b"*=", b"/=", b"%=", b"&=", b"|=",
    b"^=", b"@=", b"**", b"//", b"<<", b">>", b"<>",
];

impl Lexer<'_> {
    fn run(mut self) -> Result<Lexed, LexError> {
        if self.b.starts_with(b"\xEF\xBB\xBF") {
            self.i = 3;
        }
        let mut at_line_start = true;
        let mut indent = 0;
        let mut line_first_token = 0;
        while self.i < self.b.len() {
            if at_line_start && self.brackets.is_empty() {
                let mut col = 0u32;
                while let Some(&c) = self.b.get(self.i) {
                    match c {
                        b' ' => col += 1,
                        b'\t' => col = (col / 8 + 1) * 8,
                        b'\x0c' => col = 0,
                        _ => break,
                    }
                    self.i += 1;
                }
                match self.b.get(self.i) {
                    None => break,
                    Some(b'#') => {
                        self.skip_comment();
                        self.i += newline_len(self.b, self.i);
                        continue;
                    }
                    Some(b'\n' | b'\r') => {
                        self.i += newline_len(self.b, self.i);
                        continue;
                    }
                    _ => {}
                }
                indent = col;
                line_first_token = self.out.tokens.len();
                at_line_start = false;
            }
            let c = self.b[self.i];
            match c {
                b' ' | b'\t' | b'\x0c' => self.i += 1,
                b'#' => self.skip_comment(),
                b'\n' | b'\r' => {
                    self.i += newline_len(self.b, self.i);
                    if self.brackets.is_empty() {
                        self.end_line(indent, line_first_token);
                        at_line_start = true;
                    }
                }
                b'\\' => {
                    let nl = newline_len(self.b, self.i + 1);
                    if nl == 0 && self.i + 1 == self.b.len() {
                        return Err(LexError::new(
                            self.i,
                            "unexpected end of file after line continuation",
                        ));
                    }
                    if nl == 0 {
                        return Err(LexError::new(
                            self.i,
                            "unexpected character after line continuation character",
                        ));
                    }
                    self.i += 1 + nl;
                    if self.i >= self.b.len() {
                        return Err(LexError::new(
                            self.i - 1 - nl,
                            "unexpected end of file after line continuation",
                        ));
                    }
                }
                b'\'' | b'"' => {
                    let start = self.i;
                    let info = StrInfo {
                        prefix_len: 0,
                        quote: c,
                        triple: self.is_triple(start),
                        raw: false,
                        bytes: false,
                        formatted: false,
                    };
                    let end = scan_string(self.b, start, info)?;
                    self.push(Kind::Str(info), start, end);
                }
                c if is_ident_start(c) => {
                    let start = self.i;
                    while self.i < self.b.len() && is_ident(self.b[self.i]) {
                        self.i += 1;
                    }
                    let ident = &self.b[start..self.i];
                    match (self.b.get(self.i), string_prefix(ident)) {
                        (Some(&q @ (b'\'' | b'"')), Some((raw, bytes, formatted))) => {
                            let info = StrInfo {
                                prefix_len: ident.len() as u8,
                                quote: q,
                                triple: self.is_triple(self.i),
                                raw,
                                bytes,
                                formatted,
                            };
                            let end = scan_string(self.b, self.i, info)?;
                            self.push(Kind::Str(info), start, end);
                        }
                        _ => self.out.tokens.push(Token {
                            kind: Kind::Name,
                            start,
                            end: self.i,
                            depth: self.brackets.len() as u32,
                        }),
                    }
                }
                c if c.is_ascii_digit()
                    || (c == b'.' && self.b.get(self.i + 1).is_some_and(u8::is_ascii_digit)) =>
                {
                    let start = self.i;
                    self.i = scan_number(self.b, start);
                    self.push(Kind::Number, start, self.i);
                }
                b'(' | b'[' | b'{' => {
                    let start = self.i;
                    self.push(Kind::Op, start, start + 1);
                    self.brackets.push((c, start));
                }
                b')' | b']' | b'}' => {
                    let start = self.i;
                    let want = match c {
                        b')' => b'(',
                        b']' => b'[',
                        _ => b'{',
                    };
                    match self.brackets.pop() {
                        None => {
                            return Err(LexError::new(start, format!("unmatched '{}'", c as char)))
                        }
                        Some((open, _)) if open != want => {
                            return Err(LexError::new(
                                start,
                                format!(
                                    "closing '{}' does not match opening '{}'",
                                    c as char, open as char
                                ),
                            ))
                        }
                        Some(_) => {}
                    }
                    self.push(Kind::Op, start, start + 1);
                }
                0 => return Err(LexError::new(self.i, "NUL byte: not a Python source file")),
                b'$' | b'?' | b'`' => {
                    return Err(LexError::new(
                        self.i,
                        format!("invalid character '{}'", c as char),
                    ))
                }
                c if c < 0x20 || c == 0x7f => {
                    return Err(LexError::new(
                        self.i,
                        format!("invalid control character 0x{c:02x}"),
                    ))
                }
                _ => {
                    let start = self.i;
                    let rest = &self.b[start..];
                    let len = if THREE_CHAR_OPS.iter().any(|op| rest.starts_with(op)) {
                        3
                    } else if TWO_CHAR_OPS.iter().any(|op| rest.starts_with(op)) {
                        2
                    } else {
                        1
                    };
                    self.push(Kind::Op, start, start + len);
                }
            }
        }
        if let Some(&(open, at)) = self.brackets.last() {
            return Err(LexError::new(
                at,
                format!("'{}' was never closed", open as char),
            ));
        }
        if !at_line_start {
            self.end_line(indent, line_first_token);
        }
        Ok(self.out)
    }

    fn is_triple(&self, q: usize) -> bool {
        let c = self.b[q];
        self.b.get(q + 1) == Some(&c) && self.b.get(q + 2) == Some(&c)
    }

    fn push(&mut self, kind: Kind, start: usize, end: usize) {
        self.out.tokens.push(Token {
            kind,
            start,
            end,
            depth: self.brackets.len() as u32,
        });
        self.i = end;
    }

    fn skip_comment(&mut self) {
        let start = self.i;
        while self.i < self.b.len() && !matches!(self.b[self.i], b'\n' | b'\r') {
            self.i += 1;
        }
        self.out.comments.push(start..self.i);
    }

    fn end_line(&mut self, indent: u32, first: usize) {
        let last = self.out.tokens.len();
        if last > first {
            self.out.lines.push(LogicalLine {
                indent,
                tokens: first..last,
            });
        }
    }
}

fn scan_number(b: &[u8], start: usize) -> usize {
    let hex = b[start] == b'0' && matches!(b.get(start + 1), Some(b'x' | b'X'));
    let mut i = start;
    while let Some(&c) = b.get(i) {
        let exponent_sign = (c == b'+' || c == b'-')
            && !hex
            && matches!(b[i - 1], b'e' | b'E')
            && b.get(i + 1).is_some_and(u8::is_ascii_digit);
        if !(c.is_ascii_alphanumeric() || c == b'_' || c == b'.' || exponent_sign) {
            break;
        }
        i += 1;
    }
    i
}

fn unterminated(open: usize, info: StrInfo) -> LexError {
    let what = match (info.triple, info.formatted) {
        (true, true) => "unterminated triple-quoted f-string literal",
        (true, false) => "unterminated triple-quoted string literal",
        (false, true) => "unterminated f-string literal",
        (false, false) => "unterminated string literal",
    };
    LexError::new(open, what)
}

/// Scans a string literal whose opening quote is at `q`; returns the offset just past its closing
/// quote. Backslashes always protect the next byte from ending the string, in raw strings too, as
/// in CPython; in f-strings they never protect a brace.
fn scan_string(b: &[u8], q: usize, info: StrInfo) -> Result<usize, LexError> {
    let open = q - info.prefix_len as usize;
    let mut i = q + info.quote_len();
    loop {
        let Some(&c) = b.get(i) else {
            return Err(unterminated(open, info));
        };
        match c {
            _ if c == info.quote => {
                if !info.triple {
                    return Ok(i + 1);
                }
                if b.get(i + 1) == Some(&c) && b.get(i + 2) == Some(&c) {
                    return Ok(i + 3);
                }
                i += 1;
            }
            b'\\' => match b.get(i + 1) {
                Some(b'N') if info.formatted && !info.raw && b.get(i + 2) == Some(&b'{') => match b
                    [i + 3..]
                    .iter()
                    .position(|&c| c == b'}' || c == info.quote)
                {
                    Some(p) if b[i + 3 + p] == b'}' => i += 3 + p + 1,
                    _ => return Err(unterminated(open, info)),
                },
                Some(b'{' | b'}') if info.formatted => i += 1,
                Some(_) => i += 1 + newline_len(b, i + 1).max(1),
                None => return Err(unterminated(open, info)),
            },
            b'\n' | b'\r' if !info.triple => return Err(unterminated(open, info)),
            b'{' if info.formatted => {
                if b.get(i + 1) == Some(&b'{') {
                    i += 2;
                } else {
                    i = scan_field(b, i + 1, open, info)?;
                }
            }
            b'}' if info.formatted => {
                if b.get(i + 1) == Some(&b'}') {
                    i += 2;
                } else {
                    return Err(LexError::new(i, "f-string: single '}' is not allowed"));
                }
            }
            0 => return Err(LexError::new(i, "NUL byte: not a Python source file")),
            _ => i += 1,
        }
    }
}

/// Scans the expression of an f-string replacement field starting at `i` (just past `{`); returns
/// the offset just past its closing `}`. Since PEP 701 the expression may hold any string, even one
/// with the enclosing quotes, comments and line breaks.
fn scan_field(b: &[u8], mut i: usize, open: usize, outer: StrInfo) -> Result<usize, LexError> {
    let mut depth = 0u32;
    loop {
        let Some(&c) = b.get(i) else {
            return Err(unterminated(open, outer));
        };
        match c {
            b'\'' | b'"' => {
                let info = StrInfo {
                    prefix_len: 0,
                    quote: c,
                    triple: b.get(i + 1) == Some(&c) && b.get(i + 2) == Some(&c),
                    raw: false,
                    bytes: false,
                    formatted: false,
                };
                i = scan_string(b, i, info)?;
            }
            c if is_ident_start(c) => {
                let start = i;
                while i < b.len() && is_ident(b[i]) {
                    i += 1;
                }
                if let (Some(&q @ (b'\'' | b'"')), Some((raw, bytes, formatted))) =
                    (b.get(i), string_prefix(&b[start..i]))
                {
                    let info = StrInfo {
                        prefix_len: (i - start) as u8,
                        quote: q,
                        triple: b.get(i + 1) == Some(&q) && b.get(i + 2) == Some(&q),
                        raw,
                        bytes,
                        formatted,
                    };
                    i = scan_string(b, i, info)?;
                }
            }
            b'(' | b'[' | b'{' => {
                depth += 1;
                i += 1;
            }
            b')' | b']' => {
                if depth == 0 {
                    return Err(LexError::new(
                        i,
                        format!("f-string: unmatched '{}'", c as char),
                    ));
                }
                depth -= 1;
                i += 1;
            }
            b'}' => {
                if depth == 0 {
                    return Ok(i + 1);
                }
                depth -= 1;
                i += 1;
            }
            b':' if depth == 0 => return scan_format_spec(b, i + 1, open, outer),
            b'#' => {
                while i < b.len() && !matches!(b[i], b'\n' | b'\r') {
                    i += 1;
                }
            }
            0 => return Err(LexError::new(i, "NUL byte: not a Python source file")),
            _ => i += 1,
        }
    }
}

/// Scans a format spec (after `:` in a replacement field) up to and past the field's closing `}`;
/// it is literal text in which `{…}` opens a nested field.
fn scan_format_spec(
    b: &[u8],
    mut i: usize,
    open: usize,
    outer: StrInfo,
) -> Result<usize, LexError> {
    loop {
        let Some(&c) = b.get(i) else {
            return Err(unterminated(open, outer));
        };
        match c {
            _ if c == outer.quote
                && (!outer.triple || (b.get(i + 1) == Some(&c) && b.get(i + 2) == Some(&c))) =>
            {
                return Err(LexError::new(i, "f-string: expecting '}'"));
            }
            b'{' => i = scan_field(b, i + 1, open, outer)?,
            b'}' => return Ok(i + 1),
            b'\n' | b'\r' if !outer.triple => return Err(unterminated(open, outer)),
            b'\\' => i += 2,
            0 => return Err(LexError::new(i, "NUL byte: not a Python source file")),
            _ => i += 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<(String, &'static str)> {
        let lexed = tokenize(src.as_bytes()).unwrap();
        lexed
            .tokens
            .iter()
            .map(|t| {
                let k = match t.kind {
                    Kind::Name => "name",
                    Kind::Number => "num",
                    Kind::Str(_) => "str",
                    Kind::Op => "op",
                };
                (src[t.start..t.end].to_string(), k)
            })
            .collect()
    }

    fn strings(src: &str) -> Vec<String> {
        kinds(src)
            .into_iter()
            .filter(|(_, k)| *k == "str")
            .map(|(s, _)| s)
            .collect()
    }

    fn line_count(src: &str) -> usize {
        tokenize(src.as_bytes()).unwrap().lines.len()
    }

    #[test]
    fn prefixes_in_any_case_and_order() {
        for p in [
            "r", "R", "u", "U", "b", "B", "f", "F", "t", "T", "rb", "bR", "Rb", "BR", "fr", "Rf",
            "tR", "rT",
        ] {
            let src = format!("x = {p}'a\\'b'\n");
            assert_eq!(strings(&src), vec![format!("{p}'a\\'b'")], "prefix {p}");
        }
        // Not prefixes: a name followed by a string is two tokens.
        assert_eq!(kinds("ur'a'").len(), 2);
        assert_eq!(kinds("bb'a'").len(), 2);
        assert_eq!(kinds("fb'a'").len(), 2);
    }

    #[test]
    fn triple_quotes_and_empty_strings() {
        assert_eq!(strings("a = ''\n"), vec!["''"]);
        assert_eq!(strings("a = '' ''\n"), vec!["''", "''"]);
        assert_eq!(
            strings("a = '''x\n'' ' \"\"\" y'''\n"),
            vec!["'''x\n'' ' \"\"\" y'''"]
        );
        assert_eq!(strings("a = \"\"\"\"\"\"\n"), vec!["\"\"\"\"\"\""]);
        assert_eq!(strings("a = r'''\\''''\n"), vec!["r'''\\''''"]);
    }

    #[test]
    fn raw_strings_still_protect_quotes() {
        assert_eq!(strings(r"a = r'\'' + 'x'"), vec![r"r'\''", "'x'"]);
        assert_eq!(strings("a = r'\\\\'"), vec![r"r'\\'"]);
    }

    #[test]
    fn backslash_newline_inside_single_quoted_string() {
        assert_eq!(strings("a = 'x\\\ny'\n"), vec!["'x\\\ny'"]);
        assert_eq!(strings("a = 'x\\\r\ny'\r\n"), vec!["'x\\\r\ny'"]);
    }

    #[test]
    fn names_in_comments_and_strings_are_not_tokens() {
        let src = "# SECRET_KEY = 'x'\n\"\"\"SECRET_KEY = 'y'\"\"\"\nz = 'SECRET_KEY'\n";
        let names: Vec<_> = kinds(src)
            .into_iter()
            .filter(|(_, k)| *k == "name")
            .map(|(s, _)| s)
            .collect();
        assert_eq!(names, vec!["z"]);
    }

    #[test]
    fn pep701_nested_fstrings() {
        let src = "x = f\"{f\"{'a' + \"}\"}\"}\" + f'{x!r:>{width}}' + f'{{}}' + f'{a!=b}'\n";
        assert_eq!(
            strings(src),
            vec![
                "f\"{f\"{'a' + \"}\"}\"}\"",
                "f'{x!r:>{width}}'",
                "f'{{}}'",
                "f'{a!=b}'"
            ]
        );
        // A field may span lines and hold a comment; a dict literal nests braces.
        let src = "x = f'''{\n  d['k'] # note }\n}''' + f'{ {\"a\": 1}[\"a\"] }'\n";
        assert_eq!(strings(src).len(), 2);
        assert_eq!(strings("x = f'{x:=10}'\n"), vec!["f'{x:=10}'"]);
        assert_eq!(strings("x = f'\\N{DASH} {y}'\n"), vec!["f'\\N{DASH} {y}'"]);
        assert_eq!(strings("x = t'{y}'\n"), vec!["t'{y}'"]);
    }

    #[test]
    fn fstring_errors() {
        assert!(tokenize(b"x = f'}'").is_err());
        assert!(tokenize(b"x = f'{'").is_err());
        assert!(tokenize(b"x = f'{x:'").is_err());
    }

    #[test]
    fn brackets_join_lines_and_backslash_continues() {
        assert_eq!(line_count("a = (1,\n 2)\nb = [\n]\n"), 2);
        assert_eq!(line_count("a = 1 + \\\n  2\nb = 3\n"), 2);
        assert_eq!(line_count("a = 1\n\n   # c\n\tb = 2"), 2);
    }

    #[test]
    fn line_endings_lf_crlf_cr() {
        for nl in ["\n", "\r\n", "\r"] {
            let src = format!("a = 1{nl}if x:{nl}    b = '''q{nl}r'''{nl}c = (1,{nl}2){nl}");
            let lexed = tokenize(src.as_bytes()).unwrap();
            let indents: Vec<_> = lexed.lines.iter().map(|l| l.indent).collect();
            assert_eq!(indents, vec![0, 0, 4, 0], "newline {nl:?}");
        }
    }

    #[test]
    fn indentation_tabs_and_form_feed() {
        let lexed = tokenize(b"if x:\n\tif y:\n\t    a = 1\n\x0cb = 2\n  \x0c c = 3\n").unwrap();
        let indents: Vec<_> = lexed.lines.iter().map(|l| l.indent).collect();
        assert_eq!(indents, vec![0, 8, 12, 0, 1]);
    }

    #[test]
    fn comments_are_recorded() {
        let src = "# a\nx = 1  # b\ny = '# not'\n  # c";
        let lexed = tokenize(src.as_bytes()).unwrap();
        let texts: Vec<&str> = lexed.comments.iter().map(|r| &src[r.clone()]).collect();
        assert_eq!(texts, vec!["# a", "# b", "# c"]);
    }

    #[test]
    fn bom_is_skipped() {
        let lexed = tokenize(b"\xEF\xBB\xBFa = 1\n").unwrap();
        assert_eq!(lexed.tokens[0].start, 3);
        assert_eq!(lexed.lines[0].indent, 0);
    }

    #[test]
    fn latin1_bytes_pass_through() {
        let src = b"# -*- coding: latin-1 -*-\nx = '\xe9t\xe9'\n\xe9 = 1\n";
        let lexed = tokenize(src).unwrap();
        assert_eq!(lexed.lines.len(), 2);
    }

    #[test]
    fn depth_of_brackets() {
        let lexed = tokenize(b"f(a=(1), b=[2])").unwrap();
        let depths: Vec<_> = lexed.tokens.iter().map(|t| t.depth).collect();
        assert_eq!(depths, vec![0, 0, 1, 1, 1, 2, 1, 1, 1, 1, 1, 2, 1, 0]);
    }

    #[test]
    fn operators_are_maximal() {
        let ops: Vec<_> = kinds("a == b != c <= d := e -> f **= g //= h ... i = j")
            .into_iter()
            .filter(|(_, k)| *k == "op")
            .map(|(s, _)| s)
            .collect();
        assert_eq!(
            ops,
            vec!["==", "!=", "<=", ":=", "->", "**=", "//=", "...", "="]
        );
    }

    #[test]
    fn numbers() {
        let n: Vec<_> = kinds("a = 1e-5 + 0x1E + 1_000.5j + .5")
            .into_iter()
            .filter(|(_, k)| *k == "num")
            .map(|(s, _)| s)
            .collect();
        assert_eq!(n, vec!["1e-5", "0x1E", "1_000.5j", ".5"]);
    }

    #[test]
    fn errors_name_the_place() {
        let cases: [(&[u8], usize, &str); 8] = [
            (b"a = 'abc\n", 4, "unterminated string literal"),
            (
                b"a = '''abc\n",
                4,
                "unterminated triple-quoted string literal",
            ),
            (b"a = (1,\n", 4, "'(' was never closed"),
            (b"a = 1)\n", 5, "unmatched ')'"),
            (b"a = (1]\n", 6, "closing ']' does not match opening '('"),
            (
                b"a = 1 \\",
                6,
                "unexpected end of file after line continuation",
            ),
            (b"a = 1\0", 5, "NUL byte: not a Python source file"),
            (b"a = $", 4, "invalid character '$'"),
        ];
        for (src, offset, msg) in cases {
            let err = tokenize(src).unwrap_err();
            assert_eq!((err.offset, err.message.as_str()), (offset, msg));
        }
    }
}
