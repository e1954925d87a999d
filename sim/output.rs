//! Result files. With `cli`, the only code that writes to disk.
//!
//! A results folder holds
//! - `replications.jsonl`: one JSON object per (replication, metric, breakdown), with its unit;
//! - `summary.csv`: one row per metric × breakdown with its unit, the breakdown's keys as columns
//!   of their own, and mean, SD, 95 % CI and percentiles across replications;
//! - `daily.csv`: daily series, long format (replication, day, series, breakdown, value);
//! - `manifest.json`: what was run (program version, scenario hash, seed, the files with their
//!   format and row counts), with the resolved scenario, so the run can be repeated.
//!
//! The files are tidy for R and pandas: missing values are `NA` (`null` in JSON); the breakdown of
//! a whole-system value is `all`; column names are plain words; integer fields are integers.
//!
//! Every file is written to a temporary name and renamed into place, so a reader never sees a
//! half-written file. Nothing here depends on timing or on the thread count: the same scenario
//! and seed give byte-identical files.

use crate::model::record::ReplicationResult;
use crate::scenario::Loaded;
use analysis::stats::Summary;
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// Format tag of a results folder's files, recorded in its manifest; bumped when their layout
/// changes.
pub const FORMAT: &str = "medgroup-results/3";

/// How the whole-system breakdown (no key) is written in files.
pub const ALL: &str = "all";

/// A breakdown as written in files: `all` for none.
pub fn breakdown_text(b: &str) -> &str {
    if b.is_empty() { ALL } else { b }
}

/// The breakdown keys of the catalogue's metrics, in a fixed order (where, who, what, when; keys
/// a new metric brings come after): one column each in the long summary files.
pub fn breakdown_keys() -> Vec<&'static str> {
    let mut keys: Vec<&'static str> = vec![
        "tier",
        "channel",
        "ward",
        "priority",
        "payer",
        "condition",
        "campaign",
        "facility",
        "group",
        "year",
    ];
    for m in crate::metrics::METRICS {
        for k in m.breakdowns {
            if !keys.contains(k) {
                keys.push(k);
            }
        }
    }
    keys
}

/// The header cells of the breakdown-key columns, each preceded by a comma.
pub fn breakdown_key_header() -> String {
    breakdown_keys().iter().map(|k| format!(",{k}")).collect()
}

/// The value of each breakdown key in `b` (`NA` when absent), each preceded by a comma.
pub fn breakdown_key_cells(b: &str) -> String {
    breakdown_keys()
        .iter()
        .map(|k| {
            let v = b.split(';').find_map(|kv| kv.strip_prefix(k).and_then(|r| r.strip_prefix('=')));
            format!(",{}", v.map_or_else(|| "NA".to_string(), csv_field))
        })
        .collect()
}

/// What identifies a run, shared by every file it writes.
#[derive(Debug, Clone, Serialize)]
pub struct RunInfo {
    pub program: &'static str,
    pub version: &'static str,
    pub scenario: String,
    pub scenario_hash: String,
    pub seed: u64,
    pub replications: u32,
    pub days: u32,
    pub warmup_days: u32,
    /// How the warm-up was picked, if by a pilot run (`--warmup-days auto`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub warmup_choice: Option<crate::experiment::warmup::WarmupChoice>,
}

impl RunInfo {
    pub fn new(loaded: &Loaded) -> RunInfo {
        let p = &loaded.params;
        RunInfo {
            program: "medgroup",
            version: crate::VERSION,
            scenario: p.name.clone(),
            scenario_hash: loaded.hash(),
            seed: p.seed,
            replications: p.run.replications,
            days: p.run.days,
            warmup_days: p.run.warmup_days,
            warmup_choice: None,
        }
    }
}

/// Writes `bytes` to `path` atomically (temporary file in the same folder, then rename).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = unique_temp(path);
    {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, path)
}

/// Writes a file atomically from a writer function: a temporary file beside `path`, buffered,
/// synced, then renamed over `path`.
pub fn write_atomic_with(
    path: &Path,
    write: impl FnOnce(&mut std::io::BufWriter<std::fs::File>) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let tmp = unique_temp(path);
    let result = (|| {
        let mut f = std::io::BufWriter::new(std::fs::File::create(&tmp)?);
        write(&mut f)?;
        f.flush()?;
        f.get_ref().sync_all()
    })();
    match result {
        Ok(()) => std::fs::rename(&tmp, path),
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            Err(e)
        }
    }
}

/// A temporary name beside `path` that no other process or thread uses at the same time
/// (`.<name>.<pid>.<n>.tmp`), so that two writers of one file never write into each other's
/// temporary file.
pub fn unique_temp(path: &Path) -> PathBuf {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    path.with_file_name(format!(".{name}.{}.{n}.tmp", std::process::id()))
}

/// Summaries of every metric × breakdown across replications, in order of first appearance.
pub fn summarise(results: &[ReplicationResult]) -> Vec<(String, String, Summary)> {
    let mut order: Vec<(String, String)> = Vec::new();
    let mut values: BTreeMap<(String, String), Vec<f64>> = BTreeMap::new();
    for r in results {
        for m in &r.metrics {
            let key = (m.name.clone(), m.breakdown.clone());
            let v = values.entry(key.clone()).or_insert_with(|| {
                order.push(key.clone());
                Vec::new()
            });
            v.push(m.value);
        }
    }
    order
        .into_iter()
        .filter_map(|k| {
            let s = Summary::of(&values[&k])?;
            let s = if crate::metrics::non_negative(&k.0) { s.within_range() } else { s };
            Some((k.0, k.1, s))
        })
        .collect()
}

/// The text of `replications.jsonl`: one object per replication × metric × breakdown.
pub fn replications_jsonl(results: &[ReplicationResult]) -> String {
    #[derive(Serialize)]
    struct Row<'a> {
        replication: u32,
        metric: &'a str,
        breakdown: &'a str,
        unit: &'static str,
        value: f64,
    }
    let mut out = String::new();
    for r in results {
        for m in &r.metrics {
            let row = Row {
                replication: r.replication,
                metric: &m.name,
                breakdown: breakdown_text(&m.breakdown),
                unit: crate::metrics::unit(&m.name),
                value: m.value,
            };
            out.push_str(&serde_json::to_string(&row).expect("plain data serialises"));
            out.push('\n');
        }
    }
    out
}

/// A CSV field, quoted when it holds a comma, a quote or a newline.
pub fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_string() }
}

/// A number as written in CSV files: shortest text that reads back exactly; `NA` if not finite.
pub fn num(v: f64) -> String {
    if v.is_finite() { format!("{v}") } else { "NA".to_string() }
}

/// The text of `summary.csv`.
pub fn summary_csv(summaries: &[(String, String, Summary)]) -> String {
    let mut out = format!(
        "metric,breakdown{},unit,n,mean,sd,se,ci_low,ci_high,p05,p50,p95,min,max\n",
        breakdown_key_header()
    );
    for (name, breakdown, s) in summaries {
        let _ = writeln!(
            out,
            "{},{}{},{},{},{},{},{},{},{},{},{},{},{},{}",
            csv_field(name),
            csv_field(breakdown_text(breakdown)),
            breakdown_key_cells(breakdown),
            csv_field(crate::metrics::unit(name)),
            s.n,
            num(s.mean),
            num(s.sd),
            num(s.se),
            num(s.ci_low),
            num(s.ci_high),
            num(s.p05),
            num(s.p50),
            num(s.p95),
            num(s.min),
            num(s.max)
        );
    }
    out
}

/// The text of `daily.csv`.
pub fn daily_csv(results: &[ReplicationResult]) -> String {
    let mut out = String::from(DAILY_HEADER);
    for r in results {
        daily_rows(&mut out, r);
    }
    out
}

/// The header line of `daily.csv`.
pub const DAILY_HEADER: &str = "replication,day,series,breakdown,value\n";

/// Appends the rows of one replication's daily series to `out` (as in `daily.csv`).
pub fn daily_rows(out: &mut String, r: &ReplicationResult) {
    let cols = &r.daily.columns;
    // Each column's "series,breakdown," made once, not once a day.
    let labels: Vec<String> = cols
        .iter()
        .map(|(series, breakdown)| format!("{series},{},", csv_field(breakdown_text(breakdown))))
        .collect();
    for day in 0..r.daily.days() {
        let values = &r.daily.values[day * cols.len()..(day + 1) * cols.len()];
        for (label, &v) in labels.iter().zip(values) {
            let _ = write!(out, "{},{day},", r.replication);
            out.push_str(label);
            if v.is_finite() {
                let _ = writeln!(out, "{v}");
            } else {
                out.push_str("NA\n");
            }
        }
    }
}

/// The manifest: identity of the run, the files written, and the resolved scenario.
pub fn manifest_json(info: &RunInfo, loaded: &Loaded, files: &[(&str, u64)]) -> String {
    #[derive(Serialize)]
    struct File<'a> {
        name: &'a str,
        rows: u64,
    }
    /// The scenario this one extends, resolved, so that a report can list what differs.
    #[derive(Serialize)]
    struct Extends {
        file: String,
        scenario_hash: String,
        resolved_scenario: String,
    }
    #[derive(Serialize)]
    struct Manifest<'a> {
        kind: &'static str,
        format: &'static str,
        #[serde(flatten)]
        info: &'a RunInfo,
        scenario_files: Vec<String>,
        files: Vec<File<'a>>,
        resolved_scenario: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        extends: Option<Extends>,
    }
    // A parent that does not validate on its own (a partial base file) is left out.
    let extends = loaded.chain.get(1).and_then(|parent| {
        let p = crate::scenario::load(parent).ok()?;
        Some(Extends {
            file: parent.display().to_string(),
            scenario_hash: p.hash(),
            resolved_scenario: toml::to_string(&p.resolved).expect("a parsed table serialises"),
        })
    });
    let m = Manifest {
        kind: "run",
        format: FORMAT,
        info,
        scenario_files: loaded.chain.iter().map(|p| p.display().to_string()).collect(),
        files: files.iter().map(|&(name, rows)| File { name, rows }).collect(),
        resolved_scenario: toml::to_string(&loaded.resolved).expect("a parsed table serialises"),
        extends,
    };
    serde_json::to_string_pretty(&m).expect("plain data serialises") + "\n"
}

/// Where a run's daily series come from: each replication's, one at a time, in replication
/// order. Results in memory are one source; the rows of shard files, read back one row at a
/// time while `daily.csv` is written, are another (`experiment::shard::DailyRows`), so a merge
/// never holds every replication's series at once.
pub trait DailySource {
    fn for_each(
        &self,
        each: &mut dyn FnMut(&ReplicationResult) -> std::io::Result<()>,
    ) -> std::io::Result<()>;
}

impl DailySource for [ReplicationResult] {
    fn for_each(
        &self,
        each: &mut dyn FnMut(&ReplicationResult) -> std::io::Result<()>,
    ) -> std::io::Result<()> {
        self.iter().try_for_each(each)
    }
}

impl DailySource for Vec<ReplicationResult> {
    fn for_each(
        &self,
        each: &mut dyn FnMut(&ReplicationResult) -> std::io::Result<()>,
    ) -> std::io::Result<()> {
        self.as_slice().for_each(each)
    }
}

/// Writes the four result files into `dir` (created if needed); returns their paths.
pub fn write_results(
    dir: &Path,
    loaded: &Loaded,
    results: &[ReplicationResult],
    warmup: Option<&crate::experiment::warmup::WarmupChoice>,
) -> std::io::Result<Vec<PathBuf>> {
    Ok(write_run(dir, loaded, results, results, warmup)?.0)
}

/// Writes the four result files of a run into `dir` (created if needed): the summaries from
/// `results` (whose daily series are not read), the daily series from `daily`, streamed to
/// `daily.csv` a replication at a time. Returns the paths and the replications' mean daily
/// series (for the warm-up check).
pub fn write_run(
    dir: &Path,
    loaded: &Loaded,
    results: &[ReplicationResult],
    daily: &(impl DailySource + ?Sized),
    warmup: Option<&crate::experiment::warmup::WarmupChoice>,
) -> std::io::Result<(Vec<PathBuf>, crate::experiment::warmup::Means)> {
    std::fs::create_dir_all(dir)?;
    let info = RunInfo { warmup_choice: warmup.cloned(), ..RunInfo::new(loaded) };
    let summaries = summarise(results);
    let reps = replications_jsonl(results);
    let summary = summary_csv(&summaries);
    let mut paths = Vec::new();
    for (name, text) in [("replications.jsonl", &reps), ("summary.csv", &summary)] {
        let p = dir.join(name);
        write_atomic(&p, text.as_bytes())?;
        paths.push(p);
    }
    let p = dir.join("daily.csv");
    let mut means = crate::experiment::warmup::Means::default();
    let mut n_daily = 0u64;
    write_atomic_with(&p, |out| {
        out.write_all(DAILY_HEADER.as_bytes())?;
        let mut text = String::new();
        daily.for_each(&mut |r| {
            text.clear();
            daily_rows(&mut text, r);
            n_daily += (r.daily.days() * r.daily.columns.len()) as u64;
            means.add(&r.daily);
            out.write_all(text.as_bytes())
        })
    })?;
    paths.push(p);
    let listed = [
        ("replications.jsonl", reps.lines().count() as u64),
        ("summary.csv", rows_of(&summary)),
        ("daily.csv", n_daily),
    ];
    let p = dir.join("manifest.json");
    write_atomic(&p, manifest_json(&info, loaded, &listed).as_bytes())?;
    paths.push(p);
    Ok((paths, means))
}

/// A file of a results folder and its rows, as a manifest lists it.
#[derive(Serialize)]
pub struct FileEntry {
    pub name: String,
    pub rows: u64,
}

/// The data rows of a CSV text (its lines but the header).
pub fn rows_of(text: &str) -> u64 {
    text.lines().count() as u64 - 1
}

/// Column names for swept key paths that survive R's `read.csv` and pandas: letters, digits and
/// `_` (`facilities[lead].wards[medical].beds` → `facilities_lead_wards_medical_beds`), made
/// unique with a number; the manifest's `columns` maps each back to its key path.
pub fn parameter_columns(keys: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for k in keys {
        let mut name: String = k.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
        while name.contains("__") {
            name = name.replace("__", "_");
        }
        let mut name = name.trim_matches('_').to_string();
        if !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
            name = format!("p_{name}");
        }
        let base = name.clone();
        let mut n = 2;
        while out.contains(&name) {
            name = format!("{base}_{n}");
            n += 1;
        }
        out.push(name);
    }
    out
}
