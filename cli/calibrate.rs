//! The `calibrate` and `sensitivity` commands: the command line and the progress of
//! `medgroup::calibration` (ABC-SMC calibration, Morris screening).

use crate::experiment::removed_note;
use crate::terminal::{command_line, progress};
use anyhow::{anyhow, bail};
use clap::Args;
use medgroup::calibration::{Calibrator, Overrides, Screening, owner, prepare};
use medgroup::experiment::Shard;
use medgroup::folder::{self, Holder};
use std::path::PathBuf;
use std::time::Instant;

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
    /// Look at each proposal after this many recorded days and stop most hopeless ones (lazy
    /// ABC; sets [abc.lazy] check_day, with the table's factor and continue_probability or
    /// their defaults 1 and 0.2; docs/odd.md section 7.12).
    #[arg(long, value_name = "DAYS", value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub lazy_check_day: Option<u32>,
    /// Folder for the results (default: out/calibrate/<scenario name>); finished simulations are
    /// kept in OUT/calibration/, and the same command again resumes. A folder of another
    /// calibration or holding other files is refused unless --force.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Use OUT even though it holds other results or files medgroup did not write (medgroup's
    /// own files are removed first, the others left alone). Not with --shard.
    #[arg(long)]
    pub force: bool,
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
    /// Folder for the results (default: out/sensitivity/<scenario name>). A folder of another
    /// screening or holding other files is refused unless --force.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Use OUT even though it holds other results or files medgroup did not write (medgroup's
    /// own files are removed first, the others left alone).
    #[arg(long)]
    pub force: bool,
    /// Worker threads (default: one per core). Results do not depend on it.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub threads: Option<u32>,
    /// Print only errors.
    #[arg(long, short)]
    pub quiet: bool,
}

fn pool(threads: Option<u32>) -> anyhow::Result<rayon::ThreadPool> {
    let mut b = rayon::ThreadPoolBuilder::new();
    if let Some(t) = threads {
        b = b.num_threads(t as usize);
    }
    b.build().map_err(|e| anyhow!("cannot start worker threads: {e}"))
}

pub fn calibrate(a: CalibrateArgs) -> anyhow::Result<()> {
    let overrides = Overrides {
        particles: a.particles,
        simulations_per_generation: a.simulations_per_generation,
        generations: a.generations,
        predictive_simulations: a.predictive_simulations,
        lazy_check_day: a.lazy_check_day,
    };
    let (loaded, calibration) = prepare(&a.scenario, &a.targets, &a.params, &overrides)?;
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
    let out = a.out.clone().unwrap_or_else(|| folder::default_folder("calibrate", &[&loaded.params.name]));
    let holder = Holder::this_process(&command_line());
    let _locks = match shard {
        None => (folder::lock_folder(&out, &holder)?, None),
        Some(_) if a.force => bail!(
            "--force with --shard would let the shards remove each other's files: clear {} first (or use \
             another --out), then run the shards without --force",
            out.display()
        ),
        Some(s) => {
            let lock = out.join("calibration").join(s.file_name()).with_extension("lock");
            let (folder_lock, shard_lock) = folder::lock_shard(&out, &lock, &holder)?;
            (folder_lock, Some(shard_lock))
        }
    };
    let claimed = folder::claim(&out, &owner(&loaded, &calibration), a.force)?;
    if !a.quiet {
        removed_note(&claimed.removed, &out);
    }
    let mut cal = Calibrator::open(loaded, calibration, &out, &a.targets)?;
    let dir = out.join("calibration");
    if !a.quiet && cal.resumed_generations() > 0 {
        eprintln!(
            "resuming: {} generation(s) already finished in {}",
            cal.resumed_generations(),
            dir.display()
        );
    }
    let pool = pool(a.threads)?;
    let started = Instant::now();
    let per_proposal = cal.replications_per_proposal();
    if !a.quiet {
        eprintln!(
            "calibrating \"{}\": {} parameter(s), {} target(s), {} simulations a generation, up to {} generation(s); results in {}",
            cal.scenario_name(),
            cal.calibration().parameters.len(),
            cal.calibration().targets.len(),
            cal.proposals_per_generation() * per_proposal,
            cal.max_generations(),
            out.display()
        );
    }
    while cal.stopped().is_none() {
        let pending = cal.pending(shard)?;
        let g = pending.generation;
        let bar = progress(pending.simulations(per_proposal) as u64, a.quiet);
        if !a.quiet && !pending.proposals.is_empty() {
            eprintln!(
                "generation {g}: {} simulation(s) to run ({} already done)",
                pending.simulations(per_proposal),
                pending.done * per_proposal
            );
        }
        let n = pending.simulations(per_proposal) as u64;
        let before = (pending.done * per_proposal) as u64;
        let kept = crate::terminal::on_interrupt(
            "simulation(s) of this generation",
            &out.join("calibration"),
            before,
            before + n,
        );
        let file = cal.simulate(&pending, &pool, || {
            bar.inc(1);
            kept.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        })?;
        bar.finish_and_clear();
        if shard.is_some() {
            if !a.quiet {
                eprintln!(
                    "shard done: {}; when every shard of generation {g} is done, run with --advance-only",
                    file.display()
                );
            }
            return Ok(());
        }
        let step = cal.advance()?;
        if !a.quiet {
            eprintln!(
                "generation {}: ε = {:.4}, ESS = {:.1}, acceptance {} ({:.0} s)",
                step.generation,
                step.epsilon,
                step.ess,
                step.acceptance_rate.map_or("—".to_string(), |r| format!("{:.1} %", 100.0 * r)),
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
                cal.stopped()
            );
        }
        return Ok(());
    }
    let predictive = cal.predictive_pending()?;
    if !a.quiet && predictive > 0 {
        eprintln!("posterior predictive: {predictive} simulation(s)");
    }
    let bar = progress(predictive as u64, a.quiet);
    let command = format!("medgroup calibrate {} --targets {}", a.scenario.display(), a.targets.display());
    let done = cal.finish(&pool, &command, || bar.inc(1))?;
    bar.finish_and_clear();
    if !a.quiet {
        println!("{}", done.posterior);
        println!("fit: {} of {} targets pass (fit_report.md)", done.passed, done.targets);
        println!("{}", done.fit);
        println!(
            "results in {}: posterior_sample.csv, posterior.csv, fit.csv, fit_report.md, fit.svg/.png, calibrated.toml ({:.0} s)",
            out.display(),
            started.elapsed().as_secs_f64()
        );
    }
    Ok(())
}

pub fn sensitivity(a: SensitivityArgs) -> anyhow::Result<()> {
    let screening = Screening::new(&a.scenario, &a.params, a.trajectories, a.levels)?;
    let out =
        a.out.clone().unwrap_or_else(|| folder::default_folder("sensitivity", &[screening.scenario_name()]));
    let _lock = folder::lock_folder(&out, &Holder::this_process(&command_line()))?;
    let claimed = folder::claim(&out, &screening.owner(), a.force)?;
    if !a.quiet {
        removed_note(&claimed.removed, &out);
    }
    let pool = pool(a.threads)?;
    let started = Instant::now();
    if !a.quiet {
        eprintln!(
            "Morris screening of \"{}\": {} parameter(s), {} trajectories, {} simulations",
            screening.scenario_name(),
            screening.parameters().len(),
            a.trajectories,
            screening.simulations()
        );
    }
    let bar = progress(screening.simulations() as u64, a.quiet);
    let table = screening.run(&pool, &out, || bar.inc(1))?;
    bar.finish_and_clear();
    if !a.quiet {
        println!("{}", table.to_markdown());
        println!(
            "results in {}: sensitivity.csv, sensitivity.md, sensitivity.svg/.png ({:.0} s)",
            out.display(),
            started.elapsed().as_secs_f64()
        );
    }
    Ok(())
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Scenario file (TOML) to check, as it is (e.g. a calibrated one).
    pub scenario: PathBuf,
    /// Targets file whose [[target]] entries the scenario is checked against; its [[parameter]]
    /// priors, [abc] settings and weights are not used.
    #[arg(long)]
    pub targets: PathBuf,
    /// Replications to run (each one simulation of the scenario, its own streams).
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub replications: u32,
    /// Folder for the fit report (default: out/check/<scenario name>). A folder of another check
    /// or holding other files is refused unless --force.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Use OUT even though it holds other results or files medgroup did not write (medgroup's
    /// own files are removed first, the others left alone).
    #[arg(long)]
    pub force: bool,
    /// Worker threads (default: one per core). Results do not depend on it.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub threads: Option<u32>,
    /// Print only errors.
    #[arg(long, short)]
    pub quiet: bool,
}

pub fn check(a: CheckArgs) -> anyhow::Result<()> {
    let c = medgroup::calibration::Check::prepare(&a.scenario, &a.targets)?;
    let out = a.out.clone().unwrap_or_else(|| folder::default_folder("check", &[&c.loaded.params.name]));
    let holder = Holder::this_process(&command_line());
    let _lock = folder::lock_folder(&out, &holder)?;
    let claimed = folder::claim(&out, &c.owner(a.replications), a.force)?;
    if !a.quiet {
        removed_note(&claimed.removed, &out);
        eprintln!(
            "checking \"{}\" against {} target(s) of {}: {} replication(s); results in {}",
            c.loaded.params.name,
            c.targets.len(),
            a.targets.display(),
            a.replications,
            out.display()
        );
    }
    let pool = pool(a.threads)?;
    let bar = progress(u64::from(a.replications), a.quiet);
    let start = Instant::now();
    let fit = c.run(a.replications, &pool, || bar.inc(1));
    bar.finish_and_clear();
    let written = c.write(&out, &fit, &command_line())?;
    if !a.quiet {
        println!("{}", fit.markdown("replications"));
        let missing: Vec<&str> = fit.rows.iter().filter(|r| r.n == 0).map(|r| r.name.as_str()).collect();
        if !missing.is_empty() {
            println!(
                "no simulated value for {}: the scenario's results have no such row (a year=k target needs k \
                 complete management years of recorded days; an output needs what makes it, e.g. a campaign)",
                missing.join(", ")
            );
        }
        println!(
            "{} replication(s) in {:.1} s; written to {}:",
            a.replications,
            start.elapsed().as_secs_f64(),
            out.display()
        );
        for p in written {
            println!("  {}", p.display());
        }
    }
    Ok(())
}
