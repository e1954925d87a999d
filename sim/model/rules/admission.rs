//! Admission routing: which emergency department an acute event goes to, which ward a
//! non-emergency admission goes to, and the priority class it queues in.

use crate::levers::bed_sinking::BedSinking;
use crate::model::Model;
use crate::model::ward::Reason;
use crate::params::{Priority, WardKind};
use crate::rng::Rng;
use rand::RngExt;

/// The priority class of an admission; `green` is a patient in the green channel.
pub fn priority_for(reason: Reason, green: bool) -> Priority {
    match reason {
        Reason::Acute => Priority::Emergency,
        _ if green => Priority::Referred,
        Reason::PostAcute => Priority::Referred,
        _ => Priority::Elective,
    }
}

/// The emergency department an acute event of a patient living in `home`'s catchment goes to:
/// the lead hospital with `care.emergency_lead_share` (one draw, always), or when the
/// catchment's member hospital has none; otherwise the member hospital.
pub fn emergency_department(model: &Model, home: u16, rng: &mut Rng) -> u16 {
    let member = model.member_of(home);
    if rng.random::<f64>() < model.params.care.emergency_lead_share
        || !model.params.facilities[member as usize].emergency_department
    {
        model.lead_of(home)
    } else {
        member
    }
}

/// Where an admission goes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Route {
    pub facility: u16,
    /// The ward, if the facility (or the lead hospital) has one of the kind.
    pub ward: Option<u8>,
    /// Multiplies the stay drawn in the ward: an admission routed from another ward keeps that
    /// ward's mean stay.
    pub stay_scale: f32,
    /// Routed by bed sinking from a lead ward to a shared ward.
    pub sunk: bool,
}

/// Where a non-emergency admission of `kind` decided at `facility`, for a patient living in
/// `home`'s catchment, goes: the facility's own ward of that kind, or the lead hospital's. Under
/// bed sinking, an admission to a lead ward goes to the shared ward of the catchment's member
/// hospital with `routed_share` (one draw, only when that shared ward exists), keeping the lead
/// ward's mean stay.
pub fn route(
    model: &Model,
    bed_sinking: Option<&BedSinking>,
    facility: u16,
    kind: WardKind,
    home: u16,
    rng: &mut Rng,
) -> Route {
    let lead = model.lead_of(home);
    let (facility, ward) = match model.ward(facility, kind) {
        Some(w) => (facility, Some(w)),
        None => {
            // A hospital without the ward sends the patient to its own group's lead (the
            // patient's, from a hospital outside every group).
            let to = model.lead_above(facility, home);
            (to, model.ward(to, kind))
        }
    };
    let own = Route { facility, ward, stay_scale: 1.0, sunk: false };
    let (Some(b), Some(w), true) = (bed_sinking, ward, facility == lead) else { return own };
    let member = model.member_of(home);
    match model.ward(member, WardKind::Shared) {
        Some(shared) if rng.random::<f64>() < b.routed_share => {
            let mean = |f: u16, w: u8| model.params.facilities[f as usize].wards[w as usize].stay.mean_days();
            Route {
                facility: member,
                ward: Some(shared),
                stay_scale: (mean(facility, w) / mean(member, shared)) as f32,
                sunk: true,
            }
        }
        _ => own,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emergencies_first_then_referred_then_elective() {
        assert_eq!(priority_for(Reason::Acute, true), Priority::Emergency);
        assert_eq!(priority_for(Reason::Elective, true), Priority::Referred);
        assert_eq!(priority_for(Reason::Complex, false), Priority::Elective);
        assert_eq!(priority_for(Reason::PostAcute, false), Priority::Referred);
    }
}
