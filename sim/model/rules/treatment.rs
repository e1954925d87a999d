//! What a visit does: the conditions it brings under control, enrolment at the CHC, and the
//! patient's trust in the home CHC.

use crate::levers::capability_learning::{Learning, gain};
use crate::model::{ENROLLED, Model, Patient};
use crate::params::{CareParams, Tier};
use crate::rng::Rng;
use rand::RngExt;

/// Probability that one visit at `facility` controls `condition`: the tier's capability, raised
/// at a CHC by the share of the gap to the lead hospital it has closed by learning from the
/// experts.
pub fn capability(model: &Model, learning: Option<&Learning>, facility: u16, condition: usize) -> f64 {
    let k = &model.params.conditions[condition];
    let tier = model.tier(facility);
    let base = k.capability[tier.index()];
    if tier == Tier::Primary {
        let lead = k.capability[Tier::Lead.index()];
        base + gain(learning, facility) * (lead - base).max(0.0)
    } else {
        base
    }
}

/// The conditions of `open` (a bit set) still uncontrolled after a visit: each is brought
/// under control with its `capability`, one draw per open condition in condition order.
pub fn treat(open: u16, conditions: usize, capability: impl Fn(usize) -> f64, rng: &mut Rng) -> u16 {
    let mut still_open = open;
    for c in 0..conditions {
        if open & (1 << c) != 0 && rng.random::<f64>() < capability(c) {
            still_open &= !(1 << c);
        }
    }
    still_open
}

/// Whether a CHC visit enrols a diagnosed patient outside chronic-disease management, with
/// `care.enrolment_on_chc_visit` (one draw, only for such a patient).
pub fn enrols_at_chc(p: &Patient, care: &CareParams, rng: &mut Rng) -> bool {
    p.diagnosed != 0 && !p.has(ENROLLED) && rng.random::<f64>() < care.enrolment_on_chc_visit
}

/// Trust in the home CHC after a visit that treated something: it moves `step` of the way to 1
/// when every treated condition was brought under control, to 0 otherwise.
pub fn trust_after(trust: f32, step: f64, all_controlled: bool) -> f32 {
    let step = step as f32;
    if all_controlled { trust + step * (1.0 - trust) } else { trust - step * trust }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn treatment_draws_once_per_open_condition() {
        let mut rng = Rng::seed_from_u64(1);
        // Capability 1 controls everything, 0 nothing; closed conditions stay as they are.
        assert_eq!(treat(0b101, 3, |_| 1.0, &mut rng), 0);
        assert_eq!(treat(0b101, 3, |_| 0.0, &mut rng), 0b101);
        assert_eq!(treat(0b101, 3, |c| if c == 0 { 1.0 } else { 0.0 }, &mut rng), 0b100);
        // Two open conditions take two draws: the stream moves on by two.
        let (mut a, mut b) = (Rng::seed_from_u64(2), Rng::seed_from_u64(2));
        treat(0b011, 2, |_| 0.5, &mut a);
        let _: (f64, f64) = (b.random(), b.random());
        assert_eq!(a.random::<u64>(), b.random::<u64>());
    }

    #[test]
    fn trust_moves_towards_the_outcome() {
        assert!((trust_after(0.5, 0.2, true) - 0.6).abs() < 1e-6);
        assert!((trust_after(0.5, 0.2, false) - 0.4).abs() < 1e-6);
        assert_eq!(trust_after(1.0, 0.2, true), 1.0);
    }

    #[test]
    fn only_diagnosed_unenrolled_patients_enrol() {
        let care = crate::testing::small().care;
        let mut rng = Rng::seed_from_u64(3);
        let undiagnosed = crate::testing::patient(1, 1, 0);
        assert!(!enrols_at_chc(&undiagnosed, &CareParams { enrolment_on_chc_visit: 1.0, ..care }, &mut rng));
        let mut enrolled = crate::testing::patient(1, 0, 1);
        enrolled.flags |= ENROLLED;
        assert!(!enrols_at_chc(&enrolled, &CareParams { enrolment_on_chc_visit: 1.0, ..care }, &mut rng));
        let diagnosed = crate::testing::patient(1, 0, 1);
        assert!(enrols_at_chc(&diagnosed, &CareParams { enrolment_on_chc_visit: 1.0, ..care }, &mut rng));
        assert!(!enrols_at_chc(&diagnosed, &CareParams { enrolment_on_chc_visit: 0.0, ..care }, &mut rng));
    }
}
