//! Admission and discharge: every ward runs its day in continuous time.
//!
//! Reads `AdmissionRequest`; writes `Discharged` (to referral, read tomorrow) and `Charge`;
//! changes `Patient` and `Wards`. Requests wait in the ward's pending list until their day; an
//! elective case at a ward with an operating list is booked onto the list instead, and each list
//! calls in its cases for the day ahead before the wards run. Under a global budget the agents'
//! stays in the group's hospital medical and surgical wards follow its stay response. At
//! discharge the inpatient stay has brought the condition under control, the disease clock
//! restarts, a follow-up is filed `care.post_discharge_followup_days` later, and the stay is
//! charged at the facility's bed-day price — or, in a shared ward under a tiered per-diem, at the
//! per-diem schedule's rates, or, in a group hospital's medical or surgical ward under case
//! payment, at the case rate (with its cost-shifting share).

use crate::levers::case_payment::CasePayment;
use crate::levers::global_budget::{GlobalBudget, response};
use crate::levers::per_diem::PerDiem;
use crate::model::census::set_uncontrolled;
use crate::model::events::{schedule_care, schedule_disease};
use crate::model::record::Recorder;
use crate::model::theatre::Case;
use crate::model::ward::{Arrival, Reason};
use crate::model::*;
use crate::params::WardKind;

#[allow(clippy::too_many_arguments)] // one parameter per resource and message stream this stage uses
pub fn admission(
    model: Res<Model>,
    per_diem: Option<Res<PerDiem>>,
    budget: Option<Res<GlobalBudget>>,
    case_payment: Option<Res<CasePayment>>,
    mut cal: ResMut<Calendars>,
    mut census: ResMut<Census>,
    mut rec: ResMut<Recorder>,
    mut patients: Query<&mut Patient>,
    mut wards: Query<&mut Wards>,
    mut requests: MessageReader<AdmissionRequest>,
    mut out: MessageWriter<Discharged>,
    mut charges: MessageWriter<Charge>,
) {
    let day = model.day;
    let params = &model.params;
    // A global budget's stay response, at the group's pressure today: the agents' admissions to
    // the group's hospital medical and surgical wards (the care the budget pays for).
    let stay_response =
        budget.as_deref().map_or(1.0, |b| response(b.stay_multiplier, model.policy.budget_pressure()));
    for r in requests.read() {
        if let Ok(mut w) = wards.get_mut(model.facilities[r.facility as usize]) {
            let mut a = r.arrival;
            let fp = &params.facilities[r.facility as usize];
            if fp.in_group && matches!(fp.wards[r.ward as usize].kind, WardKind::Medical | WardKind::Surgical)
            {
                a.stay_scale *= stay_response as f32;
            }
            match (&mut w.theatres[r.ward as usize], a.reason) {
                // An elective case at a ward with an operating list is booked onto the list.
                (Some(t), Reason::Elective) => t.book(Case {
                    booked: day,
                    patient: a.patient,
                    condition: a.condition,
                    stay_scale: a.stay_scale,
                }),
                _ => w.pending[r.ward as usize].push(a),
            }
        }
    }
    let end = f64::from(day.0 + 1);
    let mut due: Vec<Arrival> = Vec::new();
    let mut admitted = Vec::new();
    let mut released = Vec::new();
    for (f, &entity) in model.facilities.iter().enumerate() {
        let Ok(mut w) = wards.get_mut(entity) else { continue };
        let w = &mut *w;
        // Each list calls in its cases for the operating day ahead: they arrive at the ward at
        // the start of today.
        for (i, t) in w.theatres.iter_mut().enumerate() {
            if let Some(t) = t {
                t.run_day(day, &mut w.pending[i]);
            }
        }
        for i in 0..w.wards.len() {
            let ward = &mut w.wards[i];
            due.clear();
            let pending = &mut w.pending[i];
            let mut k = 0;
            while k < pending.len() {
                if pending[k].time.0 < end {
                    let mut a = pending.swap_remove(k);
                    a.time.0 = a.time.0.max(day.start().0);
                    due.push(a);
                } else {
                    k += 1;
                }
            }
            // Order by time; the pending list's order (deterministic) breaks exact ties.
            due.sort_by(|a, b| a.time.0.total_cmp(&b.time.0));
            admitted.clear();
            released.clear();
            ward.run_day(day, &due, &mut admitted, &mut released);
            // The ward's other patients transferred on discharge arrive at the receiving ward
            // (a later one of this facility, run after this one) at the same moment.
            if let Some(tr) = params.facilities[f].wards[i].transfer {
                let times = std::mem::take(&mut ward.transfers_out);
                w.pending[tr.to as usize].extend(times.into_iter().map(|time| Arrival {
                    time,
                    patient: None,
                    priority: tr.priority,
                    reason: Reason::PostAcute,
                    condition: 0,
                    stay_scale: 1.0,
                    stay_offset: 0.0,
                }));
            }
            for &(patient, _) in &admitted {
                if let Ok(mut p) = patients.get_mut(patient) {
                    p.place = Place::InBed;
                }
            }
            for rel in &released {
                let Ok(mut p) = patients.get_mut(rel.patient) else { continue };
                p.place = Place::Home;
                // The stay brings a known condition under control; one the event did not make
                // known stays undiagnosed (and so uncontrolled): the episode was treated, not the
                // condition.
                let mask = p.uncontrolled & !(p.diagnosed & (1 << rel.condition));
                set_uncontrolled(&mut p, mask, &mut census);
                if rel.reason == Reason::Acute {
                    p.complex_until = (rel.time.day().0 + params.care.post_acute_complex_days)
                        .min(u32::from(u16::MAX)) as u16;
                }
                schedule_disease(&mut p, rel.patient, rel.time, &model, &mut cal);
                let follow = params.care.post_discharge_followup_days.round().max(1.0) as u32;
                schedule_care(
                    &mut p,
                    rel.patient,
                    rel.time.day().plus(follow),
                    care_kind::POST_DISCHARGE,
                    &mut cal,
                );
                let fp = &params.facilities[f];
                let per_diem = per_diem.as_deref().filter(|_| fp.wards[i].kind == WardKind::Shared);
                let case = case_payment.as_deref().and_then(|c| {
                    c.rate(fp.tier, fp.wards[i].kind, fp.in_group).map(|r| (r, c.cost_shift_share))
                });
                let (amount_yuan, self_paid_share) = match (per_diem, case) {
                    (Some(schedule), _) => (schedule.charge(rel.stay_days), 0.0),
                    (None, Some((rate, shift))) => (rate, shift),
                    (None, None) => (fp.bed_day_price_yuan * rel.stay_days, 0.0),
                };
                charges.write(Charge {
                    tier: fp.tier,
                    scheme: p.scheme(),
                    amount_yuan,
                    bypass: false,
                    chronic: true,
                    catchment: model.catchment[p.home as usize],
                    visits: 0,
                    self_paid_share,
                });
                rec.count(|k| {
                    k.agent_discharges += 1;
                    if rel.reason == Reason::Elective {
                        k.elective_procedures += 1;
                    }
                });
                out.write(Discharged { patient: rel.patient, facility: f as u16, release: *rel });
            }
        }
    }
}
