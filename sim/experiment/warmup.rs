//! The warm-up check of a run: does the scenario's warm-up cover the transient?
//!
//! The MSER-5 truncation point (White 1997) of every ward's midnight occupancy, averaged across
//! replications first (as in Welch's method, which takes most of the noise out of the series so
//! that MSER-5 sees the transient rather than the noise), warm-up days included, set against the
//! scenario's `run.warmup_days`.

use crate::model::record::ReplicationResult;

/// The longest suggested truncation over the wards.
#[derive(Debug, Clone, PartialEq)]
pub struct WarmupCheck {
    /// Days MSER-5 suggests deleting.
    pub days: usize,
    /// The ward's breakdown (`ward=facility/ward`).
    pub ward: String,
    pub warmup_days: u32,
}

impl WarmupCheck {
    /// Whether the transient looks longer than the warm-up.
    pub fn too_short(&self) -> bool {
        self.days as u32 > self.warmup_days
    }
}

/// The check of a run's `results`, if they have a ward.
pub fn check(results: &[ReplicationResult], warmup_days: u32) -> Option<WarmupCheck> {
    let first = results.first()?;
    let cols = &first.daily.columns;
    let mut longest: Option<(usize, String)> = None;
    for (c, (series, breakdown)) in cols.iter().enumerate() {
        if series != "bed_occupancy_midnight" {
            continue;
        }
        let days = results.iter().map(|r| r.daily.days()).min().unwrap_or(0);
        let mean: Vec<f64> = (0..days)
            .map(|d| {
                results.iter().map(|r| r.daily.values[d * r.daily.columns.len() + c]).sum::<f64>()
                    / results.len() as f64
            })
            .collect();
        let Some(median) = analysis::stats::mser5(&mean) else { continue };
        if longest.as_ref().is_none_or(|(m, _)| median > *m) {
            longest = Some((median, breakdown.clone()));
        }
    }
    let (days, ward) = longest?;
    Some(WarmupCheck { days, ward, warmup_days })
}
