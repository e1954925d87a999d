//! Calibration (ABC-SMC, [`analysis::abc`]) and sensitivity screening (Morris,
//! [`analysis::morris`]): the model run for their designs, with a resumable store.
//!
//! Nothing here changes how a replication runs: a simulation is the scenario with the
//! parameter values set by key path (the mechanism of `--set`, so a value is validated like one
//! written in the file) and the seed the design gives, run as replication 0. The `calibrate`
//! and `sensitivity` commands drive these pieces and print their progress.
//!
//! A calibration folder holds `calibration/identity.json` (what is being calibrated) and, per
//! generation, one store file (`calibration/gen-G.jsonl`, or `gen-G-shard-K-of-N.jsonl` for
//! shard K of N; see [`crate::store`]) with one row per finished simulation, appended as each
//! finishes. The ABC state is rebuilt by replaying the finished generations: it is a pure
//! function of the evaluations, whatever their order or the machine that ran them. So a rerun
//! simulates only what is missing, a shard simulates its share of the pending generation, and
//! one machine gathers a generation and advances.

use crate::experiment::{MAX_SEED, Shard, Uncertainty, UncertaintyRecord};
use crate::model::record::ReplicationResult;
use crate::output::write_atomic;
use crate::rng::name_key;
use crate::run::{Replication, run_replication};
use crate::scenario::{self, KeyPath, Loaded};
use crate::store;
use analysis::abc::{AbcConfig, AbcSmc, EarlyLook, Evaluation, Proposal, StopReason};
use analysis::charts::{BarChart, BarSeries, Chart, IntervalChart, IntervalRow};
use analysis::morris::{MorrisDesign, MorrisTable};
use analysis::targets::{self, Calibration, Known, Parameter, Target};
use anyhow::{Context, anyhow, bail};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use toml::Value;

/// Settings given on the command line, replacing the targets file's `[abc]` ones.
#[derive(Debug, Clone, Copy, Default)]
pub struct Overrides {
    pub particles: Option<u32>,
    pub simulations_per_generation: Option<u32>,
    pub generations: Option<u32>,
    pub predictive_simulations: Option<u32>,
    /// `[abc.lazy] check_day` (the table is added when the file has none).
    pub lazy_check_day: Option<u32>,
}

/// A scenario and the parameters a design sets in it.
pub struct Simulator {
    pub loaded: Loaded,
    keys: Vec<KeyPath>,
    /// Whether each key holds an integer in the scenario (values are rounded).
    integer: Vec<bool>,
}

impl Simulator {
    pub fn new(loaded: Loaded, parameters: &[Parameter]) -> anyhow::Result<Simulator> {
        let probes: Vec<(String, f64)> =
            parameters.iter().map(|p| (p.key.clone(), p.prior.quantile(0.5))).collect();
        let model = Simulator::with_keys(loaded, &probes)?;
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

    /// A simulator setting the keys of `probes`, each with a typical value (a key written as an
    /// integer literal is an integer parameter only if the schema refuses the typical value as a
    /// non-integer there, as for `beds`; `90` for a number of days takes fractional values).
    pub fn with_keys(loaded: Loaded, probes: &[(String, f64)]) -> anyhow::Result<Simulator> {
        let keys: Vec<KeyPath> = probes
            .iter()
            .map(|(key, _)| KeyPath::parse(key).map_err(|e| anyhow!("{key}: {}", e.0)))
            .collect::<Result<_, _>>()?;
        let integer = keys
            .iter()
            .zip(probes)
            .map(|(k, (_, probe))| {
                matches!(k.get(&loaded.resolved), Some(Value::Integer(_)))
                    && loaded.with_values(&[(k.clone(), Value::Float(*probe))]).is_err()
            })
            .collect();
        Ok(Simulator { loaded, keys, integer })
    }

    /// The values `theta` as set in the scenario (integer parameters rounded).
    pub fn values(&self, theta: &[f64]) -> Vec<Value> {
        theta
            .iter()
            .zip(&self.integer)
            .map(|(&v, &int)| if int { Value::Integer(v.round() as i64) } else { Value::Float(v) })
            .collect()
    }

    /// The scenario with `theta` set and `seed` as its master seed.
    pub fn scenario(&self, theta: &[f64], seed: u64) -> anyhow::Result<Loaded> {
        let mut sets: Vec<(KeyPath, Value)> = self.keys.iter().cloned().zip(self.values(theta)).collect();
        sets.push((KeyPath::parse("seed").expect("a plain key"), Value::Integer((seed % MAX_SEED) as i64)));
        Ok(self.loaded.with_values(&sets)?)
    }

    /// One simulation: replication 0 of the scenario with `theta` and `seed`. `None` if the
    /// values do not give a valid scenario.
    pub fn simulate(&self, theta: &[f64], seed: u64) -> Option<ReplicationResult> {
        self.replication(theta, seed).map(|mut r| {
            r.run_until(u32::MAX, |_| {});
            r.finish()
        })
    }

    /// As [`simulate`](Self::simulate), built but not yet run, to be run in steps.
    pub fn replication(&self, theta: &[f64], seed: u64) -> Option<Replication> {
        let loaded = self.scenario(theta, seed).ok()?;
        Some(Replication::new(&Arc::new(loaded.params), 0))
    }
}

/// The breakdown a target reads: its own, plus `year=k` when its window is management year k.
pub fn target_breakdown(t: &Target) -> anyhow::Result<String> {
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
pub fn target_values(targets: &[(String, String)], r: Option<&ReplicationResult>) -> Vec<f64> {
    r.map_or_else(|| vec![f64::NAN; targets.len()], |r| values_of(targets, &r.metrics))
}

/// The value of every target among `metrics` (the first row of its name and breakdown; NaN
/// where there is none).
fn values_of(targets: &[(String, String)], metrics: &[crate::model::record::Metric]) -> Vec<f64> {
    targets
        .iter()
        .map(|(name, breakdown)| {
            metrics
                .iter()
                .find(|m| &m.name == name && &m.breakdown == breakdown)
                .map_or(f64::NAN, |m| m.value)
        })
        .collect()
}

/// Loads the scenario and targets and checks them against each other, before any simulation.
/// `params` are command-line priors (`KEY=uniform:LO:HI`, …), added to or replacing the file's.
pub fn prepare(
    scenario_path: &Path,
    targets_path: &Path,
    params: &[String],
    overrides: &Overrides,
) -> anyhow::Result<(Loaded, Calibration)> {
    let loaded = scenario::load(scenario_path)?;
    let calibration = read_targets(&loaded, targets_path, params, overrides)?;
    Ok((loaded, calibration))
}

/// Reads a targets file and checks it against `loaded` (see [`prepare`]).
pub fn read_targets(
    loaded: &Loaded,
    targets_path: &Path,
    params: &[String],
    overrides: &Overrides,
) -> anyhow::Result<Calibration> {
    let text = scenario::read_text(targets_path, scenario::MAX_FILE_BYTES)
        .map_err(|e| anyhow!("cannot read targets file {}: {e}", targets_path.display()))?;
    let mut file = targets::parse(&text).map_err(|e| anyhow!("{}: {e}", targets_path.display()))?;
    for p in params {
        file.set_parameter(targets::parse_parameter_arg(p).map_err(|e| anyhow!("--param {e}"))?);
    }
    // Command-line settings replace the file's before validation, which checks them alike.
    let abc = file.abc.get_or_insert_with(Default::default);
    let set = |v: Option<u32>, field: &mut Option<i64>| {
        if let Some(v) = v {
            *field = Some(i64::from(v));
        }
    };
    set(overrides.particles, &mut abc.particles);
    set(overrides.simulations_per_generation, &mut abc.simulations_per_generation);
    set(overrides.generations, &mut abc.generations);
    set(overrides.predictive_simulations, &mut abc.predictive_simulations);
    if let Some(day) = overrides.lazy_check_day {
        abc.lazy.get_or_insert_with(Default::default).check_day = Some(i64::from(day));
    }
    let calibration = validate_with(loaded, |known| file.validate(known))
        .map_err(|problems| problems_error(targets_path, &problems))?;
    if let Some(lazy) = calibration.abc.lazy
        && lazy.check_day >= loaded.params.run.days
    {
        bail!(
            "{}: abc.lazy.check_day must be fewer than the scenario's {} recorded days (run.days), got {}",
            targets_path.display(),
            loaded.params.run.days,
            lazy.check_day
        );
    }
    Ok(calibration)
}

/// Runs a targets-file validation with what `loaded` knows: its numeric keys, the program's
/// outputs and the recorded days.
fn validate_with<T>(loaded: &Loaded, validate: impl FnOnce(&Known<'_>) -> T) -> T {
    let has = |k: &str| {
        KeyPath::parse(k)
            .ok()
            .is_some_and(|k| k.get(&loaded.resolved).is_some_and(|v| v.is_integer() || v.is_float()))
    };
    let outputs = crate::metrics::names();
    validate(&Known { outputs: &outputs, has_parameter: &has, recorded_days: Some(loaded.params.run.days) })
}

fn problems_error(path: &Path, problems: &[targets::Problem]) -> anyhow::Error {
    let lines: Vec<String> = problems.iter().map(|p| format!("  {}: {}", p.key, p.message)).collect();
    anyhow!("{}: {} problem(s):\n{}", path.display(), problems.len(), lines.join("\n"))
}

/// The `[[parameter]]` priors of a targets file, checked against `loaded`.
pub fn read_priors(loaded: &Loaded, path: &Path) -> anyhow::Result<Vec<Parameter>> {
    let text = scenario::read_text(path, scenario::MAX_FILE_BYTES)
        .map_err(|e| anyhow!("cannot read targets file {}: {e}", path.display()))?;
    let file = targets::parse(&text).map_err(|e| anyhow!("{}: {e}", path.display()))?;
    validate_with(loaded, |known| file.validate_parameters(known))
        .map_err(|problems| problems_error(path, &problems))
}

/// The parameter draws of a run or comparison under parameter uncertainty (`--uncertainty`):
/// `draws` vectors from the `[[parameter]]` priors of the targets file `from` (a Latin
/// hypercube through the priors' quantiles), or from the weighted posterior sample `from`
/// (`posterior_sample.csv`, or the calibration folder holding it; resampled by weight). The
/// draws' seed is a hash of `master`. Every draw is checked to give a valid `base`.
pub fn uncertainty_draws(
    base: &Loaded,
    source: Uncertainty,
    from: &Path,
    draws: usize,
    master: u64,
) -> anyhow::Result<UncertaintyRecord> {
    let seed = crate::rng::hash_words(&[master, name_key("uncertainty draws")]) % MAX_SEED;
    let (keys, thetas): (Vec<String>, Vec<Vec<f64>>) = match source {
        Uncertainty::Prior => {
            let parameters = read_priors(base, from)?;
            let priors: Vec<_> = parameters.iter().map(|p| p.prior).collect();
            (
                parameters.iter().map(|p| p.key.clone()).collect(),
                analysis::uncertainty::prior_draws(&priors, draws, seed),
            )
        }
        Uncertainty::Posterior => {
            let file = if from.is_dir() { from.join("posterior_sample.csv") } else { from.to_path_buf() };
            let text = scenario::read_text(&file, 64 << 20)
                .map_err(|e| anyhow!("cannot read the posterior sample {}: {e}", file.display()))?;
            let sample = analysis::uncertainty::PosteriorSample::parse(&text)
                .map_err(|e| anyhow!("{}: {e}", file.display()))?;
            let picked = sample.draw(draws, seed);
            (sample.keys.clone(), picked.iter().map(|&i| sample.particles[i].1.clone()).collect())
        }
    };
    let medians: Vec<(String, f64)> = keys
        .iter()
        .enumerate()
        .map(|(i, k)| {
            let mut column: Vec<f64> = thetas.iter().map(|t| t[i]).collect();
            column.sort_by(f64::total_cmp);
            (k.clone(), analysis::stats::quantile_sorted(&column, 0.5))
        })
        .collect();
    let model = Simulator::with_keys(base.clone(), &medians)?;
    let mut literals = Vec::with_capacity(thetas.len());
    for (d, theta) in thetas.iter().enumerate() {
        model.scenario(theta, base.params.seed).with_context(|| {
            format!(
                "draw {d} from {} does not give a valid scenario \"{}\"",
                from.display(),
                base.params.name
            )
        })?;
        literals.push(model.values(theta).iter().map(crate::experiment::literal).collect());
    }
    Ok(UncertaintyRecord {
        source,
        from: from.display().to_string(),
        seed,
        parameters: keys,
        draws: literals,
    })
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

/// What a calibration's results folder belongs to ([`crate::folder`]): the scenario, the
/// validated calibration and the seed (the targets file's name aside).
pub fn owner(loaded: &Loaded, calibration: &Calibration) -> crate::folder::Owner {
    let seed = AbcConfig::from_calibration(calibration, loaded.params.seed).seed;
    let text = format!("{}|{}|{seed}", loaded.hash(), calibration_hash(calibration));
    crate::folder::Owner::new("calibrate", &loaded.params.name, format!("{:016x}", name_key(&text)), seed)
}

fn calibration_hash(calibration: &Calibration) -> String {
    format!("{:016x}", name_key(&format!("{calibration:?}")))
}

/// Format tag of calibration store files; bumped when their layout changes.
pub const FORMAT: &str = "medgroup-calibration/1";

/// The first line of a calibration store file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Header {
    kind: String,
    format: String,
    calibration_hash: String,
    /// The generation whose simulations the file holds; `None` for the posterior-predictive ones.
    generation: Option<u32>,
}

/// One finished simulation (or, in the ABC generations, one proposal's replications).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Line {
    generation: u32,
    index: u32,
    outputs: Vec<Vec<Option<f64>>>,
    /// The early look at the proposal (lazy ABC), when the calibration makes one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    early: Option<EarlyLook>,
}

impl Line {
    fn evaluation(&self) -> Evaluation {
        Evaluation {
            generation: self.generation,
            index: self.index,
            outputs: self.outputs.iter().map(|r| r.iter().map(|v| v.unwrap_or(f64::NAN)).collect()).collect(),
            early: self.early,
        }
    }
}

/// Every finished simulation of generation `g`, from its files (one per shard, or one).
fn read_generation(dir: &Path, g: u32) -> anyhow::Result<Vec<Line>> {
    let prefix = format!("gen-{g}");
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
    let mut lines: Vec<Line> = Vec::new();
    for path in names {
        let file: store::Stored<Header, Line> =
            store::read(&path, "medgroup calibration", |h: &Header| h.kind == "header")
                .map_err(|e| anyhow!("{e}; delete the file to redo its simulations"))?;
        for line in file.rows {
            if line.generation == g && !lines.iter().any(|x| x.index == line.index) {
                lines.push(line);
            }
        }
    }
    Ok(lines)
}

/// Opens a calibration store file for `header`, keeping the rows `key` accepts (a file written
/// for other simulations is started afresh).
fn open_store(
    path: &Path,
    header: &Header,
    key: impl Fn(&Line) -> Option<u32>,
) -> std::io::Result<(store::Writer, store::Opened<Line>)> {
    let compatible = |h: &Header| {
        if h == header {
            Ok(())
        } else {
            Err(format!("{} held other simulations; started afresh", path.display()))
        }
    };
    store::Writer::open(path, "medgroup calibration", header, compatible, key)
}

/// The pending simulations of a generation.
#[derive(Debug)]
pub struct Pending {
    pub generation: u32,
    pub proposals: Vec<Proposal>,
    /// Proposals of the generation already finished (by this machine or a shard).
    pub done: usize,
    shard: Option<Shard>,
}

impl Pending {
    /// Simulations to run: replications per proposal × pending proposals.
    pub fn simulations(&self, per_proposal: usize) -> usize {
        self.proposals.len() * per_proposal
    }
}

/// A generation just finished.
#[derive(Debug, Clone, Copy)]
pub struct Advanced {
    pub generation: u32,
    pub epsilon: f64,
    pub ess: f64,
    pub acceptance_rate: Option<f64>,
}

/// A calibration in its folder: the ABC state replayed from the finished generations.
pub struct Calibrator {
    abc: AbcSmc,
    model: Simulator,
    calibration: Calibration,
    targets: Vec<(String, String)>,
    dir: PathBuf,
    out: PathBuf,
    identity: Identity,
    resumed: u32,
}

impl Calibrator {
    /// Opens (or resumes) the calibration of `loaded` against `calibration` in `out`; the
    /// targets file's name is recorded. A folder holding a calibration of other inputs is refused.
    pub fn open(
        loaded: Loaded,
        calibration: Calibration,
        out: &Path,
        targets_file: &Path,
    ) -> anyhow::Result<Calibrator> {
        let targets: Vec<(String, String)> = calibration
            .targets
            .iter()
            .map(|t| Ok((t.output.clone(), target_breakdown(t)?)))
            .collect::<anyhow::Result<_>>()?;
        let config = AbcConfig::from_calibration(&calibration, loaded.params.seed);
        let model = Simulator::new(loaded, &calibration.parameters)?;
        let dir = out.join("calibration");
        std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
        let identity = Identity {
            program: "medgroup".into(),
            version: crate::VERSION.into(),
            scenario: model.loaded.params.name.clone(),
            scenario_hash: model.loaded.hash(),
            targets_file: targets_file.display().to_string(),
            calibration_hash: calibration_hash(&calibration),
            seed: config.seed,
        };
        let id_path = dir.join("identity.json");
        match std::fs::read_to_string(&id_path) {
            Ok(text) => {
                let old: Identity = serde_json::from_str(&text)
                    .with_context(|| format!("{} is damaged", id_path.display()))?;
                if (Identity { targets_file: identity.targets_file.clone(), ..old.clone() }) != identity {
                    bail!(
                        "{} holds a calibration of other inputs (scenario {} {}, calibration {}, seed {}, version {}); \
                         use another --out, or delete that folder to start afresh",
                        out.display(),
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
        // The state is rebuilt by replaying every complete generation on disk: the ABC state
        // after a generation is a pure function of its simulations, so nothing else needs saving
        // (and no infinite distance has to survive a JSON round trip).
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
        let resumed = abc.generation();
        Ok(Calibrator { abc, model, calibration, targets, dir, out: out.to_path_buf(), identity, resumed })
    }

    /// Generations already finished when the folder was opened.
    pub fn resumed_generations(&self) -> u32 {
        self.resumed
    }
    pub fn generation(&self) -> u32 {
        self.abc.generation()
    }
    pub fn stopped(&self) -> Option<StopReason> {
        self.abc.stopped()
    }
    pub fn scenario_name(&self) -> &str {
        &self.model.loaded.params.name
    }
    pub fn calibration(&self) -> &Calibration {
        &self.calibration
    }
    /// Model runs per proposal (the targets file's `[abc] replications`).
    pub fn replications_per_proposal(&self) -> usize {
        self.abc.config().settings.replications as usize
    }
    pub fn proposals_per_generation(&self) -> usize {
        self.abc.proposals_per_generation()
    }
    pub fn max_generations(&self) -> u32 {
        self.abc.config().settings.generations
    }

    fn header(&self, generation: Option<u32>) -> Header {
        Header {
            kind: "header".into(),
            format: FORMAT.into(),
            calibration_hash: self.identity.calibration_hash.clone(),
            generation,
        }
    }

    /// The pending generation's proposals not yet simulated (this shard's share, with `shard`).
    pub fn pending(&self, shard: Option<Shard>) -> anyhow::Result<Pending> {
        let g = self.abc.generation();
        let done = read_generation(&self.dir, g)?;
        let mut proposals = match shard {
            Some(s) => self.abc.proposals_for_shard(s.index as usize - 1, s.count as usize),
            None => self.abc.proposals(),
        };
        proposals.retain(|p| !done.iter().any(|l| l.index == p.index));
        Ok(Pending { generation: g, proposals, done: done.len(), shard })
    }

    /// Simulates `pending` in `pool`, appending each proposal's outputs to its generation's
    /// file as it finishes; `on_simulation` is called after each model run. Returns the file.
    pub fn simulate(
        &self,
        pending: &Pending,
        pool: &rayon::ThreadPool,
        on_simulation: impl Fn() + Sync,
    ) -> anyhow::Result<PathBuf> {
        let g = pending.generation;
        let file = match pending.shard {
            Some(s) => self.dir.join(format!("gen-{g}-shard-{}-of-{}.jsonl", s.index, s.count)),
            None => self.dir.join(format!("gen-{g}.jsonl")),
        };
        let header = self.header(Some(g));
        let (out, _) = open_store(&file, &header, |l: &Line| (l.generation == g).then_some(l.index))
            .with_context(|| format!("cannot open {}", file.display()))?;
        let failed: Mutex<Option<std::io::Error>> = Mutex::new(None);
        pool.install(|| {
            pending.proposals.par_iter().with_max_len(1).for_each(|p| {
                let (outputs, early) = self.evaluate(p, &on_simulation);
                if let Err(e) = out.append(&Line { generation: g, index: p.index, outputs, early }) {
                    *failed.lock().expect("no panic while holding the lock") = Some(e);
                }
            })
        });
        if let Some(e) = failed.into_inner().expect("no panic while holding the lock") {
            bail!("cannot write {}: {e}", file.display());
        }
        Ok(file)
    }

    /// One proposal's runs, one per seed, each ended once the fitted targets' management years
    /// are recorded (a day depends only on the days before it, so those years' values are the
    /// full run's; targets of weight 0 are left out, the posterior-predictive runs report
    /// them). With an early look (`[abc.lazy]`), the first run is looked at after its check day
    /// and the proposal may stop there ([`AbcSmc::early_look`]).
    fn evaluate(
        &self,
        p: &Proposal,
        on_simulation: &(impl Fn() + Sync),
    ) -> (Vec<Vec<Option<f64>>>, Option<EarlyLook>) {
        let look_day = self.abc.early_look_day();
        let mut early = None;
        let mut rows = Vec::with_capacity(p.seeds.len());
        for (r, &seed) in p.seeds.iter().enumerate() {
            let Some(mut rep) = self.model.replication(&p.theta, seed) else {
                // Not a valid scenario: no values, and an early look that saw none.
                if r == 0 {
                    early = look_day
                        .and_then(|_| self.abc.early_look(p.index, &vec![f64::NAN; self.targets.len()]));
                }
                on_simulation();
                rows.push(vec![None; self.targets.len()]);
                continue;
            };
            let run = rep.params().run;
            if let (0, Some(day)) = (r, look_day) {
                rep.run_until(run.warmup_days + day, |_| {});
                let mut metrics = rep.year_to_date();
                metrics.extend(rep.results().metrics);
                let values = values_of(&self.targets, &metrics);
                let look = self.abc.early_look(p.index, &values).expect("a look day implies a look");
                early = Some(look);
                if look.stopped {
                    // The progress counts this run and the ones not started.
                    p.seeds.iter().for_each(|_| on_simulation());
                    return (Vec::new(), early);
                }
            }
            rep.run_until(self.fitted_end(&run), |_| {});
            let truncated = rep.days_run() < run.total_days();
            let result = rep.finish();
            on_simulation();
            rows.push(
                target_values(&self.targets, Some(&result))
                    .into_iter()
                    .zip(&self.calibration.targets)
                    .map(|(v, t)| (v.is_finite() && !(truncated && t.weight == 0.0)).then_some(v))
                    .collect(),
            );
        }
        (rows, early)
    }

    /// The day after which no fitted target (weight > 0) changes: the end of the last
    /// management year a fitted target names (`year=k`), or the run's end when one reads the
    /// whole recorded window.
    fn fitted_end(&self, run: &crate::params::RunParams) -> u32 {
        self.targets
            .iter()
            .zip(&self.calibration.targets)
            .filter(|(_, t)| t.weight > 0.0)
            .map(|((_, breakdown), _)| {
                breakdown
                    .split(';')
                    .find_map(|kv| kv.strip_prefix("year="))
                    .and_then(|k| k.parse::<u32>().ok())
                    .map_or(run.total_days(), |k| run.warmup_days + 365 * k)
            })
            .max()
            .unwrap_or(run.total_days())
            .min(run.total_days())
    }

    /// Gathers the pending generation from every file and advances the ABC state one
    /// generation.
    pub fn advance(&mut self) -> anyhow::Result<Advanced> {
        let g = self.abc.generation();
        let lines = read_generation(&self.dir, g)?;
        let evaluations: Vec<Evaluation> = lines.iter().map(Line::evaluation).collect();
        let pop = self.abc.advance(&evaluations).map_err(|e| anyhow!("generation {g}: {e}"))?;
        Ok(Advanced {
            generation: g,
            epsilon: pop.epsilon,
            ess: pop.ess,
            acceptance_rate: pop.acceptance_rate,
        })
    }

    /// Posterior-predictive draws still to simulate for the fit report.
    pub fn predictive_pending(&self) -> anyhow::Result<usize> {
        let draws = self.abc.predictive_draws(self.abc.config().settings.predictive_simulations);
        let done = self.predictive_done()?;
        Ok(draws.iter().filter(|d| !done.iter().any(|l| l.index == d.index)).count())
    }

    fn predictive_path(&self) -> PathBuf {
        self.dir.join("predictive.jsonl")
    }

    fn predictive_done(&self) -> anyhow::Result<Vec<Line>> {
        let path = self.predictive_path();
        if !path.exists() {
            return Ok(Vec::new());
        }
        let file: store::Stored<Header, Line> =
            store::read(&path, "medgroup calibration", |h: &Header| h.kind == "header")
                .map_err(|e| anyhow!("{e}; delete the file to redo its simulations"))?;
        Ok(file.rows)
    }

    /// Runs the posterior-predictive simulations (those not done yet), then writes the fit
    /// report, the posterior and the calibrated scenario into the output folder. `command`
    /// is the command line recorded in the calibrated scenario's header.
    pub fn finish(
        &self,
        pool: &rayon::ThreadPool,
        command: &str,
        on_simulation: impl Fn() + Sync,
    ) -> anyhow::Result<Finished> {
        let abc = &self.abc;
        let model = &self.model;
        let draws = abc.predictive_draws(abc.config().settings.predictive_simulations);
        let path = self.predictive_path();
        let header = self.header(None);
        let (out, opened) = open_store(&path, &header, |l: &Line| Some(l.index))?;
        let pending: Vec<_> =
            draws.iter().filter(|d| !opened.rows.iter().any(|l| l.index == d.index)).collect();
        pool.install(|| {
            pending.par_iter().with_max_len(1).for_each(|d| {
                let r = model.simulate(&d.theta, d.seed);
                on_simulation();
                let values = target_values(&self.targets, r.as_ref())
                    .into_iter()
                    .map(|v| v.is_finite().then_some(v))
                    .collect();
                // A failed write only means this simulation is redone by the next run.
                let _ = out.append(&Line {
                    generation: u32::MAX,
                    index: d.index,
                    outputs: vec![values],
                    early: None,
                });
            })
        });
        out.close(&header, |l: &Line| Some(l.index))?;
        let mut lines = self.predictive_done()?;
        lines.sort_by_key(|l| l.index);
        lines.dedup_by_key(|l| l.index);
        let sims: Vec<Vec<f64>> = lines.iter().map(|l| l.evaluation().outputs.remove(0)).collect();
        let fit = analysis::fit::fit_report(&self.calibration.targets, &sims);
        let posterior = abc.posterior().ok_or_else(|| anyhow!("no finished generation"))?;

        let dir = &self.out;
        std::fs::create_dir_all(dir)?;
        write_atomic(&dir.join("posterior_sample.csv"), abc.posterior_sample_csv().as_bytes())?;
        write_atomic(&dir.join("posterior.csv"), posterior.to_csv().as_bytes())?;
        write_atomic(&dir.join("fit.csv"), fit.to_csv().as_bytes())?;
        let history: Vec<String> = abc
            .history()
            .iter()
            .map(|p| {
                format!(
                    "| {} | {:.4} | {:.1} | {} | {} | {} |",
                    p.generation,
                    p.epsilon,
                    p.ess,
                    p.simulations,
                    p.stopped_early,
                    p.acceptance_rate.map_or("—".to_string(), |r| format!("{:.1} %", 100.0 * r))
                )
            })
            .collect();
        let report = format!(
            "# Calibration of \"{}\"\n\nScenario `{}` (hash {}), targets `{}`, seed {}, medgroup {}.\n\
             Stopped: {:?}. Simulations: {} in the ABC generations, {} posterior-predictive.\n\n\
             ## Generations\n\n{}| generation | ε | ESS | simulations | stopped early | acceptance |\n|---|---|---|---|---|---|\n{}\n\n\
             ## Posterior (weighted, last population)\n\n{}\n\n\
             ## Fit: every target, observed vs simulated (posterior predictive)\n\n{} of {} targets pass.\n\n{}\n",
            model.loaded.params.name,
            model.loaded.chain.first().map(|p| p.display().to_string()).unwrap_or_default(),
            model.loaded.hash(),
            self.identity.targets_file,
            abc.config().seed,
            crate::VERSION,
            abc.stopped(),
            abc.history().iter().map(|p| p.simulations).sum::<usize>(),
            sims.len(),
            lazy_note(abc.config().settings.lazy),
            history.join("\n"),
            posterior.to_markdown(),
            fit.passed(),
            fit.rows.len(),
            fit.to_markdown()
        );
        write_atomic(&dir.join("fit_report.md"), report.as_bytes())?;
        write_chart(
            &fit_chart(
                &fit,
                "Calibration fit: simulated vs observed, every target",
                "posterior-predictive median, 90 % interval",
            ),
            &dir.join("fit"),
        )?;
        // The calibrated scenario: the resolved scenario with each parameter at its posterior median.
        let medians: Vec<f64> = posterior.parameters.iter().map(|p| p.median).collect();
        let calibrated = model.scenario(&medians, model.loaded.params.seed)?;
        let mut header = format!(
            "# Calibrated by `{command}` (medgroup {}):\n# every parameter at its posterior median.\n",
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
        write_atomic(&dir.join("calibrated.toml"), (header + &body).as_bytes())?;
        Ok(Finished {
            posterior: posterior.to_markdown(),
            fit: fit.to_markdown(),
            passed: fit.passed(),
            targets: fit.rows.len(),
        })
    }
}

/// The fit report's sentence on the early look (lazy ABC), before the generations table.
fn lazy_note(lazy: Option<analysis::targets::LazySettings>) -> String {
    lazy.map_or_else(String::new, |l| {
        format!(
            "From generation 1 each proposal's first run was looked at after {} recorded days: one whose \
             year-to-date distance exceeded {} × the previous ε was run on with probability {} (its weight \
             then × {:.3}) and stopped otherwise (lazy ABC, Prangle 2016; docs/odd.md). A stopped proposal \
             counts one simulation.\n\n",
            l.check_day,
            l.factor,
            l.continue_probability,
            1.0 / l.continue_probability
        )
    })
}

/// What a finished calibration wrote, for the command to show.
#[derive(Debug, Clone)]
pub struct Finished {
    /// The posterior table (markdown).
    pub posterior: String,
    /// The fit table (markdown).
    pub fit: String,
    pub passed: usize,
    pub targets: usize,
}

/// A Morris screening of a scenario, ready to run.
pub struct Screening {
    pub design: MorrisDesign,
    model: Simulator,
    parameters: Vec<Parameter>,
}

impl Screening {
    /// The design for `params` (`KEY=uniform:LO:HI` or `KEY=log_uniform:LO:HI`, at least two).
    pub fn new(
        scenario_path: &Path,
        params: &[String],
        trajectories: u32,
        levels: u32,
    ) -> anyhow::Result<Screening> {
        let loaded = scenario::load(scenario_path)?;
        let mut parameters = Vec::new();
        for p in params {
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
            MorrisDesign::new(parameters.clone(), trajectories as usize, levels as usize, loaded.params.seed)
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
        let model = Simulator::new(loaded, &parameters)?;
        Ok(Screening { design, model, parameters })
    }

    pub fn scenario_name(&self) -> &str {
        &self.model.loaded.params.name
    }
    /// What the screening's results folder belongs to ([`crate::folder`]): the scenario and the
    /// design.
    pub fn owner(&self) -> crate::folder::Owner {
        let loaded = &self.model.loaded;
        let text = format!("{}|{:?}|{:?}", loaded.hash(), self.parameters, self.design.points());
        crate::folder::Owner::new(
            "sensitivity",
            &loaded.params.name,
            format!("{:016x}", name_key(&text)),
            loaded.params.seed,
        )
    }
    pub fn parameters(&self) -> &[Parameter] {
        &self.parameters
    }
    /// Model runs the design needs.
    pub fn simulations(&self) -> usize {
        self.design.points().len()
    }

    /// Runs the design in `pool` (`on_simulation` after each run) and writes `sensitivity.csv`,
    /// `sensitivity.md` and the chart into `out`; returns the ranked table.
    pub fn run(
        &self,
        pool: &rayon::ThreadPool,
        out: &Path,
        on_simulation: impl Fn() + Sync,
    ) -> anyhow::Result<MorrisTable> {
        let points = self.design.points();
        let results: Vec<Option<ReplicationResult>> = pool.install(|| {
            points
                .par_iter()
                .with_max_len(1)
                .map(|pt| {
                    let r = self.model.simulate(&pt.theta, pt.seed);
                    on_simulation();
                    r
                })
                .collect()
        });
        // Headline metrics present in every successful run, in the order of the first.
        let first =
            results.iter().flatten().next().ok_or_else(|| anyhow!("no simulation gave a valid scenario"))?;
        let outputs: Vec<(String, String)> = first
            .metrics
            .iter()
            .filter(|m| crate::metrics::headline(&m.name, &m.breakdown))
            .map(|m| (m.name.clone(), m.breakdown.clone()))
            .collect();
        let names: Vec<String> = outputs
            .iter()
            .map(|(n, b)| if b.is_empty() { n.clone() } else { format!("{n} ({b})") })
            .collect();
        let values: Vec<Vec<f64>> = results.iter().map(|r| target_values(&outputs, r.as_ref())).collect();
        let table = self.design.analyse(&names, &values).map_err(|e| anyhow!("{e:?}"))?;
        std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
        write_atomic(&out.join("sensitivity.csv"), table.to_csv().as_bytes())?;
        write_atomic(&out.join("sensitivity.md"), table.to_markdown().as_bytes())?;
        write_chart(&morris_chart(&table), &out.join("sensitivity"))?;
        Ok(table)
    }
}

/// Writes a chart as `<stem>.svg` (with the bundled font embedded) and `<stem>.png`.
pub fn write_chart(chart: &Chart, stem: &Path) -> anyhow::Result<()> {
    let svg = chart.to_svg_file().map_err(|e| anyhow!("{e}"))?;
    write_atomic(&stem.with_extension("svg"), svg.as_bytes())?;
    let png = chart.to_png().map_err(|e| anyhow!("{e}"))?;
    write_atomic(&stem.with_extension("png"), &png)?;
    Ok(())
}

/// An out-of-sample check (`medgroup check`): a scenario, as it is, against a targets file. It
/// fits nothing: the targets' weights are ignored and `[[parameter]]` and `[abc]` are not read.
pub struct Check {
    pub loaded: Loaded,
    pub targets: Vec<Target>,
    pub targets_file: String,
    /// (output, breakdown) of each target, as the replications report it.
    rows: Vec<(String, String)>,
}

impl Check {
    /// Loads the scenario and the targets file and checks them against each other.
    pub fn prepare(scenario_path: &Path, targets_path: &Path) -> anyhow::Result<Check> {
        let loaded = scenario::load(scenario_path)?;
        let text = scenario::read_text(targets_path, scenario::MAX_FILE_BYTES)
            .map_err(|e| anyhow!("cannot read targets file {}: {e}", targets_path.display()))?;
        let file = targets::parse(&text).map_err(|e| anyhow!("{}: {e}", targets_path.display()))?;
        let has = |_: &str| true;
        let outputs = crate::metrics::names();
        let known =
            Known { outputs: &outputs, has_parameter: &has, recorded_days: Some(loaded.params.run.days) };
        let targets = file.validate_targets(&known).map_err(|problems| {
            let lines: Vec<String> = problems.iter().map(|p| format!("  {}: {}", p.key, p.message)).collect();
            anyhow!("{}: {} problem(s):\n{}", targets_path.display(), problems.len(), lines.join("\n"))
        })?;
        let rows = targets
            .iter()
            .map(|t| Ok((t.output.clone(), target_breakdown(t)?)))
            .collect::<anyhow::Result<Vec<_>>>()?;
        Ok(Check { loaded, targets, targets_file: targets_path.display().to_string(), rows })
    }

    /// What the check's folder belongs to: the scenario, the targets and the replications.
    pub fn owner(&self, replications: u32) -> crate::folder::Owner {
        let text = format!("{}|{:?}|{replications}", self.loaded.hash(), self.targets);
        crate::folder::Owner::new(
            "check",
            &self.loaded.params.name,
            format!("{:016x}", name_key(&text)),
            self.loaded.params.seed,
        )
    }

    /// Runs replications `0..replications` of the scenario (in `pool`) and reports every target.
    pub fn run(
        &self,
        replications: u32,
        pool: &rayon::ThreadPool,
        on_simulation: impl Fn() + Sync,
    ) -> analysis::fit::FitReport {
        let params = Arc::new(self.loaded.params.clone());
        let sims: Vec<Vec<f64>> = pool.install(|| {
            (0..replications)
                .into_par_iter()
                .with_max_len(1)
                .map(|r| {
                    let result = run_replication(&params, r);
                    on_simulation();
                    target_values(&self.rows, Some(&result))
                })
                .collect()
        });
        analysis::fit::fit_report(&self.targets, &sims)
    }

    /// Writes `fit.csv`, `fit_report.md` and the fit chart (`fit.svg`, `fit.png`) into `out`.
    pub fn write(
        &self,
        out: &Path,
        fit: &analysis::fit::FitReport,
        command: &str,
    ) -> anyhow::Result<Vec<PathBuf>> {
        std::fs::create_dir_all(out)?;
        let mut written = Vec::new();
        let csv = out.join("fit.csv");
        write_atomic(&csv, fit.to_csv().as_bytes())?;
        written.push(csv);
        let p = &self.loaded.params;
        let report = format!(
            "# Check of \"{}\" against `{}`\n\n`{command}` (medgroup {}). Scenario `{}` (hash {}), seed {}, \
             {} replication(s) of {} warm-up + {} recorded days. Nothing is fitted: the targets' weights \
             are shown for reference (weight 0: the calibration did not fit it).\n\n\
             ## Every target, observed vs simulated\n\n{} of {} targets pass.\n\n{}\n",
            p.name,
            self.targets_file,
            crate::VERSION,
            self.loaded.chain.first().map(|c| c.display().to_string()).unwrap_or_default(),
            self.loaded.hash(),
            p.seed,
            fit.simulations,
            p.run.warmup_days,
            p.run.days,
            fit.passed(),
            fit.rows.len(),
            fit.markdown("replications")
        );
        let md = out.join("fit_report.md");
        write_atomic(&md, report.as_bytes())?;
        written.push(md);
        write_chart(
            &fit_chart(
                fit,
                "Check: simulated vs observed, every target",
                "median of the replications, 90 % interval",
            ),
            &out.join("fit"),
        )?;
        written.push(out.join("fit.svg"));
        written.push(out.join("fit.png"));
        Ok(written)
    }
}

/// Half-width of the fit chart's scale, in tolerances.
const FIT_SCALE: f64 = 6.0;

/// Observed vs simulated for every target, on one scale: (simulated − observed) ÷ the
/// tolerance on that side, so that the band −1 … 1 passes. The dot is the posterior-predictive
/// median, the bar its 90 % interval; targets outside their tolerance are highlighted.
fn fit_chart(fit: &analysis::fit::FitReport, title: &str, estimate_label: &str) -> Chart {
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
        title: title.into(),
        x_label: "(simulated − observed) ÷ tolerance (−1 … 1 passes)".into(),
        rows,
        reference: Some(0.0),
        floor: None,
        estimate_label: estimate_label.into(),
        marker_label: "mean".into(),
        dots_label: String::new(),
        highlight_label: "mean outside tolerance".into(),
        width: 900,
        // Rows are clipped at ±CLIP tolerances above, with their value in the label.
        robust: false,
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
