//! The pilots' calibration targets files (`scenarios/pilots/<site>.targets.toml`): each validates
//! against the model's outputs and its pilot's resolved scenario, names every row of
//! `../shared/data/targets_public.csv` for its site, and every fitted target (weight > 0) reads a
//! metric row that a run of the pilot really produces.

use crate::common::*;
use analysis::targets::{Calibration, Known, load_str};
use medgroup::params::Params;
use medgroup::scenario::{KeyPath, Loaded};
use std::collections::BTreeSet;

/// (site as in targets_public.csv, pilot scenario, targets file).
const SITES: [(&str, &str, &str); 3] = [
    ("qingpu", "scenarios/pilots/qingpu.toml", "scenarios/pilots/qingpu.targets.toml"),
    ("shinan", "scenarios/pilots/shinan.toml", "scenarios/pilots/shinan.targets.toml"),
    ("guangming", "scenarios/pilots/guangming.toml", "scenarios/pilots/guangming.targets.toml"),
];

/// Whether `key` is a numeric value of the pilot's resolved scenario (after `extends`).
fn has_parameter(loaded: &Loaded, key: &str) -> bool {
    KeyPath::parse(key)
        .ok()
        .and_then(|k| k.get(&loaded.resolved).cloned())
        .is_some_and(|v| v.is_float() || v.is_integer())
}

/// The targets file of a pilot, validated as a calibration of that pilot would validate it.
fn calibration(scenario: &str, targets: &str) -> (Loaded, Calibration) {
    let loaded = load(scenario);
    let text = std::fs::read_to_string(repo(targets)).unwrap_or_else(|e| panic!("{targets}: {e}"));
    let has = |k: &str| has_parameter(&loaded, k);
    let known = Known {
        outputs: &medgroup::metrics::names(),
        has_parameter: &has,
        recorded_days: Some(loaded.params.run.days),
    };
    let cal = load_str(&text, &known).unwrap_or_else(|e| panic!("{targets}: {e}"));
    (loaded, cal)
}

/// Ids of the site's rows in targets_public.csv, or `None` when the shared data folder is absent.
fn public_ids(site: &str) -> Option<BTreeSet<String>> {
    let text = std::fs::read_to_string(repo("../shared/data/targets_public.csv")).ok()?;
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next()?.split(',').collect();
    let (id, site_col) = (header.iter().position(|h| *h == "id")?, header.iter().position(|h| *h == "site")?);
    Some(
        lines
            .map(|l| l.split(',').collect::<Vec<_>>())
            .filter(|f| f.get(site_col) == Some(&site))
            .map(|f| f[id].to_string())
            .collect(),
    )
}

/// The pilot scaled to `scale` of its residents (see `common::scaled`), recording only `days`.
fn scaled_for(p: Params, scale: f64, days: u32) -> Params {
    let mut p = scaled(p, scale);
    p.run.days = days;
    p
}

/// The largest `year=k` a target's breakdown names (0 when none).
fn year_of(breakdown: &str) -> u32 {
    breakdown
        .split(';')
        .filter_map(|kv| kv.strip_prefix("year="))
        .filter_map(|k| k.parse().ok())
        .max()
        .unwrap_or(0)
}

#[test]
fn targets_files_validate_against_their_pilots() {
    for (site, scenario, targets) in SITES {
        let (loaded, cal) = calibration(scenario, targets);
        assert!(cal.targets.iter().any(|t| t.weight > 0.0), "{site}: nothing to fit");
        assert!(
            (3..=6).contains(&cal.parameters.len()),
            "{site}: {} calibrated parameters",
            cal.parameters.len()
        );
        // Every parameter's prior lies inside what the scenario accepts: set its bounds and
        // validate again.
        for p in &cal.parameters {
            let (lo, hi) = p.prior.bounds();
            for v in [lo, hi] {
                let value = toml::Value::Float(v);
                loaded
                    .with_values(&[(KeyPath::parse(&p.key).unwrap(), value)])
                    .unwrap_or_else(|e| panic!("{site}: {} = {v}: {e}", p.key));
            }
        }
        let sims =
            cal.abc.simulations_per_generation * cal.abc.generations as usize * cal.abc.replications as usize;
        assert!(sims >= 2000, "{site}: an ABC run of {sims} simulations");
        // Every row of targets_public.csv for the site is a target, and nothing else is.
        if let Some(ids) = public_ids(site) {
            let names: BTreeSet<String> = cal.targets.iter().map(|t| t.name.clone()).collect();
            assert_eq!(names, ids, "{site}: targets vs targets_public.csv rows");
        }
    }
}

#[test]
fn fitted_targets_read_rows_a_pilot_run_produces() {
    for (site, scenario, targets) in SITES {
        let (loaded, cal) = calibration(scenario, targets);
        let fitted: Vec<_> = cal.targets.iter().filter(|t| t.weight > 0.0).collect();
        // Record just the management years the fitted targets name (a whole-window target needs
        // one), at a twentieth of the residents.
        let years = fitted.iter().map(|t| year_of(t.breakdown.as_deref().unwrap_or(""))).max().unwrap_or(0);
        let days = (years.max(1) * 365).min(loaded.params.run.days);
        let p = scaled_for(loaded.params.clone(), 0.05, days);
        let r = &run(&p, 1)[0];
        for t in fitted {
            let b = t.breakdown.as_deref().unwrap_or("");
            let v = metric(r, &t.output, b).unwrap_or_else(|| {
                panic!("{site} {}: no row {} {{{b}}} in a {days}-day run", t.name, t.output)
            });
            assert!(v.is_finite(), "{site} {}: {} {{{b}}} = {v}", t.name, t.output);
        }
    }
}
