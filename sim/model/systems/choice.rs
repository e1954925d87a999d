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

use crate::levers::InForce;
use crate::model::events::care_rng;
use crate::model::rules::choice::{Opt, options, pick, published_wait};
use crate::model::*;
use rand::RngExt;

pub fn choice(
    model: Res<Model>,
    levers: InForce,
    mut reader: MessageReader<CareRequest>,
    mut patients: Query<&mut Patient>,
    clinics: Query<&Clinics>,
    mut out: MessageWriter<BookingRequest>,
) {
    let wait = |o: Opt| published_wait(&model, o, clinics.get(model.facilities[o.facility as usize]).ok());
    let now = levers.now();
    for r in reader.read() {
        let Ok(mut p) = patients.get_mut(r.patient) else { continue };
        if p.place != Place::Home {
            continue;
        }
        let sev = if r.need == Need::Elective { Severity::Complex } else { p.severity(model.day) };
        let (opts, n) = options(&p, sev, &model, &now, false);
        let u: f64 = care_rng(&mut p, &model).random();
        let o = pick(&p, &opts[..n], sev, false, u, &model, &now, &wait);
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
