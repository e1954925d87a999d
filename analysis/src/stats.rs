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

    /// Half-width of the 95 % Student-t confidence interval (of the interval before any cut at
    /// the metric's range, [`Summary::within_range`]); 0 when n = 1.
    pub fn half_width(&self) -> f64 {
        if self.n > 1 { t_quantile(0.975, self.n - 1) * self.se } else { 0.0 }
    }

    /// The summary of a level that cannot be negative: its CI is the t-interval intersected
    /// with [0, ∞). The mean of a non-negative quantity is non-negative, so the cut interval
    /// covers it whenever the t-interval does (coverage stays at least 95 %); the cut changes
    /// only an interval that reaches below 0, as a noisy wait near 0 does.
    pub fn within_range(mut self) -> Summary {
        self.ci_low = self.ci_low.max(0.0);
        self.ci_high = self.ci_high.max(0.0);
        self
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

/// Whether the 95 % confidence interval of the mean is within `rel` (a fraction, e.g. 0.05) of the
/// mean: half-width ≤ rel · |mean|. Needs at least two values; a sample with SD 0 qualifies.
pub fn precise_enough(s: &Summary, rel: f64) -> bool {
    precise_enough_or_within(s, rel, 0.0)
}

/// As [`precise_enough`], or with the half-width at most `floor` (an absolute width that is
/// precise enough whatever the mean, e.g. a fraction of the metric's minimal important
/// difference: a mean near 0 can never be within a fraction of itself).
pub fn precise_enough_or_within(s: &Summary, rel: f64, floor: f64) -> bool {
    s.n > 1 && s.half_width() <= (rel * s.mean.abs()).max(floor)
}

/// The smallest number of replications n whose 95 % Student-t half-width, t(0.975, n − 1) · sd / √n,
/// is within `rel` · |mean|, taking the sample's mean and SD as the truth; at least `s.n`. `None`
/// when no n will do (mean 0 with a positive SD); capped at 10⁷.
pub fn replications_needed(s: &Summary, rel: f64) -> Option<usize> {
    replications_needed_or_within(s, rel, 0.0)
}

/// As [`replications_needed`], for a half-width within `rel` · |mean| or `floor`, whichever is
/// wider.
pub fn replications_needed_or_within(s: &Summary, rel: f64, floor: f64) -> Option<usize> {
    const CAP: usize = 10_000_000;
    let target = (rel * s.mean.abs()).max(floor);
    if s.sd == 0.0 {
        return Some(s.n.max(2));
    }
    if target <= 0.0 {
        return None;
    }
    // Start from the normal approximation, then step up until Student's t agrees.
    let z = 1.959_963_984_540_054;
    let mut n = (((z * s.sd / target).powi(2)).ceil() as usize).clamp(2, CAP);
    while n < CAP && t_quantile(0.975, n - 1) * s.sd / (n as f64).sqrt() > target {
        n += 1;
    }
    Some(n.max(s.n))
}

/// A paired comparison of an arm with the base across the same replications (common random
/// numbers): per-replication differences arm − base, and the percentage change of the mean.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Paired {
    /// Number of pairs.
    pub n: usize,
    pub base_mean: f64,
    pub arm_mean: f64,
    /// Mean of the differences arm − base (= arm_mean − base_mean).
    pub diff_mean: f64,
    /// Sample SD of the differences.
    pub diff_sd: f64,
    /// 95 % Student-t confidence interval of the mean difference (NaN below two pairs).
    pub diff_ci_low: f64,
    pub diff_ci_high: f64,
    /// 100 · (arm_mean / base_mean − 1); NaN when the base mean is 0.
    pub pct_change: f64,
    /// 95 % confidence interval of the percentage change, by the delta method for a ratio of
    /// paired means: with r = ȳ / x̄, se(r) = sd(yᵢ − r·xᵢ) / (√n · |x̄|), and t(0.975, n − 1).
    pub pct_ci_low: f64,
    pub pct_ci_high: f64,
}

impl Paired {
    /// Compares `arm` with `base`, pair by pair; `None` when the lengths differ, the samples are
    /// empty, or a value is not finite.
    pub fn of(base: &[f64], arm: &[f64]) -> Option<Paired> {
        let n = base.len();
        if n == 0 || arm.len() != n || base.iter().chain(arm).any(|v| !v.is_finite()) {
            return None;
        }
        let nf = n as f64;
        let base_mean = base.iter().sum::<f64>() / nf;
        let arm_mean = arm.iter().sum::<f64>() / nf;
        let diffs: Vec<f64> = arm.iter().zip(base).map(|(y, x)| y - x).collect();
        let diff_mean = diffs.iter().sum::<f64>() / nf;
        let sd_of = |xs: &mut dyn Iterator<Item = f64>, centre: f64| {
            (xs.map(|v| (v - centre).powi(2)).sum::<f64>() / (nf - 1.0)).sqrt()
        };
        let (diff_sd, t) = if n > 1 {
            (sd_of(&mut diffs.iter().copied(), diff_mean), t_quantile(0.975, n - 1))
        } else {
            (0.0, f64::NAN)
        };
        let half = t * diff_sd / nf.sqrt();
        let (pct_change, pct_half) = if base_mean != 0.0 {
            let r = arm_mean / base_mean;
            let se_r = if n > 1 {
                sd_of(&mut arm.iter().zip(base).map(|(y, x)| y - r * x), 0.0) / (nf.sqrt() * base_mean.abs())
            } else {
                f64::NAN
            };
            (100.0 * (r - 1.0), 100.0 * t * se_r)
        } else {
            (f64::NAN, f64::NAN)
        };
        Some(Paired {
            n,
            base_mean,
            arm_mean,
            diff_mean,
            diff_sd,
            diff_ci_low: diff_mean - half,
            diff_ci_high: diff_mean + half,
            pct_change,
            pct_ci_low: pct_change - pct_half,
            pct_ci_high: pct_change + pct_half,
        })
    }

    /// Whether the 95 % confidence interval of the difference excludes 0.
    pub fn significant(&self) -> bool {
        self.diff_ci_low > 0.0 || self.diff_ci_high < 0.0
    }
}

/// The series without its first `warmup` values (all of it deleted when it is shorter).
pub fn delete_warmup(series: &[f64], warmup: usize) -> &[f64] {
    &series[warmup.min(series.len())..]
}

/// MSER-5 truncation point (White 1997; Franklin and White 2008): the number of leading
/// observations to delete so that the mean of what is left has the smallest marginal standard
/// error. The series is cut into batches of 5; the truncation d (in batches, searched over the
/// first half of them) minimises Σᵢ₌d..m (Zᵢ − Z̄_d)² / (m − d)². Returns `None` for a series
/// shorter than 10 values or holding a value that is not finite.
pub fn mser5(series: &[f64]) -> Option<usize> {
    let m = series.len() / 5;
    if m < 2 || series.iter().any(|v| !v.is_finite()) {
        return None;
    }
    let z: Vec<f64> = series.chunks_exact(5).map(|c| c.iter().sum::<f64>() / 5.0).collect();
    let mut best = (f64::INFINITY, 0);
    for d in 0..=m / 2 {
        let rest = &z[d..];
        let k = rest.len() as f64;
        let mean = rest.iter().sum::<f64>() / k;
        let stat = rest.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (k * k);
        if stat < best.0 {
            best = (stat, d);
        }
    }
    Some(best.1 * 5)
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
        // Cut at 0, the interval of a level keeps its half-width (what --precision reads) and
        // its upper end; only a lower end below 0 moves.
        let w = Summary::of(&[0.0, 0.0, 0.0, 0.1]).unwrap();
        assert!(w.ci_low < 0.0);
        let cut = w.within_range();
        assert_eq!((cut.ci_low, cut.ci_high, cut.half_width()), (0.0, w.ci_high, w.half_width()));
        assert_eq!(s.within_range().ci_low, s.ci_low);
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
    #[test]
    fn paired_differences_and_percentage_change() {
        let base = [10.0, 12.0, 11.0, 13.0];
        let arm = [11.0, 13.5, 11.5, 14.0];
        let p = Paired::of(&base, &arm).unwrap();
        // Differences 1, 1.5, 0.5, 1: mean 1, SD √(1/6); t(0.975, 3) = 3.182446.
        assert_eq!(p.n, 4);
        assert!((p.diff_mean - 1.0).abs() < 1e-12);
        assert!((p.diff_sd - (1.0f64 / 6.0).sqrt()).abs() < 1e-12);
        let half = 3.182_446 * (1.0f64 / 6.0).sqrt() / 2.0;
        assert!((p.diff_ci_low - (1.0 - half)).abs() < 1e-5);
        assert!(p.significant());
        // r = 12.5 / 11.5; pct = 8.6957 %; the CI contains it and is symmetric about it.
        assert!((p.pct_change - 100.0 * (12.5 / 11.5 - 1.0)).abs() < 1e-9);
        assert!(p.pct_ci_low < p.pct_change && p.pct_change < p.pct_ci_high);
        assert!(((p.pct_ci_high - p.pct_change) - (p.pct_change - p.pct_ci_low)).abs() < 1e-9);
        // A constant shift of every pair is certain: zero width, significant.
        let q = Paired::of(&[1.0, 2.0, 3.0], &[2.0, 3.0, 4.0]).unwrap();
        assert_eq!((q.diff_ci_low, q.diff_ci_high), (1.0, 1.0));
        assert!(q.significant());
        // No difference is not significant; a zero base mean has no percentage.
        let z = Paired::of(&[0.0, 1.0, -1.0], &[0.5, 0.5, -1.0]).unwrap();
        assert!(!z.significant());
        assert!(z.pct_change.is_nan());
        assert!(Paired::of(&[1.0], &[1.0, 2.0]).is_none());
        assert!(!Paired::of(&[1.0], &[2.0]).unwrap().significant(), "one pair has no CI");
    }

    #[test]
    fn replications_needed_meets_the_target() {
        let s = Summary::of(&[9.0, 11.0, 10.0, 12.0, 8.0]).unwrap();
        assert!(!precise_enough(&s, 0.01));
        let n = replications_needed(&s, 0.01).unwrap();
        // sd = √2.5, mean 10: n ≈ (1.96 · 1.581 / 0.1)² ≈ 961, a little more for Student's t.
        assert!((961..1000).contains(&n), "{n}");
        let half = t_quantile(0.975, n - 1) * s.sd / (n as f64).sqrt();
        assert!(half <= 0.1);
        let half_before = t_quantile(0.975, n - 2) * s.sd / ((n - 1) as f64).sqrt();
        assert!(half_before > 0.1, "smallest such n");
        assert!(precise_enough(&s, 0.2));
        assert_eq!(replications_needed(&Summary::of(&[0.0, 0.0]).unwrap(), 0.1), Some(2));
        assert_eq!(replications_needed(&Summary::of(&[-1.0, 1.0]).unwrap(), 0.1), None);
    }

    #[test]
    fn an_absolute_floor_makes_a_mean_near_zero_reachable() {
        // Mean 0, sd √2: no relative target will do, but a half-width of 0.5 will.
        let s = Summary::of(&[-1.0, 1.0]).unwrap();
        assert!(!precise_enough_or_within(&s, 0.1, 0.5));
        let n = replications_needed_or_within(&s, 0.1, 0.5).unwrap();
        let half = |n: usize| t_quantile(0.975, n - 1) * s.sd / (n as f64).sqrt();
        assert!(half(n) <= 0.5 && half(n - 1) > 0.5, "the smallest n: {n}");
        // The wider of the two targets wins: 10 % of a mean of 10 (1.0) beats a floor of 0.5.
        let t = Summary::of(&[9.0, 11.0, 10.0, 12.0, 8.0]).unwrap();
        assert_eq!(replications_needed_or_within(&t, 0.1, 0.5), replications_needed(&t, 0.1));
        assert!(precise_enough_or_within(&t, 0.0, 5.0), "half-width 1.96 is within a floor of 5");
    }

    #[test]
    fn mser5_finds_an_initial_transient() {
        // 100 values: a linear ramp from 0 to 9.5 over the first 20, then a steady alternation
        // 10 ± 0.5 — MSER-5 must cut the ramp (about 20 values) and not much more.
        let series: Vec<f64> = (0..100)
            .map(|i| {
                if i < 20 {
                    i as f64 * 0.5
                } else if i % 2 == 0 {
                    10.5
                } else {
                    9.5
                }
            })
            .collect();
        let d = mser5(&series).unwrap();
        assert!((15..=25).contains(&d), "{d}");
        assert_eq!(delete_warmup(&series, d).len(), 100 - d);
        // A stationary series needs no deletion.
        let flat: Vec<f64> = (0..100).map(|i| if i % 2 == 0 { 1.0 } else { -1.0 }).collect();
        assert_eq!(mser5(&flat), Some(0));
        assert_eq!(mser5(&[1.0; 9]), None);
    }
}
