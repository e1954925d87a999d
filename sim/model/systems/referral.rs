//! Referral: up-referrals are booked at a hospital; discharged acute patients may be transferred
//! to a shared ward.
//!
//! Reads `Referral` (from outpatient, today) and `Discharged` (from admission, yesterday); writes
//! `AdmissionRequest` (post-acute transfers, to admission); changes `Patient` and `Clinics`.
//! A referred patient chooses between the catchment's member hospital and the lead hospital by
//! the same logit as any patient, without the CHC, and books through the referral channel
//! (using slots held for referrals, if any). The referral stage runs after the day's visits, so
//! the hospital visit is the next day at the earliest, plus the referral friction in force
//! (`referral.friction_days`, or the referral platform's). A
//! patient discharged from a lead-hospital ward after an acute admission is transferred to the
//! shared ward of the catchment's member hospital with the condition's
//! `post_acute_transfer_share` (times the post-acute transfer lever's multiplier, at most 1);
//! the transfer arrives one day after the discharge.

use super::outpatient::book_visit;
use crate::levers::InForce;
use crate::model::events::{cancel_disease_events, cancel_pending_care, care_rng, schedule_symptomatic};
use crate::model::record::Recorder;
use crate::model::rules::choice::{Opt, options, pick, published_wait};
use crate::model::rules::referral::post_acute_transfer_share;
use crate::model::ward::{Arrival, Reason};
use crate::model::*;
use crate::params::Priority;
use rand::RngExt;

#[allow(clippy::too_many_arguments)] // one parameter per resource and message stream this stage uses
pub fn referral(
    model: Res<Model>,
    levers: InForce,
    mut cal: ResMut<Calendars>,
    mut rec: ResMut<Recorder>,
    mut patients: Query<&mut Patient>,
    mut clinics: Query<&mut Clinics>,
    mut referrals: MessageReader<Referral>,
    mut discharged: MessageReader<Discharged>,
    mut admissions: MessageWriter<AdmissionRequest>,
) {
    let day = model.day;
    let now = levers.now();
    for r in referrals.read() {
        let Ok(mut p) = patients.get_mut(r.patient) else { continue };
        if p.place != Place::Referred {
            continue;
        }
        p.place = Place::Home;
        rec.count(|k| k.referrals_up += 1);
        let (opts, n) = options(&p, Severity::Complex, &model, &now, true);
        let u: f64 = care_rng(&mut p, &model).random();
        let facility = {
            let wait =
                |o: Opt| published_wait(&model, o, clinics.get(model.facilities[o.facility as usize]).ok());
            pick(&p, &opts[..n], Severity::Complex, true, u, &model, &now, &wait).facility
        };
        let visit = Visit {
            facility,
            channel: Channel::Referred,
            need: r.need,
            condition: r.condition,
            expert: false,
        };
        let earliest = day.plus(1 + model.policy.friction_days);
        if book_visit(&mut p, r.patient, visit, earliest, &model, &now, &mut clinics, &mut cal, &mut rec)
            .is_none()
        {
            schedule_symptomatic(&mut p, r.patient, day.start(), &model, &mut cal);
        }
    }

    for d in discharged.read() {
        if d.release.reason != Reason::Acute || model.tier(d.facility) != Tier::Lead {
            continue;
        }
        let Ok(mut p) = patients.get_mut(d.patient) else { continue };
        if p.place != Place::Home {
            continue;
        }
        let member = model.member_of(p.home);
        let Some(ward) = model.ward(member, crate::params::WardKind::Shared) else { continue };
        let share = post_acute_transfer_share(
            model.params.conditions[d.release.condition as usize].post_acute_transfer_share,
            model.policy.post_acute_transfer_multiplier,
        );
        let u: f64 = care_rng(&mut p, &model).random();
        if u >= share {
            continue;
        }
        rec.count(|k| k.transfers_to_shared += 1);
        p.place = Place::Waiting;
        cancel_pending_care(&mut p);
        cancel_disease_events(&mut p);
        admissions.write(AdmissionRequest {
            facility: member,
            ward,
            arrival: Arrival {
                time: d.release.time.after(1.0),
                patient: d.patient,
                priority: Priority::Referred,
                reason: Reason::PostAcute,
                condition: d.release.condition,
                stay_scale: 1.0,
            },
        });
    }
}
