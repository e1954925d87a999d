//! Helpers shared by the integration tests.

use medgroup::levers::global_budget::GlobalBudget;
use medgroup::model::record::ReplicationResult;
use medgroup::params::{Lever, Params};
use medgroup::run::run_replication;
use medgroup::scenario::{self, Loaded};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Path of a file under the repository root.
pub fn repo(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// Appends every scenario file under `dir` (recursively) to `out`: every `.toml` file except the
/// calibration targets files (`*.targets.toml`, tested in `targets`).
pub fn toml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            toml_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "toml")
            && !p.to_string_lossy().ends_with(".targets.toml")
        {
            out.push(p);
        }
    }
}

/// Loads and validates a shipped scenario, panicking with the error if it is invalid.
pub fn load(rel: &str) -> Loaded {
    scenario::load(&repo(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// Loads and validates a scenario file anywhere (e.g. in a temporary folder).
pub fn load_path(path: &Path) -> Loaded {
    scenario::load(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// `p` scaled to `scale` of its residents: slots, beds, background demand and a global budget
/// in proportion, so that loads stay realistic.
pub fn scaled(mut p: Params, scale: f64) -> Params {
    p.population.residents = (f64::from(p.population.residents) * scale).round() as u32;
    for f in &mut p.facilities {
        f.nonresident_emergency_visits_per_day *= scale;
        for c in &mut f.clinics {
            c.nonresident_visits_per_day *= scale;
            if let Some(fd) = &mut c.family_doctors {
                fd.doctors *= scale;
            }
            for s in &mut c.slots_per_weekday {
                *s = ((f64::from(*s) * scale).round() as u32).max(1);
            }
        }
        for w in &mut f.wards {
            w.background_admissions_per_day *= scale;
            w.beds = ((f64::from(w.beds) * scale).round() as u32).max(1);
            if let Some(t) = &mut w.theatre {
                // Capacity in cases a day, to the nearest case: one case a session.
                for s in &mut t.sessions_per_weekday {
                    *s = (f64::from(*s * t.cases_per_session) * scale).round() as u32;
                }
                t.cases_per_session = 1;
                t.emergency_cases_per_day *= scale;
                t.background_bookings_per_day *= scale;
            }
        }
    }
    if let Some(b) = p.policy.get_mut::<Lever<GlobalBudget>>() {
        b.settings.budget_yuan_per_day *= scale;
    }
    p
}

/// The baseline scaled down to `residents` (see [`scaled`]), `days` recorded after `warmup` days.
pub fn small_baseline(residents: u32, days: u32, warmup: u32) -> Params {
    let p = load("scenarios/baseline.toml").params;
    let scale = f64::from(residents) / f64::from(p.population.residents);
    let mut p = scaled(p, scale);
    p.population.residents = residents;
    p.run.days = days;
    p.run.warmup_days = warmup;
    p
}

/// Runs replications `0..n` of `p` on this thread.
pub fn run(p: &Params, n: u32) -> Vec<ReplicationResult> {
    let p = Arc::new(p.clone());
    (0..n).map(|r| run_replication(&p, r)).collect()
}

/// The value of `metric` with `breakdown` in one replication's results.
pub fn metric(r: &ReplicationResult, name: &str, breakdown: &str) -> Option<f64> {
    r.metrics.iter().find(|m| m.name == name && m.breakdown == breakdown).map(|m| m.value)
}

/// All values of a metric across replications (panics if any replication lacks it).
pub fn values(results: &[ReplicationResult], name: &str, breakdown: &str) -> Vec<f64> {
    results
        .iter()
        .map(|r| metric(r, name, breakdown).unwrap_or_else(|| panic!("no {name} {{{breakdown}}}")))
        .collect()
}
