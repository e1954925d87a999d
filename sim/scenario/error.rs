//! Why a scenario could not be used.

use analysis::problem::Problem;
use std::path::PathBuf;

/// Why a scenario could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    /// `from` is the file whose `extends` names `path`, if it is not the file given.
    #[error("cannot read scenario file {}{}: {message}", path.display(), from.as_ref().map(|f| format!(" (named by `extends` in {})", f.display())).unwrap_or_default())]
    Read { path: PathBuf, from: Option<PathBuf>, message: String },
    #[error("{} is not valid TOML: {message}", path.display())]
    Syntax { path: PathBuf, message: String },
    #[error("{}: `extends` forms a cycle: {chain}", path.display())]
    ExtendsCycle { path: PathBuf, chain: String },
    #[error("{}: {message}", path.display())]
    Schema { path: PathBuf, message: String },
    /// The problems found (at most [`analysis::problem::MAX_SHOWN`] are shown), and how many more
    /// were found but not kept (a file of nothing but misspelt keys).
    #[error("{}: {} problem(s):\n{}", path.display(), problems.len() + omitted, analysis::problem::list_of(problems, problems.len() + omitted))]
    Invalid { path: PathBuf, problems: Vec<Problem>, omitted: usize },
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
