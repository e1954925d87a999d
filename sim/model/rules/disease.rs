//! The disease process as competing hazards: per condition, loss of control (faster outside
//! chronic-disease management), an acute event (likelier when uncontrolled or undiagnosed), an
//! elective need (when diagnosed) and discovery by screening (when undiagnosed); a health check
//! (residents of eligible ages); leaving chronic-disease management (when enrolled); and death. The time to the next event is exponential with their
//! sum ([`total_hazard`]); when it fires, its kind is drawn in proportion to each hazard
//! ([`pick`]).

use crate::model::policy::PolicyNow;
use crate::model::{ENROLLED, LAPSED, Patient};
use crate::params::Params;

/// What a disease event turns out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transition {
    LoseControl(u8),
    Acute(u8),
    Elective(u8),
    /// A screening campaign finds an undiagnosed condition.
    Screened(u8),
    /// An annual health check at the CHC.
    HealthCheck,
    /// The patient leaves chronic-disease management.
    LeaveManagement,
    Death,
}

fn hazards(p: &Patient, params: &Params, now: &PolicyNow, mut visit: impl FnMut(f64, Transition) -> bool) {
    // A patient whose follow-up was forgone (no slot in time) is not managed until seen again.
    let managed = p.has(ENROLLED) && !p.has(LAPSED);
    let band = p.age_band as usize;
    if band >= params.screening.check_min_band
        && now.check_rate_per_day > 0.0
        && visit(now.check_rate_per_day, Transition::HealthCheck)
    {
        return;
    }
    let exit = params.care.management_exit_per_day;
    if p.has(ENROLLED) && exit > 0.0 && visit(exit, Transition::LeaveManagement) {
        return;
    }
    for (c, k) in params.conditions.iter().enumerate() {
        let bit = 1u16 << c;
        if p.conditions & bit == 0 {
            continue;
        }
        let c8 = c as u8;
        let controlled = p.uncontrolled & bit == 0;
        if controlled {
            let loss = if managed {
                k.loss_of_control_per_day
            } else {
                k.loss_of_control_per_day * k.unmanaged_loss_multiplier
            };
            if visit(loss, Transition::LoseControl(c8)) {
                return;
            }
        }
        let acute = k.acute_per_day(p.diagnosed & bit != 0, controlled);
        if visit(acute, Transition::Acute(c8)) {
            return;
        }
        if p.diagnosed & bit != 0 && visit(k.elective_procedures_per_day, Transition::Elective(c8)) {
            return;
        }
        if p.diagnosed & bit == 0 {
            let screen = now.screen_rate.get(band).map_or(0.0, |r| r[c]);
            if screen > 0.0 && visit(screen, Transition::Screened(c8)) {
                return;
            }
        }
    }
    let death = params.population.age_bands[p.age_band as usize].mortality_per_day
        + params
            .conditions
            .iter()
            .enumerate()
            .filter(|(c, _)| p.conditions & (1 << c) != 0)
            .map(|(_, k)| k.excess_mortality_per_day)
            .sum::<f64>();
    visit(death, Transition::Death);
}

/// Sum of the patient's hazards, per day.
pub fn total_hazard(p: &Patient, params: &Params, now: &PolicyNow) -> f64 {
    let mut total = 0.0;
    hazards(p, params, now, |h, _| {
        total += h;
        false
    });
    total
}

/// The transition whose share of the total hazard contains `u` ∈ [0, 1).
pub fn pick(p: &Patient, params: &Params, now: &PolicyNow, u: f64) -> Transition {
    let target = u * total_hazard(p, params, now);
    let mut acc = 0.0;
    let mut chosen = Transition::Death;
    hazards(p, params, now, |h, t| {
        acc += h;
        if target < acc && h > 0.0 {
            chosen = t;
            true
        } else {
            false
        }
    });
    chosen
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{patient, small};

    #[test]
    fn hazards_follow_control_and_diagnosis() {
        let params = small();
        let now = PolicyNow::new(&params);
        let k = &params.conditions[0];
        let band = params.population.age_bands[0].mortality_per_day;
        // Controlled and diagnosed, outside management: loss of control is faster.
        let p = patient(1, 0, 1);
        let expect = k.loss_of_control_per_day * k.unmanaged_loss_multiplier
            + k.acute_events_per_day
            + k.elective_procedures_per_day
            + band
            + k.excess_mortality_per_day;
        assert!((total_hazard(&p, &params, &now) - expect).abs() < 1e-15);
        // Uncontrolled: no loss of control, acute events multiplied.
        let q = patient(1, 1, 1);
        let expect = k.acute_events_per_day * k.uncontrolled_acute_multiplier
            + k.elective_procedures_per_day
            + band
            + k.excess_mortality_per_day;
        assert!((total_hazard(&q, &params, &now) - expect).abs() < 1e-15);
        // Managed: loss of control at the managed rate.
        let mut m = patient(1, 0, 1);
        m.flags |= ENROLLED;
        assert!(total_hazard(&m, &params, &now) < total_hazard(&p, &params, &now));
        // The kinds come in the order of the hazards: u = 0 is the first, u → 1 is death.
        assert_eq!(pick(&p, &params, &now, 0.0), Transition::LoseControl(0));
        assert_eq!(pick(&p, &params, &now, 0.999_999_999), Transition::Death);
        assert_eq!(pick(&q, &params, &now, 0.0), Transition::Acute(0));
    }

    #[test]
    fn undiagnosed_and_enrolled_patients_have_their_own_hazards() {
        let mut params = small();
        params.conditions[0].undiagnosed_acute_multiplier = 7.0;
        params.care.management_exit_per_day = 0.01;
        let now = PolicyNow::new(&params);
        let k = &params.conditions[0];
        let band = params.population.age_bands[0].mortality_per_day;
        // Undiagnosed (and so uncontrolled): the undiagnosed multiplier, no elective need.
        let u = patient(1, 1, 0);
        let expect = k.acute_events_per_day * 7.0 + band + k.excess_mortality_per_day;
        assert!((total_hazard(&u, &params, &now) - expect).abs() < 1e-15);
        // Enrolled: leaving management is a hazard of its own, before the conditions'.
        let mut m = patient(1, 0, 1);
        m.flags |= ENROLLED;
        let mut n = m.clone();
        n.flags &= !ENROLLED;
        let without = total_hazard(&n, &params, &now)
            - k.loss_of_control_per_day * k.unmanaged_loss_multiplier
            + k.loss_of_control_per_day;
        assert!((total_hazard(&m, &params, &now) - without - 0.01).abs() < 1e-15);
        assert_eq!(pick(&m, &params, &now, 0.0), Transition::LeaveManagement);
    }
}
