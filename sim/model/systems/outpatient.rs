//! Outpatient: bookings, emergency departments, and today's visits.
//!
//! Reads `BookingRequest` (from choice), `AcuteEvent` (from disease) and the visit calendar;
//! writes `Referral` (up-referrals, to referral), `AdmissionRequest` (to admission) and `Charge`
//! (to payment); changes `Patient` and `Clinics`.
//!
//! Booking: each clinic's queue of the day holds the agents' requests, the visits residents
//! without a chronic condition chose there ([`crate::model::residents`]) and non-residents'
//! visits (Poisson, mean by weekday), in a uniformly random order (green-channel patients first
//! at the lead hospital). Every request books the earliest day with a free slot within its wait
//! tolerance (`care.wait_tolerance_days`); one that finds none chooses again among its other
//! options, and one that finds none there either is forgone (counted; a chronic patient's need
//! comes back later). A resident's visit at a CHC may be referred up (complex, or not resolved:
//! `residents.capability`), and a complex one at a member hospital may be referred to the lead;
//! that is drawn at booking and taken by the referral stage on the visit day. Visits: a visit treats every uncontrolled diagnosed condition, each brought under control
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

use crate::levers::global_budget::response;
use crate::levers::green_channel::{admission_priority, outpatient_priority};
use crate::levers::{InForce, Now};
use crate::model::census::{enrol, set_uncontrolled};
use crate::model::events::{
    cancel_disease_events, cancel_pending_care, care_rng, is_pending_care, schedule_care, schedule_disease,
    schedule_routine, schedule_symptomatic,
};
use crate::model::record::Recorder;
use crate::model::residents::{
    COMPLEX, Request, ResidentReferral, Residents, SYMPTOMATIC, clinic_slot, refers_up,
};
use crate::model::rules::admission::{emergency_department, priority_for, route};
use crate::model::rules::choice::{Chooser, Opt, options, pick, published_wait};
use crate::model::rules::referral::{AfterHospitalVisit, after_hospital_visit, chc_refers_up, completed};
use crate::model::rules::treatment::{capability, enrols_at_chc, treat, trust_after};
use crate::model::ward::{Arrival, Reason};
use crate::model::*;
use crate::params::{ClinicKind, Priority, WardKind};
use crate::rng::{Purpose, Rng, hash_words, name_key};
use rand::RngExt;
use rand_distr::{Binomial, Distribution, Poisson};

/// Draws a Poisson count with mean `mean` (0 when the mean is 0).
pub fn poisson(rng: &mut crate::rng::Rng, mean: f64) -> u64 {
    if mean > 0.0 { Poisson::new(mean).expect("positive mean").sample(rng) as u64 } else { 0 }
}

/// The last day a request of severity `sev` made for `earliest` is willing to wait for.
pub fn latest_day(model: &Model, sev: Severity, earliest: Day) -> Day {
    Day(earliest.0.saturating_add(model.params.care.wait_tolerance_days[sev as usize]))
}

/// Books `visit` for the patient today, between `earliest` and `latest`; returns the visit
/// day, or `None` if the clinic has no slot in that window. Referred and green-channel patients
/// may use slots held for referrals. Records the wait.
#[allow(clippy::too_many_arguments)] // the patient, the visit, and the state a booking touches
pub fn book_visit(
    p: &mut Patient,
    entity: Entity,
    visit: Visit,
    earliest: Day,
    latest: Day,
    model: &Model,
    now: &Now,
    clinics: &mut Query<&mut Clinics>,
    cal: &mut Calendars,
    rec: &mut Recorder,
) -> Option<Day> {
    let mut c = clinics.get_mut(model.facilities[visit.facility as usize]).ok()?;
    let book = c.get_mut(visit.clinic)?;
    book_in(p, entity, visit, earliest, latest, model, now, book, cal, rec)
}

/// Books `visit` in `book` (the clinic it chose) between `earliest` and `latest`; see
/// [`book_visit`].
#[allow(clippy::too_many_arguments)] // the patient, the visit, and the state a booking touches
fn book_in(
    p: &mut Patient,
    entity: Entity,
    visit: Visit,
    earliest: Day,
    latest: Day,
    model: &Model,
    now: &Now,
    book: &mut crate::model::clinic::SlotBook,
    cal: &mut Calendars,
    rec: &mut Recorder,
) -> Option<Day> {
    let tier = model.tier(visit.facility);
    let earliest = earliest.max(cal.visits.first_open_day());
    let held = (visit.channel == Channel::Referred && model.holds_for(p.home, visit.facility))
        || (tier == Tier::Lead && green_outpatient(p, visit, now, model));
    let booked =
        if held { book.book_referred_between(earliest, latest) } else { book.book_between(earliest, latest) };
    let day = booked?;
    // The wait runs from the first day the visit could take place: today for a request, the end
    // of the processing time for a referral (reported apart).
    let wait = f64::from(day.0 - earliest.0.max(model.day.0));
    let catchment = model.catchment[p.home as usize];
    rec.count(|k| {
        k.outpatient_wait(tier, visit.channel, wait, 1);
        k.equity_wait(catchment, p.scheme(), wait);
    });
    p.place = Place::Booked;
    cal.visits
        .push(day, calendar::Entry { patient: entity, data: visit.pack(), epoch: p.care_epoch, kind: 0 });
    Some(day)
}

/// A patient who found no slot within the wait tolerance at any option forgoes the visit
/// (counted); the need comes back: a routine follow-up one interval later, symptoms after the
/// usual delay.
fn forgo(
    p: &mut Patient,
    entity: Entity,
    sev: Severity,
    model: &Model,
    cal: &mut Calendars,
    rec: &mut Recorder,
) {
    let catchment = model.catchment[p.home as usize];
    let scheme = p.scheme();
    rec.count(|k| k.forgone(true, catchment, scheme));
    if sev == Severity::Routine {
        // The missed follow-up lapses management until the next visit: the disease clock runs
        // faster from now (the unmanaged loss-of-control rate).
        if p.has(ENROLLED) && !p.has(LAPSED) {
            p.flags |= LAPSED;
            schedule_disease(p, entity, model.day.start(), model, cal);
        }
        schedule_routine(p, entity, model.day, model, cal);
    } else {
        schedule_symptomatic(p, entity, model.day.start(), model, cal);
    }
}

/// Whether the patient books this visit through the green channel.
fn green_outpatient(p: &Patient, visit: Visit, now: &Now, model: &Model) -> bool {
    // A lead's green channel is for its own group's patients.
    visit.facility == model.lead_of(p.home)
        && outpatient_priority(now.green_channel, visit.channel == Channel::Referred, p.has(SIGNED))
}

/// One place in a clinic's booking queue that is not an agent: a resident's visit or a
/// non-resident's.
#[derive(Debug, Clone, Copy)]
enum Anonymous {
    Resident(Request),
    Nonresident,
}

/// Charges of residents' visits of the day, summed by tier, scheme, referral and catchment
/// (one `Charge` message each).
struct ResidentCharges {
    catchments: usize,
    sums: Vec<(f64, u64)>,
}

impl ResidentCharges {
    fn new(catchments: usize) -> ResidentCharges {
        ResidentCharges { catchments, sums: vec![(0.0, 0); 3 * 2 * 2 * catchments.max(1)] }
    }

    fn add(&mut self, tier: Tier, scheme: crate::params::Scheme, bypass: bool, catchment: u16, price: f64) {
        let i = ((tier.index() * 2 + scheme as usize) * 2 + usize::from(bypass)) * self.catchments
            + catchment as usize;
        let c = &mut self.sums[i];
        c.0 += price;
        c.1 += 1;
    }

    fn charges(&self) -> impl Iterator<Item = Charge> + '_ {
        self.sums.iter().enumerate().filter(|(_, c)| c.1 > 0).map(|(i, &(amount_yuan, visits))| {
            let catchment = (i % self.catchments) as u16;
            let rest = i / self.catchments;
            let bypass = rest % 2 == 1;
            let scheme = if (rest / 2).is_multiple_of(2) {
                crate::params::Scheme::Employee
            } else {
                crate::params::Scheme::Resident
            };
            Charge {
                tier: Tier::ALL[rest / 4],
                scheme,
                amount_yuan,
                bypass,
                chronic: false,
                catchment,
                visits,
                self_paid_share: 0.0,
            }
        })
    }
}

/// Books a resident's visit at `o` between its earliest day and its tolerance; on success records
/// the wait, the charge and (for a visit that is not itself referred) whether the visit will be
/// referred up, drawn now and taken by the referral stage on the visit day. Returns whether a
/// slot was found.
#[allow(clippy::too_many_arguments)] // the request, where it books, and the state a booking touches
fn book_resident(
    req: &Request,
    o: Opt,
    book: &mut crate::model::clinic::SlotBook,
    model: &Model,
    now: &Now,
    residents: &Residents,
    referrals: &mut Vec<(u32, ResidentReferral)>,
    charges: &mut ResidentCharges,
    rng: &mut Rng,
    rec: &mut Recorder,
) -> bool {
    let params = &model.params;
    let sev = if req.complex { Severity::Complex } else { Severity::Symptomatic };
    let earliest = Day(req.earliest.max(model.day.0));
    let latest = latest_day(model, sev, earliest);
    let referred = req.channel == Channel::Referred;
    let s = &residents.strata[req.stratum as usize];
    let g = &residents.groups[s.group as usize];
    let booked = if referred && model.holds_for(g.chooser.home, o.facility) {
        book.book_referred_between(earliest, latest)
    } else {
        book.book_between(earliest, latest)
    };
    let Some(day) = booked else { return false };
    let f = &params.facilities[o.facility as usize];
    let wait = f64::from(day.0 - earliest.0);
    rec.count(|k| {
        k.outpatient_wait(f.tier, req.channel, wait, 1);
        k.equity_wait(g.catchment, g.chooser.scheme, wait);
        k.resident_visits[f.tier.index()] += 1;
        if model.crosses(g.chooser.home, o.facility) {
            k.cross_group_visit(g.catchment);
        }
    });
    let price = now
        .expert_clinics
        .and_then(|e| e.at(o.facility))
        .filter(|_| o.expert())
        .unwrap_or(f.visit_price_yuan);
    charges.add(f.tier, g.chooser.scheme, !referred, g.catchment, price);
    if !referred && refers_up(f.tier, req.complex, o.expert(), params, rng.random()) {
        if completed(model.policy.referral_completion, rng) {
            referrals.push((day.0, ResidentReferral { stratum: req.stratum, from: o.facility }));
        } else {
            rec.count(|k| k.referrals_lost += 1);
        }
    }
    true
}

#[allow(clippy::too_many_arguments)] // one parameter per resource and message stream this stage uses
pub fn outpatient(
    model: Res<Model>,
    levers: InForce,
    mut cal: ResMut<Calendars>,
    mut census: ResMut<Census>,
    mut rec: ResMut<Recorder>,
    mut residents: Option<ResMut<Residents>>,
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

    // 1. Bookings. Each clinic's queue of the day: agents' requests in their order, interleaved
    // uniformly at random with residents' and non-residents' visits (a green-channel patient at
    // the lead hospital goes first); every request books the earliest slot within its wait
    // tolerance. Requests that find none choose again among their other options (second round,
    // after every clinic's first); what still finds none is forgone.
    let requests: Vec<BookingRequest> = bookings.read().copied().collect();
    let nf = params.facilities.len();
    let kinds = ClinicKind::ALL.len();
    let mut agents_at: Vec<Vec<usize>> = vec![Vec::new(); nf * kinds];
    for (i, r) in requests.iter().enumerate() {
        agents_at[clinic_slot(r.visit.facility, r.visit.clinic)].push(i);
    }
    let mut resident_referrals: Vec<(u32, ResidentReferral)> = Vec::new();
    let mut resident_charges = ResidentCharges::new(params.chcs().len());
    // Second round: agents (request index, option tried) and residents (request with `tried`).
    let mut agents_again: Vec<(usize, Opt)> = Vec::new();
    let mut residents_again: Vec<Request> = Vec::new();
    let mut rngs: Vec<Rng> = Vec::with_capacity(nf);
    for (f, fp) in params.facilities.iter().enumerate() {
        let key = name_key(&fp.name);
        let mut arrivals =
            model.streams.stream(Purpose::NonresidentVisits, hash_words(&[key, u64::from(day.0)]));
        let mut rng = model.streams.stream(Purpose::Booking, hash_words(&[key, u64::from(day.0)]));
        if fp.emergency_department {
            let n = poisson(&mut arrivals, fp.nonresident_emergency_visits_per_day);
            rec.count(|k| {
                k.emergency_visit(f, n);
                k.nonresident_visits[fp.tier.index()] += n;
            });
        }
        let Ok(mut c) = clinics.get_mut(model.facilities[f]) else {
            rngs.push(rng);
            continue;
        };
        for book in c.0.iter_mut() {
            let slot = clinic_slot(f as u16, book.kind);
            let o = Opt { facility: f as u16, clinic: book.kind };
            let mut queue: Vec<Anonymous> = residents
                .as_mut()
                .map(|r| std::mem::take(&mut r.today[slot]))
                .unwrap_or_default()
                .into_iter()
                .map(Anonymous::Resident)
                .collect();
            let m = poisson(&mut arrivals, book.nonresident_mean(day));
            queue.extend((0..m).map(|_| Anonymous::Nonresident));
            // Fisher–Yates: the queue's order is uniform.
            for i in (1..queue.len()).rev() {
                let j = rng.random_range(0..=i);
                queue.swap(i, j);
            }
            // Priority classes book first: green-channel patients at the lead hospital, and signed
            // patients at a CHC whose family doctors give them priority. Within a class the order
            // is uniform; both partitions are stable.
            let signed_first = book.signed_priority;
            let (mut queue, rest): (Vec<Anonymous>, Vec<Anonymous>) = queue.into_iter().partition(|a| {
                signed_first && matches!(a, Anonymous::Resident(r) if r.channel == Channel::Signed)
            });
            let queue_split = queue.len();
            queue.extend(rest);
            let agent_first = |i: usize| {
                let r = &requests[i];
                if fp.tier == Tier::Lead {
                    patients.get(r.patient).is_ok_and(|p| green_outpatient(p, r.visit, &now, &model))
                } else {
                    signed_first && r.visit.channel == Channel::Signed
                }
            };
            let (mut agents, rest): (Vec<usize>, Vec<usize>) =
                std::mem::take(&mut agents_at[slot]).into_iter().partition(|&i| agent_first(i));
            let agent_split = agents.len();
            agents.extend(rest);
            let mut next;
            let mut book_anonymous = |k: usize,
                                      next: &mut usize,
                                      book: &mut crate::model::clinic::SlotBook,
                                      rng: &mut Rng,
                                      rec: &mut Recorder| {
                for a in &queue[*next..*next + k] {
                    match a {
                        Anonymous::Nonresident => match book.book() {
                            Some(d) => rec.count(|c| {
                                c.outpatient_wait(fp.tier, Channel::Nonresident, f64::from(d.0 - day.0), 1);
                                c.nonresident_visits[fp.tier.index()] += 1;
                            }),
                            None => rec.count(|c| c.unserved_requests += 1),
                        },
                        Anonymous::Resident(req) => {
                            let r = residents.as_deref().expect("residents queued a visit");
                            if !book_resident(
                                req,
                                o,
                                book,
                                &model,
                                &now,
                                r,
                                &mut resident_referrals,
                                &mut resident_charges,
                                rng,
                                rec,
                            ) {
                                residents_again.push(Request { tried: Some(o), ..*req });
                            }
                        }
                    }
                }
                *next += k;
            };
            let classes =
                [(0..agent_split, 0..queue_split), (agent_split..agents.len(), queue_split..queue.len())];
            for (agent_range, queue_range) in classes {
                next = queue_range.start;
                let mut agents_left = agent_range.len() as u64;
                for &i in &agents[agent_range] {
                    let left = (queue_range.end - next) as u64;
                    // Uniform random interleaving: the number of other requests of the class ahead
                    // of this agent is Binomial(left, 1 / (agents left + 1)).
                    let ahead = if left > 0 {
                        Binomial::new(left, 1.0 / (agents_left as f64 + 1.0))
                            .expect("valid binomial")
                            .sample(&mut rng) as usize
                    } else {
                        0
                    };
                    agents_left -= 1;
                    book_anonymous(ahead, &mut next, book, &mut rng, &mut rec);
                    let r = requests[i];
                    let Ok(mut p) = patients.get_mut(r.patient) else { continue };
                    if p.place != Place::Home {
                        continue;
                    }
                    let sev =
                        if r.visit.need == Need::Elective { Severity::Complex } else { p.severity(day) };
                    if book_in(
                        &mut p,
                        r.patient,
                        r.visit,
                        day,
                        latest_day(&model, sev, day),
                        &model,
                        &now,
                        book,
                        &mut cal,
                        &mut rec,
                    )
                    .is_none()
                    {
                        agents_again.push((i, o));
                    }
                }
                let rest = queue_range.end - next;
                book_anonymous(rest, &mut next, book, &mut rng, &mut rec);
            }
        }
        rngs.push(rng);
    }

    // Second round: a second choice, leaving out the option found full.
    for (i, tried) in agents_again {
        let r = requests[i];
        let Ok(mut p) = patients.get_mut(r.patient) else { continue };
        if p.place != Place::Home {
            continue;
        }
        let sev = if r.visit.need == Need::Elective { Severity::Complex } else { p.severity(day) };
        let chooser = Chooser::of(&p);
        let opts = options(&chooser, sev, &model, &now, false);
        let u: f64 = care_rng(&mut p, &model).random();
        let second = {
            let wait = |o: Opt| published_wait(o, clinics.get(model.facilities[o.facility as usize]).ok());
            pick(&chooser, opts.as_slice(), Some(tried), sev, false, u, &model, &now, &wait)
        };
        let booked = second.and_then(|o| {
            let channel =
                if o.facility == p.home && p.has(SIGNED) { Channel::Signed } else { Channel::SelfReferred };
            let visit = Visit { facility: o.facility, clinic: o.clinic, channel, ..r.visit };
            book_visit(
                &mut p,
                r.patient,
                visit,
                day,
                latest_day(&model, sev, day),
                &model,
                &now,
                &mut clinics,
                &mut cal,
                &mut rec,
            )
        });
        if booked.is_none() {
            forgo(&mut p, r.patient, sev, &model, &mut cal, &mut rec);
        }
    }
    if let Some(res) = residents.as_deref_mut() {
        for req in residents_again {
            let s = &res.strata[req.stratum as usize];
            let g = &res.groups[s.group as usize];
            let table = &g.tables[if req.complex { COMPLEX } else { SYMPTOMATIC }];
            let rng = &mut rngs[req.tried.map_or(0, |o| usize::from(o.facility))];
            let booked = table.draw(rng.random(), req.tried).is_some_and(|o| {
                let Ok(mut c) = clinics.get_mut(model.facilities[o.facility as usize]) else { return false };
                let Some(book) = c.get_mut(o.clinic) else { return false };
                let req = Request { channel: crate::model::residents::channel(&g.chooser, o), ..req };
                book_resident(
                    &req,
                    o,
                    book,
                    &model,
                    &now,
                    res,
                    &mut resident_referrals,
                    &mut resident_charges,
                    rng,
                    &mut rec,
                )
            });
            if !booked {
                let (catchment, scheme) = (g.catchment, g.chooser.scheme);
                rec.count(|k| k.forgone(false, catchment, scheme));
            }
        }
        let h = res.referrals.len() as u32;
        for (d, r) in resident_referrals {
            res.referrals[(d % h) as usize].push(r);
        }
    }
    for c in resident_charges.charges() {
        charges.write(c);
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
            chronic: true,
            catchment: model.catchment[p.home as usize],
            visits: 1,
            self_paid_share: 0.0,
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
                    patient: Some(a.patient),
                    priority: Priority::Emergency,
                    reason: Reason::Acute,
                    condition: a.condition,
                    stay_scale: 1.0,
                    stay_offset: 0.0,
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
        // Seen again: a lapse in management ends (the disease clock is re-filed below).
        let lapse_ended = p.has(LAPSED);
        p.flags &= !LAPSED;
        let expert_price = now.expert_clinics.and_then(|e| e.at(visit.facility)).filter(|_| visit.expert());
        let expert = expert_price.is_some();
        let crosses = model.crosses(p.home, visit.facility);
        let catchment = model.catchment[p.home as usize];
        rec.count(|k| {
            k.agent_visits[tier.index()] += 1;
            if crosses {
                k.cross_group_visit(catchment);
            }
        });
        let price = expert_price.unwrap_or(f.visit_price_yuan);
        let bypass = visit.channel != Channel::Referred;
        charges.write(Charge {
            tier,
            scheme: p.scheme(),
            amount_yuan: price,
            bypass,
            chronic: true,
            catchment: model.catchment[p.home as usize],
            visits: 1,
            self_paid_share: 0.0,
        });
        p.last_facility = visit.facility;

        // Treat every uncontrolled diagnosed condition (an expert treats like the lead hospital).
        let treating = if expert { model.lead_of(p.home) } else { visit.facility };
        let main_condition = p.main_condition();
        let open = p.uncontrolled_diagnosed();
        let still_open =
            treat(open, params.conditions.len(), |c| capability(&model, now.learning, treating, c), &mut rng);
        let mask = (p.uncontrolled & !open) | still_open;
        set_uncontrolled(&mut p, mask, &mut census);

        let mut refer = false;
        let mut down = false;
        let mut admit: Option<(WardKind, Reason)> = None;
        let mut state_changed = still_open != open || lapse_ended;
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
            // A global budget's responses, at the group's pressure today (1 without one).
            let (complex_m, down_m) = now.global_budget.map_or((1.0, 1.0), |b| {
                let pressure = policy.budget_pressure();
                (
                    response(b.complex_admission_multiplier, pressure),
                    response(b.down_referral_multiplier, pressure),
                )
            });
            match after_hospital_visit(
                visit.need,
                sev,
                still_open,
                (policy.complex_admission_share * complex_m).min(1.0),
                (policy.down_referral_propensity * down_m).min(1.0),
                &mut rng,
            ) {
                AfterHospitalVisit::Admit(kind, reason) => admit = Some((kind, reason)),
                AfterHospitalVisit::DownRefer => {
                    // The hospital sends the stable patient back to the home CHC, which becomes
                    // the facility of continuity, and books the follow-up there.
                    p.last_facility = p.home;
                    down = true;
                    let platform = model.policy.platform;
                    rec.count(|k| {
                        k.referrals_down += 1;
                        k.referrals_down_by_route[usize::from(!platform)] += 1;
                    });
                }
                AfterHospitalVisit::Home => {
                    // A member hospital refers a complex case it could not resolve to the lead.
                    refer = tier == Tier::Member
                        && sev == Severity::Complex
                        && still_open != 0
                        && rng.random::<f64>() < params.referral.member_up_referral_propensity;
                }
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
                if to.sunk {
                    rec.count(|k| k.shared_received[to.facility as usize][0] += 1);
                }
                let green = to.facility == model.lead_of(p.home)
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
                        patient: Some(e.patient),
                        priority: priority_for(reason, green),
                        reason,
                        condition: if visit.need == Need::Elective {
                            visit.condition
                        } else {
                            main_condition
                        },
                        stay_scale: to.stay_scale,
                        stay_offset: 0.0,
                    },
                });
                continue;
            }
        }
        if down {
            // The down-referral books the CHC follow-up: the first slot from the usual
            // post-visit follow-up day, within the routine tolerance.
            let follow = params.care.post_discharge_followup_days.round().max(1.0) as u32;
            let channel = if p.has(SIGNED) { Channel::Signed } else { Channel::SelfReferred };
            let visit = Visit {
                facility: p.home,
                channel,
                need: Need::Care,
                condition: main_condition,
                clinic: ClinicKind::GeneralPractice,
            };
            let earliest = day.plus(follow);
            let latest = latest_day(&model, Severity::Routine, earliest);
            cancel_pending_care(&mut p);
            if book_visit(
                &mut p,
                e.patient,
                visit,
                earliest,
                latest,
                &model,
                &now,
                &mut clinics,
                &mut cal,
                &mut rec,
            )
            .is_some()
            {
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
