//! Running replications: one World per replication, replications in parallel with rayon.
//!
//! A replication's result depends only on the parameters and the replication number (its
//! streams are derived from the master seed and that number), so the results are the same
//! whatever the thread count; they are returned in replication order.

use crate::model::record::Recorder;
use crate::model::record::ReplicationResult;
use crate::model::schedule::schedule;
use crate::model::world::build_world;
use crate::model::{Census, Model};
use crate::params::Params;
use crate::time::Day;
use rayon::prelude::*;
use std::sync::Arc;

/// Runs replication `replication` of `params` to the end and returns its results.
pub fn run_replication(params: &Arc<Params>, replication: u32) -> ReplicationResult {
    run_replication_with(params, replication, |_| {})
}

/// As [`run_replication`], calling `after_day` with the world after every simulated day (for
/// tests that check invariants day by day).
pub fn run_replication_with(
    params: &Arc<Params>,
    replication: u32,
    mut after_day: impl FnMut(&mut bevy_ecs::world::World),
) -> ReplicationResult {
    let mut world = build_world(params.clone(), replication);
    let mut schedule = schedule(params);
    for d in 0..params.run.total_days() {
        world.resource_mut::<Model>().day = Day(d);
        schedule.run(&mut world);
        after_day(&mut world);
    }
    let census = world.resource::<Census>().clone();
    let rec = world.remove_resource::<Recorder>().expect("recorder");
    ReplicationResult { replication, metrics: rec.finish(params, &census), daily: rec.daily, census }
}

/// Runs `replications` (a list of replication numbers) in parallel, calling `done` as each
/// finishes (from any thread), and returns the results in the order given.
pub fn run_replications(
    params: &Arc<Params>,
    replications: &[u32],
    done: impl Fn(&ReplicationResult) + Sync,
) -> Vec<ReplicationResult> {
    replications
        .par_iter()
        .map(|&r| {
            let result = run_replication(params, r);
            done(&result);
            result
        })
        .collect()
}
