//! The HTML report of a results folder (`analysis::report`), with this program's catalogue of
//! metrics and levers.

use crate::metrics::CATALOGUE;
use analysis::report::{Lang, ReportError};
use std::path::{Path, PathBuf};

pub use analysis::report::{chart_dir, default_path};

/// Writes the report of `results_dir` in `lang` to `out` (default: `report.<lang>.html` in the
/// folder) and its charts to `results_dir/charts/`; returns the path of the HTML file.
pub fn write(results_dir: &Path, lang: Lang, out: Option<&Path>) -> Result<PathBuf, ReportError> {
    analysis::report::write_report(results_dir, lang, out, &CATALOGUE)
}
