//! Property tests: random Python-ish input never panics the tokenizer or the patcher, every edit
//! replaces string literals (or appends at the end) and nothing else, a patched file is patched
//! no further, and line endings do not change what is found.

use proptest::prelude::*;
use rand::rngs::StdRng;
use rand::SeedableRng;
use secretpatch::keygen::Alphabet;
use secretpatch::patch::{analyze, Analysis, PatchOptions, Verdict};
use secretpatch::python::lexer::{tokenize, Kind};

const FRAGMENTS: &[&str] = &[
    "SECRET_KEY = ",
    "SECRET_KEY: str = ",
    "A = SECRET_KEY = ",
    "'dev'",
    "\"\"",
    "'''x\n'''",
    "\"\"\"doc SECRET_KEY = 'q'\"\"\"",
    "r'x\\''",
    "b'k'",
    "Rb\"\\\"\"",
    "f'{a!r:>{w}}'",
    "f\"{'SECRET_KEY'}\"",
    "t'{x}'",
    "u'x'",
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    "\n",
    "\n",
    "\n",
    "\r\n",
    "\r",
    "    ",
    "\t",
    " ",
    "# SECRET_KEY = 'c'\n",
    "if x:\n",
    "else:\n",
    "def f():\n",
    "class C:\n",
    "async def g(): ",
    "; ",
    "os.environ.get('K', 'd')",
    "os.getenv('K') or 'x'",
    "env('K', default='p')",
    "None",
    " + ",
    "\\\n",
    "lambda q=1: q",
    ":",
    " = ",
    "from .base import *\n",
    "from m import SECRET_KEY\n",
    "'abc' 'def'",
    "get_random_secret_key()",
    "x",
    "1",
    "é",
    ",",
    "match x:\n",
    "case 1:\n",
    "'django-insecure-abcdefghijklmnopqrstuvwxyz0123456789'",
    "\x0c",
    "\u{feff}",
];

/// Whole statements, so that most generated files tokenize.
const STATEMENTS: &[&str] = &[
    "SECRET_KEY = 'dev'",
    "SECRET_KEY = ''",
    "SECRET_KEY = None",
    "SECRET_KEY: str = \"changeme\"",
    "SECRET_KEY = ('a'\n    'b')",
    "SECRET_KEY = 'x' + \\\n  'y'",
    "X = SECRET_KEY = b'k'",
    "SECRET_KEY = os.environ.get('K', 'd')",
    "SECRET_KEY = os.getenv('K') or r'''p'''",
    "SECRET_KEY = env('K', default='!!!SET K!!!')",
    "SECRET_KEY = get_random_secret_key()",
    "SECRET_KEY = os.environ['K']",
    "SECRET_KEY = f'{a}'",
    "from .base import *",
    "from .local import SECRET_KEY",
    "x = 1; SECRET_KEY = 'q'",
    "# SECRET_KEY = 'c'",
    "'''SECRET_KEY = \"doc\"'''",
    "pass",
    "y = f\"{'SECRET_KEY' + \"x\"}\"",
    "if a:",
    "else:",
    "def f():",
    "class C:",
    "try:",
    "except E:",
    "with m: SECRET_KEY = 'w'",
    "match = 1",
    "SECRET_KEY = 'Zq8Lr2Vx9Kt4Np7Ws1Bm6Hc3Jf5Dg0Ya8Ue2Io4Pk7Ln1Mx9Rb3Tc6Vz5Qw2Es8Ad'",
];

fn pythonish() -> impl Strategy<Value = String> {
    let fragments =
        prop::collection::vec(prop::sample::select(FRAGMENTS), 0..40).prop_map(|v| v.concat());
    let line = (
        prop::sample::select(&["", "    ", "\t", "        "][..]),
        prop::sample::select(STATEMENTS),
    )
        .prop_map(|(indent, stmt)| format!("{indent}{stmt}"));
    let nl = prop::sample::select(&["\n", "\r\n", "\r"][..]);
    let lines =
        (prop::collection::vec(line, 0..20), nl, any::<bool>()).prop_map(|(lines, nl, last)| {
            let text = lines.join(nl);
            if last {
                text + nl
            } else {
                text
            }
        });
    prop_oneof![fragments, lines]
}

fn opts() -> PatchOptions {
    PatchOptions {
        name: "SECRET_KEY".into(),
        length: 64,
        alphabet: Alphabet::Alnum,
    }
}

fn run(src: &[u8], seed: u64) -> Option<Analysis> {
    analyze(src, &opts(), true, &mut StdRng::seed_from_u64(seed)).ok()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn tokenizer_never_panics_on_bytes(src in prop::collection::vec(any::<u8>(), 0..400)) {
        let _ = tokenize(&src);
        let _ = run(&src, 0);
    }

    #[test]
    fn edits_touch_only_string_literals(src in pythonish(), seed in any::<u64>()) {
        let Some(a) = run(src.as_bytes(), seed) else { return Ok(()) };
        let lexed = tokenize(src.as_bytes()).expect("it analysed, so it tokenizes");
        for e in &a.edits {
            if e.range.is_empty() {
                prop_assert_eq!(e.range.start, src.len(), "an insertion is an append");
                continue;
            }
            let inside: Vec<_> = lexed.tokens.iter().filter(|t| t.start >= e.range.start && t.end <= e.range.end).collect();
            prop_assert!(!inside.is_empty());
            prop_assert_eq!(inside[0].start, e.range.start);
            prop_assert_eq!(inside[inside.len() - 1].end, e.range.end);
            let none = inside.len() == 1 && &src[inside[0].start..inside[0].end] == "None";
            for t in &inside {
                let text = &src[t.start..t.end];
                prop_assert!(
                    none || matches!(t.kind, Kind::Str(_)) || ["+", "(", ")"].contains(&text),
                    "edit {:?} covers {:?}", e.range, text
                );
            }
            // No token straddles the edge of the edit.
            prop_assert!(lexed.tokens.iter().all(|t| t.end <= e.range.start || t.start >= e.range.end
                || (t.start >= e.range.start && t.end <= e.range.end)));
        }
    }

    #[test]
    fn a_patched_file_needs_no_second_patch(src in pythonish(), seed in any::<u64>()) {
        let Some(a) = run(src.as_bytes(), seed) else { return Ok(()) };
        let Some(patched) = a.patched else { return Ok(()) };
        let again = run(&patched, seed.wrapping_add(1)).expect("a patched file still tokenizes");
        prop_assert!(again.patched.is_none(), "second run would change {:?}", String::from_utf8_lossy(&patched));
        prop_assert!(again.findings.iter().all(|f| matches!(f.verdict,
            Verdict::Secure | Verdict::External | Verdict::Unknown | Verdict::Ephemeral)));
    }

    #[test]
    fn line_endings_do_not_change_findings(src in pythonish()) {
        let lf = src.replace("\r\n", "\n").replace('\r', "\n");
        let Some(a) = run(lf.as_bytes(), 1) else { return Ok(()) };
        let summary = |a: &Analysis| a.findings.iter().map(|f| (f.line, f.column, f.verdict, f.reason)).collect::<Vec<_>>();
        for nl in ["\r\n", "\r"] {
            let other = lf.replace('\n', nl);
            let b = run(other.as_bytes(), 1).expect("same file with other line endings tokenizes");
            prop_assert_eq!(summary(&a), summary(&b));
        }
    }
}
