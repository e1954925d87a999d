//! Start of day: moves every appointment book to today; after the levers have switched on,
//! re-files the disease clocks when the hazards change today.
//!
//! Reads no messages; changes `Clinics`, and on a day the hazards change the screening rates in
//! force and every patient's disease clock. (The message buffers are swapped just before, by
//! bevy's `message_update_system`.)

use crate::model::events::schedule_disease;
use crate::model::policy::screen_rates;
use crate::model::{Calendars, Clinics, Model, Patient, Place};
use bevy_ecs::prelude::*;

pub fn start_day(model: Res<Model>, mut clinics: Query<&mut Clinics>) {
    for mut c in &mut clinics {
        for book in c.0.iter_mut() {
            book.advance_to(model.day);
        }
    }
}

/// Screening campaigns that start today, or a lever that changes the hazards (a health-check
/// drive), change every eligible patient's hazards: the screening rates in force are recomputed
/// and the disease clocks of patients whose clock runs (at home or booked) are re-filed. Runs on
/// those days only ([`hazards_change_on`]).
pub fn refile_disease_clocks(
    mut model: ResMut<Model>,
    mut cal: ResMut<Calendars>,
    mut patients: Query<(Entity, &mut Patient)>,
) {
    let model = &mut *model;
    model.policy.screen_rate = screen_rates(&model.params, model.day.0);
    let now = model.day.start();
    for (entity, mut patient) in &mut patients {
        if matches!(patient.place, Place::Home | Place::Booked) {
            schedule_disease(&mut patient, entity, now, model, &mut cal);
        }
    }
}

/// A run condition: today is one of `days`.
pub fn hazards_change_on(days: Vec<u32>) -> impl FnMut(Res<Model>) -> bool + Clone {
    move |model: Res<Model>| days.contains(&model.day.0)
}
