//! Summaries of one output across replications.
//!
//! Replications are independent and identically distributed, so the mean's 95 % confidence
//! interval uses Student's t with n − 1 degrees of freedom. Percentiles use linear interpolation
//! between order statistics (type 7 of Hyndman and Fan 1996, the default of R and NumPy), so that
//! numbers match what a researcher gets from `quantile()` in R.

use serde::Serialize;
use statrs::distribution::{ContinuousCDF, StudentsT};

/// Mean, spread, confidence interval and percentiles of a sample.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Summary {
    /// Number of values.
    pub n: usize,
    pub mean: f64,
    /// Sample standard deviation (divisor n − 1); 0 when n = 1.
    pub sd: f64,
    /// Standard error of the mean, sd / √n.
    pub se: f64,
    /// Lower end of the 95 % Student-t confidence interval of the mean (= mean when n = 1).
    pub ci_low: f64,
    /// Upper end of the 95 % Student-t confidence interval of the mean.
    pub ci_high: f64,
    pub p05: f64,
    pub p50: f64,
    pub p95: f64,
    pub min: f64,
    pub max: f64,
}

impl Summary {
    /// Summarises `values`, or returns `None` when the slice is empty or holds a non-finite value.
    pub fn of(values: &[f64]) -> Option<Summary> {
        if values.is_empty() || values.iter().any(|v| !v.is_finite()) {
            return None;
        }
        let n = values.len();
        let mean = values.iter().sum::<f64>() / n as f64;
        let sd = if n > 1 {
            (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1) as f64).sqrt()
        } else {
            0.0
        };
        let se = sd / (n as f64).sqrt();
        let half = if n > 1 { t_quantile(0.975, n - 1) * se } else { 0.0 };
        let mut sorted = values.to_vec();
        sorted.sort_by(f64::total_cmp);
        Some(Summary {
            n,
            mean,
            sd,
            se,
            ci_low: mean - half,
            ci_high: mean + half,
            p05: quantile_sorted(&sorted, 0.05),
            p50: quantile_sorted(&sorted, 0.50),
            p95: quantile_sorted(&sorted, 0.95),
            min: sorted[0],
            max: sorted[n - 1],
        })
    }

    /// Half-width of the 95 % confidence interval.
    pub fn half_width(&self) -> f64 {
        (self.ci_high - self.ci_low) / 2.0
    }
}

/// The `p` quantile of Student's t with `df` degrees of freedom.
pub fn t_quantile(p: f64, df: usize) -> f64 {
    StudentsT::new(0.0, 1.0, df as f64).expect("degrees of freedom are positive").inverse_cdf(p)
}

/// Type-7 quantile of an ascending, non-empty slice; `p` in [0, 1].
pub fn quantile_sorted(sorted: &[f64], p: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * p.clamp(0.0, 1.0);
    let lo = h.floor() as usize;
    let hi = h.ceil() as usize;
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

/// Running mean and variance (Welford 1962), for long per-event samples where storing every
/// value would cost memory.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Running {
    n: u64,
    mean: f64,
    m2: f64,
}

impl Running {
    pub fn push(&mut self, x: f64) {
        self.n += 1;
        let d = x - self.mean;
        self.mean += d / self.n as f64;
        self.m2 += d * (x - self.mean);
    }
    pub fn count(&self) -> u64 {
        self.n
    }
    pub fn mean(&self) -> f64 {
        self.mean
    }
    /// Sample variance (divisor n − 1); 0 below two values.
    pub fn variance(&self) -> f64 {
        if self.n > 1 { self.m2 / (self.n - 1) as f64 } else { 0.0 }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_matches_hand_computation() {
        let s = Summary::of(&[1.0, 2.0, 3.0, 4.0, 5.0]).unwrap();
        assert_eq!(s.mean, 3.0);
        assert!((s.sd - 2.5f64.sqrt()).abs() < 1e-12);
        // t(0.975, 4) = 2.776445 (standard tables).
        assert!((t_quantile(0.975, 4) - 2.776_445).abs() < 1e-5);
        assert!((s.half_width() - 2.776_445 * 2.5f64.sqrt() / 5f64.sqrt()).abs() < 1e-5);
        assert_eq!(s.p50, 3.0);
        // R: quantile(1:5, 0.05) = 1.2
        assert!((s.p05 - 1.2).abs() < 1e-12);
    }

    #[test]
    fn empty_or_non_finite_gives_none() {
        assert!(Summary::of(&[]).is_none());
        assert!(Summary::of(&[1.0, f64::NAN]).is_none());
    }

    #[test]
    fn running_matches_two_pass() {
        let xs = [2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0];
        let mut r = Running::default();
        xs.iter().for_each(|&x| r.push(x));
        assert_eq!(r.mean(), 5.0);
        assert!((r.variance() - 32.0 / 7.0).abs() < 1e-12);
    }
}
