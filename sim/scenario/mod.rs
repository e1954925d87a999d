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

pub use analysis::problem::Problem;
use std::path::PathBuf;

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
    #[error("{path}: {} problem(s):\n{}", problems.len(), analysis::problem::list(problems))]
    Invalid { path: PathBuf, problems: Vec<Problem> },
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
