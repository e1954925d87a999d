//! `--precision`: how many replications an experiment needs for a target confidence-interval
//! width, decided from the results so far.
//!
//! After each batch, every headline metric of every point whose 95 % CI half-width is above the
//! relative target asks for the replications its own spread needs (`analysis::stats`); the
//! largest wins, at least two more than now, at most the cap. A metric with an absolute minimal
//! important difference (`crate::metrics::IMPORTANCE`) is also precise enough once its
//! half-width is at most a quarter of that difference ([`FLOOR_OF_MID`]): a wait whose mean is
//! 0.03 days need not be known to 2 % of itself when one day is what matters. The decision
//! depends only on the results, so a rerun takes the same batches.

use super::Experiment;
use crate::metrics::headline;
use crate::model::record::ReplicationResult;
use crate::output::summarise;
use analysis::stats::{precise_enough_or_within, replications_needed_or_within};

/// The share of an absolute minimal important difference a 95 % CI half-width must be within
/// (whatever the mean): the interval is then at most half an important difference wide, so the
/// mean is placed well inside one. A convention (assumption), not a sourced figure.
pub const FLOOR_OF_MID: f64 = 0.25;

/// The absolute half-width that is precise enough for `metric` whatever its mean: a quarter of
/// its minimal important difference when that is absolute, else 0 (relative only).
pub fn floor(metric: &str) -> f64 {
    crate::metrics::IMPORTANCE
        .iter()
        .find(|(m, _)| *m == metric)
        .filter(|(_, i)| !i.relative)
        .map_or(0.0, |(_, i)| FLOOR_OF_MID * i.mid)
}

/// The metric furthest from the target precision.
#[derive(Debug, Clone, PartialEq)]
pub struct Worst {
    pub metric: String,
    pub breakdown: String,
    /// The point's label, when the experiment has several.
    pub point: Option<String>,
    /// 95 % CI half-width.
    pub half_width: f64,
    /// Half-width ÷ |mean| (infinite for a mean of 0).
    pub ratio: f64,
}

/// What to do after a batch.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// Every headline metric is precise enough.
    Reached,
    /// Run `replications` in all; `worst` is the furthest from the target.
    More { replications: u32, worst: Worst },
    /// Not precise enough, but the cap is reached.
    Capped { worst: Worst },
}

/// The step after a batch of `exp` with `results` (per point), for a relative half-width `rel`
/// and at most `cap` replications.
pub fn step(exp: &Experiment, results: &[Vec<ReplicationResult>], rel: f64, cap: u32) -> Step {
    let mut needed = 0usize;
    let mut worst: Option<Worst> = None;
    for (point, rs) in exp.points.iter().zip(results) {
        for (name, breakdown, s) in summarise(rs) {
            let floor = floor(&name);
            if !headline(&name, &breakdown) || precise_enough_or_within(&s, rel, floor) {
                continue;
            }
            let ratio = if s.mean != 0.0 { s.half_width() / s.mean.abs() } else { f64::INFINITY };
            if worst.as_ref().is_none_or(|w| ratio > w.ratio) {
                worst = Some(Worst {
                    metric: name.clone(),
                    breakdown: breakdown.clone(),
                    point: (exp.points.len() > 1).then(|| point.label.clone()),
                    half_width: s.half_width(),
                    ratio,
                });
            }
            needed = needed.max(replications_needed_or_within(&s, rel, floor).unwrap_or(usize::MAX));
        }
    }
    let Some(worst) = worst else { return Step::Reached };
    let r = exp.replications;
    if r >= cap {
        return Step::Capped { worst };
    }
    let next = needed.max(r as usize + 2).min(cap as usize) as u32;
    Step::More { replications: next, worst }
}
