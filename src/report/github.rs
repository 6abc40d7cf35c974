//! GitHub Actions workflow commands: one `::error` (or `::warning`) line per failing finding, which
//! the runner turns into annotations on the pull request.

use std::io::{self, Write};

use crate::patch::{Finding, Verdict};

use super::show_value;

/// Escapes a command's message (`%`, CR, LF).
fn data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a command's property value (also `:` and `,`).
fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}

/// Writes the annotation for one finding, if it is worth one.
pub fn finding(out: &mut dyn Write, path: &str, f: &Finding, show_secrets: bool) -> io::Result<()> {
    let level = if f.fails() {
        "error"
    } else if f.verdict == Verdict::UnusedIgnore {
        "warning"
    } else {
        return Ok(());
    };
    let mut message = f.message.clone();
    if let Some(value) = &f.value {
        message.push_str(&format!(" [{}]", show_value(value, show_secrets)));
    }
    message.push_str(&format!(" ({})", f.reason));
    writeln!(
        out,
        "::{level} file={},line={},col={},endLine={},endColumn={},title={}::{}",
        property(path),
        f.line,
        f.column,
        f.end_line,
        f.end_column,
        property(&format!("secretpatch: {}", f.verdict.code())),
        data(&message)
    )
}

/// Writes an error about a file that could not be processed.
pub fn error(out: &mut dyn Write, path: &str, message: &str) -> io::Result<()> {
    writeln!(
        out,
        "::error file={},title=secretpatch%3A error::{}",
        property(path),
        data(message)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes() {
        assert_eq!(data("50% a\nb"), "50%25 a%0Ab");
        assert_eq!(property("a:b,c"), "a%3Ab%2Cc");
    }
}
