//! Residents without a chronic condition: strata whose visits are drawn each day and choose a
//! facility one by one.
//!
//! Why strata and not agents: these residents (about 70 % of a district) need no state between
//! visits in this model — no condition to control, no follow-up schedule — so what an agent would
//! carry is the same for everyone who shares an age band, a home CHC, an insurance scheme and a
//! family-doctor contract. A stratum is such a group, with its size. Each day a stratum's visits
//! are drawn (Poisson, by age band and weekday), and each visit chooses a facility by the same
//! utility as a patient agent (`rules::choice`), integrated over the stratum's
//! spread of bypass propensities (a mixed logit); the shares are refreshed every day, as
//! published waits and the levers in force change. Only trust and continuity differ from an
//! agent's: a stratum's trust in its CHC is `residents.trust` (moved by CHC learning, not by
//! visit outcomes), and it has no facility of a last visit.
//!
//! Access induces demand: a stratum's visits scale with exp(`access_elasticity` × ΔLS), ΔLS being
//! the change of its choice set's log-sum from day 0 with no waits under the starting policy.
//!
//! A visit chosen here is booked at the outpatient stage like an agent's, within the wait
//! tolerance of its severity; a visit that finds no slot within it chooses again among the other
//! options, and is forgone if none has one.

use super::NO_FACILITY;
use super::options::{Chooser, Opt, Table};
use crate::params::{ClinicKind, Params, Scheme, Tier};
use crate::rng::{hash_words, name_key};
use bevy_ecs::prelude::*;

/// Residents who share an age band, a home CHC, an insurance scheme and a contract.
#[derive(Debug, Clone, PartialEq)]
pub struct Stratum {
    pub band: u8,
    /// Index into [`Residents::groups`].
    pub group: u16,
    pub residents: f64,
    /// Key of the stratum's random streams: a hash of what it is, not of its position.
    pub key: u64,
}

/// Residents who choose alike: age does not enter the utility.
#[derive(Debug, Clone)]
pub struct Group {
    pub chooser: Chooser,
    /// Choice shares for a symptomatic and a complex visit, and for a referred complex visit.
    pub tables: [Table; 3],
    /// The log-sums of the symptomatic and complex tables on day 0 with no waits.
    pub logsum0: [f64; 2],
    /// Index of the home CHC among the primary facilities (the catchment).
    pub catchment: u16,
}

/// The tables of a [`Group`]: symptomatic, complex, referred.
pub const SYMPTOMATIC: usize = 0;
pub const COMPLEX: usize = 1;
pub const REFERRED: usize = 2;

/// One resident's visit on its way to a slot: its stratum, how severe it is, how it reaches the
/// slot, and the option it tried first (for a second choice).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Request {
    pub stratum: u32,
    pub complex: bool,
    pub channel: super::Channel,
    /// The option already tried and found full (a second choice leaves it out).
    pub tried: Option<Opt>,
    /// First day the visit may be booked for (later than today for a referral).
    pub earliest: u32,
}

/// A referral of a resident's visit, seen on `day` at `from`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ResidentReferral {
    pub stratum: u32,
    pub from: u16,
}

/// The residents without a chronic condition, and their visits of the day.
#[derive(Resource, Debug)]
pub struct Residents {
    pub strata: Vec<Stratum>,
    pub groups: Vec<Group>,
    /// Mean visits a resident makes a day, by age band, with no waits (outpatient, emergency).
    pub visits_per_day: Vec<f64>,
    pub emergency_per_day: Vec<f64>,
    /// Today's visits chosen, by clinic ([`clinic_slot`]), in the order drawn.
    pub today: Vec<Vec<Request>>,
    /// Referrals of residents' visits, by the day the visit is seen (a ring over the booking
    /// horizon): the referral stage of that day takes them.
    pub referrals: Vec<Vec<ResidentReferral>>,
}

/// Index of a facility's clinic of `kind` in [`Residents::today`].
pub fn clinic_slot(facility: u16, kind: ClinicKind) -> usize {
    usize::from(facility) * ClinicKind::ALL.len() + kind.index()
}

impl Residents {
    /// The strata of `params`: `non_chronic[b]` residents of age band b without a chronic
    /// condition, split across catchments, schemes and contracts in proportion to the catchment
    /// shares, `population.employee_scheme_share` and `residents.signing_rate`.
    pub fn new(params: &Params, non_chronic: &[f64]) -> Residents {
        let r = &params.residents;
        let mut strata = Vec::new();
        let mut groups = Vec::new();
        let chcs = params.chcs();
        if r.present() {
            for (k, &home) in chcs.iter().enumerate() {
                let f = &params.facilities[home];
                for (scheme, s_share) in [
                    (Scheme::Employee, params.population.employee_scheme_share),
                    (Scheme::Resident, 1.0 - params.population.employee_scheme_share),
                ] {
                    for (signed, g_share) in [(true, r.signing_rate), (false, 1.0 - r.signing_rate)] {
                        let group = groups.len() as u16;
                        groups.push(Group {
                            chooser: Chooser {
                                home: home as u16,
                                scheme,
                                signed,
                                trust: r.trust,
                                bypass: 0.0,
                                last_facility: NO_FACILITY,
                            },
                            tables: [Table::default(); 3],
                            logsum0: [0.0; 2],
                            catchment: k as u16,
                        });
                        // Every stratum exists, empty ones too, so that a signing drive can fill
                        // a signed stratum the scenario started without.
                        for (b, &n) in non_chronic.iter().enumerate() {
                            let residents = (n * f.catchment_share * s_share * g_share).max(0.0);
                            let key =
                                hash_words(&[name_key(&f.name), b as u64, scheme as u64, u64::from(signed)]);
                            strata.push(Stratum { band: b as u8, group, residents, key });
                        }
                    }
                }
            }
        }
        let horizon = params.care.booking_horizon_days as usize + 1;
        Residents {
            strata,
            groups,
            visits_per_day: r.visits_per_day_by_band.clone(),
            emergency_per_day: r.emergency_per_day_by_band.clone(),
            today: vec![Vec::new(); params.facilities.len() * ClinicKind::ALL.len()],
            referrals: vec![Vec::new(); horizon],
        }
    }

    /// A signing drive: of each unsigned stratum, the share `share(catchment)` moves to the signed
    /// stratum of the same age band, home CHC and scheme (created if the scenario had none).
    pub fn sign(&mut self, share: impl Fn(u16) -> f64) {
        for i in 0..self.strata.len() {
            let s = self.strata[i].clone();
            let g = self.groups[s.group as usize].clone();
            if g.chooser.signed {
                continue;
            }
            let moved = s.residents * share(g.catchment).clamp(0.0, 1.0);
            if moved <= 0.0 {
                continue;
            }
            self.strata[i].residents -= moved;
            let signed_group =
                self.groups
                    .iter()
                    .position(|h| h.chooser == Chooser { signed: true, ..g.chooser })
                    .expect("every catchment and scheme has a signed group") as u16;
            let t = self
                .strata
                .iter_mut()
                .find(|t| t.group == signed_group && t.band == s.band)
                .expect("every stratum exists, empty or not");
            t.residents += moved;
        }
    }

    /// Residents in signed strata, and all residents of the strata.
    pub fn signed_and_all(&self) -> (f64, f64) {
        let signed = self
            .strata
            .iter()
            .filter(|s| self.groups[s.group as usize].chooser.signed)
            .map(|s| s.residents)
            .sum();
        (signed, self.strata.iter().map(|s| s.residents).sum())
    }

    /// Mean visits of stratum `s` today: its base rate, a weekday factor (`weekday`, 1 for needs
    /// that arise evenly over the week), and access (the log-sum's change, weighted by the
    /// complex share).
    pub fn mean_visits(&self, s: &Stratum, weekday: f64, complex_share: f64, elasticity: f64) -> f64 {
        let g = &self.groups[s.group as usize];
        let ls =
            (1.0 - complex_share) * g.tables[SYMPTOMATIC].logsum + complex_share * g.tables[COMPLEX].logsum;
        let ls0 = (1.0 - complex_share) * g.logsum0[SYMPTOMATIC] + complex_share * g.logsum0[COMPLEX];
        s.residents * self.visits_per_day[s.band as usize] * weekday * (elasticity * (ls - ls0)).exp()
    }
}

/// The channel a resident's visit to option `o` reaches its slot by.
pub fn channel(c: &Chooser, o: Opt) -> super::Channel {
    if c.signed && o.facility == c.home && o.clinic == ClinicKind::GeneralPractice {
        super::Channel::Signed
    } else {
        super::Channel::SelfReferred
    }
}

/// Whether a resident's visit at a facility of `tier` is referred up: at a CHC, a complex visit
/// with `complex_up_referral_share`, a symptomatic one the CHC failed to resolve (1 −
/// capability) with `up_referral_propensity`; at a member hospital, a complex visit it failed
/// to resolve with `member_up_referral_propensity` (to the lead). `u` is one uniform draw.
pub fn refers_up(tier: Tier, complex: bool, expert: bool, params: &Params, u: f64) -> bool {
    let r = &params.referral;
    let capability = params.residents.capability[tier.index()];
    let p = match (tier, complex) {
        // As for chronic patients: a complex case is referred at the complex share wherever it is
        // seen at a CHC; an expert treats the rest with the lead's capability.
        (Tier::Primary, true) => r.complex_up_referral_share,
        (Tier::Primary, false) if expert => 0.0,
        (Tier::Primary, false) => (1.0 - capability) * r.up_referral_propensity,
        (Tier::Member, true) => (1.0 - capability) * r.member_up_referral_propensity,
        _ => 0.0,
    };
    u < p
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::small;

    #[test]
    fn strata_hold_every_resident_without_a_condition() {
        let mut params = small();
        params.residents.visits_per_day_by_band = vec![4.0 / 365.0; params.population.age_bands.len()];
        params.residents.emergency_per_day_by_band = vec![0.0; params.population.age_bands.len()];
        params.residents.signing_rate = 0.3;
        let non_chronic: Vec<f64> =
            (0..params.population.age_bands.len()).map(|b| 100.0 * (b + 1) as f64).collect();
        let r = Residents::new(&params, &non_chronic);
        let total: f64 = r.strata.iter().map(|s| s.residents).sum();
        assert!((total - non_chronic.iter().sum::<f64>()).abs() < 1e-6);
        assert_eq!(r.groups.len(), params.chcs().len() * 4);
        let signed: f64 =
            r.strata.iter().filter(|s| r.groups[s.group as usize].chooser.signed).map(|s| s.residents).sum();
        assert!((signed / total - 0.3).abs() < 1e-9);
    }

    #[test]
    fn a_chc_refers_complex_visits_and_failures_and_an_expert_only_complex_ones() {
        let mut params = small();
        params.referral.complex_up_referral_share = 0.8;
        params.referral.up_referral_propensity = 0.5;
        params.referral.member_up_referral_propensity = 0.8;
        params.residents.capability = [0.6, 0.8, 0.9];
        assert!(refers_up(Tier::Primary, true, false, &params, 0.79));
        assert!(!refers_up(Tier::Primary, true, false, &params, 0.81));
        // At an expert clinic, as for chronic patients: complex cases at the complex share, the
        // rest kept (the expert treats with the lead's capability).
        assert!(refers_up(Tier::Primary, true, true, &params, 0.79));
        assert!(!refers_up(Tier::Primary, false, true, &params, 0.0));
        // Symptomatic: (1 − 0.6) × 0.5 = 0.2.
        assert!(refers_up(Tier::Primary, false, false, &params, 0.19));
        assert!(!refers_up(Tier::Primary, false, false, &params, 0.21));
        // A member hospital refers a complex case it fails: (1 − 0.8) × 0.8 = 0.16.
        assert!(refers_up(Tier::Member, true, false, &params, 0.15));
        assert!(!refers_up(Tier::Lead, true, false, &params, 0.0));
    }
}
