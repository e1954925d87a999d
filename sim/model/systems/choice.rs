//! Choice: each request picks a facility by multinomial logit.
//!
//! Reads `CareRequest`; writes `BookingRequest` (to outpatient). The options are the patient's
//! home CHC, the member hospital serving that catchment, and the lead hospital. The utility of
//! facility j for patient i with a request of severity s is
//!
//! ```text
//! U_ij = q_s·quality_j + β_cost·OOP_ij/100 + β_wait·published_wait_j + β_travel·travel_j/10
//!        + [j = home CHC]·(β_signed·signed_i + β_trust·trust_i − bypass_i)
//!        + [j = last facility]·β_continuity
//! ```
//!
//! and the choice probability is the logit share exp(U_ij) / Σ_k exp(U_ik).

use crate::model::*;
use crate::params::{ChoiceParams, ClinicKind};

/// The clinic a tier's outpatient visit uses.
pub fn clinic_kind(tier: Tier) -> ClinicKind {
    if tier == Tier::Primary { ClinicKind::GeneralPractice } else { ClinicKind::Specialist }
}

/// Utility of `facility` for patient `p` with a request of severity `sev`.
pub fn utility(p: &Patient, facility: u16, sev: Severity, model: &Model, wait: &impl Fn(u16) -> f64) -> f64 {
    let params = &model.params;
    let f = &params.facilities[facility as usize];
    let ch: &ChoiceParams = &params.choice;
    let rate = params.payment.reimbursement[p.scheme() as usize][f.tier.index()];
    let oop = f.visit_price_yuan * (1.0 - rate);
    let wait = wait(facility);
    let mut u = ch.quality_by_severity[sev as usize] * f.quality
        + ch.cost_per_100_yuan * oop / 100.0
        + ch.wait_per_day * wait
        + ch.travel_per_10_minutes * f.travel_minutes / 10.0;
    if facility == p.home {
        u += ch.trust_weight * f64::from(p.trust) - f64::from(p.bypass);
        if p.has(SIGNED) {
            u += ch.signed_bonus;
        }
    }
    if facility == p.last_facility {
        u += ch.continuity_bonus;
    }
    u
}

/// Picks one of `options` by logit with uniform `u`.
pub fn pick(
    p: &Patient,
    options: &[u16],
    sev: Severity,
    u: f64,
    model: &Model,
    wait: &impl Fn(u16) -> f64,
) -> u16 {
    let mut utilities = [0.0f64; 4];
    let n = options.len().min(4);
    for (k, &f) in options.iter().take(n).enumerate() {
        utilities[k] = utility(p, f, sev, model, wait);
    }
    let max = utilities[..n].iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let mut weights = [0.0f64; 4];
    let mut total = 0.0;
    for k in 0..n {
        weights[k] = (utilities[k] - max).exp();
        total += weights[k];
    }
    let target = u * total;
    let mut acc = 0.0;
    for k in 0..n {
        acc += weights[k];
        if target < acc {
            return options[k];
        }
    }
    options[n - 1]
}

/// The facilities a patient can choose from: home CHC, its member hospital, the lead hospital
/// (without duplicates), optionally leaving out the CHC (for referred patients).
pub fn options(p: &Patient, model: &Model, include_primary: bool) -> ([u16; 3], usize) {
    let mut out = [0u16; 3];
    let mut n = 0;
    let mut add = |f: u16| {
        if !out[..n].contains(&f) {
            out[n] = f;
            n += 1;
        }
    };
    if include_primary {
        add(p.home);
    }
    add(model.member_of(p.home));
    add(model.lead());
    (out, n)
}

pub fn choice(
    model: Res<Model>,
    mut reader: MessageReader<CareRequest>,
    mut patients: Query<&mut Patient>,
    clinics: Query<&Clinics>,
    mut out: MessageWriter<BookingRequest>,
) {
    let wait = |f: u16| published_wait(&model, f, clinics.get(model.facilities[f as usize]).ok());
    for r in reader.read() {
        let Ok(mut p) = patients.get_mut(r.patient) else { continue };
        if p.place != Place::Home {
            continue;
        }
        let sev = if r.need == Need::Elective { Severity::Complex } else { p.severity(model.day) };
        let (opts, n) = options(&p, &model, true);
        let u: f64 = care_rng(&mut p, &model).random();
        let facility = pick(&p, &opts[..n], sev, u, &model, &wait);
        let channel =
            if facility == p.home && p.has(SIGNED) { Channel::Signed } else { Channel::SelfReferred };
        out.write(BookingRequest {
            patient: r.patient,
            visit: Visit { facility, channel, need: r.need, condition: r.condition },
        });
    }
}

/// The wait `facility` publishes for its outpatient clinic, in days.
pub fn published_wait(model: &Model, facility: u16, clinics: Option<&Clinics>) -> f64 {
    let tier = model.tier(facility);
    clinics.and_then(|c| c.get(clinic_kind(tier))).map_or(0.0, |b| b.published_wait_days)
}
