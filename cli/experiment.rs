//! The experiment commands: `run`, `compare`, `sweep` and `merge`.
//!
//! Every experiment runs as shards — a one-machine run is shard 1 of 1 — so resuming, sharding
//! and merging are one code path: run this shard's unfinished units in parallel, appending each
//! to the shard file as it finishes (`Experiment::run_pending`); then, when the whole experiment
//! is on this machine, merge (`experiment::merge`). This module builds the experiment from the
//! command line and prints what happens.

use crate::terminal::{command_line, fmt, print_summary, progress};
use anyhow::{Context, anyhow, bail};
use clap::Args;
use medgroup::experiment::merge::{self, Merged, comparisons};
use medgroup::experiment::precision::{self, Worst};
use medgroup::experiment::shard::{self, Writer};
use medgroup::experiment::warmup::WarmupChoice;
use medgroup::experiment::{
    Design, Experiment, Kind, MAX_SEED, Range, Shard, Spec, SweepRecord, Uncertainty, UncertaintyRecord,
    literal, record,
};
use medgroup::folder::{self, Holder};
use medgroup::metrics::{headline, unit};
use medgroup::rng::{hash_words, name_key};
use medgroup::scenario::{self, KeyPath, Loaded, parse_assignment, parse_range};
use std::path::{Path, PathBuf};
use std::time::Instant;
use toml::Value;

/// Options shared by `run`, `compare` and `sweep`.
#[derive(Debug, Args)]
pub struct Common {
    /// Master seed; overrides the scenario's `seed`. Same scenario and seed give identical files.
    #[arg(long, value_parser = clap::value_parser!(u64).range(0..=9_007_199_254_740_992))]
    pub seed: Option<u64>,
    /// Replications per scenario (per arm, per sweep point); overrides `run.replications`.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub replications: Option<u32>,
    /// Days recorded after the warm-up; overrides `run.days`.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=36_500))]
    pub days: Option<u32>,
    /// Days simulated and discarded before recording; overrides `run.warmup_days`. `auto` picks
    /// it from a pilot run of the base scenario (its own replication streams, from day 0, at
    /// least two years): the longest material MSER-5 transient of the checked series, in whole
    /// weeks, applied to every arm or point and recorded in manifest.json (`warmup_choice`).
    #[arg(long, value_name = "DAYS|auto", value_parser = parse_warmup)]
    pub warmup_days: Option<Warmup>,
    /// Folder for the result files (default: out/<command>/<scenario name>, e.g. out/run/baseline;
    /// a comparison's is named after its arms, out/compare/<base>-vs-<reform>; with --uncertainty,
    /// out/uncertainty/<scenario or arms>). A folder belongs
    /// to one experiment: finished replications are kept in OUT/shards/ and the same command
    /// again resumes; a folder holding another experiment's results or other files is refused
    /// unless --force, and a second command writing into it at once is refused.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Use OUT even though it holds another experiment's results or files medgroup did not
    /// write: medgroup's own files in it are removed first, the others left alone. Not with
    /// --shard (array tasks would remove each other's files): clear the folder first.
    #[arg(long)]
    pub force: bool,
    /// Worker threads (default: one per core). Results do not depend on it.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub threads: Option<u32>,
    /// Run only shard K of N (1 ≤ K ≤ N) and write OUT/shards/shard-K-of-N.jsonl; merge the
    /// shards with `medgroup merge OUT` once all N are done. `auto/N` takes K from
    /// SLURM_ARRAY_TASK_ID (sbatch --array=1-N) or JOB_COMPLETION_INDEX (Kubernetes, + 1).
    #[arg(long, value_name = "K/N")]
    pub shard: Option<String>,
    /// Add replications in batches until the 95 % CI half-width of every headline metric (of
    /// every arm or sweep point) is within REL of its mean (e.g. 0.02 for 2 %), or
    /// --max-replications is reached. Each batch's size is estimated from the results so far.
    #[arg(long, value_name = "REL", value_parser = positive_fraction)]
    pub precision: Option<f64>,
    /// Cap on replications per scenario with --precision.
    #[arg(long, default_value_t = 200, value_parser = clap::value_parser!(u32).range(2..=100_000))]
    pub max_replications: u32,
    /// Print only errors.
    #[arg(long, short)]
    pub quiet: bool,
    /// Also write the HTML report (OUT/report.<lang>.html, with charts in OUT/charts/), in
    /// English or, with `--report zh` (or `--report=zh`), in Chinese. Put it after the scenario
    /// files (a word after a bare --report is read as its language). Not with --shard (report
    /// after `merge`).
    #[arg(long, value_name = "LANG", num_args = 0..=1, default_missing_value = "en", value_parser = parse_lang)]
    pub report: Option<analysis::report::Lang>,
}

fn parse_lang(s: &str) -> Result<analysis::report::Lang, String> {
    s.parse().map_err(|e: String| {
        if s.ends_with(".toml") || s.contains('/') {
            format!(
                "--report takes a language (zh or en), and `{s}` was read as one: put --report after the \
                 scenario files, e.g. `medgroup run scenarios/small.toml --report zh`"
            )
        } else {
            e
        }
    })
}

/// `--warmup-days`: a number of days, or picked by a pilot run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Warmup {
    Days(u32),
    Auto,
}

fn parse_warmup(s: &str) -> Result<Warmup, String> {
    if s == "auto" {
        return Ok(Warmup::Auto);
    }
    match s.parse::<u32>() {
        Ok(d) if d <= 36_500 => Ok(Warmup::Days(d)),
        _ => Err(format!("expected a number of days (0 to 36500) or `auto`, got `{s}`")),
    }
}

/// With `--warmup-days auto`: picks the warm-up from a pilot of `base` and applies it to every
/// scenario of `all` (the base among them); returns the choice for the experiment's spec.
fn auto_warmup(
    all: &mut [&mut Loaded],
    replications: u32,
    c: &Common,
) -> anyhow::Result<Option<WarmupChoice>> {
    if c.warmup_days != Some(Warmup::Auto) {
        return Ok(None);
    }
    let base = &all[0].params;
    let pilot = replications.clamp(2, 4);
    if !c.quiet {
        eprintln!(
            "warm-up: a pilot of \"{}\" ({pilot} replications × {} days from day 0, replications from {}) picks it",
            base.name,
            medgroup::experiment::warmup::pilot_days(base),
            medgroup::experiment::warmup::PILOT_FIRST_REPLICATION
        );
    }
    let start = Instant::now();
    let choice = medgroup::experiment::warmup::choose(base, pilot);
    let key = KeyPath::parse("run.warmup_days").expect("a plain key");
    for l in all.iter_mut() {
        **l = l
            .with_values(&[(key.clone(), Value::Integer(i64::from(choice.days)))])
            .with_context(|| format!("the warm-up of {} days picked by the pilot", choice.days))?;
    }
    if !c.quiet {
        let what = if choice.breakdown.is_empty() {
            choice.series.clone()
        } else {
            format!("{} ({})", choice.series, choice.breakdown)
        };
        eprintln!(
            "warm-up: {} days, for every arm (longest material transient: {what}; pilot {:.0} s)",
            choice.days,
            start.elapsed().as_secs_f64()
        );
    }
    Ok(Some(choice))
}

fn positive_fraction(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if v > 0.0 && v < 1.0 => Ok(v),
        _ => Err(format!("expected a fraction in (0, 1), e.g. 0.05 for 5 %, got `{s}`")),
    }
}

/// Parameter uncertainty (probabilistic sensitivity analysis), for `run` and `compare`.
#[derive(Debug, Args)]
pub struct UncertaintyArgs {
    /// Run under parameter uncertainty: --draws parameter vectors, each run with the
    /// replications (and, in a comparison, every arm with the same seeds within a draw; each
    /// draw has its own). `prior`: from the [[parameter]] priors of --targets FILE (a Latin
    /// hypercube); `posterior`: from a calibration's weighted sample (--posterior, resampled by
    /// weight). Writes uncertainty.csv (each effect's mean, 95 % parameter interval across draws,
    /// within-draw stochastic interval and probability of improvement), draws.csv and
    /// uncertainty.svg/.png.
    #[arg(long, value_name = "SOURCE", value_parser = ["prior", "posterior"])]
    pub uncertainty: Option<String>,
    /// Parameter draws with --uncertainty.
    #[arg(long, default_value_t = 40, value_parser = clap::value_parser!(u32).range(2..=10_000))]
    pub draws: u32,
    /// With --uncertainty prior: the targets file whose [[parameter]] priors are drawn from.
    #[arg(long, value_name = "FILE")]
    pub targets: Option<PathBuf>,
    /// With --uncertainty posterior: a calibration's posterior_sample.csv, or its folder.
    #[arg(long, value_name = "FILE|DIR")]
    pub posterior: Option<PathBuf>,
}

/// The draws of `--uncertainty`, taken for `base`; `None` without it.
fn draws(u: &UncertaintyArgs, base: &Loaded, c: &Common) -> anyhow::Result<Option<UncertaintyRecord>> {
    let Some(source) = &u.uncertainty else {
        if u.targets.is_some() || u.posterior.is_some() {
            bail!(
                "--targets and --posterior name where --uncertainty draws from: add --uncertainty prior|posterior"
            );
        }
        return Ok(None);
    };
    let (source, from) = match (source.as_str(), &u.targets, &u.posterior) {
        ("prior", Some(t), None) => (Uncertainty::Prior, t),
        ("posterior", None, Some(p)) => (Uncertainty::Posterior, p),
        ("prior", _, _) => bail!(
            "--uncertainty prior draws from a targets file's priors: give --targets FILE (not --posterior)"
        ),
        _ => bail!(
            "--uncertainty posterior draws from a calibration's sample: give --posterior FILE|DIR (its \
             posterior_sample.csv; not --targets)"
        ),
    };
    if c.precision.is_some() {
        bail!("--precision with --uncertainty is not supported: give --replications per draw");
    }
    Ok(Some(medgroup::calibration::uncertainty_draws(
        base,
        source,
        from,
        u.draws as usize,
        base.params.seed,
    )?))
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// Scenario file (TOML), e.g. scenarios/baseline.toml.
    pub scenario: PathBuf,
    /// Set a scenario value before validation: KEY=VALUE, repeatable. Keys are paths like
    /// `population.signing_rate` or `facilities[lead].wards[medical].beds` (entries of arrays by
    /// `name`, by `[key=value]` or by position `[0]`).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    #[command(flatten)]
    pub uncertainty: UncertaintyArgs,
    #[command(flatten)]
    pub common: Common,
}

#[derive(Debug, Args)]
pub struct CompareArgs {
    /// The base scenario, then one or more reforms; each scenario's `name` names its arm.
    #[arg(required = true, num_args = 2..)]
    pub scenarios: Vec<PathBuf>,
    /// Set a value in every arm before validation: KEY=VALUE, repeatable (see `run --help`).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// Give each arm its own seeds (a hash of the master seed and the arm's scenario) instead of
    /// common random numbers. Paired differences are then noisier; for checking the design.
    #[arg(long)]
    pub independent: bool,
    /// The minimal important difference of a metric, in its unit (shares are 0–1: 0.01 is one
    /// percentage point) or as a percentage of the base mean (`5%`): a difference whose CI
    /// excludes 0 but lies within ± it is reported as negligible. Repeatable; replaces the
    /// catalogue's value (`medgroup::metrics::IMPORTANCE`, README "Reading the output").
    #[arg(long = "mid", value_name = "METRIC=VALUE")]
    pub mid: Vec<String>,
    /// Compare arms whose run windows (warm-up or recorded days) differ: refused otherwise, since
    /// their paired differences compare different periods.
    #[arg(long)]
    pub different_windows: bool,
    #[command(flatten)]
    pub uncertainty: UncertaintyArgs,
    #[command(flatten)]
    pub common: Common,
}

/// The `--mid` overrides, checked: a known metric and a number or a percentage.
fn mids(given: &[String]) -> anyhow::Result<std::collections::BTreeMap<String, String>> {
    let known = medgroup::metrics::names();
    let mut out = std::collections::BTreeMap::new();
    for g in given {
        let Some((metric, value)) = g.split_once('=') else {
            bail!("--mid {g}: expected METRIC=VALUE, e.g. --mid primary_care_visit_share=0.005");
        };
        let metric = metric.trim();
        if !known.contains(&metric) {
            bail!("--mid {g}: no metric named \"{metric}\" (see README, \"Output files\", or summary.csv)");
        }
        analysis::importance::parse_mid(value).map_err(|e| anyhow!("--mid {g}: {e}"))?;
        out.insert(metric.to_string(), value.trim().to_string());
    }
    Ok(out)
}

#[derive(Debug, Args)]
pub struct SweepArgs {
    /// Base scenario file (TOML).
    pub scenario: PathBuf,
    /// A grid axis: KEY=V1,V2,… (repeatable; every combination is a point, first key slowest).
    /// Keys are paths like `population.signing_rate` or `facilities[lead].wards[medical].beds`
    /// (entries of arrays by `name`, by `[key=value]` or by position `[0]`); values are TOML
    /// (3, 0.5, true, "text", [1, 2]), separated by commas outside brackets and quotes.
    #[arg(long = "set", value_name = "KEY=V1,V2,…")]
    pub set: Vec<String>,
    /// A Latin hypercube of N points over the --range parameters, instead of a grid.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub lhs: Option<u32>,
    /// A range for --lhs: KEY=LO:HI (repeatable). A key holding an integer gets rounded values.
    #[arg(long = "range", value_name = "KEY=LO:HI")]
    pub range: Vec<String>,
    /// Give each point its own seeds (a hash of the master seed and the point's values) instead
    /// of common random numbers.
    #[arg(long)]
    pub independent: bool,
    #[command(flatten)]
    pub common: Common,
}

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// Result folders (their shards/ subfolders are read) or shard files.
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,
    /// Where to write the results (default: the folder given, when there is one).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Write into OUT even though it holds another experiment's results or files medgroup did
    /// not write (medgroup's own files are removed first, the others left alone).
    #[arg(long)]
    pub force: bool,
    /// Print only errors.
    #[arg(long, short)]
    pub quiet: bool,
}

/// Loads a scenario and applies the common overrides and single-valued `--set`s.
fn load(path: &Path, sets: &[String], c: &Common) -> anyhow::Result<Loaded> {
    let loaded = scenario::load(path)?;
    let mut assignments: Vec<(KeyPath, Value)> = Vec::new();
    for s in sets {
        let (key, mut values) = parse_assignment(s)?;
        if values.len() != 1 {
            bail!("--set {s}: one value expected here (several values make a sweep: `medgroup sweep`)");
        }
        assignments.push((key, values.remove(0)));
    }
    let warmup_days = match c.warmup_days {
        Some(Warmup::Days(w)) => Some(w),
        _ => None,
    };
    assignments.extend(scenario::run_overrides(c.seed, c.days, warmup_days));
    Ok(if assignments.is_empty() { loaded } else { loaded.with_values(&assignments)? })
}

fn replications(c: &Common, base: &Loaded) -> u32 {
    c.replications.unwrap_or(base.params.run.replications)
}

pub fn run(a: RunArgs) -> anyhow::Result<()> {
    let mut loaded = load(&a.scenario, &a.set, &a.common)?;
    let r = replications(&a.common, &loaded);
    let warmup = auto_warmup(&mut [&mut loaded], r, &a.common)?;
    let uncertainty = draws(&a.uncertainty, &loaded, &a.common)?;
    let spec = Spec {
        kind: Kind::Run,
        version: medgroup::VERSION.into(),
        seed: loaded.params.seed,
        independent: false,
        scenarios: vec![record(&loaded)],
        sweep: None,
        warmup,
        mid: Default::default(),
        different_windows: false,
        uncertainty,
    };
    execute(spec, r, &a.common)
}

pub fn compare(a: CompareArgs) -> anyhow::Result<()> {
    let mid = mids(&a.mid)?;
    let mut arms: Vec<Loaded> =
        a.scenarios.iter().map(|p| load(p, &a.set, &a.common)).collect::<Result<_, _>>()?;
    let r = replications(&a.common, &arms[0]);
    let warmup = auto_warmup(&mut arms.iter_mut().collect::<Vec<_>>(), r, &a.common)?;
    let uncertainty = draws(&a.uncertainty, &arms[0], &a.common)?;
    let spec = Spec {
        kind: Kind::Compare,
        version: medgroup::VERSION.into(),
        seed: arms[0].params.seed,
        independent: a.independent,
        scenarios: arms.iter().map(record).collect(),
        sweep: None,
        warmup,
        mid,
        different_windows: a.different_windows,
        uncertainty,
    };
    execute(spec, r, &a.common)
}

pub fn sweep(a: SweepArgs) -> anyhow::Result<()> {
    let mut base = load(&a.scenario, &[], &a.common)?;
    let r = replications(&a.common, &base);
    let warmup = auto_warmup(&mut [&mut base], r, &a.common)?;
    let (parameters, design, points) = match a.lhs {
        None => {
            if !a.range.is_empty() {
                bail!("--range needs --lhs N (for a grid, list values with --set KEY=V1,V2,…)");
            }
            if a.set.is_empty() {
                bail!("a sweep needs parameters: --set KEY=V1,V2,… (a grid) or --lhs N --range KEY=LO:HI");
            }
            let axes: Vec<(KeyPath, Vec<Value>)> =
                a.set.iter().map(|s| parse_assignment(s)).collect::<Result<_, _>>()?;
            let SweepRecord { parameters, design, points } = medgroup::experiment::grid(&axes);
            (parameters, design, points)
        }
        Some(n) => {
            if !a.set.is_empty() {
                bail!("--set makes a grid; with --lhs give ranges: --range KEY=LO:HI");
            }
            if a.range.is_empty() {
                bail!("--lhs needs at least one --range KEY=LO:HI");
            }
            let ranges: Vec<(KeyPath, f64, f64)> =
                a.range.iter().map(|s| parse_range(s)).collect::<Result<_, _>>()?;
            let seed = hash_words(&[base.params.seed, name_key("latin hypercube")]) % MAX_SEED;
            let integer: Vec<bool> = ranges
                .iter()
                .map(|(k, _, _)| matches!(k.get(&base.resolved), Some(Value::Integer(_))))
                .collect();
            let points = analysis::design::latin_hypercube(n as usize, ranges.len(), seed)
                .into_iter()
                .map(|u| {
                    u.iter()
                        .zip(&ranges)
                        .zip(&integer)
                        .map(|((&u, (_, lo, hi)), &int)| {
                            let x = lo + u * (hi - lo);
                            literal(&if int { Value::Integer(x.round() as i64) } else { Value::Float(x) })
                        })
                        .collect()
                })
                .collect();
            let design = Design::Lhs {
                n,
                seed,
                ranges: ranges
                    .iter()
                    .map(|(k, lo, hi)| Range { key: k.to_string(), lo: *lo, hi: *hi })
                    .collect(),
            };
            (ranges.iter().map(|(k, _, _)| k.to_string()).collect(), design, points)
        }
    };
    let mut sorted = parameters.clone();
    sorted.sort();
    if let Some(w) = sorted.windows(2).find(|w| w[0] == w[1]) {
        bail!("parameter {} is given twice", w[0]);
    }
    let spec = Spec {
        kind: Kind::Sweep,
        version: medgroup::VERSION.into(),
        seed: base.params.seed,
        independent: a.independent,
        scenarios: vec![record(&base)],
        sweep: Some(SweepRecord { parameters, design, points }),
        warmup,
        mid: Default::default(),
        different_windows: false,
        uncertainty: None,
    };
    let r = replications(&a.common, &base);
    execute(spec, r, &a.common)
}

pub fn merge(a: MergeArgs) -> anyhow::Result<()> {
    for input in &a.inputs {
        if !input.exists() {
            bail!(
                "{} does not exist: give the results folder of a sharded experiment (its --out) or its shard files",
                input.display()
            );
        }
    }
    let out = match (&a.out, a.inputs.as_slice()) {
        (Some(o), _) => o.clone(),
        (None, [one]) if one.is_dir() => one.clone(),
        _ => bail!("say where to write the merged results with --out"),
    };
    // The folder's lock first: a run still writing its shards holds it, and merge must say so
    // rather than find the shards missing or half written.
    let _lock = folder::lock_folder(&out, &Holder::this_process(&command_line()))?;
    let mut files = Vec::new();
    for input in &a.inputs {
        if input.is_dir() {
            files.extend(merge::shard_files_in(input).map_err(|e| anyhow!(e))?);
        } else {
            files.push(input.clone());
        }
    }
    let merged = merge::merge(&files, &out, a.force).map_err(|e| anyhow!(e))?;
    if !a.quiet {
        eprintln!("merged {} shard file(s)", files.len());
        removed_note(&merged.removed, &out);
        report(&merged, &out, None);
    }
    Ok(())
}

/// Says what `--force` (or a change of results) removed from `out`.
pub fn removed_note(removed: &[PathBuf], out: &Path) {
    if removed.is_empty() {
        return;
    }
    let names: Vec<String> =
        removed.iter().map(|p| p.strip_prefix(out).unwrap_or(p).display().to_string()).collect();
    eprintln!("note: removed from {}: {}", out.display(), names.join(", "));
}

fn execute(spec: Spec, replications: u32, c: &Common) -> anyhow::Result<()> {
    let shard = match &c.shard {
        None => Shard::WHOLE,
        Some(s) => Shard::parse(s, |k| std::env::var(k).ok()).map_err(|e| anyhow!(e))?,
    };
    let mut exp = Experiment::build(spec.clone(), replications)?;
    // Under parameter uncertainty, out/uncertainty/<names>: beside, not over, the plain experiment.
    let command = if exp.spec.uncertainty.is_some() { "uncertainty" } else { exp.spec.kind.name() };
    let out = c.out.clone().unwrap_or_else(|| folder::default_folder(command, &exp.names()));
    if c.report.is_some() && shard != Shard::WHOLE {
        bail!(
            "--report needs the whole experiment, and a shard holds only part of it: run the shards, then \
             `medgroup merge {}` and `medgroup report {}`",
            out.display(),
            out.display()
        );
    }
    if c.force && shard != Shard::WHOLE {
        bail!(
            "--force with --shard would let the shards remove each other's files: clear {} first (or use \
             another --out), then run the shards without --force",
            out.display()
        );
    }
    if c.precision.is_some() && shard != Shard::WHOLE {
        bail!(
            "--precision decides the number of replications from the results, which needs every shard: \
             run it on one machine, or give --replications to the shards"
        );
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(c.threads.unwrap_or(0) as usize)
        .build()
        .map_err(|e| anyhow!("cannot start worker threads: {e}"))?;
    let holder = Holder::this_process(&command_line());
    let _locks = if shard == Shard::WHOLE {
        (folder::lock_folder(&out, &holder)?, None)
    } else {
        let lock = out.join("shards").join(shard.file_name()).with_extension("lock");
        let (folder_lock, shard_lock) = folder::lock_shard(&out, &lock, &holder)?;
        (folder_lock, Some(shard_lock))
    };
    let claimed = folder::claim(&out, &exp.owner(), c.force)?;
    if !c.quiet {
        removed_note(&claimed.removed, &out);
    }
    if !c.quiet {
        let p = &exp.base.params;
        eprintln!(
            "{} \"{}\": {} × {} replication(s) × ({} warm-up + {} recorded days), seed {}{}, {} thread(s){}; results in {}",
            exp.spec.kind.name(),
            p.name,
            match &exp.spec.uncertainty {
                Some(u) => format!(
                    "{} {} draw(s) of {} parameter(s) × {} arm(s)",
                    u.draws.len(),
                    u.source.name(),
                    u.parameters.len(),
                    exp.arm_count()
                ),
                None => format!("{} point(s)", exp.points.len()),
            },
            exp.replications,
            p.run.warmup_days,
            p.run.days,
            exp.spec.seed,
            if exp.spec.independent { " (independent seeds per point)" } else { "" },
            pool.current_num_threads(),
            if shard == Shard::WHOLE {
                String::new()
            } else {
                format!(", shard {}/{}", shard.index, shard.count)
            },
            out.display()
        );
    }
    let started = Instant::now();
    let path = out.join("shards").join(shard.file_name());
    let (writer, resumed) = Writer::open(&path, &exp, shard)
        .with_context(|| format!("cannot open shard file {}", path.display()))?;
    if let Some(why) = &resumed.replaced
        && !c.quiet
    {
        eprintln!("note: {why}");
    }
    if !resumed.damaged.is_empty() && !c.quiet {
        for (line, why) in &resumed.damaged {
            eprintln!("note: {} line {line} is damaged ({why}): its replication runs again", path.display());
        }
    }
    if !resumed.done.is_empty() && !c.quiet {
        eprintln!("resuming: {} unit(s) already finished in {}", resumed.done.len(), path.display());
    }
    let mut done = resumed.done;
    let resumed_units = done.len();
    let mut note = None;
    loop {
        let bar = progress(exp.pending(shard, &done).len() as u64, c.quiet);
        let total = exp.shard_units(shard).len() as u64;
        let kept = crate::terminal::on_interrupt("replication(s)", &path, done.len() as u64, total);
        let never = std::sync::atomic::AtomicBool::new(false);
        shard::run_pending(
            &exp,
            shard,
            &writer,
            &mut done,
            &pool,
            || {
                bar.inc(1);
                kept.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            },
            &never,
        )
        .with_context(|| format!("cannot write to shard file {}", path.display()))?;
        bar.finish_and_clear();
        let Some(rel) = c.precision else { break };
        let file = shard::read(&path).map_err(|e| anyhow!(e))?;
        let results = shard::results_of(&exp, &file.rows).ok_or_else(|| {
            anyhow!("{}: a finished unit is missing (was the file changed?)", path.display())
        })?;
        match precision::step(&exp, &results, rel, c.max_replications) {
            precision::Step::More { replications, worst } => {
                if !c.quiet {
                    eprintln!(
                        "precision {:.1} % not reached with {} replication(s) ({}); running {} in all",
                        rel * 100.0,
                        exp.replications,
                        worst_text(&worst),
                        replications
                    );
                }
                exp = Experiment::build(spec.clone(), replications)?;
            }
            precision::Step::Reached => {
                note = Some(format!(
                    "precision reached: every headline metric's 95 % CI half-width is within {:.1} % of its mean with {} replication(s)",
                    rel * 100.0,
                    exp.replications
                ));
                break;
            }
            precision::Step::Capped { worst } => {
                note = Some(format!(
                    "precision NOT reached: stopped at the cap of {} replication(s) (--max-replications); {}",
                    exp.replications,
                    worst_text(&worst)
                ));
                break;
            }
        }
    }
    writer.finish(&exp, shard).with_context(|| format!("cannot finish shard file {}", path.display()))?;
    let wall = started.elapsed().as_secs_f64();
    if shard != Shard::WHOLE {
        if !c.quiet {
            eprintln!(
                "shard {}/{} finished in {wall:.1} s: {}\nwhen all {} shards are done: medgroup merge {}",
                shard.index,
                shard.count,
                path.display(),
                shard.count,
                out.display()
            );
        }
        return Ok(());
    }
    let ran = done.len() - resumed_units;
    let merged = merge::merge(&[path], &out, c.force).map_err(|e| anyhow!(e))?;
    if !c.quiet {
        removed_note(&merged.removed, &out);
        report(&merged, &out, Some((wall, ran, pool.current_num_threads())));
        if let Some(n) = note {
            println!("{n}");
        }
    }
    if let Some(lang) = c.report {
        let path = medgroup::report::write(&out, lang, None)?;
        if !c.quiet {
            println!("report written to {}", path.display());
        }
    }
    Ok(())
}

/// The metric furthest from the target precision, in words.
fn worst_text(w: &Worst) -> String {
    format!(
        "worst: {}{}{} half-width {} = {} of the mean",
        w.metric,
        if w.breakdown.is_empty() { String::new() } else { format!(" ({})", w.breakdown) },
        w.point.as_ref().map(|p| format!(" at {p}")).unwrap_or_default(),
        fmt(w.half_width),
        if w.ratio.is_finite() { format!("{:.1} %", w.ratio * 100.0) } else { "∞ (mean 0)".into() }
    )
}

/// Prints what an experiment found and where its files are.
/// `timing`: wall seconds, units run by this command (not resumed), threads.
fn report(m: &Merged, out: &Path, timing: Option<(f64, usize, usize)>) {
    let exp = &m.experiment;
    match exp.spec.kind {
        _ if exp.spec.uncertainty.is_some() => print_uncertainty(m),
        Kind::Run => {
            print_summary(&exp.points[0].loaded, &medgroup::output::summarise(&m.results[0]));
            if let Some(line) = warmup_line(&m.means[0], exp.base.params.run.warmup_days) {
                println!("{line}");
            }
        }
        Kind::Compare => print_comparison(m),
        Kind::Sweep => {
            let sweep = exp.spec.sweep.as_ref().expect("a sweep has a design");
            println!();
            println!(
                "sweep of \"{}\" over {}: {} point(s) ({}) × {} replication(s), {}",
                exp.base.params.name,
                sweep.parameters.join(", "),
                exp.points.len(),
                match &sweep.design {
                    Design::Grid => "grid".to_string(),
                    Design::Lhs { n, .. } => format!("Latin hypercube of {n}"),
                },
                exp.replications,
                if exp.spec.independent { "independent seeds per point" } else { "common random numbers" }
            );
            print_sweep(m);
        }
    }
    if let Some((wall, ran, threads)) = timing {
        let days = exp.base.params.run.total_days();
        println!();
        if ran > 0 {
            // CPU time of the whole process so far: loading, building worlds, simulating, merging.
            let cpu = cpu_time::ProcessTime::try_now().map(|t| t.as_duration().as_secs_f64());
            match cpu {
                Ok(cpu) => println!(
                    "simulated {ran} replication(s) of {days} days in {wall:.2} s wall, {cpu:.2} CPU-s for the whole \
                     process ({:.3} CPU-s per replication-year; {threads} thread(s))",
                    cpu / ran as f64 / (f64::from(days) / medgroup::time::DAYS_PER_YEAR)
                ),
                Err(_) => println!(
                    "simulated {ran} replication(s) of {days} days in {wall:.2} s wall on {threads} thread(s) (the \
                     process's CPU time is not available here)"
                ),
            }
        } else {
            println!(
                "every replication was already finished in {}: nothing to simulate",
                out.join("shards").display()
            );
        }
    }
    if m.extra > 0 {
        println!(
            "kept {} finished replication(s) beyond the {} used here in {}: a run with more --replications uses them",
            m.extra,
            exp.replications,
            out.join("shards").display()
        );
    }
    println!("results written to {}:", out.display());
    for p in &m.written {
        println!("  {}", p.display());
    }
}

/// The most points a sweep's table shows side by side; the rest are in sweep_summary.csv.
const SWEEP_COLUMNS: usize = 6;

/// A sweep's headline metrics: one row per metric, the mean at each point (the first
/// [`SWEEP_COLUMNS`] points), with the points' values above.
fn print_sweep(m: &Merged) {
    let exp = &m.experiment;
    let shown = exp.points.len().min(SWEEP_COLUMNS);
    let summaries: Vec<_> = m.results[..shown].iter().map(|r| medgroup::output::summarise(r)).collect();
    let Some(first) = summaries.first() else { return };
    let sweep = exp.spec.sweep.as_ref().expect("a sweep has a design");
    for p in &exp.points[..shown] {
        let values: Vec<String> = sweep
            .parameters
            .iter()
            .zip(&p.values)
            .map(|(k, v)| format!("{} = {}", k.rsplit('.').next().unwrap_or(k), v))
            .collect();
        println!("  point {}: {}", p.label, values.join(", "));
    }
    let mut rows: Vec<Vec<String>> = Vec::new();
    rows.push(
        std::iter::once("metric (mean at each point)".to_string())
            .chain(exp.points[..shown].iter().map(|p| format!("point {}", p.label)))
            .collect(),
    );
    for (n, b, _) in first.iter().filter(|(n, b, _)| headline(n, b)) {
        let mut row = vec![format!("{n}{}", if b.is_empty() { String::new() } else { format!(" ({b})") })];
        for s in &summaries {
            let v = s
                .iter()
                .find(|(n2, b2, _)| n2 == n && b2 == b)
                .map_or("—".to_string(), |(_, _, s)| fmt(s.mean));
            row.push(v);
        }
        rows.push(row);
    }
    let mut width = vec![0; shown + 1];
    for r in &rows {
        for (w, c) in width.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    for (i, r) in rows.iter().enumerate() {
        let mut line = format!("  {:<w$}", r[0], w = width[0]);
        for (c, w) in r[1..].iter().zip(&width[1..]) {
            line.push_str(&format!("  {c:>w$}", w = *w));
        }
        println!("{line}");
        if i == 0 {
            println!("  {}", width.iter().map(|w| "─".repeat(*w)).collect::<Vec<_>>().join("  "));
        }
    }
    if exp.points.len() > shown {
        println!(
            "  ({} more point(s), and every metric with its CI: sweep_summary.csv)",
            exp.points.len() - shown
        );
    } else {
        println!("  (every metric with its CI: sweep_summary.csv)");
    }
}

/// The warm-up check of a run in words (`experiment::warmup`).
fn warmup_line(means: &medgroup::experiment::warmup::Means, warmup_days: u32) -> Option<String> {
    let w = medgroup::experiment::warmup::check_means(means, warmup_days)?;
    let what =
        if w.breakdown.is_empty() { w.series.clone() } else { format!("{} ({})", w.series, w.breakdown) };
    Some(if w.too_short() {
        format!(
            "warm-up check: MSER-5 suggests deleting about {} days of {what} (a level change of {}), more \
             than the {} warm-up days: consider a longer run.warmup_days (a cohort series that drifts over \
             the whole window is not at a steady state and fails however long the warm-up; docs/steady_state.md)",
            w.days,
            shift_text(&w),
            w.warmup_days
        )
    } else if !w.material {
        format!(
            "warm-up check: no material transient (every MSER-5 truncation removes less than 1 pp of a share \
             or 2 % of a count; longest: {} days of {what}, {}) with {} warm-up days",
            w.days,
            shift_text(&w),
            w.warmup_days
        )
    } else {
        format!(
            "warm-up check: the MSER-5 truncation of every ward's occupancy and of the cohort and \
             outpatient series is within the {} warm-up days (longest: {} days, {what}, {})",
            w.warmup_days,
            w.days,
            shift_text(&w)
        )
    })
}

fn shift_text(w: &medgroup::experiment::warmup::WarmupCheck) -> String {
    if medgroup::experiment::warmup::is_share(&w.series) {
        format!("{:+.2} pp", 100.0 * w.shift)
    } else {
        format!("{:+.1} %", 100.0 * w.shift)
    }
}

fn print_comparison(m: &Merged) {
    let exp = &m.experiment;
    let rows = comparisons(exp, &m.results);
    println!();
    println!(
        "{} vs base \"{}\" — seed {}, {} paired replication(s) ({}); mean difference arm − base with 95 % CI",
        exp.points[1..].iter().map(|p| format!("\"{}\"", p.label)).collect::<Vec<_>>().join(", "),
        exp.points[0].label,
        exp.spec.seed,
        exp.replications,
        if exp.spec.independent { "independent seeds" } else { "common random numbers" }
    );
    let table: Vec<[String; 7]> = rows
        .iter()
        .filter(|c| headline(&c.metric, &c.breakdown))
        .map(|c| {
            let p = &c.paired;
            let ci = |lo: f64, hi: f64| {
                if lo.is_finite() { format!("[{}, {}]", fmt(lo), fmt(hi)) } else { "—".into() }
            };
            [
                format!(
                    "{}{}",
                    c.metric,
                    if c.breakdown.is_empty() { String::new() } else { format!(" ({})", c.breakdown) }
                ),
                c.arm.clone(),
                fmt(p.base_mean),
                fmt(p.arm_mean),
                format!(
                    "{}{} {}",
                    fmt(p.diff_mean),
                    match c.verdict {
                        v if v.matters() => "*",
                        analysis::importance::Verdict::Negligible => "~",
                        _ => " ",
                    },
                    ci(p.diff_ci_low, p.diff_ci_high)
                ),
                if p.pct_change.is_finite() && p.pct_ci_low.is_finite() {
                    format!("{:+.2} % [{:+.2}, {:+.2}]", p.pct_change, p.pct_ci_low, p.pct_ci_high)
                } else if p.pct_change.is_finite() {
                    format!("{:+.2} %", p.pct_change)
                } else {
                    "—".into()
                },
                format!("{}  {}", unit(&c.metric), c.verdict.name()),
            ]
        })
        .collect();
    let header =
        ["metric", "arm", "base", "arm mean", "difference [95% CI]", "change [95% CI]", "unit  verdict"];
    let mut width = header.map(|h| h.chars().count());
    for r in &table {
        for (w, c) in width.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    let pad = |s: &str, w: usize, right: bool| {
        let n = s.chars().count();
        let fill = " ".repeat(w.saturating_sub(n));
        if right { format!("{fill}{s}") } else { format!("{s}{fill}") }
    };
    let line = |cells: [&str; 7]| {
        println!(
            "  {}  {}  {}  {}  {}  {}  {}",
            pad(cells[0], width[0], false),
            pad(cells[1], width[1], false),
            pad(cells[2], width[2], true),
            pad(cells[3], width[3], true),
            pad(cells[4], width[4], false),
            pad(cells[5], width[5], false),
            cells[6]
        );
    };
    line(header);
    let rules: Vec<String> = width.iter().map(|w| "─".repeat(*w)).collect();
    line([&rules[0], &rules[1], &rules[2], &rules[3], &rules[4], &rules[5], "────"]);
    for r in &table {
        line([&r[0], &r[1], &r[2], &r[3], &r[4], &r[5], &r[6]]);
    }
    println!(
        "  * the 95 % CI of the paired difference excludes 0 and reaches beyond the metric's minimal important \
         difference (better or worse where the metric has a better direction); ~ it excludes 0 but lies within \
         ± the MID: negligible.  All metrics, with each MID: comparison.csv"
    );
}

/// The headline table of an experiment under parameter uncertainty.
fn print_uncertainty(m: &Merged) {
    use medgroup::experiment::uncertainty::{Quantity, rows};
    let exp = &m.experiment;
    let u = exp.spec.uncertainty.as_ref().expect("an experiment under parameter uncertainty");
    let compare = exp.spec.kind == Kind::Compare;
    println!();
    println!(
        "{} across {} {} draw(s) of {} ({}), {} replication(s) per draw{}",
        if compare {
            format!(
                "{} vs base \"{}\"",
                exp.arms().skip(1).map(|p| format!("\"{}\"", p.label)).collect::<Vec<_>>().join(", "),
                exp.points[0].label
            )
        } else {
            format!("\"{}\"", exp.points[0].label)
        },
        u.draws.len(),
        u.source.name(),
        u.parameters.join(", "),
        u.from,
        exp.replications,
        if compare { "; effect = mean paired difference arm − base" } else { "" }
    );
    let wanted = if compare { Quantity::Difference } else { Quantity::Level };
    let ci =
        |lo: f64, hi: f64| if lo.is_finite() { format!("[{}, {}]", fmt(lo), fmt(hi)) } else { "—".into() };
    let table: Vec<Vec<String>> = rows(exp, &m.results)
        .iter()
        .filter(|r| r.quantity == wanted && headline(&r.metric, &r.breakdown))
        .filter_map(|r| {
            let s = r.spread?;
            let mut cells = vec![
                format!(
                    "{}{}",
                    r.metric,
                    if r.breakdown.is_empty() { String::new() } else { format!(" ({})", r.breakdown) }
                ),
                fmt(s.mean),
                ci(s.param_low, s.param_high),
                ci(s.stochastic_low, s.stochastic_high),
                if s.parameter_share.is_finite() {
                    format!("{:.0} %", 100.0 * s.parameter_share)
                } else {
                    "—".into()
                },
            ];
            if compare {
                cells.insert(1, r.arm.clone());
                cells.push(s.p_improve.map_or("—".into(), |p| format!("{:.2}", p)));
                cells.push(s.p_important.map_or("—".into(), |p| format!("{:.2}", p)));
            }
            cells.push(unit(&r.metric).to_string());
            Some(cells)
        })
        .collect();
    let header: Vec<&str> = if compare {
        vec![
            "metric",
            "arm",
            "effect",
            "parameter 95%",
            "stochastic 95%",
            "param. share",
            "P(better)",
            "P(>MID)",
            "unit",
        ]
    } else {
        vec!["metric", "mean", "parameter 95%", "stochastic 95%", "param. share", "unit"]
    };
    let mut width: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for r in &table {
        for (w, c) in width.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    let line = |cells: &[String]| {
        let padded: Vec<String> = cells
            .iter()
            .zip(&width)
            .map(|(c, w)| format!("{c}{}", " ".repeat(w.saturating_sub(c.chars().count()))))
            .collect();
        println!("  {}", padded.join("  ").trim_end());
    };
    line(&header.iter().map(|h| h.to_string()).collect::<Vec<_>>());
    line(&width.iter().map(|w| "─".repeat(*w)).collect::<Vec<_>>());
    for r in &table {
        line(r);
    }
    println!(
        "  parameter 95%: the 2.5–97.5 % range of the draws' {}; stochastic 95%: the Student-t interval \
         of one draw's replications; param. share: the share of the spread across draws the parameters cause \
         (the rest is replication noise){}.  All metrics: uncertainty.csv; each draw: draws.csv",
        if compare { "mean effects" } else { "means" },
        if compare {
            "; P(better): the share of draws whose effect is in the better direction; P(>MID): beyond the \
             minimal important difference"
        } else {
            ""
        }
    );
}
