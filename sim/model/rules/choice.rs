//! Facility choice: the options of a request and the multinomial-logit utility of each.
//!
//! The options are the chooser's home CHC, its expert session (when expert sessions are in force
//! and the request is not routine), the member hospital serving that catchment, the lead
//! hospital (not under strict gatekeeping, unless referred), and, for a request that is not
//! referred, every hospital outside the group. The utility of option j for chooser i with a
//! request of severity s is
//!
//! ```text
//! U_ij = q_s·quality_j + β_cost·(quality_j/quality_lead)^κ·OOP_ij/100 + β_wait·published_wait_j
//!        + β_travel·travel_j/10
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
//! that spread (a mixed logit, by Gauss–Hermite quadrature), [`Table::mixed`].

use crate::levers::Now;
use crate::levers::capability_learning::trust as learning_trust;
use crate::levers::capitation::signed_bonus;
use crate::levers::gatekeeping::{lead_open_to_self_referral, reimbursed_share};
use crate::model::{Clinics, Model, Patient, SIGNED, Severity};
use crate::params::{ChoiceParams, ClinicKind, Scheme, Tier};

/// The clinic a tier's outpatient visit uses.
pub fn clinic_kind(tier: Tier) -> ClinicKind {
    if tier == Tier::Primary { ClinicKind::GeneralPractice } else { ClinicKind::Specialist }
}

/// Most options a request can have: the home CHC and its session, the member and lead
/// hospitals, and the hospitals outside the group (validation allows at most
/// [`MAX_OUTSIDE_HOSPITALS`]).
pub const MAX_OPTIONS: usize = 12;
/// Most hospitals outside the group a scenario may have (each is an option of every request).
pub const MAX_OUTSIDE_HOSPITALS: usize = MAX_OPTIONS - 4;

/// One option of a choice: a clinic of a facility.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Opt {
    pub facility: u16,
    pub clinic: ClinicKind,
}

impl Default for Opt {
    fn default() -> Opt {
        Opt { facility: 0, clinic: ClinicKind::GeneralPractice }
    }
}

impl Opt {
    /// The general-practice or specialist clinic of a facility.
    pub fn main(model: &Model, facility: u16) -> Opt {
        Opt { facility, clinic: clinic_kind(model.tier(facility)) }
    }
    /// Whether the option is a lead specialist's clinic held at a CHC.
    pub fn expert(self) -> bool {
        self.clinic == ClinicKind::ExpertSession
    }
}

/// Who is choosing: what the utility reads of a patient agent, or of a stratum of residents
/// (whose bypass propensity is integrated over, and who have no facility of a last visit).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Chooser {
    pub home: u16,
    pub scheme: Scheme,
    pub signed: bool,
    /// Trust in the home CHC, 0–1.
    pub trust: f64,
    /// Propensity to bypass the home CHC, in utility units.
    pub bypass: f64,
    /// Facility of the last outpatient visit (`NO_FACILITY` if none).
    pub last_facility: u16,
}

impl Chooser {
    pub fn of(p: &Patient) -> Chooser {
        Chooser {
            home: p.home,
            scheme: p.scheme(),
            signed: p.has(SIGNED),
            trust: f64::from(p.trust),
            bypass: f64::from(p.bypass),
            last_facility: p.last_facility,
        }
    }
}

/// The options of a request, in a fixed order.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    pub opts: [Opt; MAX_OPTIONS],
    pub n: usize,
}

impl Options {
    pub fn as_slice(&self) -> &[Opt] {
        &self.opts[..self.n]
    }
    fn add(&mut self, o: Opt) {
        if self.n < MAX_OPTIONS && !self.opts[..self.n].contains(&o) {
            self.opts[self.n] = o;
            self.n += 1;
        }
    }
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
    let (quality, price, price_weight) = match (o.expert(), now.expert_sessions) {
        // A session has the lead's quality, so its price weighs fully.
        (true, Some(e)) => {
            (params.lead().map_or(1.0, |l| params.facilities[l].quality), e.visit_price_yuan, 1.0)
        }
        _ => (f.quality, f.visit_price_yuan, model.price_weight[o.facility as usize]),
    };
    let rate = reimbursed_share(&model.policy, now.gatekeeping, p.scheme, f.tier, !referred);
    let oop = price * (1.0 - rate);
    let mut u = ch.quality_by_severity[sev as usize] * quality
        + ch.cost_per_100_yuan * price_weight * oop / 100.0
        + ch.wait_per_day * wait(o)
        + ch.travel_per_10_minutes * f.travel_minutes / 10.0;
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
        if now.expert_sessions.is_some() && sev != Severity::Routine {
            out.add(Opt { facility: p.home, clinic: ClinicKind::ExpertSession });
        }
    }
    out.add(Opt::main(model, model.member_of(p.home)));
    if referred || lead_open_to_self_referral(now.gatekeeping) {
        out.add(Opt::main(model, model.lead()));
    }
    if !referred {
        for &h in &model.outside_hospitals {
            out.add(Opt::main(model, h));
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

/// Choice shares of a group of choosers over a set of options: what one of them chooses, drawn
/// by a uniform number, and the group's expected maximum utility (log-sum).
#[derive(Debug, Clone, Copy, Default)]
pub struct Table {
    pub options: Options,
    /// Cumulative choice shares, in option order (the last is 1).
    pub cum: [f64; MAX_OPTIONS],
    /// E[log Σ_j exp U_j] over the group's bypass propensities.
    pub logsum: f64,
}

impl Table {
    /// The mixed-logit shares of `options` for choosers like `p` whose bypass propensity is
    /// normal with mean 0 and SD `choice.bypass_sd` (p's own `bypass` is ignored).
    #[allow(clippy::too_many_arguments)] // the group, its request and the world they are judged in
    pub fn mixed(
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

    /// The option a uniform `u` picks, leaving out `excluded` (the shares of the others
    /// renormalised); `None` if no option is left.
    pub fn draw(&self, u: f64, excluded: Option<Opt>) -> Option<Opt> {
        let n = self.options.n;
        let share = |k: usize| self.cum[k] - if k == 0 { 0.0 } else { self.cum[k - 1] };
        let gone = excluded.and_then(|x| self.options.as_slice().iter().position(|&o| o == x));
        let total = 1.0 - gone.map_or(0.0, share);
        if n == 0 || total <= 0.0 {
            return None;
        }
        let target = u * total;
        let mut acc = 0.0;
        let mut last = None;
        for k in 0..n {
            if Some(k) == gone {
                continue;
            }
            acc += share(k);
            last = Some(self.options.opts[k]);
            if target < acc {
                return last;
            }
        }
        last
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::NO_FACILITY;
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
        let c = Chooser::of(&p);
        let opts = options(&c, Severity::Symptomatic, model, &now, false);
        assert_eq!(opts.n, 3, "home CHC, member hospital, lead hospital");
        assert_eq!(opts.opts[0], Opt { facility: p.home, clinic: ClinicKind::GeneralPractice });
        assert_eq!(opts.opts[2].facility, model.lead());
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
        let waits = |o: Opt| if o.facility == model.lead() { 2.0 } else { 0.0 };
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
        let t = Table::mixed(&c, opts, Severity::Symptomatic, false, model, &now, &no_wait);
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
