//! The warm-up check of a run: does the scenario's warm-up cover the transient?
//!
//! The MSER-5 truncation point (White 1997) of every checked daily series — each ward's midnight
//! occupancy, the cohort's uncontrolled share, enrolled patients and acute events, and visits and
//! outpatient waits per tier ([`CHECKED`]) — averaged across replications first (as in Welch's
//! method, which takes most of the noise out of the series so that MSER-5 sees the transient
//! rather than the noise), warm-up days included, set against the scenario's `run.warmup_days`.

use crate::metrics::series;
use crate::model::record::ReplicationResult;

/// The daily series the check covers: ward occupancy (the queues), the cohort's slow state
/// (control, enrolment, acute events) and outpatient use. A series that drifts over the whole
/// window has its MSER-5 point at the end of the searched half, so a cohort that is not at a
/// steady state fails the check however long the warm-up.
pub const CHECKED: [&str; 6] = [
    series::BED_OCCUPANCY_MIDNIGHT.id,
    series::UNCONTROLLED_PATIENT_SHARE.id,
    series::ENROLLED_PATIENTS.id,
    series::ACUTE_EVENTS.id,
    series::VISITS.id,
    series::OUTPATIENT_WAIT_DAYS.id,
];

/// The longest suggested truncation over the checked series.
#[derive(Debug, Clone, PartialEq)]
pub struct WarmupCheck {
    /// Days MSER-5 suggests deleting.
    pub days: usize,
    /// The series with the longest truncation, and its breakdown (e.g. `ward=lead/medical`).
    pub series: String,
    pub breakdown: String,
    pub warmup_days: u32,
}

impl WarmupCheck {
    /// Whether the transient looks longer than the warm-up.
    pub fn too_short(&self) -> bool {
        self.days as u32 > self.warmup_days
    }
}

/// The check of a run's `results`, if they record a checked series.
pub fn check(results: &[ReplicationResult], warmup_days: u32) -> Option<WarmupCheck> {
    let first = results.first()?;
    let cols = &first.daily.columns;
    let mut longest: Option<(usize, &String, &String)> = None;
    for (c, (series, breakdown)) in cols.iter().enumerate() {
        if !CHECKED.contains(&series.as_str()) {
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
        if longest.is_none_or(|(m, _, _)| median > m) {
            longest = Some((median, series, breakdown));
        }
    }
    let (days, series, breakdown) = longest?;
    Some(WarmupCheck { days, series: series.clone(), breakdown: breakdown.clone(), warmup_days })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::record::DailyTable;

    /// A replication whose wards settle on day 20 and whose enrolled stock either levels off on
    /// day 40 or grows all through the 400 days.
    fn result(drifting: bool) -> ReplicationResult {
        let columns = vec![
            ("bed_occupancy_midnight".to_string(), "ward=lead/medical".to_string()),
            ("enrolled_patients".to_string(), String::new()),
            ("deaths".to_string(), String::new()),
        ];
        let mut values = Vec::new();
        for d in 0..400u32 {
            let d = f64::from(d);
            let wobble = if (d as u32).is_multiple_of(2) { 0.01 } else { -0.01 };
            values.push(d.min(20.0) / 25.0 + wobble);
            values.push(if drifting { 1000.0 + 5.0 * d } else { 1000.0 + 5.0 * d.min(40.0) } + 10.0 * wobble);
            // Not a checked series: its long early transient (150 days) must not fail the check.
            values.push(if d < 150.0 { 0.0 } else { 100.0 } + wobble);
        }
        ReplicationResult {
            replication: 0,
            metrics: Vec::new(),
            daily: DailyTable { columns, values },
            census: Default::default(),
        }
    }

    #[test]
    fn the_check_covers_cohort_series_and_flags_a_drift() {
        let settled = check(&[result(false)], 60).expect("checked series");
        assert!(!settled.too_short(), "{settled:?}");
        assert!(settled.days >= 20, "{settled:?}");
        let drifting = check(&[result(true)], 60).expect("checked series");
        assert_eq!(drifting.series, "enrolled_patients");
        // MSER-5 searches the first half; a series that drifts throughout ends at its edge.
        assert!(drifting.days >= 150 && drifting.too_short(), "{drifting:?}");
    }
}
