//! Fresh keys: a random choice of characters from an alphabet that needs no escaping in Python
//! (no quotes, no backslash, no braces) and none of the characters `sed` or shells trip over in
//! the default alphabet.
//!
//! The generator is injected so tests can pass a seeded one; the binary only ever passes
//! [`os_rng`], the operating system's CSPRNG. It knows nothing of Python or files.

use rand::rngs::OsRng;
use rand::seq::IndexedRandom;
use rand::{Rng, TryRngCore};

/// Which characters a key is made of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Alphabet {
    /// A-Z a-z 0-9: safe unquoted in shells, `.env` files, ConfigParser and YAML.
    #[default]
    Alnum,
    /// The alphabet of Django's `get_random_secret_key()`.
    Django,
    /// 0-9 a-f.
    Hex,
}

impl Alphabet {
    pub fn chars(self) -> &'static [u8] {
        match self {
            Alphabet::Alnum => b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
            Alphabet::Django => b"abcdefghijklmnopqrstuvwxyz0123456789!@#$%^&*(-_=+)",
            Alphabet::Hex => b"0123456789abcdef",
        }
    }
}

/// The operating system's CSPRNG (getrandom(2) on Linux). A failure to read it aborts: there is
/// no fallback to anything weaker.
pub fn os_rng() -> impl Rng {
    OsRng.unwrap_err()
}

/// A key of `length` characters, each drawn uniformly (rejection sampling, no modulo bias).
pub fn generate(rng: &mut impl Rng, alphabet: Alphabet, length: usize) -> String {
    let chars = alphabet.chars();
    (0..length)
        .map(|_| *chars.choose(rng).expect("alphabet is not empty") as char)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::StdRng;
    use rand::SeedableRng;

    #[test]
    fn length_and_alphabet() {
        let mut rng = StdRng::seed_from_u64(7);
        for alphabet in [Alphabet::Alnum, Alphabet::Django, Alphabet::Hex] {
            let k = generate(&mut rng, alphabet, 64);
            assert_eq!(k.len(), 64);
            assert!(k.bytes().all(|c| alphabet.chars().contains(&c)));
            assert!(!k.contains(['\'', '"', '\\', '{', '}']));
        }
    }

    #[test]
    fn os_keys_differ_and_cover_the_alphabet() {
        let mut rng = os_rng();
        let a = generate(&mut rng, Alphabet::Alnum, 64);
        let b = generate(&mut rng, Alphabet::Alnum, 64);
        assert_ne!(a, b);
        // 10,000 draws from 16 symbols: each appears; a count far off 625 would mean bias.
        let k = generate(&mut rng, Alphabet::Hex, 10_000);
        for c in Alphabet::Hex.chars() {
            let n = k.bytes().filter(|x| x == c).count();
            assert!((400..850).contains(&n), "{} appeared {n} times", *c as char);
        }
    }
}
