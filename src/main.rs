//! The `secretpatch` binary: everything happens in [`secretpatch::cli::run`].

fn main() -> std::process::ExitCode {
    secretpatch::cli::run(std::env::args_os())
}
