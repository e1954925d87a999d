//! The targets file of a calibration: what the model should reproduce, which parameters may move,
//! and how the fit is run.
//!
//! A targets file is TOML with three parts: `[[target]]` entries (what the model should
//! reproduce), `[[parameter]]` entries (what may move, with its prior) and an optional `[abc]`
//! table (how the fit is run; every key has a default, see [`AbcSettings`]):
//!
//! ```
//! use analysis::targets::{load_str, Known, Tolerance};
//!
//! let text = r#"
//! [[target]]
//! name = "Q1"                                # unique label, used in reports
//! output = "primary_care_visit_share"        # a model output (metric) name
//! observed = 0.51                            # in the output's own unit (here a fraction)
//! tolerance = 0.03                           # absolute; or relative_tolerance = 0.2; or range = [lo, hi]
//! weight = 1.0                               # ≥ 0; 0 reports the target without fitting it
//! window = { from_day = 0, to_day = 365 }    # optional: recorded days after warm-up, [from, to)
//! source = "Qingpu lead hospital, 2024 journal article"
//! definition = "CHC visits / all outpatient+emergency visits at public institutions, 2023"
//!
//! [[target]]
//! name = "S3"
//! output = "elective_surgery_wait_days"
//! breakdown = "ward=lead/surgical"           # optional: which row of the output (`key=value;…`)
//! observed = 30
//! range = [20, 45]                           # asymmetric: anywhere from 20 to 45 days passes
//! weight = 0.25
//! source = "Qingdao Daily feature, 2024 (one reported case)"
//! definition = "booking to operation, elective varicose-vein surgery, lead hospital"
//!
//! [[parameter]]
//! key = "choice.bypass_propensity"           # a scenario key path (opaque to this crate)
//! prior = "uniform"                          # or "log_uniform" (lo, hi), or "normal" (mean, sd, optional lo, hi)
//! lo = 0.0
//! hi = 2.0
//! note = "assumption: no source pins it down"
//!
//! [abc]
//! particles = 100
//! simulations_per_generation = 400
//! generations = 5
//! "#;
//! let outputs = ["primary_care_visit_share", "elective_surgery_wait_days"];
//! let known = Known {
//!     outputs: &outputs,
//!     has_parameter: &|key| key == "choice.bypass_propensity",
//!     recorded_days: Some(365),
//! };
//! let calibration = load_str(text, &known).unwrap();
//! assert_eq!(calibration.targets[1].tolerance, Tolerance::Range { lo: 20.0, hi: 45.0 });
//! assert_eq!(calibration.abc.replications, 1); // the default
//! ```
//!
//! Reading ([`parse`]) collects every unknown key instead of stopping at the first (the scenario
//! loader does the same, ARCHITECTURE.md invariant 5), then [`TargetsFile::validate`] checks every
//! rule and reports every broken one at once, each with its key path (`target[2].output`) and what
//! is allowed. Validation takes the model's output names and a predicate "is this key a parameter
//! of the scenario" from the caller, so that this crate stays independent of the model.

use crate::prior::Prior;
use crate::problem::Checker;
pub use crate::problem::{Problem, key_path};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::fmt;

// ---------------------------------------------------------------------------------------------
// File schema: one to one with the TOML, wide types, nothing filled in.

/// A targets file: what the model should reproduce (`[[target]]`), which scenario parameters may
/// move to reproduce it (`[[parameter]]`, each with its prior) and how the fit is run (`[abc]`).
/// Each key's doc comment ends with its tags (`unit: … · range: … · default: …`), as the scenario
/// file's do; they become the published schema's annotations (`scenarios/targets.schema.json`).
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
pub struct TargetsFile {
    /// The figures the model should reproduce, one `[[target]]` each.
    /// unit: array of tables · range: at least 1 entry for `calibrate` and `check`; names unique ·
    /// default: none
    #[serde(default)]
    pub target: Vec<TargetFile>,
    /// The scenario parameters the fit may move, one `[[parameter]]` each with its prior
    /// (`--parameter` on the command line adds or replaces one).
    /// unit: array of tables · range: at least 1 entry for `calibrate` and for parameter
    /// uncertainty; keys unique · default: none
    #[serde(default)]
    pub parameter: Vec<ParameterFile>,
    /// How the ABC-SMC fit is run (Beaumont et al. 2009; Lenormand et al. 2013).
    /// unit: optional table · range: see its section · default: every key at its default
    pub abc: Option<AbcFile>,
}

/// One `[[target]]` entry as written: an observed figure, the model output it is compared with, and
/// how far the simulated value may be from it.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
pub struct TargetFile {
    /// A short label, used in reports.
    /// unit: text · range: any non-empty string; unique among the targets · default: required
    pub name: String,
    /// The model output (metric) the observed figure is compared with (`medgroup outputs` lists
    /// them).
    /// unit: metric name · range: one of the model's outputs · default: required
    pub output: String,
    /// Which row of the output: `key=value` pairs joined by `;` (`ward=lead/surgical`).
    /// unit: text · range: `key=value` pairs joined by `;`, keys unique · default: the output's
    /// overall row
    pub breakdown: Option<String>,
    /// The observed value, in the output's own unit (a share as a fraction 0–1).
    /// unit: the output's unit · range: a finite number · default: required
    pub observed: f64,
    /// Absolute tolerance, in the output's unit.
    /// unit: the output's unit · range: (0, ∞); exactly one of `tolerance`, `relative_tolerance`,
    /// `range` · default: none
    pub tolerance: Option<f64>,
    /// Tolerance as a fraction of |observed|.
    /// unit: fraction · range: (0, ∞); observed ≠ 0; exactly one of `tolerance`,
    /// `relative_tolerance`, `range` · default: none
    pub relative_tolerance: Option<f64>,
    /// Acceptable interval [lo, hi] around the observed value (an asymmetric tolerance).
    /// unit: the output's unit · range: two numbers lo < observed < hi; exactly one of
    /// `tolerance`, `relative_tolerance`, `range` · default: none
    pub range: Option<Vec<f64>>,
    /// The target's weight in the ABC distance; 0 reports the target without fitting it.
    /// unit: weight · range: [0, ∞); at least one target above 0 for `calibrate` · default:
    /// required (a missing weight is reported)
    pub weight: Option<f64>,
    /// The recorded days the output is averaged over.
    /// unit: inline table · range: see its section · default: the whole recorded run
    pub window: Option<WindowFile>,
    /// Where the observed value comes from.
    /// unit: text · range: any non-empty string · default: required (a missing source is reported)
    pub source: Option<String>,
    /// The figure's numerator, denominator and period.
    /// unit: text · range: any non-empty string · default: required (a missing definition is
    /// reported)
    pub definition: Option<String>,
    /// The name of another target of the same output this one is compared with (e.g. the same
    /// figure two years earlier): the fit report says whether the simulated change from it has
    /// the observed direction.
    /// unit: target name · range: the name of another target of the same output · default: none
    pub compare_with: Option<String>,
}

/// A target's window as written: recorded days, counted from the end of the warm-up,
/// `{ from_day, to_day }` covering [from_day, to_day).
#[derive(Debug, Clone, Copy, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
pub struct WindowFile {
    /// The first recorded day of the window.
    /// unit: recorded day · range: integer 0..=(the run's recorded days); below `to_day` ·
    /// default: required
    pub from_day: i64,
    /// The recorded day after the window's last.
    /// unit: recorded day · range: integer 1..=(the run's recorded days); above `from_day` ·
    /// default: required
    pub to_day: i64,
}

/// One `[[parameter]]` entry as written: a scenario key the fit may move, and its prior.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
pub struct ParameterFile {
    /// The scenario key path (`choice.bypass_propensity`, `conditions[hypertension].…`).
    /// unit: key path · range: a numeric parameter of the scenario; unique among the parameters ·
    /// default: required
    pub key: String,
    /// The prior distribution.
    /// unit: text · range: one of "uniform", "log_uniform", "normal" · default: required
    pub prior: String,
    /// The lower end of a uniform or log-uniform prior, or where a normal prior is cut.
    /// unit: the key's unit · range: a finite number below `hi` (above 0 for "log_uniform") ·
    /// default: required for "uniform" and "log_uniform"; none (no cut) for "normal"
    pub lo: Option<f64>,
    /// The upper end of a uniform or log-uniform prior, or where a normal prior is cut.
    /// unit: the key's unit · range: a finite number above `lo` · default: required for
    /// "uniform" and "log_uniform"; none (no cut) for "normal"
    pub hi: Option<f64>,
    /// The mean of a normal prior.
    /// unit: the key's unit · range: a finite number; only with "normal" · default: required for
    /// "normal"
    pub mean: Option<f64>,
    /// The standard deviation of a normal prior.
    /// unit: the key's unit · range: (0, ∞); only with "normal" · default: required for "normal"
    pub sd: Option<f64>,
    /// Why the prior is what it is (its source, or that it is an assumption).
    /// unit: text · range: any string · default: empty
    pub note: Option<String>,
}

/// The `[abc]` table as written: how the ABC-SMC fit is run. Every key is optional.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
pub struct AbcFile {
    /// Particles kept per generation (N).
    /// unit: particles · range: integer 2..=1000000; more than the number of parameters ·
    /// default: 100
    pub particles: Option<i64>,
    /// Proposals simulated per generation (M ≥ N).
    /// unit: proposals · range: integer 2..=100000000; at least `particles` · default: 400
    pub simulations_per_generation: Option<i64>,
    /// Largest number of generations.
    /// unit: generations · range: integer 1..=1000 · default: 5
    pub generations: Option<i64>,
    /// Simulations averaged per proposal (R).
    /// unit: replications · range: integer 1..=1000 · default: 1
    pub replications: Option<i64>,
    /// Master seed of the calibration.
    /// unit: integer · range: integer 0..=9223372036854775807 · default: the scenario's seed
    pub seed: Option<i64>,
    /// Stop once the tolerance ε is at or below this.
    /// unit: distance · range: [0, ∞) · default: 0 (never on this rule unless ε reaches 0)
    pub min_epsilon: Option<f64>,
    /// Stop once the share of a generation's proposals within the previous ε falls below this
    /// (Lenormand et al. 2013 suggest 0.01–0.05).
    /// unit: share · range: [0, 1) · default: 0 (off)
    pub min_acceptance: Option<f64>,
    /// Perturbation kernel covariance = kernel_scale × the weighted population covariance
    /// (Beaumont et al. 2009: 2).
    /// unit: multiple · range: (0, 100] · default: 2
    pub kernel_scale: Option<f64>,
    /// Posterior-predictive simulations for the fit report.
    /// unit: simulations · range: integer 1..=1000000 · default: 100
    pub predictive_simulations: Option<i64>,
    /// An early look at each proposal part-way through its first run, to stop hopeless ones
    /// (lazy ABC, Prangle 2016); see the table's keys.
    /// unit: table · range: the keys below · default: absent (every proposal runs to the end)
    pub lazy: Option<LazyFile>,
}

/// The `[abc.lazy]` table as written: when a proposal is looked at early, which ones are
/// flagged, and how often a flagged one is still run to the end. A flagged proposal that is run
/// on has its importance weight multiplied by 1 / `continue_probability`, so the population
/// stays a weighted sample of the same posterior whatever these settings; they change only the
/// cost and the variance of the weights.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LazyFile {
    /// Recorded days after which each proposal's first run is looked at (its year-to-date
    /// values of the fitted targets).
    /// unit: days · range: integer 1..=100000, fewer than the scenario's recorded days · default: none (an
    /// `[abc.lazy]` table without it is refused)
    pub check_day: Option<i64>,
    /// A proposal is flagged when its year-to-date distance exceeds this multiple of the
    /// previous generation's tolerance ε. An assumption: 1 flags every proposal that already
    /// looks worse than the whole last population, which a proposal must beat to enter it;
    /// larger values flag fewer. (On Qingpu the year-to-date distance after 120 days correlated
    /// 0.90–0.97 with the final one: BENCHMARKS.md.)
    /// unit: multiple of ε · range: [1, 1000] · default: 1
    pub factor: Option<f64>,
    /// Probability that a flagged proposal is run on to the end anyway (its weight then
    /// carries 1 / this). An assumption: smaller saves more runs and makes weights more
    /// uneven.
    /// unit: probability · range: (0, 1] · default: 0.2
    pub continue_probability: Option<f64>,
}

/// The title of the published targets schema.
pub const SCHEMA_TITLE: &str = "medgroup targets file";

/// The published JSON Schema of a targets file (`scenarios/targets.schema.json`), or every
/// documentation error of its types.
pub fn schema() -> Result<serde_json::Value, Vec<String>> {
    crate::schema::publish::<TargetsFile>(SCHEMA_TITLE, &["unit", "range", "default"])
}

// ---------------------------------------------------------------------------------------------
// Validated types.

/// How far a simulated value may be from the observed one.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Tolerance {
    /// ± this much, in the output's unit (> 0).
    Absolute { value: f64 },
    /// ± this fraction of |observed| (> 0; observed ≠ 0).
    Relative { fraction: f64 },
    /// Anywhere in [lo, hi], with lo < observed < hi.
    Range { lo: f64, hi: f64 },
}

impl Tolerance {
    /// The distance scale on the side of `simulated`: the half-width of the acceptable interval
    /// below or above `observed`.
    pub fn scale(&self, observed: f64, simulated: f64) -> f64 {
        match *self {
            Tolerance::Absolute { value } => value,
            Tolerance::Relative { fraction } => fraction * observed.abs(),
            Tolerance::Range { lo, hi } => {
                if simulated < observed {
                    observed - lo
                } else {
                    hi - observed
                }
            }
        }
    }

    /// The acceptable interval [lo, hi] around `observed`.
    pub fn interval(&self, observed: f64) -> (f64, f64) {
        match *self {
            Tolerance::Range { lo, hi } => (lo, hi),
            _ => {
                let s = self.scale(observed, observed);
                (observed - s, observed + s)
            }
        }
    }

    /// Whether `value` is within tolerance of `observed` (interval ends included).
    pub fn accepts(&self, observed: f64, value: f64) -> bool {
        let (lo, hi) = self.interval(observed);
        value >= lo && value <= hi
    }

    /// A short description, e.g. `±0.03`, `±20 %`, `[20, 45]`.
    pub fn describe(&self) -> String {
        match *self {
            Tolerance::Absolute { value } => format!("±{value}"),
            Tolerance::Relative { fraction } => format!("±{} %", fraction * 100.0),
            Tolerance::Range { lo, hi } => format!("[{lo}, {hi}]"),
        }
    }
}

/// Recorded days a target averages over: [from_day, to_day), counted from the end of warm-up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Window {
    pub from_day: u32,
    pub to_day: u32,
}

/// A validated calibration target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Target {
    pub name: String,
    /// A model output name, known to the caller.
    pub output: String,
    /// `key=value;…` selecting one row of the output; `None` for the output's overall row.
    pub breakdown: Option<String>,
    /// In the output's own unit.
    pub observed: f64,
    pub tolerance: Tolerance,
    /// ≥ 0; the target's weight in the ABC distance.
    pub weight: f64,
    /// `None`: the whole recorded run.
    pub window: Option<Window>,
    pub source: String,
    pub definition: String,
    /// Another target of the same output whose change to this one has a direction to check.
    pub compare_with: Option<String>,
}

/// A validated calibrated parameter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Parameter {
    /// Scenario key path; opaque to this crate.
    pub key: String,
    pub prior: Prior,
    pub note: String,
}

/// Settings of an ABC-SMC run (see [`crate::abc`] for what each one does).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AbcSettings {
    /// Particles kept per generation (N). Default 100.
    pub particles: usize,
    /// Proposals simulated per generation (M ≥ N); the tolerance is the distance of the N-th
    /// best among them and the previous population. Default 400.
    pub simulations_per_generation: usize,
    /// Largest number of generations. Default 5, so that the defaults cost 2,000 proposals.
    pub generations: u32,
    /// Simulations averaged per proposal (R). Default 1: one stochastic draw per proposal.
    pub replications: u32,
    /// Master seed of the calibration; `None`: the caller's (e.g. the scenario's) seed.
    pub seed: Option<u64>,
    /// Stop once the tolerance ε is at or below this (≥ 0). Default 0: never on this rule
    /// unless ε reaches 0.
    pub min_epsilon: f64,
    /// Stop once the share of a generation's proposals within the previous ε falls below this,
    /// in [0, 1) (Lenormand et al. 2013 suggest 0.01–0.05). Default 0: off.
    pub min_acceptance: f64,
    /// Perturbation kernel covariance = kernel_scale × the weighted population covariance
    /// (Beaumont et al. 2009: 2). Default 2.
    pub kernel_scale: f64,
    /// Posterior-predictive simulations for the fit report. Default 100.
    pub predictive_simulations: usize,
    /// The early look at proposals (lazy ABC); `None`: off.
    pub lazy: Option<LazySettings>,
}

/// Validated `[abc.lazy]` settings (see [`LazyFile`]).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LazySettings {
    /// Recorded days after which a proposal's first run is looked at.
    pub check_day: u32,
    /// Flag when the year-to-date distance exceeds `factor` × the previous ε.
    pub factor: f64,
    /// Probability that a flagged proposal is run on.
    pub continue_probability: f64,
}

impl LazySettings {
    pub const DEFAULT_FACTOR: f64 = 1.0;
    pub const DEFAULT_CONTINUE_PROBABILITY: f64 = 0.2;
}

impl Default for AbcSettings {
    fn default() -> AbcSettings {
        AbcSettings {
            particles: 100,
            simulations_per_generation: 400,
            generations: 5,
            replications: 1,
            seed: None,
            min_epsilon: 0.0,
            min_acceptance: 0.0,
            kernel_scale: 2.0,
            predictive_simulations: 100,
            lazy: None,
        }
    }
}

impl AbcSettings {
    /// Checks the settings, reporting problems under `abc.…`; used by validation and by
    /// [`crate::abc::AbcSmc::new`].
    pub fn check(&self, n_parameters: usize) -> Vec<Problem> {
        let mut c = Checker::new();
        let s = self;
        if s.particles < 2 || s.particles > 1_000_000 {
            c.fail("abc.particles", format!("must be an integer in 2..=1000000, got {}", s.particles));
        } else if s.particles <= n_parameters {
            c.fail(
                "abc.particles",
                format!(
                    "must exceed the number of parameters ({n_parameters}) so that the kernel covariance \
                     is not singular, got {}",
                    s.particles
                ),
            );
        }
        if s.simulations_per_generation < s.particles || s.simulations_per_generation > 100_000_000 {
            c.fail(
                "abc.simulations_per_generation",
                format!(
                    "must be an integer in {}..=100000000 (at least abc.particles), got {}",
                    s.particles, s.simulations_per_generation
                ),
            );
        }
        if s.generations < 1 || s.generations > 1000 {
            c.fail("abc.generations", format!("must be an integer in 1..=1000, got {}", s.generations));
        }
        if s.replications < 1 || s.replications > 1000 {
            c.fail("abc.replications", format!("must be an integer in 1..=1000, got {}", s.replications));
        }
        if !(s.min_epsilon.is_finite() && s.min_epsilon >= 0.0) {
            c.fail("abc.min_epsilon", format!("must be a number ≥ 0, got {}", s.min_epsilon));
        }
        if !(s.min_acceptance >= 0.0 && s.min_acceptance < 1.0) {
            c.fail("abc.min_acceptance", format!("must be a number in [0, 1), got {}", s.min_acceptance));
        }
        if !(s.kernel_scale.is_finite() && s.kernel_scale > 0.0 && s.kernel_scale <= 100.0) {
            c.fail("abc.kernel_scale", format!("must be a number in (0, 100], got {}", s.kernel_scale));
        }
        if s.predictive_simulations < 1 || s.predictive_simulations > 1_000_000 {
            c.fail(
                "abc.predictive_simulations",
                format!("must be an integer in 1..=1000000, got {}", s.predictive_simulations),
            );
        }
        if let Some(l) = &s.lazy {
            if !(l.factor.is_finite() && (1.0..=1000.0).contains(&l.factor)) {
                c.fail("abc.lazy.factor", format!("must be a number in [1, 1000], got {}", l.factor));
            }
            if !(l.continue_probability > 0.0 && l.continue_probability <= 1.0) {
                c.fail(
                    "abc.lazy.continue_probability",
                    format!("must be a number in (0, 1], got {}", l.continue_probability),
                );
            }
        }
        c.into_problems()
    }
}

/// A validated targets file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Calibration {
    pub targets: Vec<Target>,
    pub parameters: Vec<Parameter>,
    pub abc: AbcSettings,
}

// ---------------------------------------------------------------------------------------------
// Errors.

/// Why a targets file could not be used. The caller adds the file name.
#[derive(Debug, Clone, PartialEq)]
pub enum TargetsError {
    /// Not valid TOML.
    Syntax(String),
    /// A required key is missing or a value has the wrong type (the first one met).
    Schema { key: String, message: String },
    /// Unknown keys, or broken rules: every one of them.
    Invalid(Vec<Problem>),
}

impl fmt::Display for TargetsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TargetsError::Syntax(m) => write!(f, "not valid TOML: {m}"),
            TargetsError::Schema { key, message } => write!(f, "{key}: {message}"),
            TargetsError::Invalid(problems) => {
                write!(f, "{} problem(s):", problems.len())?;
                for p in problems {
                    write!(f, "\n  - {p}")?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for TargetsError {}

impl TargetsError {
    /// The individual problems of an `Invalid` error (empty otherwise).
    pub fn problems(&self) -> &[Problem] {
        match self {
            TargetsError::Invalid(p) => p,
            _ => &[],
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Reading.

/// Parses targets-file text, collecting every unknown key (each reported with its path).
pub fn parse(text: &str) -> Result<TargetsFile, TargetsError> {
    let value: toml::Value = toml::from_str(text).map_err(|e| TargetsError::Syntax(e.to_string()))?;
    let mut unknown = Vec::new();
    let mut track = |p: serde_ignored::Path<'_>| unknown.push(key_path(&p.to_string()));
    let de = serde_ignored::Deserializer::new(value, &mut track);
    let file: TargetsFile = serde_path_to_error::deserialize(de).map_err(|e| TargetsError::Schema {
        key: key_path(&e.path().to_string()),
        message: e.inner().to_string(),
    })?;
    if !unknown.is_empty() {
        let problems = unknown
            .into_iter()
            .map(|key| Problem {
                key,
                message: "unknown key (check its spelling and section; allowed sections: \
                          [[target]], [[parameter]], [abc])"
                    .into(),
            })
            .collect();
        return Err(TargetsError::Invalid(problems));
    }
    Ok(file)
}

/// Parses and validates targets-file text.
pub fn load_str(text: &str, known: &Known<'_>) -> Result<Calibration, TargetsError> {
    parse(text)?.validate(known).map_err(TargetsError::Invalid)
}

/// What the caller knows about the model and the scenario.
pub struct Known<'a> {
    /// Every output (metric) name the model reports.
    pub outputs: &'a [&'a str],
    /// Whether a key path names a parameter of the scenario being calibrated.
    pub has_parameter: &'a dyn Fn(&str) -> bool,
    /// Recorded days of a run (after warm-up), when known: windows must fit inside.
    pub recorded_days: Option<u32>,
}

/// Parses one command-line parameter: `KEY=uniform:LO:HI`, `KEY=log_uniform:LO:HI` or
/// `KEY=normal:MEAN:SD[:LO:HI]`. The result is validated with the file's parameters.
pub fn parse_parameter_arg(arg: &str) -> Result<ParameterFile, String> {
    let usage = "expected KEY=uniform:LO:HI, KEY=log_uniform:LO:HI or KEY=normal:MEAN:SD[:LO:HI]";
    let (key, spec) = arg.split_once('=').ok_or_else(|| format!("`{arg}`: {usage}"))?;
    let mut parts = spec.split(':');
    let kind = parts.next().unwrap_or_default();
    let numbers: Vec<f64> = parts
        .map(|s| s.trim().parse::<f64>().map_err(|_| format!("`{arg}`: `{s}` is not a number; {usage}")))
        .collect::<Result<_, _>>()?;
    let mut p = ParameterFile { key: key.trim().to_string(), prior: kind.to_string(), ..Default::default() };
    match (kind, numbers.as_slice()) {
        ("uniform" | "log_uniform", &[lo, hi]) => {
            p.lo = Some(lo);
            p.hi = Some(hi);
        }
        ("normal", &[mean, sd]) => {
            p.mean = Some(mean);
            p.sd = Some(sd);
        }
        ("normal", &[mean, sd, lo, hi]) => {
            (p.mean, p.sd, p.lo, p.hi) = (Some(mean), Some(sd), Some(lo), Some(hi));
        }
        _ => return Err(format!("`{arg}`: {usage}")),
    }
    Ok(p)
}

impl TargetsFile {
    /// Adds a parameter, replacing any with the same key (command-line parameters override the
    /// file's).
    pub fn set_parameter(&mut self, p: ParameterFile) {
        match self.parameter.iter_mut().find(|q| q.key == p.key) {
            Some(q) => *q = p,
            None => self.parameter.push(p),
        }
    }

    /// Checks every rule and returns the validated calibration, or every broken rule.
    /// Validates the targets alone (for `check`, which fits nothing: `[[parameter]]` and `[abc]`
    /// are not needed and not read).
    pub fn validate_targets(&self, known: &Known<'_>) -> Result<Vec<Target>, Vec<Problem>> {
        let mut c = Checker::new();
        if self.target.is_empty() {
            c.fail("target", "at least one [[target]] is needed");
        }
        let targets = self.check_targets(&mut c, known);
        c.finish(targets)
    }

    fn check_targets(&self, c: &mut Checker, known: &Known<'_>) -> Vec<Target> {
        let mut names = BTreeSet::new();
        let targets: Vec<Target> = self
            .target
            .iter()
            .enumerate()
            .filter_map(|(i, t)| check_target(c, i, t, known, &mut names))
            .collect();
        for (i, t) in self.target.iter().enumerate() {
            let Some(other) = &t.compare_with else { continue };
            let key = format!("target[{i}].compare_with");
            match self.target.iter().find(|o| &o.name == other) {
                None => c.fail(key, format!("names no target: \"{other}\"")),
                Some(o) if o.name == t.name => c.fail(key, "names the target itself"),
                Some(o) if o.output != t.output => c.fail(
                    key,
                    format!(
                        "\"{other}\" is of output {}, this target of {}: compare a figure with itself",
                        o.output, t.output
                    ),
                ),
                Some(_) => {}
            }
        }
        targets
    }

    fn check_parameters(&self, c: &mut Checker, known: &Known<'_>) -> Vec<Parameter> {
        let mut keys = BTreeSet::new();
        self.parameter
            .iter()
            .enumerate()
            .filter_map(|(i, p)| check_parameter(c, i, p, known, &mut keys))
            .collect()
    }

    /// Validates the `[[parameter]]` priors alone (for drawing parameter vectors under
    /// uncertainty: targets and `[abc]` are not needed, and those present are checked too, so a
    /// broken file is never half read).
    pub fn validate_parameters(&self, known: &Known<'_>) -> Result<Vec<Parameter>, Vec<Problem>> {
        let mut c = Checker::new();
        if self.parameter.is_empty() {
            c.fail("parameter", "at least one [[parameter]] with a prior is needed to draw from");
        }
        self.check_targets(&mut c, known);
        let parameters = self.check_parameters(&mut c, known);
        check_abc(&mut c, self.abc.as_ref().unwrap_or(&AbcFile::default()), self.parameter.len());
        c.finish(parameters)
    }

    pub fn validate(&self, known: &Known<'_>) -> Result<Calibration, Vec<Problem>> {
        let mut c = Checker::new();
        if self.target.is_empty() {
            c.fail("target", "at least one [[target]] is needed");
        }
        if self.parameter.is_empty() {
            c.fail("parameter", "at least one [[parameter]] is needed (in the file or on the command line)");
        }
        let targets = self.check_targets(&mut c, known);
        if !self.target.is_empty() && self.target.iter().all(|t| t.weight.is_some_and(|w| w <= 0.0)) {
            c.fail("target", "at least one target needs a weight > 0");
        }
        let parameters = self.check_parameters(&mut c, known);
        let abc = check_abc(&mut c, self.abc.as_ref().unwrap_or(&AbcFile::default()), self.parameter.len());
        c.finish(Calibration { targets, parameters, abc })
    }
}

fn finite(c: &mut Checker, key: &str, v: f64) -> bool {
    if v.is_finite() {
        true
    } else {
        c.fail(key, format!("must be a finite number, got {v}"));
        false
    }
}

fn text(c: &mut Checker, key: &str, v: &Option<String>, what: &str) -> String {
    match v.as_deref().map(str::trim) {
        Some(s) if !s.is_empty() => s.to_string(),
        _ => {
            c.fail(key, format!("is required: {what}"));
            String::new()
        }
    }
}

fn check_target(
    c: &mut Checker,
    i: usize,
    t: &TargetFile,
    known: &Known<'_>,
    names: &mut BTreeSet<String>,
) -> Option<Target> {
    let at = |k: &str| format!("target[{i}].{k}");
    let before = c.count();
    if t.name.trim().is_empty() {
        c.fail(at("name"), "must be a non-empty label");
    } else if !names.insert(t.name.clone()) {
        c.fail(at("name"), format!("`{}` is used by an earlier target; names must be unique", t.name));
    }
    if !known.outputs.contains(&t.output.as_str()) {
        c.fail(
            at("output"),
            format!("unknown output `{}`; known outputs: {}", t.output, known.outputs.join(", ")),
        );
    }
    if let Some(Err(m)) = t.breakdown.as_deref().map(check_breakdown) {
        c.fail(at("breakdown"), m);
    }
    let observed_ok = finite(c, &at("observed"), t.observed);
    let given = [t.tolerance.is_some(), t.relative_tolerance.is_some(), t.range.is_some()];
    let tolerance = match (t.tolerance, t.relative_tolerance, &t.range) {
        _ if given.iter().filter(|g| **g).count() != 1 => {
            c.fail(
                at("tolerance"),
                "give exactly one of `tolerance` (absolute, > 0), `relative_tolerance` (a fraction > 0 of \
                 |observed|) or `range = [lo, hi]` (lo < observed < hi)",
            );
            None
        }
        (Some(v), _, _) => {
            if v.is_finite() && v > 0.0 {
                Some(Tolerance::Absolute { value: v })
            } else {
                c.fail(at("tolerance"), format!("must be a finite number > 0, got {v}"));
                None
            }
        }
        (_, Some(f), _) => {
            if !(f.is_finite() && f > 0.0) {
                c.fail(at("relative_tolerance"), format!("must be a finite number > 0, got {f}"));
                None
            } else if observed_ok && t.observed == 0.0 {
                c.fail(
                    at("relative_tolerance"),
                    "needs observed ≠ 0; use an absolute `tolerance` for a zero target",
                );
                None
            } else {
                Some(Tolerance::Relative { fraction: f })
            }
        }
        (_, _, Some(r)) => match r.as_slice() {
            &[lo, hi] if lo.is_finite() && hi.is_finite() && lo < t.observed && t.observed < hi => {
                Some(Tolerance::Range { lo, hi })
            }
            _ => {
                c.fail(
                    at("range"),
                    format!("must be [lo, hi] with lo < observed ({}) < hi, got {r:?}", t.observed),
                );
                None
            }
        },
        _ => unreachable!("exactly one tolerance is given"),
    };
    let weight = match t.weight {
        Some(w) if w.is_finite() && w >= 0.0 => w,
        Some(w) => {
            c.fail(at("weight"), format!("must be a finite number ≥ 0, got {w}"));
            0.0
        }
        None => {
            c.fail(at("weight"), "is required: a number ≥ 0 (0 reports the target without fitting it)");
            0.0
        }
    };
    let window = t.window.and_then(|w| {
        let max = known.recorded_days.map_or(i64::from(u32::MAX), i64::from);
        let within = |d: i64| (0..=max).contains(&d);
        if within(w.from_day) && within(w.to_day) && w.from_day < w.to_day {
            Some(Window { from_day: w.from_day as u32, to_day: w.to_day as u32 })
        } else {
            c.fail(
                at("window"),
                format!(
                    "needs 0 ≤ from_day < to_day ≤ {} (recorded days after warm-up), got from_day = {}, \
                     to_day = {}",
                    known.recorded_days.map_or("the run's recorded days".to_string(), |d| d.to_string()),
                    w.from_day,
                    w.to_day
                ),
            );
            None
        }
    });
    let source = text(c, &at("source"), &t.source, "where the observed value comes from");
    let definition = text(c, &at("definition"), &t.definition, "the numerator, denominator and period");
    if c.count() > before {
        return None;
    }
    Some(Target {
        name: t.name.clone(),
        output: t.output.clone(),
        breakdown: t.breakdown.clone(),
        observed: t.observed,
        tolerance: tolerance?,
        weight,
        window,
        source,
        definition,
        compare_with: t.compare_with.clone(),
    })
}

/// A breakdown is `key=value` pairs joined by `;`, keys unique and both sides non-empty.
fn check_breakdown(b: &str) -> Result<(), String> {
    let mut keys = BTreeSet::new();
    for pair in b.split(';') {
        match pair.split_once('=') {
            Some((k, v)) if !k.trim().is_empty() && !v.trim().is_empty() => {
                if !keys.insert(k.trim()) {
                    return Err(format!("key `{}` appears twice in `{b}`", k.trim()));
                }
            }
            _ => {
                return Err(format!(
                    "must be `key=value` pairs joined by `;` (e.g. `tier=primary`), got `{b}`"
                ));
            }
        }
    }
    Ok(())
}

fn check_parameter(
    c: &mut Checker,
    i: usize,
    p: &ParameterFile,
    known: &Known<'_>,
    keys: &mut BTreeSet<String>,
) -> Option<Parameter> {
    let at = |k: &str| format!("parameter[{i}].{k}");
    let key_ok = c.count();
    if p.key.trim().is_empty() {
        c.fail(at("key"), "must be a scenario key path, e.g. `choice.bypass_propensity`");
    } else if !keys.insert(p.key.clone()) {
        c.fail(
            at("key"),
            format!("`{}` is calibrated by an earlier [[parameter]]; keys must be unique", p.key),
        );
    } else if !(known.has_parameter)(&p.key) {
        c.fail(at("key"), format!("`{}` is not a parameter of the scenario", p.key));
    }
    let key_ok = c.count() == key_ok;
    // The prior is checked even when the key is wrong, so that both are reported at once.
    let before = c.count();
    let need = |c: &mut Checker, name: &str, v: Option<f64>| -> f64 {
        match v {
            Some(x) => x,
            None => {
                c.fail(at(name), format!("is required for prior = \"{}\"", p.prior));
                f64::NAN
            }
        }
    };
    let forbid = |c: &mut Checker, name: &str, v: Option<f64>| {
        if v.is_some() {
            c.fail(at(name), format!("is not used by prior = \"{}\" (only by \"normal\")", p.prior));
        }
    };
    let prior = match p.prior.as_str() {
        "uniform" | "log_uniform" => {
            forbid(c, "mean", p.mean);
            forbid(c, "sd", p.sd);
            let (lo, hi) = (need(c, "lo", p.lo), need(c, "hi", p.hi));
            if p.prior == "uniform" { Prior::Uniform { lo, hi } } else { Prior::LogUniform { lo, hi } }
        }
        "normal" => {
            Prior::Normal { mean: need(c, "mean", p.mean), sd: need(c, "sd", p.sd), lo: p.lo, hi: p.hi }
        }
        other => {
            c.fail(
                at("prior"),
                format!("must be one of \"uniform\", \"log_uniform\", \"normal\", got \"{other}\""),
            );
            return None;
        }
    };
    if c.count() > before {
        return None;
    }
    if let Err(m) = prior.check() {
        c.fail(at("prior"), m);
        return None;
    }
    if !key_ok {
        return None;
    }
    Some(Parameter { key: p.key.clone(), prior, note: p.note.clone().unwrap_or_default() })
}

fn check_abc(c: &mut Checker, f: &AbcFile, n_parameters: usize) -> AbcSettings {
    let d = AbcSettings::default();
    let mut int = |key: &str, v: Option<i64>, default: i64| -> i64 {
        match v {
            Some(x) if x < 0 => {
                c.fail(format!("abc.{key}"), format!("must be a non-negative integer, got {x}"));
                default
            }
            Some(x) => x,
            None => default,
        }
    };
    let particles = int("particles", f.particles, d.particles as i64) as usize;
    let simulations_per_generation =
        int("simulations_per_generation", f.simulations_per_generation, d.simulations_per_generation as i64)
            as usize;
    let generations =
        int("generations", f.generations, i64::from(d.generations)).min(i64::from(u32::MAX)) as u32;
    let replications =
        int("replications", f.replications, i64::from(d.replications)).min(i64::from(u32::MAX)) as u32;
    let seed = f.seed.map(|s| int("seed", Some(s), 0) as u64);
    let predictive_simulations =
        int("predictive_simulations", f.predictive_simulations, d.predictive_simulations as i64) as usize;
    let s = AbcSettings {
        particles,
        simulations_per_generation,
        generations,
        replications,
        seed,
        min_epsilon: f.min_epsilon.unwrap_or(d.min_epsilon),
        min_acceptance: f.min_acceptance.unwrap_or(d.min_acceptance),
        kernel_scale: f.kernel_scale.unwrap_or(d.kernel_scale),
        predictive_simulations,
        // A problem here fails the whole file, so the value kept with it is never used.
        lazy: f.lazy.as_ref().map(|l| LazySettings {
            check_day: match l.check_day {
                None => {
                    c.fail("abc.lazy.check_day", "is required in an [abc.lazy] table");
                    1
                }
                Some(day) if !(1..=100_000).contains(&day) => {
                    c.fail("abc.lazy.check_day", format!("must be an integer in 1..=100000, got {day}"));
                    1
                }
                Some(day) => day as u32,
            },
            factor: l.factor.unwrap_or(LazySettings::DEFAULT_FACTOR),
            continue_probability: l
                .continue_probability
                .unwrap_or(LazySettings::DEFAULT_CONTINUE_PROBABILITY),
        }),
    };
    c.extend(s.check(n_parameters));
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    const OUTPUTS: &[&str] = &["primary_care_visit_share", "referrals_up_per_year", "outpatient_wait_days"];

    fn has_parameter(k: &str) -> bool {
        ["choice.bypass_propensity", "referral.friction", "care.capability"].contains(&k)
    }

    fn known() -> Known<'static> {
        Known { outputs: OUTPUTS, has_parameter: &has_parameter, recorded_days: Some(365) }
    }

    const GOOD: &str = r#"
[[target]]
name = "Q1"
output = "primary_care_visit_share"
observed = 0.51
tolerance = 0.03
weight = 1.0
window = { from_day = 0, to_day = 365 }
source = "Qingpu lead hospital, 2024 journal article"
definition = "CHC visits / all outpatient+emergency visits at public institutions, 2023"

[[target]]
name = "wait"
output = "outpatient_wait_days"
breakdown = "tier=lead;channel=self"
observed = 30
range = [20, 45]
weight = 0.25
source = "one reported case"
definition = "booking to visit, days"

[[target]]
name = "G1"
output = "referrals_up_per_year"
observed = 220000
relative_tolerance = 0.15
weight = 0
source = "Guangming policy analysis 2024"
definition = "CHC-booked hospital appointments per year"

[[parameter]]
key = "choice.bypass_propensity"
prior = "uniform"
lo = 0.0
hi = 2.0
note = "assumption"

[[parameter]]
key = "referral.friction"
prior = "log_uniform"
lo = 0.01
hi = 1.0

[[parameter]]
key = "care.capability"
prior = "normal"
mean = 0.6
sd = 0.1
lo = 0.0
hi = 1.0

[abc]
particles = 50
simulations_per_generation = 200
generations = 3
seed = 11
"#;

    #[test]
    fn a_good_file_validates_with_its_values() {
        let cal = load_str(GOOD, &known()).unwrap();
        assert_eq!(cal.targets.len(), 3);
        assert_eq!(cal.targets[0].tolerance, Tolerance::Absolute { value: 0.03 });
        assert_eq!(cal.targets[0].window, Some(Window { from_day: 0, to_day: 365 }));
        assert_eq!(cal.targets[1].tolerance, Tolerance::Range { lo: 20.0, hi: 45.0 });
        assert_eq!(cal.targets[1].breakdown.as_deref(), Some("tier=lead;channel=self"));
        assert_eq!(cal.targets[2].tolerance, Tolerance::Relative { fraction: 0.15 });
        assert_eq!(cal.parameters[1].prior, Prior::LogUniform { lo: 0.01, hi: 1.0 });
        assert_eq!(
            cal.parameters[2].prior,
            Prior::Normal { mean: 0.6, sd: 0.1, lo: Some(0.0), hi: Some(1.0) }
        );
        assert_eq!(cal.abc.particles, 50);
        assert_eq!(cal.abc.seed, Some(11));
        assert_eq!(cal.abc.replications, 1, "unset keys take their defaults");
        // Tolerances: the range is asymmetric, the relative one scales with |observed|.
        let t = &cal.targets[1].tolerance;
        assert_eq!((t.scale(30.0, 25.0), t.scale(30.0, 40.0)), (10.0, 15.0));
        assert!(t.accepts(30.0, 45.0) && !t.accepts(30.0, 19.9));
        assert_eq!(cal.targets[2].tolerance.interval(220000.0), (187000.0, 253000.0));
    }

    #[test]
    fn unknown_keys_are_all_reported_with_their_paths() {
        let text = GOOD.replace("weight = 0.25", "wieght = 0.25").replace("seed = 11", "sed = 11");
        let err = parse(&format!("{text}\n[extra]\nx = 1\n")).unwrap_err();
        let keys: Vec<&str> = err.problems().iter().map(|p| p.key.as_str()).collect();
        assert_eq!(keys.len(), 3, "{err}");
        for k in ["target[1].wieght", "abc.sed", "extra"] {
            assert!(keys.contains(&k), "{k} missing from {keys:?}");
        }
    }

    #[test]
    fn syntax_and_schema_errors_name_the_key() {
        assert!(matches!(parse("[[target]\n"), Err(TargetsError::Syntax(_))));
        let err = parse("[[target]]\nname = \"a\"\noutput = \"x\"\nobserved = \"high\"\n").unwrap_err();
        match err {
            TargetsError::Schema { key, .. } => assert_eq!(key, "target[0].observed"),
            other => panic!("expected a schema error, got {other:?}"),
        }
    }

    /// Every class of broken rule, in one file: each must be reported, with its key path.
    #[test]
    fn every_broken_rule_is_reported_at_once() {
        let text = r#"
[[target]]
name = "a"
output = "primary_care_visits"
breakdown = "tier"
observed = 0.5
tolerance = 0.0
weight = -1
window = { from_day = 100, to_day = 50 }
source = ""

[[target]]
name = "a"
output = "referrals_up_per_year"
observed = 0.0
relative_tolerance = 0.1
weight = 1
source = "s"
definition = "d"

[[target]]
name = "c"
output = "outpatient_wait_days"
observed = 30
range = [31, 45]
tolerance = 2
source = "s"
definition = "d"

[[target]]
name = "d"
output = "outpatient_wait_days"
observed = 30
range = [35, 45]
weight = 1
window = { from_day = 0, to_day = 400 }
source = "s"
definition = "d"

[[parameter]]
key = "choice.bypas_propensity"
prior = "uniform"
lo = 1.0
hi = 1.0

[[parameter]]
key = "referral.friction"
prior = "log_uniform"
lo = 0.0
hi = 1.0
mean = 0.5

[[parameter]]
key = "referral.friction"
prior = "gamma"

[[parameter]]
key = "care.capability"
prior = "normal"
mean = 0.5

[abc]
particles = 1
simulations_per_generation = 0
generations = 0
replications = -2
min_acceptance = 1.5
kernel_scale = 0

[abc.lazy]
factor = 0.5
continue_probability = 0
"#;
        let err = load_str(text, &known()).unwrap_err();
        let problems = err.problems();
        let expect = [
            ("target[0].output", "known outputs: primary_care_visit_share, referrals_up_per_year"),
            ("target[0].breakdown", "key=value"),
            ("target[0].tolerance", "> 0"),
            ("target[0].weight", "≥ 0"),
            ("target[0].window", "from_day < to_day ≤ 365"),
            ("target[0].source", "is required"),
            ("target[0].definition", "is required"),
            ("target[1].name", "unique"),
            ("target[1].relative_tolerance", "observed ≠ 0"),
            ("target[2].tolerance", "exactly one"),
            ("target[2].weight", "is required"),
            ("target[3].range", "lo < observed (30) < hi"),
            ("target[3].window", "to_day ≤ 365"),
            ("parameter[0].key", "not a parameter of the scenario"),
            ("parameter[0].prior", "lo < hi"),
            ("parameter[1].mean", "only by \"normal\""),
            ("parameter[2].key", "keys must be unique"),
            ("parameter[2].prior", "\"uniform\", \"log_uniform\", \"normal\""),
            ("parameter[3].sd", "is required"),
            ("abc.particles", "2..=1000000"),
            ("abc.simulations_per_generation", "at least abc.particles"),
            ("abc.generations", "1..=1000"),
            ("abc.replications", "non-negative"),
            ("abc.min_acceptance", "[0, 1)"),
            ("abc.kernel_scale", "(0, 100]"),
            ("abc.lazy.check_day", "is required"),
            ("abc.lazy.factor", "[1, 1000]"),
            ("abc.lazy.continue_probability", "(0, 1]"),
        ];
        for (key, needle) in expect {
            assert!(
                problems.iter().any(|p| p.key == key && p.message.contains(needle)),
                "no problem at {key} containing `{needle}`; got:\n{err}"
            );
        }
        // A log-uniform lo of 0 is caught once the `mean` problem is fixed.
        let fixed =
            text.replace("mean = 0.5\n\n[[parameter]]\nkey = \"referral.friction\"\nprior = \"gamma\"", "");
        let err = load_str(&fixed, &known()).unwrap_err();
        assert!(
            err.problems().iter().any(|p| p.key == "parameter[1].prior" && p.message.contains("lo > 0")),
            "{err}"
        );
    }

    #[test]
    fn empty_files_and_all_zero_weights_are_refused() {
        let err = load_str("", &known()).unwrap_err();
        let keys: Vec<&str> = err.problems().iter().map(|p| p.key.as_str()).collect();
        assert_eq!(keys, ["target", "parameter"]);
        let zero = GOOD.replace("weight = 1.0", "weight = 0").replace("weight = 0.25", "weight = 0");
        let err = load_str(&zero, &known()).unwrap_err();
        assert!(
            err.problems().iter().any(|p| p.key == "target" && p.message.contains("weight > 0")),
            "{err}"
        );
    }

    #[test]
    fn particles_must_exceed_the_number_of_parameters() {
        let text = GOOD.replace("particles = 50", "particles = 3");
        let err = load_str(&text, &known()).unwrap_err();
        assert!(
            err.problems().iter().any(|p| p.key == "abc.particles" && p.message.contains("(3)")),
            "{err}"
        );
    }

    #[test]
    fn command_line_parameters_parse_and_override() {
        let p = parse_parameter_arg("choice.bypass_propensity=uniform:0:3").unwrap();
        assert_eq!((p.prior.as_str(), p.lo, p.hi), ("uniform", Some(0.0), Some(3.0)));
        let n = parse_parameter_arg("care.capability=normal:0.6:0.1:0:1").unwrap();
        assert_eq!((n.mean, n.sd, n.lo, n.hi), (Some(0.6), Some(0.1), Some(0.0), Some(1.0)));
        for bad in ["nokey", "k=uniform:0", "k=uniform:a:1", "k=beta:1:2", "k=normal:1"] {
            assert!(parse_parameter_arg(bad).is_err(), "{bad} should be refused");
        }
        let mut file = parse(GOOD).unwrap();
        file.set_parameter(p);
        let cal = file.validate(&known()).unwrap();
        assert_eq!(cal.parameters.len(), 3);
        assert_eq!(cal.parameters[0].prior, Prior::Uniform { lo: 0.0, hi: 3.0 });
        // An empty range on the command line is refused like one in the file.
        file.set_parameter(parse_parameter_arg("referral.friction=log_uniform:0.5:0.5").unwrap());
        let problems = file.validate(&known()).unwrap_err();
        assert!(problems.iter().any(|p| p.key == "parameter[1].prior" && p.message.contains("lo < hi")));
    }
}
