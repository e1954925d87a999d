//! Prior distributions of calibrated and screened parameters.
//!
//! A [`Prior`] is uniform on [lo, hi], log-uniform on [lo, hi] (uniform in ln x, for rates and
//! scale parameters spanning orders of magnitude), or normal with mean and SD, truncated to
//! optional bounds. Each is used through its cumulative distribution function F and quantile
//! function F⁻¹:
//! - ABC-SMC ([`crate::abc`]) works in the transformed space z = logit F(x). Every prior becomes
//!   the standard logistic distribution there, the whole real line is inside the support, and a
//!   Gaussian perturbation never proposes a value outside [lo, hi].
//! - Morris screening ([`crate::morris`]) maps its unit-cube levels through F⁻¹; for a uniform
//!   prior that is the plain scaling to [lo, hi].
//!
//! [`Prior::check`] refuses empty, inverted or non-finite ranges with a message that names the
//! allowed values.

use serde::{Deserialize, Serialize};
use statrs::distribution::{ContinuousCDF, Normal};

/// A prior distribution of one parameter, in the parameter's own unit.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Prior {
    /// Uniform on [lo, hi].
    Uniform { lo: f64, hi: f64 },
    /// ln x uniform on [ln lo, ln hi]; needs 0 < lo < hi.
    LogUniform { lo: f64, hi: f64 },
    /// Normal(mean, sd²) truncated to [lo, hi]; a missing bound is −∞ or +∞ (kept as `None`
    /// so that the prior survives a JSON round trip, which has no infinities).
    Normal { mean: f64, sd: f64, lo: Option<f64>, hi: Option<f64> },
}

/// Smallest probability mass a truncated normal may keep between its bounds; below it the
/// quantile function loses all precision.
const MIN_NORMAL_MASS: f64 = 1e-12;

fn std_normal() -> Normal {
    Normal::standard()
}

impl Prior {
    /// Checks the prior's parameters: finite numbers, lo < hi, lo > 0 for log-uniform, sd > 0
    /// and some mass between the bounds for normal. The message says what is allowed.
    pub fn check(&self) -> Result<(), String> {
        match *self {
            Prior::Uniform { lo, hi } => {
                if !(lo.is_finite() && hi.is_finite()) {
                    return Err(format!("uniform prior needs finite lo and hi, got [{lo}, {hi}]"));
                }
                if lo >= hi {
                    return Err(format!("uniform prior needs lo < hi (a non-empty range), got [{lo}, {hi}]"));
                }
            }
            Prior::LogUniform { lo, hi } => {
                if !(lo.is_finite() && hi.is_finite()) {
                    return Err(format!("log-uniform prior needs finite lo and hi, got [{lo}, {hi}]"));
                }
                if lo <= 0.0 {
                    return Err(format!("log-uniform prior needs lo > 0, got lo = {lo}"));
                }
                if lo >= hi {
                    return Err(format!(
                        "log-uniform prior needs lo < hi (a non-empty range), got [{lo}, {hi}]"
                    ));
                }
            }
            Prior::Normal { mean, sd, lo, hi } => {
                if !mean.is_finite() {
                    return Err(format!("normal prior needs a finite mean, got {mean}"));
                }
                if !(sd.is_finite() && sd > 0.0) {
                    return Err(format!("normal prior needs a finite sd > 0, got {sd}"));
                }
                if lo.is_some_and(|v| !v.is_finite()) || hi.is_some_and(|v| !v.is_finite()) {
                    return Err(format!(
                        "normal prior bounds, when given, must be finite, got lo = {lo:?}, hi = {hi:?}"
                    ));
                }
                let (lo, hi) = self.bounds();
                if lo >= hi {
                    return Err(format!("normal prior needs lo < hi (a non-empty range), got [{lo}, {hi}]"));
                }
                let mass = self.normal_mass();
                if mass.is_nan() || mass <= MIN_NORMAL_MASS {
                    return Err(format!(
                        "normal prior (mean {mean}, sd {sd}) keeps probability {mass:.3e} between [{lo}, {hi}]; \
                         at least {MIN_NORMAL_MASS:e} is needed: move the bounds or the mean"
                    ));
                }
            }
        }
        Ok(())
    }

    /// Lower and upper end of the support (possibly infinite for a normal prior).
    pub fn bounds(&self) -> (f64, f64) {
        match *self {
            Prior::Uniform { lo, hi } | Prior::LogUniform { lo, hi } => (lo, hi),
            Prior::Normal { lo, hi, .. } => (lo.unwrap_or(f64::NEG_INFINITY), hi.unwrap_or(f64::INFINITY)),
        }
    }

    /// Whether both ends of the support are finite (needed by Morris screening).
    pub fn is_bounded(&self) -> bool {
        let (lo, hi) = self.bounds();
        lo.is_finite() && hi.is_finite()
    }

    /// Whether `x` is inside the support.
    pub fn contains(&self, x: f64) -> bool {
        let (lo, hi) = self.bounds();
        x >= lo && x <= hi
    }

    /// Standardised bounds of a normal prior and whether it is worked in the upper tail (when the
    /// lower bound is above the mean, survival functions keep precision that the CDF loses).
    fn normal_std(&self) -> (f64, f64, bool) {
        match *self {
            Prior::Normal { mean, sd, .. } => {
                let (lo, hi) = self.bounds();
                let a = (lo - mean) / sd;
                let b = (hi - mean) / sd;
                (a, b, a > 0.0)
            }
            _ => unreachable!("only called for normal priors"),
        }
    }

    fn normal_mass(&self) -> f64 {
        let n = std_normal();
        let (a, b, upper) = self.normal_std();
        if upper { n.sf(a) - n.sf(b) } else { n.cdf(b) - n.cdf(a) }
    }

    /// The cumulative distribution function F(x), in [0, 1].
    pub fn cdf(&self, x: f64) -> f64 {
        if x.is_nan() {
            return f64::NAN;
        }
        let u = match *self {
            Prior::Uniform { lo, hi } => (x - lo) / (hi - lo),
            Prior::LogUniform { lo, hi } => (x / lo).ln() / (hi / lo).ln(),
            Prior::Normal { mean, sd, .. } => {
                let n = std_normal();
                let (a, b, upper) = self.normal_std();
                let t = (x - mean) / sd;
                if upper {
                    (n.sf(a) - n.sf(t)) / (n.sf(a) - n.sf(b))
                } else {
                    (n.cdf(t) - n.cdf(a)) / (n.cdf(b) - n.cdf(a))
                }
            }
        };
        u.clamp(0.0, 1.0)
    }

    /// The quantile function F⁻¹(u) for u in [0, 1]; the result is always inside the support.
    pub fn quantile(&self, u: f64) -> f64 {
        let u = u.clamp(0.0, 1.0);
        let x = match *self {
            Prior::Uniform { lo, hi } => lo + (hi - lo) * u,
            Prior::LogUniform { lo, hi } => lo * ((hi / lo).ln() * u).exp(),
            Prior::Normal { mean, sd, .. } => {
                let n = std_normal();
                let (a, b, upper) = self.normal_std();
                // Keep u away from the ends only where the support is unbounded, so that an
                // infinite bound never becomes the answer.
                let t = if upper {
                    let (sa, sb) = (n.sf(a), n.sf(b));
                    let s = sa - u * (sa - sb);
                    -n.inverse_cdf(s.max(f64::MIN_POSITIVE))
                } else {
                    let (ca, cb) = (n.cdf(a), n.cdf(b));
                    let c = ca + u * (cb - ca);
                    n.inverse_cdf(c.clamp(f64::MIN_POSITIVE, 1.0 - f64::EPSILON / 2.0))
                };
                mean + sd * t
            }
        };
        let (lo, hi) = self.bounds();
        x.clamp(lo, hi)
    }

    /// The transformed coordinate z = logit F(x) used by the ABC perturbation kernel.
    pub fn to_z(&self, x: f64) -> f64 {
        logit(self.cdf(x))
    }

    /// The value x = F⁻¹(logistic(z)) of a transformed coordinate.
    pub fn from_z(&self, z: f64) -> f64 {
        self.quantile(logistic(z))
    }

    /// A short description, e.g. `uniform [0, 2]`.
    pub fn describe(&self) -> String {
        match *self {
            Prior::Uniform { lo, hi } => format!("uniform [{lo}, {hi}]"),
            Prior::LogUniform { lo, hi } => format!("log-uniform [{lo}, {hi}]"),
            Prior::Normal { mean, sd, .. } => {
                let (lo, hi) = self.bounds();
                format!("normal(mean {mean}, sd {sd}) on [{lo}, {hi}]")
            }
        }
    }
}

/// ln(u / (1 − u)).
pub(crate) fn logit(u: f64) -> f64 {
    u.ln() - (-u).ln_1p()
}

/// 1 / (1 + e^(−z)), computed without overflow.
pub(crate) fn logistic(z: f64) -> f64 {
    if z >= 0.0 { 1.0 / (1.0 + (-z).exp()) } else { z.exp() / (1.0 + z.exp()) }
}

/// ln of the standard logistic density, e^(−z) / (1 + e^(−z))²: the density of every prior in the
/// transformed space z = logit F(x).
pub(crate) fn ln_logistic_pdf(z: f64) -> f64 {
    let a = z.abs();
    -a - 2.0 * (-a).exp().ln_1p()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_priors_are_refused_with_the_allowed_range() {
        let cases = [
            (Prior::Uniform { lo: 1.0, hi: 1.0 }, "lo < hi"),
            (Prior::Uniform { lo: 2.0, hi: 1.0 }, "lo < hi"),
            (Prior::Uniform { lo: f64::NEG_INFINITY, hi: 1.0 }, "finite"),
            (Prior::Uniform { lo: 0.0, hi: f64::NAN }, "finite"),
            (Prior::LogUniform { lo: 0.0, hi: 1.0 }, "lo > 0"),
            (Prior::LogUniform { lo: -1.0, hi: 1.0 }, "lo > 0"),
            (Prior::LogUniform { lo: 3.0, hi: 1.0 }, "lo < hi"),
            (Prior::Normal { mean: 0.0, sd: 0.0, lo: Some(-1.0), hi: Some(1.0) }, "sd > 0"),
            (Prior::Normal { mean: 0.0, sd: -1.0, lo: Some(-1.0), hi: Some(1.0) }, "sd > 0"),
            (Prior::Normal { mean: f64::NAN, sd: 1.0, lo: Some(-1.0), hi: Some(1.0) }, "finite mean"),
            (Prior::Normal { mean: 0.0, sd: 1.0, lo: Some(1.0), hi: Some(1.0) }, "lo < hi"),
            (Prior::Normal { mean: 0.0, sd: 1.0, lo: Some(40.0), hi: Some(41.0) }, "keeps probability"),
            (Prior::Normal { mean: 0.0, sd: 1.0, lo: Some(f64::NEG_INFINITY), hi: None }, "must be finite"),
        ];
        for (prior, needle) in cases {
            let err = prior.check().expect_err(&format!("{prior:?} should be refused"));
            assert!(err.contains(needle), "{prior:?}: {err}");
        }
        assert!(Prior::Normal { mean: 0.0, sd: 1.0, lo: None, hi: None }.check().is_ok());
        assert!(Prior::Normal { mean: 0.0, sd: 1.0, lo: Some(5.0), hi: Some(7.0) }.check().is_ok());
    }

    #[test]
    fn quantile_inverts_cdf_and_stays_inside() {
        let priors = [
            Prior::Uniform { lo: -2.0, hi: 3.0 },
            Prior::LogUniform { lo: 0.01, hi: 100.0 },
            Prior::Normal { mean: 1.0, sd: 2.0, lo: None, hi: None },
            Prior::Normal { mean: 1.0, sd: 2.0, lo: Some(0.0), hi: Some(4.0) },
            // Bounds above the mean: the survival-function branch.
            Prior::Normal { mean: 0.0, sd: 1.0, lo: Some(5.0), hi: Some(7.0) },
        ];
        for p in priors {
            p.check().unwrap();
            for i in 1..100 {
                let u = i as f64 / 100.0;
                let x = p.quantile(u);
                assert!(p.contains(x), "{p:?} u={u} x={x}");
                assert!((p.cdf(x) - u).abs() < 1e-9, "{p:?} u={u} F(x)={}", p.cdf(x));
                let z = logit(u);
                assert!((p.from_z(z) - x).abs() <= 1e-9 * (1.0 + x.abs()));
            }
            // Extreme transformed values map to the support, never outside it.
            assert!(p.contains(p.from_z(800.0)) && p.contains(p.from_z(-800.0)));
        }
        // Log-uniform: the median is the geometric mean of the bounds.
        assert!((Prior::LogUniform { lo: 0.01, hi: 100.0 }.quantile(0.5) - 1.0).abs() < 1e-12);
        // Truncated normal on [0, 4] with mean 1, sd 2: F(1) = (Φ(0) − Φ(−0.5)) / (Φ(1.5) − Φ(−0.5))
        // = 0.191462 / 0.624655 = 0.306509 (normal tables).
        let p = Prior::Normal { mean: 1.0, sd: 2.0, lo: Some(0.0), hi: Some(4.0) };
        assert!((p.cdf(1.0) - 0.306_509).abs() < 1e-5);
    }

    #[test]
    fn logistic_density_integrates_to_one() {
        // Trapezoid rule on [-40, 40] with step 0.01; the tails beyond hold e^-40.
        let h = 0.01;
        let total: f64 = (-4000..=4000).map(|i| ln_logistic_pdf(i as f64 * h).exp() * h).sum();
        assert!((total - 1.0).abs() < 1e-6, "{total}");
        assert!((logistic(logit(0.3)) - 0.3).abs() < 1e-15);
    }
}
