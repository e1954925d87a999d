//! The `steady` command: fit the rates that hold a scenario's starting shares steady
//! (`medgroup::steady`) and write them as a scenario that extends it.

use anyhow::{Context, bail};
use clap::Args;
use medgroup::scenario;
use medgroup::steady::{Fit, Settings, fit};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// The first line of a file `steady` writes: an existing file without it is not replaced.
const HEADER: &str = "# Steady-state rates fitted by `medgroup steady`";

#[derive(Debug, Args)]
pub struct SteadyArgs {
    /// Scenario file (TOML) whose starting shares the rates should hold steady.
    pub scenario: PathBuf,
    /// Write the fitted rates to this file, as a scenario that extends SCENARIO (a file this
    /// command wrote before is replaced; any other file is refused).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Days observed after the warm-up in each iteration.
    #[arg(long, default_value_t = 365, value_parser = clap::value_parser!(u32).range(30..=3650))]
    pub observe_days: u32,
    /// Largest number of iterations.
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u32).range(1..=100))]
    pub iterations: u32,
    /// Converged when no fitted value moves by more than this share of itself (the observed
    /// rates' own noise is about 1 % at the baseline's size).
    #[arg(long, default_value_t = 0.02)]
    pub tolerance: f64,
    /// First replication whose random streams the iterations use.
    #[arg(long, default_value_t = 0)]
    pub replication: u32,
    /// Replications observed per iteration, their flows pooled (in parallel): more for a small
    /// scenario, whose observed rates are noisier.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub replications: u32,
    /// Fit the scenario with its [policy] levers in force (default: without them, the
    /// no-lever counterfactual a reform is compared with).
    #[arg(long)]
    pub with_levers: bool,
    /// Fit nothing: run the scenario (without its levers, as the fit) for this many recorded
    /// years after its warm-up, --replications replications (at least 2, for the standard
    /// error), and print how far each cohort series moves a year against the drift bound (1 pp a
    /// year for a share, 2 % for a count). Fails when a series is not within it.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=50), conflicts_with = "out")]
    pub check_years: Option<u32>,
}

pub fn steady(args: SteadyArgs) -> anyhow::Result<()> {
    if !(args.tolerance > 0.0 && args.tolerance < 1.0) {
        bail!("--tolerance must be between 0 and 1 (a share of the value), got {}", args.tolerance);
    }
    let mut loaded = scenario::load(&args.scenario)?;
    if !args.with_levers && loaded.resolved.contains_key("policy") {
        let mut table = loaded.resolved.clone();
        table.remove("policy");
        loaded = scenario::from_resolved(loaded.chain.clone(), table)
            .context("the scenario without its [policy] levers does not validate (use --with-levers)")?;
        eprintln!(
            "{} without the scenario's [policy] levers (the no-lever counterfactual; --with-levers keeps them)",
            if args.check_years.is_some() { "running" } else { "fitting" }
        );
    }
    if let Some(years) = args.check_years {
        return check_drift(&args, loaded.params, years);
    }
    if let Some(out) = &args.out {
        refuse_foreign(out)?;
        if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
    }
    let settings = Settings {
        replication: args.replication,
        replications: args.replications,
        observe_days: args.observe_days,
        max_iterations: args.iterations,
        tolerance: args.tolerance,
    };
    let p = &loaded.params;
    eprintln!(
        "fitting steady-state rates of {}: {} warm-up days, then {} observed days per iteration",
        args.scenario.display(),
        p.run.warmup_days,
        settings.observe_days
    );
    let start = Instant::now();
    let result = fit(p, &settings, |k, change| {
        eprintln!(
            "  iteration {k}: largest change {:.2} % ({:.0} s)",
            100.0 * change,
            start.elapsed().as_secs_f64()
        )
    });
    print!("{}", table(&result));
    if !result.converged {
        println!(
            "not converged in {} iterations (largest change {:.2} %): the values printed are the last iteration's",
            args.iterations,
            100.0 * result.iterations.last().map_or(0.0, |i| i.largest_change)
        );
    }
    if let Some(out) = &args.out {
        let text = overlay(&args.scenario, out, &result, &settings, p.run.warmup_days)?;
        std::fs::write(out, text).with_context(|| format!("writing {}", out.display()))?;
        println!("written to {}", out.display());
    }
    Ok(())
}

/// `--check-years`: each cohort series' drift over the recorded years, against the bound.
fn check_drift(args: &SteadyArgs, mut params: medgroup::params::Params, years: u32) -> anyhow::Result<()> {
    if args.replications < 2 {
        bail!(
            "--check-years needs --replications 2 or more: the drift's standard error is taken across replications"
        );
    }
    params.run.days = years * 365;
    let warmup = params.run.warmup_days;
    eprintln!(
        "running {} replication(s) of {}: {warmup} warm-up days, then {years} recorded year(s)",
        args.replications,
        args.scenario.display()
    );
    let params = std::sync::Arc::new(params);
    let reps: Vec<u32> = (args.replication..args.replication + args.replications).collect();
    let start = Instant::now();
    let results = medgroup::run::run_replications(&params, &reps, |_| {});
    let drifts = medgroup::steady::drift(&results, warmup as usize);
    println!(
        "{:<30} {:<32} {:>12} {:>14} {:>8} {:>8}  verdict",
        "series", "breakdown", "level", "drift a year", "SE", "bound"
    );
    for d in &drifts {
        let unit = if d.share { "pp" } else { "%" };
        println!(
            "{:<30} {:<32} {:>12.4} {:>11.3} {unit:<2} {:>8.3} {:>5} {unit:<2}  {}",
            d.series,
            if d.breakdown.is_empty() { "all" } else { &d.breakdown },
            d.level,
            d.drift,
            d.se,
            d.bound,
            if d.holds() { "holds" } else { "DRIFTS (|drift| + 2 SE ≥ bound)" }
        );
    }
    eprintln!("({:.0} s)", start.elapsed().as_secs_f64());
    let failing = drifts.iter().filter(|d| !d.holds()).count();
    if drifts.is_empty() {
        bail!("the scenario records none of the cohort series the check reads");
    }
    if failing > 0 {
        bail!("{failing} of {} cohort series drift beyond the bound over {years} year(s)", drifts.len());
    }
    println!("every cohort series holds within the bound over {years} year(s)");
    Ok(())
}

fn refuse_foreign(out: &Path) -> anyhow::Result<()> {
    if out.exists() {
        let text = std::fs::read_to_string(out).unwrap_or_default();
        // The file may open with the schema line this command writes.
        let own = text.lines().find(|l| !l.starts_with("#:schema")).unwrap_or_default();
        if !own.starts_with(HEADER) {
            bail!(
                "{} exists and was not written by `medgroup steady`: choose another --out or move it",
                out.display()
            );
        }
    }
    Ok(())
}

fn table(f: &Fit) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{:<58} {:>10}  {:<38} {:>7} {:>7} {:>12}",
        "key", "value", "holds", "day 0", "end", "drift pp/yr"
    );
    for r in &f.fitted {
        let _ = writeln!(
            s,
            "{:<58} {:>10.5}  {:<38} {:>7.3} {:>7.3} {:>+12.2}{}",
            r.key,
            r.value,
            r.share,
            r.target,
            r.reached,
            100.0 * r.drift_per_year,
            if r.at_bound { "  (at a bound: the share is not held by this rate)" } else { "" }
        );
    }
    s
}

/// The path of `scenario` as seen from the folder of `out` (absolute when they share none).
fn relative(scenario: &Path, out: &Path) -> anyhow::Result<String> {
    let s = std::fs::canonicalize(scenario)?;
    let dir = out.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let d = std::fs::canonicalize(dir).with_context(|| format!("the folder of {}", out.display()))?;
    let common = s.components().zip(d.components()).take_while(|(a, b)| a == b).count();
    if common <= 1 {
        return Ok(s.display().to_string());
    }
    let mut rel = PathBuf::new();
    for _ in d.components().skip(common) {
        rel.push("..");
    }
    for c in s.components().skip(common) {
        rel.push(c);
    }
    Ok(rel.display().to_string())
}

fn overlay(scenario: &Path, out: &Path, f: &Fit, settings: &Settings, warmup: u32) -> anyhow::Result<String> {
    let mut s = String::new();
    // The schema the fitted scenario names, as seen from the new file, so that an editor checks
    // this one too.
    let text = std::fs::read_to_string(scenario).unwrap_or_default();
    if let Some(schema) = text.lines().next().and_then(|l| l.strip_prefix("#:schema ")) {
        let at = scenario.parent().unwrap_or(Path::new(".")).join(schema.trim());
        if at.exists() {
            let _ = writeln!(s, "#:schema {}", relative(&at, out)?);
        }
    }
    let _ = writeln!(s, "{HEADER} from {} (docs/steady_state.md).", scenario.display());
    let _ = writeln!(
        s,
        "# Replications {}–{}, {warmup} warm-up days, then {} observed days per iteration; {} in {} iterations.",
        settings.replication,
        settings.replication + settings.replications.max(1) - 1,
        settings.observe_days,
        if f.converged { "converged" } else { "NOT converged" },
        f.iterations.len()
    );
    let _ = writeln!(s, "# Each value holds the share named beside it at its day-0 value.");
    let _ = writeln!(s, "extends = {:?}", relative(scenario, out)?);
    let note = |r: &medgroup::steady::Fitted| {
        format!(
            "# holds {} at {:.3} (end of window {:.3}, {:+.2} pp a year){}",
            r.share,
            r.target,
            r.reached,
            100.0 * r.drift_per_year,
            if r.at_bound { "; at a bound" } else { "" }
        )
    };
    if let Some(r) = f.fitted.iter().find(|r| r.key == "care.management_exit_per_year") {
        let _ = writeln!(s, "\n[care]\nmanagement_exit_per_year = {:.6}  {}", r.value, note(r));
    }
    for k in &f.params.conditions {
        let prefix = format!("conditions[{}].", k.name);
        let _ = writeln!(s, "\n[[conditions]]\nname = {:?}", k.name);
        for r in f.fitted.iter().filter(|r| r.key.starts_with(&prefix)) {
            let _ = writeln!(s, "{} = {:.6}  {}", &r.key[prefix.len()..], r.value, note(r));
        }
    }
    Ok(s)
}
