//! The results of a run or comparison under parameter uncertainty (`--uncertainty`).
//!
//! The experiment's points are draws × arms (draw-major); each draw ran every arm with the same
//! replications. Per draw, a metric's level in each arm is the mean over the replications and a
//! reform's effect the mean paired difference from the base ([`super::compare::paired`]); across
//! draws, [`analysis::uncertainty::spread`] gives the parameter and stochastic intervals and the
//! probability of improvement. Files:
//! - `uncertainty.csv`: per arm, quantity (`level`, or `difference` from the base) and metric;
//! - `draws.csv`: every draw's parameter values and estimates (long);
//! - `uncertainty.svg`, `uncertainty.png`: the effect of each reform on each headline metric
//!   across draws (run: each headline level's spread);
//! - `manifest.json`.

use super::compare::paired;
use super::{Experiment, Kind};
use crate::model::record::ReplicationResult;
use crate::output::{
    FileEntry, breakdown_key_cells, breakdown_key_header, breakdown_text, csv_field, num, parameter_columns,
    rows_of, summarise, write_atomic,
};
use crate::scenario::value_text;
use analysis::charts::Chart;
use analysis::importance::Better;
use analysis::uncertainty::{
    DrawChartWords, DrawEstimate, DrawRow, Spread, draws_chart, mean_interval, spread,
};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// What a row estimates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Quantity {
    /// The metric in the arm.
    Level,
    /// The arm's paired difference from the base.
    Difference,
}

impl Quantity {
    pub fn name(self) -> &'static str {
        match self {
            Quantity::Level => "level",
            Quantity::Difference => "difference",
        }
    }
}

/// One estimate across draws.
#[derive(Debug, Clone)]
pub struct Row {
    pub arm: String,
    pub quantity: Quantity,
    pub metric: String,
    pub breakdown: String,
    /// Per draw (by draw number): the estimate, and for a difference the base mean and the
    /// change in percent of it.
    pub per_draw: BTreeMap<usize, (DrawEstimate, f64, f64)>,
    pub better: Better,
    pub spread: Option<Spread>,
}

impl Row {
    /// Mean over draws of the base mean (difference rows).
    pub fn base_mean(&self) -> f64 {
        mean(self.per_draw.values().map(|v| v.1))
    }

    /// The change in percent of the base, per draw (difference rows; NaN where the base is 0).
    pub fn pct(&self) -> Vec<f64> {
        self.per_draw.values().map(|v| v.2).collect()
    }
}

fn mean(xs: impl Iterator<Item = f64>) -> f64 {
    let (s, n) = xs.fold((0.0, 0usize), |(s, n), x| (s + x, n + 1));
    if n == 0 { f64::NAN } else { s / n as f64 }
}

/// The results of draw `d`, arm `a`.
fn of<'a>(
    exp: &Experiment,
    results: &'a [Vec<ReplicationResult>],
    d: usize,
    a: usize,
) -> &'a [ReplicationResult] {
    &results[d * exp.arm_count() + a]
}

/// Every row: the levels of every arm, then (compare) each reform's differences.
pub fn rows(exp: &Experiment, results: &[Vec<ReplicationResult>]) -> Vec<Row> {
    let u = exp.spec.uncertainty.as_ref().expect("an experiment under parameter uncertainty");
    let arms: Vec<&str> = exp.arms().map(|p| p.label.as_str()).collect();
    let mut order: Vec<(String, Quantity, String, String)> = Vec::new();
    let mut by_key: HashMap<(String, Quantity, String, String), Row> = HashMap::new();
    let mut add =
        |arm: &str, q: Quantity, metric: &str, breakdown: &str, d: usize, v: (DrawEstimate, f64, f64)| {
            let key = (arm.to_string(), q, metric.to_string(), breakdown.to_string());
            by_key
                .entry(key.clone())
                .or_insert_with(|| {
                    order.push(key);
                    Row {
                        arm: arm.to_string(),
                        quantity: q,
                        metric: metric.to_string(),
                        breakdown: breakdown.to_string(),
                        per_draw: BTreeMap::new(),
                        better: crate::metrics::importance(metric, &exp.spec.mid)
                            .map_or(Better::Neither, |i| i.better),
                        spread: None,
                    }
                })
                .per_draw
                .insert(d, v);
        };
    for d in 0..u.draws.len() {
        for (a, arm) in arms.iter().enumerate() {
            for (metric, breakdown, s) in summarise(of(exp, results, d, a)) {
                let e = DrawEstimate { mean: s.mean, sd: s.sd, n: s.n, mid: None };
                add(arm, Quantity::Level, &metric, &breakdown, d, (e, f64::NAN, f64::NAN));
            }
        }
        let reforms: Vec<(&str, &[ReplicationResult])> =
            (1..arms.len()).map(|a| (arms[a], of(exp, results, d, a))).collect();
        for c in paired(of(exp, results, d, 0), &reforms, &exp.spec.mid) {
            let p = &c.paired;
            let e = DrawEstimate {
                mean: p.diff_mean,
                sd: p.diff_sd,
                n: p.n,
                mid: c.importance.map(|i| i.absolute(p.base_mean)),
            };
            add(&c.arm, Quantity::Difference, &c.metric, &c.breakdown, d, (e, p.base_mean, p.pct_change));
        }
    }
    let mut out: Vec<Row> =
        order.into_iter().map(|k| by_key.remove(&k).expect("every key has a row")).collect();
    // Levels first, then differences, each in the arms' order and the metrics' first appearance.
    out.sort_by_key(|r| (r.quantity, arms.iter().position(|a| *a == r.arm)));
    for r in &mut out {
        let estimates: Vec<DrawEstimate> = r.per_draw.values().map(|v| v.0).collect();
        let better = if r.quantity == Quantity::Difference { r.better } else { Better::Neither };
        r.spread = spread(&estimates, better);
    }
    out
}

/// The text of `uncertainty.csv`.
pub fn uncertainty_csv(rows: &[Row]) -> String {
    let mut out = format!(
        "arm,quantity,metric,breakdown{},unit,draws,replications,base_mean,mean,se,param_low,param_high,\
         stochastic_low,stochastic_high,parameter_share,pct_mean,pct_param_low,pct_param_high,mid,better,\
         p_improve,p_important\n",
        breakdown_key_header()
    );
    let opt = |v: Option<f64>| v.map_or("NA".to_string(), num);
    for r in rows {
        let Some(s) = &r.spread else { continue };
        let diff = r.quantity == Quantity::Difference;
        let (pct_mean, pct_low, pct_high) =
            if diff { mean_interval(&r.pct()) } else { (f64::NAN, f64::NAN, f64::NAN) };
        let mid = r.per_draw.values().map(|v| v.0.mid);
        let mid = if diff { mid.collect::<Option<Vec<f64>>>().map(|m| mean(m.into_iter())) } else { None };
        let _ = writeln!(
            out,
            "{},{},{},{}{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
            csv_field(&r.arm),
            r.quantity.name(),
            csv_field(&r.metric),
            csv_field(breakdown_text(&r.breakdown)),
            breakdown_key_cells(&r.breakdown),
            crate::metrics::unit(&r.metric),
            s.draws,
            s.replications,
            if diff { num(r.base_mean()) } else { "NA".into() },
            num(s.mean),
            num(s.se),
            num(s.param_low),
            num(s.param_high),
            num(s.stochastic_low),
            num(s.stochastic_high),
            num(s.parameter_share),
            num(pct_mean),
            num(pct_low),
            num(pct_high),
            opt(mid),
            if diff { r.better.name() } else { "NA" },
            opt(s.p_improve),
            opt(s.p_important)
        );
    }
    out
}

/// The text of `draws.csv`: one row per draw, arm, quantity and metric.
fn draws_csv(exp: &Experiment, rows: &[Row]) -> String {
    let u = exp.spec.uncertainty.as_ref().expect("an experiment under parameter uncertainty");
    let columns = parameter_columns(&u.parameters);
    let mut out = format!(
        "draw{},arm,quantity,metric,breakdown,n,mean,sd,pct_change\n",
        columns.iter().map(|c| format!(",{c}")).collect::<String>()
    );
    let values: Vec<String> = u
        .draws
        .iter()
        .map(|d| d.iter().map(|l| format!(",{}", csv_field(&value_text(&super::parse_literal(l))))).collect())
        .collect();
    for (d, values) in values.iter().enumerate() {
        for r in rows {
            let Some((e, _, pct)) = r.per_draw.get(&d) else { continue };
            let _ = writeln!(
                out,
                "{d}{values},{},{},{},{},{},{},{},{}",
                csv_field(&r.arm),
                r.quantity.name(),
                csv_field(&r.metric),
                csv_field(breakdown_text(&r.breakdown)),
                e.n,
                num(e.mean),
                num(e.sd),
                num(*pct)
            );
        }
    }
    out
}

/// The chart: each reform's effect on each headline metric in percent of the base, one dot per
/// draw, the bar the parameter interval (run: each headline level in percent of its mean).
pub fn chart(exp: &Experiment, rows: &[Row]) -> Chart {
    let u = exp.spec.uncertainty.as_ref().expect("an experiment under parameter uncertainty");
    let compare = exp.spec.kind == Kind::Compare;
    let several = exp.arm_count() > 2;
    let mut out = Vec::new();
    for r in rows {
        if !crate::metrics::headline(&r.metric, &r.breakdown) || r.spread.is_none() {
            continue;
        }
        let label = format!(
            "{}{}{}",
            r.metric,
            if r.breakdown.is_empty() { String::new() } else { format!(" ({})", r.breakdown) },
            if several { format!(" — {}", r.arm) } else { String::new() }
        );
        let dots: Vec<f64> = if compare {
            if r.quantity != Quantity::Difference {
                continue;
            }
            r.pct()
        } else {
            let m = mean(r.per_draw.values().map(|v| v.0.mean));
            r.per_draw.values().map(|v| 100.0 * (v.0.mean / m - 1.0)).collect()
        };
        let improves = r.spread.and_then(|s| s.p_improve).is_some_and(|p| p >= 0.95);
        out.push(DrawRow { label, dots, improves });
    }
    let n = u.draws.len();
    let words = DrawChartWords {
        title: if compare {
            format!(
                "{} vs {} across {n} {} draws: effect in % of the base",
                exp.arms().skip(1).map(|p| p.label.as_str()).collect::<Vec<_>>().join(", "),
                exp.points[0].label,
                u.source.name()
            )
        } else {
            format!(
                "{} across {n} {} draws: each headline metric in % of its mean",
                exp.points[0].label,
                u.source.name()
            )
        },
        x_label: if compare {
            "change vs the base (%), paired within each draw".into()
        } else {
            "deviation from the mean across draws (%)".into()
        },
        estimate_label: "mean over draws, 95 % parameter interval".into(),
        dots_label: "one draw".into(),
        highlight_label: if compare { "improves in ≥ 95 % of draws".into() } else { String::new() },
    };
    draws_chart(out, words)
}

/// Writes the result files of an experiment under parameter uncertainty into `out`.
pub fn write(
    out: &Path,
    exp: &Experiment,
    results: &[Vec<ReplicationResult>],
) -> std::io::Result<Vec<PathBuf>> {
    let u = exp.spec.uncertainty.as_ref().expect("an experiment under parameter uncertainty");
    let rows = rows(exp, results);
    let table = uncertainty_csv(&rows);
    let draws = draws_csv(exp, &rows);
    #[derive(Serialize)]
    struct Arm<'a> {
        name: &'a str,
        scenario_file: &'a str,
    }
    #[derive(Serialize)]
    struct Draw {
        draw: usize,
        seed: u64,
        values: BTreeMap<String, String>,
    }
    #[derive(Serialize)]
    struct Source<'a> {
        source: &'static str,
        from: &'a str,
        seed: u64,
        parameters: &'a [String],
        /// The column of each parameter in `draws.csv`.
        columns: BTreeMap<String, String>,
        draws: usize,
    }
    #[derive(Serialize)]
    struct Manifest<'a> {
        kind: &'static str,
        format: &'static str,
        program: &'static str,
        version: &'static str,
        seed: u64,
        common_random_numbers: bool,
        /// Replications per draw and arm.
        replications: u32,
        base: &'a str,
        days: u32,
        warmup_days: u32,
        #[serde(skip_serializing_if = "Option::is_none")]
        warmup_choice: Option<&'a super::warmup::WarmupChoice>,
        #[serde(skip_serializing_if = "BTreeMap::is_empty")]
        mid: &'a BTreeMap<String, String>,
        uncertainty: Source<'a>,
        arms: Vec<Arm<'a>>,
        draws: Vec<Draw>,
        files: Vec<FileEntry>,
    }
    let columns = parameter_columns(&u.parameters);
    let p0 = &exp.points[0].params;
    let m = Manifest {
        kind: exp.spec.kind.name(),
        format: crate::output::FORMAT,
        program: "medgroup",
        version: crate::VERSION,
        seed: exp.spec.seed,
        common_random_numbers: !exp.spec.independent,
        replications: exp.replications,
        base: &exp.points[0].label,
        days: p0.run.days,
        warmup_days: p0.run.warmup_days,
        warmup_choice: exp.spec.warmup.as_ref(),
        mid: &exp.spec.mid,
        uncertainty: Source {
            source: u.source.name(),
            from: &u.from,
            seed: u.seed,
            parameters: &u.parameters,
            columns: columns.iter().cloned().zip(u.parameters.iter().cloned()).collect(),
            draws: u.draws.len(),
        },
        arms: exp
            .spec
            .scenarios
            .iter()
            .map(|s| Arm { name: &s.name, scenario_file: s.files.first().map(String::as_str).unwrap_or("") })
            .collect(),
        draws: u
            .draws
            .iter()
            .enumerate()
            .map(|(d, lits)| Draw {
                draw: d,
                seed: exp.points[d * exp.arm_count()].params.seed,
                values: u
                    .parameters
                    .iter()
                    .cloned()
                    .zip(lits.iter().map(|l| value_text(&super::parse_literal(l))))
                    .collect(),
            })
            .collect(),
        files: vec![
            FileEntry { name: "uncertainty.csv".into(), rows: rows_of(&table) },
            FileEntry { name: "draws.csv".into(), rows: rows_of(&draws) },
        ],
    };
    let chart = chart(exp, &rows);
    let svg = chart.to_svg_file().map_err(std::io::Error::other)?;
    let png = chart.to_png().map_err(std::io::Error::other)?;
    let mut paths = Vec::new();
    let files: [(&str, Vec<u8>); 5] = [
        ("uncertainty.csv", table.into_bytes()),
        ("draws.csv", draws.into_bytes()),
        ("uncertainty.svg", svg.into_bytes()),
        ("uncertainty.png", png),
        (
            "manifest.json",
            (serde_json::to_string_pretty(&m).expect("plain data serialises") + "\n").into_bytes(),
        ),
    ];
    for (name, bytes) in files {
        let p = out.join(name);
        write_atomic(&p, &bytes)?;
        paths.push(p);
    }
    Ok(paths)
}
