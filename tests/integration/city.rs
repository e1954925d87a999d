//! A city of several groups (`[city]`): cross-group choice responds to its travel cost and to a
//! group's quality, levers act in every group, and per-group rows add up to the city's.
//!
//! Each comparison runs both arms on the same seed and replications (common random numbers) and
//! checks the paired difference at 4 standard errors; the figures measured when the tests were
//! written are in the comments and printed again.

use crate::common::*;
use analysis::stats::Summary;
use medgroup::levers::bed_sinking::BedSinking;
use medgroup::params::*;

/// The two towns (scenarios/cities/two_towns.toml) on a shorter window.
fn towns() -> Params {
    let mut p = load("scenarios/cities/two_towns.toml").params;
    p.run.days = 120;
    p.run.warmup_days = 60;
    p
}

/// Paired differences b − a of one metric over replications `0..n`.
fn paired(a: &Params, b: &Params, n: u32, name: &str, breakdown: &str) -> Summary {
    let (ra, rb) = (run(a, n), run(b, n));
    let d: Vec<f64> =
        values(&rb, name, breakdown).iter().zip(values(&ra, name, breakdown)).map(|(x, y)| x - y).collect();
    Summary::of(&d).expect("finite differences")
}

fn at_least_4_se(what: &str, s: &Summary, sign: f64) {
    let z = s.mean / s.se.max(f64::MIN_POSITIVE);
    println!("{what}: paired difference {:.3} ± {:.3} (SE, n = {}), z = {z:.1}", s.mean, s.se, s.n);
    assert!(sign * z >= 4.0, "{what}: expected sign {sign}, got {:.4} ± {:.4} (SE)", s.mean, s.se);
}

#[test]
fn a_costlier_crossing_keeps_patients_in_their_own_group() {
    // Measured: 3 → 30 minutes a km (10 km between the towns) cuts the visits at the other town's
    // lead from about 35 a day to about 0.01: −35.3 ± 0.07 (SE, 4 replications).
    let base = towns();
    let mut far = base.clone();
    far.city.minutes_per_km = 30.0;
    let s = paired(&base, &far, 4, "cross_group_visits_per_day", "");
    at_least_4_se("cross-group visits, 3 → 30 min/km", &s, -1.0);
    // With no other group's lead in the choice set, nobody crosses (outside hospitals aside).
    let mut closed = base.clone();
    closed.city.nearest_other_groups = 0;
    for r in run(&closed, 2) {
        assert_eq!(metric(&r, "cross_group_visits_per_day", ""), Some(0.0), "no option across groups");
    }
}

#[test]
fn a_lead_patients_rate_lower_loses_its_residents_to_the_other_group() {
    // Measured: the east lead's quality 1.0 → 0.6 raises the east residents' visits at the west
    // lead by +0.71 a day (± 0.10 SE, 4 replications: most of those who leave the east lead stay in
    // their own group, at its members and CHCs, 30 minutes nearer), and cuts the west residents'
    // visits at the east lead by −4.5 a day (± 0.05 SE).
    let base = towns();
    let mut poorer = base.clone();
    let east = poorer.facilities.iter().position(|f| f.name == "east-lead").unwrap();
    poorer.facilities[east].quality = 0.6;
    let s = paired(&base, &poorer, 4, "cross_group_visits_per_day", "group=east");
    at_least_4_se("east residents crossing, east lead quality 1.0 → 0.6", &s, 1.0);
    let s = paired(&base, &poorer, 4, "cross_group_visits_per_day", "group=west");
    at_least_4_se("west residents crossing, east lead quality 1.0 → 0.6", &s, -1.0);
}

#[test]
fn bed_sinking_moves_beds_within_each_group() {
    let base = towns();
    let mut reform = base.clone();
    reform.policy.set(
        "bed_sinking",
        Lever { start_day: 0, settings: BedSinking { bed_share: 0.2, routed_share: 0.2 } },
    );
    let (a, b) = (run(&base, 1), run(&reform, 1));
    for town in ["west", "east"] {
        for k in 1..=2 {
            let ward = format!("ward={town}-member-{k}/shared");
            let (before, after) =
                (metric(&a[0], "ward_staffed_beds", &ward), metric(&b[0], "ward_staffed_beds", &ward));
            let (before, after) = (before.unwrap(), after.unwrap());
            assert!(
                after > before,
                "{ward}: shared beds {before} → {after}: each group's lead sinks into its own members"
            );
        }
        let lead = format!("ward={town}-lead/medical");
        let (before, after) =
            (metric(&a[0], "ward_staffed_beds", &lead), metric(&b[0], "ward_staffed_beds", &lead));
        assert!(after.unwrap() < before.unwrap(), "{lead}: the lead gives beds up");
    }
}

#[test]
fn group_rows_add_up_to_the_city() {
    let p = towns();
    for r in run(&p, 1) {
        let city = |m: &str| metric(&r, m, "").unwrap();
        let sum = |m: &str| {
            ["west", "east"].iter().map(|g| metric(&r, m, &format!("group={g}")).unwrap()).sum::<f64>()
        };
        // Every facility of the two towns is in a group (no hospital outside them).
        let tiers: f64 = ["primary", "member", "lead"]
            .iter()
            .map(|t| metric(&r, "visits_per_day", &format!("tier={t}")).unwrap())
            .sum();
        assert!(
            (sum("visits_per_day") - tiers).abs() < 1e-9 * tiers,
            "visits by group add up to visits by tier"
        );
        assert!((sum("cross_group_visits_per_day") - city("cross_group_visits_per_day")).abs() < 1e-9);
        assert!(
            (sum("referrals_up_per_year") - city("referrals_up_per_year")).abs()
                < 1e-6 * city("referrals_up_per_year")
        );
        let total: f64 = ["primary", "member", "lead"]
            .iter()
            .map(|t| metric(&r, "spending_yuan_per_year", &format!("tier={t};payer=total")).unwrap())
            .sum();
        let groups: f64 = ["west", "east"]
            .iter()
            .map(|g| metric(&r, "spending_yuan_per_year", &format!("group={g};payer=total")).unwrap())
            .sum();
        // Residents' charges are all by group; the tiers' totals hold nothing else without
        // capitation.
        assert!((groups - total).abs() < 1e-6 * total, "spending by group {groups} vs by tier {total}");
    }
}

#[test]
fn a_one_group_scenario_has_no_group_rows() {
    let p = small_baseline(20_000, 30, 10);
    assert!(!p.city.several());
    for r in run(&p, 1) {
        assert!(r.metrics.iter().all(|m| !m.breakdown.contains("group=")), "no group rows without [city]");
    }
}
