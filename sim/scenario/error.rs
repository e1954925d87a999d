//! Why a scenario could not be used.

use analysis::problem::Problem;
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
