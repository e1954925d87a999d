//! Demand: care needs that fall due today become requests.
//!
//! Reads the care calendar; writes `CareRequest` (to choice). A routine follow-up is attended
//! with probability `care.followup_adherence` (a missed one is re-filed one interval later);
//! symptomatic visits and post-discharge follow-ups are always sought. The other residents' visits
//! are drawn in `choice::residents_choose`; non-residents' visits and the wards' other admissions
//! where they are served (outpatient, admission).

use crate::model::events::{care_rng, is_pending_care, schedule_routine};
use crate::model::*;
use rand::RngExt;

pub fn demand(
    model: Res<Model>,
    mut cal: ResMut<Calendars>,
    mut patients: Query<&mut Patient>,
    mut requests: MessageWriter<CareRequest>,
) {
    let day = model.day;
    for e in cal.care.take(day) {
        let Ok(mut p) = patients.get_mut(e.patient) else { continue };
        if !is_pending_care(&p, &e) || p.place != Place::Home {
            continue;
        }
        if e.kind == care_kind::ROUTINE {
            let u: f64 = care_rng(&mut p, &model).random();
            if u >= model.params.care.followup_adherence {
                schedule_routine(&mut p, e.patient, day, &model, &mut cal);
                continue;
            }
        }
        requests.write(CareRequest { patient: e.patient, need: Need::Care, condition: 0 });
    }
}
