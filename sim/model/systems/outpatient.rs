//! Outpatient: bookings, emergency departments, and today's visits.
//!
//! Reads `BookingRequest` (from choice), `AcuteEvent` (from disease) and the visit calendar;
//! writes `Referral` (up-referrals, to referral), `AdmissionRequest` (to admission) and `Charge`
//! (to payment); changes `Patient` and `Clinics`.
//!
//! Booking: today's background requests at each clinic (Poisson, mean by weekday) are interleaved
//! at random with the agents' requests, and every request books the earliest day with a free
//! slot. Visits: a visit treats every uncontrolled diagnosed condition, each brought under control
//! with the tier's capability for that condition. At a CHC a failure is referred up with
//! `referral.up_referral_propensity`, a complex request with `referral.complex_up_referral_share`;
//! a referral is completed with `referral.referral_completion` (the rest are lost). At a hospital
//! a stable patient is sent back to the CHC with `referral.down_referral_propensity`, an
//! elective need is admitted to the surgical ward, and a complex case is admitted to the medical
//! ward with `care.complex_admission_share`.
//!
//! Levers: capability at a CHC rises with what it learns from the experts; an expert-session
//! visit (at a CHC, counted as primary care) treats with the lead hospital's capability and
//! refers complex cases up; referral completion, down-referral and complex-admission
//! probabilities are those in force (referral platform, down-referral programme, global
//! budget); green-channel patients book the lead hospital ahead of the day's other requests,
//! use slots held for referrals, and join the "referred" admission class there; under bed
//! sinking, `routed_share` of the lead's non-emergency admissions go to the catchment's shared
//! ward.

use crate::levers::green_channel::{admission_priority, outpatient_priority};
use crate::levers::{InForce, Now};
use crate::model::census::{enrol, set_uncontrolled};
use crate::model::events::{
    cancel_disease_events, cancel_pending_care, care_rng, is_pending_care, schedule_care, schedule_disease,
    schedule_routine, schedule_symptomatic,
};
use crate::model::record::Recorder;
use crate::model::rules::admission::{emergency_department, priority_for, route};
use crate::model::rules::choice::{clinic_kind, visit_clinic};
use crate::model::rules::referral::{AfterHospitalVisit, after_hospital_visit, chc_refers_up, completed};
use crate::model::rules::treatment::{capability, enrols_at_chc, treat, trust_after};
use crate::model::ward::{Arrival, Reason};
use crate::model::*;
use crate::params::{Priority, WardKind};
use crate::rng::{Purpose, hash_words, name_key};
use rand::RngExt;
use rand_distr::{Binomial, Distribution, Poisson};

/// Draws a Poisson count with mean `mean` (0 when the mean is 0).
pub fn poisson(rng: &mut crate::rng::Rng, mean: f64) -> u64 {
    if mean > 0.0 { Poisson::new(mean).expect("positive mean").sample(rng) as u64 } else { 0 }
}

/// Books `visit` for the patient today, on `earliest` or later; returns the visit day, or
/// `None` if the clinic is full for the whole horizon. Referred and green-channel patients may
/// use slots held for referrals. Records the wait.
#[allow(clippy::too_many_arguments)] // the patient, the visit, and the state a booking touches
pub fn book_visit(
    p: &mut Patient,
    entity: Entity,
    visit: Visit,
    earliest: Day,
    model: &Model,
    now: &Now,
    clinics: &mut Query<&mut Clinics>,
    cal: &mut Calendars,
    rec: &mut Recorder,
) -> Option<Day> {
    let tier = model.tier(visit.facility);
    let mut c = clinics.get_mut(model.facilities[visit.facility as usize]).ok()?;
    let book = c.get_mut(visit_clinic(tier, visit.expert))?;
    let earliest = earliest.max(cal.visits.first_open_day());
    let held = visit.channel == Channel::Referred || (tier == Tier::Lead && green_outpatient(p, visit, now));
    let booked = if held { book.book_referred_from(earliest) } else { book.book_from(earliest) };
    match booked {
        Some(day) => {
            let wait = f64::from(day.0 - model.day.0);
            rec.count(|k| k.outpatient_wait(tier, visit.channel, wait, 1));
            p.place = Place::Booked;
            cal.visits.push(
                day,
                calendar::Entry { patient: entity, data: visit.pack(), epoch: p.care_epoch, kind: 0 },
            );
            Some(day)
        }
        None => {
            rec.count(|k| k.unserved_requests += 1);
            None
        }
    }
}

/// Whether the patient books this visit through the green channel.
fn green_outpatient(p: &Patient, visit: Visit, now: &Now) -> bool {
    outpatient_priority(now.green_channel, visit.channel == Channel::Referred, p.has(SIGNED))
}

/// Books `n` background visits at `book`, earliest days first, and records their waits (and
/// any turned away).
fn book_background(book: &mut SlotBook, tier: Tier, n: u64, rec: &mut Recorder) {
    if n == 0 {
        return;
    }
    let (booked, wait_sum) = book.book_many(n as u32);
    rec.count(|k| {
        k.outpatient_wait_sum(tier, Channel::Background, wait_sum, u64::from(booked));
        k.unserved_requests += n - u64::from(booked);
    });
}

#[allow(clippy::too_many_arguments)] // one parameter per resource and message stream this stage uses
pub fn outpatient(
    model: Res<Model>,
    levers: InForce,
    mut cal: ResMut<Calendars>,
    mut census: ResMut<Census>,
    mut rec: ResMut<Recorder>,
    mut patients: Query<&mut Patient>,
    mut clinics: Query<&mut Clinics>,
    mut bookings: MessageReader<BookingRequest>,
    mut acute: MessageReader<AcuteEvent>,
    mut referrals: MessageWriter<Referral>,
    mut admissions: MessageWriter<AdmissionRequest>,
    mut charges: MessageWriter<Charge>,
) {
    let day = model.day;
    let params = model.params.clone();
    let now = levers.now();

    // 1. Bookings: agents' requests interleaved with background requests.
    let requests: Vec<BookingRequest> = bookings.read().copied().collect();
    let nf = params.facilities.len();
    let mut agents_left = vec![0u64; nf];
    for r in &requests {
        agents_left[r.visit.facility as usize] += 1;
    }
    let mut background_left = vec![0u64; nf];
    let mut mix_rng = Vec::with_capacity(nf);
    for (f, fp) in params.facilities.iter().enumerate() {
        let key = name_key(&fp.name);
        let mut rng = model.streams.stream(Purpose::BackgroundVisits, hash_words(&[key, u64::from(day.0)]));
        if let Ok(mut c) = clinics.get_mut(model.facilities[f]) {
            for book in c.0.iter_mut() {
                let n = poisson(&mut rng, book.background_mean(day));
                if book.kind == clinic_kind(fp.tier) {
                    // Booked below, interleaved with the agents' requests.
                    background_left[f] = n;
                } else {
                    // Other clinics of the facility (e.g. a hospital's GP clinic) serve
                    // background demand only.
                    book_background(book, fp.tier, n, &mut rec);
                }
            }
        }
        if fp.emergency_department {
            let n = poisson(&mut rng, fp.background_emergency_visits_per_day);
            rec.count(|k| k.emergency_visit(f, n));
        }
        mix_rng.push(model.streams.stream(Purpose::Booking, hash_words(&[key, u64::from(day.0)])));
    }
    let book_main = |f: usize, n: u64, clinics: &mut Query<&mut Clinics>, rec: &mut Recorder| {
        if n == 0 {
            return;
        }
        let tier = params.facilities[f].tier;
        let mut c = clinics.get_mut(model.facilities[f]).expect("facility entity");
        if let Some(book) = c.get_mut(clinic_kind(tier)) {
            book_background(book, tier, n, rec);
        }
    };
    for r in &requests {
        let f = r.visit.facility as usize;
        // Uniform random interleaving: the number of background requests ahead of this agent
        // is Binomial(background left, 1 / (agents left + 1)). A green-channel patient at the
        // lead hospital goes first.
        let green = params.facilities[f].tier == Tier::Lead
            && patients.get(r.patient).is_ok_and(|p| green_outpatient(p, r.visit, &now));
        let ahead = if background_left[f] > 0 && !green {
            Binomial::new(background_left[f], 1.0 / (agents_left[f] as f64 + 1.0))
                .expect("valid binomial")
                .sample(&mut mix_rng[f])
        } else {
            0
        };
        background_left[f] -= ahead;
        agents_left[f] -= 1;
        book_main(f, ahead, &mut clinics, &mut rec);
        let Ok(mut p) = patients.get_mut(r.patient) else { continue };
        if p.place != Place::Home {
            continue;
        }
        if book_visit(&mut p, r.patient, r.visit, day, &model, &now, &mut clinics, &mut cal, &mut rec)
            .is_none()
        {
            schedule_symptomatic(&mut p, r.patient, day.start(), &model, &mut cal);
        }
    }
    for (f, &n) in background_left.iter().enumerate() {
        book_main(f, n, &mut clinics, &mut rec);
    }

    // 2. Emergency departments.
    for a in acute.read() {
        let Ok(mut p) = patients.get_mut(a.patient) else { continue };
        let mut rng = care_rng(&mut p, &model);
        let ed = emergency_department(&model, p.home, &mut rng);
        let tier = model.tier(ed);
        rec.count(|k| k.emergency_visit(ed as usize, 1));
        charges.write(Charge {
            tier,
            scheme: p.scheme(),
            amount_yuan: params.facilities[ed as usize].visit_price_yuan,
            bypass: false,
        });
        let k = &params.conditions[a.condition as usize];
        p.complex_until = (day.0 + params.care.post_acute_complex_days).min(u32::from(u16::MAX)) as u16;
        p.last_facility = ed;
        let ward = model.ward(ed, WardKind::Medical);
        if let (true, Some(ward)) = (rng.random::<f64>() < k.acute_admission_share, ward) {
            p.place = Place::Waiting;
            cancel_pending_care(&mut p);
            admissions.write(AdmissionRequest {
                facility: ed,
                ward,
                arrival: Arrival {
                    time: a.time,
                    patient: a.patient,
                    priority: Priority::Emergency,
                    reason: Reason::Acute,
                    condition: a.condition,
                    stay_scale: 1.0,
                },
            });
        } else {
            // Treated and sent home: the emergency visit may bring the condition under control.
            if rng.random::<f64>() < capability(&model, now.learning, ed, a.condition as usize) {
                let mask = p.uncontrolled & !(1 << a.condition);
                set_uncontrolled(&mut p, mask, &mut census);
            }
            p.place = Place::Home;
            schedule_disease(&mut p, a.patient, a.time, &model, &mut cal);
            let follow = params.care.post_discharge_followup_days.round() as u32;
            schedule_care(&mut p, a.patient, day.plus(follow.max(1)), care_kind::POST_DISCHARGE, &mut cal);
        }
    }

    // 3. Today's visits.
    for e in cal.visits.take(day) {
        let visit = Visit::unpack(e.data);
        let Ok(mut p) = patients.get_mut(e.patient) else {
            rec.count(|k| k.no_shows[visit.facility as usize] += 1);
            continue;
        };
        if !is_pending_care(&p, &e) || p.place != Place::Booked {
            rec.count(|k| k.no_shows[visit.facility as usize] += 1);
            continue;
        }
        p.place = Place::Home;
        let f = &params.facilities[visit.facility as usize];
        let tier = f.tier;
        let sev = if visit.need == Need::Elective { Severity::Complex } else { p.severity(day) };
        let mut rng = care_rng(&mut p, &model);
        let expert = visit.expert && now.expert_sessions.is_some();
        rec.count(|k| {
            k.agent_visits[tier.index()] += 1;
            k.expert_visits += u64::from(expert);
        });
        let price = now.expert_sessions.filter(|_| expert).map_or(f.visit_price_yuan, |e| e.visit_price_yuan);
        let bypass = visit.channel != Channel::Referred;
        charges.write(Charge { tier, scheme: p.scheme(), amount_yuan: price, bypass });
        p.last_facility = visit.facility;

        // Treat every uncontrolled diagnosed condition (an expert treats like the lead hospital).
        let treating = if expert { model.lead() } else { visit.facility };
        let main_condition = p.main_condition();
        let open = p.uncontrolled_diagnosed();
        let still_open =
            treat(open, params.conditions.len(), |c| capability(&model, now.learning, treating, c), &mut rng);
        let mask = (p.uncontrolled & !open) | still_open;
        set_uncontrolled(&mut p, mask, &mut census);

        let mut refer = false;
        let mut admit: Option<(WardKind, Reason)> = None;
        let mut state_changed = still_open != open;
        if tier == Tier::Primary {
            if enrols_at_chc(&p, &params.care, &mut rng) {
                enrol(&mut p, &mut census);
                state_changed = true;
            }
            if p.has(ENROLLED) {
                p.followups = p.followups.saturating_add(1);
            }
            if open != 0 {
                p.trust = trust_after(p.trust, params.choice.trust_step, still_open == 0);
            }
            refer = chc_refers_up(sev, still_open, expert, &params.referral, &mut rng);
        } else {
            let policy = &model.policy;
            match after_hospital_visit(
                visit.need,
                sev,
                still_open,
                policy.complex_admission_share,
                policy.down_referral_propensity,
                &mut rng,
            ) {
                AfterHospitalVisit::Admit(kind, reason) => admit = Some((kind, reason)),
                AfterHospitalVisit::DownRefer => {
                    // The hospital sends the stable patient back to the home CHC, which becomes
                    // the facility of continuity.
                    p.last_facility = p.home;
                    rec.count(|k| k.referrals_down += 1);
                }
                AfterHospitalVisit::Home => {}
            }
        }

        if state_changed {
            // Hazards depend on control and enrolment: re-file the disease clock from the visit.
            schedule_disease(&mut p, e.patient, day.start().after(0.5), &model, &mut cal);
        }
        if refer {
            if completed(model.policy.referral_completion, &mut rng) {
                referrals.write(Referral {
                    patient: e.patient,
                    from: visit.facility,
                    need: visit.need,
                    condition: visit.condition,
                });
                p.place = Place::Referred; // until the referral stage books the hospital visit
                continue;
            }
            rec.count(|k| k.referrals_lost += 1);
        }
        if let Some((kind, reason)) = admit {
            let to = route(&model, now.bed_sinking, visit.facility, kind, p.home, &mut rng);
            if let Some(ward) = to.ward {
                let green = to.facility == model.lead()
                    && admission_priority(
                        now.green_channel,
                        visit.channel == Channel::Referred,
                        p.has(SIGNED),
                    );
                let time = day.start().after(rng.random::<f64>());
                p.place = Place::Waiting;
                cancel_pending_care(&mut p);
                cancel_disease_events(&mut p);
                admissions.write(AdmissionRequest {
                    facility: to.facility,
                    ward,
                    arrival: Arrival {
                        time,
                        patient: e.patient,
                        priority: priority_for(reason, green),
                        reason,
                        condition: if visit.need == Need::Elective {
                            visit.condition
                        } else {
                            main_condition
                        },
                        stay_scale: to.stay_scale,
                    },
                });
                continue;
            }
        }
        if still_open != 0 {
            schedule_symptomatic(&mut p, e.patient, day.start(), &model, &mut cal);
        } else {
            schedule_routine(&mut p, e.patient, day, &model, &mut cal);
        }
    }
}
