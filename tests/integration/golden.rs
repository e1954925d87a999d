//! Golden results: every shipped scenario, scaled down and run with its own seed, must give the
//! files committed under `tests/golden/` byte for byte.
//!
//! They guard refactoring: a change that should not alter any result (moving code, renaming,
//! new structure) leaves every golden file as it is. A change that alters results on purpose (a
//! fix, a new mechanism, a new draw that reorders the streams) rewrites them with
//!
//! ```sh
//! UPDATE_GOLDEN=1 cargo test golden
//! ```
//!
//! and commits the new files in a commit of their own that says why the numbers moved.
//!
//! A golden run is the shipped scenario made small and short, at the level of the TOML file (so
//! the golden scenario is validated like any other):
//! - residents scaled to about [`RESIDENTS`], with every slot, bed, background rate, global
//!   budget and screening volume in proportion;
//! - at most [`WARMUP_DAYS`] warm-up and [`RECORDED_DAYS`] recorded days (one whole management
//!   year and the start of the next, so that the year-end review runs), with every switch-on day
//!   (`start_day`, `*_start_day`) scaled by the same ratio as the whole run, so that every lever
//!   still switches on inside the run and in its shipped order;
//! - its own seed and [`REPLICATIONS`] replications.
//!
//! Its `summary.csv`, `daily.csv` and `replications.jsonl` are written by the same code as
//! `medgroup run` writes them.

use crate::common::*;
use medgroup::output::{daily_csv, replications_jsonl, summarise, summary_csv};
use medgroup::run::run_replication;
use medgroup::scenario::{self, Loaded};
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use toml::{Table, Value};

/// Residents of a golden run (scenarios with fewer keep theirs).
const RESIDENTS: f64 = 20_000.0;
/// Longest warm-up and recorded window of a golden run, in days.
const WARMUP_DAYS: i64 = 30;
const RECORDED_DAYS: i64 = 370;
/// Replications of a golden run: two, so that the summaries' spread is exercised.
const REPLICATIONS: i64 = 2;
/// The files compared.
const FILES: [&str; 3] = ["summary.csv", "daily.csv", "replications.jsonl"];

/// Multiplies a number in place, rounding (at least 1) when `integer`.
fn scale_value(v: &mut Value, by: f64, integer: bool) {
    let x = match v {
        Value::Integer(i) => *i as f64,
        Value::Float(f) => *f,
        _ => return,
    };
    *v = if integer { Value::Integer(((x * by).round() as i64).max(1)) } else { Value::Float(x * by) };
}

fn scale_key(t: &mut Table, key: &str, by: f64, integer: bool) {
    if let Some(v) = t.get_mut(key) {
        match v {
            Value::Array(items) => items.iter_mut().for_each(|x| scale_value(x, by, integer)),
            v => scale_value(v, by, integer),
        }
    }
}

fn tables<'a>(t: &'a mut Table, key: &str) -> impl Iterator<Item = &'a mut Table> {
    t.get_mut(key).and_then(Value::as_array_mut).into_iter().flatten().filter_map(Value::as_table_mut)
}

/// The resolved scenario scaled by `by`: residents, capacities and volumes in proportion.
fn scaled_document(mut t: Table, by: f64) -> Table {
    if let Some(p) = t.get_mut("population").and_then(Value::as_table_mut) {
        scale_key(p, "residents", by, true);
    }
    for f in tables(&mut t, "facilities") {
        scale_key(f, "nonresident_emergency_visits_per_day", by, false);
        for c in tables(f, "clinics") {
            scale_key(c, "slots_per_weekday", by, true);
            if let Some(fd) = c.get_mut("family_doctors").and_then(Value::as_table_mut) {
                scale_key(fd, "doctors", by, false);
            }
            scale_key(c, "nonresident_visits_per_day", by, false);
        }
        for w in tables(f, "wards") {
            scale_key(w, "beds", by, true);
            scale_key(w, "background_admissions_per_day", by, false);
        }
    }
    if let Some(s) = t.get_mut("screening").and_then(Value::as_table_mut) {
        for k in tables(s, "campaigns") {
            scale_key(k, "screened_per_year", by, false);
        }
    }
    if let Some(b) =
        t.get_mut("policy").and_then(|p| p.get_mut("global_budget")).and_then(Value::as_table_mut)
    {
        scale_key(b, "budget_yuan_per_year", by, false);
    }
    t
}

/// The resolved scenario on a shorter calendar: at most [`WARMUP_DAYS`] + [`RECORDED_DAYS`],
/// every switch-on day scaled by the ratio of the new run length to the old.
fn shortened_document(mut t: Table) -> Table {
    let run = t.get_mut("run").and_then(Value::as_table_mut).expect("a [run] table");
    let get = |r: &Table, k: &str| r.get(k).and_then(Value::as_integer).expect("run days are integers");
    let (warmup, days) = (get(run, "warmup_days"), get(run, "days"));
    let (w, d) = (warmup.min(WARMUP_DAYS), days.min(RECORDED_DAYS));
    run.insert("warmup_days".into(), Value::Integer(w));
    run.insert("days".into(), Value::Integer(d));
    run.insert("replications".into(), Value::Integer(REPLICATIONS));
    let ratio = (w + d) as f64 / (warmup + days) as f64;
    fn walk(v: &mut Value, ratio: f64) {
        match v {
            Value::Table(t) => {
                for (k, v) in t.iter_mut() {
                    match v {
                        Value::Integer(day) if k == "start_day" || k.ends_with("_start_day") => {
                            *day = (*day as f64 * ratio).floor() as i64;
                        }
                        v => walk(v, ratio),
                    }
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|x| walk(x, ratio)),
            _ => {}
        }
    }
    for (k, v) in t.iter_mut() {
        if k != "run" {
            walk(v, ratio);
        }
    }
    t
}

/// The golden version of a shipped scenario.
fn golden_scenario(path: &Path) -> Loaded {
    let loaded = load_path(path);
    let residents = f64::from(loaded.params.population.residents);
    let by = if residents > RESIDENTS { RESIDENTS / residents } else { 1.0 };
    let doc = shortened_document(scaled_document(loaded.resolved.clone(), by));
    scenario::from_resolved(loaded.chain.clone(), doc)
        .unwrap_or_else(|e| panic!("the scaled {} does not validate: {e}", path.display()))
}

/// The golden files of a scenario, as `medgroup run` would write them.
fn golden_files(loaded: &Loaded) -> Vec<(&'static str, String)> {
    let params = Arc::new(loaded.params.clone());
    let results: Vec<_> =
        (0..params.run.replications).into_par_iter().map(|r| run_replication(&params, r)).collect();
    vec![
        ("summary.csv", summary_csv(&summarise(&results))),
        ("daily.csv", daily_csv(&results)),
        ("replications.jsonl", replications_jsonl(&results)),
    ]
}

/// Where a scenario's golden files live: `tests/golden/<path under scenarios/ without .toml>/`.
fn golden_dir(scenario: &Path) -> PathBuf {
    let rel = scenario.strip_prefix(repo("scenarios")).expect("a shipped scenario");
    repo("tests/golden").join(rel.with_extension(""))
}

fn shipped() -> Vec<PathBuf> {
    let mut files = Vec::new();
    toml_files(&repo("scenarios"), &mut files);
    files.sort();
    files
}

/// The first line where two texts differ, for the failure message.
fn first_difference(want: &str, got: &str) -> String {
    for (i, (w, g)) in want.lines().zip(got.lines()).enumerate() {
        if w != g {
            return format!("line {}:\n      golden: {w}\n      now:    {g}", i + 1);
        }
    }
    format!("lengths differ: {} golden lines, {} now", want.lines().count(), got.lines().count())
}

#[test]
fn golden_results_are_unchanged() {
    let update = std::env::var_os("UPDATE_GOLDEN").is_some_and(|v| v == "1");
    let scenarios = shipped();
    assert!(scenarios.len() >= 10, "expected the shipped scenarios under scenarios/");
    let outcomes: Vec<Vec<String>> = scenarios
        .par_iter()
        .map(|path| {
            let dir = golden_dir(path);
            let files = golden_files(&golden_scenario(path));
            let mut problems = Vec::new();
            if update {
                std::fs::create_dir_all(&dir).unwrap();
            }
            for (name, text) in files {
                let file = dir.join(name);
                if update {
                    std::fs::write(&file, &text).unwrap();
                    continue;
                }
                match std::fs::read_to_string(&file) {
                    Ok(want) if want == text => {}
                    Ok(want) => {
                        problems.push(format!("{}: {}", file.display(), first_difference(&want, &text)))
                    }
                    Err(e) => problems.push(format!("{}: cannot read it ({e})", file.display())),
                }
            }
            problems
        })
        .collect();
    let problems: Vec<String> = outcomes.into_iter().flatten().collect();
    assert!(
        problems.is_empty(),
        "{} golden file(s) differ from this build's results:\n  {}\n\
         If the change is meant to alter results, run `UPDATE_GOLDEN=1 cargo test golden` and commit the \
         new files on their own, saying why the numbers moved.",
        problems.len(),
        problems.join("\n  ")
    );
}

#[test]
fn every_golden_folder_belongs_to_a_shipped_scenario() {
    let wanted: Vec<PathBuf> = shipped().iter().map(|p| golden_dir(p)).collect();
    let mut found = Vec::new();
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else { return };
        for e in entries {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.file_name().is_some_and(|n| n == "summary.csv") {
                out.push(p.parent().unwrap().to_path_buf());
            }
        }
    }
    walk(&repo("tests/golden"), &mut found);
    let stale: Vec<_> = found.iter().filter(|d| !wanted.contains(d)).collect();
    assert!(stale.is_empty(), "golden folders without a shipped scenario (delete them): {stale:?}");
    for d in &wanted {
        for f in FILES {
            assert!(
                d.join(f).exists(),
                "{} is missing: run `UPDATE_GOLDEN=1 cargo test golden`",
                d.join(f).display()
            );
        }
    }
}
