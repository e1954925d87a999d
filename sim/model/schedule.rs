//! The daily schedule: one system per stage, in the order of DESIGN.md section 3.3, with the
//! levers a scenario sets switching on at the start of the day.

use super::Phase;
use super::record;
use super::systems::{admission, choice, demand, disease, outpatient, payment, referral, start};
use crate::levers;
use crate::params::Params;
use bevy_ecs::message::message_update_system;
use bevy_ecs::prelude::*;
use bevy_ecs::schedule::{LogLevel, ScheduleBuildSettings};

/// The steps of the day's first phase, in order: the books move to today, each lever's
/// switch-on (by its position in [`levers::REGISTRY`]), then the disease clocks are re-filed if
/// the hazards changed.
#[derive(SystemSet, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StartStep {
    Books,
    Lever(usize),
    Hazards,
}

/// The daily schedule of a replication of `params`: one system per stage, chained,
/// single-threaded, with ambiguity detection set to error so that any unordered pair of
/// conflicting systems fails the build. Only the levers the scenario sets have systems, each
/// with a run condition (its switch-on day, or every day for CHC learning).
pub fn schedule(params: &Params) -> Schedule {
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
    let mut steps = vec![StartStep::Books];
    steps.extend((0..levers::REGISTRY.len()).map(StartStep::Lever));
    steps.push(StartStep::Hazards);
    for pair in steps.windows(2) {
        s.configure_sets(pair[1].in_set(Phase::Start).after(pair[0]));
    }
    s.configure_sets(StartStep::Books.in_set(Phase::Start));
    s.add_systems((
        (message_update_system, start::start_day).chain().in_set(StartStep::Books),
        disease::disease.in_set(Phase::Disease),
        demand::demand.in_set(Phase::Demand),
        (choice::choice, choice::residents_choose).chain().in_set(Phase::Choice),
        outpatient::outpatient.in_set(Phase::Outpatient),
        referral::referral.in_set(Phase::Referral),
        admission::admission.in_set(Phase::Admission),
        payment::payment.in_set(Phase::Payment),
        record::record.in_set(Phase::Record),
    ));
    for (i, systems) in levers::systems(params) {
        s.add_systems(systems.in_set(StartStep::Lever(i)));
    }
    let mut days: Vec<u32> =
        params.screening.campaigns.iter().map(|k| k.start_day).filter(|&d| d > 0).collect();
    days.extend(levers::hazard_change_days(params));
    if !days.is_empty() {
        s.add_systems(
            start::refile_disease_clocks.run_if(start::hazards_change_on(days)).in_set(StartStep::Hazards),
        );
    }
    s
}
