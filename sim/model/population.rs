//! The synthesised population: who the residents are and which of them are patients.
//!
//! Residents are drawn band by band: sex, a gamma frailty shared by the person's conditions
//! (mean 1, variance `frailty_variance`; it induces multimorbidity), and each condition with
//! probability min(1, prevalence × frailty). Residents with at least one condition become agents;
//! the others exist only as background demand. All draws come from the replication's population
//! stream, so the same seed gives the same people whatever the policy levers.

use super::{EMPLOYEE, ENROLLED, MALE, NO_FACILITY, Patient, Place, SIGNED};
use crate::params::{AgeBand, ConditionParams, Params, PopulationParams, Tier};
use crate::rng::Rng;
use rand::RngExt;
use rand_distr::{Distribution, Gamma};

/// Expected exits (deaths, including acute deaths) per day of a patient in its current state.
pub fn expected_exits_per_day(p: &Patient, params: &Params) -> f64 {
    let mut h = params.population.age_bands[p.age_band as usize].mortality_per_day;
    for (c, k) in params.conditions.iter().enumerate() {
        if p.conditions & (1 << c) != 0 {
            let bit = 1 << c;
            let acute = k.acute_per_day(p.diagnosed & bit != 0, p.uncontrolled & bit == 0);
            h += k.excess_mortality_per_day + acute * k.acute_case_fatality;
        }
    }
    h
}

/// Draws residents and their conditions.
pub struct Synth<'a> {
    population: &'a PopulationParams,
    conditions: &'a [ConditionParams],
    frailty: Option<Gamma<f64>>,
    bypass_sd: f64,
    /// Cumulative catchment shares of primary facilities, with their facility indices.
    catchments: Vec<(f64, u16)>,
}

impl<'a> Synth<'a> {
    pub fn new(params: &'a Params) -> Synth<'a> {
        let v = params.population.frailty_variance;
        let mut acc = 0.0;
        let catchments = params
            .facilities
            .iter()
            .enumerate()
            .filter(|(_, f)| f.tier == Tier::Primary)
            .map(|(i, f)| {
                acc += f.catchment_share;
                (acc, i as u16)
            })
            .collect();
        Synth {
            population: &params.population,
            conditions: &params.conditions,
            frailty: (v > 0.0).then(|| Gamma::new(1.0 / v, v).expect("validated frailty variance")),
            bypass_sd: params.choice.bypass_sd,
            catchments,
        }
    }

    /// Draws one resident of age band `b`; returns the patient if they have a chronic condition.
    pub fn resident(&self, rng: &mut Rng, b: usize, id: u32) -> Option<Patient> {
        let band: &AgeBand = &self.population.age_bands[b];
        let male = rng.random::<f64>() < band.male_share;
        let frailty = self.frailty.map_or(1.0, |g| g.sample(rng));
        let mut conditions = 0u16;
        for (c, k) in self.conditions.iter().enumerate() {
            let p = k.prevalence_by_age_band[b] * frailty;
            if (!k.male_only || male) && rng.random::<f64>() < p {
                conditions |= 1 << c;
            }
        }
        if conditions == 0 {
            return None;
        }
        let mut diagnosed = 0u16;
        let mut uncontrolled = 0u16;
        let mut enrol_share: f64 = 0.0;
        for (c, k) in self.conditions.iter().enumerate() {
            if conditions & (1 << c) == 0 {
                continue;
            }
            if rng.random::<f64>() < k.diagnosed_share {
                diagnosed |= 1 << c;
                enrol_share = enrol_share.max(k.enrolled_share_of_diagnosed);
                if rng.random::<f64>() >= k.controlled_share_of_diagnosed {
                    uncontrolled |= 1 << c;
                }
            } else {
                uncontrolled |= 1 << c;
            }
        }
        let mut flags = 0;
        if male {
            flags |= MALE;
        }
        if rng.random::<f64>() < self.population.signing_rate {
            flags |= SIGNED;
        }
        if rng.random::<f64>() < self.population.employee_scheme_share {
            flags |= EMPLOYEE;
        }
        if diagnosed != 0 && rng.random::<f64>() < enrol_share {
            flags |= ENROLLED;
        }
        let u: f64 = rng.random();
        let home =
            self.catchments.iter().find(|(acc, _)| u < *acc).or(self.catchments.last()).map_or(0, |c| c.1);
        Some(Patient {
            id,
            disease_draws: 0,
            care_draws: 0,
            bypass: (self.bypass_sd * rng.sample::<f64, _>(rand_distr::StandardNormal)) as f32,
            // Initial trust in the home CHC: uniform on [0.25, 0.75] (an assumption; it then
            // moves with each CHC visit's outcome).
            trust: (0.25 + 0.5 * rng.random::<f64>()) as f32,
            conditions,
            diagnosed,
            uncontrolled,
            home,
            last_facility: NO_FACILITY,
            complex_until: 0,
            disease_epoch: 0,
            care_epoch: 0,
            age_band: b as u8,
            flags,
            place: Place::Home,
            followups: 0,
        })
    }

    /// Draws a new chronic patient at onset: an age band from `bands` (cumulative shares), then
    /// residents of that band until one has a condition (at most 10,000 tries, for populations
    /// where conditions are very rare). A condition that has just begun is uncontrolled and
    /// undiagnosed unless its onset made it known (`diagnosed_at_onset`); the patient is outside
    /// management.
    pub fn newcomer(&self, rng: &mut Rng, bands: &[f64], id: u32) -> Option<Patient> {
        let u: f64 = rng.random();
        let band = bands.iter().position(|&acc| u < acc).unwrap_or(bands.len().saturating_sub(1));
        for _ in 0..10_000 {
            if let Some(mut p) = self.resident(rng, band, id) {
                p.diagnosed = 0;
                for (c, k) in self.conditions.iter().enumerate() {
                    if p.conditions & (1 << c) != 0 && rng.random::<f64>() < k.diagnosed_at_onset {
                        p.diagnosed |= 1 << c;
                    }
                }
                p.uncontrolled = p.conditions;
                p.flags &= !ENROLLED;
                return Some(p);
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn a_newcomer_starts_undiagnosed_in_the_band_drawn() {
        let mut params = crate::testing::small();
        for k in &mut params.conditions {
            k.diagnosed_share = 1.0;
            k.enrolled_share_of_diagnosed = 1.0;
            k.diagnosed_at_onset = 0.0;
        }
        let synth = Synth::new(&params);
        let mut rng = Rng::seed_from_u64(5);
        // All the weight on the last band.
        let mut bands = vec![0.0; params.population.age_bands.len()];
        *bands.last_mut().unwrap() = 1.0;
        for id in 0..200 {
            let p = synth.newcomer(&mut rng, &bands, id).expect("a patient");
            assert_eq!(usize::from(p.age_band), bands.len() - 1);
            assert_eq!(p.diagnosed, 0);
            assert_eq!(p.uncontrolled, p.conditions);
            assert!(!p.has(ENROLLED));
        }
        // Known from onset: diagnosed, still uncontrolled and outside management.
        for k in &mut params.conditions {
            k.diagnosed_at_onset = 1.0;
        }
        let synth = Synth::new(&params);
        let p = synth.newcomer(&mut rng, &bands, 1).expect("a patient");
        assert_eq!(p.diagnosed, p.conditions);
        assert_eq!(p.uncontrolled, p.conditions);
    }
}
