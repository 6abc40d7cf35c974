//! A unified diff (`--- a/PATH`, `+++ b/PATH`, 3 lines of context) of the original and patched
//! bytes, optionally colored. Built on `similar`; lines are bytes, so Latin-1 and CRLF files diff as
//! they are and `patch -p1` applies the result when secrets are shown.

use std::io::{self, Write};

use similar::{ChangeTag, TextDiff};

const RED: &str = "\x1b[31m";
const GREEN: &str = "\x1b[32m";
const CYAN: &str = "\x1b[36m";
const BOLD: &str = "\x1b[1m";
const RESET: &str = "\x1b[0m";

/// Writes the diff of `old` against `new` for the file shown as `path`.
pub fn write(
    out: &mut dyn Write,
    path: &str,
    old: &[u8],
    new: &[u8],
    color: bool,
) -> io::Result<()> {
    let diff = TextDiff::from_lines(old, new);
    let paint = |c: &'static str| if color { c } else { "" };
    let reset = paint(RESET);
    let mut first = true;
    for hunk in diff.unified_diff().context_radius(3).iter_hunks() {
        if first {
            writeln!(out, "{}--- a/{path}{reset}", paint(BOLD))?;
            writeln!(out, "{}+++ b/{path}{reset}", paint(BOLD))?;
            first = false;
        }
        writeln!(out, "{}{}{reset}", paint(CYAN), hunk.header())?;
        for change in hunk.iter_changes() {
            let (sign, c) = match change.tag() {
                ChangeTag::Delete => ('-', paint(RED)),
                ChangeTag::Insert => ('+', paint(GREEN)),
                ChangeTag::Equal => (' ', ""),
            };
            let line = change.value();
            let body = line
                .strip_suffix(b"\n")
                .map(|l| l.strip_suffix(b"\r").map_or((l, "\n"), |l| (l, "\r\n")))
                .unwrap_or((line, ""));
            write!(out, "{c}{sign}")?;
            out.write_all(body.0)?;
            write!(out, "{}{}", if c.is_empty() { "" } else { reset }, body.1)?;
            if change.missing_newline() {
                writeln!(out, "\n\\ No newline at end of file")?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unified_with_headers_and_missing_newline() {
        let mut out = Vec::new();
        write(
            &mut out,
            "s.py",
            b"a\nb\nK = 'x'",
            b"a\nb\nK = 'y'\n",
            false,
        )
        .unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(
            text,
            "--- a/s.py\n+++ b/s.py\n@@ -1,3 +1,3 @@\n a\n b\n-K = 'x'\n\\ No newline at end of file\n+K = 'y'\n"
        );
        let mut out = Vec::new();
        write(&mut out, "s.py", b"same\n", b"same\n", false).unwrap();
        assert!(out.is_empty());
    }

    #[test]
    fn crlf_lines_keep_their_ending_and_color_wraps_the_text() {
        let mut out = Vec::new();
        write(&mut out, "s.py", b"K = 1\r\n", b"K = 2\r\n", true).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("\x1b[31m-K = 1\x1b[0m\r\n"), "{text:?}");
        assert!(text.contains("\x1b[32m+K = 2\x1b[0m\r\n"));
    }
}
