//! Decides whether a secret key value is fit for production, and why not, from the value alone.
//!
//! The rules, in the order they are reported:
//! - `empty`: `''`, `b''` or `None`.
//! - `insecure-prefix`: starts with `django-insecure-`, the mark `startproject` puts on its
//!   development key (Django's W009).
//! - `known-public`: a value published in a well-known template or documentation ([`KNOWN_PUBLIC`]).
//! - `placeholder`: a stand-in that says it must be replaced ([`PLACEHOLDERS`], [`PLACEHOLDER_MARKERS`]).
//! - `too-short`: fewer than 50 characters (Django's W009).
//! - `too-few-unique`: fewer than 5 distinct characters (Django's W009).
//! - `low-entropy`: passes W009 but is predictable: built by repeating a short unit, walking a
//!   character sequence or keyboard row, or carrying under 100 bits by its own symbol frequencies.
//!
//! It knows nothing of bytes on disk, tokens, random generators or files.

use crate::python::source::StrValue;

/// Django's `SECRET_KEY_MIN_LENGTH`.
pub const MIN_LENGTH: usize = 50;
/// Django's `SECRET_KEY_MIN_UNIQUE_CHARACTERS`.
pub const MIN_UNIQUE: usize = 5;
/// Django's `SECRET_KEY_INSECURE_PREFIX`.
pub const INSECURE_PREFIX: &str = "django-insecure-";

/// Values published in templates and documentation, with where they come from.
pub const KNOWN_PUBLIC: [(&[u8], &str); 9] = [
    (
        b"elj1IWiLoWHgcyYxFVLj7cM5rGOOxWl0",
        "OpenStack Horizon's old default",
    ),
    (
        b"elj1IWiLoWHgryYxFT6j7cM5fGOOxWY0",
        "OpenStack Horizon's documentation",
    ),
    (b"badcafe", "OpenStack Horizon's test settings"),
    (
        b"192b9bdd22ab9ed4d12e236c78afcb9a393ec15f71bbf5dc987d54727823bcbf",
        "Flask's documentation",
    ),
    (b"5f352379324c22463451387a0aec5d2f", "Flask's documentation"),
    (b"_5#y2L\"F4Q8z\n\xec]/", "Flask's documentation"),
    (b"development key", "Flask's tutorial"),
    (b"!!!SET DJANGO_SECRET_KEY!!!", "cookiecutter-django"),
    (b"your-secret-key", "django-environ's documentation"),
];

/// Whole values (compared case-insensitively) that are stand-ins.
pub const PLACEHOLDERS: [&str; 34] = [
    "dev",
    "development",
    "secret",
    "secretkey",
    "secret-key",
    "secret_key",
    "mysecret",
    "mysecretkey",
    "my-secret-key",
    "supersecret",
    "super-secret",
    "super-secret-key",
    "changeme",
    "insecure",
    "dummy",
    "test",
    "testing",
    "password",
    "default",
    "key",
    "notsecret",
    "not-secret",
    "notasecret",
    "placeholder",
    "todo",
    "fixme",
    "replaceme",
    "django-secret-key",
    "your-django-secret-key",
    "your-secret-key-here",
    "flask-secret-key",
    "s3cr3t",
    "abc123",
    "12345",
];

/// Parts that mark a value as a stand-in wherever they stand (compared case-insensitively). Each
/// is long enough that a random key contains it by chance with probability below one in 10^8.
pub const PLACEHOLDER_MARKERS: [&str; 22] = [
    "changeme",
    "change-me",
    "change_me",
    "change me",
    "change-this",
    "change_this",
    "changethis",
    "change-in-prod",
    "change_in_prod",
    "replace-me",
    "replace_me",
    "replace-this",
    "your-secret",
    "your_secret",
    "yoursecret",
    "!!!set",
    "placeholder",
    "insecure",
    "not-secure",
    "do-not-use",
    "dev-secret",
    "secret-key-here",
];

/// Why a value fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Reason {
    Empty,
    InsecurePrefix,
    KnownPublic,
    Placeholder,
    TooShort,
    TooFewUnique,
    LowEntropy,
}

impl Reason {
    /// Every reason, in the order they are reported.
    pub const ALL: [Reason; 7] = [
        Reason::Empty,
        Reason::InsecurePrefix,
        Reason::KnownPublic,
        Reason::Placeholder,
        Reason::TooShort,
        Reason::TooFewUnique,
        Reason::LowEntropy,
    ];

    /// The stable code used in JSON and text output.
    pub fn code(self) -> &'static str {
        match self {
            Reason::Empty => "empty",
            Reason::InsecurePrefix => "insecure-prefix",
            Reason::KnownPublic => "known-public",
            Reason::Placeholder => "placeholder",
            Reason::TooShort => "too-short",
            Reason::TooFewUnique => "too-few-unique",
            Reason::LowEntropy => "low-entropy",
        }
    }

    /// A few words for people.
    pub fn label(self) -> &'static str {
        match self {
            Reason::Empty => "empty",
            Reason::InsecurePrefix => "django-insecure prefix",
            Reason::KnownPublic => "published key",
            Reason::Placeholder => "placeholder",
            Reason::TooShort => "too short",
            Reason::TooFewUnique => "too few distinct characters",
            Reason::LowEntropy => "low entropy",
        }
    }
}

/// The judgement of one value: every rule it breaks (first is the main one) and a sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Judgement {
    pub reasons: Vec<Reason>,
    pub detail: String,
}

impl Judgement {
    pub fn is_secure(&self) -> bool {
        self.reasons.is_empty()
    }
}

/// Judges a value; `None` is Python's `None`.
pub fn judge(value: Option<&StrValue>) -> Judgement {
    judge_with(value, &[])
}

/// Judges a value, with more whole values to treat as placeholders (compared case-insensitively).
pub fn judge_with(value: Option<&StrValue>, extra_placeholders: &[String]) -> Judgement {
    let units: Vec<u32> = match value {
        None => Vec::new(),
        Some(StrValue::Str(s)) => s.chars().map(|c| c as u32).collect(),
        Some(StrValue::Bytes(b)) => b.iter().map(|&b| b as u32).collect(),
    };
    let raw: Vec<u8> = match value {
        None => Vec::new(),
        Some(StrValue::Str(s)) => s.as_bytes().to_vec(),
        Some(StrValue::Bytes(b)) => b.clone(),
    };
    let lower = String::from_utf8_lossy(&raw).to_lowercase();
    // The prefix has its own reason; it must not also make the rest look like a placeholder.
    let unprefixed = lower.strip_prefix(INSECURE_PREFIX).unwrap_or(&lower);
    let mut reasons = Vec::new();
    let mut details = Vec::new();
    if units.is_empty() {
        reasons.push(Reason::Empty);
        details.push(if value.is_none() {
            "is None".to_string()
        } else {
            "is empty".to_string()
        });
        return Judgement {
            reasons,
            detail: details.join("; "),
        };
    }
    if raw.starts_with(INSECURE_PREFIX.as_bytes()) {
        reasons.push(Reason::InsecurePrefix);
        details.push(format!(
            "starts with '{INSECURE_PREFIX}', the development key of django-admin startproject"
        ));
    }
    if let Some((_, source)) = KNOWN_PUBLIC.iter().find(|(v, _)| *v == raw.as_slice()) {
        reasons.push(Reason::KnownPublic);
        details.push(format!("is a published value ({source})"));
    }
    let all_x = units.len() >= 3 && lower.chars().all(|c| c == 'x' || c == '*');
    if PLACEHOLDERS.contains(&lower.as_str())
        || extra_placeholders.iter().any(|p| p.to_lowercase() == lower)
        || PLACEHOLDER_MARKERS.iter().any(|m| unprefixed.contains(m))
        || all_x
    {
        reasons.push(Reason::Placeholder);
        details.push("is a placeholder".to_string());
    }
    let unique = {
        let mut u = units.clone();
        u.sort_unstable();
        u.dedup();
        u.len()
    };
    if units.len() < MIN_LENGTH {
        reasons.push(Reason::TooShort);
        details.push(format!(
            "has {} characters, fewer than {MIN_LENGTH}",
            units.len()
        ));
    }
    if unique < MIN_UNIQUE {
        reasons.push(Reason::TooFewUnique);
        details.push(format!(
            "has {unique} distinct character{}, fewer than {MIN_UNIQUE}",
            if unique == 1 { "" } else { "s" }
        ));
    }
    if reasons.is_empty() {
        if let Some(why) = predictable(&units) {
            reasons.push(Reason::LowEntropy);
            details.push(why);
        }
    }
    Judgement {
        reasons,
        detail: details.join("; "),
    }
}

/// Why a long value with enough distinct characters is still guessable, if it is.
fn predictable(units: &[u32]) -> Option<String> {
    let n = units.len();
    // Repetition: few distinct trigrams means the value is built from a short repeated unit.
    let mut trigrams: Vec<&[u32]> = units.windows(3).collect();
    trigrams.sort_unstable();
    trigrams.dedup();
    if (trigrams.len() as f64) < 0.6 * (n - 2) as f64 {
        return Some(format!(
            "is repetitive: {} distinct 3-character runs in {n} characters",
            trigrams.len()
        ));
    }
    // Sequences: steps of -1, 0 or +1 between neighbours (abcdef, 123456, aaaa), or neighbours on a
    // keyboard row (qwerty).
    let steps = units
        .windows(2)
        .filter(|w| w[0].abs_diff(w[1]) <= 1 || keyboard_neighbours(w[0], w[1]))
        .count();
    if steps * 2 >= n - 1 {
        return Some(format!(
            "is a sequence: {steps} of {} neighbouring characters follow each other",
            n - 1
        ));
    }
    let bits = shannon_bits(units);
    if bits < 100.0 {
        return Some(format!(
            "carries about {bits:.0} bits by its character frequencies, under 100"
        ));
    }
    None
}

fn keyboard_neighbours(a: u32, b: u32) -> bool {
    const ROWS: [&str; 4] = ["1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm"];
    let (Some(a), Some(b)) = (char::from_u32(a), char::from_u32(b)) else {
        return false;
    };
    let (a, b) = (a.to_ascii_lowercase(), b.to_ascii_lowercase());
    ROWS.iter().any(|row| {
        let row: Vec<char> = row.chars().collect();
        row.windows(2)
            .any(|w| (w[0] == a && w[1] == b) || (w[0] == b && w[1] == a))
    })
}

/// Length times the Shannon entropy of the value's own character frequencies.
fn shannon_bits(units: &[u32]) -> f64 {
    let mut sorted = units.to_vec();
    sorted.sort_unstable();
    let n = units.len() as f64;
    let mut bits = 0.0;
    let mut i = 0;
    while i < sorted.len() {
        let j = sorted[i..].iter().take_while(|&&u| u == sorted[i]).count();
        let p = j as f64 / n;
        bits -= p * p.log2();
        i += j;
    }
    bits * n
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reasons(v: &str) -> Vec<Reason> {
        judge(Some(&StrValue::Str(v.to_string()))).reasons
    }

    #[test]
    fn mirrors_django_w009() {
        assert_eq!(judge(None).reasons, vec![Reason::Empty]);
        assert_eq!(reasons(""), vec![Reason::Empty]);
        let startproject = "django-insecure-3p#k8x!w@zq^m2v&l9r(t-_=+)u7y0c4b1n6h5s8d2f3g4j";
        assert_eq!(reasons(startproject), vec![Reason::InsecurePrefix]);
        assert!(reasons(&"a1b2c3d4e5".repeat(4)).contains(&Reason::TooShort));
        assert!(reasons(&"abab".repeat(20)).contains(&Reason::TooFewUnique));
        // The one from `openssl rand -hex 10` that a packager's sed line writes.
        assert_eq!(reasons("9f8e7d6c5b4a39281706"), vec![Reason::TooShort]);
    }

    #[test]
    fn catches_what_w009_accepts() {
        assert_eq!(reasons(&"abcde".repeat(10)), vec![Reason::LowEntropy]);
        assert_eq!(reasons(&"Xy9#q".repeat(12)), vec![Reason::LowEntropy]);
        assert_eq!(
            reasons("abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOP"),
            vec![Reason::LowEntropy]
        );
        assert_eq!(
            reasons("qwertyuiopasdfghjklzxcvbnmqwertyuiopasdfghjklzxcvbnm"),
            vec![Reason::LowEntropy]
        );
        assert_eq!(
            reasons(&format!("{}bcdef", "a".repeat(45))),
            vec![Reason::LowEntropy]
        );
    }

    #[test]
    fn known_values_and_placeholders() {
        assert!(reasons("elj1IWiLoWHgcyYxFVLj7cM5rGOOxWl0").contains(&Reason::KnownPublic));
        assert_eq!(
            judge(Some(&StrValue::Bytes(b"_5#y2L\"F4Q8z\n\xec]/".to_vec()))).reasons[0],
            Reason::KnownPublic
        );
        for p in [
            "changeme",
            "CHANGEME",
            "dev",
            "secret",
            "your-secret-key-here",
            "xxxxxxxx",
            "dev-secret-key-change-in-production",
            "this-is-an-insecure-key-that-is-long-enough-to-pass-w009-checks",
            "!!!SET DJANGO_SECRET_KEY!!!",
        ] {
            assert!(reasons(p).contains(&Reason::Placeholder), "{p}");
        }
    }

    #[test]
    fn extra_placeholders_count() {
        let v = StrValue::Str("Team-7fQ2kL9xWm4RzV1pT8cH3nB6yJ0sD5gA-shared-key-value".into());
        assert!(judge(Some(&v)).is_secure());
        let extra = ["team-7fq2kl9xwm4rzv1pt8ch3nb6yj0sd5ga-SHARED-key-value".to_string()];
        assert_eq!(
            judge_with(Some(&v), &extra).reasons,
            vec![Reason::Placeholder]
        );
    }

    #[test]
    fn strong_keys_pass() {
        for k in [
            "kX9mP2vL8qR4wT6yB1nC3zF5hJ7dG0sA2eU4iO6pK8lM1xV3bN5cQ7rW9tY0uZ2aE",
            "x$0fn1&k#@q!c-+7z(8w)h3r=j2v%u9s^m4p_d6t*l5y&b1g0a7e8i9o3k2n4c6",
            "192b9bdd22ab9ed4d12e236c78afcb9a393ec15f71bbf5dc987d54727823bcb0",
        ] {
            assert!(
                reasons(k).is_empty(),
                "{k}: {:?}",
                judge(Some(&StrValue::Str(k.into())))
            );
        }
    }
}
