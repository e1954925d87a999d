//! Reform effects against published effect sizes (docs/validation.md).
//!
//! For gatekeeping (strict and soft), differential reimbursement, family-doctor signing (of the
//! other residents and of chronic patients) and slot sinking, the paired effect on the
//! primary-care share (percentage points) and on hospital outpatient visits (lead + members, %)
//! must have the published sign, at least 4 SE from zero, and a mean inside the range
//! docs/validation.md derived from the sources before the model was compared with them. As that
//! file's §0 says, non-residents' visits do not choose, so a range applies to the model diluted
//! by (1 − b), b being the non-residents' share of visits in the base arm. The signing range is
//! for 26 pp more residents signed; it is scaled by the rise the drive reaches (panels cap it).
//!
//! The arms are the baseline and the reform scenarios the docs name, scaled to a quarter of the
//! residents with every capacity and exogenous rate (`common::scaled`), 180 warm-up days (the
//! levers switch on at day 90) and 180 recorded days, 8 paired replications. The effects at full
//! scale, one recorded year, are in docs/validation.md; the command is there.

use crate::common::*;
use analysis::stats::Summary;
use medgroup::levers::expert_sessions::ExpertSessions;
use medgroup::model::record::ReplicationResult;
use medgroup::params::{ClinicKind, Lever, Params};

const SCALE: f64 = 0.25;
const REPLICATIONS: u32 = 8;

fn arm(path: &str) -> Params {
    let mut p = scaled(load(path).params, SCALE);
    p.run.warmup_days = 180;
    p.run.days = 180;
    p
}

fn hospital_visits(r: &ReplicationResult) -> f64 {
    ["tier=lead", "tier=member"].iter().map(|b| metric(r, "visits_per_day", b).expect("visits by tier")).sum()
}

/// Non-residents' share of all visits in the base arm (b of docs/validation.md §0).
fn nonresident_share(base: &[ReplicationResult]) -> f64 {
    let tiers = ["tier=primary", "tier=member", "tier=lead"];
    let per =
        |r: &ReplicationResult, m: &str| tiers.iter().map(|t| metric(r, m, t).unwrap_or(0.0)).sum::<f64>();
    base.iter().map(|r| per(r, "nonresident_visits_per_day") / per(r, "visits_per_day")).sum::<f64>()
        / base.len() as f64
}

struct Effects {
    share_pp: Summary,
    hospital_pct: Summary,
    b: f64,
    base: Vec<ReplicationResult>,
    reform: Vec<ReplicationResult>,
}

fn effects(reform: &str) -> Effects {
    let base_p = arm("scenarios/baseline.toml");
    let reform_p = arm(reform);
    assert_eq!(base_p.seed, reform_p.seed, "common random numbers need the same seed");
    let (base, reform) = (run(&base_p, REPLICATIONS), run(&reform_p, REPLICATIONS));
    let share: Vec<f64> = base
        .iter()
        .zip(&reform)
        .map(|(a, b)| {
            let s = |r| metric(r, "primary_care_visit_share", "").expect("share");
            100.0 * (s(b) - s(a))
        })
        .collect();
    let hospital: Vec<f64> = base
        .iter()
        .zip(&reform)
        .map(|(a, b)| 100.0 * (hospital_visits(b) / hospital_visits(a) - 1.0))
        .collect();
    let b = nonresident_share(&base);
    Effects {
        share_pp: Summary::of(&share).expect("finite"),
        hospital_pct: Summary::of(&hospital).expect("finite"),
        b,
        base,
        reform,
    }
}

/// Asserts that `s` has sign `sign` at ≥ 4 SE and a mean within `[lo, hi]`.
fn within(what: &str, s: &Summary, sign: f64, lo: f64, hi: f64) {
    let z = if s.se > 0.0 { s.mean / s.se } else { s.mean.signum() * f64::INFINITY };
    println!(
        "{what}: {:+.3} ± {:.3} (SE, n = {}), z = {z:.1}; range [{lo:+.3}, {hi:+.3}]",
        s.mean, s.se, s.n
    );
    assert!(sign * z >= 4.0, "{what}: expected sign {sign}, got {:.4} ± {:.4} (SE)", s.mean, s.se);
    assert!(
        (lo..=hi).contains(&s.mean),
        "{what}: {:.3} lies outside the published range [{lo:.3}, {hi:.3}] (docs/validation.md)",
        s.mean
    );
}

/// The published range [lo, hi] diluted by the non-residents' share b.
fn diluted(b: f64, lo: f64, hi: f64) -> (f64, f64) {
    ((1.0 - b) * lo, (1.0 - b) * hi)
}

#[test]
fn strict_gatekeeping_moves_the_share_and_hospital_visits_within_the_published_range() {
    // docs/validation.md §1.1: +5 to +17 pp, hospital visits −10 % to −24 %. At full scale (8
    // paired replications, one recorded year): +7.9 pp, −16.9 % (SE < 0.1).
    let e = effects("scenarios/reforms/gatekeeping.toml");
    let (lo, hi) = diluted(e.b, 5.0, 17.0);
    within("strict gatekeeping, share (pp)", &e.share_pp, 1.0, lo, hi);
    let (lo, hi) = diluted(e.b, -24.0, -10.0);
    within("strict gatekeeping, hospital visits (%)", &e.hospital_pct, -1.0, lo, hi);
}

#[test]
fn soft_gatekeeping_moves_the_share_and_hospital_visits_within_the_published_range() {
    // §1.2: +2.5 to +7 pp, −5 % to −12 %. Full scale: +2.9 pp, −6.6 %.
    let e = effects("scenarios/validation/effects/gatekeeping_soft.toml");
    let (lo, hi) = diluted(e.b, 2.5, 7.0);
    within("soft gatekeeping, share (pp)", &e.share_pp, 1.0, lo, hi);
    let (lo, hi) = diluted(e.b, -12.0, -5.0);
    within("soft gatekeeping, hospital visits (%)", &e.hospital_pct, -1.0, lo, hi);
}

#[test]
fn differential_reimbursement_moves_the_share_and_hospital_visits_within_the_published_range() {
    // §2.1: +0.5 to +2.5 pp, −1 % to −5 %. Full scale: +0.6 pp, −1.3 %.
    let e = effects("scenarios/reforms/differential_reimbursement.toml");
    let (lo, hi) = diluted(e.b, 0.5, 2.5);
    within("differential reimbursement, share (pp)", &e.share_pp, 1.0, lo, hi);
    let (lo, hi) = diluted(e.b, -5.0, -1.0);
    within("differential reimbursement, hospital visits (%)", &e.hospital_pct, -1.0, lo, hi);
}

#[test]
fn signing_the_other_residents_moves_the_share_within_the_published_range() {
    // §3.1 route A: +0.3 to +2.7 pp and 0 to −4 % for 26 pp more of all residents signed,
    // scaled by the rise the drive reaches (the CHCs' panels stop it short of 70 %).
    let e = effects("scenarios/validation/effects/signing_residents.toml");
    let rise = Summary::of(
        &values(&e.reform, "signed_resident_share", "")
            .iter()
            .zip(values(&e.base, "signed_resident_share", ""))
            .map(|(r, s)| r - s)
            .collect::<Vec<_>>(),
    )
    .expect("finite")
    .mean;
    println!("signed share of residents rose by {rise:.4}");
    let k = rise / 0.26;
    let (lo, hi) = diluted(e.b, 0.3 * k, 2.7 * k);
    within("signing residents, share (pp)", &e.share_pp, 1.0, lo, hi);
    let (lo, hi) = diluted(e.b, -4.0 * k, 0.0);
    within("signing residents, hospital visits (%)", &e.hospital_pct, -1.0, lo, hi);
}

/// Chronic patients' (agents') share of the residents' visits in the base arm: the visit weight
/// route B of docs/validation.md §3.1 assumed to be 50–70 %.
fn chronic_visit_share(base: &[ReplicationResult]) -> f64 {
    let tiers = ["tier=primary", "tier=member", "tier=lead"];
    let per =
        |r: &ReplicationResult, m: &str| tiers.iter().map(|t| metric(r, m, t).unwrap_or(0.0)).sum::<f64>();
    base.iter()
        .map(|r| {
            per(r, "agent_visits_per_day") / (per(r, "visits_per_day") - per(r, "nonresident_visits_per_day"))
        })
        .sum::<f64>()
        / base.len() as f64
}

#[test]
fn signing_chronic_patients_moves_the_share_within_the_published_range() {
    // §3.1 route B: 10.8 pp more chronic patients signed, relative use 0.7–1.0, times the
    // per-signer effect (Zhang: +2 pp; Feng: +10.3 pp, hospital visits −15.2 %). Route B
    // assumed chronic patients make 50–70 % of visits; the range is computed with the share
    // they make in the model's base arm instead (about 12 %: docs/validation.md says why), as
    // the residents' range is scaled by the rise the drive reaches. It checks the per-signer
    // mechanics, not the model's visit mix.
    let e = effects("scenarios/validation/effects/signing_chronic.toml");
    let a = chronic_visit_share(&e.base);
    println!("chronic patients make {a:.3} of the residents' visits (route B assumed 0.5–0.7)");
    let (w_lo, w_hi) = (0.108 * a * 0.7, 0.108 * a * 1.0);
    let (lo, hi) = diluted(e.b, 2.0 * w_lo, 10.3 * w_hi);
    within("signing chronic patients, share (pp)", &e.share_pp, 1.0, lo, hi);
    let (lo, hi) = diluted(e.b, -15.2 * w_hi, 0.0);
    within("signing chronic patients, hospital visits (%)", &e.hospital_pct, -1.0, lo, hi);
}

#[test]
fn slot_sinking_fills_sessions_and_stays_under_its_accounting_ceiling() {
    // §4.1: +1 to +9 pp, hospital visits 0 % to −17 %. The upper bound is an accounting ceiling:
    // every moved slot used by a patient who would have seen the lead, i.e. the moved slots ÷ all
    // visits. §4.1 computed it with the lead's specialist slots at 26.7 % of visits; the
    // baseline's lead holds more (≈ 34 %), so here the same ceiling is computed from the
    // scenario's moved slots (an input) and the base arm's visits. Sessions are not diluted by
    // non-residents (their capacity, not patients' choice, bounds the effect).
    let e = effects("scenarios/validation/effects/slot_sinking.toml");
    let reform = arm("scenarios/validation/effects/slot_sinking.toml");
    let share = reform.policy.get::<Lever<ExpertSessions>>().expect("sessions").settings.slot_share;
    let lead = *reform.leads().first().expect("a lead hospital");
    let slots = reform.facilities[lead]
        .clinics
        .iter()
        .find(|c| c.kind == ClinicKind::Specialist)
        .expect("a specialist clinic")
        .slots_per_weekday;
    let moved =
        slots.iter().map(|&s| f64::from(s) - (f64::from(s) * (1.0 - share)).round()).sum::<f64>() / 7.0;
    let all = e
        .base
        .iter()
        .map(|r| {
            ["tier=primary", "tier=member", "tier=lead"]
                .iter()
                .map(|t| metric(r, "visits_per_day", t).unwrap())
                .sum::<f64>()
        })
        .sum::<f64>()
        / e.base.len() as f64;
    let hospital = e.base.iter().map(hospital_visits).sum::<f64>() / e.base.len() as f64;
    let ceiling = 100.0 * moved / all;
    println!(
        "moved {moved:.1} slots a day of {all:.0} visits: ceiling +{ceiling:.2} pp, −{:.1} %",
        100.0 * moved / hospital
    );
    within("slot sinking, share (pp)", &e.share_pp, 1.0, 1.0, ceiling);
    within("slot sinking, hospital visits (%)", &e.hospital_pct, -1.0, -100.0 * moved / hospital, 0.0);
    // Sessions are booked by patients who choose them: by provider, the share does not rise.
    let provider: Vec<f64> = e
        .base
        .iter()
        .zip(&e.reform)
        .map(|(a, b)| {
            100.0
                * (metric(b, "primary_care_visit_share_provider", "").unwrap()
                    - metric(a, "primary_care_visit_share_provider", "").unwrap())
        })
        .collect();
    let provider = Summary::of(&provider).expect("finite");
    println!("slot sinking, provider share (pp): {:+.3} ± {:.3}", provider.mean, provider.se);
    assert!(provider.mean < e.share_pp.mean, "session visits count at the CHC by place only");
}
