//! The pilot-city scenarios (`scenarios/pilots/`): each loads with the structure its header
//! documents, and a scaled-down replication gives figures with the meaning the site's targets
//! need (scope of the primary-care share, spread of CHC workloads, levers switching on inside the
//! run). The full-scale figures are in each file's header; these runs, at a tenth of the
//! residents, check direction and order of magnitude, not calibration.

use crate::common::*;
use medgroup::levers::bed_sinking::BedSinking;
use medgroup::levers::capability_learning::CapabilityLearning;
use medgroup::levers::expert_sessions::ExpertSessions;
use medgroup::levers::expert_studios::ExpertStudios;
use medgroup::levers::global_budget::GlobalBudget;
use medgroup::levers::green_channel::GreenChannel;
use medgroup::levers::referral_platform::ReferralPlatform;
use medgroup::levers::reserved_slots::ReservedSlots;
use medgroup::model::Model;
use medgroup::model::record::Recorder;
use medgroup::params::{ClinicKind, Lever, Params, Tier, WardKind};
use medgroup::run::run_replication_with;
use std::sync::Arc;

const QINGPU: &str = "scenarios/pilots/qingpu.toml";
const SHINAN: &str = "scenarios/pilots/shinan.toml";
const GUANGMING: &str = "scenarios/pilots/guangming.toml";

/// A pilot scaled to `scale` of its residents, with slots, beds and background demand (and the
/// global budget) scaled alike so that loads stay as at full scale. The calendar is the file's:
/// the levers switch on at their documented days, and the cohort's drift after the warm-up (see
/// shinan.toml) stays where it is relative to them. At a tenth of the residents a replication
/// takes a fraction of a second.
fn scaled_pilot(rel: &str, scale: f64) -> Params {
    scaled(load(rel).params, scale)
}

/// One replication's summary metrics and its visits per facility over the recorded window.
fn run_with_visits(p: &Params) -> (medgroup::model::record::ReplicationResult, Vec<u64>) {
    let p = Arc::new(p.clone());
    let last = p.run.total_days() - 1;
    let mut visits = Vec::new();
    let result = run_replication_with(&p, 0, |world| {
        if world.resource::<Model>().day.0 == last {
            visits = world.resource::<Recorder>().total.visits.clone();
        }
    });
    assert_eq!(visits.len(), p.facilities.len(), "per-facility visits read on the last day");
    (result, visits)
}

/// Primary visits ÷ all visits over the facilities `keep` selects.
fn primary_share(p: &Params, visits: &[u64], keep: impl Fn(usize) -> bool) -> f64 {
    let (mut primary, mut all) = (0u64, 0u64);
    for (f, fp) in p.facilities.iter().enumerate().filter(|(f, _)| keep(*f)) {
        all += visits[f];
        if fp.tier == Tier::Primary {
            primary += visits[f];
        }
    }
    primary as f64 / all as f64
}

fn count(p: &Params, tier: Tier, in_group: bool) -> usize {
    p.facilities.iter().filter(|f| f.tier == tier && f.in_group == in_group).count()
}

/// Bed occupancy of every ward of the group's facilities.
fn group_occupancy(p: &Params, r: &medgroup::model::record::ReplicationResult) -> Vec<(String, f64)> {
    p.facilities
        .iter()
        .filter(|f| f.in_group)
        .flat_map(|f| f.wards.iter().map(move |w| format!("ward={}/{}", f.name, w.name)))
        .map(|b| {
            let v = metric(r, "bed_occupancy", &b).unwrap_or_else(|| panic!("no bed_occupancy {b}"));
            (b, v)
        })
        .collect()
}

#[test]
fn pilots_load_with_their_documented_structure() {
    let q = load(QINGPU).params;
    assert_eq!(q.population.residents, 1_271_424, "Qingpu 2020 census");
    assert_eq!((count(&q, Tier::Lead, true), count(&q, Tier::Member, true)), (1, 2), "1 + X (= 2)");
    assert_eq!(count(&q, Tier::Primary, true), 12, "+ 12 CHCs");
    assert!(q.facilities.iter().all(|f| f.in_scope && f.in_group), "public institutions only, all in scope");
    // Day 0 = 2022-07-04, recording from 2023-01-01: studios 2023-10-30 and 2024-03-01, platform 2023-12-01.
    assert_eq!(q.run.warmup_days, 181);
    let studios: Vec<(u32, u32)> = q
        .policy
        .get::<ExpertStudios>()
        .unwrap()
        .batches
        .iter()
        .map(|l| (l.start_day, l.settings.count))
        .collect();
    assert_eq!(studios, vec![(483, 20), (606, 17)]);
    assert_eq!(q.policy.get::<Lever<ReferralPlatform>>().map(|l| l.start_day), Some(515));
    assert!(
        q.policy.get::<Lever<GreenChannel>>().is_some_and(|l| l.settings.signed),
        "signed residents' priority"
    );

    let s = load(SHINAN).params;
    assert_eq!(s.population.residents, 544_800, "Shinan 2010 census");
    assert_eq!(
        count(&s, Tier::Lead, true) + count(&s, Tier::Lead, false),
        7,
        "7 tertiary hospitals in the district"
    );
    assert_eq!(count(&s, Tier::Lead, true), 1, "the lead is one of them");
    assert_eq!(count(&s, Tier::Member, true), 1);
    assert!(s.facilities.iter().all(|f| f.in_scope), "S1 counts the whole district");
    // Reserved slots: 6,000+ a year out of the lead's specialist slots.
    let lead = &s.facilities[s.leads()[0]];
    let weekly: u32 = lead
        .clinics
        .iter()
        .find(|c| c.kind == ClinicKind::Specialist)
        .map(|c| c.slots_per_weekday.iter().sum())
        .unwrap();
    let share = s.policy.get::<Lever<ReservedSlots>>().unwrap().settings.share;
    let per_year = share * f64::from(weekly) * 365.25 / 7.0;
    assert!((per_year - 6000.0).abs() < 100.0, "reserved slots a year: {per_year:.0}, Shinan reports 6,000+");
    // Bed sinking moves 1/4 of the lead's beds (the national minimum) into the member's shared ward.
    assert_eq!(s.policy.get::<Lever<BedSinking>>().map(|l| l.settings.bed_share), Some(0.25));

    let g = load(GUANGMING).params;
    assert_eq!(g.population.residents, 1_095_200, "Guangming 2020 census");
    assert_eq!((count(&g, Tier::Lead, true), count(&g, Tier::Member, true)), (1, 1), "2 district hospitals");
    assert_eq!(count(&g, Tier::Primary, true), 38, "38 CHCs");
    let p = &g.policy;
    let sunk = p.get::<Lever<ReservedSlots>>().unwrap().settings.share
        + p.get::<Lever<ExpertSessions>>().unwrap().settings.slot_share;
    assert!(sunk >= 1.0 / 3.0 - 1e-3, "at least 1/3 of the lead's slots go to the grassroots: {sunk}");
    assert!(
        p.get::<Lever<GlobalBudget>>().unwrap().start_day > g.run.warmup_days,
        "the budget starts inside the window"
    );
}

#[test]
fn qingpu_runs_plausibly_and_the_studios_teach_the_chcs() {
    let p = scaled_pilot(QINGPU, 0.1);
    let r = &run(&p, 1)[0];
    // Q1 is 51 %: uncalibrated, the share must still be of that order.
    let share = metric(r, "primary_care_visit_share", "").unwrap();
    assert!((0.35..0.65).contains(&share), "primary-care share {share}");
    for (ward, occ) in group_occupancy(&p, r) {
        assert!((0.6..=1.0).contains(&occ), "{ward} occupancy {occ}");
    }
    let wait = metric(r, "outpatient_wait_days", "tier=lead;channel=self").unwrap();
    assert!(wait < 14.0, "lead outpatient wait {wait} days");
    // Studios open inside the run: CHCs close part of the capability gap, never beyond the cap.
    let gain = metric(r, "chc_capability_gain", "").unwrap();
    let cap = p.policy.get::<CapabilityLearning>().unwrap().capability_cap;
    assert!(gain > 0.02 && gain <= cap, "CHC capability gain {gain} (cap {cap})");
}

#[test]
fn shinan_district_share_is_below_the_group_share() {
    let p = scaled_pilot(SHINAN, 0.1);
    let (r, visits) = run_with_visits(&p);
    let district = metric(&r, "primary_care_visit_share", "").unwrap();
    // The metric's own scope (every facility in scope) is what this test recomputes.
    let all = primary_share(&p, &visits, |_| true);
    assert!((district - all).abs() < 1e-9, "metric {district} vs recomputed {all}");
    // The 6 other tertiary hospitals are in scope but outside the group: the share over the whole
    // district (S1's definition) is below the share over the group's own facilities.
    let group = primary_share(&p, &visits, |f| p.facilities[f].in_group);
    println!("Shinan at 1/10 scale: district share {district:.3}, group-only share {group:.3}");
    assert!(district < group - 0.1, "district {district} should be well below group-only {group}");
    assert!((0.15..0.40).contains(&district), "district share {district} (S1: 0.25)");
    // A sanity band (no source: it guards against gross breakage). Its floor was 0.35; with the
    // steady start (docs/steady_state.md) chronic patients' CHC follow-ups no longer grow through
    // the run, and the uncalibrated group-only share is 0.349 at this scale.
    assert!((0.30..0.65).contains(&group), "group-only share {group}");
    // Bed sinking moves beds into the member's shared ward inside the run.
    let member = p.facilities.iter().find(|f| f.tier == Tier::Member).unwrap();
    let shared = member.wards.iter().find(|w| w.kind == WardKind::Shared).unwrap();
    let staffed = metric(&r, "ward_staffed_beds", &format!("ward={}/{}", member.name, shared.name)).unwrap();
    assert!(
        staffed > f64::from(shared.beds) * 1.5,
        "shared ward's mean staffed beds {staffed} vs {} before",
        shared.beds
    );
    for (ward, occ) in group_occupancy(&p, &r) {
        assert!((0.6..=1.0).contains(&occ), "{ward} occupancy {occ}");
    }
}

#[test]
fn guangming_chc_workloads_spread_widely() {
    let p = scaled_pilot(GUANGMING, 0.1);
    let (r, visits) = run_with_visits(&p);
    let chc: Vec<f64> = p
        .facilities
        .iter()
        .enumerate()
        .filter(|(_, f)| f.tier == Tier::Primary)
        .map(|(f, _)| visits[f] as f64)
        .collect();
    let (min, max) = chc.iter().fold((f64::INFINITY, 0.0f64), |(a, b), &v| (a.min(v), b.max(v)));
    println!("Guangming at 1/10 scale: CHC visits over the window, max {max} / min {min} = {:.1}", max / min);
    // G5: about 20 to about 800 visits a day (max/min 20–80); at a tenth of the scale the
    // smallest CHCs see a couple of visits a day, so only a wide spread is required here.
    assert!(min > 0.0 && max / min > 10.0, "CHC visits max/min = {max} / {min}");
    let sessions = metric(&r, "expert_session_visits_per_day", "").unwrap();
    assert!(sessions > 0.0, "specialists' weekly sessions at the CHCs are used");
    assert!(metric(&r, "referrals_up_per_year", "").unwrap() > 0.0);
    // The global budget switches on inside the window and reports the group's surplus.
    assert!(metric(&r, "group_surplus_yuan_per_year", "").is_some(), "global budget in force");
    let wait = metric(&r, "outpatient_wait_days", "tier=lead;channel=self").unwrap();
    assert!(wait < 14.0, "lead outpatient wait {wait} days");
}

/// Guangming's CHC workloads at full scale, by size class (the figures in guangming.toml's
/// header): `cargo test --release --test integration guangming_full_scale -- --ignored --nocapture`.
#[test]
#[ignore = "full scale: about 10 s in release"]
fn guangming_full_scale_chc_spread() {
    let p = load(GUANGMING).params;
    let (_, visits) = run_with_visits(&p);
    let days = f64::from(p.run.days);
    let mut per_day: Vec<(String, f64)> = p
        .facilities
        .iter()
        .enumerate()
        .filter(|(_, f)| f.tier == Tier::Primary)
        .map(|(f, fp)| (fp.name.clone(), visits[f] as f64 / days))
        .collect();
    per_day.sort_by(|a, b| a.1.total_cmp(&b.1));
    for (name, v) in &per_day {
        println!("{name:>16} {v:8.1} visits a day");
    }
    let (min, max) = (per_day[0].1, per_day[per_day.len() - 1].1);
    println!("max / min = {max:.1} / {min:.1} = {:.1} (G5: 20–80)", max / min);
    assert!((20.0..=80.0).contains(&(max / min)), "G5 spread {}", max / min);
}
