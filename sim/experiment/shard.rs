//! Shard files: what one shard of an experiment has finished, one JSON line per unit.
//!
//! A shard file (`OUT/shards/shard-K-of-N.jsonl`; a one-machine run is shard 1 of 1) is
//! self-describing:
//! - a header line: format, program and version, experiment identity and kind, scenario name
//!   and hash, master seed, replications, shard K of N, the number of units the shard owns, and
//!   the experiment's [`Spec`] (from which `merge` rebuilds everything it writes);
//! - one line per finished unit, appended and flushed as soon as the unit finishes, in
//!   completion order: the point's identity, the replication, the census at the end, every
//!   metric, and (runs and comparisons) the daily series;
//! - a footer line with the row count, written when every unit of the shard has finished.
//!
//! A run that is interrupted leaves its finished units on disk. Opening the file again for the
//! same experiment and shard keeps every complete unit line (a half-written last line is
//! dropped), so a rerun of the same command does only what is missing. Floats are written by
//! serde_json with `float_roundtrip` and read back bit for bit; NaN is written `null`.

use super::{Experiment, Shard, Spec, Unit};
use crate::model::Census;
use crate::model::record::ReplicationResult;
use crate::model::record::{DailyTable, Metric};
use crate::store;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

/// Format tag of shard files; bumped when their layout changes.
pub const FORMAT: &str = "medgroup-shard/1";

/// The first line of a shard file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Header {
    pub kind: String,
    pub format: String,
    pub program: String,
    pub version: String,
    /// Identity of the experiment (a hash of `spec`).
    pub experiment: String,
    pub experiment_kind: String,
    pub scenario: String,
    pub scenario_hash: String,
    pub seed: u64,
    pub replications: u32,
    pub shard: u32,
    pub shards: u32,
    /// Units this shard owns.
    pub units: u64,
    pub spec: Spec,
}

impl Header {
    pub fn new(exp: &Experiment, shard: Shard) -> Header {
        Header {
            kind: "header".into(),
            format: FORMAT.into(),
            program: "medgroup".into(),
            version: exp.spec.version.clone(),
            experiment: exp.id.clone(),
            experiment_kind: exp.spec.kind.name().into(),
            scenario: exp.base.params.name.clone(),
            scenario_hash: exp.base.hash(),
            seed: exp.spec.seed,
            replications: exp.replications,
            shard: shard.index,
            shards: shard.count,
            units: exp.shard_units(shard).len() as u64,
            spec: exp.spec.clone(),
        }
    }
}

/// One finished unit. `D` is what its daily series is read as: [`Daily`], or [`Skipped`] to
/// read the row without them ([`RowHead`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Row<D = Daily> {
    pub kind: String,
    /// The point's content identity (16 hex digits).
    pub point: String,
    pub replication: u32,
    /// alive, uncontrolled, enrolled, spawned, died at the end of the replication.
    pub census: [u64; 6],
    /// (metric, breakdown, value); `null` for a value that is not a number.
    pub metrics: Vec<(String, String, Option<f64>)>,
    #[serde(default = "none", skip_serializing_if = "Option::is_none")]
    pub daily: Option<D>,
}

fn none<D>() -> Option<D> {
    None
}

/// A row read without its daily series, which merging reads again one row at a time when it
/// writes them ([`DailyRows`]), so that a merge holds only the summary numbers in memory.
pub type RowHead = Row<Skipped>;

/// A daily series read past and not kept.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Skipped;

impl<'de> Deserialize<'de> for Skipped {
    fn deserialize<De: serde::Deserializer<'de>>(d: De) -> Result<Skipped, De::Error> {
        serde::de::IgnoredAny::deserialize(d)?;
        Ok(Skipped)
    }
}

/// Daily series of one unit: `values` is day-major, one value per column per day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Daily {
    pub columns: Vec<(String, String)>,
    pub values: Vec<Option<f64>>,
}

fn opt(v: f64) -> Option<f64> {
    if v.is_nan() { None } else { Some(v) }
}

impl Row {
    pub fn new(point_key: &str, r: &ReplicationResult, keep_daily: bool) -> Row {
        let c = &r.census;
        Row {
            kind: "unit".into(),
            point: point_key.to_string(),
            replication: r.replication,
            census: [c.alive, c.uncontrolled, c.enrolled, c.signed, c.spawned, c.died],
            metrics: r.metrics.iter().map(|m| (m.name.clone(), m.breakdown.clone(), opt(m.value))).collect(),
            daily: keep_daily.then(|| Daily {
                columns: r.daily.columns.clone(),
                values: r.daily.values.iter().map(|&v| opt(v)).collect(),
            }),
        }
    }

    /// The replication's result, as the model returned it (daily series empty for a sweep).
    pub fn result(&self) -> ReplicationResult {
        let daily = match &self.daily {
            Some(d) => DailyTable {
                columns: d.columns.clone(),
                values: d.values.iter().map(|v| v.unwrap_or(f64::NAN)).collect(),
            },
            None => DailyTable::default(),
        };
        ReplicationResult { daily, ..self.summary() }
    }
}

impl<D> Row<D> {
    /// The replication's result without its daily series.
    pub fn summary(&self) -> ReplicationResult {
        let [alive, uncontrolled, enrolled, signed, spawned, died] = self.census;
        ReplicationResult {
            replication: self.replication,
            metrics: self
                .metrics
                .iter()
                .map(|(name, breakdown, v)| Metric {
                    name: name.clone(),
                    breakdown: breakdown.clone(),
                    value: v.unwrap_or(f64::NAN),
                })
                .collect(),
            daily: DailyTable::default(),
            census: Census { alive, uncontrolled, enrolled, signed, spawned, died },
        }
    }
}

/// A shard file open for appending finished units (a [`store::Writer`]).
#[derive(Debug)]
pub struct Writer(store::Writer);

/// What opening a shard file found.
#[derive(Debug, Default)]
pub struct Resumed {
    /// Units already finished (kept in the file).
    pub done: HashSet<Unit>,
    /// Why an existing file was set aside and started afresh, if it was.
    pub replaced: Option<String>,
    /// Damaged lines set aside, their units run again: line number and why.
    pub damaged: Vec<store::Damaged>,
}

impl Writer {
    /// Opens the shard file at `path` for `exp` and `shard`. If the file exists and belongs to
    /// the same experiment (whatever its replication count) and the same shard layout, every
    /// complete unit line is kept and reported in [`Resumed::done`]; otherwise the file is
    /// started afresh. The file is rewritten with a new header and no footer, then opened for
    /// appending.
    pub fn open(path: &Path, exp: &Experiment, shard: Shard) -> std::io::Result<(Writer, Resumed)> {
        let header = Header::new(exp, shard);
        let compatible = |h: &Header| {
            if h.experiment == header.experiment
                && h.spec == header.spec
                && h.shard == header.shard
                && h.shards == header.shards
            {
                Ok(())
            } else {
                Err(format!(
                    "{} held shard {}/{} of experiment {} ({} \"{}\"), not shard {}/{} of experiment {}; \
                     started afresh",
                    path.display(),
                    h.shard,
                    h.shards,
                    h.experiment,
                    h.experiment_kind,
                    h.scenario,
                    header.shard,
                    header.shards,
                    header.experiment
                ))
            }
        };
        let (writer, opened) =
            store::Writer::open(path, "shard", &header, compatible, |r: &RowHead| unit_of(exp, r))?;
        let done = opened.rows.iter().filter_map(|r| unit_of(exp, r)).collect();
        Ok((Writer(writer), Resumed { done, replaced: opened.replaced, damaged: opened.damaged }))
    }

    /// Appends one finished unit as a complete line, written in one call and flushed.
    pub fn append(&self, row: &Row) -> std::io::Result<()> {
        self.0.append(row)
    }

    /// Closes the shard for `exp` (which may have more replications than when it was opened):
    /// rewrites the file with the final header, the rows of the units this shard owns, and the
    /// footer with the row count. Finished replications beyond the experiment's count (from an
    /// earlier run with more) are kept, never deleted: a later run with more replications uses
    /// them again, and merging leaves them out.
    pub fn finish(self, exp: &Experiment, shard: Shard) -> std::io::Result<PathBuf> {
        let mine: HashSet<Unit> = exp.shard_units(shard).into_iter().collect();
        self.0.close(&Header::new(exp, shard), |r: &RowHead| {
            unit_of(exp, r).filter(|u| mine.contains(u) || u.replication >= exp.replications)
        })
    }
}

/// Runs the units of `shard` of `exp` not in `done` in `pool`, appending each to `writer` as it
/// finishes and then adding them to `done`; `on_unit` is called after each (from any thread).
pub fn run_pending(
    exp: &Experiment,
    shard: Shard,
    writer: &Writer,
    done: &mut HashSet<Unit>,
    pool: &rayon::ThreadPool,
    on_unit: impl Fn() + Sync,
    stop: &AtomicBool,
) -> std::io::Result<()> {
    let todo = exp.pending(shard, done);
    let failed: std::sync::Mutex<Option<std::io::Error>> = std::sync::Mutex::new(None);
    let finished: std::sync::Mutex<Vec<Unit>> = std::sync::Mutex::new(Vec::new());
    let keep_daily = exp.keeps_daily();
    pool.install(|| {
        exp.run_units_until(&todo, stop, |u, result| {
            let row = Row::new(&exp.points[u.point].key_hex(), &result, keep_daily);
            match writer.append(&row) {
                Ok(()) => finished.lock().expect("no panic while holding the lock").push(u),
                Err(e) => {
                    failed.lock().expect("no panic while holding the lock").get_or_insert(e);
                }
            }
            on_unit();
        })
    });
    if let Some(e) = failed.into_inner().expect("no panic while holding the lock") {
        return Err(e);
    }
    done.extend(finished.into_inner().expect("no panic while holding the lock"));
    Ok(())
}

/// The unit a row belongs to, if it is a row of one of `exp`'s points.
fn unit_of<D>(exp: &Experiment, row: &Row<D>) -> Option<Unit> {
    if row.kind != "unit" {
        return None;
    }
    let point = exp.points.iter().position(|p| p.key_hex() == row.point)?;
    Some(Unit { point, replication: row.replication })
}

/// The results of `exp` (per point, in replication order; without daily series) from the rows of
/// a shard file that holds the whole experiment, or `None` if a unit is missing.
pub fn results_of<D>(exp: &Experiment, rows: &[Row<D>]) -> Option<Vec<Vec<ReplicationResult>>> {
    let mut out: Vec<Vec<Option<ReplicationResult>>> =
        vec![vec![None; exp.replications as usize]; exp.points.len()];
    for row in rows {
        let Some(point) = exp.points.iter().position(|p| p.key_hex() == row.point) else { continue };
        if let Some(slot) = out[point].get_mut(row.replication as usize) {
            *slot = Some(row.summary());
        }
    }
    out.into_iter().map(|rs| rs.into_iter().collect::<Option<Vec<_>>>()).collect()
}

/// A shard file as read back for merging: its rows without their daily series.
pub type ShardFile = store::Stored<Header, RowHead>;

/// The daily series of some finished units, read from their shard files one row at a time:
/// each unit's file and the byte where its row starts, in the order they are wanted.
#[derive(Debug, Clone, Default)]
pub struct DailyRows {
    pub files: Vec<PathBuf>,
    /// (index into `files`, offset of the row).
    pub rows: Vec<(usize, u64)>,
}

impl crate::output::DailySource for DailyRows {
    fn for_each(
        &self,
        each: &mut dyn FnMut(&ReplicationResult) -> std::io::Result<()>,
    ) -> std::io::Result<()> {
        let mut open: Vec<Option<std::fs::File>> = self.files.iter().map(|_| None).collect();
        for &(f, offset) in &self.rows {
            let path = &self.files[f];
            let file = match &mut open[f] {
                Some(file) => file,
                slot => slot.insert(std::fs::File::open(path)?),
            };
            let row: Row = store::read_row_at(file, path, offset).map_err(std::io::Error::other)?;
            each(&row.result())?;
        }
        Ok(())
    }
}

/// Reads a shard file; an error says plainly what is wrong with it.
pub fn read(path: &Path) -> Result<ShardFile, String> {
    let file: ShardFile = store::read(path, "medgroup shard", |h: &Header| h.kind == "header")?;
    if file.header.format != FORMAT {
        return Err(format!(
            "{} has format {}; this program reads {FORMAT}",
            path.display(),
            file.header.format
        ));
    }
    Ok(file)
}
