//! Referral: up-referrals are booked at a hospital; discharged acute patients may be transferred
//! to a shared ward.
//!
//! Reads `Referral` (agents referred at today's visits, from outpatient), the referrals of
//! residents' visits seen today ([`crate::model::residents`]) and `Discharged` (from admission,
//! yesterday); writes `AdmissionRequest` (post-acute transfers, to admission); changes `Patient`
//! and `Clinics`.
//!
//! An up-referral is a process: a processing time (gamma, mean and CV in force: the scenario's
//! `referral.processing_days_*`, or the referral platform's), rounded up to whole days and at
//! least one, then the wait for a slot. A patient referred by a CHC chooses between the
//! catchment's member hospital and the lead hospital by the same logit as any patient, without
//! the CHC (a stratum of residents by its referred-visit shares); one referred by a member
//! hospital goes to the lead. The visit is booked through the referral channel, using slots held
//! for referrals, from the first day processing allows and within the complex-visit tolerance;
//! if that hospital has no slot in time the other is tried, and the visit is forgone if neither
//! has. Under the referral platform the route is "platform" and a CHC's referral is a hospital
//! appointment booked from the CHC; otherwise the route is "other".
//!
//! A patient discharged from a lead-hospital ward after an acute admission is transferred to the
//! shared ward of the catchment's member hospital with the condition's
//! `post_acute_transfer_share` (times the post-acute transfer lever's multiplier, at most 1);
//! the transfer arrives one day after the discharge.

use super::outpatient::{book_visit, latest_day};
use crate::levers::InForce;
use crate::model::events::{cancel_disease_events, cancel_pending_care, care_rng, schedule_symptomatic};
use crate::model::record::Recorder;
use crate::model::residents::{REFERRED, Residents};
use crate::model::rules::choice::{Chooser, Opt, main_opt, options, pick, published_wait};
use crate::model::rules::referral::{post_acute_transfer_share, processing_days};
use crate::model::ward::{Arrival, Reason};
use crate::model::*;
use crate::params::Priority;
use crate::rng::{Purpose, hash_words, name_key};
use rand::RngExt;

/// Counts an up-referral that is booked, `from` a facility of `tier`, with its processing time
/// and wait for a slot.
fn count_referral(
    rec: &mut Recorder,
    model: &Model,
    from_tier: Tier,
    catchment: u16,
    chronic: bool,
    processing: u32,
    slot_wait: u32,
) {
    let platform = model.policy.platform;
    rec.count(|k| {
        k.referrals_up += 1;
        k.referral_up_of(catchment);
        k.referrals_up_by_route[usize::from(!platform)] += 1;
        if !chronic {
            k.referrals_up_other += 1;
        }
        if from_tier == Tier::Member {
            k.referrals_up_from_member += 1;
        } else if platform {
            k.chc_booked_appointments += 1;
        }
        k.referral_processing.0 += f64::from(processing);
        k.referral_processing.1 += 1;
        k.referral_slot_wait.0 += f64::from(slot_wait);
        k.referral_slot_wait.1 += 1;
    });
}

#[allow(clippy::too_many_arguments)] // one parameter per resource and message stream this stage uses
pub fn referral(
    model: Res<Model>,
    levers: InForce,
    mut cal: ResMut<Calendars>,
    mut rec: ResMut<Recorder>,
    mut residents: Option<ResMut<Residents>>,
    mut patients: Query<&mut Patient>,
    mut clinics: Query<&mut Clinics>,
    mut referrals: MessageReader<Referral>,
    mut discharged: MessageReader<Discharged>,
    mut admissions: MessageWriter<AdmissionRequest>,
    mut charges: MessageWriter<Charge>,
) {
    let day = model.day;
    let now = levers.now();
    for r in referrals.read() {
        let Ok(mut p) = patients.get_mut(r.patient) else { continue };
        if p.place != Place::Referred {
            continue;
        }
        p.place = Place::Home;
        let from_tier = model.tier(r.from);
        let mut rng = care_rng(&mut p, &model);
        let processing =
            processing_days(model.policy.processing_days_mean, model.policy.processing_days_cv, &mut rng);
        let earliest = day.plus(processing);
        let latest = latest_day(&model, Severity::Complex, earliest);
        let chooser = Chooser::of(&p);
        let opts = options(&chooser, Severity::Complex, &model, &now, true);
        let first = if from_tier == Tier::Member {
            Some(main_opt(&model, model.lead_above(r.from, p.home)))
        } else {
            let u: f64 = rng.random();
            let wait = |o: Opt| published_wait(o, clinics.get(model.facilities[o.facility as usize]).ok());
            pick(&chooser, opts.as_slice(), None, Severity::Complex, true, u, &model, &now, &wait)
        };
        let mut tries = [first, None];
        if from_tier != Tier::Member {
            tries[1] = opts.as_slice().iter().copied().find(|&o| Some(o) != first);
        }
        let mut booked = None;
        for o in tries.into_iter().flatten() {
            let visit = Visit {
                facility: o.facility,
                channel: Channel::Referred,
                need: r.need,
                condition: r.condition,
                clinic: o.clinic,
            };
            booked = book_visit(
                &mut p,
                r.patient,
                visit,
                earliest,
                latest,
                &model,
                &now,
                &mut clinics,
                &mut cal,
                &mut rec,
            );
            if booked.is_some() {
                break;
            }
        }
        match booked {
            Some(d) => {
                let catchment = model.catchment[p.home as usize];
                count_referral(&mut rec, &model, from_tier, catchment, true, processing, d.0 - earliest.0)
            }
            None => {
                let (catchment, scheme) = (model.catchment[p.home as usize], p.scheme());
                rec.count(|k| k.forgone(true, catchment, scheme));
                schedule_symptomatic(&mut p, r.patient, day.start(), &model, &mut cal);
            }
        }
    }

    if let Some(res) = residents.as_deref_mut() {
        let h = res.referrals.len() as u32;
        let today = std::mem::take(&mut res.referrals[(day.0 % h) as usize]);
        let mut rng =
            model.streams.stream(Purpose::Booking, hash_words(&[name_key("referrals"), u64::from(day.0)]));
        for r in today {
            let s = &res.strata[r.stratum as usize];
            let g = &res.groups[s.group as usize];
            let from_tier = model.tier(r.from);
            let processing =
                processing_days(model.policy.processing_days_mean, model.policy.processing_days_cv, &mut rng);
            let earliest = day.plus(processing);
            let latest = latest_day(&model, Severity::Complex, earliest);
            let table = &g.tables[REFERRED];
            let first = if from_tier == Tier::Member {
                Some(main_opt(&model, model.lead_above(r.from, g.chooser.home)))
            } else {
                table.draw(rng.random(), None)
            };
            let mut tries = [first, None];
            if from_tier != Tier::Member {
                tries[1] = table.options.as_slice().iter().copied().find(|&o| Some(o) != first);
            }
            let mut booked = None;
            for o in tries.into_iter().flatten() {
                let Ok(mut c) = clinics.get_mut(model.facilities[o.facility as usize]) else { continue };
                let Some(book) = c.get_mut(o.clinic) else { continue };
                let d = if model.holds_for(g.chooser.home, o.facility) {
                    book.book_referred_between(earliest, latest)
                } else {
                    book.book_between(earliest, latest)
                };
                if let Some(d) = d {
                    booked = Some((o, d));
                    break;
                }
            }
            match booked {
                Some((o, d)) => {
                    let tier = model.tier(o.facility);
                    let wait = f64::from(d.0 - earliest.0);
                    rec.count(|k| {
                        k.outpatient_wait(tier, Channel::Referred, wait, 1);
                        k.equity_wait(g.catchment, g.chooser.scheme, wait);
                        k.resident_visits[tier.index()] += 1;
                        if model.crosses(g.chooser.home, o.facility) {
                            k.cross_group_visit(g.catchment);
                        }
                    });
                    count_referral(
                        &mut rec,
                        &model,
                        from_tier,
                        g.catchment,
                        false,
                        processing,
                        d.0 - earliest.0,
                    );
                    let f = &model.params.facilities[o.facility as usize];
                    charges.write(Charge {
                        tier,
                        scheme: g.chooser.scheme,
                        amount_yuan: f.visit_price_yuan,
                        bypass: false,
                        chronic: false,
                        catchment: g.catchment,
                        visits: 1,
                        self_paid_share: 0.0,
                    });
                }
                None => {
                    let (catchment, scheme) = (g.catchment, g.chooser.scheme);
                    rec.count(|k| k.forgone(false, catchment, scheme));
                }
            }
        }
    }

    for d in discharged.read() {
        if d.release.reason != Reason::Acute || model.tier(d.facility) != Tier::Lead {
            continue;
        }
        let Ok(mut p) = patients.get_mut(d.patient) else { continue };
        // A lead steps its own group's patients down to their member hospital's shared ward (a
        // patient who chose another group's lead goes home from there).
        if p.place != Place::Home || d.facility != model.lead_of(p.home) {
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
        rec.count(|k| {
            k.transfers_to_shared += 1;
            k.shared_received[member as usize][1] += 1;
        });
        p.place = Place::Waiting;
        cancel_pending_care(&mut p);
        cancel_disease_events(&mut p);
        admissions.write(AdmissionRequest {
            facility: member,
            ward,
            arrival: Arrival {
                time: d.release.time.after(1.0),
                patient: Some(d.patient),
                priority: Priority::Referred,
                reason: Reason::PostAcute,
                condition: d.release.condition,
                stay_scale: 1.0,
                stay_offset: 0.0,
            },
        });
    }
}
