//! The fit report: every target's observed value against its posterior-predictive simulations.
//!
//! After a calibration, the caller runs the model for each of
//! [`crate::abc::AbcSmc::predictive_draws`] and passes the simulated target values here. For
//! every target — passing or not — the report gives the simulated mean, SD and 90 % interval
//! (the 5 % and 95 % type-7 quantiles across the simulations), whether the simulated mean is
//! within the target's tolerance of the observed value (pass or fail), and whether the observed
//! value lies inside the 90 % interval. Rendering to CSV or Markdown returns a `String`; writing
//! files is the caller's job.

use crate::stats::quantile_sorted;
use crate::targets::Target;
use serde::{Deserialize, Serialize};

/// One row of the fit report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FitRow {
    pub name: String,
    pub output: String,
    pub breakdown: Option<String>,
    pub observed: f64,
    /// The tolerance as written (e.g. `±0.03`).
    pub tolerance: String,
    /// The acceptable interval around the observed value.
    pub accept_low: f64,
    pub accept_high: f64,
    pub weight: f64,
    /// Simulations with a finite value for this target.
    pub n: usize,
    /// Simulations whose value was not finite (failed or undefined).
    pub n_missing: usize,
    pub sim_mean: f64,
    pub sim_sd: f64,
    pub sim_q05: f64,
    pub sim_median: f64,
    pub sim_q95: f64,
    /// (simulated mean − observed) / tolerance scale on that side; within ±1 means pass.
    pub standardised_error: f64,
    /// The simulated mean is within the tolerance of the observed value.
    pub pass: bool,
    /// The observed value is inside the simulated 90 % interval.
    pub observed_in_interval: bool,
    /// The target this one is compared with (`compare_with`), and whether the simulated mean
    /// moves from it in the observed direction.
    #[serde(default)]
    pub compared_with: Option<String>,
    #[serde(default)]
    pub direction_right: Option<bool>,
}

/// The fit report: one row per target, in the targets' order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FitReport {
    pub rows: Vec<FitRow>,
    pub simulations: usize,
}

impl FitReport {
    /// Number of targets that pass.
    pub fn passed(&self) -> usize {
        self.rows.iter().filter(|r| r.pass).count()
    }

    /// CSV with a header row; numbers in Rust's shortest round-trip form, missing values `NA`.
    pub fn to_csv(&self) -> String {
        let mut s = String::from(
            "name,output,breakdown,observed,tolerance,accept_low,accept_high,weight,n,n_missing,sim_mean,\
             sim_sd,sim_q05,sim_median,sim_q95,standardised_error,pass,observed_in_interval,compared_with,\
             direction_right\n",
        );
        for r in &self.rows {
            let cells = [
                csv_text(&r.name),
                csv_text(&r.output),
                r.breakdown.as_deref().map_or("NA".into(), csv_text),
                num(r.observed),
                csv_text(&r.tolerance),
                num(r.accept_low),
                num(r.accept_high),
                num(r.weight),
                r.n.to_string(),
                r.n_missing.to_string(),
                num(r.sim_mean),
                num(r.sim_sd),
                num(r.sim_q05),
                num(r.sim_median),
                num(r.sim_q95),
                num(r.standardised_error),
                r.pass.to_string(),
                r.observed_in_interval.to_string(),
                r.compared_with.as_deref().map_or("NA".into(), csv_text),
                r.direction_right.map_or("NA".into(), |d| d.to_string()),
            ];
            s.push_str(&cells.join(","));
            s.push('\n');
        }
        s
    }

    /// A Markdown table for the report, with a closing line counting the passes (against the
    /// posterior-predictive simulations of a calibration).
    pub fn to_markdown(&self) -> String {
        self.markdown("posterior-predictive simulations")
    }

    /// As [`FitReport::to_markdown`], naming what the simulations were (`what`).
    pub fn markdown(&self, what: &str) -> String {
        let mut s = String::from(
            "| target | output | observed | tolerance | simulated mean | 90 % interval | fit | direction |\n\
             |---|---|---:|---|---:|---|---|---|\n",
        );
        for r in &self.rows {
            let output = match &r.breakdown {
                Some(b) => format!("{} ({b})", r.output),
                None => r.output.clone(),
            };
            let fit = if r.pass { "pass" } else { "FAIL" };
            let direction = match (&r.compared_with, r.direction_right) {
                (Some(o), Some(true)) => format!("right (from {o})"),
                (Some(o), Some(false)) => format!("WRONG (from {o})"),
                (Some(o), None) => format!("NA (from {o})"),
                (None, _) => String::new(),
            };
            s.push_str(&format!(
                "| {} | {} | {} | {} | {} | [{}, {}] | {}{} | {} |\n",
                r.name,
                output,
                short(r.observed),
                r.tolerance,
                short(r.sim_mean),
                short(r.sim_q05),
                short(r.sim_q95),
                fit,
                if r.weight == 0.0 { " (not fitted)" } else { "" },
                direction
            ));
        }
        s.push_str(&format!(
            "\n{} of {} targets within tolerance ({} {what}).\n",
            self.passed(),
            self.rows.len(),
            self.simulations
        ));
        s
    }
}

/// A number in Rust's shortest round-trip form; `NA` when not finite.
pub(crate) fn num(v: f64) -> String {
    if v.is_finite() { v.to_string() } else { "NA".into() }
}

fn short(v: f64) -> String {
    if !v.is_finite() {
        return "NA".into();
    }
    let a = v.abs();
    if a != 0.0 && !(1e-3..1e6).contains(&a) { format!("{v:.3e}") } else { format!("{:.4}", v) }
}

/// A CSV cell, quoted when it holds a comma, a quote or a newline.
pub(crate) fn csv_text(s: &str) -> String {
    if s.contains([',', '"', '\n']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_string() }
}

/// Builds the fit report from `simulations[i][k]`, target k's value in simulation i. Rows of the
/// wrong length are a programming error and panic.
pub fn fit_report(targets: &[Target], simulations: &[Vec<f64>]) -> FitReport {
    let rows = targets
        .iter()
        .enumerate()
        .map(|(k, t)| {
            let mut v: Vec<f64> = simulations
                .iter()
                .map(|row| {
                    assert_eq!(row.len(), targets.len(), "one simulated value per target");
                    row[k]
                })
                .filter(|x| x.is_finite())
                .collect();
            v.sort_by(f64::total_cmp);
            let n = v.len();
            let (lo, hi) = t.tolerance.interval(t.observed);
            let (mean, sd, q05, median, q95) = if n == 0 {
                (f64::NAN, f64::NAN, f64::NAN, f64::NAN, f64::NAN)
            } else {
                let mean = v.iter().sum::<f64>() / n as f64;
                let sd = if n > 1 {
                    (v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64).sqrt()
                } else {
                    0.0
                };
                (mean, sd, quantile_sorted(&v, 0.05), quantile_sorted(&v, 0.5), quantile_sorted(&v, 0.95))
            };
            let standardised_error = (mean - t.observed) / t.tolerance.scale(t.observed, mean);
            FitRow {
                name: t.name.clone(),
                output: t.output.clone(),
                breakdown: t.breakdown.clone(),
                observed: t.observed,
                tolerance: t.tolerance.describe(),
                accept_low: lo,
                accept_high: hi,
                weight: t.weight,
                n,
                n_missing: simulations.len() - n,
                sim_mean: mean,
                sim_sd: sd,
                sim_q05: q05,
                sim_median: median,
                sim_q95: q95,
                standardised_error,
                pass: n > 0 && t.tolerance.accepts(t.observed, mean),
                observed_in_interval: n > 0 && q05 <= t.observed && t.observed <= q95,
                compared_with: t.compare_with.clone(),
                direction_right: None,
            }
        })
        .collect::<Vec<FitRow>>();
    // The direction of each compared target: the simulated change from the other target has
    // the observed change's sign (an observed change of 0 has no direction).
    let mut rows = rows;
    for k in 0..rows.len() {
        let Some(other) = rows[k].compared_with.clone() else { continue };
        let Some(j) = rows.iter().position(|r| r.name == other) else { continue };
        let observed = rows[k].observed - rows[j].observed;
        let simulated = rows[k].sim_mean - rows[j].sim_mean;
        rows[k].direction_right = (observed != 0.0 && simulated.is_finite())
            .then(|| observed.signum() == simulated.signum() && simulated != 0.0);
    }
    FitReport { rows, simulations: simulations.len() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::targets::Tolerance;

    fn target(name: &str, observed: f64, tolerance: Tolerance, weight: f64) -> Target {
        Target {
            name: name.into(),
            output: format!("{name}_out"),
            breakdown: (name == "b").then(|| "tier=primary".to_string()),
            observed,
            tolerance,
            weight,
            window: None,
            source: "s".into(),
            definition: "d".into(),
            compare_with: None,
        }
    }

    #[test]
    fn a_compared_target_reports_whether_the_simulated_change_has_the_observed_direction() {
        let mut later = target("later", 12.0, Tolerance::Absolute { value: 1.0 }, 1.0);
        let earlier = target("earlier", 10.0, Tolerance::Absolute { value: 1.0 }, 1.0);
        later.output = earlier.output.clone();
        later.compare_with = Some("earlier".into());
        let targets = [earlier, later];
        // Observed: up by 2. Simulated up (right), then down (wrong).
        let up = fit_report(&targets, &[vec![9.0, 9.5], vec![9.0, 9.7]]);
        assert_eq!(up.rows[1].direction_right, Some(true));
        assert_eq!(up.rows[0].direction_right, None);
        let down = fit_report(&targets, &[vec![9.0, 8.5]]);
        assert_eq!(down.rows[1].direction_right, Some(false));
        assert!(down.to_markdown().contains("WRONG (from earlier)"));
        assert!(down.to_csv().lines().nth(2).unwrap().ends_with(",earlier,false"));
    }

    #[test]
    fn every_target_is_reported_pass_or_fail_with_its_interval() {
        let targets = [
            target("a", 10.0, Tolerance::Absolute { value: 1.0 }, 1.0),
            target("b", 0.5, Tolerance::Relative { fraction: 0.1 }, 1.0),
            target("c", 30.0, Tolerance::Range { lo: 20.0, hi: 45.0 }, 0.0),
        ];
        // Target a: values 1..=21 → mean 11 (within ±1: pass), type-7 5 % and 95 % quantiles
        // 2 and 20. Target b: all 0.6 (outside 0.5 ± 0.05: fail). Target c: 44 in every run but
        // one, which failed (NaN) → pass, observed outside the interval.
        let sims: Vec<Vec<f64>> =
            (1..=21).map(|i| vec![i as f64, 0.6, if i == 3 { f64::NAN } else { 44.0 }]).collect();
        let r = fit_report(&targets, &sims);
        assert_eq!(r.rows.len(), 3);
        let a = &r.rows[0];
        assert_eq!((a.sim_mean, a.sim_q05, a.sim_median, a.sim_q95), (11.0, 2.0, 11.0, 20.0));
        assert!(a.pass && a.observed_in_interval);
        assert_eq!(a.standardised_error, 1.0);
        let b = &r.rows[1];
        assert!(!b.pass && !b.observed_in_interval);
        assert!((b.standardised_error - 2.0).abs() < 1e-9, "{}", b.standardised_error);
        assert_eq!((b.accept_low, b.accept_high), (0.45, 0.55));
        let c = &r.rows[2];
        assert_eq!((c.n, c.n_missing), (20, 1));
        assert!(c.pass && !c.observed_in_interval);
        assert!((c.standardised_error - 14.0 / 15.0).abs() < 1e-12);
        assert_eq!(r.passed(), 2);

        let csv = r.to_csv();
        assert_eq!(csv.lines().count(), 4);
        assert!(csv.lines().nth(2).unwrap().starts_with("b,b_out,tier=primary,0.5,±10 %,"));
        assert!(csv.lines().nth(2).unwrap().ends_with(",false,false,NA,NA"));
        let md = r.to_markdown();
        assert!(
            md.contains("| b | b_out (tier=primary) | 0.5000 | ±10 % | 0.6000 | [0.6000, 0.6000] | FAIL |"),
            "{md}"
        );
        assert!(md.contains("| pass (not fitted) |"));
        assert!(md.contains("2 of 3 targets within tolerance (21 posterior-predictive simulations)"));
    }

    #[test]
    fn a_target_without_any_finite_simulation_fails() {
        let targets = [target("a", 1.0, Tolerance::Absolute { value: 1.0 }, 1.0)];
        let r = fit_report(&targets, &[vec![f64::NAN], vec![f64::INFINITY]]);
        assert_eq!((r.rows[0].n, r.rows[0].n_missing), (0, 2));
        assert!(!r.rows[0].pass && !r.rows[0].observed_in_interval);
        assert!(r.to_csv().contains(",0,2,NA,NA,NA,NA,NA,NA,false,false"));
    }
}
