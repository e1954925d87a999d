//! Queueing theory as the oracle: Erlang C on a single M/M/c ward, Little's law on every ward of
//! the baseline.

use crate::common::*;
use analysis::queueing::MMc;
use analysis::stats::Summary;

/// Checks that the replication mean of `values` is within 4 standard errors of `expected`.
fn within_4_se(what: &str, values: &[f64], expected: f64) {
    let s = Summary::of(values).expect("finite values");
    let z = (s.mean - expected) / s.se;
    println!(
        "{what}: simulated {:.5} ± {:.5} (SE, n = {}), analytic {expected:.5}, z = {z:.2}",
        s.mean, s.se, s.n
    );
    assert!(z.abs() <= 4.0, "{what}: simulated mean {} is {z:.2} SE from the analytic {expected}", s.mean);
}

#[test]
fn mmc_ward_matches_erlang_c() {
    let loaded = load("scenarios/validation/mmc_ward.toml");
    let mut p = loaded.params.clone();
    // 100 replications of 2,000 recorded days after 365 warm-up days: about 7,400 admissions
    // each, so the SE of the mean wait is ≈ 2 % of it.
    p.run.replications = 100;
    p.run.days = 2_000;
    let w = &p.facilities[0].wards[0];
    let q = MMc {
        arrival_rate: w.background_admissions_per_day,
        mean_service_time: w.stay.mean_days(),
        servers: w.beds,
    };
    assert!(q.utilisation() >= 0.9, "the validation ward must run at utilisation ≥ 0.9");
    let results = run(&p, p.run.replications);
    let b = "ward=hospital/ward";
    within_4_se(
        "mean wait in queue (days)",
        &values(&results, "admission_wait_days", &format!("{b};priority=all")),
        q.mean_wait().unwrap(),
    );
    within_4_se("P(wait > 0)", &values(&results, "admission_wait_prob_positive", b), q.prob_wait().unwrap());
    within_4_se("occupancy", &values(&results, "bed_occupancy", b), q.utilisation());
}

#[test]
fn littles_law_holds_on_every_baseline_ward() {
    // A quarter-scale baseline (300,000 residents, capacities scaled in proportion), 10
    // replications of a year after a 365-day warm-up (the cohort starts away from its steady
    // state; after 180 days the wards still drift enough to bias L − λW by 4 SE). For each ward and replication,
    // L − λW = (mean census) − (admissions a day) × (mean stay of those admitted); in steady
    // state its expectation is 0, so its replication mean must be within 4 SE of 0.
    let p = small_baseline(300_000, 365, 365);
    let results = run(&p, 10);
    let mut wards = 0;
    for m in results[0].metrics.iter().filter(|m| m.name == "ward_mean_census") {
        let b = &m.breakdown;
        let diffs: Vec<f64> = results
            .iter()
            .map(|r| {
                let l = metric(r, "ward_mean_census", b).unwrap();
                let lambda = metric(r, "ward_admissions_per_day", b).unwrap();
                let w = metric(r, "ward_mean_stay_days", b).unwrap();
                (l - lambda * w) / l
            })
            .collect();
        let s = Summary::of(&diffs).unwrap();
        println!("{b}: (L − λW)/L = {:.5} ± {:.5} (SE)", s.mean, s.se);
        assert!(s.mean.abs() <= 4.0 * s.se, "{b}: Little's law off by {:.4} (SE {:.4})", s.mean, s.se);
        wards += 1;
    }
    assert_eq!(wards, 6, "the baseline has six wards");
}
