//! Paired comparisons of arms with a base, metric by metric (`comparison.csv`; also each draw
//! of a comparison under parameter uncertainty).

use crate::model::record::ReplicationResult;
use crate::output::{breakdown_key_cells, breakdown_key_header, breakdown_text, csv_field, num};
use analysis::stats::Paired;
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

use super::Experiment;

/// One row of `comparison.csv`.
#[derive(Debug, Clone)]
pub struct Comparison {
    pub arm: String,
    pub metric: String,
    pub breakdown: String,
    pub paired: Paired,
    /// The metric's MID (in its unit, for this base) and better direction, if it has them.
    pub importance: Option<analysis::importance::Importance>,
    pub verdict: analysis::importance::Verdict,
}

/// Paired comparisons of every arm after the first with the first, metric by metric, over the
/// replications where both arms have a finite value.
pub fn comparisons(exp: &Experiment, results: &[Vec<ReplicationResult>]) -> Vec<Comparison> {
    let arms: Vec<(&str, &[ReplicationResult])> =
        exp.points.iter().zip(results).skip(1).map(|(p, rs)| (p.label.as_str(), rs.as_slice())).collect();
    paired(&results[0], &arms, &exp.spec.mid)
}

/// Paired comparisons of each of `arms` (label, results) with `base`, metric by metric, over the
/// replications where both have a finite value; `mid` holds the `--mid` overrides.
pub fn paired(
    base: &[ReplicationResult],
    arms: &[(&str, &[ReplicationResult])],
    mid: &BTreeMap<String, String>,
) -> Vec<Comparison> {
    let index = |rs: &[ReplicationResult]| {
        let mut order: Vec<(String, String)> = Vec::new();
        let mut map: HashMap<(String, String), BTreeMap<u32, f64>> = HashMap::new();
        for r in rs {
            for m in &r.metrics {
                let key = (m.name.clone(), m.breakdown.clone());
                map.entry(key.clone())
                    .or_insert_with(|| {
                        order.push(key);
                        BTreeMap::new()
                    })
                    .insert(r.replication, m.value);
            }
        }
        (order, map)
    };
    let (order, base) = index(base);
    let mut out = Vec::new();
    for &(label, rs) in arms {
        let (_, arm) = index(rs);
        for key in &order {
            let (Some(b), Some(a)) = (base.get(key), arm.get(key)) else { continue };
            let (xs, ys): (Vec<f64>, Vec<f64>) = b
                .iter()
                .filter_map(|(rep, &x)| a.get(rep).map(|&y| (x, y)))
                .filter(|(x, y)| x.is_finite() && y.is_finite())
                .unzip();
            if let Some(paired) = Paired::of(&xs, &ys) {
                let importance = crate::metrics::importance(&key.0, mid);
                out.push(Comparison {
                    arm: label.to_string(),
                    metric: key.0.clone(),
                    breakdown: key.1.clone(),
                    verdict: analysis::importance::verdict(&paired, importance.as_ref()),
                    paired,
                    importance,
                });
            }
        }
    }
    out
}

/// The text of `comparison.csv`.
pub fn comparison_csv(rows: &[Comparison]) -> String {
    let mut out = format!(
        "arm,metric,breakdown{},unit,n,base_mean,arm_mean,diff_mean,diff_sd,diff_ci_low,diff_ci_high,pct_change,pct_ci_low,pct_ci_high,significant,mid,better,verdict\n",
        breakdown_key_header()
    );
    for c in rows {
        let p = &c.paired;
        let _ = writeln!(
            out,
            "{},{},{}{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
            csv_field(&c.arm),
            csv_field(&c.metric),
            csv_field(breakdown_text(&c.breakdown)),
            breakdown_key_cells(&c.breakdown),
            crate::metrics::unit(&c.metric),
            p.n,
            num(p.base_mean),
            num(p.arm_mean),
            num(p.diff_mean),
            num(p.diff_sd),
            num(p.diff_ci_low),
            num(p.diff_ci_high),
            num(p.pct_change),
            num(p.pct_ci_low),
            num(p.pct_ci_high),
            p.significant(),
            c.importance.map_or("NA".into(), |i| num(i.absolute(p.base_mean))),
            c.importance.map_or("NA", |i| i.better.name()),
            c.verdict.name()
        );
    }
    out
}
