//! Invariants checked every simulated day: no patient lost or duplicated, occupancy within beds,
//! admissions − discharges = change in occupancy, counts that match a full scan.

use crate::common::*;
use medgroup::model::record::Recorder;
use medgroup::model::{Census, Model, Patient, Place, Wards};
use medgroup::run::run_replication_with;
use std::collections::HashSet;
use std::sync::Arc;

#[test]
fn no_patient_is_lost_or_duplicated_and_beds_balance() {
    // Warm-up 0, so that the recorder's totals cover every day since the (empty) start.
    let p = Arc::new(small_baseline(60_000, 240, 0));
    let mut days = 0;
    let result = run_replication_with(&p, 0, |world| {
        days += 1;
        let census = world.resource::<Census>().clone();
        let mut ids = HashSet::new();
        let (mut alive, mut uncontrolled, mut enrolled, mut in_ward) = (0u64, 0u64, 0u64, 0usize);
        for pat in world.query::<&Patient>().iter(world) {
            assert!(ids.insert(pat.id), "patient id {} appears twice", pat.id);
            alive += 1;
            uncontrolled += u64::from(pat.uncontrolled != 0);
            enrolled += u64::from(pat.has(medgroup::model::ENROLLED));
            assert_ne!(pat.place, Place::Referred, "patient {} left in transit at the end of a day", pat.id);
            if matches!(pat.place, Place::Waiting | Place::InBed) {
                in_ward += 1;
            }
            assert_eq!(
                pat.uncontrolled & !pat.conditions,
                0,
                "uncontrolled condition the patient does not have"
            );
            assert_eq!(pat.diagnosed & !pat.conditions, 0, "diagnosed condition the patient does not have");
        }
        assert_eq!(alive, census.alive, "census of the living");
        assert_eq!(census.alive, census.spawned - census.died, "spawned − died = alive");
        assert_eq!(uncontrolled, census.uncontrolled, "census of uncontrolled patients");
        assert_eq!(enrolled, census.enrolled, "census of enrolled patients");

        // Agents in wards (waiting, in a bed, on an operating list, or a transfer not yet due) =
        // patients whose place says so; occupancy within beds; admissions − discharges = occupancy (wards start empty).
        let entities = world.resource::<Model>().facilities.clone();
        let rec = world.resource::<Recorder>();
        let mut agents_in_wards = 0;
        for (k, &(f, w)) in rec.ward_ids.iter().enumerate() {
            let wards = world.get::<Wards>(entities[f]).expect("facility has wards");
            let ward = &wards.wards[w];
            assert!(ward.occupied() <= ward.beds, "occupancy {} above {} beds", ward.occupied(), ward.beds);
            let (waiting, in_bed) = ward.agents();
            let pending = wards.pending[w].iter().filter(|a| a.patient.is_some()).count();
            let listed = wards.theatres[w].as_ref().map_or(0, |t| t.agents());
            agents_in_wards += waiting + in_bed + pending + listed;
            let c = &rec.wards[k].counters;
            assert_eq!(
                c.admissions - c.discharges,
                u64::from(ward.occupied()),
                "admissions − discharges vs occupancy"
            );
        }
        assert_eq!(agents_in_wards, in_ward, "agents in wards vs patients waiting or in bed");
    });
    assert_eq!(days, 240);
    assert!(result.census.died > 0 && result.census.spawned > result.census.died);
}

#[test]
fn every_metric_produced_is_listed_in_metric_names() {
    // A run with levers, screening and a global budget produces the widest set of metrics.
    let mut p = small_baseline(20_000, 400, 30);
    p.policy = load("scenarios/reforms/combined.toml").params.policy;
    let results = run(&p, 1);
    for m in &results[0].metrics {
        assert!(
            medgroup::metrics::CATALOGUE.metric(&m.name).is_some(),
            "metric {} is not in the catalogue (medgroup::metrics)",
            m.name
        );
    }
}

#[test]
fn spending_by_item_adds_up_to_spending() {
    // Without capitation (which pays a CHC per signed patient, not a charge), drugs + tests +
    // services = spending, tier by tier and payer by payer; a payment reform that moves cost to
    // self-paid items is in both.
    let mut p = small_baseline(20_000, 120, 30);
    p.policy = load("scenarios/reforms/case_payment.toml").params.policy;
    let r = run(&p, 1);
    for tier in ["primary", "member", "lead"] {
        for payer in ["insurer", "out_of_pocket"] {
            let total =
                metric(&r[0], "spending_yuan_per_year", &format!("tier={tier};payer={payer}")).unwrap();
            let items: f64 = ["drugs", "tests", "services"]
                .iter()
                .map(|i| {
                    metric(
                        &r[0],
                        "spending_by_item_yuan_per_year",
                        &format!("tier={tier};item={i};payer={payer}"),
                    )
                    .unwrap()
                })
                .sum();
            assert!(total > 0.0, "{tier} {payer}: some spending");
            assert!(
                (items - total).abs() <= 1e-9 * total,
                "{tier} {payer}: items {items} vs spending {total}"
            );
        }
    }
}
