//! Changes of a patient's state that the cohort's running counts ([`Census`]) follow: every
//! change of control, enrolment, entry and death goes through here, so the counts stay exact.

use super::{Census, ENROLLED, Patient, SIGNED};

/// Sets the patient's uncontrolled set, keeping the census exact.
pub fn set_uncontrolled(p: &mut Patient, mask: u16, census: &mut Census) {
    let before = p.uncontrolled != 0;
    p.uncontrolled = mask;
    match (before, mask != 0) {
        (false, true) => census.uncontrolled += 1,
        (true, false) => census.uncontrolled -= 1,
        _ => {}
    }
}

/// Enrols the patient in chronic-disease management.
pub fn enrol(p: &mut Patient, census: &mut Census) {
    if !p.has(ENROLLED) {
        p.flags |= ENROLLED;
        census.enrolled += 1;
    }
}

/// Takes the patient out of chronic-disease management.
pub fn unenrol(p: &mut Patient, census: &mut Census) {
    if p.has(ENROLLED) {
        p.flags &= !ENROLLED;
        census.enrolled -= 1;
    }
}

/// Signs the patient with a family doctor.
pub fn sign(p: &mut Patient, census: &mut Census) {
    if !p.has(SIGNED) {
        p.flags |= SIGNED;
        census.signed += 1;
    }
}

/// Counts a patient entering the cohort.
pub fn count_entry(p: &Patient, census: &mut Census) {
    census.alive += 1;
    census.spawned += 1;
    if p.has(SIGNED) {
        census.signed += 1;
    }
    if p.uncontrolled != 0 {
        census.uncontrolled += 1;
    }
    if p.has(ENROLLED) {
        census.enrolled += 1;
    }
}

/// Removes a patient from the cohort's counts (the caller despawns it and records the death).
pub fn count_death(p: &Patient, census: &mut Census) {
    census.alive -= 1;
    census.died += 1;
    if p.has(SIGNED) {
        census.signed -= 1;
    }
    if p.uncontrolled != 0 {
        census.uncontrolled -= 1;
    }
    if p.has(ENROLLED) {
        census.enrolled -= 1;
    }
}
