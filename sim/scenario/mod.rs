//! Scenarios: reading TOML files, resolving `extends`, rejecting unknown keys, and validating the
//! result into [`crate::params::Params`].
//!
//! The file schema ([`file`]) is kept apart from the parameters the model reads (ARCHITECTURE.md,
//! invariant 5). Loading fails with a [`ScenarioError`] that names the file; validation collects
//! every broken rule before failing, each with its key path and allowed range.

pub mod dictionary;
mod error;
pub mod file;
mod load;
pub mod schema;
mod screening;
mod set;
pub mod shares;
mod validate;

pub use analysis::problem::Problem;
pub use error::ScenarioError;
pub use load::{Loaded, MAX_FILE_BYTES, from_resolved, load, load_str, read_text};
pub use set::{KeyPath, SetError, parse_assignment, parse_range, parse_value, run_overrides, value_text};
pub use validate::validate;
