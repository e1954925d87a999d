//! Scenarios: reading TOML files, resolving `extends`, rejecting unknown keys, and validating the
//! result into [`crate::params::Params`].
//!
//! The file schema ([`file`]) is kept apart from the parameters the model reads (ARCHITECTURE.md,
//! invariant 5). Loading fails with a [`ScenarioError`] that names the file; validation collects
//! every broken rule before failing, each with its key path and allowed range.

pub mod dictionary;
pub mod file;
mod load;
mod policy;
mod set;
mod validate;

pub use load::{Loaded, from_resolved, load, load_str};
pub use set::{KeyPath, SetError, parse_assignment, parse_range, parse_value, value_text};
pub use validate::validate;

use std::fmt;
use std::path::PathBuf;

/// One broken rule in a scenario: where, and what is allowed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Key path, e.g. `facilities[2].wards[0].beds`.
    pub key: String,
    /// What is wrong and what is allowed, e.g. `must be an integer in 0..=100000, got -3`.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.key, self.message)
    }
}

/// Why a scenario could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    #[error("cannot read scenario file {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("{path} is not valid TOML: {message}")]
    Syntax { path: PathBuf, message: String },
    #[error("{path}: `extends` forms a cycle: {chain}")]
    ExtendsCycle { path: PathBuf, chain: String },
    #[error("{path}: {message}")]
    Schema { path: PathBuf, message: String },
    #[error("{path}: {} problem(s):\n{}", problems.len(), list(problems))]
    Invalid { path: PathBuf, problems: Vec<Problem> },
}

fn list(problems: &[Problem]) -> String {
    problems.iter().map(|p| format!("  - {p}")).collect::<Vec<_>>().join("\n")
}

impl ScenarioError {
    /// The individual problems, when the error is a validation failure.
    pub fn problems(&self) -> &[Problem] {
        match self {
            ScenarioError::Invalid { problems, .. } => problems,
            _ => &[],
        }
    }
}
