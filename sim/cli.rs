//! The command line: `medgroup run`, `compare`, `sweep`, `merge`, `calibrate`, `sensitivity`,
//! `report` and `validate`.
//!
//! Together with [`crate::commands`] (the experiment commands), [`crate::calibration`],
//! [`crate::output`] and the shard and merge writers of [`crate::experiment`], the only code that
//! touches files or the terminal. Errors are reported as one clear message and a non-zero exit
//! code, never a panic.

use crate::commands;
use crate::scenario::{self, Loaded};
use analysis::report::{self, Lang};
use analysis::stats::Summary;
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

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
    /// Finished replications are kept in OUT/shards/ as they finish: rerunning an interrupted
    /// command resumes it.
    Run(commands::RunArgs),
    /// Compare reforms with a base scenario: paired differences across common random numbers.
    ///
    /// Runs every arm with the same replication seeds, then writes comparison.csv (every metric:
    /// paired difference and % change with 95 % CIs), arms/<arm>/ with each arm's run files, and
    /// manifest.json; prints the headline differences, marking significant ones with `*`.
    Compare(commands::CompareArgs),
    /// Sweep parameters over a grid (--set KEY=V1,V2,…) or a Latin hypercube (--lhs N --range
    /// KEY=LO:HI).
    ///
    /// Writes sweep.csv (one row per point × replication × metric, with the parameter values as
    /// columns), sweep_summary.csv (per point × metric across replications) and manifest.json.
    Sweep(commands::SweepArgs),
    /// Merge the shard files of an experiment run with --shard K/N into its result files.
    ///
    /// Checks that every shard is present once, complete and from the same experiment; the
    /// result is byte for byte what one machine would have written.
    Merge(commands::MergeArgs),
    /// Fit a scenario's uncertain parameters to observed targets by ABC-SMC.
    ///
    /// Reads a targets file ([[target]] observed values mapped to model outputs, [[parameter]]
    /// priors, [abc] settings), runs the generations in parallel, and writes the weighted
    /// posterior sample, a calibrated scenario (posterior medians) and a fit report of every
    /// target. Finished simulations are kept: the same command again resumes; --shard K/N and
    /// --advance-only spread a calibration over a cluster (docs/cluster.md).
    Calibrate(crate::calibration::CalibrateArgs),
    /// Screen parameters for influence on the headline metrics (Morris elementary effects).
    ///
    /// Writes a ranked table (μ*, μ, σ per parameter and metric) as sensitivity.csv and .md.
    Sensitivity(crate::calibration::SensitivityArgs),
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
        Command::Run(args) => commands::run(args),
        Command::Compare(args) => commands::compare(args),
        Command::Sweep(args) => commands::sweep(args),
        Command::Merge(args) => commands::merge(args),
        Command::Calibrate(args) => crate::calibration::calibrate(args),
        Command::Sensitivity(args) => crate::calibration::sensitivity(args),
        Command::Report { results_dir, lang, out } => {
            let path = report::write_report(&results_dir, lang, out.as_deref())?;
            println!("report written to {}", path.display());
            println!("charts written to {}", report::chart_dir(&results_dir).display());
            Ok(())
        }
    }
}

/// Unit of a metric, from its name.
pub fn unit(name: &str) -> &'static str {
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

/// Headline metrics shown in the terminal (and in the report); everything is in summary.csv.
pub use analysis::report::build::headline;

pub fn print_summary(loaded: &Loaded, summaries: &[(String, String, Summary)]) {
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
pub fn fmt(v: f64) -> String {
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
