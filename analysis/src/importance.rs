//! Meaningful significance: a difference whose 95 % CI excludes zero but lies wholly within the
//! metric's minimal important difference (MID) is negligible, not a finding; one that passes the
//! MID is better or worse when the metric has a direction that counts as better.

use crate::stats::Paired;

/// The direction of a metric that counts as better.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Better {
    Higher,
    Lower,
    /// Neither (e.g. bed occupancy, visit volumes): a change is reported, not judged.
    Neither,
}

impl Better {
    pub fn name(self) -> &'static str {
        match self {
            Better::Higher => "higher",
            Better::Lower => "lower",
            Better::Neither => "none",
        }
    }
}

/// A metric's minimal important difference and better direction.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Importance {
    /// The MID: in the metric's unit, or as a share of the base mean when `relative`.
    pub mid: f64,
    pub relative: bool,
    pub better: Better,
    /// Where the MID comes from ("assumption: …" when it has no source).
    pub source: &'static str,
}

impl Importance {
    /// The MID in the metric's unit for a base mean `base`.
    pub fn absolute(&self, base: f64) -> f64 {
        if self.relative { self.mid * base.abs() } else { self.mid }
    }
}

/// What a paired difference means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The CI includes zero (or there is none).
    NotSignificant,
    /// The CI excludes zero and lies within ± the MID.
    Negligible,
    Better,
    Worse,
    /// Beyond the MID, for a metric without a better direction.
    Changed,
    /// The CI excludes zero; the metric has no MID.
    Significant,
}

impl Verdict {
    pub fn name(self) -> &'static str {
        match self {
            Verdict::NotSignificant => "not significant",
            Verdict::Negligible => "negligible",
            Verdict::Better => "better",
            Verdict::Worse => "worse",
            Verdict::Changed => "changed",
            Verdict::Significant => "significant",
        }
    }

    /// A change that matters: beyond the MID (or significant, for a metric without one).
    pub fn matters(self) -> bool {
        matches!(self, Verdict::Better | Verdict::Worse | Verdict::Changed | Verdict::Significant)
    }
}

/// The verdict on `p` with importance `imp` (if the metric has one).
pub fn verdict(p: &Paired, imp: Option<&Importance>) -> Verdict {
    if !p.significant() {
        return Verdict::NotSignificant;
    }
    let Some(imp) = imp else { return Verdict::Significant };
    let mid = imp.absolute(p.base_mean);
    if p.diff_ci_low > -mid && p.diff_ci_high < mid {
        return Verdict::Negligible;
    }
    match (imp.better, p.diff_mean > 0.0) {
        (Better::Neither, _) => Verdict::Changed,
        (Better::Higher, true) | (Better::Lower, false) => Verdict::Better,
        _ => Verdict::Worse,
    }
}

/// Parses a `--mid` value: a number in the metric's unit, or a percentage of the base mean
/// (`5%`).
pub fn parse_mid(text: &str) -> Result<(f64, bool), String> {
    let t = text.trim();
    let (num, relative) = match t.strip_suffix('%') {
        Some(n) => (n.trim(), true),
        None => (t, false),
    };
    match num.parse::<f64>() {
        Ok(v) if v.is_finite() && v >= 0.0 => Ok((if relative { v / 100.0 } else { v }, relative)),
        _ => Err(format!(
            "expected a number ≥ 0 in the metric's unit or a percentage such as 5%, got `{text}`"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paired(base: f64, lo: f64, hi: f64) -> Paired {
        Paired {
            n: 8,
            base_mean: base,
            arm_mean: base + (lo + hi) / 2.0,
            diff_mean: (lo + hi) / 2.0,
            diff_sd: 1.0,
            diff_ci_low: lo,
            diff_ci_high: hi,
            pct_change: f64::NAN,
            pct_ci_low: f64::NAN,
            pct_ci_high: f64::NAN,
        }
    }

    #[test]
    fn a_significant_difference_inside_the_mid_is_negligible() {
        let share = Importance { mid: 0.01, relative: false, better: Better::Higher, source: "test" };
        // The shared-wards example: −0.000005 with a razor-thin CI is negligible.
        assert_eq!(verdict(&paired(0.4, -0.000006, -0.000004), Some(&share)), Verdict::Negligible);
        assert_eq!(verdict(&paired(0.4, 0.012, 0.02), Some(&share)), Verdict::Better);
        assert_eq!(verdict(&paired(0.4, -0.02, -0.005), Some(&share)), Verdict::Worse);
        assert_eq!(verdict(&paired(0.4, -0.001, 0.02), Some(&share)), Verdict::NotSignificant);
        assert_eq!(verdict(&paired(0.4, 0.001, 0.002), None), Verdict::Significant);
        // Relative MIDs scale with the base; a metric without a direction only changes.
        let volume = Importance { mid: 0.02, relative: true, better: Better::Neither, source: "test" };
        assert_eq!(verdict(&paired(1000.0, 10.0, 15.0), Some(&volume)), Verdict::Negligible);
        assert_eq!(verdict(&paired(1000.0, 25.0, 30.0), Some(&volume)), Verdict::Changed);
        let wait = Importance { mid: 1.0, relative: false, better: Better::Lower, source: "test" };
        assert_eq!(verdict(&paired(3.0, -2.5, -1.5), Some(&wait)), Verdict::Better);
    }

    #[test]
    fn mids_parse_as_numbers_or_percentages() {
        assert_eq!(parse_mid("0.02"), Ok((0.02, false)));
        assert_eq!(parse_mid("5%"), Ok((0.05, true)));
        assert!(parse_mid("-1").is_err() && parse_mid("x%").is_err());
    }
}
