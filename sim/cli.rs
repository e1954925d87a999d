//! The command line: `medgroup run` and `medgroup validate`.
//!
//! Together with [`crate::output`], the only code that touches files or the terminal. Errors
//! are reported as one clear message and a non-zero exit code, never a panic.

use crate::output;
use crate::run::run_replications;
use crate::scenario::{self, Loaded};
use analysis::report::{self, Lang};
use analysis::stats::Summary;
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Instant;

/// Agent-based simulation of patient flows in a compact city medical group (紧密型城市医疗集团):
/// community health centres, member hospitals with shared wards, and the lead hospital.
#[derive(Debug, Parser)]
#[command(name = "medgroup", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Simulate a scenario: print a summary table and write results to a folder.
    ///
    /// Runs the warm-up, then the recorded days, for every replication (in parallel), and writes
    /// replications.jsonl, summary.csv, daily.csv and manifest.json to the output folder.
    Run(RunArgs),
    /// Check a scenario file and report every problem at once, without simulating.
    Validate {
        /// Scenario file (TOML).
        scenario: PathBuf,
    },
    /// Write a self-contained HTML report (and PNG/SVG charts) of a run, compare or sweep folder.
    ///
    /// The report explains the scenario, the parameters that differ from the baseline, the
    /// headline metrics with 95% CIs and the charts, for a student of health management. Charts
    /// are also written to RESULTS_DIR/charts/.
    Report {
        /// Results folder written by `run`, `compare` or `sweep` (its --out).
        results_dir: PathBuf,
        /// Language of the report: zh (中文) or en.
        #[arg(long, default_value = "en", value_parser = parse_lang)]
        lang: Lang,
        /// HTML file to write (default: RESULTS_DIR/report.<lang>.html).
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

fn parse_lang(s: &str) -> Result<Lang, String> {
    s.parse()
}

#[derive(Debug, Args)]
struct RunArgs {
    /// Scenario file (TOML), e.g. scenarios/baseline.toml.
    scenario: PathBuf,
    /// Master seed; overrides the scenario's `seed`. Same scenario and seed give identical files.
    #[arg(long, value_parser = clap::value_parser!(u64).range(0..=9_007_199_254_740_992))]
    seed: Option<u64>,
    /// Number of independent replications; overrides `run.replications`.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    replications: Option<u32>,
    /// Days recorded after the warm-up; overrides `run.days`.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=36_500))]
    days: Option<u32>,
    /// Days simulated and discarded before recording; overrides `run.warmup_days`.
    #[arg(long, value_parser = clap::value_parser!(u32).range(0..=36_500))]
    warmup_days: Option<u32>,
    /// Folder for the result files (created if missing; files in it are replaced).
    #[arg(long, default_value = "out")]
    out: PathBuf,
    /// Worker threads for replications (default: one per core). Results do not depend on it.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1024))]
    threads: Option<u32>,
    /// Print only errors.
    #[arg(long, short)]
    quiet: bool,
    /// Also write the HTML report (RESULTS_DIR/report.<lang>.html), in English or, with
    /// --report=zh, in Chinese.
    #[arg(long, value_name = "LANG", num_args = 0..=1, default_missing_value = "en", require_equals = true, value_parser = parse_lang)]
    report: Option<Lang>,
}

/// Entry point of the binary.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match execute(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn execute(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Validate { scenario } => {
            let loaded = scenario::load(&scenario)?;
            let p = &loaded.params;
            println!(
                "{}: valid — scenario \"{}\", {} facilities, {} wards, {} conditions, {} residents, hash {}",
                scenario.display(),
                p.name,
                p.facilities.len(),
                p.facilities.iter().map(|f| f.wards.len()).sum::<usize>(),
                p.conditions.len(),
                p.population.residents,
                loaded.hash()
            );
            Ok(())
        }
        Command::Run(args) => run(args),
        Command::Report { results_dir, lang, out } => {
            let path = report::write_report(&results_dir, lang, out.as_deref())?;
            println!("report written to {}", path.display());
            println!("charts written to {}", report::chart_dir(&results_dir).display());
            Ok(())
        }
    }
}

fn run(args: RunArgs) -> anyhow::Result<()> {
    let mut loaded = scenario::load(&args.scenario)?;
    apply_overrides(&mut loaded, &args);
    let params = Arc::new(loaded.params.clone());
    let reps: Vec<u32> = (0..params.run.replications).collect();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.threads.unwrap_or(0) as usize)
        .build()
        .map_err(|e| anyhow::anyhow!("cannot start worker threads: {e}"))?;
    if !args.quiet {
        eprintln!(
            "running \"{}\": {} replication(s) × ({} warm-up + {} recorded days), seed {}, {} thread(s)",
            params.name,
            reps.len(),
            params.run.warmup_days,
            params.run.days,
            params.seed,
            pool.current_num_threads()
        );
    }
    let started = Instant::now();
    let finished = AtomicU32::new(0);
    let results = pool.install(|| {
        run_replications(&params, &reps, |_| {
            let n = finished.fetch_add(1, Ordering::Relaxed) + 1;
            if !args.quiet {
                eprintln!("  replication {n}/{} done ({:.1} s)", reps.len(), started.elapsed().as_secs_f64());
            }
        })
    });
    let wall = started.elapsed().as_secs_f64();
    let paths = output::write_results(&args.out, &loaded, &results)
        .map_err(|e| anyhow::anyhow!("cannot write results to {}: {e}", args.out.display()))?;
    if !args.quiet {
        print_summary(&loaded, &output::summarise(&results));
        let agent_days: f64 =
            results.iter().map(|r| r.census.spawned as f64).sum::<f64>() * f64::from(params.run.total_days());
        println!();
        println!(
            "simulated {} replication(s) of {} days in {:.2} s wall ({:.2} s per replication-year on {} thread(s); ≈{:.2e} agent-days)",
            results.len(),
            params.run.total_days(),
            wall,
            wall * f64::from(pool.current_num_threads().min(results.len()) as u32)
                / results.len() as f64
                / (f64::from(params.run.total_days()) / crate::time::DAYS_PER_YEAR),
            pool.current_num_threads(),
            agent_days
        );
        println!("results written to {}:", args.out.display());
        for p in paths {
            println!("  {}", p.display());
        }
    }
    if let Some(lang) = args.report {
        let path = report::write_report(&args.out, lang, None)?;
        if !args.quiet {
            println!("  {}", path.display());
        }
    }
    Ok(())
}

fn apply_overrides(loaded: &mut Loaded, args: &RunArgs) {
    let p = &mut loaded.params;
    let resolved = &mut loaded.resolved;
    let mut set = |section: Option<&str>, key: &str, value: i64| {
        let table = match section {
            Some(s) => resolved.get_mut(s).and_then(toml::Value::as_table_mut),
            None => Some(&mut *resolved),
        };
        if let Some(t) = table {
            t.insert(key.to_string(), toml::Value::Integer(value));
        }
    };
    if let Some(seed) = args.seed {
        p.seed = seed;
        set(None, "seed", seed as i64);
    }
    if let Some(r) = args.replications {
        p.run.replications = r;
        set(Some("run"), "replications", i64::from(r));
    }
    if let Some(d) = args.days {
        p.run.days = d;
        set(Some("run"), "days", i64::from(d));
    }
    if let Some(w) = args.warmup_days {
        p.run.warmup_days = w;
        set(Some("run"), "warmup_days", i64::from(w));
    }
}

/// Unit of a metric, from its name.
fn unit(name: &str) -> &'static str {
    if name.ends_with("_share") || name.starts_with("bed_occupancy") || name.ends_with("prob_positive") {
        "share"
    } else if name.contains("_days") {
        "days"
    } else if name.ends_with("per_year") {
        "per year"
    } else if name.ends_with("per_day") {
        "per day"
    } else if name.ends_with("ratio") {
        "ratio"
    } else {
        "count"
    }
}

/// Headline metrics shown in the terminal; everything is in summary.csv.
fn headline(name: &str, breakdown: &str) -> bool {
    match name {
        "primary_care_visit_share"
        | "uncontrolled_patient_day_share"
        | "referrals_up_per_year"
        | "referrals_down_per_year"
        | "acute_events_per_year"
        | "chronic_patients"
        | "bed_occupancy"
        | "visits_per_day" => true,
        "outpatient_wait_days" => !breakdown.contains("background"),
        "admission_wait_days" => breakdown.ends_with("priority=all"),
        "elective_surgery_wait_days" => true,
        _ => false,
    }
}

fn print_summary(loaded: &Loaded, summaries: &[(String, String, Summary)]) {
    let p = &loaded.params;
    println!();
    println!(
        "{} — seed {}, {} replication(s), {} recorded days after {} warm-up days (mean and 95% CI across replications)",
        p.name, p.seed, p.run.replications, p.run.days, p.run.warmup_days
    );
    let rows: Vec<[String; 4]> = summaries
        .iter()
        .filter(|(n, b, _)| headline(n, b))
        .map(|(n, b, s)| {
            let ci = if s.n > 1 { format!("[{}, {}]", fmt(s.ci_low), fmt(s.ci_high)) } else { "—".into() };
            [
                format!("{n} {}", if b.is_empty() { String::new() } else { format!("({b})") }),
                fmt(s.mean),
                ci,
                unit(n).into(),
            ]
        })
        .collect();
    let header = ["metric", "mean", "95% CI", "unit"];
    let mut width = header.map(str::len);
    for r in &rows {
        for (w, c) in width.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    let line = |cells: [&str; 4]| {
        println!(
            "  {:<w0$}  {:>w1$}  {:<w2$}  {}",
            cells[0],
            cells[1],
            cells[2],
            cells[3],
            w0 = width[0],
            w1 = width[1],
            w2 = width[2]
        );
    };
    line(header);
    line([
        "─".repeat(width[0]).as_str(),
        "─".repeat(width[1]).as_str(),
        "─".repeat(width[2]).as_str(),
        "────",
    ]);
    for r in &rows {
        line([&r[0], &r[1], &r[2], &r[3]]);
    }
    println!("  (all {} metrics with SD and percentiles: summary.csv)", summaries.len());
}

/// A number with about four significant digits.
fn fmt(v: f64) -> String {
    let a = v.abs();
    if a == 0.0 {
        "0".into()
    } else if a >= 1e5 {
        format!("{v:.0}")
    } else if a >= 100.0 {
        format!("{v:.1}")
    } else if a >= 1.0 {
        format!("{v:.3}")
    } else {
        format!("{v:.4}")
    }
}
