//! Running replications: one World per replication, replications in parallel with rayon.
//!
//! A replication's result depends only on the parameters and the replication number (its
//! streams are derived from the master seed and that number), so the results are the same
//! whatever the thread count; they are returned in replication order.

use crate::model::record::Recorder;
use crate::model::record::ReplicationResult;
use crate::model::schedule::schedule;
use crate::model::world::build_world;
use crate::model::{Census, Model, Patient};
use crate::params::Params;
use crate::time::Day;
use bevy_ecs::schedule::Schedule;
use bevy_ecs::world::World;
use rayon::prelude::*;
use std::sync::Arc;

/// One replication that can be stopped and looked at between days: built, run day by day up to
/// a chosen day, and ended at any day. A day depends only on the days before it, so a
/// replication ended early holds exactly what the full run held on that day.
pub struct Replication {
    params: Arc<Params>,
    replication: u32,
    world: World,
    schedule: Schedule,
    /// Days simulated so far (the next day to run).
    day: u32,
}

impl Replication {
    /// Builds replication `replication` of `params` (nothing simulated yet).
    pub fn new(params: &Arc<Params>, replication: u32) -> Replication {
        Replication {
            params: params.clone(),
            replication,
            world: build_world(params.clone(), replication),
            schedule: schedule(params),
            day: 0,
        }
    }

    /// The parameters it runs.
    pub fn params(&self) -> &Arc<Params> {
        &self.params
    }

    /// Days simulated so far, warm-up included.
    pub fn days_run(&self) -> u32 {
        self.day
    }

    /// Simulates up to day `end` (exclusive; at most the scenario's last day), calling
    /// `after_day` with the world after each day.
    pub fn run_until(&mut self, end: u32, mut after_day: impl FnMut(&mut World)) {
        let end = end.min(self.params.run.total_days());
        while self.day < end {
            self.world.resource_mut::<Model>().day = Day(self.day);
            self.schedule.run(&mut self.world);
            after_day(&mut self.world);
            self.day += 1;
        }
    }

    /// The results so far: the metrics of the days recorded up to now, as the full run's are
    /// computed (a management year appears once its 365 days are recorded), and the daily rows.
    pub fn results(&self) -> ReplicationResult {
        let census = self.world.resource::<Census>().clone();
        let rec = self.world.resource::<Recorder>();
        ReplicationResult {
            replication: self.replication,
            metrics: rec.finish(&self.params, &census),
            daily: rec.daily.clone(),
            census,
        }
    }

    /// Year-to-date estimates of the management year in progress (see
    /// [`Recorder::year_to_date`]): empty outside the recorded window or on a year's first day.
    pub fn year_to_date(&mut self) -> Vec<crate::model::record::Metric> {
        let mut q = self.world.query::<&Patient>();
        let patients: Vec<&Patient> = q.iter(&self.world).collect();
        self.world.resource::<Recorder>().year_to_date(&self.params, patients)
    }

    /// Ends the replication and returns its results (the recorder is moved out, not copied).
    pub fn finish(mut self) -> ReplicationResult {
        let census = self.world.resource::<Census>().clone();
        let rec = self.world.remove_resource::<Recorder>().expect("recorder");
        ReplicationResult {
            replication: self.replication,
            metrics: rec.finish(&self.params, &census),
            daily: rec.daily,
            census,
        }
    }
}

/// Runs replication `replication` of `params` to the end and returns its results.
pub fn run_replication(params: &Arc<Params>, replication: u32) -> ReplicationResult {
    run_replication_with(params, replication, |_| {})
}

/// As [`run_replication`], calling `after_day` with the world after every simulated day (for
/// tests that check invariants day by day).
pub fn run_replication_with(
    params: &Arc<Params>,
    replication: u32,
    after_day: impl FnMut(&mut World),
) -> ReplicationResult {
    let mut r = Replication::new(params, replication);
    r.run_until(params.run.total_days(), after_day);
    r.finish()
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
