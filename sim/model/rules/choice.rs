//! Facility choice: the options of a request and the multinomial-logit utility of each.
//!
//! The options are the patient's home CHC, its expert session (when expert sessions are in force
//! and the request is not routine), the member hospital serving that catchment, and the lead
//! hospital (not under strict gatekeeping, unless referred). The utility of option j for patient
//! i with a request of severity s is
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

use crate::levers::Now;
use crate::levers::capability_learning::trust as learning_trust;
use crate::levers::capitation::signed_bonus;
use crate::levers::gatekeeping::{lead_open_to_self_referral, reimbursed_share};
use crate::model::{Clinics, Model, Patient, SIGNED, Severity};
use crate::params::{ChoiceParams, ClinicKind, Tier};

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
/// request that comes with a CHC referral; `now` are the levers in force.
#[allow(clippy::too_many_arguments)] // the patient, the option, the request and the world it is judged in
pub fn utility(
    p: &Patient,
    o: Opt,
    sev: Severity,
    referred: bool,
    model: &Model,
    now: &Now,
    wait: &impl Fn(Opt) -> f64,
) -> f64 {
    let params = &model.params;
    let f = &params.facilities[o.facility as usize];
    let ch: &ChoiceParams = &params.choice;
    let signed_bonus = signed_bonus(ch.signed_bonus, now.capitation);
    let (quality, price) = match (o.expert, now.expert_sessions) {
        (true, Some(e)) => (params.facilities[model.lead() as usize].quality, e.visit_price_yuan),
        _ => (f.quality, f.visit_price_yuan),
    };
    let rate = reimbursed_share(&model.policy, now.gatekeeping, p.scheme(), f.tier, !referred);
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
            u += ch.trust_weight * f64::from(p.trust) + learning_trust(now.learning, o.facility)
                - f64::from(p.bypass);
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
#[allow(clippy::too_many_arguments)] // the request, its options, the draw and the world they are judged in
pub fn pick(
    p: &Patient,
    options: &[Opt],
    sev: Severity,
    referred: bool,
    u: f64,
    model: &Model,
    now: &Now,
    wait: &impl Fn(Opt) -> f64,
) -> Opt {
    let mut utilities = [0.0f64; 4];
    let n = options.len().min(4);
    for (k, &o) in options.iter().take(n).enumerate() {
        utilities[k] = utility(p, o, sev, referred, model, now, wait);
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
pub fn options(p: &Patient, sev: Severity, model: &Model, now: &Now, referred: bool) -> ([Opt; 4], usize) {
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
        if now.expert_sessions.is_some() && sev != Severity::Routine {
            add(Opt { facility: p.home, expert: true });
        }
    }
    add(Opt { facility: model.member_of(p.home), expert: false });
    if referred || lead_open_to_self_referral(now.gatekeeping) {
        add(Opt { facility: model.lead(), expert: false });
    }
    (out, n)
}

/// The wait an option's clinic publishes, in days.
pub fn published_wait(model: &Model, o: Opt, clinics: Option<&Clinics>) -> f64 {
    let tier = model.tier(o.facility);
    clinics.and_then(|c| c.get(visit_clinic(tier, o.expert))).map_or(0.0, |b| b.published_wait_days)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::world::build_world;
    use crate::testing::{patient, small};
    use std::sync::Arc;

    #[test]
    fn utilities_reward_signing_and_punish_bypass_and_the_logit_picks_in_order() {
        let params = Arc::new(small());
        let world = build_world(params.clone(), 0);
        let model = world.resource::<Model>();
        let mut p = patient(1, 1, 1);
        p.home = params.facilities.iter().position(|f| f.tier == Tier::Primary).unwrap() as u16;
        let now = Now::default();
        let (opts, n) = options(&p, Severity::Symptomatic, model, &now, false);
        assert_eq!(n, 3, "home CHC, member hospital, lead hospital");
        assert_eq!(opts[0], Opt { facility: p.home, expert: false });
        assert_eq!(opts[2].facility, model.lead());
        let no_wait = |_: Opt| 0.0;
        let u = |p: &Patient, o: Opt| utility(p, o, Severity::Symptomatic, false, model, &now, &no_wait);
        let base = u(&p, opts[0]);
        let mut signed = p.clone();
        signed.flags |= SIGNED;
        assert!((u(&signed, opts[0]) - base - params.choice.signed_bonus).abs() < 1e-12);
        let mut bypasser = p.clone();
        bypasser.bypass = 1.0;
        assert!((base - u(&bypasser, opts[0]) - 1.0).abs() < 1e-6);
        // A longer published wait lowers an option's utility by the wait weight per day.
        let waits = |o: Opt| if o.facility == model.lead() { 2.0 } else { 0.0 };
        let slower = utility(&p, opts[2], Severity::Symptomatic, false, model, &now, &waits);
        assert!((u(&p, opts[2]) - slower + 2.0 * params.choice.wait_per_day).abs() < 1e-12);
        // The logit share is cumulated in option order.
        assert_eq!(pick(&p, &opts[..n], Severity::Symptomatic, false, 0.0, model, &now, &no_wait), opts[0]);
        assert_eq!(
            pick(&p, &opts[..n], Severity::Symptomatic, false, 1.0 - 1e-12, model, &now, &no_wait),
            opts[2]
        );
        // A referral goes to a hospital: the CHC is not an option.
        let (referred, m) = options(&p, Severity::Complex, model, &now, true);
        assert!(referred[..m].iter().all(|o| o.facility != p.home));
    }
}
