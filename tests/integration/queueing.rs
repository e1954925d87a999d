//! Queueing theory as the oracle: Erlang C on a single M/M/c ward, Jackson's traffic equations
//! and Erlang C on a tandem of two wards, the discrete-time Markov chain of an operating list,
//! Little's law on every ward of the baseline.

use crate::common::*;
use analysis::queueing::{DailyList, MMc, jackson_arrival_rates};
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
fn tandem_wards_match_jackson_and_erlang_c() {
    let loaded = load("scenarios/validation/tandem_wards.toml");
    let mut p = loaded.params.clone();
    // 150 replications of 2,500 recorded days after 365 warm-up days: the SE of the mean wait is
    // ≈ 3 % of it at the acute ward and ≈ 5 % at the rehabilitation ward (whose waits come in
    // longer busy periods), under 1 % for occupancy and admissions.
    p.run.replications = 150;
    p.run.days = 2_500;
    let wards = &p.facilities[0].wards;
    let tr = wards[0].transfer.expect("the acute ward passes patients on");
    let mut routing = vec![vec![0.0; 2]; 2];
    routing[0][tr.to as usize] = tr.share;
    let external: Vec<f64> = wards.iter().map(|w| w.background_admissions_per_day).collect();
    let rates = jackson_arrival_rates(&external, &routing).expect("an open network");
    let results = run(&p, p.run.replications);
    for (w, rate) in wards.iter().zip(rates) {
        let q = MMc { arrival_rate: rate, mean_service_time: w.stay.mean_days(), servers: w.beds };
        assert!(q.utilisation() >= 0.85, "{}: the validation wards must be busy", w.name);
        let b = format!("ward=hospital/{}", w.name);
        within_4_se(
            &format!("{}: admissions a day (traffic equations)", w.name),
            &values(&results, "ward_admissions_per_day", &b),
            rate,
        );
        within_4_se(
            &format!("{}: mean wait in queue (days)", w.name),
            &values(&results, "admission_wait_days", &format!("{b};priority=all")),
            q.mean_wait().unwrap(),
        );
        within_4_se(
            &format!("{}: P(wait > 0)", w.name),
            &values(&results, "admission_wait_prob_positive", &b),
            q.prob_wait().unwrap(),
        );
        within_4_se(
            &format!("{}: occupancy", w.name),
            &values(&results, "bed_occupancy", &b),
            q.utilisation(),
        );
    }
}

#[test]
fn elective_list_matches_its_markov_chain() {
    let loaded = load("scenarios/validation/elective_list.toml");
    let mut p = loaded.params.clone();
    // 40 replications of 3,000 recorded days after 365 warm-up days: the mean list is ≈ 3.1
    // cases, and the SE of its replication mean is ≈ 2 % of it (0.06 cases), so 4 SE is ≈ 8 %.
    p.run.replications = 40;
    p.run.days = 3_000;
    let t = p.facilities[0].wards[0].theatre.clone().expect("the scenario's ward has a list");
    let list = DailyList { bookings_per_day: t.background_bookings_per_day, capacity_per_day: t.capacity(0) };
    assert!((0..7).all(|w| t.capacity(w) == list.capacity_per_day), "the same capacity every day");
    assert!(list.utilisation() >= 0.9, "the validation list must run at utilisation ≥ 0.9");
    let results = run(&p, p.run.replications);
    let b = "ward=hospital/surgical";
    within_4_se(
        "mean list at the end of a day",
        &values(&results, "elective_list_size", b),
        list.mean_list().unwrap(),
    );
    within_4_se(
        "mean wait, booking to operation (days)",
        &values(&results, "elective_list_wait_days", b),
        list.mean_wait_days().unwrap(),
    );
    within_4_se("theatre utilisation", &values(&results, "theatre_utilisation", b), list.utilisation());
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
