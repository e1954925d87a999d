//! A patient's pending events: filing them in the day calendars, and cancelling them.
//!
//! Each patient has at most one live entry in each calendar: its next disease transition, its
//! next care need and its booked visit. An entry is never removed early; it carries the
//! patient's epoch for its calendar, and [`cancel_disease_events`] or [`cancel_pending_care`]
//! moves the epoch on, so that the old entry is skipped when its day comes
//! ([`super::calendar`]). Filing a new event cancels the pending one first.

use super::calendar::Entry;
use super::census::count_entry;
use super::rules::disease::total_hazard;
use super::{Calendars, Census, ENROLLED, Model, Patient, care_kind};
use crate::params::CareParams;
use crate::rng::{Purpose, Rng};
use crate::time::{Day, DayFraction, SimTime};
use bevy_ecs::entity::Entity;
use rand::RngExt;
use rand_distr::{Distribution, Exp};

/// Whether a disease-calendar entry is the patient's pending transition (not cancelled since).
pub fn is_pending_disease(p: &Patient, e: &Entry) -> bool {
    e.epoch == p.disease_epoch
}

/// Whether a care- or visit-calendar entry is the patient's pending care (not cancelled since).
pub fn is_pending_care(p: &Patient, e: &Entry) -> bool {
    e.epoch == p.care_epoch
}

/// Cancels the patient's pending disease transition (its clock pauses until one is filed again:
/// in hospital, or until the emergency department has decided).
pub fn cancel_disease_events(p: &mut Patient) {
    p.disease_epoch = p.disease_epoch.wrapping_add(1);
}

/// Cancels the patient's pending care need and booked visit (a booked visit not attended counts
/// as a no-show).
pub fn cancel_pending_care(p: &mut Patient) {
    p.care_epoch = p.care_epoch.wrapping_add(1);
}

/// Files the patient's next disease transition: the time to the next event of any kind is
/// exponential with the total hazard of the patient's current state; any change of state
/// re-files it (memorylessness makes that exact).
pub fn schedule_disease(p: &mut Patient, entity: Entity, now: SimTime, model: &Model, cal: &mut Calendars) {
    cancel_disease_events(p);
    let total = total_hazard(p, &model.params, &model.policy);
    if total <= 0.0 {
        return;
    }
    let mut rng = model.streams.patient(Purpose::Disease, p.id, p.disease_draws);
    p.disease_draws += 1;
    let dt = Exp::new(total).expect("positive hazard").sample(&mut rng);
    let mut t = now.after(dt);
    if t.0 >= f64::from(u32::MAX) {
        return;
    }
    // A transition that would fall later on a day whose disease events are already processed
    // (the state changed during that day) happens at the start of the next day instead.
    let open = cal.disease.first_open_day();
    if t.day() < open {
        t = open.start();
    }
    cal.disease.push(
        t.day(),
        Entry { patient: entity, data: DayFraction::of(t).0, epoch: p.disease_epoch, kind: 0 },
    );
}

/// Files a care need of `kind` on `day`, replacing any pending one.
pub fn schedule_care(p: &mut Patient, entity: Entity, day: Day, kind: u8, cal: &mut Calendars) {
    cancel_pending_care(p);
    let day = day.max(cal.care.first_open_day());
    cal.care.push(day, Entry { patient: entity, data: 0, epoch: p.care_epoch, kind });
}

/// Files the next routine follow-up of a diagnosed patient, `interval × U(0.8, 1.2)` days after
/// `day` (the interval depends on enrolment in chronic-disease management); an undiagnosed
/// patient has none, and any pending care need is cancelled.
pub fn schedule_routine(p: &mut Patient, entity: Entity, day: Day, model: &Model, cal: &mut Calendars) {
    if p.diagnosed == 0 {
        cancel_pending_care(p);
        return;
    }
    let interval = followup_interval(p, &model.params.care);
    let u: f64 = care_rng(p, model).random();
    let days = (interval * (0.8 + 0.4 * u)).round().max(1.0) as u32;
    schedule_care(p, entity, day.plus(days), care_kind::ROUTINE, cal);
}

/// Days between routine follow-ups: shorter for a patient in chronic-disease management.
fn followup_interval(p: &Patient, care: &CareParams) -> f64 {
    if p.has(ENROLLED) {
        care.enrolled_followup_interval_days
    } else {
        care.unenrolled_followup_interval_days
    }
}

/// Files a symptomatic visit after the usual delay between losing control and seeking care.
pub fn schedule_symptomatic(
    p: &mut Patient,
    entity: Entity,
    now: SimTime,
    model: &Model,
    cal: &mut Calendars,
) {
    let delay = Exp::new(1.0 / model.params.care.symptom_delay_days)
        .expect("positive delay")
        .sample(&mut care_rng(p, model));
    schedule_care(p, entity, now.after(delay).day().max(model.day.plus(1)), care_kind::SYMPTOMATIC, cal);
}

/// The patient's next care stream (choices, visit outcomes, referrals).
pub fn care_rng(p: &mut Patient, model: &Model) -> Rng {
    let rng = model.streams.patient(Purpose::Care, p.id, p.care_draws);
    p.care_draws += 1;
    rng
}

/// Counts a patient entering the cohort and files its disease clock and first care need: a
/// routine follow-up somewhere in its first interval for the initial cohort (`initial`), or
/// soon after onset for a newcomer.
pub fn file_first_events(
    p: &mut Patient,
    entity: Entity,
    model: &Model,
    cal: &mut Calendars,
    census: &mut Census,
    initial: bool,
) {
    count_entry(p, census);
    let now = if initial { SimTime(0.0) } else { model.day.start() };
    schedule_disease(p, entity, now, model, cal);
    if p.diagnosed != 0 {
        let care = &model.params.care;
        let interval = followup_interval(p, care);
        let u: f64 = care_rng(p, model).random();
        let first = if initial { u * interval } else { u * care.symptom_delay_days * 2.0 };
        schedule_care(p, entity, model.day.plus(first as u32), care_kind::ROUTINE, cal);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::calendar::DayCalendar;
    use crate::testing::patient;

    #[test]
    fn cancelled_events_are_skipped_and_refiled_ones_are_not() {
        let mut cal = Calendars {
            disease: DayCalendar::new(10),
            care: DayCalendar::new(10),
            visits: DayCalendar::new(10),
        };
        let mut p = patient(1, 0, 1);
        let who = Entity::from_raw_u32(7).expect("a valid index");
        schedule_care(&mut p, who, Day(3), care_kind::ROUTINE, &mut cal);
        cancel_pending_care(&mut p);
        schedule_care(&mut p, who, Day(3), care_kind::SYMPTOMATIC, &mut cal);
        let day3 = cal.care.take(Day(3));
        assert_eq!(day3.len(), 2, "entries are invalidated, not removed");
        let live: Vec<u8> = day3.iter().filter(|e| is_pending_care(&p, e)).map(|e| e.kind).collect();
        assert_eq!(live, vec![care_kind::SYMPTOMATIC], "only the last filing is pending");
        // A taken day is closed: a later filing for it goes to the first open day.
        schedule_care(&mut p, who, Day(2), care_kind::ROUTINE, &mut cal);
        assert_eq!(cal.care.take(Day(4)).len(), 1);
        cancel_disease_events(&mut p);
        let stale = Entry { patient: who, data: 0, epoch: p.disease_epoch.wrapping_sub(1), kind: 0 };
        assert!(!is_pending_disease(&p, &stale));
    }
}
