//! Choice: each request picks a facility by multinomial logit.
//!
//! Reads `CareRequest`; writes `BookingRequest` (to outpatient). The options are the patient's
//! home CHC, its expert session (when `policy.expert_sessions` is on and the request is not
//! routine), the member hospital serving that catchment, and the lead hospital (not under strict
//! gatekeeping, unless referred). The utility of option j for patient i with a request of
//! severity s is
//!
//! ```text
//! U_ij = q_s·quality_j + β_cost·OOP_ij/100 + β_wait·published_wait_j + β_travel·travel_j/10
//!        + [j = home CHC]·(β_signed·signed_i + β_trust·trust_i + learning trust_j − bypass_i)
//!        + [j = expert session]·β_signed·signed_i
//!        + [j = last facility]·β_continuity
//! ```
//!
//! and the choice probability is the logit share exp(U_ij) / Σ_k exp(U_ik). An expert session
//! has the lead hospital's quality, the CHC's travel time, and the session price reimbursed at
//! the primary rate. Out-of-pocket cost uses the rates in force, with the gatekeeping penalty on
//! a self-referred hospital visit; under capitation signed patients get `signed_bonus_gain` more.

use crate::model::*;
use crate::params::{ChoiceParams, ClinicKind};

/// The clinic a tier's outpatient visit uses.
pub fn clinic_kind(tier: Tier) -> ClinicKind {
    if tier == Tier::Primary { ClinicKind::GeneralPractice } else { ClinicKind::Specialist }
}

/// The clinic a visit uses.
pub fn visit_clinic(tier: Tier, expert: bool) -> ClinicKind {
    if expert { ClinicKind::ExpertSession } else { clinic_kind(tier) }
}

/// One option of a choice: a facility, at its expert session or not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Opt {
    pub facility: u16,
    pub expert: bool,
}

/// Utility of option `o` for patient `p` with a request of severity `sev`; `referred` is a
/// request that comes with a CHC referral.
pub fn utility(
    p: &Patient,
    o: Opt,
    sev: Severity,
    referred: bool,
    model: &Model,
    wait: &impl Fn(Opt) -> f64,
) -> f64 {
    let params = &model.params;
    let f = &params.facilities[o.facility as usize];
    let ch: &ChoiceParams = &params.choice;
    let now = &model.policy;
    let signed_bonus = ch.signed_bonus + now.capitation.map_or(0.0, |c| c.signed_bonus_gain);
    let (quality, price) = match (o.expert, now.expert_sessions) {
        (true, Some(e)) => (params.facilities[model.lead() as usize].quality, e.visit_price_yuan),
        _ => (f.quality, f.visit_price_yuan),
    };
    let rate = now.rate(p.scheme(), f.tier, !referred);
    let oop = price * (1.0 - rate);
    let mut u = ch.quality_by_severity[sev as usize] * quality
        + ch.cost_per_100_yuan * oop / 100.0
        + ch.wait_per_day * wait(o)
        + ch.travel_per_10_minutes * f.travel_minutes / 10.0;
    let signed = p.has(SIGNED);
    if o.expert {
        if signed {
            u += signed_bonus;
        }
    } else {
        if o.facility == p.home {
            u +=
                ch.trust_weight * f64::from(p.trust) + model.learning_trust(o.facility) - f64::from(p.bypass);
            if signed {
                u += signed_bonus;
            }
        }
        if o.facility == p.last_facility {
            u += ch.continuity_bonus;
        }
    }
    u
}

/// Picks one of `options` by logit with uniform `u`.
pub fn pick(
    p: &Patient,
    options: &[Opt],
    sev: Severity,
    referred: bool,
    u: f64,
    model: &Model,
    wait: &impl Fn(Opt) -> f64,
) -> Opt {
    let mut utilities = [0.0f64; 4];
    let n = options.len().min(4);
    for (k, &o) in options.iter().take(n).enumerate() {
        utilities[k] = utility(p, o, sev, referred, model, wait);
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

/// The options of a request: home CHC and its expert session (unless `referred`: a referral
/// goes to a hospital), the member hospital, and the lead hospital (open to a self-referred
/// request unless gatekeeping is strict), without duplicates.
pub fn options(p: &Patient, sev: Severity, model: &Model, referred: bool) -> ([Opt; 4], usize) {
    let mut out = [Opt::default(); 4];
    let mut n = 0;
    let mut add = |o: Opt| {
        if !out[..n].contains(&o) {
            out[n] = o;
            n += 1;
        }
    };
    if !referred {
        add(Opt { facility: p.home, expert: false });
        if model.policy.expert_sessions.is_some() && sev != Severity::Routine {
            add(Opt { facility: p.home, expert: true });
        }
    }
    add(Opt { facility: model.member_of(p.home), expert: false });
    if referred || model.policy.lead_open_to_self_referral() {
        add(Opt { facility: model.lead(), expert: false });
    }
    (out, n)
}

pub fn choice(
    model: Res<Model>,
    mut reader: MessageReader<CareRequest>,
    mut patients: Query<&mut Patient>,
    clinics: Query<&Clinics>,
    mut out: MessageWriter<BookingRequest>,
) {
    let wait = |o: Opt| published_wait(&model, o, clinics.get(model.facilities[o.facility as usize]).ok());
    for r in reader.read() {
        let Ok(mut p) = patients.get_mut(r.patient) else { continue };
        if p.place != Place::Home {
            continue;
        }
        let sev = if r.need == Need::Elective { Severity::Complex } else { p.severity(model.day) };
        let (opts, n) = options(&p, sev, &model, false);
        let u: f64 = care_rng(&mut p, &model).random();
        let o = pick(&p, &opts[..n], sev, false, u, &model, &wait);
        let channel =
            if o.facility == p.home && p.has(SIGNED) { Channel::Signed } else { Channel::SelfReferred };
        out.write(BookingRequest {
            patient: r.patient,
            visit: Visit {
                facility: o.facility,
                channel,
                need: r.need,
                condition: r.condition,
                expert: o.expert,
            },
        });
    }
}

/// The wait an option's clinic publishes, in days.
pub fn published_wait(model: &Model, o: Opt, clinics: Option<&Clinics>) -> f64 {
    let tier = model.tier(o.facility);
    clinics.and_then(|c| c.get(visit_clinic(tier, o.expert))).map_or(0.0, |b| b.published_wait_days)
}
