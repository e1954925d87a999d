//! Merging shard files into the experiment's result files.
//!
//! Every result folder is written here, whether the experiment ran on one machine (one shard
//! of one) or on many: the shard files are checked (same experiment, every shard present once,
//! every shard complete), the unit rows are put in canonical order (points in order,
//! replications in order) and the result files are written from them. Since the rows carry the
//! exact values and the order never depends on the shard layout or on completion order, the
//! bytes written are the same for every layout.
//!
//! Result folders:
//! - run: `replications.jsonl`, `summary.csv`, `daily.csv`, `manifest.json` (see [`crate::output`]);
//! - compare: `comparison.csv`, `manifest.json`, and for each arm (the base too)
//!   `arms/<arm>/` with the four run files;
//! - sweep: `sweep.csv` (long: point × parameters × replication × metric), `sweep_summary.csv`
//!   (point × metric across replications) and `manifest.json`.

pub use super::compare::{Comparison, comparison_csv, comparisons};
use super::shard::{self, ShardFile};
use super::{Design, Experiment, Kind, Shard, Unit};
use crate::folder;
use crate::model::record::ReplicationResult;
use crate::output::{
    DailySource, FileEntry, breakdown_key_cells, breakdown_key_header, breakdown_text, csv_field, num,
    parameter_columns, rows_of, summarise, write_atomic, write_run,
};
use crate::scenario::value_text;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// The shard files in `dir/shards/` (`shard-K-of-N.jsonl`), sorted by name.
pub fn shard_files_in(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let shards = dir.join("shards");
    let entries = std::fs::read_dir(&shards)
        .map_err(|e| format!("cannot list shard files in {}: {e}", shards.display()))?;
    let mut out: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("shard-") && n.ends_with(".jsonl") && n.contains("-of-"))
        })
        .collect();
    out.sort();
    if out.is_empty() {
        return Err(format!("no shard files (shard-K-of-N.jsonl) in {}", shards.display()));
    }
    Ok(out)
}

fn describe(f: &ShardFile) -> String {
    let h = &f.header;
    format!(
        "{} (shard {}/{} of {} \"{}\", experiment {}, version {}, seed {}, {} replications)",
        f.path.display(),
        h.shard,
        h.shards,
        h.experiment_kind,
        h.scenario,
        h.experiment,
        h.version,
        h.seed,
        h.replications
    )
}

/// Shard files checked and put in canonical order.
#[derive(Debug)]
pub struct Checked {
    pub experiment: Experiment,
    /// Per point, in replication order, without daily series.
    pub results: Vec<Vec<ReplicationResult>>,
    /// Per point, where each replication's daily series is (read when written).
    pub daily: Vec<shard::DailyRows>,
    /// Finished replications beyond the experiment's count, left out.
    pub extra: usize,
}

/// Checks that `files` are every shard of one experiment, each complete, and returns the
/// experiment with its results: one list per point, in replication order.
pub fn check(mut files: Vec<ShardFile>) -> Result<Checked, String> {
    files.sort_by_key(|f| (f.header.shards, f.header.shard));
    let first = files.first().ok_or("no shard files to merge")?;
    let h0 = first.header.clone();
    for f in &files[1..] {
        let h = &f.header;
        let differ = [
            ("program version", h.version != h0.version),
            ("experiment kind", h.experiment_kind != h0.experiment_kind),
            ("seed", h.seed != h0.seed),
            ("replication count", h.replications != h0.replications),
            ("scenario hash", h.scenario_hash != h0.scenario_hash),
            ("number of shards", h.shards != h0.shards),
            (
                "scenario file names (run every shard with the same command line)",
                h.spec.scenarios.iter().map(|s| &s.files).ne(h0.spec.scenarios.iter().map(|s| &s.files)),
            ),
            ("experiment", h.experiment != h0.experiment || h.spec != h0.spec),
        ];
        if let Some((what, _)) = differ.iter().find(|(_, d)| *d) {
            return Err(format!(
                "shard files are not from the same experiment (they differ in {what}):\n  {}\n  {}",
                describe(first),
                describe(f)
            ));
        }
    }
    if h0.version != crate::VERSION {
        return Err(format!(
            "{} was written by medgroup {}; this is medgroup {}: merge with the version that ran the shards",
            first.path.display(),
            h0.version,
            crate::VERSION
        ));
    }
    for pair in files.windows(2) {
        if pair[0].header.shard == pair[1].header.shard {
            return Err(format!(
                "shard {}/{} is given twice: {} and {}",
                pair[0].header.shard,
                h0.shards,
                pair[0].path.display(),
                pair[1].path.display()
            ));
        }
    }
    let present: Vec<u32> = files.iter().map(|f| f.header.shard).collect();
    let missing: Vec<String> =
        (1..=h0.shards).filter(|k| !present.contains(k)).map(|k| format!("{k}/{}", h0.shards)).collect();
    if !missing.is_empty() {
        let dir = first.path.parent().map(|p| p.display().to_string()).unwrap_or_default();
        return Err(format!(
            "{} of {} shards missing: {} (expected files like {dir}/{}); run them (--shard K/{}) before merging",
            missing.len(),
            h0.shards,
            missing.join(", "),
            Shard { index: 1, count: h0.shards }.file_name().replace("shard-1-", "shard-K-"),
            h0.shards
        ));
    }
    let exp = Experiment::build(h0.spec.clone(), h0.replications)
        .map_err(|e| format!("cannot rebuild the experiment recorded in {}: {e}", first.path.display()))?;
    if exp.id != h0.experiment {
        return Err(format!(
            "{}: the header's experiment identity does not match its spec (damaged file?)",
            first.path.display()
        ));
    }
    let point_of: HashMap<String, usize> =
        exp.points.iter().enumerate().map(|(i, p)| (p.key_hex(), i)).collect();
    let mut rows: BTreeMap<Unit, (ReplicationResult, usize, u64)> = BTreeMap::new();
    let mut extra = 0usize;
    let paths: Vec<PathBuf> = files.iter().map(|f| f.path.clone()).collect();
    for (file_index, f) in files.into_iter().enumerate() {
        let shard = Shard { index: f.header.shard, count: f.header.shards };
        let expected = exp.shard_units(shard);
        let label = format!("shard {}/{} ({})", shard.index, shard.count, f.path.display());
        if f.footer.is_none() || f.cut_short {
            return Err(format!(
                "{label} is incomplete: {} of {} units finished{} and no footer — it was interrupted or is \
                 still running; run the same command (with --shard {}/{}) again to finish it",
                f.rows.len(),
                expected.len(),
                if f.cut_short { ", the last line cut short" } else { "" },
                shard.index,
                shard.count
            ));
        }
        let footer = f.footer.expect("checked above");
        let in_range = f.rows.iter().filter(|r| r.replication < exp.replications).count();
        if footer != f.rows.len() as u64
            || f.header.units != expected.len() as u64
            || in_range != expected.len()
        {
            return Err(format!(
                "{label} is damaged: its footer says {footer} rows, it holds {}, its header {}, and the shard owns {} units",
                f.rows.len(),
                f.header.units,
                expected.len()
            ));
        }
        let mine: std::collections::HashSet<Unit> = expected.iter().copied().collect();
        for (row, &offset) in f.rows.iter().zip(&f.offsets) {
            let point = *point_of.get(&row.point).ok_or_else(|| {
                format!("{label}: a row names point {}, which the experiment does not have", row.point)
            })?;
            let unit = Unit { point, replication: row.replication };
            if row.replication >= exp.replications {
                // A replication finished by an earlier run with more replications: kept in the
                // shard file, left out of the results.
                extra += 1;
                continue;
            }
            if !mine.contains(&unit) {
                return Err(format!(
                    "{label}: replication {} of point {} belongs to another shard",
                    row.replication, exp.points[point].label
                ));
            }
            if rows.insert(unit, (row.summary(), file_index, offset)).is_some() {
                return Err(format!(
                    "{label}: replication {} of point {} appears twice",
                    row.replication, exp.points[point].label
                ));
            }
        }
    }
    let mut results: Vec<Vec<ReplicationResult>> = vec![Vec::new(); exp.points.len()];
    let mut daily = vec![shard::DailyRows { files: paths, rows: Vec::new() }; exp.points.len()];
    for (unit, (r, file, offset)) in rows {
        results[unit.point].push(r);
        daily[unit.point].rows.push((file, offset));
    }
    Ok(Checked { experiment: exp, results, daily, extra })
}

/// Reads and checks `paths`, claims `out` for their experiment ([`folder::claim`]: a folder of
/// another experiment is refused unless `force`), then writes the result files into it;
/// returns the experiment, its results and the files written and removed. A report written
/// from earlier results that differ is removed with them.
pub fn merge(paths: &[PathBuf], out: &Path, force: bool) -> Result<Merged, String> {
    let files = paths.iter().map(|p| shard::read(p)).collect::<Result<Vec<_>, _>>()?;
    let Checked { experiment, results, daily, extra } = check(files)?;
    let claimed = folder::claim(out, &experiment.owner(), force).map_err(|e| e.to_string())?;
    let manifest = out.join("manifest.json");
    let before = std::fs::read(&manifest).ok();
    let sources: Vec<&dyn DailySource> = daily.iter().map(|d| d as &dyn DailySource).collect();
    let (written, means) = write_with(out, &experiment, &results, &sources)
        .map_err(|e| format!("cannot write results to {}: {e}", out.display()))?;
    let mut removed = claimed.removed;
    if before.is_some_and(|b| std::fs::read(&manifest).ok() != Some(b)) {
        removed.extend(folder::remove_reports(out).map_err(|e| e.to_string())?);
    }
    Ok(Merged { experiment, results, means, written, extra, removed })
}

/// A merged experiment.
#[derive(Debug)]
pub struct Merged {
    pub experiment: Experiment,
    /// Per point, in replication order, without daily series (they are in `daily.csv`).
    pub results: Vec<Vec<ReplicationResult>>,
    /// Per point whose daily series were written, their mean over replications (for the
    /// warm-up check); empty for a sweep or an uncertainty analysis.
    pub means: Vec<super::warmup::Means>,
    pub written: Vec<PathBuf>,
    /// Finished replications beyond the experiment's count, kept in the shard files and left
    /// out of the results.
    pub extra: usize,
    /// Files removed: another experiment's (with `force`), or a report of earlier results.
    pub removed: Vec<PathBuf>,
}

/// Writes the result files of `exp` into `out` from results held in memory (daily series
/// included).
pub fn write(
    out: &Path,
    exp: &Experiment,
    results: &[Vec<ReplicationResult>],
) -> std::io::Result<Vec<PathBuf>> {
    let sources: Vec<&dyn DailySource> = results.iter().map(|r| r as &dyn DailySource).collect();
    Ok(write_with(out, exp, results, &sources)?.0)
}

/// Writes the result files of `exp` into `out`: the summaries from `results`, each point's
/// daily series from its source in `daily`. Returns the paths and, per point whose daily series
/// were written, their means.
pub fn write_with(
    out: &Path,
    exp: &Experiment,
    results: &[Vec<ReplicationResult>],
    daily: &[&dyn DailySource],
) -> std::io::Result<(Vec<PathBuf>, Vec<super::warmup::Means>)> {
    std::fs::create_dir_all(out)?;
    if exp.spec.uncertainty.is_some() {
        return Ok((super::uncertainty::write(out, exp, results)?, Vec::new()));
    }
    match exp.spec.kind {
        Kind::Run => {
            let (paths, means) =
                write_run(out, &exp.points[0].loaded, &results[0], daily[0], exp.spec.warmup.as_ref())?;
            Ok((paths, vec![means]))
        }
        Kind::Compare => write_compare(out, exp, results, daily),
        Kind::Sweep => Ok((write_sweep(out, exp, results)?, Vec::new())),
    }
}

fn write_compare(
    out: &Path,
    exp: &Experiment,
    results: &[Vec<ReplicationResult>],
    daily: &[&dyn DailySource],
) -> std::io::Result<(Vec<PathBuf>, Vec<super::warmup::Means>)> {
    #[derive(Serialize)]
    struct Arm<'a> {
        name: &'a str,
        scenario_file: &'a str,
        scenario_hash: String,
        seed: u64,
        folder: String,
    }
    #[derive(Serialize)]
    struct Manifest<'a> {
        kind: &'static str,
        format: &'static str,
        program: &'static str,
        version: &'static str,
        seed: u64,
        common_random_numbers: bool,
        replications: u32,
        base: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        warmup_choice: Option<&'a super::warmup::WarmupChoice>,
        /// Minimal important differences given with `--mid`.
        #[serde(skip_serializing_if = "BTreeMap::is_empty")]
        mid: &'a BTreeMap<String, String>,
        arms: Vec<Arm<'a>>,
        files: Vec<FileEntry>,
    }
    let mut paths = Vec::new();
    let mut arms = Vec::new();
    let mut means = Vec::new();
    for (i, (point, rs)) in exp.points.iter().zip(results).enumerate() {
        let folder = format!("arms/{}", point.label);
        let (written, m) =
            write_run(&out.join(&folder), &point.loaded, rs, daily[i], exp.spec.warmup.as_ref())?;
        paths.extend(written);
        means.push(m);
        arms.push(Arm {
            name: &point.label,
            scenario_file: exp.spec.scenarios[i].files.first().map(String::as_str).unwrap_or(""),
            scenario_hash: point.loaded.hash(),
            seed: point.params.seed,
            folder,
        });
    }
    let text = comparison_csv(&comparisons(exp, results));
    let p = out.join("comparison.csv");
    write_atomic(&p, text.as_bytes())?;
    paths.push(p);
    let m = Manifest {
        kind: "compare",
        format: crate::output::FORMAT,
        program: "medgroup",
        version: crate::VERSION,
        seed: exp.spec.seed,
        common_random_numbers: !exp.spec.independent,
        replications: exp.replications,
        base: &exp.points[0].label,
        warmup_choice: exp.spec.warmup.as_ref(),
        mid: &exp.spec.mid,
        arms,
        files: vec![FileEntry { name: "comparison.csv".into(), rows: rows_of(&text) }],
    };
    let p = out.join("manifest.json");
    write_atomic(&p, (serde_json::to_string_pretty(&m).expect("plain data serialises") + "\n").as_bytes())?;
    paths.push(p);
    Ok((paths, means))
}

fn write_sweep(
    out: &Path,
    exp: &Experiment,
    results: &[Vec<ReplicationResult>],
) -> std::io::Result<Vec<PathBuf>> {
    let sweep = exp.spec.sweep.as_ref().expect("a sweep has a design");
    let columns = parameter_columns(&sweep.parameters);
    let params_header: String = columns.iter().map(|k| format!(",{k}")).collect();
    let mut long = format!("point{params_header},replication,metric,breakdown,value\n");
    let mut summary = format!(
        "point{params_header},metric,breakdown{},unit,n,mean,sd,ci_low,ci_high\n",
        breakdown_key_header()
    );
    for (point, rs) in exp.points.iter().zip(results) {
        let values: String = point.values.iter().map(|v| format!(",{}", csv_field(&value_text(v)))).collect();
        for r in rs {
            for m in &r.metrics {
                let _ = writeln!(
                    long,
                    "{}{values},{},{},{},{}",
                    point.label,
                    r.replication,
                    csv_field(&m.name),
                    csv_field(breakdown_text(&m.breakdown)),
                    num(m.value)
                );
            }
        }
        for (name, breakdown, s) in summarise(rs) {
            let _ = writeln!(
                summary,
                "{}{values},{},{}{},{},{},{},{},{},{}",
                point.label,
                csv_field(&name),
                csv_field(breakdown_text(&breakdown)),
                breakdown_key_cells(&breakdown),
                crate::metrics::unit(&name),
                s.n,
                num(s.mean),
                num(s.sd),
                num(s.ci_low),
                num(s.ci_high)
            );
        }
    }
    #[derive(Serialize)]
    struct PointEntry {
        point: usize,
        values: BTreeMap<String, String>,
        seed: u64,
        scenario_hash: String,
    }
    #[derive(Serialize)]
    struct Manifest<'a> {
        kind: &'static str,
        format: &'static str,
        program: &'static str,
        version: &'static str,
        scenario: &'a str,
        scenario_hash: String,
        scenario_files: &'a [String],
        seed: u64,
        common_random_numbers: bool,
        replications: u32,
        days: u32,
        warmup_days: u32,
        #[serde(skip_serializing_if = "Option::is_none")]
        warmup_choice: Option<&'a super::warmup::WarmupChoice>,
        parameters: &'a [String],
        /// The column of each swept parameter in `sweep.csv` and `sweep_summary.csv`.
        columns: BTreeMap<String, String>,
        design: &'a Design,
        points: Vec<PointEntry>,
        files: Vec<FileEntry>,
        resolved_scenario: String,
    }
    let p0 = &exp.base.params;
    let m = Manifest {
        kind: "sweep",
        format: crate::output::FORMAT,
        program: "medgroup",
        version: crate::VERSION,
        scenario: &p0.name,
        scenario_hash: exp.base.hash(),
        scenario_files: &exp.spec.scenarios[0].files,
        seed: exp.spec.seed,
        common_random_numbers: !exp.spec.independent,
        replications: exp.replications,
        days: p0.run.days,
        warmup_days: p0.run.warmup_days,
        warmup_choice: exp.spec.warmup.as_ref(),
        parameters: &sweep.parameters,
        columns: columns.iter().cloned().zip(sweep.parameters.iter().cloned()).collect(),
        design: &sweep.design,
        points: exp
            .points
            .iter()
            .enumerate()
            .map(|(i, p)| PointEntry {
                point: i,
                values: sweep.parameters.iter().cloned().zip(p.values.iter().map(value_text)).collect(),
                seed: p.params.seed,
                scenario_hash: p.loaded.hash(),
            })
            .collect(),
        files: vec![
            FileEntry { name: "sweep.csv".into(), rows: rows_of(&long) },
            FileEntry { name: "sweep_summary.csv".into(), rows: rows_of(&summary) },
        ],
        resolved_scenario: toml::to_string(&exp.base.resolved).expect("a parsed table serialises"),
    };
    let mut paths = Vec::new();
    for (name, text) in [
        ("sweep.csv", long),
        ("sweep_summary.csv", summary),
        ("manifest.json", serde_json::to_string_pretty(&m).expect("plain data serialises") + "\n"),
    ] {
        let p = out.join(name);
        write_atomic(&p, text.as_bytes())?;
        paths.push(p);
    }
    Ok(paths)
}
