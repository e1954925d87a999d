//! Start of day: moves every appointment book to today.
//!
//! Reads no messages; changes `Clinics`. (The message buffers are swapped just before, by
//! bevy's `message_update_system`.)

use crate::model::{Clinics, Model};
use bevy_ecs::prelude::*;

pub fn start_day(model: Res<Model>, mut clinics: Query<&mut Clinics>) {
    for mut c in &mut clinics {
        for book in c.0.iter_mut() {
            book.advance_to(model.day);
        }
    }
}
