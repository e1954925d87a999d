//! The daily schedule: one system per stage, in the order of DESIGN.md section 3.3.

use super::Phase;
use super::systems::{admission, choice, demand, disease, outpatient, payment, referral, start};
use super::{record, switch_on};
use bevy_ecs::message::message_update_system;
use bevy_ecs::prelude::*;
use bevy_ecs::schedule::{LogLevel, ScheduleBuildSettings};

/// The daily schedule: one system per stage, chained, single-threaded, with ambiguity detection
/// set to error so that any unordered pair of conflicting systems fails the build.
pub fn schedule() -> Schedule {
    let mut s = Schedule::default();
    s.set_build_settings(ScheduleBuildSettings {
        ambiguity_detection: LogLevel::Error,
        ..Default::default()
    });
    s.configure_sets(
        (
            Phase::Start,
            Phase::Disease,
            Phase::Demand,
            Phase::Choice,
            Phase::Outpatient,
            Phase::Referral,
            Phase::Admission,
            Phase::Payment,
            Phase::Record,
        )
            .chain(),
    );
    s.add_systems((
        (message_update_system, start::start_day, switch_on::apply_policies).chain().in_set(Phase::Start),
        disease::disease.in_set(Phase::Disease),
        demand::demand.in_set(Phase::Demand),
        choice::choice.in_set(Phase::Choice),
        outpatient::outpatient.in_set(Phase::Outpatient),
        referral::referral.in_set(Phase::Referral),
        admission::admission.in_set(Phase::Admission),
        payment::payment.in_set(Phase::Payment),
        record::record.in_set(Phase::Record),
    ));
    s
}
