//! Byte-span edits and applying them: everything outside the edited spans is copied verbatim.
//!
//! It knows nothing of why an edit exists or of the filesystem.

use std::ops::Range;

/// Replace `range` of the original bytes with `content` (an empty range inserts).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    pub range: Range<usize>,
    pub content: Vec<u8>,
}

/// Two edits that would touch the same bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Overlap(pub Range<usize>, pub Range<usize>);

/// Applies edits (in any order) to `src`. Identical edits are applied once; overlapping ones are
/// refused rather than guessed at.
pub fn apply(src: &[u8], edits: &[Edit]) -> Result<Vec<u8>, Overlap> {
    let mut edits: Vec<&Edit> = edits.iter().collect();
    edits.sort_by_key(|e| (e.range.start, e.range.end));
    edits.dedup_by(|a, b| a == b);
    let mut out =
        Vec::with_capacity(src.len() + edits.iter().map(|e| e.content.len()).sum::<usize>());
    let mut pos = 0;
    for (i, e) in edits.iter().enumerate() {
        if e.range.start < pos || e.range.end > src.len() {
            let prev = i.checked_sub(1).map_or(0..0, |p| edits[p].range.clone());
            return Err(Overlap(prev, e.range.clone()));
        }
        out.extend_from_slice(&src[pos..e.range.start]);
        out.extend_from_slice(&e.content);
        pos = e.range.end;
    }
    out.extend_from_slice(&src[pos..]);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edit(r: Range<usize>, c: &str) -> Edit {
        Edit {
            range: r,
            content: c.as_bytes().to_vec(),
        }
    }

    #[test]
    fn applies_in_any_order_and_keeps_the_rest() {
        let out = apply(b"a 'x' b 'y' c", &[edit(8..11, "'Y'"), edit(2..5, "'XX'")]).unwrap();
        assert_eq!(out, b"a 'XX' b 'Y' c");
        assert_eq!(apply(b"abc", &[edit(3..3, "\nd")]).unwrap(), b"abc\nd");
        assert_eq!(apply(b"abc", &[]).unwrap(), b"abc");
    }

    #[test]
    fn identical_edits_once_overlaps_refused() {
        assert_eq!(
            apply(b"abc", &[edit(1..2, "X"), edit(1..2, "X")]).unwrap(),
            b"aXc"
        );
        assert!(apply(b"abcd", &[edit(0..2, "X"), edit(1..3, "Y")]).is_err());
        assert!(apply(b"ab", &[edit(1..5, "X")]).is_err());
    }
}
