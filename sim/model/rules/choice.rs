//! Facility choice: the options of a request and the multinomial-logit utility of each.
//!
//! The options are the chooser's home CHC, its expert session (when expert sessions are in force
//! and the request is not routine), the member hospital serving that catchment, the lead
//! hospital (not under strict gatekeeping, unless referred) with, in a city of several groups,
//! the leads of the nearest other groups (`city.nearest_other_groups`), and, for a request that
//! is not referred, every hospital outside the groups. The utility of option j for chooser i with a
//! request of severity s is
//!
//! ```text
//! U_ij = q_s·quality_j + β_cost·(quality_j/quality_lead)^κ·OOP_ij/100 + β_wait·published_wait_j
//!        + β_travel·(travel_j + minutes_per_km·distance(group_i, group_j))/10
//!        + [j = home CHC]·(β_signed·signed_i + β_trust·trust_i + learning trust_j − bypass_i)
//!        + [j = expert session]·β_signed·signed_i
//!        + [j = last facility]·β_continuity
//! ```
//!
//! and the choice probability is the logit share exp(U_ij) / Σ_k exp(U_ik). An expert session
//! has the lead hospital's quality, the CHC's travel time, and the session price reimbursed at
//! the primary rate. Out-of-pocket cost uses the rates in force, with the gatekeeping penalty on
//! a self-referred hospital visit; under capitation signed patients get `signed_bonus_gain` more.
//! The price weighs with the option's quality (κ = `choice.price_quality_exponent`): a price cut
//! at a facility patients rate poorly moves few of them (Ge L et al. 2022).
//!
//! A patient agent chooses with its own bypass propensity, trust and last facility. A stratum of
//! residents without a chronic condition ([`crate::model::residents`]) has a bypass propensity
//! spread normally across its members: its choice shares are the logit shares integrated over
//! that spread (a mixed logit, by Gauss–Hermite quadrature), [`mixed_table`].

use crate::levers::Now;
use crate::levers::capability_learning::trust as learning_trust;
use crate::levers::capitation::signed_bonus;
use crate::levers::gatekeeping::{lead_open_to_self_referral, reimbursed_share};
pub use crate::model::options::{Chooser, MAX_OPTIONS, MAX_OUTSIDE_HOSPITALS, Opt, Options, Table};
use crate::model::residents::{COMPLEX, REFERRED, Residents, SYMPTOMATIC};
use crate::model::{Clinics, Model, Severity};
use crate::params::{ChoiceParams, ClinicKind, Tier};

/// The general-practice or specialist clinic of a facility.
pub fn main_opt(model: &Model, facility: u16) -> Opt {
    Opt { facility, clinic: clinic_kind(model.tier(facility)) }
}

/// The clinic a tier's outpatient visit uses.
pub fn clinic_kind(tier: Tier) -> ClinicKind {
    if tier == Tier::Primary { ClinicKind::GeneralPractice } else { ClinicKind::Specialist }
}

/// Utility of option `o` for chooser `p` with a request of severity `sev`; `referred` is a
/// request that comes with a CHC referral; `now` are the levers in force.
#[allow(clippy::too_many_arguments)] // the chooser, the option, the request and the world it is judged in
pub fn utility(
    p: &Chooser,
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
    let expert_price = now.expert_clinics.and_then(|e| e.at(o.facility)).filter(|_| o.expert());
    let (quality, price, price_weight) = match expert_price {
        // An expert clinic has the lead's quality, so its price weighs fully.
        Some(price) => (params.facilities[model.lead_of(o.facility) as usize].quality, price, 1.0),
        _ => (f.quality, f.visit_price_yuan, model.price_weight[o.facility as usize]),
    };
    let rate = reimbursed_share(&model.policy, now.gatekeeping, p.scheme, f.tier, !referred);
    let oop = price * (1.0 - rate);
    let mut u = ch.quality_by_severity[sev as usize] * quality
        + ch.cost_per_100_yuan * price_weight * oop / 100.0
        + ch.wait_per_day * wait(o)
        + ch.travel_per_10_minutes * (f.travel_minutes + model.extra_minutes(p.home, o.facility)) / 10.0;
    let signed = p.signed;
    if o.expert() {
        if signed {
            u += signed_bonus;
        }
    } else {
        if o.facility == p.home {
            u += ch.trust_weight * p.trust + learning_trust(now.learning, o.facility) - p.bypass;
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

/// Picks one of `options` by logit with uniform `u`, leaving out `excluded` (an option already
/// tried); `None` if no option is left.
#[allow(clippy::too_many_arguments)] // the request, its options, the draw and the world they are judged in
pub fn pick(
    p: &Chooser,
    options: &[Opt],
    excluded: Option<Opt>,
    sev: Severity,
    referred: bool,
    u: f64,
    model: &Model,
    now: &Now,
    wait: &impl Fn(Opt) -> f64,
) -> Option<Opt> {
    let mut utilities = [f64::NEG_INFINITY; MAX_OPTIONS];
    let n = options.len().min(MAX_OPTIONS);
    for (k, &o) in options.iter().take(n).enumerate() {
        if Some(o) != excluded {
            utilities[k] = utility(p, o, sev, referred, model, now, wait);
        }
    }
    let max = utilities[..n].iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if max == f64::NEG_INFINITY {
        return None;
    }
    let mut weights = [0.0f64; MAX_OPTIONS];
    let mut total = 0.0;
    for k in 0..n {
        weights[k] = (utilities[k] - max).exp();
        total += weights[k];
    }
    let target = u * total;
    let mut acc = 0.0;
    let mut last = None;
    for k in 0..n {
        if weights[k] > 0.0 {
            acc += weights[k];
            last = Some(options[k]);
            if target < acc {
                return last;
            }
        }
    }
    last
}

/// The options of a request: the home CHC and its expert session (unless `referred`: a referral
/// goes to a hospital), the member hospital, the lead hospital (open to a self-referred request
/// unless gatekeeping is strict) and (unless referred) the hospitals outside the group, without
/// duplicates.
pub fn options(p: &Chooser, sev: Severity, model: &Model, now: &Now, referred: bool) -> Options {
    let mut out = Options::default();
    if !referred {
        out.add(Opt { facility: p.home, clinic: ClinicKind::GeneralPractice });
        if now.expert_clinics.and_then(|e| e.at(p.home)).is_some() && sev != Severity::Routine {
            out.add(Opt { facility: p.home, clinic: ClinicKind::ExpertSession });
        }
    }
    out.add(main_opt(model, model.member_of(p.home)));
    if referred || lead_open_to_self_referral(now.gatekeeping) {
        out.add(main_opt(model, model.lead_of(p.home)));
        // In a city of several groups, the nearest other groups' leads too: a patient may go, or
        // be referred, across groups, with the reimbursement of their own scheme.
        let group = model.group_of(p.home) as usize;
        for &l in model.other_leads.get(group).map_or(&[][..], Vec::as_slice) {
            out.add(main_opt(model, l));
        }
    }
    if !referred {
        for &h in &model.outside_hospitals {
            out.add(main_opt(model, h));
        }
    }
    out
}

/// The wait an option's clinic publishes, in days.
pub fn published_wait(o: Opt, clinics: Option<&Clinics>) -> f64 {
    clinics.and_then(|c| c.get(o.clinic)).map_or(0.0, |b| b.published_wait_days)
}

/// Nodes and weights of 8-point Gauss–Hermite quadrature (∫ e^(−x²) f(x) dx ≈ Σ w_k f(x_k));
/// for a normal N(0, σ²), E f(b) ≈ Σ (w_k/√π) f(σ√2 x_k).
const HERMITE: [(f64, f64); 8] = [
    (-2.930_637_420_257_244, 1.996_040_722_113_676e-4),
    (-1.981_656_756_695_843, 1.707_798_300_741_348e-2),
    (-1.157_193_712_446_78, 2.078_023_258_148_919e-1),
    (-0.381_186_990_207_322, 6.611_470_125_582_413e-1),
    (0.381_186_990_207_322, 6.611_470_125_582_413e-1),
    (1.157_193_712_446_78, 2.078_023_258_148_919e-1),
    (1.981_656_756_695_843, 1.707_798_300_741_348e-2),
    (2.930_637_420_257_244, 1.996_040_722_113_676e-4),
];

/// The mixed-logit choice shares (a [`Table`]) of `options` for choosers like `p` whose bypass propensity is
/// normal with mean 0 and SD `choice.bypass_sd` (p's own `bypass` is ignored).
#[allow(clippy::too_many_arguments)] // the group, its request and the world they are judged in
pub fn mixed_table(
    p: &Chooser,
    options: Options,
    sev: Severity,
    referred: bool,
    model: &Model,
    now: &Now,
    wait: &impl Fn(Opt) -> f64,
) -> Table {
    let n = options.n;
    let mut table = Table { options, ..Table::default() };
    if n == 0 {
        return table;
    }
    let base = Chooser { bypass: 0.0, ..*p };
    let mut u = [0.0f64; MAX_OPTIONS];
    for (k, &o) in options.as_slice().iter().enumerate() {
        u[k] = utility(&base, o, sev, referred, model, now, wait);
    }
    // Only the home CHC's general practice carries the bypass term.
    let home = options.as_slice().iter().position(|o| o.facility == p.home && !o.expert());
    let sd = model.params.choice.bypass_sd;
    let nodes: &[(f64, f64)] =
        if sd > 0.0 && home.is_some() { &HERMITE } else { &[(0.0, 1.772_453_850_905_516)] };
    let mut shares = [0.0f64; MAX_OPTIONS];
    let mut logsum = 0.0;
    for &(x, w) in nodes {
        let weight = w / std::f64::consts::PI.sqrt();
        let b = sd * std::f64::consts::SQRT_2 * x;
        let mut v = u;
        if let Some(h) = home {
            v[h] -= b;
        }
        let max = v[..n].iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let mut e = [0.0f64; MAX_OPTIONS];
        let mut total = 0.0;
        for k in 0..n {
            e[k] = (v[k] - max).exp();
            total += e[k];
        }
        for k in 0..n {
            shares[k] += weight * e[k] / total;
        }
        logsum += weight * (max + total.ln());
    }
    let mut acc = 0.0;
    for (c, s) in table.cum.iter_mut().zip(&shares).take(n) {
        acc += s;
        *c = acc;
    }
    table.cum[n - 1] = 1.0;
    table.logsum = logsum;
    table
}

/// Refreshes every group of `residents` from today's published waits and levers: its choice
/// shares for a symptomatic, a complex and a referred complex visit; on day 0 the log-sums with
/// no waits become the reference of induced demand.
pub fn refresh_residents<'c>(
    residents: &mut Residents,
    model: &Model,
    now: &Now,
    clinics: &impl Fn(u16) -> Option<&'c Clinics>,
) {
    let wait = |o: Opt| published_wait(o, clinics(o.facility));
    let first = model.day.0 == 0;
    for g in &mut residents.groups {
        let c = g.chooser;
        for (t, sev, referred) in [
            (SYMPTOMATIC, Severity::Symptomatic, false),
            (COMPLEX, Severity::Complex, false),
            (REFERRED, Severity::Complex, true),
        ] {
            let opts = options(&c, sev, model, now, referred);
            g.tables[t] = mixed_table(&c, opts, sev, referred, model, now, &wait);
        }
        if first {
            let no_wait = |_: Opt| 0.0;
            for (t, sev) in [(SYMPTOMATIC, Severity::Symptomatic), (COMPLEX, Severity::Complex)] {
                let opts = options(&c, sev, model, now, false);
                g.logsum0[t] = mixed_table(&c, opts, sev, false, model, now, &no_wait).logsum;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::world::build_world;
    use crate::model::{NO_FACILITY, Patient, SIGNED};
    use crate::params::Scheme;
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
        let c = Chooser::of(&p);
        let opts = options(&c, Severity::Symptomatic, model, &now, false);
        assert_eq!(opts.n, 3, "home CHC, member hospital, lead hospital");
        assert_eq!(opts.opts[0], Opt { facility: p.home, clinic: ClinicKind::GeneralPractice });
        assert_eq!(opts.opts[2].facility, model.lead_of(p.home));
        let no_wait = |_: Opt| 0.0;
        let u = |p: &Patient, o: Opt| {
            utility(&Chooser::of(p), o, Severity::Symptomatic, false, model, &now, &no_wait)
        };
        let base = u(&p, opts.opts[0]);
        let mut signed = p.clone();
        signed.flags |= SIGNED;
        assert!((u(&signed, opts.opts[0]) - base - params.choice.signed_bonus).abs() < 1e-12);
        let mut bypasser = p.clone();
        bypasser.bypass = 1.0;
        assert!((base - u(&bypasser, opts.opts[0]) - 1.0).abs() < 1e-6);
        // A longer published wait lowers an option's utility by the wait weight per day.
        let waits = |o: Opt| if o.facility == model.lead_of(p.home) { 2.0 } else { 0.0 };
        let slower = utility(&c, opts.opts[2], Severity::Symptomatic, false, model, &now, &waits);
        assert!((u(&p, opts.opts[2]) - slower + 2.0 * params.choice.wait_per_day).abs() < 1e-12);
        // The logit share is cumulated in option order; an excluded option is never picked.
        let all = opts.as_slice();
        let pick =
            |u: f64, x: Option<Opt>| pick(&c, all, x, Severity::Symptomatic, false, u, model, &now, &no_wait);
        assert_eq!(pick(0.0, None), Some(all[0]));
        assert_eq!(pick(1.0 - 1e-12, None), Some(all[2]));
        assert_eq!(pick(0.0, Some(all[0])), Some(all[1]));
        // A referral goes to a hospital: the CHC is not an option.
        let referred = options(&c, Severity::Complex, model, &now, true);
        assert!(referred.as_slice().iter().all(|o| o.facility != p.home));
    }

    #[test]
    fn mixed_shares_sum_to_one_and_spread_bypass_over_the_group() {
        let mut params = small();
        params.choice.bypass_sd = 1.5;
        let params = Arc::new(params);
        let world = build_world(params.clone(), 0);
        let model = world.resource::<Model>();
        let now = Now::default();
        let home = params.chcs()[0] as u16;
        let c = Chooser {
            home,
            scheme: Scheme::Resident,
            signed: false,
            trust: 0.5,
            bypass: 0.0,
            last_facility: NO_FACILITY,
        };
        let opts = options(&c, Severity::Symptomatic, model, &now, false);
        let no_wait = |_: Opt| 0.0;
        let t = mixed_table(&c, opts, Severity::Symptomatic, false, model, &now, &no_wait);
        assert_eq!(t.cum[opts.n - 1], 1.0);
        // The integral over bypass, checked against a fine sum over the normal density.
        let logit_home = |b: f64| {
            let v: Vec<f64> = opts
                .as_slice()
                .iter()
                .map(|&o| {
                    utility(
                        &Chooser { bypass: b, ..c },
                        o,
                        Severity::Symptomatic,
                        false,
                        model,
                        &now,
                        &no_wait,
                    )
                })
                .collect();
            let total: f64 = v.iter().map(|x| x.exp()).sum();
            v[0].exp() / total
        };
        let (mut num, mut den) = (0.0, 0.0);
        for i in -4000..=4000 {
            let z = f64::from(i) / 500.0;
            let w = (-0.5 * z * z).exp();
            num += w * logit_home(1.5 * z);
            den += w;
        }
        let exact = num / den;
        assert!((t.cum[0] - exact).abs() < 1e-4, "mixed share {} vs {exact}", t.cum[0]);
        // Without the home CHC the others' shares are renormalised.
        let mut first = 0;
        for i in 0..1000 {
            if t.draw((f64::from(i) + 0.5) / 1000.0, Some(opts.opts[0])) == Some(opts.opts[1]) {
                first += 1;
            }
        }
        let expected = (t.cum[1] - t.cum[0]) / (1.0 - t.cum[0]);
        assert!((f64::from(first) / 1000.0 - expected).abs() < 0.002);
    }
}
