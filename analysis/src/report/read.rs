//! Reading a results folder: a run, a comparison or a sweep.
//!
//! Columns are found by name in each CSV header, never by position. Every problem found in a
//! folder (a missing file, a missing column, a manifest without a field the report needs) is
//! collected and reported together, so that an incomplete folder or one from an older format
//! gets one clear message rather than a broken report.

use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// What went wrong reading a results folder.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("{} is not a folder: give the folder a `medgroup run`, `compare` or `sweep` wrote (its --out)", .0.display())]
    NotAFolder(PathBuf),
    #[error(
        "{dir} cannot be reported on ({kind} folder):\n{}\nRe-run the command that wrote it with this version of medgroup.",
        problems.iter().map(|p| format!("  - {p}")).collect::<Vec<_>>().join("\n"),
        dir = .dir.display()
    )]
    Incomplete { dir: PathBuf, kind: String, problems: Vec<String> },
    #[error("{} holds a {kind}, which `medgroup report` does not read: {why}", .dir.display())]
    NoReport { dir: PathBuf, kind: String, why: String },
}

/// Kind of results folder, from the manifest's `kind` (a missing kind is a run).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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

/// The parts of a manifest the report shows.
#[derive(Debug, Clone, Default)]
pub struct Manifest {
    pub version: String,
    pub scenario: String,
    pub scenario_hash: String,
    pub seed: Option<u64>,
    pub replications: Option<u64>,
    pub days: Option<u64>,
    pub warmup_days: Option<u64>,
    pub scenario_files: Vec<String>,
    /// The resolved scenario (TOML text), if recorded.
    pub resolved: Option<String>,
    /// The scenario this one extends: (file, resolved TOML text), if recorded.
    pub extends: Option<(String, String)>,
    /// The whole manifest, for fields only some kinds have.
    pub raw: Value,
}

impl Manifest {
    fn from_json(v: Value) -> Manifest {
        let s = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or_default().to_string();
        let u = |k: &str| v.get(k).and_then(Value::as_u64);
        Manifest {
            version: s("version"),
            scenario: s("scenario"),
            scenario_hash: s("scenario_hash"),
            seed: u("seed"),
            replications: u("replications"),
            days: u("days"),
            warmup_days: u("warmup_days"),
            scenario_files: v
                .get("scenario_files")
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(Value::as_str).map(str::to_string).collect())
                .unwrap_or_default(),
            resolved: v.get("resolved_scenario").and_then(Value::as_str).map(str::to_string),
            extends: v.get("extends").and_then(|e| {
                Some((
                    e.get("file").and_then(Value::as_str).unwrap_or_default().to_string(),
                    e.get("resolved_scenario")?.as_str()?.to_string(),
                ))
            }),
            raw: v,
        }
    }
}

/// One row of `summary.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct SummaryRow {
    pub metric: String,
    pub breakdown: String,
    pub n: usize,
    pub mean: f64,
    pub sd: f64,
    pub ci_low: f64,
    pub ci_high: f64,
}

/// Daily series: (series, breakdown) → per replication → values by day.
#[derive(Debug, Clone, Default)]
pub struct Daily {
    pub series: BTreeMap<(String, String), BTreeMap<u32, Vec<f64>>>,
}

impl Daily {
    /// Values of one series by replication (each a vector indexed by day).
    pub fn get(&self, series: &str, breakdown: &str) -> Option<&BTreeMap<u32, Vec<f64>>> {
        self.series.get(&(series.to_string(), breakdown.to_string()))
    }

    /// Breakdowns present for a series, in order.
    pub fn breakdowns(&self, series: &str) -> Vec<String> {
        self.series.keys().filter(|(s, _)| s == series).map(|(_, b)| b.clone()).collect()
    }
}

/// A run's files (also each arm of a comparison).
#[derive(Debug, Clone)]
pub struct RunData {
    pub manifest: Manifest,
    pub summary: Vec<SummaryRow>,
    pub daily: Daily,
    /// Per-replication values: (metric, breakdown) → values (empty when not recorded).
    pub replications: BTreeMap<(String, String), Vec<f64>>,
}

impl RunData {
    pub fn summary_of(&self, metric: &str, breakdown: &str) -> Option<&SummaryRow> {
        self.summary.iter().find(|r| r.metric == metric && r.breakdown == breakdown)
    }
}

/// One row of `comparison.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct ComparisonRow {
    pub arm: String,
    pub metric: String,
    pub breakdown: String,
    pub unit: String,
    pub n: usize,
    pub base_mean: f64,
    pub arm_mean: f64,
    pub diff_mean: f64,
    pub diff_ci_low: f64,
    pub diff_ci_high: f64,
    pub pct_change: f64,
    pub pct_ci_low: f64,
    pub pct_ci_high: f64,
    pub significant: bool,
    /// `better`, `worse`, `changed`, `significant`, `negligible` or `not significant`
    /// (`analysis::importance::Verdict`).
    pub verdict: String,
}

/// One arm of a comparison.
#[derive(Debug, Clone)]
pub struct Arm {
    pub name: String,
    pub scenario_file: String,
    pub scenario_hash: String,
    pub data: RunData,
}

#[derive(Debug, Clone)]
pub struct CompareData {
    pub manifest: Manifest,
    pub base: String,
    /// Every arm, the base first.
    pub arms: Vec<Arm>,
    pub rows: Vec<ComparisonRow>,
}

/// One row of `sweep_summary.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepRow {
    pub point: u32,
    /// Value of each swept parameter as written (numbers or words), in the order of
    /// [`SweepData::parameters`].
    pub values: Vec<String>,
    pub metric: String,
    pub breakdown: String,
    pub unit: String,
    pub n: usize,
    pub mean: f64,
    pub ci_low: f64,
    pub ci_high: f64,
}

#[derive(Debug, Clone)]
pub struct SweepData {
    pub manifest: Manifest,
    pub parameters: Vec<String>,
    pub rows: Vec<SweepRow>,
}

/// One row of `uncertainty.csv`: an estimate across parameter draws.
#[derive(Debug, Clone, PartialEq)]
pub struct UncertaintyRow {
    pub arm: String,
    /// `level` (the metric in the arm) or `difference` (the arm's paired difference from the base).
    pub quantity: String,
    pub metric: String,
    pub breakdown: String,
    pub draws: usize,
    pub replications: usize,
    pub base_mean: f64,
    /// Mean over draws.
    pub mean: f64,
    /// Monte Carlo SE of `mean`.
    pub se: f64,
    /// 2.5–97.5 % of the draws' means: the parameter interval.
    pub param_low: f64,
    pub param_high: f64,
    /// Student-t 95 % interval of one draw's replications: the stochastic interval.
    pub stochastic_low: f64,
    pub stochastic_high: f64,
    pub parameter_share: f64,
    pub pct_mean: f64,
    pub pct_param_low: f64,
    pub pct_param_high: f64,
    pub mid: f64,
    /// `higher`, `lower` or `none`.
    pub better: String,
    /// Share of draws whose effect is in the better direction (NaN without a direction).
    pub p_improve: f64,
    /// Share of draws whose effect is beyond the minimal important difference, in the better
    /// direction (NaN without a direction).
    pub p_important: f64,
}

/// Each draw's (mean, change in % of the base) of one estimate, keyed by (arm, quantity, metric,
/// breakdown).
pub type PerDraw = BTreeMap<(String, String, String, String), Vec<(f64, f64)>>;

/// A run or comparison under parameter uncertainty (`--uncertainty prior|posterior`).
#[derive(Debug, Clone)]
pub struct UncertaintyData {
    pub manifest: Manifest,
    /// What ran in every draw: a run or a comparison.
    pub of: Kind,
    /// `prior` or `posterior`, and the targets file or calibration folder drawn from.
    pub source: String,
    pub from: String,
    /// The parameters drawn (key paths), and each draw's values as the manifest records them.
    pub parameters: Vec<String>,
    pub draw_values: Vec<BTreeMap<String, String>>,
    /// (name, scenario file) of every arm, the base first.
    pub arms: Vec<(String, String)>,
    pub rows: Vec<UncertaintyRow>,
    /// Per (arm, quantity, metric, breakdown): each draw's (mean, change in % of the base).
    pub per_draw: PerDraw,
}

/// A results folder of any kind.
#[derive(Debug, Clone)]
pub enum Results {
    Run(RunData),
    Compare(CompareData),
    Sweep(SweepData),
    Uncertainty(UncertaintyData),
}

impl Results {
    pub fn manifest(&self) -> &Manifest {
        match self {
            Results::Run(r) => &r.manifest,
            Results::Compare(c) => &c.manifest,
            Results::Sweep(s) => &s.manifest,
            Results::Uncertainty(u) => &u.manifest,
        }
    }
}

/// Collects problems while reading one folder.
struct Problems(Vec<String>);

impl Problems {
    fn push(&mut self, p: impl Into<String>) {
        self.0.push(p.into());
    }
}

/// Reads a results folder of any kind.
pub fn read(dir: &Path) -> Result<Results, ReadError> {
    if !dir.is_dir() {
        return Err(ReadError::NotAFolder(dir.to_path_buf()));
    }
    let incomplete = |kind: &str, problems: Vec<String>| ReadError::Incomplete {
        dir: dir.to_path_buf(),
        kind: kind.to_string(),
        problems,
    };
    // A calibration, a sensitivity screening or a check writes its own report, not a results
    // folder's: say which files those are (the folder's owner record names the command).
    let owner = std::fs::read_to_string(dir.join("folder.json"))
        .ok()
        .and_then(|t| serde_json::from_str::<Value>(&t).ok())
        .and_then(|v| v.get("command").and_then(Value::as_str).map(str::to_string));
    let written = match owner.as_deref() {
        Some("calibrate") => Some(
            "it reads run, compare and sweep folders; a calibration's own report is fit_report.md \
             (posterior, fit to every target, ABC generations) with fit.svg/.png, beside posterior.csv, \
             posterior_sample.csv, fit.csv and calibrated.toml (run calibrated.toml for a report of its results)",
        ),
        Some("sensitivity") => Some(
            "it reads run, compare and sweep folders; a sensitivity screening's own report is \
             sensitivity.md (Morris μ* and σ per parameter and metric) with sensitivity.svg/.png and sensitivity.csv",
        ),
        Some("check") => Some(
            "it reads run, compare and sweep folders; a check's own report is fit_report.md (each \
             target against the scenario's simulations) with fit.svg/.png and fit.csv",
        ),
        _ => None,
    };
    if let (Some(command), Some(why)) = (owner.as_deref(), written) {
        return Err(ReadError::NoReport {
            dir: dir.to_path_buf(),
            kind: format!("`medgroup {command}` result"),
            why: why.into(),
        });
    }
    let raw = match std::fs::read_to_string(dir.join("manifest.json")) {
        Ok(t) => t,
        Err(_) => {
            return Err(incomplete(
                "unknown",
                vec![
                    "manifest.json is missing: this is not a medgroup results folder, or the command that writes it was interrupted"
                        .into(),
                ],
            ));
        }
    };
    let json: Value = serde_json::from_str(&raw)
        .map_err(|e| incomplete("unknown", vec![format!("manifest.json is not valid JSON ({e})")]))?;
    let kind = match json.get("kind").map(|k| k.as_str()) {
        None => Kind::Run,
        Some(Some("run")) => Kind::Run,
        Some(Some("compare")) => Kind::Compare,
        Some(Some("sweep")) => Kind::Sweep,
        Some(other) => {
            return Err(incomplete(
                "unknown",
                vec![format!(
                    "manifest.json has kind {}; this version reads \"run\", \"compare\" and \"sweep\"",
                    other.map(|s| format!("\"{s}\"")).unwrap_or_else(|| json["kind"].to_string())
                )],
            ));
        }
    };
    let under_uncertainty = json.get("uncertainty").is_some();
    let manifest = Manifest::from_json(json);
    let mut p = Problems(Vec::new());
    if under_uncertainty {
        if kind == Kind::Sweep {
            p.push("manifest.json records a sweep under parameter uncertainty, which medgroup does not run");
            return Err(incomplete("sweep", p.0));
        }
        return match read_uncertainty(dir, manifest, kind, &mut p) {
            Some(u) if p.0.is_empty() => Ok(Results::Uncertainty(u)),
            _ => Err(incomplete(&format!("{} under parameter uncertainty", kind.name()), p.0)),
        };
    }
    let out = match kind {
        Kind::Run => {
            check_manifest(&manifest, &mut p, true);
            read_run(dir, manifest, &mut p, true).map(Results::Run)
        }
        Kind::Compare => read_compare(dir, manifest, &mut p).map(Results::Compare),
        Kind::Sweep => {
            check_manifest(&manifest, &mut p, false);
            read_sweep(dir, manifest, &mut p).map(Results::Sweep)
        }
    };
    match out {
        Some(r) if p.0.is_empty() => Ok(r),
        _ => Err(incomplete(kind.name(), p.0)),
    }
}

fn check_manifest(m: &Manifest, p: &mut Problems, resolved_needed: bool) {
    let mut missing = Vec::new();
    if m.version.is_empty() {
        missing.push("version");
    }
    if m.scenario_hash.is_empty() {
        missing.push("scenario_hash");
    }
    if m.seed.is_none() {
        missing.push("seed");
    }
    if resolved_needed && m.resolved.is_none() {
        missing.push("resolved_scenario");
    }
    if !missing.is_empty() {
        p.push(format!(
            "manifest.json lacks {} (an older or foreign format)",
            missing.iter().map(|s| format!("\"{s}\"")).collect::<Vec<_>>().join(", ")
        ));
    }
}

/// A CSV file's rows as maps from column name to text, after checking the header has `required`.
fn read_csv(path: &Path, label: &str, required: &[&str], p: &mut Problems) -> Option<Vec<Vec<String>>> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(_) => {
            p.push(format!("{label} is missing"));
            return None;
        }
    };
    let mut reader = csv::ReaderBuilder::new().has_headers(true).from_reader(text.as_bytes());
    let header: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(str::to_string).collect(),
        Err(e) => {
            p.push(format!("{label} cannot be read ({e})"));
            return None;
        }
    };
    let missing: Vec<&str> = required.iter().copied().filter(|c| !header.iter().any(|h| h == c)).collect();
    if !missing.is_empty() {
        p.push(format!(
            "{label} lacks column(s) {} (it has {}): an older or foreign format",
            missing.join(", "),
            header.join(",")
        ));
        return None;
    }
    let idx: Vec<usize> = required.iter().map(|c| header.iter().position(|h| h == c).unwrap_or(0)).collect();
    let mut rows = Vec::new();
    for (i, rec) in reader.records().enumerate() {
        match rec {
            Ok(r) => rows.push(idx.iter().map(|&j| r.get(j).unwrap_or_default().to_string()).collect()),
            Err(e) => {
                p.push(format!("{label} line {} cannot be read ({e})", i + 2));
                return None;
            }
        }
    }
    if rows.is_empty() {
        p.push(format!("{label} has a header but no rows"));
        return None;
    }
    Some(rows)
}

/// A breakdown cell: `all` (a whole-system value) is the empty breakdown.
fn breakdown(s: &str) -> String {
    if s == "all" { String::new() } else { s.to_string() }
}

/// A number cell: `NA` and empty cells are NaN.
fn num(s: &str) -> f64 {
    if s.is_empty() || s == "NA" { f64::NAN } else { s.parse().unwrap_or(f64::NAN) }
}

fn read_summary(path: &Path, label: &str, p: &mut Problems) -> Option<Vec<SummaryRow>> {
    let rows = read_csv(path, label, &["metric", "breakdown", "n", "mean", "sd", "ci_low", "ci_high"], p)?;
    Some(
        rows.into_iter()
            .map(|r| SummaryRow {
                metric: r[0].clone(),
                breakdown: breakdown(&r[1]),
                n: r[2].parse().unwrap_or(0),
                mean: num(&r[3]),
                sd: num(&r[4]),
                ci_low: num(&r[5]),
                ci_high: num(&r[6]),
            })
            .collect(),
    )
}

fn read_daily(path: &Path, label: &str, p: &mut Problems) -> Option<Daily> {
    let rows = read_csv(path, label, &["replication", "day", "series", "breakdown", "value"], p)?;
    let mut d = Daily::default();
    for r in rows {
        let (Ok(rep), Ok(day)) = (r[0].parse::<u32>(), r[1].parse::<usize>()) else {
            p.push(format!("{label} has a row with replication \"{}\" and day \"{}\"", r[0], r[1]));
            return None;
        };
        let v = d.series.entry((r[2].clone(), breakdown(&r[3]))).or_default().entry(rep).or_default();
        if v.len() <= day {
            v.resize(day + 1, f64::NAN);
        }
        v[day] = num(&r[4]);
    }
    Some(d)
}

/// The row count the manifest records for `file`, if it does.
fn manifest_rows(m: &Manifest, file: &str) -> Option<u64> {
    m.raw
        .get("files")?
        .as_array()?
        .iter()
        .find(|f| f.get("name").and_then(Value::as_str) == Some(file))?
        .get("rows")?
        .as_u64()
}

fn read_replications(
    path: &Path,
    expected_rows: Option<u64>,
    p: &mut Problems,
) -> Option<BTreeMap<(String, String), Vec<f64>>> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(_) => {
            p.push("replications.jsonl is missing");
            return None;
        }
    };
    let mut out: BTreeMap<(String, String), Vec<f64>> = BTreeMap::new();
    for (i, line) in text.lines().enumerate() {
        let v: Value = match serde_json::from_str(line) {
            Ok(v) => v,
            Err(e) => {
                p.push(format!("replications.jsonl line {} is not JSON ({e})", i + 1));
                return None;
            }
        };
        let s = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or_default().to_string();
        if s("metric").is_empty() {
            p.push(format!("replications.jsonl line {} names no metric (an older format?)", i + 1));
            return None;
        }
        let value = v.get("value").and_then(Value::as_f64).unwrap_or(f64::NAN);
        out.entry((s("metric"), breakdown(&s("breakdown")))).or_default().push(value);
    }
    let rows = text.lines().count() as u64;
    if let Some(n) = expected_rows.filter(|&n| n != rows) {
        p.push(format!(
            "replications.jsonl holds {rows} rows where the manifest records {n}: it was cut short or changed"
        ));
        return None;
    }
    Some(out)
}

fn read_run(dir: &Path, manifest: Manifest, p: &mut Problems, top: bool) -> Option<RunData> {
    let prefix = |f: &str| {
        if top {
            f.to_string()
        } else {
            dir.file_name()
                .map(|n| format!("arms/{}/{f}", n.to_string_lossy()))
                .unwrap_or_else(|| f.to_string())
        }
    };
    let summary = read_summary(&dir.join("summary.csv"), &prefix("summary.csv"), p);
    let daily = read_daily(&dir.join("daily.csv"), &prefix("daily.csv"), p);
    let replications = if top {
        read_replications(&dir.join("replications.jsonl"), manifest_rows(&manifest, "replications.jsonl"), p)
    } else {
        // Arms of a comparison hold summaries and daily series only.
        Some(BTreeMap::new())
    };
    Some(RunData { manifest, summary: summary?, daily: daily?, replications: replications? })
}

fn read_uncertainty(dir: &Path, manifest: Manifest, of: Kind, p: &mut Problems) -> Option<UncertaintyData> {
    let raw = &manifest.raw;
    let u = &raw["uncertainty"];
    let text = |v: &Value| v.as_str().unwrap_or_default().to_string();
    let source = text(&u["source"]);
    if source.is_empty() {
        p.push("manifest.json's \"uncertainty\" names no \"source\" (prior or posterior)");
    }
    let parameters: Vec<String> =
        u["parameters"].as_array().map(|a| a.iter().map(text).collect()).unwrap_or_default();
    if parameters.is_empty() {
        p.push("manifest.json's \"uncertainty\" lists no \"parameters\"");
    }
    let draw_values: Vec<BTreeMap<String, String>> = raw["draws"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|d| {
                    d["values"]
                        .as_object()
                        .map(|o| o.iter().map(|(k, v)| (k.clone(), text(v))).collect())
                        .unwrap_or_default()
                })
                .collect()
        })
        .unwrap_or_default();
    if draw_values.is_empty() {
        p.push("manifest.json lists no \"draws\"");
    }
    let arms: Vec<(String, String)> = raw["arms"]
        .as_array()
        .map(|a| a.iter().map(|x| (text(&x["name"]), text(&x["scenario_file"]))).collect())
        .unwrap_or_default();
    if arms.is_empty() || arms.iter().any(|(n, _)| n.is_empty()) {
        p.push("manifest.json lists no \"arms\", or an arm without a \"name\"");
    }
    let columns = [
        "arm",
        "quantity",
        "metric",
        "breakdown",
        "draws",
        "replications",
        "base_mean",
        "mean",
        "se",
        "param_low",
        "param_high",
        "stochastic_low",
        "stochastic_high",
        "parameter_share",
        "pct_mean",
        "pct_param_low",
        "pct_param_high",
        "mid",
        "better",
        "p_improve",
        "p_important",
    ];
    let rows = read_csv(&dir.join("uncertainty.csv"), "uncertainty.csv", &columns, p).map(|rows| {
        rows.into_iter()
            .map(|r| UncertaintyRow {
                arm: r[0].clone(),
                quantity: r[1].clone(),
                metric: r[2].clone(),
                breakdown: breakdown(&r[3]),
                draws: r[4].parse().unwrap_or(0),
                replications: r[5].parse().unwrap_or(0),
                base_mean: num(&r[6]),
                mean: num(&r[7]),
                se: num(&r[8]),
                param_low: num(&r[9]),
                param_high: num(&r[10]),
                stochastic_low: num(&r[11]),
                stochastic_high: num(&r[12]),
                parameter_share: num(&r[13]),
                pct_mean: num(&r[14]),
                pct_param_low: num(&r[15]),
                pct_param_high: num(&r[16]),
                mid: num(&r[17]),
                better: r[18].clone(),
                p_improve: num(&r[19]),
                p_important: num(&r[20]),
            })
            .collect()
    });
    let draws = read_csv(
        &dir.join("draws.csv"),
        "draws.csv",
        &["draw", "arm", "quantity", "metric", "breakdown", "mean", "pct_change"],
        p,
    );
    let mut per_draw = PerDraw::new();
    for r in draws.unwrap_or_default() {
        per_draw
            .entry((r[1].clone(), r[2].clone(), r[3].clone(), breakdown(&r[4])))
            .or_default()
            .push((num(&r[5]), num(&r[6])));
    }
    Some(UncertaintyData {
        of,
        source,
        from: text(&u["from"]),
        parameters,
        draw_values,
        arms,
        rows: rows?,
        per_draw,
        manifest,
    })
}

fn read_compare(dir: &Path, manifest: Manifest, p: &mut Problems) -> Option<CompareData> {
    let raw = &manifest.raw;
    let base = match raw.get("base") {
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Object(o)) => o.get("name").and_then(Value::as_str).map(str::to_string),
        _ => None,
    };
    let arms_json = raw.get("arms").and_then(Value::as_array).cloned().unwrap_or_default();
    if base.is_none() {
        p.push("manifest.json names no \"base\" arm");
    }
    if arms_json.is_empty() {
        p.push("manifest.json lists no \"arms\"");
    }
    if raw.get("version").and_then(Value::as_str).is_none() {
        p.push("manifest.json lacks \"version\" (an older or foreign format)");
    }
    let rows = read_csv(
        &dir.join("comparison.csv"),
        "comparison.csv",
        &[
            "arm",
            "metric",
            "breakdown",
            "unit",
            "n",
            "base_mean",
            "arm_mean",
            "diff_mean",
            "diff_ci_low",
            "diff_ci_high",
            "pct_change",
            "pct_ci_low",
            "pct_ci_high",
            "significant",
            "verdict",
        ],
        p,
    );
    let mut arms = Vec::new();
    for a in &arms_json {
        let s = |k: &str| a.get(k).and_then(Value::as_str).unwrap_or_default().to_string();
        let name = match a {
            Value::String(s) => s.clone(),
            _ => s("name"),
        };
        if name.is_empty() {
            p.push("manifest.json has an arm without a \"name\"");
            continue;
        }
        let arm_dir = dir.join("arms").join(&name);
        if !arm_dir.is_dir() {
            p.push(format!("arms/{name}/ is missing"));
            continue;
        }
        // An arm's own manifest (if written) carries its resolved scenario; the comparison's
        // manifest may carry it too.
        let arm_manifest = std::fs::read_to_string(arm_dir.join("manifest.json"))
            .ok()
            .and_then(|t| serde_json::from_str::<Value>(&t).ok())
            .map(Manifest::from_json);
        let mut m = arm_manifest.unwrap_or_default();
        if m.resolved.is_none() {
            m.resolved = a.get("resolved_scenario").and_then(Value::as_str).map(str::to_string);
        }
        // Run settings shared by every arm may be recorded only once, in the comparison's
        // manifest (the warm-up matters: it is shaded, and monthly flows start after it).
        m.warmup_days = m.warmup_days.or(manifest.warmup_days);
        m.days = m.days.or(manifest.days);
        m.replications = m.replications.or(manifest.replications);
        m.seed = m.seed.or(manifest.seed);
        if m.scenario.is_empty() {
            m.scenario = name.clone();
        }
        let file = [s("scenario_file"), s("scenario"), s("file")].into_iter().find(|x| !x.is_empty());
        let hash = if s("scenario_hash").is_empty() { m.scenario_hash.clone() } else { s("scenario_hash") };
        if let Some(data) = read_run(&arm_dir, m, p, false) {
            arms.push(Arm { name, scenario_file: file.unwrap_or_default(), scenario_hash: hash, data });
        }
    }
    let base = base?;
    match arms.iter().position(|a| a.name == base) {
        Some(i) => {
            let b = arms.remove(i);
            arms.insert(0, b);
        }
        None if !arms_json.is_empty() => p.push(format!("the base arm \"{base}\" is not among the arms")),
        None => {}
    }
    let rows = rows?
        .into_iter()
        .map(|r| ComparisonRow {
            arm: r[0].clone(),
            metric: r[1].clone(),
            breakdown: breakdown(&r[2]),
            unit: r[3].clone(),
            n: r[4].parse().unwrap_or(0),
            base_mean: num(&r[5]),
            arm_mean: num(&r[6]),
            diff_mean: num(&r[7]),
            diff_ci_low: num(&r[8]),
            diff_ci_high: num(&r[9]),
            pct_change: num(&r[10]),
            pct_ci_low: num(&r[11]),
            pct_ci_high: num(&r[12]),
            significant: r[13].eq_ignore_ascii_case("true"),
            verdict: r[14].clone(),
        })
        .collect();
    Some(CompareData { manifest, base, arms, rows })
}

fn read_sweep(dir: &Path, manifest: Manifest, p: &mut Problems) -> Option<SweepData> {
    let parameters: Vec<String> = manifest
        .raw
        .get("parameters")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).map(str::to_string).collect())
        .unwrap_or_default();
    if parameters.is_empty() {
        p.push("manifest.json lists no swept \"parameters\"");
        return None;
    }
    // Each parameter's column: from the manifest's `columns` (column → key path), or the key
    // path itself (folders written before columns were renamed).
    let columns: Vec<String> = parameters
        .iter()
        .map(|key| {
            manifest
                .raw
                .get("columns")
                .and_then(Value::as_object)
                .and_then(|c| c.iter().find(|(_, k)| k.as_str() == Some(key)).map(|(col, _)| col.clone()))
                .unwrap_or_else(|| key.clone())
        })
        .collect();
    let mut cols: Vec<&str> = vec!["point"];
    cols.extend(columns.iter().map(String::as_str));
    cols.extend(["metric", "breakdown", "unit", "n", "mean", "ci_low", "ci_high"]);
    let k = parameters.len();
    if !dir.join("sweep.csv").is_file() {
        p.push("sweep.csv is missing");
    }
    let rows = read_csv(&dir.join("sweep_summary.csv"), "sweep_summary.csv", &cols, p)?;
    let rows = rows
        .into_iter()
        .map(|r| SweepRow {
            point: r[0].parse().unwrap_or(0),
            values: r[1..=k].to_vec(),
            metric: r[k + 1].clone(),
            breakdown: breakdown(&r[k + 2]),
            unit: r[k + 3].clone(),
            n: r[k + 4].parse().unwrap_or(0),
            mean: num(&r[k + 5]),
            ci_low: num(&r[k + 6]),
            ci_high: num(&r[k + 7]),
        })
        .collect();
    Some(SweepData { manifest, parameters, rows })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folder(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in files {
            let p = dir.path().join(name);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        dir
    }

    fn problems(dir: &Path) -> String {
        match read(dir) {
            Ok(_) => panic!("{} was accepted", dir.display()),
            Err(e) => e.to_string(),
        }
    }

    const SUMMARY: &str = "metric,breakdown,n,mean,sd,se,ci_low,ci_high\nprimary_care_visit_share,all,2,0.5,0.01,0.007,0.41,0.59\n";
    const DAILY: &str = "replication,day,series,breakdown,value\n0,0,primary_care_visit_share,all,0.5\n";
    const RUN_MANIFEST: &str = r#"{"version":"0.1.0","scenario":"baseline","scenario_hash":"ab","seed":1,"resolved_scenario":"name = \"baseline\"\n","files":[{"name":"replications.jsonl","rows":1}]}"#;

    #[test]
    fn calibrate_sensitivity_and_check_folders_name_their_own_report() {
        for (command, file) in
            [("calibrate", "fit_report.md"), ("sensitivity", "sensitivity.md"), ("check", "fit_report.md")]
        {
            let owner =
                format!(r#"{{"program":"medgroup","version":"0.1.0","command":"{command}","scenario":"s"}}"#);
            let text = problems(folder(&[("folder.json", &owner)]).path());
            assert!(text.contains(&format!("`medgroup {command}` result")) && text.contains(file), "{text}");
        }
        // A run's folder without its manifest is still an interrupted run, not a report elsewhere.
        let owner = r#"{"program":"medgroup","version":"0.1.0","command":"run","scenario":"s"}"#;
        assert!(problems(folder(&[("folder.json", owner)]).path()).contains("manifest.json is missing"));
    }

    #[test]
    fn a_complete_run_folder_reads_and_a_missing_kind_is_a_run() {
        let reps =
            "{\"replication\":0,\"metric\":\"m\",\"breakdown\":\"all\",\"unit\":\"count\",\"value\":1.5}\n";
        let dir = folder(&[
            ("manifest.json", RUN_MANIFEST),
            ("summary.csv", SUMMARY),
            ("daily.csv", DAILY),
            ("replications.jsonl", reps),
        ]);
        let Results::Run(r) = read(dir.path()).unwrap() else { panic!("not a run") };
        assert_eq!(r.summary_of("primary_care_visit_share", "").unwrap().ci_high, 0.59);
        assert_eq!(r.daily.get("primary_care_visit_share", "").unwrap()[&0], vec![0.5]);
        assert_eq!(r.replications[&("m".to_string(), String::new())], vec![1.5]);
    }

    #[test]
    fn every_missing_piece_is_named_at_once() {
        let dir = folder(&[("manifest.json", r#"{"scenario":"x"}"#), ("summary.csv", "metric,mean\n")]);
        let msg = problems(dir.path());
        for expected in [
            "(run folder)",
            "\"version\"",
            "\"scenario_hash\"",
            "\"seed\"",
            "\"resolved_scenario\"",
            "summary.csv lacks column(s) breakdown, n, sd, ci_low, ci_high",
            "daily.csv is missing",
            "replications.jsonl is missing",
        ] {
            assert!(msg.contains(expected), "message lacks {expected}:\n{msg}");
        }
    }

    #[test]
    fn a_truncated_replications_file_is_refused() {
        let dir = folder(&[
            ("manifest.json", RUN_MANIFEST),
            ("summary.csv", SUMMARY),
            ("daily.csv", DAILY),
            ("replications.jsonl", ""),
        ]);
        assert!(
            problems(dir.path()).contains("replications.jsonl holds 0 rows where the manifest records 1")
        );
    }

    #[test]
    fn unknown_kinds_and_broken_manifests_are_refused() {
        let dir = folder(&[("manifest.json", r#"{"kind":"calibration"}"#)]);
        assert!(problems(dir.path()).contains("kind \"calibration\""));
        let dir = folder(&[("manifest.json", "{not json")]);
        assert!(problems(dir.path()).contains("not valid JSON"));
        let dir = folder(&[]);
        assert!(problems(dir.path()).contains("manifest.json is missing"));
        assert!(matches!(read(&dir.path().join("nope")), Err(ReadError::NotAFolder(_))));
    }

    #[test]
    fn compare_and_sweep_folders_name_what_they_lack() {
        let dir = folder(&[(
            "manifest.json",
            r#"{"kind":"compare","version":"0.1.0","base":"a","arms":[{"name":"a"},{"name":"b"}]}"#,
        )]);
        let msg = problems(dir.path());
        for expected in
            ["(compare folder)", "comparison.csv is missing", "arms/a/ is missing", "arms/b/ is missing"]
        {
            assert!(msg.contains(expected), "message lacks {expected}:\n{msg}");
        }
        let dir = folder(&[
            ("manifest.json", r#"{"kind":"compare","version":"0.1.0","base":"a","arms":[{"name":"a"}]}"#),
            ("comparison.csv", "arm,metric\n"),
            ("arms/a/summary.csv", SUMMARY),
        ]);
        let msg = problems(dir.path());
        assert!(msg.contains("comparison.csv lacks column(s) breakdown"), "{msg}");
        assert!(msg.contains("arms/a/daily.csv is missing"), "{msg}");

        let dir = folder(&[(
            "manifest.json",
            r#"{"kind":"sweep","version":"0.1.0","scenario_hash":"x","seed":1}"#,
        )]);
        assert!(problems(dir.path()).contains("lists no swept \"parameters\""));
        let dir = folder(&[
            (
                "manifest.json",
                r#"{"kind":"sweep","version":"0.1.0","scenario_hash":"x","seed":1,"parameters":["a.b"]}"#,
            ),
            ("sweep_summary.csv", "point,metric,breakdown,unit,n,mean,ci_low,ci_high\n0,m,,share,2,1,0,2\n"),
        ]);
        let msg = problems(dir.path());
        assert!(msg.contains("sweep_summary.csv lacks column(s) a.b"), "{msg}");
        assert!(msg.contains("sweep.csv is missing"), "{msg}");
    }
}
