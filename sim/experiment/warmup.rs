//! The warm-up check of a run: does the scenario's warm-up cover the transient?
//!
//! The MSER-5 truncation point (White 1997) of every checked daily series — each ward's midnight
//! occupancy, the cohort's uncontrolled share, enrolled patients and acute events, and visits and
//! outpatient waits per tier ([`CHECKED`]) — averaged across replications first (as in Welch's
//! method, which takes most of the noise out of the series so that MSER-5 sees the transient
//! rather than the noise), warm-up days included, set against the scenario's `run.warmup_days`.
//! A truncation counts only when the transient it removes is material: the mean of the deleted
//! days differs from the mean of the rest by at least 1 percentage point for a share (occupancy,
//! uncontrolled share) or 2 % for a count, rate or wait ([`material`]) — the drift bound of a
//! steady start (docs/steady_state.md) — and, for an outpatient wait, at least 0.02 days. A
//! nearly flat, low-noise series otherwise has its MSER-5 point anywhere in the searched half.

use crate::metrics::series;
use crate::model::record::{DailyTable, ReplicationResult};
use crate::params::Params;
use crate::run::run_replications;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

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
    /// The level change the truncation removes: mean of the kept days minus mean of the deleted
    /// ones (absolute for a share, relative to the kept mean otherwise).
    pub shift: f64,
    /// Whether that change is material (see the module comment); when no series' is, the check
    /// reports the longest truncation of any.
    pub material: bool,
}

/// Series whose values are shares (0–1): their transient is measured in percentage points.
const SHARES: [&str; 2] = [series::BED_OCCUPANCY_MIDNIGHT.id, series::UNCONTROLLED_PATIENT_SHARE.id];

/// Whether `series` is a share (its level changes are in percentage points).
pub fn is_share(series: &str) -> bool {
    SHARES.contains(&series)
}

/// The level change between the deleted and the kept days of `x`, truncated at `m`, and whether
/// it is material: at least 0.01 for a share, 2 % of the kept mean otherwise (and for an
/// outpatient wait at least 0.02 days, [`wait_floor`]).
pub fn material(series: &str, x: &[f64], m: usize) -> (f64, bool) {
    if m == 0 || m >= x.len() {
        return (0.0, false);
    }
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    let (deleted, kept) = (mean(&x[..m]), mean(&x[m..]));
    if is_share(series) {
        let shift = kept - deleted;
        (shift, shift.abs() >= 0.01)
    } else if kept == 0.0 {
        (0.0, deleted.abs() >= wait_floor(series))
    } else {
        let shift = (kept - deleted) / kept.abs();
        (shift, shift.abs() >= 0.02 && (kept - deleted).abs() >= wait_floor(series))
    }
}

/// The smallest change of a wait (days) that counts as material: 2 % of the wait's one-day
/// minimal important difference (README's table; an assumption), the same 2 % as for counts,
/// taken of the MID because a wait near zero (a member hospital's few-minute mean wait) otherwise
/// shows its noise as a level change of tens of percent. 0 for every other series.
fn wait_floor(series: &str) -> f64 {
    if series == series::OUTPATIENT_WAIT_DAYS.id { 0.02 } else { 0.0 }
}

impl WarmupCheck {
    /// Whether the transient looks longer than the warm-up.
    pub fn too_short(&self) -> bool {
        self.material && self.days as u32 > self.warmup_days
    }
}

/// The mean daily series of a run's replications, added one replication at a time (so a merge
/// can check the warm-up while it streams the series to `daily.csv`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Means {
    /// The first replication's columns.
    pub columns: Vec<(String, String)>,
    /// Day-major sums over replications, for the days every replication has.
    sums: Vec<f64>,
    days: usize,
    replications: usize,
}

impl Means {
    pub fn add(&mut self, daily: &DailyTable) {
        if self.replications == 0 {
            self.columns = daily.columns.clone();
            self.days = daily.days();
            self.sums = vec![0.0; self.days * self.columns.len()];
        }
        self.replications += 1;
        let n = self.columns.len();
        self.days = self.days.min(daily.days());
        let width = daily.columns.len();
        for d in 0..self.days {
            for c in 0..n {
                self.sums[d * n + c] += daily.values[d * width + c];
            }
        }
    }

    /// The mean over replications of column `c`, day by day.
    fn mean(&self, c: usize) -> Vec<f64> {
        let n = self.columns.len();
        (0..self.days).map(|d| self.sums[d * n + c] / self.replications as f64).collect()
    }
}

/// The check of a run's `results`, if they record a checked series.
pub fn check(results: &[ReplicationResult], warmup_days: u32) -> Option<WarmupCheck> {
    let mut means = Means::default();
    for r in results {
        means.add(&r.daily);
    }
    check_means(&means, warmup_days)
}

/// The check of a run from its replications' mean daily series, if they hold a checked series.
pub fn check_means(means: &Means, warmup_days: u32) -> Option<WarmupCheck> {
    // The longest material truncation, else the longest of any: (material, days, shift, series).
    let mut longest: Option<(bool, usize, f64, &String, &String)> = None;
    for (c, (series, breakdown)) in means.columns.iter().enumerate() {
        if !CHECKED.contains(&series.as_str()) {
            continue;
        }
        let mean = means.mean(c);
        let Some(point) = analysis::stats::mser5(&mean) else { continue };
        let (shift, is_material) = material(series, &mean, point);
        if longest.is_none_or(|(m, d, ..)| (is_material, point) > (m, d)) {
            longest = Some((is_material, point, shift, series, breakdown));
        }
    }
    let (material, days, shift, series, breakdown) = longest?;
    Some(WarmupCheck {
        days,
        series: series.clone(),
        breakdown: breakdown.clone(),
        warmup_days,
        shift,
        material,
    })
}

/// The first replication number of an automatic warm-up's pilot: the pilot draws from streams no
/// experiment's replications use, so the warm-up it picks does not depend on the replications it
/// is applied to.
pub const PILOT_FIRST_REPLICATION: u32 = 1 << 31;

/// A warm-up picked from a pilot run (`--warmup-days auto`), recorded in the manifest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WarmupChoice {
    /// `auto`.
    pub mode: String,
    /// The warm-up applied to every arm or point.
    pub days: u32,
    /// The pilot: replications (numbered from [`PILOT_FIRST_REPLICATION`]) and days simulated,
    /// all recorded from day 0.
    pub pilot_replications: u32,
    pub pilot_days: u32,
    /// The checked series with the longest material transient, and its level change.
    pub series: String,
    pub breakdown: String,
    pub shift: f64,
}

/// Days a pilot of `params` simulates: its whole run and at least two years, so that MSER-5
/// (which searches the first half of a series) can find a transient of up to a year.
pub fn pilot_days(params: &Params) -> u32 {
    params.run.total_days().max(730)
}

/// Picks the warm-up of `base` from a pilot: `replications` replications of the scenario from
/// day 0 without a warm-up for [`pilot_days`]; the warm-up is the longest material MSER-5
/// truncation of the checked series ([`check`]), rounded up to whole weeks, or 0 if no series
/// has a material transient.
pub fn choose(base: &Params, replications: u32) -> WarmupChoice {
    let mut pilot = base.clone();
    pilot.run.days = pilot_days(base);
    pilot.run.warmup_days = 0;
    let pilot = Arc::new(pilot);
    let reps: Vec<u32> = (0..replications.max(1)).map(|k| PILOT_FIRST_REPLICATION + k).collect();
    let results = run_replications(&pilot, &reps, |_| {});
    let w = check(&results, 0);
    let (days, series, breakdown, shift) = match w {
        Some(w) if w.material => (w.days.div_ceil(7) as u32 * 7, w.series, w.breakdown, w.shift),
        Some(w) => (0, w.series, w.breakdown, w.shift),
        None => (0, String::new(), String::new(), 0.0),
    };
    WarmupChoice {
        mode: "auto".into(),
        days,
        pilot_replications: reps.len() as u32,
        pilot_days: pilot.run.days,
        series,
        breakdown,
        shift,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::record::DailyTable;

    /// A replication whose wards settle on day 20 and whose enrolled stock either levels off on
    /// day 40 or grows all through the 400 days (by `growth` a day from 1,000).
    fn result(drifting: bool) -> ReplicationResult {
        result_growing(drifting, 5.0)
    }

    fn result_growing(drifting: bool, growth: f64) -> ReplicationResult {
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
            values.push(
                if drifting { 1000.0 + growth * d } else { 1000.0 + growth * d.min(40.0) } + 10.0 * wobble,
            );
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

    #[test]
    fn an_immaterial_drift_passes() {
        // 0.01 a day from 1,000: 0.4 % over the window, below the 2 % that counts for a count.
        let slow = check(&[result_growing(true, 0.01)], 60).expect("checked series");
        // The wards' material transient (20 days) is then the longest that counts.
        assert!(!slow.too_short() && slow.series == "bed_occupancy_midnight", "{slow:?}");
        // The same shape at 5 a day (200 % over the window) is material.
        let fast = check(&[result_growing(true, 5.0)], 60).expect("checked series");
        assert!(fast.material && fast.too_short() && fast.series == "enrolled_patients", "{fast:?}");
        // A share's transient counts in percentage points.
        let x: Vec<f64> = (0..100).map(|d| if d < 10 { 0.5 } else { 0.505 }).collect();
        assert!(!material("uncontrolled_patient_share", &x, 10).1);
        let y: Vec<f64> = (0..100).map(|d| if d < 10 { 0.5 } else { 0.52 }).collect();
        assert!(material("uncontrolled_patient_share", &y, 10).1);
        // A wait near zero: 0.0005 → 0.0001 days is -80 % but 35 seconds, not material; the
        // same -80 % of a half-day wait is.
        let tiny: Vec<f64> = (0..100).map(|d| if d < 10 { 0.0005 } else { 0.0001 }).collect();
        assert!(!material("outpatient_wait_days", &tiny, 10).1);
        let half: Vec<f64> = (0..100).map(|d| if d < 10 { 0.5 } else { 0.1 }).collect();
        assert!(material("outpatient_wait_days", &half, 10).1);
    }

    #[test]
    fn the_automatic_warm_up_covers_the_small_towns_transient() {
        // Wards start empty: the pilot finds their filling, and the warm-up covers it.
        let mut params = crate::testing::small();
        params.run.days = 200;
        params.run.warmup_days = 0;
        let c = choose(&params, 2);
        assert_eq!(c.pilot_days, 730);
        assert!(c.days > 0 && c.days.is_multiple_of(7) && c.days <= 365, "{c:?}");
        assert!(!c.series.is_empty(), "{c:?}");
    }
}
