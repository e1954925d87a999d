//! An operating list: elective cases booked onto a waiting list and called in by the theatre's
//! sessions.
//!
//! Each day, in order: the day's bookings by patients who are not agents arrive (Poisson), each
//! joining the list unless the list's published wait is longer than the wait the booker accepts
//! (an exponential law with mean `wait_tolerance_days`; such a booker goes elsewhere and is
//! counted as turned away); agents' bookings have joined during the day. Then the theatre plans the
//! operating day `preop_days` ahead: its capacity is the weekday's sessions × cases per session;
//! the day's emergency operations (Poisson) take theirs first; the rest goes to the head of the
//! list, first come first served. A case called in may be cancelled (probability
//! `cancellation_probability`): it keeps its place at the head of the list and its slot is lost.
//! The others are admitted to the ward today for an operation `preop_days` later; their stay is
//! the pre-operative days plus a post-operative part drawn from the ward's law, scaled so that
//! the mean stay is the ward's.
//!
//! With no emergencies, cancellations, pre-operative days or turning away, the list at the end
//! of a day follows Q(t+1) = max(Q(t) + A(t) − S, 0) exactly (tested against its Markov chain,
//! `analysis::queueing::DailyList`). The list's wait is counted from booking to operation day.
//!
//! Draws come from the theatre's own stream; a case's place never depends on anything but the
//! order of bookings.

use crate::params::{Priority, TheatreParams};
use crate::rng::Rng;
use crate::time::{Day, SimTime};
use bevy_ecs::entity::Entity;
use rand::RngExt;
use rand_distr::{Distribution, Poisson};
use std::collections::VecDeque;

use super::ward::{Arrival, Reason};

/// Longest wait the histogram of waits holds day by day; longer waits share its last bin.
pub const WAIT_BINS: usize = 1_096;

/// A case on the list.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Case {
    pub booked: Day,
    /// The agent, or `None` for a booking by a patient who is not an agent.
    pub patient: Option<Entity>,
    pub condition: u8,
    /// Multiplies the post-operative stay drawn (1 normally; a case routed from another ward
    /// keeps that ward's mean stay).
    pub stay_scale: f32,
}

/// What the list did since the counters were last taken.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TheatreCounters {
    pub bookings: u64,
    /// Bookings by non-agents that did not join because the published wait was too long.
    pub turned_away: u64,
    pub elective_operations: u64,
    pub emergency_operations: u64,
    /// Cases the sessions could take.
    pub capacity: u64,
    pub cancellations: u64,
    /// Waits (booking → operation day) of the cases called in, day by day up to `WAIT_BINS`.
    pub wait_hist: Vec<u64>,
    pub wait_days_sum: f64,
    /// Sum over days of the list at the day's end (for the mean list).
    pub list_days: f64,
}

impl TheatreCounters {
    pub fn add(&mut self, o: &TheatreCounters) {
        self.bookings += o.bookings;
        self.turned_away += o.turned_away;
        self.elective_operations += o.elective_operations;
        self.emergency_operations += o.emergency_operations;
        self.capacity += o.capacity;
        self.cancellations += o.cancellations;
        if self.wait_hist.len() < o.wait_hist.len() {
            self.wait_hist.resize(o.wait_hist.len(), 0);
        }
        for (a, b) in self.wait_hist.iter_mut().zip(&o.wait_hist) {
            *a += b;
        }
        self.wait_days_sum += o.wait_days_sum;
        self.list_days += o.list_days;
    }

    /// The `q`-quantile of the recorded waits, in days (the last bin reads as its lower bound).
    pub fn wait_quantile(&self, q: f64) -> Option<f64> {
        let n: u64 = self.wait_hist.iter().sum();
        if n == 0 {
            return None;
        }
        let target = (q * n as f64).ceil().max(1.0) as u64;
        let mut seen = 0;
        for (d, &k) in self.wait_hist.iter().enumerate() {
            seen += k;
            if seen >= target {
                return Some(d as f64);
            }
        }
        Some((self.wait_hist.len() - 1) as f64)
    }
}

/// One ward's operating list.
#[derive(Debug)]
pub struct Theatre {
    p: TheatreParams,
    rng: Rng,
    list: VecDeque<Case>,
    /// The ward's mean stay, of which the pre-operative days are part.
    ward_mean_stay: f64,
    pub counters: TheatreCounters,
}

impl Theatre {
    pub fn new(p: &TheatreParams, ward_mean_stay: f64, rng: Rng) -> Theatre {
        Theatre {
            p: p.clone(),
            rng,
            list: VecDeque::new(),
            ward_mean_stay,
            counters: TheatreCounters::default(),
        }
    }

    /// Cases on the list.
    pub fn len(&self) -> usize {
        self.list.len()
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// Agents on the list (for conservation checks).
    pub fn agents(&self) -> usize {
        self.list.iter().filter(|c| c.patient.is_some()).count()
    }

    /// The wait the list publishes, in days: its length over the mean cases a day its sessions
    /// leave for it (infinite when they leave none and someone waits).
    pub fn published_wait(&self) -> f64 {
        let s = self.p.mean_elective_capacity();
        if self.list.is_empty() {
            0.0
        } else if s > 0.0 {
            self.list.len() as f64 / s
        } else {
            f64::INFINITY
        }
    }

    /// Mean bookings a day by non-agents.
    pub fn background_bookings(&self) -> f64 {
        self.p.background_bookings_per_day
    }

    /// Changes the bookings by non-agents from the next day on (a Poisson count a day).
    pub fn set_background_bookings(&mut self, per_day: f64) {
        self.p.background_bookings_per_day = per_day;
    }

    /// An agent's booking joins the end of the list.
    pub fn book(&mut self, case: Case) {
        self.counters.bookings += 1;
        self.list.push_back(case);
    }

    fn poisson(&mut self, mean: f64) -> u64 {
        if mean > 0.0 { Poisson::new(mean).expect("validated rate").sample(&mut self.rng) as u64 } else { 0 }
    }

    /// Runs the list's day `day`: bookings by non-agents, then the call-in for the operating day
    /// `preop_days` ahead. The cases called in are appended to `calls` as admissions to the
    /// ward at the start of `day`.
    pub fn run_day(&mut self, day: Day, calls: &mut Vec<Arrival>) {
        let wait = self.published_wait();
        let n = self.poisson(self.p.background_bookings_per_day);
        for _ in 0..n {
            let joins = match self.p.wait_tolerance_days {
                Some(t) if wait > 0.0 => self.rng.random::<f64>() < (-wait / t).exp(),
                _ => true,
            };
            if joins {
                self.book(Case { booked: day, patient: None, condition: 0, stay_scale: 1.0 });
            } else {
                self.counters.turned_away += 1;
            }
        }
        let op_day = day.plus(self.p.preop_days);
        let capacity = self.p.capacity(op_day.weekday());
        let emergencies = self.poisson(self.p.emergency_cases_per_day).min(u64::from(capacity));
        let c = &mut self.counters;
        c.capacity += u64::from(capacity);
        c.emergency_operations += emergencies;
        let mut free = u64::from(capacity) - emergencies;
        let mut cancelled: Vec<Case> = Vec::new();
        let preop = self.p.preop_days as f64;
        while free > 0 {
            let Some(case) = self.list.pop_front() else { break };
            free -= 1;
            if self.p.cancellation_probability > 0.0
                && self.rng.random::<f64>() < self.p.cancellation_probability
            {
                self.counters.cancellations += 1;
                cancelled.push(case);
                continue;
            }
            // The post-operative part keeps the case's mean stay (the ward's × its stay scale):
            // (mean − pre-op) / mean of a draw.
            let mean = self.ward_mean_stay * f64::from(case.stay_scale);
            let post_scale = ((mean - preop) / mean).max(0.0) as f32;
            let waited = op_day.0 - case.booked.0;
            let c = &mut self.counters;
            c.elective_operations += 1;
            c.wait_days_sum += f64::from(waited);
            let bin = (waited as usize).min(WAIT_BINS - 1);
            if c.wait_hist.len() <= bin {
                c.wait_hist.resize(bin + 1, 0);
            }
            c.wait_hist[bin] += 1;
            calls.push(Arrival {
                time: SimTime(f64::from(day.0)),
                patient: case.patient,
                priority: Priority::Elective,
                reason: Reason::Elective,
                condition: case.condition,
                stay_scale: case.stay_scale * post_scale,
                stay_offset: preop as f32,
            });
        }
        for case in cancelled.into_iter().rev() {
            self.list.push_front(case);
        }
        self.counters.list_days += self.list.len() as f64;
    }

    /// Takes the counters accumulated since the last call.
    pub fn take_counters(&mut self) -> TheatreCounters {
        std::mem::take(&mut self.counters)
    }

    /// Cases still on the list at time `day`'s end and the sum of their waits so far
    /// (right-censored: each will wait at least that long).
    pub fn waiting_so_far(&self, day: Day) -> (u64, f64) {
        let n = self.list.len() as u64;
        (n, self.list.iter().map(|c| f64::from(day.0 + 1 - c.booked.0)).sum())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn params() -> TheatreParams {
        TheatreParams {
            sessions_per_weekday: [2, 2, 2, 2, 2, 0, 0],
            cases_per_session: 3,
            emergency_cases_per_day: 0.0,
            cancellation_probability: 0.0,
            preop_days: 1,
            background_bookings_per_day: 0.0,
            wait_tolerance_days: None,
        }
    }

    fn case(day: u32, id: u32) -> Case {
        Case {
            booked: Day(day),
            patient: Some(Entity::from_raw_u32(id).expect("a valid index")),
            condition: 0,
            stay_scale: 1.0,
        }
    }

    #[test]
    fn the_sessions_take_the_head_of_the_list_for_the_day_ahead() {
        let mut t = Theatre::new(&params(), 5.0, Rng::seed_from_u64(1));
        for i in 0..10 {
            t.book(case(0, i));
        }
        let mut calls = Vec::new();
        // Day 0 is a Monday: it plans Tuesday (6 cases); day 4 plans Saturday (none).
        t.run_day(Day(0), &mut calls);
        assert_eq!(calls.len(), 6);
        assert_eq!(t.len(), 4);
        let ids: Vec<u32> = calls.iter().map(|a| a.patient.unwrap().index_u32()).collect();
        assert_eq!(ids, vec![0, 1, 2, 3, 4, 5], "first come, first served");
        assert_eq!(calls[0].stay_offset, 1.0);
        assert!((calls[0].stay_scale - 0.8).abs() < 1e-6, "post-operative part keeps the mean stay");
        calls.clear();
        t.run_day(Day(4), &mut calls);
        assert!(calls.is_empty(), "no sessions on Saturday");
        let c = t.take_counters();
        assert_eq!((c.elective_operations, c.capacity), (6, 6));
        assert_eq!(c.wait_hist[1], 6, "booked day 0, operated day 1");
        assert_eq!(t.published_wait(), 4.0 / (30.0 / 7.0));
    }

    #[test]
    fn cancelled_cases_keep_their_place_and_lose_the_slot() {
        let p = TheatreParams { cancellation_probability: 1.0, ..params() };
        let mut t = Theatre::new(&p, 5.0, Rng::seed_from_u64(2));
        for i in 0..3 {
            t.book(case(0, i));
        }
        let mut calls = Vec::new();
        t.run_day(Day(0), &mut calls);
        assert!(calls.is_empty());
        assert_eq!(t.len(), 3);
        assert_eq!(t.take_counters().cancellations, 3);
    }

    #[test]
    fn bookers_turn_away_from_a_long_list() {
        let p = TheatreParams {
            background_bookings_per_day: 50.0,
            wait_tolerance_days: Some(1.0),
            sessions_per_weekday: [0; 7],
            ..params()
        };
        let mut t = Theatre::new(&p, 5.0, Rng::seed_from_u64(3));
        let mut calls = Vec::new();
        t.run_day(Day(0), &mut calls);
        t.run_day(Day(1), &mut calls);
        let c = t.take_counters();
        // No capacity: after the first day's bookings the published wait is infinite, and
        // everyone turns away.
        assert!(c.bookings > 20 && c.turned_away > 20, "{c:?}");
    }

    #[test]
    fn wait_quantiles_read_the_histogram() {
        let c = TheatreCounters { wait_hist: vec![1, 0, 2, 1], ..Default::default() };
        assert_eq!(c.wait_quantile(0.5), Some(2.0));
        assert_eq!(c.wait_quantile(0.9), Some(3.0));
        assert_eq!(c.wait_quantile(0.1), Some(0.0));
    }
}
