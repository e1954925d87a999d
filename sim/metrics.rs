//! The metrics a replication reports: their units and which are headline metrics.

/// Unit of a metric, from its name.
pub fn unit(name: &str) -> &'static str {
    if name.ends_with("_share") || name.starts_with("bed_occupancy") || name.ends_with("prob_positive") {
        "share"
    } else if name.contains("_days") {
        "days"
    } else if name.ends_with("per_year") {
        "per year"
    } else if name.ends_with("per_day") {
        "per day"
    } else if name.ends_with("ratio") {
        "ratio"
    } else {
        "count"
    }
}

/// Headline metrics shown in the terminal (and in the report); everything is in summary.csv.
pub use analysis::report::build::headline;
