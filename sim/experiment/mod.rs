//! Experiments: runs, comparisons and sweeps as lists of units of work.
//!
//! A unit is one (point, replication). A point is a scenario as it will run: the one scenario
//! of a `run`, one arm of a `compare`, one design point of a `sweep`. A unit's result depends
//! only on its point's parameters and its replication number, and the point's seed is a pure
//! function of the master seed and the point's content identity (never of its position, the
//! thread count or the shard): with common random numbers (the default) every point uses the
//! master seed, so replication r of every point draws from the same streams; with independent
//! seeds, a point's seed is a hash of (master seed, point identity).
//!
//! An experiment is described by a [`Spec`] — plain data recorded in every shard file, from which
//! `merge` rebuilds the experiment without the scenario files. Its canonical unit list is points
//! in order, replications 0..R within each; shard K of N runs the units whose position in that
//! list is K − 1 modulo N, so the layout is a function of (unit list, N) alone.
//!
//! This module does no I/O: [`shard`] writes and reads shard files, [`merge`] writes results;
//! [`precision`] decides replications for `--precision`, [`warmup`] checks a run's warm-up,
//! [`uncertainty`] summarises a run or comparison across parameter draws.

pub mod compare;
pub mod merge;
pub mod precision;
pub mod shard;
pub mod uncertainty;
pub mod warmup;
pub mod whole;

use crate::model::record::ReplicationResult;
use crate::params::Params;
use crate::rng::{hash_words, name_key};
use crate::run::run_replication;
use crate::scenario::{self, KeyPath, Loaded, ScenarioError, parse_value};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use toml::{Table, Value};

/// What an experiment is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Run,
    Compare,
    Sweep,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Run => "run",
            Kind::Compare => "compare",
            Kind::Sweep => "sweep",
        }
    }
}

/// A scenario as recorded in a shard file: enough to rebuild it without its files.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScenarioRecord {
    /// The scenario's `name`.
    pub name: String,
    /// The file that was named, then each file it extends.
    pub files: Vec<String>,
    /// The resolved document as TOML text, with `run.replications` left out (the replication
    /// count belongs to the experiment, so that adding replications resumes the same one).
    pub resolved: String,
}

/// How sweep points were chosen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Design {
    /// Every combination of the listed values (`--set key=v1,v2,…`), first key slowest.
    Grid,
    /// A Latin hypercube of `n` points over the ranges (`--lhs N --range key=lo:hi`); the
    /// hypercube's seed is a hash of the master seed.
    Lhs { n: u32, seed: u64, ranges: Vec<Range> },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Range {
    pub key: String,
    pub lo: f64,
    pub hi: f64,
}

/// A grid over `axes` (each key with its values): every combination, first key slowest, as the
/// sweep record's parameter names and points (`--set key=v1,v2,…`, or a front end's dict).
pub fn grid(axes: &[(KeyPath, Vec<Value>)]) -> SweepRecord {
    let levels: Vec<usize> = axes.iter().map(|(_, v)| v.len()).collect();
    let points = analysis::design::grid(&levels)
        .into_iter()
        .map(|idx| idx.iter().zip(axes).map(|(&i, (_, vs))| literal(&vs[i])).collect())
        .collect();
    SweepRecord {
        parameters: axes.iter().map(|(k, _)| k.to_string()).collect(),
        design: Design::Grid,
        points,
    }
}

/// The design of a sweep and its points.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SweepRecord {
    /// Key paths of the swept parameters.
    pub parameters: Vec<String>,
    pub design: Design,
    /// One value per parameter for each point, as TOML literals (`3`, `0.5`, `"text"`).
    pub points: Vec<Vec<String>>,
}

/// Where the parameter draws of a probabilistic sensitivity analysis come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Uncertainty {
    /// The `[[parameter]]` priors of a targets file, by a Latin hypercube.
    Prior,
    /// A calibration's weighted posterior sample, resampled by weight.
    Posterior,
}

impl Uncertainty {
    pub fn name(self) -> &'static str {
        match self {
            Uncertainty::Prior => "prior",
            Uncertainty::Posterior => "posterior",
        }
    }
}

/// The parameter draws of a run or comparison under parameter uncertainty: every draw sets the
/// parameters in every scenario, and within a draw the arms share their seeds (common random
/// numbers), while each draw has its own (a hash of the master seed and the draw number).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UncertaintyRecord {
    pub source: Uncertainty,
    /// The targets file or posterior sample the draws were taken from.
    pub from: String,
    /// The seed of the draws (a hash of the master seed).
    pub seed: u64,
    /// Key paths of the uncertain parameters.
    pub parameters: Vec<String>,
    /// One value per parameter for each draw, as TOML literals.
    pub draws: Vec<Vec<String>>,
}

/// The seed of draw `d`'s replications (shared by the arms of a comparison unless seeds are
/// independent).
pub fn draw_seed(master: u64, d: usize) -> u64 {
    hash_words(&[master, d as u64, name_key("uncertainty draw seed")]) % MAX_SEED
}

/// Everything that defines an experiment except its replication count.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Spec {
    pub kind: Kind,
    /// Program version that ran it (results may change between versions).
    pub version: String,
    /// Master seed.
    pub seed: u64,
    /// Independent seeds per point instead of common random numbers.
    pub independent: bool,
    /// run: the scenario; compare: the arms, base first; sweep: the base scenario.
    pub scenarios: Vec<ScenarioRecord>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sweep: Option<SweepRecord>,
    /// The warm-up picked by a pilot run (`--warmup-days auto`), applied to every scenario.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warmup: Option<warmup::WarmupChoice>,
    /// Minimal important differences given on the command line (`--mid METRIC=VALUE`), by
    /// metric: they decide which significant differences are negligible.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub mid: std::collections::BTreeMap<String, String>,
    /// A comparison whose arms have different run windows (warm-up or recorded days), allowed
    /// on purpose (`compare --different-windows`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub different_windows: bool,
    /// Run or compare under parameter uncertainty (`--uncertainty`): the draws.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uncertainty: Option<UncertaintyRecord>,
}

impl Spec {
    /// The experiment's identity: 16 hex digits of a hash of the whole spec.
    pub fn id(&self) -> String {
        let text = serde_json::to_string(self).expect("plain data serialises");
        format!("{:016x}", name_key(&text))
    }
}

/// One scenario as it runs in an experiment.
#[derive(Debug, Clone)]
pub struct Point {
    /// run: the scenario name; compare: the arm name; sweep: the point number (0-based).
    pub label: String,
    /// Content identity: a hash of the scenario (run, compare) or of the parameter assignment
    /// (sweep). Unit rows name their point by it.
    pub key: u64,
    /// The scenario with this point's seed and the experiment's replication count.
    pub loaded: Loaded,
    pub params: Arc<Params>,
    /// Sweep only: the values of the swept parameters.
    pub values: Vec<Value>,
    /// Under parameter uncertainty: the draw this point runs (its values set in `loaded`).
    pub draw: Option<usize>,
}

impl Point {
    /// The point key as written in unit rows.
    pub fn key_hex(&self) -> String {
        format!("{:016x}", self.key)
    }
}

/// A unit of work: one replication of one point (an index into [`Experiment::points`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Unit {
    pub point: usize,
    pub replication: u32,
}

/// Shard `index` of `count` (1-based).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: u32,
    pub count: u32,
}

impl Shard {
    pub const WHOLE: Shard = Shard { index: 1, count: 1 };

    /// Parses `K/N` (1 ≤ K ≤ N), or `auto/N`, where K comes from `SLURM_ARRAY_TASK_ID` (as given
    /// to `sbatch --array=1-N`) or, failing that, `JOB_COMPLETION_INDEX` (a Kubernetes Indexed
    /// Job, 0-based, so K = index + 1). `env` looks up an environment variable.
    pub fn parse(text: &str, env: impl Fn(&str) -> Option<String>) -> Result<Shard, String> {
        let bad = || format!("--shard `{text}`: expected K/N with 1 ≤ K ≤ N (e.g. 2/8), or auto/N");
        let (k, n) = text.split_once('/').ok_or_else(bad)?;
        let count: u32 = n.trim().parse().map_err(|_| bad())?;
        if count == 0 {
            return Err(bad());
        }
        let index: u32 = if k.trim() == "auto" {
            if let Some(v) = env("SLURM_ARRAY_TASK_ID") {
                v.trim()
                    .parse()
                    .map_err(|_| format!("--shard auto: SLURM_ARRAY_TASK_ID is `{v}`, not a number"))?
            } else if let Some(v) = env("JOB_COMPLETION_INDEX") {
                let i: u32 = v
                    .trim()
                    .parse()
                    .map_err(|_| format!("--shard auto: JOB_COMPLETION_INDEX is `{v}`, not a number"))?;
                i + 1
            } else {
                return Err("--shard auto/N: neither SLURM_ARRAY_TASK_ID nor JOB_COMPLETION_INDEX is set \
                            (submit with `sbatch --array=1-N`, or as a Kubernetes Indexed Job)"
                    .into());
            }
        } else {
            k.trim().parse().map_err(|_| bad())?
        };
        if index == 0 || index > count {
            return Err(format!(
                "--shard: shard {index} of {count} does not exist (shards are numbered 1 to {count}; \
                 with SLURM use --array=1-{count})"
            ));
        }
        Ok(Shard { index, count })
    }

    /// The shard's file name inside a results folder's `shards/`.
    pub fn file_name(self) -> String {
        format!("shard-{}-of-{}.jsonl", self.index, self.count)
    }
}

/// An experiment ready to run or to merge.
#[derive(Debug, Clone)]
pub struct Experiment {
    pub spec: Spec,
    pub id: String,
    pub replications: u32,
    /// The scenario the experiment is named after (run: the scenario; compare: the base arm;
    /// sweep: the base scenario), with the replication count.
    pub base: Loaded,
    pub points: Vec<Point>,
}

/// Why an experiment cannot be built.
#[derive(Debug, thiserror::Error)]
pub enum ExperimentError {
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
    #[error("{0}")]
    Invalid(String),
}

/// The largest seed (2⁵³, so that seeds read back exactly from JSON as numbers).
pub const MAX_SEED: u64 = 1 << 53;

/// The seed of a point under independent seeds: a hash of (master seed, point identity).
pub fn independent_seed(master: u64, key: u64) -> u64 {
    hash_words(&[master, key, name_key("independent point seed")]) % MAX_SEED
}

/// Records a loaded scenario, leaving `run.replications` out.
pub fn record(loaded: &Loaded) -> ScenarioRecord {
    let mut t = loaded.resolved.clone();
    if let Some(Value::Table(run)) = t.get_mut("run") {
        run.remove("replications");
    }
    ScenarioRecord {
        name: loaded.params.name.clone(),
        files: loaded.chain.iter().map(|p| p.display().to_string()).collect(),
        resolved: toml::to_string(&t).expect("a parsed table serialises"),
    }
}

/// A TOML literal for a value (`3`, `0.5`, `"text"`), read back by [`parse_literal`].
pub fn literal(v: &Value) -> String {
    let mut t = Table::new();
    t.insert("v".into(), v.clone());
    let s = toml::to_string(&t).expect("a value serialises");
    s.trim().trim_start_matches("v =").trim().to_string()
}

/// Reads a literal written by [`literal`].
pub fn parse_literal(text: &str) -> Value {
    parse_value(text)
}

fn rebuild(rec: &ScenarioRecord, replications: u32) -> Result<Loaded, ExperimentError> {
    let mut table: Table = rec.resolved.parse().map_err(|e| {
        ExperimentError::Invalid(format!("recorded scenario \"{}\" is not valid TOML: {e}", rec.name))
    })?;
    if let Some(Value::Table(run)) = table.get_mut("run") {
        run.insert("replications".into(), Value::Integer(i64::from(replications)));
    }
    Ok(scenario::from_resolved(rec.files.iter().map(PathBuf::from).collect(), table)?)
}

fn with(loaded: &Loaded, sets: &[(KeyPath, Value)]) -> Result<Loaded, ExperimentError> {
    if sets.is_empty() { Ok(loaded.clone()) } else { Ok(loaded.with_values(sets)?) }
}

fn seed_key() -> KeyPath {
    KeyPath::parse("seed").expect("a plain key")
}

/// The points of a run or comparison under parameter uncertainty: for each draw, every arm with
/// the draw's values; within a draw the arms share the draw's seed (common random numbers), or,
/// with independent seeds, each point has its own.
fn uncertain_points(
    spec: &Spec,
    u: &UncertaintyRecord,
    arms: &[Point],
) -> Result<Vec<Point>, ExperimentError> {
    if u.draws.len() < 2 {
        return Err(ExperimentError::Invalid(
            "parameter uncertainty needs at least 2 draws (--draws N): one draw has no spread".into(),
        ));
    }
    let keys: Vec<KeyPath> = u
        .parameters
        .iter()
        .map(|k| KeyPath::parse(k).map_err(|e| ExperimentError::Invalid(e.0)))
        .collect::<Result<_, _>>()?;
    let mut points = Vec::with_capacity(u.draws.len() * arms.len());
    for (d, literals) in u.draws.iter().enumerate() {
        if literals.len() != keys.len() {
            return Err(ExperimentError::Invalid(format!(
                "draw {d} has {} values for {} parameters",
                literals.len(),
                keys.len()
            )));
        }
        let assignment: Vec<String> = keys.iter().zip(literals).map(|(k, l)| format!("{k}={l}")).collect();
        for arm in arms {
            let key = hash_words(&[arm.key, d as u64, name_key(&assignment.join("\n"))]);
            let seed =
                if spec.independent { independent_seed(spec.seed, key) } else { draw_seed(spec.seed, d) };
            let mut sets: Vec<(KeyPath, Value)> =
                keys.iter().cloned().zip(literals.iter().map(|l| parse_literal(l))).collect();
            sets.push((seed_key(), Value::Integer(seed as i64)));
            let loaded = arm.loaded.with_values(&sets).map_err(|e| {
                ExperimentError::Invalid(format!(
                    "draw {d} ({}) in \"{}\": {e}",
                    assignment.join(", "),
                    arm.label
                ))
            })?;
            points.push(Point {
                label: arm.label.clone(),
                key,
                params: Arc::new(loaded.params.clone()),
                loaded,
                values: Vec::new(),
                draw: Some(d),
            });
        }
    }
    Ok(points)
}

impl Experiment {
    /// What the experiment's results folder belongs to ([`crate::folder`]).
    pub fn owner(&self) -> crate::folder::Owner {
        let scenario = match self.spec.kind {
            Kind::Compare => self.arms().map(|p| p.label.as_str()).collect::<Vec<_>>().join(" vs "),
            _ => self.base.params.name.clone(),
        };
        crate::folder::Owner::new(self.spec.kind.name(), &scenario, self.id.clone(), self.spec.seed)
    }

    /// The names a default results folder is made of: the scenario's (compare: every arm's).
    pub fn names(&self) -> Vec<&str> {
        match self.spec.kind {
            Kind::Compare => self.arms().map(|p| p.label.as_str()).collect(),
            _ => vec![self.base.params.name.as_str()],
        }
    }

    /// One point per arm (run: the scenario): every point, or under parameter uncertainty the
    /// points of the first draw.
    pub fn arms(&self) -> impl Iterator<Item = &Point> {
        self.points.iter().filter(|p| p.draw.is_none_or(|d| d == 0))
    }

    /// The number of arms (run: 1).
    pub fn arm_count(&self) -> usize {
        self.spec.scenarios.len()
    }

    /// Builds the experiment described by `spec` with `replications` per point: rebuilds every
    /// scenario from its record, then each point's scenario and seed.
    pub fn build(spec: Spec, replications: u32) -> Result<Experiment, ExperimentError> {
        if spec.scenarios.is_empty() {
            return Err(ExperimentError::Invalid("an experiment needs a scenario".into()));
        }
        let scenarios: Vec<Loaded> =
            spec.scenarios.iter().map(|r| rebuild(r, replications)).collect::<Result<_, _>>()?;
        let seeded = |loaded: &Loaded, key: u64| -> Result<Loaded, ExperimentError> {
            let seed = if spec.independent { independent_seed(spec.seed, key) } else { spec.seed };
            with(loaded, &[(seed_key(), Value::Integer(seed as i64))])
        };
        let mut points = Vec::new();
        match spec.kind {
            Kind::Run | Kind::Compare => {
                if spec.kind == Kind::Run && scenarios.len() != 1 {
                    return Err(ExperimentError::Invalid("a run has exactly one scenario".into()));
                }
                for (rec, loaded) in spec.scenarios.iter().zip(&scenarios) {
                    let plain = |c: char| c.is_alphanumeric() || "_-.".contains(c);
                    if spec.kind == Kind::Compare
                        && (!rec.name.chars().all(plain) || rec.name.starts_with('.'))
                    {
                        return Err(ExperimentError::Invalid(format!(
                            "arm \"{}\": a scenario compared with others needs a `name` of letters, digits, `_`, `-` \
                             and `.` (it names the arm's folder arms/<name>/)",
                            rec.name
                        )));
                    }
                    if points.iter().any(|p: &Point| p.label == rec.name) {
                        return Err(ExperimentError::Invalid(format!(
                            "two arms are named \"{}\": give each scenario its own `name` (it names the \
                             arm's folder and rows)",
                            rec.name
                        )));
                    }
                    let key = name_key(&rec.resolved);
                    let loaded = if spec.kind == Kind::Run { loaded.clone() } else { seeded(loaded, key)? };
                    points.push(Point {
                        label: rec.name.clone(),
                        key,
                        params: Arc::new(loaded.params.clone()),
                        loaded,
                        values: Vec::new(),
                        draw: None,
                    });
                }
                if spec.kind == Kind::Compare && !spec.different_windows {
                    let window = |p: &Point| (p.params.run.warmup_days, p.params.run.days);
                    if let Some(other) = points.iter().find(|p| window(p) != window(&points[0])) {
                        let (w0, d0) = window(&points[0]);
                        let (w1, d1) = window(other);
                        return Err(ExperimentError::Invalid(format!(
                            "arm \"{}\" runs {w1} warm-up + {d1} recorded days, the base \"{}\" {w0} + {d0}: paired \
                             differences would compare different periods. Give every arm the same run.warmup_days \
                             and run.days (or --days / --warmup-days for all), or pass --different-windows to \
                             compare them anyway",
                            other.label, points[0].label
                        )));
                    }
                }
                if let Some(u) = &spec.uncertainty {
                    points = uncertain_points(&spec, u, &points)?;
                }
            }
            Kind::Sweep => {
                if spec.uncertainty.is_some() {
                    return Err(ExperimentError::Invalid(
                        "parameter uncertainty is for a run or a comparison, not a sweep".into(),
                    ));
                }
                let sweep = spec
                    .sweep
                    .as_ref()
                    .ok_or_else(|| ExperimentError::Invalid("a sweep needs a design".into()))?;
                let keys: Vec<KeyPath> = sweep
                    .parameters
                    .iter()
                    .map(|k| KeyPath::parse(k).map_err(|e| ExperimentError::Invalid(e.0)))
                    .collect::<Result<_, _>>()?;
                for (i, literals) in sweep.points.iter().enumerate() {
                    let values: Vec<Value> = literals.iter().map(|l| parse_literal(l)).collect();
                    let assignment: Vec<String> =
                        keys.iter().zip(literals).map(|(k, l)| format!("{k}={l}")).collect();
                    let key = name_key(&assignment.join("\n"));
                    let mut sets: Vec<(KeyPath, Value)> =
                        keys.iter().cloned().zip(values.iter().cloned()).collect();
                    if spec.independent {
                        sets.push((seed_key(), Value::Integer(independent_seed(spec.seed, key) as i64)));
                    }
                    let loaded = with(&scenarios[0], &sets)?;
                    points.push(Point {
                        label: i.to_string(),
                        key,
                        params: Arc::new(loaded.params.clone()),
                        loaded,
                        values,
                        draw: None,
                    });
                }
            }
        }
        let mut keys: Vec<u64> = points.iter().map(|p| p.key).collect();
        keys.sort_unstable();
        if keys.windows(2).any(|w| w[0] == w[1]) {
            return Err(ExperimentError::Invalid(
                "two points of the experiment are identical (the same scenario, or the same parameter values)".into(),
            ));
        }
        let base = scenarios.into_iter().next().expect("checked above");
        Ok(Experiment { id: spec.id(), spec, replications, base, points })
    }

    /// Every unit, in canonical order: points in order, replications 0..R within each.
    pub fn units(&self) -> Vec<Unit> {
        (0..self.points.len())
            .flat_map(|point| (0..self.replications).map(move |replication| Unit { point, replication }))
            .collect()
    }

    /// The units of `shard`: those whose position in the canonical list is `index − 1` modulo
    /// `count` (round robin, so that every shard gets a share of every point).
    pub fn shard_units(&self, shard: Shard) -> Vec<Unit> {
        self.units()
            .into_iter()
            .enumerate()
            .filter(|(i, _)| *i as u64 % u64::from(shard.count) == u64::from(shard.index - 1))
            .map(|(_, u)| u)
            .collect()
    }

    /// Whether unit rows keep the daily series (runs and comparisons write daily.csv; sweeps
    /// keep only the summary metrics, which keeps their files small).
    pub fn keeps_daily(&self) -> bool {
        self.spec.kind != Kind::Sweep && self.spec.uncertainty.is_none()
    }

    /// Runs `units` in parallel (in the current rayon pool), calling `done` with each result as
    /// it finishes, from any thread. Results do not depend on the order or the thread count.
    pub fn run_units(&self, units: &[Unit], done: impl Fn(Unit, ReplicationResult) + Sync) {
        self.run_units_until(units, &AtomicBool::new(false), done);
    }

    /// As [`Experiment::run_units`], starting no further unit once `stop` is set (a front end's
    /// interrupt); the units already started finish and are handed to `done`.
    pub fn run_units_until(
        &self,
        units: &[Unit],
        stop: &AtomicBool,
        done: impl Fn(Unit, ReplicationResult) + Sync,
    ) {
        units.par_iter().with_max_len(1).for_each(|&u| {
            if stop.load(Ordering::Relaxed) {
                return;
            }
            let result = run_replication(&self.points[u.point].params, u.replication);
            done(u, result);
        });
    }

    /// The units of `shard` not in `done`, in canonical order.
    pub fn pending(&self, shard: Shard, done: &HashSet<Unit>) -> Vec<Unit> {
        self.shard_units(shard).into_iter().filter(|u| !done.contains(u)).collect()
    }

    /// Runs every unit in memory (in the current rayon pool) and returns the results per point,
    /// in replication order: what merging the shard files of a whole run gives, without files.
    pub fn run_all(&self) -> Vec<Vec<ReplicationResult>> {
        let units = self.units();
        let done: std::sync::Mutex<Vec<(Unit, ReplicationResult)>> = std::sync::Mutex::new(Vec::new());
        self.run_units(&units, |u, r| done.lock().expect("no panic while holding the lock").push((u, r)));
        let mut done = done.into_inner().expect("no panic while holding the lock");
        done.sort_by_key(|(u, _)| *u);
        let mut out = vec![Vec::new(); self.points.len()];
        for (u, r) in done {
            out[u.point].push(r);
        }
        out
    }
}
