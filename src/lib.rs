//! secretpatch finds a missing, empty or default `SECRET_KEY` in Python settings files and
//! replaces it in place with a fresh key from the operating system's CSPRNG, changing no other
//! byte.
//!
//! The pipeline: [`python`] tokenizes bytes; [`scan`] finds the bindings of the key's name;
//! [`policy`] judges each value; [`patch`] turns that into [`finding`]s and plans edits with
//! [`keygen`] and [`fixes`], applied by [`edit`]; [`process`] runs one mode over files and trees ([`discover`]) with [`fsio`];
//! [`report`] writes results;
//! [`cli`] ties it to the command line and is the only part that prints.
//!
//! # Limitations
//! - `NAME = …`, `NAME: T = …`, chained targets, `from … import NAME`, and Flask's
//!   `app.config['NAME'] = …`, `app.secret_key = …`, `app.config.update(NAME=…)`,
//!   `app.config.from_mapping(NAME=…)`, `dict(NAME=…)` and `app.config.update({'NAME': …})` bind
//!   the name; tuple unpacking, walrus, `global` inside functions, other dict displays and other
//!   attribute targets are not followed.
//! - In walked trees, a file that does not contain a name (nor an ignore comment) is not
//!   tokenized, so it is never reported, even if it is not valid Python.
//! - `\N{…}` escapes are not resolved when judging a value (they count as one character).
//! - An f-string is never a literal, even without replacement fields.
#![warn(clippy::print_stdout, clippy::print_stderr)]

pub mod cli;
pub mod config;
pub mod discover;
pub mod edit;
pub mod finding;
pub mod fixes;
pub mod fsio;
pub mod keygen;
pub mod patch;
pub mod policy;
pub mod process;
pub mod python;
pub mod report;
pub mod scan;
pub mod store;
