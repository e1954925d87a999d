//! The `calibrate` and `sensitivity` commands: the model run for the designs of
//! [`analysis::abc`] (ABC-SMC) and [`analysis::morris`] (Morris screening).
//!
//! Part of the command line: it reads the targets file, runs simulations in parallel (rayon),
//! shows progress, and writes results. Nothing here changes how a replication runs: a
//! simulation is the scenario with the parameter values set by key path (the mechanism of
//! `--set`, so a value is validated like one written in the file) and the seed the design gives,
//! run as replication 0.
//!
//! Calibration is resumable and shardable. Its folder holds `calibration/identity.json` (what is
//! being calibrated) and one JSON line per finished simulation in `calibration/gen-G*.jsonl`,
//! appended as each finishes; the ABC state is rebuilt by replaying the finished generations. A rerun reads them and simulates only what is missing; `--shard K/N`
//! simulates this machine's share of the pending generation and stops; `--advance-only`
//! gathers a generation (running what is missing), advances and stops. The ABC state is a pure
//! function of the evaluations, whatever their order or the machine that ran them.

use crate::commands::progress;
use crate::experiment::{MAX_SEED, Shard};
use crate::model::ReplicationResult;
use crate::model::record::METRIC_NAMES;
use crate::output::write_atomic;
use crate::rng::name_key;
use crate::run::run_replication;
use crate::scenario::{self, KeyPath, Loaded};
use analysis::abc::{AbcConfig, AbcSmc, Evaluation};
use analysis::charts::{BarChart, BarSeries, Chart, IntervalChart, IntervalRow};
use analysis::morris::MorrisDesign;
use analysis::targets::{self, Calibration, Known, Parameter, Target};
use anyhow::{Context, anyhow, bail};
use clap::Args;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Instant;
use toml::Value;

#[derive(Debug, Args)]
pub struct CalibrateArgs {
    /// Scenario file (TOML) to calibrate, e.g. scenarios/pilots/qingpu.toml.
    pub scenario: PathBuf,
    /// Targets file: [[target]] observed values mapped to model outputs, [[parameter]] priors,
    /// optional [abc] settings (e.g. scenarios/pilots/qingpu.targets.toml).
    #[arg(long)]
    pub targets: PathBuf,
    /// A prior on the command line, added to (or replacing) the file's: KEY=uniform:LO:HI,
    /// KEY=log_uniform:LO:HI or KEY=normal:MEAN:SD[:LO:HI]. Repeatable.
    #[arg(long = "param", value_name = "KEY=PRIOR")]
    pub params: Vec<String>,
    /// Particles kept per generation (overrides the targets file's [abc] particles).
    #[arg(long, value_parser = clap::value_parser!(u32).range(2..=1_000_000))]
    pub particles: Option<u32>,
    /// Simulations per generation (overrides [abc] simulations_per_generation).
    #[arg(long, value_parser = clap::value_parser!(u32).range(2..=10_000_000))]
    pub simulations_per_generation: Option<u32>,
    /// Largest number of generations (overrides [abc] generations).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub generations: Option<u32>,
    /// Posterior-predictive simulations for the fit report (overrides [abc]).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub predictive_simulations: Option<u32>,
    /// Folder for the results; finished simulations are kept in OUT/calibration/, and the same
    /// command again resumes.
    #[arg(long, default_value = "out/calibration")]
    pub out: PathBuf,
    /// Worker threads (default: one per core). Results do not depend on it.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub threads: Option<u32>,
    /// Simulate only shard K of N of the pending generation, then stop (see docs/cluster.md);
    /// `auto/N` takes K from SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX.
    #[arg(long, value_name = "K/N")]
    pub shard: Option<String>,
    /// Gather the pending generation (simulating what no shard did), advance one generation,
    /// and stop.
    #[arg(long)]
    pub advance_only: bool,
    /// Print only errors.
    #[arg(long, short)]
    pub quiet: bool,
}

#[derive(Debug, Args)]
pub struct SensitivityArgs {
    /// Scenario file (TOML).
    pub scenario: PathBuf,
    /// A screened parameter and its range: KEY=uniform:LO:HI or KEY=log_uniform:LO:HI.
    /// Repeatable; at least two.
    #[arg(long = "param", value_name = "KEY=PRIOR", required = true, num_args = 1..)]
    pub params: Vec<String>,
    /// Screening method (Morris elementary effects).
    #[arg(long, default_value = "morris", value_parser = ["morris"])]
    pub method: String,
    /// Morris trajectories r (each costs one simulation per parameter, plus one).
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u32).range(2..=10_000))]
    pub trajectories: u32,
    /// Levels p of the Morris grid (even).
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u32).range(2..=100))]
    pub levels: u32,
    /// Folder for the results.
    #[arg(long, default_value = "out/sensitivity")]
    pub out: PathBuf,
    /// Worker threads (default: one per core). Results do not depend on it.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub threads: Option<u32>,
    /// Print only errors.
    #[arg(long, short)]
    pub quiet: bool,
}

/// A scenario and the parameters a design sets in it.
struct Model {
    loaded: Loaded,
    keys: Vec<KeyPath>,
    /// Whether each key holds an integer in the scenario (values are rounded).
    integer: Vec<bool>,
}

impl Model {
    fn new(loaded: Loaded, parameters: &[Parameter]) -> anyhow::Result<Model> {
        let keys: Vec<KeyPath> = parameters
            .iter()
            .map(|p| KeyPath::parse(&p.key).map_err(|e| anyhow!("{}: {}", p.key, e.0)))
            .collect::<Result<_, _>>()?;
        // A key written as an integer literal is an integer parameter only if the schema refuses
        // a non-integer there (`beds`); `90` for a number of days takes fractional values.
        let integer = keys
            .iter()
            .zip(parameters)
            .map(|(k, p)| {
                matches!(k.get(&loaded.resolved), Some(Value::Integer(_)))
                    && loaded.with_values(&[(k.clone(), Value::Float(p.prior.quantile(0.5)))]).is_err()
            })
            .collect();
        let model = Model { loaded, keys, integer };
        // Both ends of every prior must give a valid scenario: refuse before simulating.
        for (i, p) in parameters.iter().enumerate() {
            let (lo, hi) = p.prior.bounds();
            for v in [lo, hi].into_iter().filter(|v| v.is_finite()) {
                let mut theta: Vec<f64> = parameters.iter().map(|q| q.prior.quantile(0.5)).collect();
                theta[i] = v;
                model.scenario(&theta, model.loaded.params.seed).with_context(|| {
                    format!("parameter {}: the prior's bound {v} does not give a valid scenario", p.key)
                })?;
            }
        }
        Ok(model)
    }

    /// The scenario with `theta` set and `seed` as its master seed.
    fn scenario(&self, theta: &[f64], seed: u64) -> anyhow::Result<Loaded> {
        let mut sets: Vec<(KeyPath, Value)> = self
            .keys
            .iter()
            .zip(theta)
            .zip(&self.integer)
            .map(|((k, &v), &int)| {
                (k.clone(), if int { Value::Integer(v.round() as i64) } else { Value::Float(v) })
            })
            .collect();
        sets.push((KeyPath::parse("seed").expect("a plain key"), Value::Integer((seed % MAX_SEED) as i64)));
        Ok(self.loaded.with_values(&sets)?)
    }

    /// One simulation: replication 0 of the scenario with `theta` and `seed`. `None` if the
    /// values do not give a valid scenario.
    fn simulate(&self, theta: &[f64], seed: u64) -> Option<ReplicationResult> {
        let loaded = self.scenario(theta, seed).ok()?;
        Some(run_replication(&Arc::new(loaded.params), 0))
    }
}

/// The breakdown a target reads: its own, plus `year=k` when its window is management year k.
fn target_breakdown(t: &Target) -> anyhow::Result<String> {
    let mut b = t.breakdown.clone().unwrap_or_default();
    if let Some(w) = &t.window {
        if w.from_day % 365 != 0 || w.to_day != w.from_day + 365 {
            bail!(
                "target {}: window {}..{} is not a management year; outputs are summed over the whole \
                 recorded run or over years of 365 days from its start (from_day = 365·(k − 1), to_day = 365·k), \
                 or name the year in the breakdown (year=k)",
                t.name,
                w.from_day,
                w.to_day
            );
        }
        let year = format!("year={}", w.from_day / 365 + 1);
        b = if b.is_empty() { year } else { format!("{b};{year}") };
    }
    Ok(b)
}

/// The value of every target in one simulation (NaN where the output is missing).
fn target_values(targets: &[(String, String)], r: Option<&ReplicationResult>) -> Vec<f64> {
    targets
        .iter()
        .map(|(name, breakdown)| {
            r.and_then(|r| r.metrics.iter().find(|m| &m.name == name && &m.breakdown == breakdown))
                .map_or(f64::NAN, |m| m.value)
        })
        .collect()
}

/// Loads the scenario and targets and checks them against each other, before any simulation.
fn prepare(a: &CalibrateArgs) -> anyhow::Result<(Loaded, Calibration)> {
    let (scenario_path, targets_path, extra) = (&a.scenario, &a.targets, &a.params);
    let loaded = scenario::load(scenario_path)?;
    let text = std::fs::read_to_string(targets_path)
        .with_context(|| format!("cannot read targets file {}", targets_path.display()))?;
    let mut file = targets::parse(&text).map_err(|e| anyhow!("{}: {e}", targets_path.display()))?;
    for p in extra {
        file.set_parameter(targets::parse_parameter_arg(p).map_err(|e| anyhow!("--param {e}"))?);
    }
    // Command-line settings replace the file's before validation, which checks them alike.
    let abc = file.abc.get_or_insert_with(Default::default);
    let set = |v: Option<u32>, field: &mut Option<i64>| {
        if let Some(v) = v {
            *field = Some(i64::from(v));
        }
    };
    set(a.particles, &mut abc.particles);
    set(a.simulations_per_generation, &mut abc.simulations_per_generation);
    set(a.generations, &mut abc.generations);
    set(a.predictive_simulations, &mut abc.predictive_simulations);
    let has = |k: &str| {
        KeyPath::parse(k)
            .ok()
            .is_some_and(|k| k.get(&loaded.resolved).is_some_and(|v| v.is_integer() || v.is_float()))
    };
    let known =
        Known { outputs: METRIC_NAMES, has_parameter: &has, recorded_days: Some(loaded.params.run.days) };
    let calibration = file.validate(&known).map_err(|problems| {
        let lines: Vec<String> = problems.iter().map(|p| format!("  {}: {}", p.key, p.message)).collect();
        anyhow!("{}: {} problem(s):\n{}", targets_path.display(), problems.len(), lines.join("\n"))
    })?;
    Ok((loaded, calibration))
}

fn pool(threads: Option<u32>) -> anyhow::Result<rayon::ThreadPool> {
    let mut b = rayon::ThreadPoolBuilder::new();
    if let Some(t) = threads {
        b = b.num_threads(t as usize);
    }
    b.build().map_err(|e| anyhow!("cannot start worker threads: {e}"))
}

/// What a calibration folder belongs to: a rerun with other inputs is refused.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Identity {
    program: String,
    version: String,
    scenario: String,
    scenario_hash: String,
    targets_file: String,
    /// Hash of the validated calibration (targets, parameters, settings).
    calibration_hash: String,
    seed: u64,
}

/// One finished simulation, as a line of `gen-G*.jsonl`.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Line {
    generation: u32,
    index: u32,
    outputs: Vec<Vec<Option<f64>>>,
}

impl Line {
    fn evaluation(&self) -> Evaluation {
        Evaluation {
            generation: self.generation,
            index: self.index,
            outputs: self.outputs.iter().map(|r| r.iter().map(|v| v.unwrap_or(f64::NAN)).collect()).collect(),
        }
    }
}

/// Reads every complete line of the generation's files (a truncated last line — an
/// interrupted write — is dropped and redone).
fn read_generation(dir: &Path, generation: u32) -> anyhow::Result<Vec<Line>> {
    let prefix = format!("gen-{generation}");
    let mut lines: Vec<Line> = Vec::new();
    let mut names: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
                n.strip_prefix(&prefix).is_some_and(|rest| rest == ".jsonl" || rest.starts_with("-shard-"))
                    && n.ends_with(".jsonl")
            })
        })
        .collect();
    names.sort();
    for path in names {
        let text = std::fs::read_to_string(&path)?;
        for l in text.split_inclusive('\n').filter(|l| l.ends_with('\n')) {
            let line: Line = serde_json::from_str(l.trim_end()).with_context(|| {
                format!("{}: a damaged line; delete the file to redo its simulations", path.display())
            })?;
            if line.generation == generation && !lines.iter().any(|x| x.index == line.index) {
                lines.push(line);
            }
        }
    }
    Ok(lines)
}

/// Appends finished lines to a file, one `write` per line, flushed.
struct Appender(Mutex<std::fs::File>);

impl Appender {
    fn open(path: &Path) -> anyhow::Result<Appender> {
        // A truncated last line from an interrupted write would spoil the next one: cut it.
        if let Ok(text) = std::fs::read_to_string(path)
            && !text.is_empty()
            && !text.ends_with('\n')
        {
            let keep = text.rfind('\n').map_or(0, |i| i + 1);
            std::fs::write(path, &text[..keep])?;
        }
        let f = std::fs::OpenOptions::new().create(true).append(true).open(path)?;
        Ok(Appender(Mutex::new(f)))
    }
    fn push(&self, line: &impl Serialize) -> std::io::Result<()> {
        let mut text = serde_json::to_string(line).expect("plain data serialises");
        text.push('\n');
        let mut f = self.0.lock().expect("no panic while holding the lock");
        f.write_all(text.as_bytes())?;
        f.flush()
    }
}

pub fn calibrate(a: CalibrateArgs) -> anyhow::Result<()> {
    let (loaded, calibration) = prepare(&a)?;
    let shard = a
        .shard
        .as_deref()
        .map(|s| Shard::parse(s, |k| std::env::var(k).ok()).map_err(|e| anyhow!(e)))
        .transpose()?;
    if shard.is_some() && a.advance_only {
        bail!(
            "--shard and --advance-only are separate steps: shards simulate, then one --advance-only gathers"
        );
    }
    let targets: Vec<(String, String)> = calibration
        .targets
        .iter()
        .map(|t| Ok((t.output.clone(), target_breakdown(t)?)))
        .collect::<anyhow::Result<_>>()?;
    let config = AbcConfig::from_calibration(&calibration, loaded.params.seed);
    let model = Model::new(loaded, &calibration.parameters)?;
    let dir = a.out.join("calibration");
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let identity = Identity {
        program: "medgroup".into(),
        version: crate::VERSION.into(),
        scenario: model.loaded.params.name.clone(),
        scenario_hash: model.loaded.hash(),
        targets_file: a.targets.display().to_string(),
        calibration_hash: format!("{:016x}", name_key(&format!("{calibration:?}"))),
        seed: config.seed,
    };
    let id_path = dir.join("identity.json");
    match std::fs::read_to_string(&id_path) {
        Ok(text) => {
            let old: Identity =
                serde_json::from_str(&text).with_context(|| format!("{} is damaged", id_path.display()))?;
            if (Identity { targets_file: identity.targets_file.clone(), ..old.clone() }) != identity {
                bail!(
                    "{} holds a calibration of other inputs (scenario {} {}, calibration {}, seed {}, version {}); \
                     use another --out, or delete that folder to start afresh",
                    a.out.display(),
                    old.scenario,
                    old.scenario_hash,
                    old.calibration_hash,
                    old.seed,
                    old.version
                );
            }
        }
        Err(_) => write_atomic(&id_path, serde_json::to_string_pretty(&identity)?.as_bytes())?,
    }
    // The state is rebuilt by replaying every complete generation on disk: the ABC state after a
    // generation is a pure function of its simulations, so nothing else needs saving (and no
    // infinite distance has to survive a JSON round trip).
    let mut abc = AbcSmc::new(config).map_err(|e| anyhow!("{e}"))?;
    while abc.stopped().is_none() {
        let g = abc.generation();
        let lines = read_generation(&dir, g)?;
        if lines.len() < abc.proposals_per_generation() {
            break;
        }
        let evaluations: Vec<Evaluation> = lines.iter().map(Line::evaluation).collect();
        abc.advance(&evaluations).map_err(|e| anyhow!("replaying generation {g}: {e}"))?;
    }
    if !a.quiet && abc.generation() > 0 {
        eprintln!("resuming: {} generation(s) already finished in {}", abc.generation(), dir.display());
    }
    let pool = pool(a.threads)?;
    let started = Instant::now();
    let per_proposal = abc.config().settings.replications as usize;
    if !a.quiet {
        eprintln!(
            "calibrating \"{}\": {} parameter(s), {} target(s), {} simulations a generation, up to {} generation(s); results in {}",
            model.loaded.params.name,
            calibration.parameters.len(),
            calibration.targets.len(),
            abc.proposals_per_generation() * per_proposal,
            abc.config().settings.generations,
            a.out.display()
        );
    }

    while abc.stopped().is_none() {
        let g = abc.generation();
        let done = read_generation(&dir, g)?;
        let mut pending = match shard {
            Some(s) => abc.proposals_for_shard(s.index as usize - 1, s.count as usize),
            None => abc.proposals(),
        };
        pending.retain(|p| !done.iter().any(|l| l.index == p.index));
        let file = match shard {
            Some(s) => dir.join(format!("gen-{g}-shard-{}-of-{}.jsonl", s.index, s.count)),
            None => dir.join(format!("gen-{g}.jsonl")),
        };
        let out = Appender::open(&file)?;
        let bar = progress((pending.len() * per_proposal) as u64, a.quiet);
        if !a.quiet && !pending.is_empty() {
            eprintln!(
                "generation {g}: {} simulation(s) to run ({} already done)",
                pending.len() * per_proposal,
                done.len() * per_proposal
            );
        }
        let failed: Mutex<Option<std::io::Error>> = Mutex::new(None);
        pool.install(|| {
            pending.par_iter().with_max_len(1).for_each(|p| {
                let outputs: Vec<Vec<Option<f64>>> = p
                    .seeds
                    .iter()
                    .map(|&seed| {
                        let r = model.simulate(&p.theta, seed);
                        bar.inc(1);
                        target_values(&targets, r.as_ref())
                            .into_iter()
                            .map(|v| v.is_finite().then_some(v))
                            .collect()
                    })
                    .collect();
                if let Err(e) = out.push(&Line { generation: g, index: p.index, outputs }) {
                    *failed.lock().expect("no panic while holding the lock") = Some(e);
                }
            })
        });
        bar.finish_and_clear();
        if let Some(e) = failed.into_inner().expect("no panic while holding the lock") {
            bail!("cannot write {}: {e}", file.display());
        }
        if shard.is_some() {
            if !a.quiet {
                eprintln!(
                    "shard done: {}; when every shard of generation {g} is done, run with --advance-only",
                    file.display()
                );
            }
            return Ok(());
        }
        let lines = read_generation(&dir, g)?;
        let evaluations: Vec<Evaluation> = lines.iter().map(Line::evaluation).collect();
        let pop = abc.advance(&evaluations).map_err(|e| anyhow!("generation {g}: {e}"))?;
        if !a.quiet {
            eprintln!(
                "generation {g}: ε = {:.4}, ESS = {:.1}, acceptance {} ({:.0} s)",
                pop.epsilon,
                pop.ess,
                pop.acceptance_rate.map_or("—".to_string(), |r| format!("{:.1} %", 100.0 * r)),
                started.elapsed().as_secs_f64()
            );
        }
        if a.advance_only {
            return Ok(());
        }
    }
    if shard.is_some() || a.advance_only {
        if !a.quiet {
            eprintln!(
                "the calibration has finished ({:?}); run without --shard to write the results",
                abc.stopped()
            );
        }
        return Ok(());
    }
    finish(&a, &abc, &model, &calibration, &targets, &dir, &pool, started)
}

/// Posterior-predictive simulations, the fit report, the posterior and the calibrated scenario.
#[allow(clippy::too_many_arguments)] // the pieces of a finished calibration
fn finish(
    a: &CalibrateArgs,
    abc: &AbcSmc,
    model: &Model,
    calibration: &Calibration,
    targets: &[(String, String)],
    dir: &Path,
    pool: &rayon::ThreadPool,
    started: Instant,
) -> anyhow::Result<()> {
    let draws = abc.predictive_draws(abc.config().settings.predictive_simulations);
    let path = dir.join("predictive.jsonl");
    let done: Vec<Line> = match std::fs::read_to_string(&path) {
        Ok(text) => text
            .split_inclusive('\n')
            .filter(|l| l.ends_with('\n'))
            .filter_map(|l| serde_json::from_str(l.trim_end()).ok())
            .collect(),
        Err(_) => Vec::new(),
    };
    let pending: Vec<_> = draws.iter().filter(|d| !done.iter().any(|l| l.index == d.index)).collect();
    let out = Appender::open(&path)?;
    let bar = progress(pending.len() as u64, a.quiet);
    if !a.quiet && !pending.is_empty() {
        eprintln!("posterior predictive: {} simulation(s)", pending.len());
    }
    pool.install(|| {
        pending.par_iter().with_max_len(1).for_each(|d| {
            let r = model.simulate(&d.theta, d.seed);
            bar.inc(1);
            let values =
                target_values(targets, r.as_ref()).into_iter().map(|v| v.is_finite().then_some(v)).collect();
            // A failed write only means this simulation is redone by the next run.
            let _ = out.push(&Line { generation: u32::MAX, index: d.index, outputs: vec![values] });
        })
    });
    bar.finish_and_clear();
    let text = std::fs::read_to_string(&path)?;
    let mut lines: Vec<Line> = text
        .split_inclusive('\n')
        .filter(|l| l.ends_with('\n'))
        .filter_map(|l| serde_json::from_str(l.trim_end()).ok())
        .collect();
    lines.sort_by_key(|l| l.index);
    lines.dedup_by_key(|l| l.index);
    let sims: Vec<Vec<f64>> = lines.iter().map(|l| l.evaluation().outputs.remove(0)).collect();
    let fit = analysis::fit::fit_report(&calibration.targets, &sims);
    let posterior = abc.posterior().ok_or_else(|| anyhow!("no finished generation"))?;

    std::fs::create_dir_all(&a.out)?;
    write_atomic(&a.out.join("posterior_sample.csv"), abc.posterior_sample_csv().as_bytes())?;
    write_atomic(&a.out.join("posterior.csv"), posterior.to_csv().as_bytes())?;
    write_atomic(&a.out.join("fit.csv"), fit.to_csv().as_bytes())?;
    let history: Vec<String> = abc
        .history()
        .iter()
        .map(|p| {
            format!(
                "| {} | {:.4} | {:.1} | {} | {} |",
                p.generation,
                p.epsilon,
                p.ess,
                p.simulations,
                p.acceptance_rate.map_or("—".to_string(), |r| format!("{:.1} %", 100.0 * r))
            )
        })
        .collect();
    let report = format!(
        "# Calibration of \"{}\"\n\nScenario `{}` (hash {}), targets `{}`, seed {}, medgroup {}.\n\
         Stopped: {:?}. Simulations: {} in the ABC generations, {} posterior-predictive.\n\n\
         ## Generations\n\n| generation | ε | ESS | simulations | acceptance |\n|---|---|---|---|---|\n{}\n\n\
         ## Posterior (weighted, last population)\n\n{}\n\n\
         ## Fit: every target, observed vs simulated (posterior predictive)\n\n{} of {} targets pass.\n\n{}\n",
        model.loaded.params.name,
        a.scenario.display(),
        model.loaded.hash(),
        a.targets.display(),
        abc.config().seed,
        crate::VERSION,
        abc.stopped(),
        abc.history().iter().map(|p| p.simulations).sum::<usize>(),
        sims.len(),
        history.join("\n"),
        posterior.to_markdown(),
        fit.passed(),
        fit.rows.len(),
        fit.to_markdown()
    );
    write_atomic(&a.out.join("fit_report.md"), report.as_bytes())?;
    write_chart(&fit_chart(&fit), &a.out.join("fit"))?;
    // The calibrated scenario: the resolved scenario with each parameter at its posterior median.
    let medians: Vec<f64> = posterior.parameters.iter().map(|p| p.median).collect();
    let calibrated = model.scenario(&medians, model.loaded.params.seed)?;
    let mut header = format!(
        "# Calibrated by `medgroup calibrate {} --targets {}` (medgroup {}):\n# every parameter at its posterior median.\n",
        a.scenario.display(),
        a.targets.display(),
        crate::VERSION
    );
    for p in &posterior.parameters {
        header.push_str(&format!("#   {} = {} (90 % interval {} … {})\n", p.key, p.median, p.q05, p.q95));
    }
    header.push_str(&format!(
        "# Fit: {} of {} targets pass; see fit_report.md.\n\n",
        fit.passed(),
        fit.rows.len()
    ));
    let body = toml::to_string(&calibrated.resolved).context("writing the calibrated scenario")?;
    write_atomic(&a.out.join("calibrated.toml"), (header + &body).as_bytes())?;
    if !a.quiet {
        println!("{}", posterior.to_markdown());
        println!("fit: {} of {} targets pass (fit_report.md)", fit.passed(), fit.rows.len());
        println!("{}", fit.to_markdown());
        println!(
            "results in {}: posterior_sample.csv, posterior.csv, fit.csv, fit_report.md, fit.svg/.png, calibrated.toml ({:.0} s)",
            a.out.display(),
            started.elapsed().as_secs_f64()
        );
    }
    Ok(())
}

pub fn sensitivity(a: SensitivityArgs) -> anyhow::Result<()> {
    let loaded = scenario::load(&a.scenario)?;
    let mut parameters = Vec::new();
    for p in &a.params {
        let file = targets::parse_parameter_arg(p).map_err(|e| anyhow!("--param {e}"))?;
        let prior = match (file.prior.as_str(), file.lo, file.hi) {
            ("uniform", Some(lo), Some(hi)) => analysis::prior::Prior::Uniform { lo, hi },
            ("log_uniform", Some(lo), Some(hi)) => analysis::prior::Prior::LogUniform { lo, hi },
            _ => bail!(
                "--param {p}: Morris screening needs a bounded range: KEY=uniform:LO:HI or KEY=log_uniform:LO:HI"
            ),
        };
        prior.check().map_err(|e| anyhow!("--param {p}: {e}"))?;
        let key = KeyPath::parse(&file.key).map_err(|e| anyhow!("--param {p}: {}", e.0))?;
        if !key.get(&loaded.resolved).is_some_and(|v| v.is_integer() || v.is_float()) {
            bail!("--param {p}: {} is not a number in the scenario", file.key);
        }
        parameters.push(Parameter { key: file.key, prior, note: String::new() });
    }
    if parameters.len() < 2 {
        bail!("Morris screening needs at least two parameters (--param KEY=uniform:LO:HI, repeated)");
    }
    let design =
        MorrisDesign::new(parameters.clone(), a.trajectories as usize, a.levels as usize, loaded.params.seed)
            .map_err(|problems| {
                anyhow!(
                    "{}",
                    problems
                        .iter()
                        .map(|p| format!("{}: {}", p.key, p.message))
                        .collect::<Vec<_>>()
                        .join("; ")
                )
            })?;
    let model = Model::new(loaded, &parameters)?;
    let points = design.points();
    let pool = pool(a.threads)?;
    let started = Instant::now();
    if !a.quiet {
        eprintln!(
            "Morris screening of \"{}\": {} parameter(s), {} trajectories, {} simulations",
            model.loaded.params.name,
            parameters.len(),
            a.trajectories,
            points.len()
        );
    }
    let bar = progress(points.len() as u64, a.quiet);
    let results: Vec<Option<ReplicationResult>> = pool.install(|| {
        points
            .par_iter()
            .with_max_len(1)
            .map(|pt| {
                let r = model.simulate(&pt.theta, pt.seed);
                bar.inc(1);
                r
            })
            .collect()
    });
    bar.finish_and_clear();
    // Headline metrics present in every successful run, in the order of the first.
    let first =
        results.iter().flatten().next().ok_or_else(|| anyhow!("no simulation gave a valid scenario"))?;
    let outputs: Vec<(String, String)> = first
        .metrics
        .iter()
        .filter(|m| crate::cli::headline(&m.name, &m.breakdown))
        .map(|m| (m.name.clone(), m.breakdown.clone()))
        .collect();
    let names: Vec<String> =
        outputs.iter().map(|(n, b)| if b.is_empty() { n.clone() } else { format!("{n} ({b})") }).collect();
    let values: Vec<Vec<f64>> = results.iter().map(|r| target_values(&outputs, r.as_ref())).collect();
    let table = design.analyse(&names, &values).map_err(|e| anyhow!("{e:?}"))?;
    std::fs::create_dir_all(&a.out).with_context(|| format!("cannot create {}", a.out.display()))?;
    write_atomic(&a.out.join("sensitivity.csv"), table.to_csv().as_bytes())?;
    write_atomic(&a.out.join("sensitivity.md"), table.to_markdown().as_bytes())?;
    write_chart(&morris_chart(&table), &a.out.join("sensitivity"))?;
    if !a.quiet {
        println!("{}", table.to_markdown());
        println!(
            "results in {}: sensitivity.csv, sensitivity.md, sensitivity.svg/.png ({:.0} s)",
            a.out.display(),
            started.elapsed().as_secs_f64()
        );
    }
    Ok(())
}

/// Writes a chart as `<stem>.svg` (with the bundled font embedded) and `<stem>.png`.
fn write_chart(chart: &Chart, stem: &Path) -> anyhow::Result<()> {
    let svg = chart.to_svg_file().map_err(|e| anyhow!("{e}"))?;
    write_atomic(&stem.with_extension("svg"), svg.as_bytes())?;
    let png = chart.to_png().map_err(|e| anyhow!("{e}"))?;
    write_atomic(&stem.with_extension("png"), &png)?;
    Ok(())
}

/// Half-width of the fit chart's scale, in tolerances.
const FIT_SCALE: f64 = 6.0;

/// Observed vs simulated for every target, on one scale: (simulated − observed) ÷ the
/// tolerance on that side, so that the band −1 … 1 passes. The dot is the posterior-predictive
/// median, the bar its 90 % interval; targets outside their tolerance are highlighted.
fn fit_chart(fit: &analysis::fit::FitReport) -> Chart {
    let rows = fit
        .rows
        .iter()
        .filter(|r| r.n > 0)
        .map(|r| {
            let z = |v: f64| {
                let scale =
                    if v >= r.observed { r.accept_high - r.observed } else { r.observed - r.accept_low };
                if scale > 0.0 { (v - r.observed) / scale } else { 0.0 }
            };
            // Far misses are drawn at the edge of the scale, their value in the label, so that
            // one target far off does not squash the others.
            let clip = |v: f64| v.clamp(-FIT_SCALE, FIT_SCALE);
            let (median, mean) = (z(r.sim_median), z(r.sim_mean));
            let mut label = if r.weight > 0.0 { r.name.clone() } else { format!("{} (not fitted)", r.name) };
            if mean.abs() > FIT_SCALE {
                label = format!("{label} [off scale: {mean:+.0}]");
            }
            IntervalRow {
                label,
                estimate: clip(median),
                low: clip(z(r.sim_q05)),
                high: clip(z(r.sim_q95)),
                marker: Some(clip(mean)),
                dots: Vec::new(),
                highlight: !r.pass,
            }
        })
        .collect();
    Chart::Intervals(IntervalChart {
        title: "Calibration fit: simulated vs observed, every target".into(),
        x_label: "(simulated − observed) ÷ tolerance (−1 … 1 passes)".into(),
        rows,
        reference: Some(0.0),
        floor: None,
        estimate_label: "posterior-predictive median, 90 % interval".into(),
        marker_label: "mean".into(),
        dots_label: String::new(),
        highlight_label: "mean outside tolerance".into(),
        width: 900,
    })
}

/// μ* of every parameter, relative to the largest for each metric (the first six metrics).
fn morris_chart(table: &analysis::morris::MorrisTable) -> Chart {
    let parameters: Vec<String> = table
        .outputs
        .first()
        .map(|o| {
            let mut p: Vec<String> = o.effects.iter().map(|e| e.parameter.clone()).collect();
            p.sort();
            p
        })
        .unwrap_or_default();
    let series = table
        .outputs
        .iter()
        .take(6)
        .enumerate()
        .map(|(slot, o)| {
            let max = o.effects.iter().map(|e| e.mu_star).filter(|v| v.is_finite()).fold(0.0, f64::max);
            BarSeries {
                label: o.output.clone(),
                values: parameters
                    .iter()
                    .map(|p| {
                        let v = o.effects.iter().find(|e| &e.parameter == p).map_or(0.0, |e| e.mu_star);
                        if max > 0.0 && v.is_finite() { v / max } else { 0.0 }
                    })
                    .collect(),
                whiskers: None,
                slot,
            }
        })
        .collect();
    Chart::Bars(BarChart {
        title: "Morris screening: influence of each parameter".into(),
        x_label: "parameter".into(),
        y_label: "μ* ÷ largest μ* for the metric (1 = most influential)".into(),
        categories: parameters,
        series,
        absolute_ticks: false,
        width: 900,
        height: 480,
    })
}
