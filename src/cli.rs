//! The command line: parses flags into a [`Config`], runs every path, prints, and decides the exit
//! code. This is the only module that prints.
//!
//! It knows nothing of Python, spans or how files are written.
#![allow(clippy::print_stderr)]

use std::ffi::OsString;
use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{CommandFactory, Parser, ValueEnum};

use crate::config::{Config, FileConfig, Format};
use crate::discover::WalkOptions;
use crate::fsio::IoOptions;
use crate::keygen::Alphabet;
use crate::patch::{reason_label, Fix, KeySource, PatchOptions};
use crate::policy::MIN_LENGTH;
use crate::process::{run_all, FileOutcome, Report};
use crate::report;
use crate::store::{StoreOptions, StoreOutcome};

/// The exit statuses, as ruff has them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Status {
    /// Nothing to do, or all done.
    Success = 0,
    /// Findings remain (`--check`), or a dry run would change something.
    Failure = 1,
    /// An error: usage, unreadable or unparsable file, failed write.
    Error = 2,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Generate {
    Man,
    Bash,
    Zsh,
    Fish,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// Find a missing, empty or default SECRET_KEY in Python settings files and replace it in place
/// with a fresh key from the operating system's CSPRNG, changing no other byte.
///
/// With no mode flag, each file is patched: every insecure literal key is replaced, and a file
/// named on the command line with no key at all gets one appended. Directories are walked for
/// *.py files, honouring .gitignore. Settings may also come from [tool.secretpatch] in the
/// nearest pyproject.toml. Exit status: 0 nothing to do or all done; 1 findings remain
/// (--check), a dry run would change something, or a failing key cannot be patched; 2 an error.
#[derive(Debug, Parser)]
#[command(name = "secretpatch", version, max_term_width = 100)]
struct Args {
    /// Python files (Django settings.py, Horizon local_settings.py, Flask config.py) or
    /// directories to walk; - reads standard input and writes the result to standard output.
    #[arg(required_unless_present_any = ["store", "generate"], value_name = "PATH")]
    paths: Vec<PathBuf>,

    /// Write nothing; print a unified diff of what would change. Exit 1 if anything would.
    #[arg(long, visible_alias = "diff")]
    dry_run: bool,

    /// Write nothing; print one line per finding. Exit 1 if any is insecure, missing, ephemeral
    /// or (with --strict) hard-coded.
    #[arg(long)]
    check: bool,

    /// Report format on standard output.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,

    /// Print only errors and failing findings.
    #[arg(short, long)]
    quiet: bool,

    /// The variable holding the key (repeat for several; default SECRET_KEY).
    #[arg(long, value_name = "NAME", help_heading = "Finding keys")]
    name: Vec<String>,

    /// Length of a new key (at least 50, Django's minimum; default 64).
    #[arg(long, value_name = "N", help_heading = "New keys")]
    length: Option<usize>,

    /// Characters of a new key: alnum (default) is A-Z a-z 0-9 (safe unquoted in shells, .env,
    /// ConfigParser and YAML); django is the alphabet of Django's get_random_secret_key(); hex is
    /// 0-9 a-f.
    #[arg(long, value_enum, help_heading = "New keys")]
    alphabet: Option<Alphabet>,

    /// Report every hard-coded literal key, even a strong one: a key committed to a repository
    /// is a leaked key.
    #[arg(long, help_heading = "Finding keys")]
    strict: bool,

    /// Files named on the command line that define no key are not findings (for pre-commit,
    /// which names every changed file).
    #[arg(long, help_heading = "Finding keys")]
    no_missing: bool,

    /// When walking directories, look only at files matching this glob (repeatable; default
    /// *.py).
    #[arg(long, value_name = "GLOB", help_heading = "Finding keys")]
    include: Vec<String>,

    /// When walking directories, leave out files and directories matching this glob
    /// (repeatable).
    #[arg(long, value_name = "GLOB", help_heading = "Finding keys")]
    exclude: Vec<String>,

    /// Do not honour .gitignore, .ignore and similar files.
    #[arg(long, help_heading = "Finding keys")]
    no_ignore: bool,

    /// Walk hidden files and directories too.
    #[arg(long, help_heading = "Finding keys")]
    hidden: bool,

    /// Threads for walking directories (default: one per core).
    #[arg(short = 'j', long, value_name = "N", help_heading = "Finding keys")]
    threads: Option<usize>,

    /// Read settings from this pyproject.toml instead of the nearest one.
    #[arg(
        long,
        value_name = "FILE",
        conflicts_with = "no_config",
        help_heading = "Finding keys"
    )]
    config: Option<PathBuf>,

    /// Ignore [tool.secretpatch] in pyproject.toml.
    #[arg(long, help_heading = "Finding keys")]
    no_config: bool,

    /// Print secret values whole in diffs and reports instead of masking them.
    #[arg(long)]
    show_secrets: bool,

    /// When to color the diff (NO_COLOR turns auto off).
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    color: ColorChoice,

    /// Seconds to wait for another run that holds a file's lock.
    #[arg(
        long,
        value_name = "SECONDS",
        default_value_t = 60.0,
        help_heading = "Writing files"
    )]
    lock_timeout: f64,

    /// Refuse files larger than this many bytes (suffixes K, M, G allowed).
    #[arg(long, value_name = "SIZE", default_value = "4M", value_parser = parse_size, help_heading = "Writing files")]
    max_size: u64,

    /// Replace a file that has other hard links, leaving them with the old content (otherwise
    /// such a file is refused).
    #[arg(long, help_heading = "Writing files")]
    split_hard_links: bool,

    /// Keep the key in this file (created once, mode 0600, no newline) and rewrite weak key
    /// statements to read it. With no PATH, only makes sure the store exists and is sound.
    #[arg(long, value_name = "STORE", help_heading = "Packaging")]
    store: Option<PathBuf>,

    /// Owner of a new key store, as USER or USER:GROUP (names or numbers).
    #[arg(
        long,
        value_name = "USER[:GROUP]",
        requires = "store",
        help_heading = "Packaging"
    )]
    owner: Option<String>,

    /// Rewrite weak key statements to read the environment variable VAR (os.environ["VAR"]),
    /// adding `import os` if needed.
    #[arg(
        long,
        value_name = "VAR",
        conflicts_with = "store",
        help_heading = "Packaging"
    )]
    from_env: Option<String>,

    /// Replace keys even when they are strong (first boot of a cloned image, or after a leak).
    #[arg(long, help_heading = "Packaging")]
    rotate: bool,

    /// With --rotate, move the old key into SECRET_KEY_FALLBACKS so that signed sessions and
    /// tokens survive (Django 4.1+).
    #[arg(long, requires = "rotate", conflicts_with_all = ["store", "from_env"], help_heading = "Packaging")]
    keep_fallback: bool,

    /// Keep the previous file as PATH plus SUFFIX (default .bak).
    #[arg(long, value_name = "SUFFIX", num_args = 0..=1, require_equals = true,
          default_missing_value = ".bak", help_heading = "Packaging")]
    backup: Option<String>,

    /// Run CMD on the new content before it replaces the old (%s is the new file's path); if it
    /// fails, nothing is replaced and the exit status is 2.
    #[arg(long, value_name = "CMD", help_heading = "Packaging")]
    validate: Option<String>,

    /// Print the man page (man) or a shell completion script (bash, zsh, fish), and exit.
    #[arg(long, value_enum, value_name = "KIND", exclusive = true)]
    generate: Option<Generate>,

    /// The name standard input goes by in messages.
    #[arg(
        long,
        value_name = "NAME",
        default_value = "<stdin>",
        help_heading = "Packaging"
    )]
    stdin_filename: String,
}

fn parse_size(s: &str) -> Result<u64, String> {
    let (num, mult) = match s.as_bytes().last() {
        Some(b'K' | b'k') => (&s[..s.len() - 1], 1 << 10),
        Some(b'M' | b'm') => (&s[..s.len() - 1], 1 << 20),
        Some(b'G' | b'g') => (&s[..s.len() - 1], 1 << 30),
        _ => (s, 1),
    };
    num.parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(mult))
        .ok_or_else(|| {
            format!("'{s}' is not a size (a number of bytes, optionally with K, M or G)")
        })
}

/// `USER`, `USER:GROUP`, or numeric ids; a user alone brings its primary group.
fn parse_owner(spec: &str) -> Result<(u32, u32), String> {
    let (user, group) = match spec.split_once(':') {
        Some((u, g)) => (u, Some(g)),
        None => (spec, None),
    };
    let (uid, primary) = match user.parse::<u32>() {
        Ok(uid) => (
            uid,
            uzers::get_user_by_uid(uid).map(|u| u.primary_group_id()),
        ),
        Err(_) => {
            let u = uzers::get_user_by_name(user)
                .ok_or_else(|| format!("--owner {spec}: no user named '{user}'"))?;
            (u.uid(), Some(u.primary_group_id()))
        }
    };
    let gid = match group {
        Some(g) => match g.parse::<u32>() {
            Ok(gid) => gid,
            Err(_) => uzers::get_group_by_name(g)
                .ok_or_else(|| format!("--owner {spec}: no group named '{g}'"))?
                .gid(),
        },
        None => {
            primary.ok_or_else(|| format!("--owner {spec}: give the group too (USER:GROUP)"))?
        }
    };
    Ok((uid, gid))
}

fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

impl Args {
    fn into_config(self) -> Result<Config, String> {
        let file =
            if self.no_config {
                None
            } else if let Some(path) = &self.config {
                Some(FileConfig::load(path)?.ok_or_else(|| {
                    format!("{}: has no [tool.secretpatch] table", path.display())
                })?)
            } else {
                let cwd = std::env::current_dir().map_err(|e| {
                    format!(
                        "cannot read the working directory: {}",
                        crate::fsio::describe(&e)
                    )
                })?;
                FileConfig::find(&cwd)?.map(|(_, c)| c)
            }
            .unwrap_or_default();
        let names = match (self.name.is_empty(), file.names) {
            (false, _) => self.name,
            (true, Some(names)) if !names.is_empty() => names,
            _ => vec!["SECRET_KEY".to_string()],
        };
        let length = self.length.or(file.length).unwrap_or(64);
        if length < MIN_LENGTH {
            return Err(format!(
                "--length {length} is too short: Django requires keys of at least {MIN_LENGTH} characters"
            ));
        }
        if length > 4096 {
            return Err(format!("--length {length} is too long (at most 4096)"));
        }
        if let Some(bad) = names.iter().find(|n| !is_identifier(n)) {
            return Err(format!("--name '{bad}' is not a Python identifier"));
        }
        if !(self.lock_timeout.is_finite() && self.lock_timeout >= 0.0) {
            return Err("--lock-timeout takes a number of seconds".into());
        }
        let color = match self.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                io::stdout().is_terminal()
                    && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
            }
        };
        let threads = self
            .threads
            .filter(|&n| n > 0)
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
        if let Some(v) = &self.validate {
            if !v.contains("%s") {
                return Err(format!(
                    "--validate '{v}' has no %s to stand for the new file's path"
                ));
            }
        }
        if let Some(var) = &self.from_env {
            if !is_identifier(var) {
                return Err(format!(
                    "--from-env '{var}' is not an environment variable name"
                ));
            }
        }
        let alphabet = self.alphabet.or(file.alphabet).unwrap_or_default();
        let lock_timeout = Duration::from_secs_f64(self.lock_timeout);
        let store = match &self.store {
            None => None,
            Some(path) => Some(StoreOptions {
                path: std::path::absolute(path).map_err(|e| {
                    format!("--store {}: {}", path.display(), crate::fsio::describe(&e))
                })?,
                owner: self.owner.as_deref().map(parse_owner).transpose()?,
                rotate: self.rotate,
                alphabet,
                length,
                lock_timeout,
            }),
        };
        let source = match (&store, &self.from_env) {
            (Some(s), _) => KeySource::Store(s.path.to_string_lossy().into_owned()),
            (None, Some(var)) => KeySource::Environment(var.clone()),
            (None, None) => KeySource::Literal,
        };
        let or_file = |flag: Vec<String>, file: Option<Vec<String>>| {
            if flag.is_empty() {
                file.unwrap_or_default()
            } else {
                flag
            }
        };
        Ok(Config {
            paths: self.paths,
            write: !self.dry_run && !self.check,
            diff: self.dry_run,
            check: self.check,
            format: self.format,
            quiet: self.quiet,
            show_secrets: self.show_secrets,
            color,
            missing: !self.no_missing,
            threads,
            walk: WalkOptions {
                include: or_file(self.include, file.include),
                exclude: or_file(self.exclude, file.exclude),
                no_ignore: self.no_ignore,
                hidden: self.hidden,
            },
            patch: PatchOptions {
                names,
                length,
                alphabet,
                strict: self.strict || file.strict.unwrap_or(false),
                placeholders: file.placeholders.unwrap_or_default(),
                source,
                rotate: self.rotate,
                keep_fallback: self.keep_fallback,
            },
            store,
            stdin_name: self.stdin_filename,
            io: IoOptions {
                max_size: self.max_size,
                lock_timeout,
                split_hard_links: self.split_hard_links,
                validate: self.validate,
                backup: self.backup,
            },
        })
    }
}

/// Where output goes, remembering the first failure: a closed pipe silences the rest of that
/// stream; any other failure (a full disk) makes the run end with status 2.
struct Output<W: Write> {
    inner: W,
    closed: bool,
    failed: Option<io::Error>,
}

impl<W: Write> Output<W> {
    fn new(inner: W) -> Self {
        Output {
            inner,
            closed: false,
            failed: None,
        }
    }

    fn emit(&mut self, f: impl FnOnce(&mut dyn Write) -> io::Result<()>) {
        if self.closed || self.failed.is_some() {
            return;
        }
        // One write per message, so lines of concurrent runs never interleave.
        let mut buf = Vec::new();
        let result = f(&mut buf)
            .and_then(|()| self.inner.write_all(&buf))
            .and_then(|()| self.inner.flush());
        match result {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => self.closed = true,
            Err(e) => self.failed = Some(e),
        }
    }
}

/// Runs the command line and returns the exit code.
pub fn run(args: impl IntoIterator<Item = OsString>) -> ExitCode {
    let mut err = Output::new(io::stderr().lock());
    let args = match Args::try_parse_from(args) {
        Ok(a) => a,
        Err(e) => {
            let code = e.exit_code();
            let _ = e.print();
            return ExitCode::from(code as u8);
        }
    };
    if let Some(kind) = args.generate {
        let mut out = Output::new(io::stdout().lock());
        let bytes = generated(kind);
        out.emit(|w| w.write_all(&bytes));
        return ExitCode::from(if out.failed.is_some() { 2 } else { 0 });
    }
    let config = match args.into_config() {
        Ok(c) => c,
        Err(msg) => {
            err.emit(|w| writeln!(w, "secretpatch: {msg}"));
            return ExitCode::from(Status::Error as u8);
        }
    };
    let mut out = Output::new(io::stdout().lock());
    // A read-only run checks an existing store but neither creates nor rotates one.
    let store = config
        .store
        .clone()
        .filter(|s| config.write || s.path.exists());
    if let Some(mut store) = store {
        store.rotate &= config.write;
        let shown = store.path.display().to_string();
        match crate::store::ensure(&store, &mut crate::keygen::os_rng()) {
            Err(e) => {
                err.emit(|w| writeln!(w, "secretpatch: {shown}: {}", e.0));
                return ExitCode::from(Status::Error as u8);
            }
            Ok(outcome) if !config.quiet => {
                let what = match outcome {
                    StoreOutcome::Created => Some("created the key store (mode 0600)"),
                    StoreOutcome::Rotated => Some("rotated the key in the key store"),
                    StoreOutcome::Kept => None,
                };
                if let Some(what) = what {
                    err.emit(|w| writeln!(w, "secretpatch: {shown}: {what}"));
                }
            }
            Ok(_) => {}
        }
    }
    let report = run_all(&config);
    let mut status = Status::Success;
    let mut diffs = Vec::new();
    for outcome in &report.outcomes {
        status = status.max(file_status(outcome, &config));
        let colored = config.color && config.format == Format::Text;
        diffs.push(diff_text(outcome, &config, colored));
    }
    match config.format {
        Format::Text => {
            for (outcome, diff) in report.outcomes.iter().zip(&diffs) {
                print_text(outcome, &config, diff, &mut out, &mut err);
            }
        }
        Format::Json => {
            print_errors(&report, &mut err);
            let diffs = config.diff.then_some(&diffs[..]);
            out.emit(|w| report::json::write(w, &report, diffs, config.show_secrets));
        }
        Format::Sarif => {
            print_errors(&report, &mut err);
            let cwd = std::env::current_dir().unwrap_or_default();
            out.emit(|w| report::sarif::write(w, &report.outcomes, &cwd, config.show_secrets));
        }
        Format::Github => {
            print_errors(&report, &mut err);
            for o in &report.outcomes {
                let path = o.display();
                match &o.result {
                    Err(e) => out.emit(|w| report::github::error(w, &path, e)),
                    Ok(p) => {
                        for f in &p.analysis.findings {
                            out.emit(|w| report::github::finding(w, &path, f, config.show_secrets));
                        }
                    }
                }
            }
        }
    }
    if let Some(e) = out.failed.take() {
        err.emit(|w| {
            writeln!(
                w,
                "secretpatch: cannot write to standard output: {}",
                crate::fsio::describe(&e)
            )
        });
        status = Status::Error;
    }
    if err.failed.is_some() {
        status = Status::Error;
    }
    ExitCode::from(status as u8)
}

/// Errors go to standard error whatever the format, so that a person watching sees them.
fn print_errors(report: &Report, err: &mut Output<impl Write>) {
    for o in &report.outcomes {
        if let Err(e) = &o.result {
            err.emit(|w| writeln!(w, "secretpatch: {}: {e}", o.display()));
        }
    }
}

fn file_status(o: &FileOutcome, config: &Config) -> Status {
    let Ok(p) = &o.result else {
        return Status::Error;
    };
    let findings = &p.analysis.findings;
    let mut s = Status::Success;
    if config.check && findings.iter().any(|f| f.fails()) {
        s = Status::Failure;
    }
    if config.diff && p.would_change {
        s = Status::Failure;
    }
    if config.write && findings.iter().any(|f| f.fails() && f.fix == Fix::None) {
        s = Status::Failure;
    }
    s
}

/// The diff of one file, masked unless secrets are to be shown; empty when not asked for.
fn diff_text(o: &FileOutcome, config: &Config, color: bool) -> Vec<u8> {
    let Ok(p) = &o.result else {
        return Vec::new();
    };
    let (true, Some(patched)) = (config.diff, &p.analysis.patched) else {
        return Vec::new();
    };
    let (old, new) = if config.show_secrets {
        (p.original.clone(), patched.clone())
    } else {
        (
            report::mask_spans(&p.original, &p.analysis.secrets_before),
            report::mask_spans(patched, &p.analysis.secrets_after),
        )
    };
    let mut buf = Vec::new();
    report::diff::write(&mut buf, &o.display(), &old, &new, color)
        .expect("writing to memory cannot fail");
    // Bytes, not text: a Latin-1 file's diff must keep its bytes for `patch` to apply it.
    buf
}

fn print_text(
    o: &FileOutcome,
    config: &Config,
    diff: &[u8],
    out: &mut Output<impl Write>,
    err: &mut Output<impl Write>,
) {
    let path = o.display();
    let p = match &o.result {
        Ok(p) => p,
        Err(e) => {
            err.emit(|w| writeln!(w, "secretpatch: {path}: {e}"));
            return;
        }
    };
    if config.check {
        for f in &p.analysis.findings {
            if f.suppressed.is_some() || (config.quiet && !f.fails()) {
                continue;
            }
            out.emit(|w| report::text::finding(w, &path, f, config.show_secrets));
        }
    }
    if config.diff {
        out.emit(|w| w.write_all(diff));
    }
    if !config.write {
        return;
    }
    if o.stdin {
        let bytes = p.analysis.patched.as_ref().unwrap_or(&p.original);
        out.emit(|w| w.write_all(bytes));
    }
    if (p.written || (o.stdin && p.would_change)) && !config.quiet {
        // One line per changed file and name: "replaced SECRET_KEY (line 23: …; line 40: …)".
        let mut names: Vec<&str> = Vec::new();
        for f in p.analysis.findings.iter().filter(|f| f.fix != Fix::None) {
            if !names.contains(&f.name.as_str()) {
                names.push(&f.name);
            }
        }
        for name in names {
            let mine = || p.analysis.findings.iter().filter(move |f| f.name == name);
            let replaced: Vec<String> = mine()
                .filter(|f| f.fix == Fix::Replace)
                .map(|f| {
                    let mut why: Vec<String> = f.reasons.iter().map(|r| reason_label(r)).collect();
                    if why.is_empty() {
                        why.push("rotated".into());
                    }
                    format!("line {}: {}", f.line, why.join(", "))
                })
                .collect();
            let with = match &config.patch.source {
                KeySource::Literal => String::new(),
                KeySource::Store(store) => format!(" with a read of {store}"),
                KeySource::Environment(var) => format!(" with os.environ[\"{var}\"]"),
            };
            if !replaced.is_empty() {
                let what = replaced.join("; ");
                err.emit(|w| writeln!(w, "secretpatch: {path}: replaced {name}{with} ({what})"));
            }
            if mine().any(|f| f.fix == Fix::Add) {
                err.emit(|w| writeln!(w, "secretpatch: {path}: added {name} (it was not defined)"));
            }
        }
        for warning in &p.warnings {
            err.emit(|w| writeln!(w, "secretpatch: warning: {path}: {warning}"));
        }
    }
    for f in &p.analysis.findings {
        if f.fails() && f.fix == Fix::None {
            err.emit(|w| {
                writeln!(
                    w,
                    "secretpatch: {path}:{}:{}: {} (not patched)",
                    f.line, f.column, f.message
                )
            });
        }
    }
}

/// The clap command, for tests and documentation.
pub fn command() -> clap::Command {
    Args::command()
}

fn generated(kind: Generate) -> Vec<u8> {
    let mut buf = Vec::new();
    let shell = match kind {
        Generate::Man => {
            clap_mangen::Man::new(command())
                .render(&mut buf)
                .expect("rendering to memory cannot fail");
            return buf;
        }
        Generate::Bash => clap_complete::Shell::Bash,
        Generate::Zsh => clap_complete::Shell::Zsh,
        Generate::Fish => clap_complete::Shell::Fish,
    };
    clap_complete::generate(shell, &mut command(), "secretpatch", &mut buf);
    buf
}

/// The man page, as `--generate man` prints it (and `man/secretpatch.1` holds it).
pub fn man_page() -> Vec<u8> {
    generated(Generate::Man)
}

/// A completion script for `bash`, `zsh` or `fish`, as `--generate SHELL` prints it.
pub fn completion(shell: &str) -> Option<Vec<u8>> {
    let kind = match shell {
        "bash" => Generate::Bash,
        "zsh" => Generate::Zsh,
        "fish" => Generate::Fish,
        _ => return None,
    };
    Some(generated(kind))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clap_definition_is_consistent() {
        command().debug_assert();
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("4M"), Ok(4 << 20));
        assert_eq!(parse_size("100"), Ok(100));
        assert!(parse_size("x").is_err());
    }

    #[test]
    fn identifiers() {
        assert!(is_identifier("SECRET_KEY") && is_identifier("_x1"));
        assert!(!is_identifier("1x") && !is_identifier("a-b") && !is_identifier(""));
    }
}
