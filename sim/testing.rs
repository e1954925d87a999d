//! Fixtures for the library's unit tests.

use crate::model::{NO_FACILITY, Patient, Place};
use crate::params::Params;
use std::path::Path;

/// The validated parameters of `scenarios/small.toml` (the baseline ÷ 40).
pub fn small() -> Params {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/small.toml");
    crate::scenario::load(&path).expect("small.toml loads").params
}

/// A patient at home with the given condition sets (bit c = condition c), nothing else set.
pub fn patient(conditions: u16, uncontrolled: u16, diagnosed: u16) -> Patient {
    Patient {
        id: 0,
        disease_draws: 0,
        care_draws: 0,
        bypass: 0.0,
        trust: 0.5,
        conditions,
        diagnosed,
        uncontrolled,
        home: 0,
        last_facility: NO_FACILITY,
        complex_until: 0,
        disease_epoch: 0,
        care_epoch: 0,
        age_band: 0,
        flags: 0,
        place: Place::Home,
        followups: 0,
    }
}
