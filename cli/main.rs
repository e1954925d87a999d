//! The `medgroup` command: `run`, `compare`, `sweep`, `merge`, `calibrate`, `sensitivity`,
//! `check`, `steady`, `report`, `validate` and `serve`.
//!
//! The command layer: it parses the command line, drives the library (`medgroup`: scenarios,
//! experiments, stores, calibration, result files) and does all the printing. It is compiled
//! into the binary only, so the library cannot import it. Errors are reported as one clear
//! message and a non-zero exit code, never a panic.
//!
//! - [`experiment`]: `run`, `compare`, `sweep` and `merge`;
//! - [`calibrate`]: `calibrate`, `sensitivity` and `check`;
//! - [`steady`]: the `steady` command;
//! - [`serve`]: the classroom page (`medgroup serve`);
//! - [`terminal`]: tables, numbers and progress bars on the terminal.

mod calibrate;
mod experiment;
mod serve;
mod steady;
mod terminal;

use analysis::report::{self, Lang};
use clap::{Parser, Subcommand};
use medgroup::scenario;
use std::path::PathBuf;
use std::process::ExitCode;

/// Agent-based simulation of patient flows in a compact city medical group (紧密型城市医疗集团):
/// community health centres, member hospitals with shared wards, and the lead hospital.
#[derive(Debug, Parser)]
#[command(name = "medgroup", version, about, long_about = None)]
struct Cli {
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
    Run(experiment::RunArgs),
    /// Compare reforms with a base scenario: paired differences across common random numbers.
    ///
    /// Runs every arm with the same replication seeds, then writes comparison.csv (every metric:
    /// paired difference and % change with 95 % CIs), arms/<arm>/ with each arm's run files, and
    /// manifest.json; prints the headline differences, marking significant ones with `*`.
    Compare(experiment::CompareArgs),
    /// Sweep parameters over a grid (--set KEY=V1,V2,…) or a Latin hypercube (--lhs N --range
    /// KEY=LO:HI).
    ///
    /// Writes sweep.csv (one row per point × replication × metric, with the parameter values as
    /// columns), sweep_summary.csv (per point × metric across replications) and manifest.json.
    Sweep(experiment::SweepArgs),
    /// Merge the shard files of an experiment run with --shard K/N into its result files.
    ///
    /// Checks that every shard is present once, complete and from the same experiment; the
    /// result is byte for byte what one machine would have written.
    Merge(experiment::MergeArgs),
    /// Fit a scenario's uncertain parameters to observed targets by ABC-SMC.
    ///
    /// Reads a targets file ([[target]] observed values mapped to model outputs, [[parameter]]
    /// priors, [abc] settings), runs the generations in parallel, and writes the weighted
    /// posterior sample, a calibrated scenario (posterior medians) and a fit report of every
    /// target. Finished simulations are kept: the same command again resumes; --shard K/N and
    /// --advance-only spread a calibration over a cluster (docs/cluster.md).
    Calibrate(calibrate::CalibrateArgs),
    /// Screen parameters for influence on the headline metrics (Morris elementary effects).
    ///
    /// Writes a ranked table (μ*, μ, σ per parameter and metric) as sensitivity.csv and .md.
    Sensitivity(calibrate::SensitivityArgs),
    /// Check a scenario against a targets file without fitting anything (out-of-sample checks).
    ///
    /// Runs the scenario as it is (e.g. a calibrated one) and writes the same fit report as
    /// `calibrate`: every target's observed value, the simulated mean and 90 % interval, pass or
    /// fail, and for a target with `compare_with` whether the simulated change has the observed
    /// direction (fit.csv, fit_report.md, fit.svg/png).
    Check(calibrate::CheckArgs),
    /// Fit the rates that hold a scenario's starting shares steady (docs/steady_state.md).
    ///
    /// Per condition, the loss-of-control rate (controlled share of the diagnosed) and the rate
    /// of diagnosis (health-check detection, or the share of acute events that diagnose);
    /// for the group, the rate of leaving chronic-disease management (enrolled share). Prints
    /// each value with the share it holds and how far that share still moves in a year;
    /// --out writes them as a scenario that extends SCENARIO.
    Steady(steady::SteadyArgs),
    /// Serve the classroom page: pick a scenario, switch levers on, run, compare, in a browser.
    ///
    /// Serves one self-contained page on 127.0.0.1 (this machine only) by default; --bind ADDR
    /// serves a classroom network and then requires the random access token printed at start.
    /// Runs are queued for one worker (one run at a time per client, capped replications and
    /// residents), each into a folder of its own under --out; a run with levers switched on is a
    /// paired comparison against the scenario without them (docs/teaching.md).
    Serve(serve::ServeArgs),
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

fn main() -> ExitCode {
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
        Command::Run(args) => experiment::run(args),
        Command::Compare(args) => experiment::compare(args),
        Command::Sweep(args) => experiment::sweep(args),
        Command::Merge(args) => experiment::merge(args),
        Command::Calibrate(args) => calibrate::calibrate(args),
        Command::Sensitivity(args) => calibrate::sensitivity(args),
        Command::Steady(args) => steady::steady(args),
        Command::Serve(args) => serve::serve(args),
        Command::Check(args) => calibrate::check(args),
        Command::Report { results_dir, lang, out } => {
            // Not while a command is writing the results (a missing folder is the report's to
            // explain).
            let _lock = if results_dir.is_dir() {
                Some(medgroup::folder::lock_folder(
                    &results_dir,
                    &medgroup::folder::Holder::this_process(&terminal::command_line()),
                )?)
            } else {
                None
            };
            let path = medgroup::report::write(&results_dir, lang, out.as_deref())?;
            println!("report written to {}", path.display());
            println!("charts written to {}", report::chart_dir(&results_dir).display());
            Ok(())
        }
    }
}
