//! Integration tests: the real `secretpatch` binary on real files, with CPython (and Django, where
//! installed) as the judge of the results.
#![allow(clippy::print_stderr)]

mod audit;
mod cli;
mod concurrency;
mod django;
mod docs;
mod faults;
mod fixtures;
mod packaging;
mod props;
mod stdlib;
mod util;
