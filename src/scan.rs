//! Finds where a Python file binds one name (`SECRET_KEY` by default) at module level or in a
//! class body, and says what the right-hand side is: a literal, an environment lookup with a
//! literal fallback, a value generated at import time, something read from elsewhere, or an
//! expression we cannot evaluate.
//!
//! It works on the tokens of [`crate::python::lexer`] and knows nothing of what makes a key weak
//! (that is [`crate::policy`]) nor of files and output.

use std::ops::Range;

use crate::python::lexer::{Kind, Lexed, StrInfo, Token};
use crate::python::source::{literal_value, Encoding, StrValue};

/// One statement that binds one of the names.
#[derive(Debug, Clone, PartialEq)]
pub struct Binding {
    /// Which of the names looked for it binds (an index into them).
    pub which: usize,
    /// Byte span of the target: the bound name, or `app.config['NAME']`, `app.secret_key`, the
    /// keyword of `app.config.update(NAME=…)`.
    pub name: Range<usize>,
    /// Byte span of the whole statement.
    pub statement: Range<usize>,
    /// Byte span of the value expression (empty for an import).
    pub value_span: Range<usize>,
    pub value: Rhs,
}

/// A string literal (implicit concatenation and `+` of literals included) or `None`.
#[derive(Debug, Clone, PartialEq)]
pub struct Literal {
    /// `None` for Python's `None`.
    pub value: Option<StrValue>,
    /// Bytes from the first string token to the last: what a patch replaces.
    pub span: Range<usize>,
    /// Each string token's span, to mask them one by one in output.
    pub parts: Vec<Range<usize>>,
    /// How the first string token is written; a replacement keeps its prefix and quotes.
    pub style: Option<StrInfo>,
}

/// Where a value the scanner cannot judge comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Environment,
    File,
    Import,
    Call,
    Module,
}

impl Source {
    pub fn code(self) -> &'static str {
        match self {
            Source::Environment => "environment",
            Source::File => "file",
            Source::Import => "import",
            Source::Call => "call",
            Source::Module => "module",
        }
    }
}

/// What the right-hand side of a binding is.
#[derive(Debug, Clone, PartialEq)]
pub enum Rhs {
    Literal(Literal),
    /// An environment lookup whose fallback is a literal: `os.environ.get('K', 'dev')`,
    /// `env('K', default='…')`, `os.getenv('K') or 'dev'`.
    Fallback {
        lookup: String,
        literal: Literal,
    },
    /// Made at import time by a random generator, so every process gets its own.
    Ephemeral {
        generator: String,
    },
    External {
        source: Source,
        detail: String,
    },
    /// A list or tuple display: `['a', env('K')]` (how `SECRET_KEY_FALLBACKS` is written).
    Sequence(Vec<Item>),
    Unknown,
}

/// One element of a [`Rhs::Sequence`].
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub span: Range<usize>,
    pub value: Rhs,
}

/// Everything the scanner found in one file.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Scan {
    pub bindings: Vec<Binding>,
    /// Spans of module-level `from … import *` statements.
    pub star_imports: Vec<Range<usize>>,
}

/// The application attribute Flask maps a configuration name to (`app.secret_key` for
/// `SECRET_KEY`), if it has one. The prefilter that skips files uses it too.
pub fn flask_attribute(name: &str) -> Option<&'static str> {
    (name == "SECRET_KEY").then_some("secret_key")
}

/// Calls that produce a fresh random value each time the module is imported.
const GENERATORS: [&str; 14] = [
    "get_random_secret_key",
    "get_random_string",
    "token_hex",
    "token_urlsafe",
    "token_bytes",
    "urandom",
    "uuid4",
    "uuid1",
    "randbytes",
    "getrandbits",
    "SystemRandom",
    "choice",
    "choices",
    "generate_key",
];

/// Names that mean the value is read from the process environment.
const ENVIRONMENT: [&str; 4] = ["environ", "getenv", "env", "config"];

/// Names that mean the value is read from a file or a key store.
const FILES: [&str; 9] = [
    "open",
    "read",
    "read_text",
    "read_bytes",
    "readline",
    "generate_or_read_from_file",
    "load",
    "loads",
    "get_secret",
];

struct Ctx<'a> {
    src: &'a [u8],
    names: &'a [&'a str],
    encoding: Encoding,
}

impl Ctx<'_> {
    fn text(&self, t: &Token) -> &[u8] {
        &self.src[t.span()]
    }

    fn is_name(&self, t: &Token, s: &str) -> bool {
        t.kind == Kind::Name && self.text(t) == s.as_bytes()
    }

    fn is_op(&self, t: &Token, s: &str) -> bool {
        t.kind == Kind::Op && self.text(t) == s.as_bytes()
    }

    /// Which of the names a name token is.
    fn which(&self, t: &Token) -> Option<usize> {
        if t.kind != Kind::Name {
            return None;
        }
        self.names.iter().position(|n| n.as_bytes() == self.text(t))
    }
}

/// Scans a tokenized file for bindings of any of `names`.
pub fn scan(src: &[u8], lexed: &Lexed, encoding: Encoding, names: &[&str]) -> Scan {
    let cx = Ctx {
        src,
        names,
        encoding,
    };
    let mut out = Scan::default();
    // Open blocks: (indent of the header, whether it is a `def`).
    let mut blocks: Vec<(u32, bool)> = Vec::new();
    for line in &lexed.lines {
        while blocks
            .last()
            .is_some_and(|&(indent, _)| indent >= line.indent)
        {
            blocks.pop();
        }
        let in_def = blocks.iter().any(|&(_, def)| def);
        let toks = &lexed.tokens[line.tokens.clone()];
        match header(&cx, toks) {
            Some((is_def, colon)) => {
                let body = &toks[colon + 1..];
                if body.is_empty() {
                    blocks.push((line.indent, is_def));
                } else if !in_def && !is_def {
                    visit_simple_statements(&cx, body, &mut out);
                }
            }
            None if !in_def => visit_simple_statements(&cx, toks, &mut out),
            None => {}
        }
    }
    out
}

/// If the logical line opens a compound statement, whether it is a `def` and the index of the
/// colon that ends its header.
fn header(cx: &Ctx, toks: &[Token]) -> Option<(bool, usize)> {
    let mut first = 0;
    if cx.is_name(&toks[0], "async") && toks.len() > 1 {
        first = 1;
    }
    let kw = &toks[first];
    if kw.kind != Kind::Name {
        return None;
    }
    let word = cx.text(kw);
    let hard = matches!(
        word,
        b"if"
            | b"elif"
            | b"else"
            | b"while"
            | b"for"
            | b"try"
            | b"except"
            | b"finally"
            | b"with"
            | b"def"
            | b"class"
    );
    let soft = matches!(word, b"match" | b"case");
    if !hard && !soft {
        return None;
    }
    let colon = header_colon(cx, toks)?;
    if soft {
        // `match = 1`, `match.x = 1`, `match: int = 1` are statements, not headers.
        let next = toks.get(first + 1)?;
        let statement_like = [":", "=", ".", ",", ";", ")"]
            .iter()
            .any(|op| cx.is_op(next, op));
        let assigns = toks[..colon]
            .iter()
            .any(|t| t.depth == 0 && cx.is_op(t, "="));
        if statement_like || assigns || colon == first + 1 {
            return None;
        }
    }
    Some((word == b"def", colon))
}

/// The first colon at bracket depth 0 that no `lambda` claims.
fn header_colon(cx: &Ctx, toks: &[Token]) -> Option<usize> {
    let mut lambdas = 0;
    for (i, t) in toks.iter().enumerate() {
        if t.depth != 0 {
            continue;
        }
        if cx.is_name(t, "lambda") {
            lambdas += 1;
        } else if cx.is_op(t, ":") {
            if lambdas == 0 {
                return Some(i);
            }
            lambdas -= 1;
        }
    }
    None
}

fn visit_simple_statements(cx: &Ctx, toks: &[Token], out: &mut Scan) {
    for stmt in toks.split(|t| t.depth == 0 && cx.is_op(t, ";")) {
        if !stmt.is_empty() {
            visit_statement(cx, stmt, out);
        }
    }
}

fn visit_statement(cx: &Ctx, stmt: &[Token], out: &mut Scan) {
    let span = stmt[0].start..stmt[stmt.len() - 1].end;
    if cx.is_name(&stmt[0], "from") {
        return visit_import_from(cx, stmt, span, out);
    }
    if cx.is_name(&stmt[0], "import") {
        return visit_import(cx, stmt, span, out);
    }
    // Assignment operators at depth 0, up to a lambda whose defaults would look like more.
    let mut eqs = Vec::new();
    for (i, t) in stmt.iter().enumerate() {
        if t.depth == 0 && cx.is_name(t, "lambda") {
            break;
        }
        if t.depth == 0 && cx.is_op(t, "=") {
            eqs.push(i);
        }
    }
    let rhs = match eqs.last() {
        Some(&last) => &stmt[last + 1..],
        None => stmt,
    };
    if rhs.is_empty() {
        return;
    }
    let mut targets = Vec::new();
    let mut start = 0;
    for &eq in &eqs {
        if let Some(t) = target(cx, &stmt[start..eq], eqs.len() == 1) {
            targets.push(t);
        }
        start = eq + 1;
    }
    if !targets.is_empty() {
        let value = classify(cx, rhs);
        for (which, name) in targets {
            out.bindings.push(Binding {
                which,
                name,
                statement: span.clone(),
                value_span: rhs[0].start..rhs[rhs.len() - 1].end,
                value: value.clone(),
            });
        }
    }
    visit_config_call(cx, strip_parens(cx, rhs), &span, false, out);
}

/// Whether an assignment target binds one of the names: `NAME`, `NAME: T` (when it is the only
/// target), Flask's `app.config['NAME']` and, for `SECRET_KEY`, `app.secret_key`.
fn target(cx: &Ctx, target: &[Token], only: bool) -> Option<(usize, Range<usize>)> {
    let first = target.first()?;
    let whole = first.start..target[target.len() - 1].end;
    match target {
        [n] => return cx.which(n).map(|w| (w, n.span())),
        [n, colon, _, ..] if only && cx.is_op(colon, ":") => {
            return cx.which(n).map(|w| (w, n.span()))
        }
        _ => {}
    }
    let last = &target[target.len() - 1];
    if cx.is_op(last, "]") {
        let open = target
            .iter()
            .rposition(|t| t.depth == last.depth && cx.is_op(t, "["))?;
        let object = dotted(cx, &target[..open])?;
        if object.last() != Some(&&b"config"[..]) {
            return None;
        }
        let key = literal(cx, &target[open + 1..target.len() - 1])?;
        let Some(StrValue::Str(key)) = key.value else {
            return None;
        };
        return cx.names.iter().position(|n| *n == key).map(|w| (w, whole));
    }
    let parts = dotted(cx, target)?;
    let attr = *parts.get(1..)?.last()?;
    cx.names
        .iter()
        .position(|n| flask_attribute(n).is_some_and(|a| a.as_bytes() == attr))
        .map(|w| (w, whole))
}

/// The components of a dotted name (`app.config`), or `None` if the tokens are not one.
fn dotted<'s>(cx: &Ctx<'s>, toks: &[Token]) -> Option<Vec<&'s [u8]>> {
    let ok = toks.len() % 2 == 1
        && toks.iter().enumerate().all(|(i, t)| {
            if i % 2 == 0 {
                t.kind == Kind::Name
            } else {
                cx.is_op(t, ".")
            }
        });
    ok.then(|| toks.iter().step_by(2).map(|t| &cx.src[t.span()]).collect())
}

/// Flask's keyword forms: `app.config.update(NAME=…)`, `app.config.from_mapping(NAME=…)`,
/// `dict(NAME=…)`, and `app.config.update(dict(NAME=…))`. `expr` must be the whole call.
fn visit_config_call(cx: &Ctx, expr: &[Token], span: &Range<usize>, inner: bool, out: &mut Scan) {
    let Some(open) = expr.iter().position(|t| cx.is_op(t, "(")) else {
        return;
    };
    if open == 0 || matching_close(cx, expr, open) != Some(expr.len() - 1) {
        return;
    }
    let Some(callee) = dotted(cx, &expr[..open]) else {
        return;
    };
    let config_method = matches!(
        callee.as_slice(),
        [.., b"config", b"update" | b"from_mapping"]
    );
    let is_dict = callee.as_slice() == [&b"dict"[..]];
    if !(is_dict || (config_method && !inner)) {
        return;
    }
    let args = &expr[open + 1..expr.len() - 1];
    for arg in split_at(args, |t| cx.is_op(t, ",")) {
        match arg {
            [kw, eq, value @ ..] if cx.is_op(eq, "=") && !value.is_empty() => {
                if let Some(which) = cx.which(kw) {
                    out.bindings.push(Binding {
                        which,
                        name: kw.span(),
                        statement: span.clone(),
                        value_span: value[0].start..value[value.len() - 1].end,
                        value: classify(cx, value),
                    });
                }
            }
            [open, .., close]
                if config_method
                    && cx.is_op(open, "{")
                    && matching_close(cx, arg, 0) == Some(arg.len() - 1)
                    && cx.is_op(close, "}") =>
            {
                visit_dict_display(cx, &arg[1..arg.len() - 1], span, out)
            }
            [_, ..] if config_method => {
                visit_config_call(cx, strip_parens(cx, arg), span, true, out)
            }
            _ => {}
        }
    }
}

/// The entries of `{'NAME': value, …}` given to `app.config.update(…)`: a string key that is one
/// of the names binds it.
fn visit_dict_display(cx: &Ctx, entries: &[Token], span: &Range<usize>, out: &mut Scan) {
    for entry in split_at(entries, |t| cx.is_op(t, ",")) {
        let Some(colon) = entry
            .iter()
            .position(|t| t.depth == entry[0].depth && cx.is_op(t, ":"))
        else {
            continue;
        };
        let value = &entry[colon + 1..];
        let Some(Literal {
            value: Some(StrValue::Str(key)),
            span: key_span,
            ..
        }) = literal(cx, &entry[..colon])
        else {
            continue;
        };
        if let (Some(which), false) = (cx.names.iter().position(|n| *n == key), value.is_empty()) {
            out.bindings.push(Binding {
                which,
                name: key_span,
                statement: span.clone(),
                value_span: value[0].start..value[value.len() - 1].end,
                value: classify(cx, value),
            });
        }
    }
}

/// `from MODULE import a, b as c, (d)` and `from MODULE import *`.
fn visit_import_from(cx: &Ctx, stmt: &[Token], span: Range<usize>, out: &mut Scan) {
    // `from import x` is not Python; there must be a module between the two keywords.
    let Some(imp) = stmt
        .iter()
        .position(|t| cx.is_name(t, "import"))
        .filter(|&i| i >= 2)
    else {
        return;
    };
    let module = String::from_utf8_lossy(&cx.src[stmt[1].start..stmt[imp - 1].end]).into_owned();
    let names: Vec<&Token> = stmt[imp + 1..]
        .iter()
        .filter(|t| !(cx.is_op(t, "(") || cx.is_op(t, ")")))
        .collect();
    if names.len() == 1 && cx.is_op(names[0], "*") {
        out.star_imports.push(span);
        return;
    }
    let aliases: Vec<Vec<Token>> = names
        .split(|t| cx.is_op(t, ","))
        .map(|a| a.iter().map(|t| **t).collect())
        .collect();
    bind_aliases(cx, &aliases, span, &format!("imported from {module}"), out);
}

/// `import a.b as c`, `import c`.
fn visit_import(cx: &Ctx, stmt: &[Token], span: Range<usize>, out: &mut Scan) {
    let aliases: Vec<Vec<Token>> = stmt[1..]
        .split(|t| cx.is_op(t, ","))
        .map(<[Token]>::to_vec)
        .collect();
    bind_aliases(cx, &aliases, span, "a module", out);
}

/// Records the names that import aliases (`x`, `x as NAME`, `a.b as NAME`) bind.
fn bind_aliases(
    cx: &Ctx,
    aliases: &[Vec<Token>],
    span: Range<usize>,
    detail: &str,
    out: &mut Scan,
) {
    for alias in aliases {
        let bound = match alias.as_slice() {
            [n] => n,
            [.., as_, n] if cx.is_name(as_, "as") => n,
            _ => continue,
        };
        if let Some(which) = cx.which(bound) {
            out.bindings.push(Binding {
                which,
                name: bound.span(),
                statement: span.clone(),
                value_span: bound.end..bound.end,
                value: Rhs::External {
                    source: Source::Import,
                    detail: detail.to_string(),
                },
            });
        }
    }
}

/// Removes brackets that enclose the whole expression: `('a' 'b')` is `'a' 'b'`.
fn strip_parens<'t>(cx: &Ctx, mut toks: &'t [Token]) -> &'t [Token] {
    while toks.len() >= 2
        && cx.is_op(&toks[0], "(")
        && cx.is_op(&toks[toks.len() - 1], ")")
        && matching_close(cx, toks, 0) == Some(toks.len() - 1)
    {
        toks = &toks[1..toks.len() - 1];
    }
    toks
}

/// Index of the bracket closing the one at `open`.
fn matching_close(cx: &Ctx, toks: &[Token], open: usize) -> Option<usize> {
    let depth = toks[open].depth;
    toks.iter()
        .enumerate()
        .skip(open + 1)
        .find(|(_, t)| {
            t.depth == depth && t.kind == Kind::Op && matches!(cx.text(t), b")" | b"]" | b"}")
        })
        .map(|(i, _)| i)
}

/// A constant string: literals joined by juxtaposition or `+`, all of one type; or `None`.
fn literal(cx: &Ctx, toks: &[Token]) -> Option<Literal> {
    let toks = strip_parens(cx, toks);
    if let [t] = toks {
        if cx.is_name(t, "None") {
            return Some(Literal {
                value: None,
                span: t.span(),
                parts: Vec::new(),
                style: None,
            });
        }
    }
    let mut parts = Vec::new();
    let mut style: Option<StrInfo> = None;
    let mut after_plus = true;
    let mut text = String::new();
    let mut bytes = Vec::new();
    for t in toks {
        match t.kind {
            Kind::Str(info) if !info.formatted => {
                if style.is_some_and(|s| s.bytes != info.bytes) {
                    return None;
                }
                style.get_or_insert(info);
                match literal_value(cx.text(t), info, cx.encoding) {
                    StrValue::Str(s) => text.push_str(&s),
                    StrValue::Bytes(b) => bytes.extend(b),
                }
                parts.push(t.span());
                after_plus = false;
            }
            Kind::Op if cx.text(t) == b"+" && !after_plus => after_plus = true,
            _ => return None,
        }
    }
    let style = style?;
    if after_plus {
        return None;
    }
    let value = if style.bytes {
        StrValue::Bytes(bytes)
    } else {
        StrValue::Str(text)
    };
    Some(Literal {
        span: parts[0].start..parts[parts.len() - 1].end,
        parts,
        value: Some(value),
        style: Some(style),
    })
}

/// Splits at a keyword or comma at the depth of the first token.
fn split_at(toks: &[Token], is_sep: impl Fn(&Token) -> bool) -> Vec<&[Token]> {
    let depth = toks.first().map_or(0, |t| t.depth);
    toks.split(|t| t.depth == depth && is_sep(t)).collect()
}

fn classify(cx: &Ctx, rhs: &[Token]) -> Rhs {
    let rhs = strip_parens(cx, rhs);
    if rhs.is_empty() {
        return Rhs::Unknown;
    }
    if let Some(lit) = literal(cx, rhs) {
        return Rhs::Literal(lit);
    }
    if let Some(items) = sequence(cx, rhs) {
        return Rhs::Sequence(items);
    }
    if let Some(found) = environment_lookup(cx, rhs) {
        return found;
    }
    let parts = split_at(rhs, |t| cx.is_name(t, "or"));
    if parts.len() > 1 {
        let (last, first) = parts.split_last().expect("two parts");
        if let Some(literal) = literal(cx, last) {
            if first
                .iter()
                .any(|p| mentions(cx, p, &ENVIRONMENT).is_some())
            {
                // What stands before the last `or`, which may be nothing in broken code.
                let before = &rhs[..rhs.len() - last.len()];
                let lookup = match before {
                    [first, .., or] if or.start > first.start => {
                        String::from_utf8_lossy(&cx.src[first.start..or.start])
                            .trim()
                            .to_string()
                    }
                    _ => String::new(),
                };
                return Rhs::Fallback {
                    lookup: format!("{lookup} or …"),
                    literal,
                };
            }
        }
    }
    if let Some(g) = mentions(cx, rhs, &GENERATORS) {
        return Rhs::Ephemeral { generator: g };
    }
    if let Some(e) = mentions(cx, rhs, &ENVIRONMENT) {
        return Rhs::External {
            source: Source::Environment,
            detail: e,
        };
    }
    if let Some(f) = mentions(cx, rhs, &FILES) {
        return Rhs::External {
            source: Source::File,
            detail: f,
        };
    }
    if let Some(open) = rhs.iter().position(|t| cx.is_op(t, "(")) {
        if open > 0 && rhs[open - 1].kind == Kind::Name {
            return Rhs::External {
                source: Source::Call,
                detail: String::from_utf8_lossy(cx.text(&rhs[open - 1])).into_owned(),
            };
        }
    }
    if rhs.len() >= 3 && dotted(cx, rhs).is_some() {
        return Rhs::External {
            source: Source::Module,
            detail: String::from_utf8_lossy(&cx.src[rhs[0].start..rhs[rhs.len() - 1].end])
                .into_owned(),
        };
    }
    Rhs::Unknown
}

/// The elements of a list display `[a, b]` or a tuple `a, b` (its parentheses already stripped).
fn sequence(cx: &Ctx, rhs: &[Token]) -> Option<Vec<Item>> {
    let inner = if cx.is_op(&rhs[0], "[") && matching_close(cx, rhs, 0) == Some(rhs.len() - 1) {
        &rhs[1..rhs.len() - 1]
    } else if rhs
        .iter()
        .any(|t| t.depth == rhs[0].depth && cx.is_op(t, ","))
    {
        rhs
    } else {
        return None;
    };
    Some(
        split_at(inner, |t| cx.is_op(t, ","))
            .into_iter()
            .filter(|e| !e.is_empty())
            .map(|e| Item {
                span: e[0].start..e[e.len() - 1].end,
                value: classify(cx, e),
            })
            .collect(),
    )
}

/// The first name of `names` used (as a name, not in a string) in `toks`.
fn mentions(cx: &Ctx, toks: &[Token], names: &[&str]) -> Option<String> {
    toks.iter()
        .filter(|t| t.kind == Kind::Name)
        .find_map(|t| names.iter().find(|n| cx.text(t) == n.as_bytes()))
        .map(|n| n.to_string())
}

/// `os.environ.get('K', 'd')`, `os.getenv('K', default='d')`, `os.environ.setdefault('K', 'd')`,
/// `env('K', default='d')` (django-environ), `env.str('K', 'd')`, `config('K', default='d')`
/// (python-decouple). Returns `None` when the expression is not one whole call of these.
fn environment_lookup(cx: &Ctx, rhs: &[Token]) -> Option<Rhs> {
    // A dotted callee, then one call that ends the expression.
    let open = rhs.iter().position(|t| cx.is_op(t, "("))?;
    if open == 0 || matching_close(cx, rhs, open)? != rhs.len() - 1 {
        return None;
    }
    let callee = &rhs[..open];
    let parts = dotted(cx, callee)?;
    let last = *parts.last()?;
    let before = parts.len().checked_sub(2).map(|i| parts[i]);
    // Which positional argument holds the default.
    let default_position = match (before, last) {
        (Some(b"environ"), b"get" | b"setdefault") => 1,
        (_, b"getenv") => 1,
        (None, b"env") | (Some(b"env"), b"get_value") => 2,
        (Some(b"env"), b"str" | b"bytes") => 1,
        (None, b"config") | (Some(b"decouple"), b"config") => 1,
        _ => return None,
    };
    let args = &rhs[open + 1..rhs.len() - 1];
    let args: Vec<&[Token]> = split_at(args, |t| cx.is_op(t, ","))
        .into_iter()
        .filter(|a| !a.is_empty())
        .collect();
    // The variable's name comes first, as a string.
    literal(cx, args.first()?)?.value.as_ref()?;
    let lookup = String::from_utf8_lossy(&cx.src[callee[0].start..callee[callee.len() - 1].end])
        .into_owned();
    let mut default = None;
    let mut positional = 0;
    for arg in &args {
        if arg.len() >= 2 && arg[0].kind == Kind::Name && cx.is_op(&arg[1], "=") {
            if cx.is_name(&arg[0], "default") {
                default = Some(&arg[2..]);
            }
        } else {
            if positional == default_position {
                default = Some(*arg);
            }
            positional += 1;
        }
    }
    let external = Rhs::External {
        source: Source::Environment,
        detail: lookup.clone(),
    };
    let Some(default) = default else {
        return Some(external);
    };
    match literal(cx, default) {
        // A `None` default fails loudly when the variable is unset: nothing hard-coded.
        Some(Literal { value: None, .. }) => Some(external),
        Some(literal) => Some(Rhs::Fallback {
            lookup: format!("{lookup}(…)"),
            literal,
        }),
        None => match mentions(cx, default, &GENERATORS) {
            Some(generator) => Some(Rhs::Ephemeral { generator }),
            None => Some(external),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::python::lexer::tokenize;

    fn scan_str(src: &str) -> Scan {
        let lexed = tokenize(src.as_bytes()).unwrap();
        scan(src.as_bytes(), &lexed, Encoding::Utf8, &["SECRET_KEY"])
    }

    /// (line text of the bound name, literal value if any)
    fn found(src: &str) -> Vec<(usize, Option<String>)> {
        scan_str(src)
            .bindings
            .iter()
            .map(|b| {
                let line = src[..b.name.start].matches('\n').count() + 1;
                let v = match &b.value {
                    Rhs::Literal(l) | Rhs::Fallback { literal: l, .. } => match &l.value {
                        Some(StrValue::Str(s)) => Some(s.clone()),
                        Some(StrValue::Bytes(b)) => Some(String::from_utf8_lossy(b).into_owned()),
                        None => Some("None".into()),
                    },
                    _ => None,
                };
                (line, v)
            })
            .collect()
    }

    #[test]
    fn plain_annotated_chained_and_after_semicolon() {
        let src = "SECRET_KEY = 'a'\nSECRET_KEY: str = 'b'\nX = SECRET_KEY = 'c'\nx = 1; SECRET_KEY = 'd'\n";
        assert_eq!(
            found(src),
            vec![
                (1, Some("a".into())),
                (2, Some("b".into())),
                (3, Some("c".into())),
                (4, Some("d".into()))
            ]
        );
    }

    #[test]
    fn multi_line_and_concatenated() {
        let src = "SECRET_KEY = (\n    'ab'\n    \"cd\"  # part\n)\nSECRET_KEY = 'x' + \\\n  'y'\n";
        assert_eq!(
            found(src),
            vec![(1, Some("abcd".into())), (5, Some("xy".into()))]
        );
    }

    #[test]
    fn blocks_count_functions_do_not() {
        let src = "\
if DEBUG:
    SECRET_KEY = 'a'
else:
    try:
        SECRET_KEY = 'b'
    except Exception:
        pass
def f():
    SECRET_KEY = 'no'
    class Inner:
        SECRET_KEY = 'no'
class Config:
    SECRET_KEY = 'c'
    def m(self):
        SECRET_KEY = 'no'
    class Nested: SECRET_KEY = 'd'
async def g(): SECRET_KEY = 'no'
with x: SECRET_KEY = 'e'
f = lambda SECRET_KEY='no': SECRET_KEY
for i in x:
    SECRET_KEY = 'f'
";
        let vals: Vec<_> = found(src).into_iter().map(|(_, v)| v.unwrap()).collect();
        assert_eq!(vals, vec!["a", "b", "c", "d", "e", "f"]);
    }

    #[test]
    fn never_fooled_by_comments_strings_or_other_names() {
        let src = "\
# SECRET_KEY = 'x'
\"\"\"
SECRET_KEY = 'y'
\"\"\"
doc = 'SECRET_KEY = \"z\"'
JWT_SECRET_KEY = 'w'
settings.SECRET_KEY = 'v'
f(SECRET_KEY='u')
print(f'{SECRET_KEY}')
SECRET_KEY == 'eq'
";
        assert_eq!(found(src), vec![]);
    }

    #[test]
    fn flask_shapes() {
        let src = "\
app.config['SECRET_KEY'] = 'a'
app.secret_key = 'b'
app.config.update(SECRET_KEY='c', DEBUG=True)
app.config.from_mapping(
    SECRET_KEY='d',
)
app.config.update(dict(SECRET_KEY='e'))
CONFIG = dict(SECRET_KEY='f')
app.config.update({'SECRET_KEY': 'g', 'DEBUG': True})
app.config['OTHER'] = 'no'
app.settings['SECRET_KEY'] = 'no'
app.SECRET_KEY_2 = 'no'
update(SECRET_KEY='no')
x.update(dict(SECRET_KEY='no'))
";
        let vals: Vec<_> = found(src).into_iter().map(|(_, v)| v.unwrap()).collect();
        assert_eq!(vals, vec!["a", "b", "c", "d", "e", "f", "g"]);
    }

    #[test]
    fn several_names_and_sequences() {
        let src = "SECRET_KEY = 'a'\nSECRET_KEY_FALLBACKS = ['old', env('K'), ('x' 'y')]\nT = ('p', 'q')\n";
        let lexed = tokenize(src.as_bytes()).unwrap();
        let names = ["SECRET_KEY", "SECRET_KEY_FALLBACKS", "T"];
        let s = scan(src.as_bytes(), &lexed, Encoding::Utf8, &names);
        let which: Vec<usize> = s.bindings.iter().map(|b| b.which).collect();
        assert_eq!(which, vec![0, 1, 2]);
        let Rhs::Sequence(items) = &s.bindings[1].value else {
            panic!("{:?}", s.bindings[1].value)
        };
        assert_eq!(items.len(), 3);
        assert!(matches!(items[0].value, Rhs::Literal(_)));
        assert!(matches!(items[1].value, Rhs::External { .. }));
        assert!(
            matches!(&items[2].value, Rhs::Literal(l) if l.value == Some(StrValue::Str("xy".into())))
        );
        assert!(matches!(&s.bindings[2].value, Rhs::Sequence(items) if items.len() == 2));
    }

    #[test]
    fn soft_keywords_are_assignments_when_they_assign() {
        let src = "match = 1\nmatch x:\n    case 1:\n        SECRET_KEY = 'a'\n";
        assert_eq!(found(src), vec![(4, Some("a".into()))]);
    }

    #[test]
    fn malformed_imports_do_not_panic() {
        for src in [
            "from import SECRET_KEY\n",
            "from\n",
            "import\n",
            "from x import\n",
            "SECRET_KEY = or environ or 'x'\n",
            "SECRET_KEY = or 'x'\n",
        ] {
            scan_str(src);
        }
    }

    #[test]
    fn imports() {
        let s = scan_str("from .base import *\nfrom .local import (A, SECRET_KEY)\nfrom x import K as SECRET_KEY\n");
        assert_eq!(s.star_imports.len(), 1);
        assert_eq!(s.bindings.len(), 2);
        assert!(matches!(
            s.bindings[0].value,
            Rhs::External {
                source: Source::Import,
                ..
            }
        ));
    }

    fn rhs(src: &str) -> Rhs {
        scan_str(&format!("SECRET_KEY = {src}\n")).bindings[0]
            .value
            .clone()
    }

    #[test]
    fn classifies_right_hand_sides() {
        assert!(matches!(rhs("'x'"), Rhs::Literal(_)));
        assert!(matches!(
            rhs("None"),
            Rhs::Literal(Literal { value: None, .. })
        ));
        assert!(matches!(rhs("b'x'"), Rhs::Literal(_)));
        for fb in [
            "os.environ.get('K', 'dev')",
            "os.getenv('K', default='dev')",
            "environ.setdefault('K', 'dev')",
            "env('K', default='dev')",
            "env('K', str, 'dev')",
            "env.str('K', 'dev')",
            "config('K', default='dev')",
            "config('K', 'dev')",
            "os.environ.get('K') or 'dev'",
            "(os.getenv('K')\n  or 'dev')",
        ] {
            assert!(
                matches!(&rhs(fb), Rhs::Fallback { literal, .. } if literal.value == Some(StrValue::Str("dev".into()))),
                "{fb}: {:?}",
                rhs(fb)
            );
        }
        for ext in [
            "os.environ['K']",
            "os.environ.get('K')",
            "env('K')",
            "config('K', default=None)",
            "env('K', cast=str)",
        ] {
            assert!(
                matches!(
                    rhs(ext),
                    Rhs::External {
                        source: Source::Environment,
                        ..
                    }
                ),
                "{ext}"
            );
        }
        for eph in [
            "get_random_secret_key()",
            "secrets.token_hex(32)",
            "os.urandom(24)",
            "''.join(random.choice(chars) for _ in range(50))",
            "os.environ.get('K', get_random_secret_key())",
            "os.environ.get('K') or secrets.token_urlsafe()",
        ] {
            assert!(matches!(rhs(eph), Rhs::Ephemeral { .. }), "{eph}");
        }
        assert!(matches!(
            rhs("secret_key.generate_or_read_from_file(\n    os.path.join(LOCAL_PATH, '.secret_key_store'))"),
            Rhs::External { source: Source::File, .. }
        ));
        assert!(matches!(
            rhs("open('/etc/key').read().strip()"),
            Rhs::External {
                source: Source::File,
                ..
            }
        ));
        assert!(matches!(
            rhs("load_key()"),
            Rhs::External {
                source: Source::Call,
                ..
            }
        ));
        assert!(matches!(
            rhs("base.SECRET_KEY"),
            Rhs::External {
                source: Source::Module,
                ..
            }
        ));
        assert!(matches!(rhs("'abcde' * 10"), Rhs::Unknown));
        assert!(matches!(rhs("OTHER"), Rhs::Unknown));
        assert!(matches!(rhs("f'{x}'"), Rhs::Unknown));
        // Calling a string is no literal, though it is all strings and brackets.
        assert!(matches!(
            rhs("'a' 'b'('c')"),
            Rhs::External { .. } | Rhs::Unknown
        ));
        assert!(matches!(rhs("'a' + ('b')"), Rhs::Unknown));
    }

    #[test]
    fn literal_spans_cover_first_to_last_token() {
        let src = "SECRET_KEY = ( 'a'  'b' )\n";
        let s = scan_str(src);
        let Rhs::Literal(l) = &s.bindings[0].value else {
            panic!()
        };
        assert_eq!(&src[l.span.clone()], "'a'  'b'");
        assert_eq!(l.parts.len(), 2);
    }
}
