//! A ward as a multi-class priority queue in continuous time.
//!
//! Arrivals (agents' admission requests and the ward's own Poisson stream of background
//! admissions) and bed releases are processed in time order inside each day. A free bed goes to
//! the head of the highest non-empty priority class (emergency > referred > elective), first come
//! first served inside a class, without pre-emption. With Poisson arrivals, exponential stays and
//! one class this is exactly the M/M/c queue (tested against Erlang C in `tests/`).
//!
//! Pending releases sit in day buckets of 24-byte entries (the release time, an insertion
//! sequence number that breaks ties, and the bed it frees): a release is filed under the day it
//! falls on, and a day's bucket is sorted once when the day starts (a release that falls on the
//! day it is filed goes into its place in the sorted day). This gives exactly the order of a
//! priority queue on (time, sequence) at a cost that does not grow with the number of beds. Who is
//! in each bed sits in a slab indexed by bed, touched only at admission and discharge. Waiting
//! patients sit in one FIFO per class. The order of events never depends on anything but the
//! stream.

use crate::params::{Priority, StayLaw, WardParams};
use crate::rng::Rng;
use crate::time::{Day, SimTime};
use bevy_ecs::entity::Entity;
use rand::RngExt;
use rand_distr::{Distribution, Exp, LogNormal};
use std::cmp::Ordering;
use std::collections::VecDeque;

/// Why an agent is admitted (kept with the stay, returned at discharge).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    Acute,
    Elective,
    Complex,
    PostAcute,
}

/// An admission request: an agent's, or (with no patient) one of the ward's other patients
/// arriving from elsewhere (an operating list's call-in, a transfer from another ward).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Arrival {
    pub time: SimTime,
    pub patient: Option<Entity>,
    pub priority: Priority,
    pub reason: Reason,
    pub condition: u8,
    /// Multiplies the stay drawn from the ward's law (1 normally; an admission routed here from
    /// another ward keeps that ward's mean stay).
    pub stay_scale: f32,
    /// Days added to the stay before the part drawn from the law (an operating list's
    /// pre-operative days); 0 normally.
    pub stay_offset: f32,
}

/// An agent leaving a bed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Release {
    pub time: SimTime,
    pub patient: Entity,
    pub stay_days: f64,
    pub reason: Reason,
    pub condition: u8,
}

#[derive(Debug, Clone, Copy)]
struct Occupant {
    patient: Option<Entity>,
    reason: Reason,
    condition: u8,
    stay_scale: f32,
    stay_offset: f32,
}

#[derive(Debug, Clone, Copy)]
struct Waiting {
    arrival: f64,
    occupant: Occupant,
}

/// A pending release: when, the tie-breaking sequence number, and the bed (its slab index).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Departure {
    /// The release time's bits: times are non-negative, and for non-negative floats the order of
    /// the bits is the order of the numbers (as `f64::total_cmp` has it).
    time_bits: u64,
    seq: u64,
    bed: u32,
}

impl Departure {
    fn time(&self) -> f64 {
        f64::from_bits(self.time_bits)
    }

    /// The day the release falls on.
    fn day(&self) -> u64 {
        // Non-negative and finite: truncation is the floor.
        self.time() as u64
    }

    /// Later releases order after earlier ones; the sequence number breaks ties.
    fn order(&self, other: &Self) -> Ordering {
        self.time_bits.cmp(&other.time_bits).then(self.seq.cmp(&other.seq))
    }
}

/// Days ahead kept in buckets; a release further ahead (a very long stay) waits in `far` until
/// its day comes within reach.
const HORIZON_DAYS: u64 = 1024;

/// Pending releases by day (see the module's text).
#[derive(Debug, Default)]
struct Releases {
    /// The releases of day `day`, latest first, so the next one is at the end.
    today: Vec<Departure>,
    day: u64,
    /// `later[k]` holds the releases of day `day + 1 + k`, in no order.
    later: VecDeque<Vec<Departure>>,
    /// Releases more than [`HORIZON_DAYS`] days ahead of `day`, in no order.
    far: Vec<Departure>,
    /// Emptied buckets, kept for reuse.
    spare: Vec<Vec<Departure>>,
    /// Scratch of the day's sort: its output, each release's group and the groups' counts.
    sorted: Vec<Departure>,
    groups: Vec<u32>,
    counts: Vec<u32>,
}

impl Releases {
    fn push(&mut self, d: Departure) {
        let day = d.day();
        if day <= self.day {
            let at = self.today.partition_point(|x| x.order(&d) == Ordering::Greater);
            self.today.insert(at, d);
        } else if day - self.day <= HORIZON_DAYS {
            let k = (day - self.day - 1) as usize;
            while self.later.len() <= k {
                self.later.push_back(self.spare.pop().unwrap_or_default());
            }
            self.later[k].push(d);
        } else {
            self.far.push(d);
        }
    }

    /// The next release.
    fn peek(&self) -> Option<&Departure> {
        self.today.last()
    }

    fn pop(&mut self) -> Option<Departure> {
        self.today.pop()
    }

    /// Moves on to `day`: the releases of every day up to it join today's, which are then sorted.
    fn start_day(&mut self, day: u64) {
        while self.day < day {
            self.day += 1;
            if let Some(mut bucket) = self.later.pop_front() {
                self.today.append(&mut bucket);
                self.spare.push(bucket);
            }
            if !self.far.is_empty() {
                let reach = self.day + HORIZON_DAYS;
                let (near, far): (Vec<Departure>, Vec<Departure>) =
                    std::mem::take(&mut self.far).into_iter().partition(|d| d.day() <= reach);
                self.far = far;
                for d in near {
                    self.push_ahead(d);
                }
            }
        }
        self.sort_today();
    }

    /// Sorts today's releases, latest first, in exactly the order `b.order(a)` gives. A
    /// counting sort on where each falls in the day (the fraction of the day in `n` slots, `n`
    /// about the number of releases), then each slot's few releases by the full order: the slot
    /// is monotone in the time (a release before the day's start goes to the first slot, one
    /// after its end to the last), so the result is the comparison sort's. It costs about a
    /// sixth of the comparison sort of a day's 50–500 releases.
    fn sort_today(&mut self) {
        let n = self.today.len();
        if n < 32 {
            self.today.sort_unstable_by(|a, b| b.order(a));
            return;
        }
        let slots = n.next_power_of_two().min(1 << 16);
        let start = self.day as f64;
        let last = (slots - 1) as f64;
        let scale = slots as f64;
        // Each release's group, latest first: slot k of the day is group slots - 1 - k.
        self.groups.clear();
        self.groups.extend(self.today.iter().map(|d| {
            // Clamped first: below the day's start is slot 0, past its end the last slot.
            let slot = ((d.time() - start) * scale).clamp(0.0, last) as u32;
            slots as u32 - 1 - slot
        }));
        self.counts.clear();
        self.counts.resize(slots + 1, 0);
        for &g in &self.groups {
            self.counts[g as usize + 1] += 1;
        }
        for k in 1..=slots {
            self.counts[k] += self.counts[k - 1];
        }
        self.sorted.clear();
        self.sorted.resize(n, Departure { time_bits: 0, seq: 0, bed: 0 });
        for (d, &g) in self.today.iter().zip(&self.groups) {
            let at = &mut self.counts[g as usize];
            self.sorted[*at as usize] = *d;
            *at += 1;
        }
        // counts[k] is now the end of slot-group k; each group is sorted on its own.
        let mut begin = 0;
        for k in 0..slots {
            let end = self.counts[k] as usize;
            if end - begin > 1 {
                self.sorted[begin..end].sort_unstable_by(|a, b| b.order(a));
            }
            begin = end;
        }
        std::mem::swap(&mut self.today, &mut self.sorted);
    }

    /// Files a release known to fall after today within the horizon, or today.
    fn push_ahead(&mut self, d: Departure) {
        if d.day() <= self.day {
            self.today.push(d); // sorted with the rest of today by `start_day`
        } else {
            self.push(d);
        }
    }

    fn iter(&self) -> impl Iterator<Item = &Departure> {
        self.today.iter().chain(self.later.iter().flatten()).chain(&self.far)
    }
}

/// Who is in a bed, and since when.
#[derive(Debug, Clone, Copy)]
struct InBed {
    admitted: f64,
    occupant: Occupant,
}

/// What happened in the ward since the counters were last taken.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct WardCounters {
    /// Integral of occupied beds over time, in bed-days.
    pub occupied_bed_days: f64,
    pub arrivals: u64,
    /// Arrivals that found no free bed (or a queue) and had to wait.
    pub arrivals_waited: u64,
    pub admissions: u64,
    pub discharges: u64,
    /// Sum of the stays drawn at admission, in days (for Little's law).
    pub admitted_stay_days: f64,
    /// Integral of staffed beds over time, in bed-days (beds can change when a lever switches on).
    pub staffed_bed_days: f64,
    /// Waits (admission decision → bed) of patients admitted, by priority class.
    pub wait_days_sum: [f64; 3],
    pub wait_count: [u64; 3],
}

/// One ward's queue and beds.
#[derive(Debug)]
pub struct Ward {
    pub beds: u32,
    stay: StayLaw,
    background_rate_per_day: f64,
    background_priority: Priority,
    rng: Rng,
    next_background: f64,
    occupied: u32,
    releases: Releases,
    /// The occupants of the beds named by `releases`; `free` lists the slots not in use.
    beds_in_use: Vec<InBed>,
    free: Vec<u32>,
    queues: [VecDeque<Waiting>; 3],
    seq: u64,
    clock: f64,
    pub counters: WardCounters,
    /// Multiplies every stay drawn (a payment policy's behavioural response); 1 by default.
    stay_scale: f64,
    /// Under a tiered per-diem: a stay that would run past this day of stay ends there with
    /// the given probability (drawn from `policy_rng`, so the ward's own stream is untouched).
    stay_cut: Option<(f64, f64)>,
    policy_rng: Option<Rng>,
    /// Share of the ward's other patients transferred on discharge (drawn from the ward's own
    /// stream), and the times of today's transfers out, for the facility to pass on.
    transfer_share: f64,
    pub transfers_out: Vec<SimTime>,
}

impl Ward {
    /// A ward with `p`'s beds and laws, drawing from `rng`, starting empty at time 0.
    pub fn new(p: &WardParams, mut rng: Rng) -> Ward {
        let next_background = exp_draw(&mut rng, p.background_admissions_per_day);
        Ward {
            beds: p.beds,
            stay: p.stay,
            background_rate_per_day: p.background_admissions_per_day,
            background_priority: p.background_priority,
            rng,
            next_background,
            occupied: 0,
            releases: Releases::default(),
            beds_in_use: Vec::with_capacity(p.beds as usize),
            free: Vec::new(),
            queues: Default::default(),
            seq: 0,
            clock: 0.0,
            counters: WardCounters::default(),
            stay_scale: 1.0,
            stay_cut: None,
            policy_rng: None,
            transfer_share: p.transfer.map_or(0.0, |t| t.share),
            transfers_out: Vec::new(),
        }
    }

    /// Changes the number of staffed beds from the ward's current time on. With fewer beds than
    /// patients in them, nobody is sent home: admissions wait until the census is below the new
    /// number. With more, waiting patients are admitted at the start of the next day run.
    pub fn set_beds(&mut self, beds: u32) {
        self.beds = beds;
    }

    /// Changes the background admission rate from time `now` (exact for a Poisson stream: the
    /// next arrival is redrawn at the new rate, which memorylessness allows).
    pub fn set_background_rate(&mut self, rate_per_day: f64, now: f64) {
        self.background_rate_per_day = rate_per_day;
        self.next_background = now.max(self.clock) + exp_draw(&mut self.rng, rate_per_day);
    }

    pub fn background_rate(&self) -> f64 {
        self.background_rate_per_day
    }

    /// Multiplies every stay drawn from now on.
    pub fn set_stay_scale(&mut self, scale: f64) {
        self.stay_scale = scale;
    }

    /// Ends stays that would run past `day_of_stay` there with `probability`, drawing from `rng`.
    pub fn set_stay_cut(&mut self, day_of_stay: f64, probability: f64, rng: Rng) {
        self.stay_cut = Some((day_of_stay, probability));
        self.policy_rng = Some(rng);
    }

    pub fn occupied(&self) -> u32 {
        self.occupied
    }

    /// Patients waiting for a bed, all classes.
    pub fn waiting(&self) -> usize {
        self.queues.iter().map(VecDeque::len).sum()
    }

    /// Patients still waiting at time `now`, by priority class: how many and the sum of their
    /// waits so far, in days (right-censored waits: each is at least that long).
    pub fn waiting_so_far(&self, now: f64) -> [(u64, f64); 3] {
        let mut out = [(0u64, 0.0f64); 3];
        for (o, q) in out.iter_mut().zip(&self.queues) {
            for w in q {
                o.0 += 1;
                o.1 += (now - w.arrival).max(0.0);
            }
        }
        out
    }

    /// Agents waiting for a bed or in one (for conservation checks).
    pub fn agents(&self) -> (usize, usize) {
        let waiting = self.queues.iter().flatten().filter(|w| w.occupant.patient.is_some()).count();
        let in_bed = self
            .releases
            .iter()
            .filter(|d| self.beds_in_use[d.bed as usize].occupant.patient.is_some())
            .count();
        (waiting, in_bed)
    }

    /// Takes the counters accumulated since the last call.
    pub fn take_counters(&mut self) -> WardCounters {
        std::mem::take(&mut self.counters)
    }

    fn draw_stay(&mut self) -> f64 {
        let stay = self.stay_scale * self.draw_base_stay();
        match (self.stay_cut, self.policy_rng.as_mut()) {
            (Some((cut, p)), Some(rng)) if stay > cut && cut > 0.0 => {
                if rng.random::<f64>() < p {
                    cut
                } else {
                    stay
                }
            }
            _ => stay,
        }
    }

    fn draw_base_stay(&mut self) -> f64 {
        match self.stay {
            StayLaw::Exponential { mean_days } => {
                Exp::new(1.0 / mean_days).expect("mean stay is positive").sample(&mut self.rng)
            }
            StayLaw::LogNormal { mean_days, cv } => {
                let s2 = (1.0 + cv * cv).ln();
                LogNormal::new(mean_days.ln() - s2 / 2.0, s2.sqrt())
                    .expect("validated stay law")
                    .sample(&mut self.rng)
            }
        }
    }

    fn advance(&mut self, t: f64) {
        self.counters.occupied_bed_days += f64::from(self.occupied) * (t - self.clock);
        self.clock = t;
    }

    fn admit(
        &mut self,
        t: f64,
        arrival: f64,
        priority: Priority,
        occupant: Occupant,
        admitted: &mut Vec<(Entity, SimTime)>,
    ) {
        let stay = f64::from(occupant.stay_offset) + self.draw_stay() * f64::from(occupant.stay_scale);
        self.occupied += 1;
        self.seq += 1;
        let in_bed = InBed { admitted: t, occupant };
        let bed = match self.free.pop() {
            Some(b) => {
                self.beds_in_use[b as usize] = in_bed;
                b
            }
            None => {
                self.beds_in_use.push(in_bed);
                u32::try_from(self.beds_in_use.len() - 1).expect("fewer than 2^32 patients in beds")
            }
        };
        let time = t + stay;
        debug_assert!(time >= 0.0, "release times are non-negative");
        self.releases.push(Departure { time_bits: time.to_bits(), seq: self.seq, bed });
        let c = &mut self.counters;
        c.admissions += 1;
        c.admitted_stay_days += stay;
        c.wait_days_sum[priority as usize] += t - arrival;
        c.wait_count[priority as usize] += 1;
        if let Some(p) = occupant.patient {
            admitted.push((p, SimTime(t)));
        }
    }

    fn arrive(
        &mut self,
        t: f64,
        priority: Priority,
        occupant: Occupant,
        admitted: &mut Vec<(Entity, SimTime)>,
    ) {
        self.counters.arrivals += 1;
        if self.occupied < self.beds && self.waiting() == 0 {
            self.admit(t, t, priority, occupant, admitted);
        } else {
            self.counters.arrivals_waited += 1;
            self.queues[priority as usize].push_back(Waiting { arrival: t, occupant });
        }
    }

    /// Admits waiting patients, highest class first, while a bed is free.
    fn admit_waiting(&mut self, t: f64, admitted: &mut Vec<(Entity, SimTime)>) {
        while self.occupied < self.beds {
            let Some(class) = self.queues.iter().position(|q| !q.is_empty()) else { break };
            let w = self.queues[class].pop_front().expect("non-empty");
            self.admit(t, w.arrival, Priority::ALL[class], w.occupant, admitted);
        }
    }

    /// Runs the ward through `day`: agents' `arrivals` (sorted by time, all inside the day),
    /// background arrivals, and releases, in time order. Agents admitted are appended to
    /// `admitted`, agents released to `released`.
    pub fn run_day(
        &mut self,
        day: Day,
        arrivals: &[Arrival],
        admitted: &mut Vec<(Entity, SimTime)>,
        released: &mut Vec<Release>,
    ) {
        let end = f64::from(day.0 + 1);
        let mut next_agent = 0;
        // Beds added since the last day (a lever switched on) take waiting patients at once.
        let start = self.clock.max(f64::from(day.0));
        self.advance(start);
        // Beds change only between days (a lever switches on at the start of a day): the day's
        // staffed bed-days are one product, so a constant ward's total is exact.
        self.counters.staffed_bed_days += f64::from(self.beds) * (end - start);
        self.releases.start_day(u64::from(day.0));
        self.admit_waiting(start, admitted);
        loop {
            let ta = arrivals.get(next_agent).map_or(f64::INFINITY, |a| a.time.0);
            let tb = self.next_background;
            let td = self.releases.peek().map_or(f64::INFINITY, Departure::time);
            if td <= ta && td <= tb {
                if td >= end {
                    break;
                }
                self.advance(td);
                let bed = self.releases.pop().expect("peeked").bed;
                self.free.push(bed);
                let d = self.beds_in_use[bed as usize];
                self.occupied -= 1;
                self.counters.discharges += 1;
                match d.occupant.patient {
                    Some(patient) => released.push(Release {
                        time: SimTime(td),
                        patient,
                        stay_days: td - d.admitted,
                        reason: d.occupant.reason,
                        condition: d.occupant.condition,
                    }),
                    None if self.transfer_share > 0.0 && self.rng.random::<f64>() < self.transfer_share => {
                        self.transfers_out.push(SimTime(td));
                    }
                    None => {}
                }
                self.admit_waiting(td, admitted);
            } else if ta <= tb {
                if ta >= end {
                    break;
                }
                self.advance(ta);
                let a = arrivals[next_agent];
                next_agent += 1;
                let occupant = Occupant {
                    patient: a.patient,
                    reason: a.reason,
                    condition: a.condition,
                    stay_scale: a.stay_scale,
                    stay_offset: a.stay_offset,
                };
                self.arrive(ta, a.priority, occupant, admitted);
            } else {
                if tb >= end {
                    break;
                }
                self.advance(tb);
                self.next_background = tb + exp_draw(&mut self.rng, self.background_rate_per_day);
                let occupant = Occupant {
                    patient: None,
                    reason: Reason::Acute,
                    condition: 0,
                    stay_scale: 1.0,
                    stay_offset: 0.0,
                };
                self.arrive(tb, self.background_priority, occupant, admitted);
            }
        }
        self.advance(end);
    }
}

/// An exponential inter-arrival time for `rate` per day (infinite when the rate is 0).
fn exp_draw(rng: &mut Rng, rate: f64) -> f64 {
    if rate > 0.0 {
        // Inverse transform on (0, 1]: −ln(U)/λ.
        let u: f64 = 1.0 - rng.random::<f64>();
        -u.ln() / rate
    } else {
        f64::INFINITY
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params::WardKind;
    use rand::SeedableRng;

    fn arrival(t: f64, id: u32, priority: Priority) -> Arrival {
        Arrival {
            time: SimTime(t),
            patient: Some(Entity::from_raw_u32(id).expect("a valid index")),
            priority,
            reason: Reason::Elective,
            condition: 0,
            stay_scale: 1.0,
            stay_offset: 0.0,
        }
    }

    /// The day's counting sort gives exactly the comparison sort's order, latest first: with
    /// ties in time (broken by the sequence number, unique as in a ward), releases left over from earlier days and
    /// ones past the day's end, at every size around the switch from one sort to the other.
    #[test]
    fn the_days_sort_is_the_comparison_sort() {
        let mut rng = crate::rng::Rng::seed_from_u64(7);
        for n in [0usize, 1, 5, 31, 32, 33, 85, 500, 3000] {
            for day in [0u64, 1, 37, 1023] {
                let mut r = Releases { day, ..Releases::default() };
                for seq in 0..n as u64 {
                    let u: f64 = rng.random();
                    let t = match seq % 10 {
                        0 => day as f64 + 0.25,         // ties in time
                        1 => (day as f64 - u).max(0.0), // left over from before the day
                        2 => day as f64 + 1.0 + u,      // past the day's end
                        _ => day as f64 + u,
                    };
                    r.today.push(Departure {
                        time_bits: t.to_bits(),
                        seq: seq * 7919 % 100_003,
                        bed: seq as u32,
                    });
                }
                let mut expected = r.today.clone();
                expected.sort_unstable_by(|a, b| b.order(a));
                r.sort_today();
                assert_eq!(r.today, expected, "n = {n}, day = {day}");
            }
        }
    }

    #[test]
    fn a_free_bed_goes_to_the_highest_class_then_first_come() {
        let p = WardParams {
            name: "w".into(),
            kind: WardKind::Medical,
            beds: 1,
            stay: StayLaw::Exponential { mean_days: 0.05 },
            background_admissions_per_day: 0.0,
            background_priority: Priority::Elective,
            theatre: None,
            transfer: None,
        };
        let mut ward = Ward::new(&p, Rng::seed_from_u64(1));
        // Patient 1 takes the bed; 2–5 queue: elective, referred, emergency, referred.
        let arrivals = [
            arrival(0.01, 1, Priority::Elective),
            arrival(0.011, 2, Priority::Elective),
            arrival(0.012, 3, Priority::Referred),
            arrival(0.013, 4, Priority::Emergency),
            arrival(0.014, 5, Priority::Referred),
        ];
        let (mut admitted, mut released) = (Vec::new(), Vec::new());
        ward.run_day(Day(0), &arrivals, &mut admitted, &mut released);
        for d in 1..30 {
            ward.run_day(Day(d), &[], &mut admitted, &mut released);
        }
        let order: Vec<u32> = admitted.iter().map(|(e, _)| e.index_u32()).collect();
        assert_eq!(order, vec![1, 4, 3, 5, 2], "emergency > referred > elective, FIFO within a class");
        assert_eq!(released.len(), 5, "every patient is discharged");
        let c = ward.take_counters();
        assert_eq!((c.arrivals, c.arrivals_waited, c.admissions), (5, 4, 5));
        assert_eq!(ward.occupied(), 0);
    }

    #[test]
    fn staffed_bed_days_add_up_exactly() {
        // Many events a day used to leave a 100,000-bed ward 99,999.9999999996 staffed beds.
        let p = WardParams {
            name: "w".into(),
            kind: WardKind::Medical,
            beds: 100_000,
            stay: StayLaw::Exponential { mean_days: 5.0 },
            background_admissions_per_day: 18_000.0,
            background_priority: Priority::Emergency,
            theatre: None,
            transfer: None,
        };
        let mut ward = Ward::new(&p, Rng::seed_from_u64(2));
        let (mut admitted, mut released) = (Vec::new(), Vec::new());
        for d in 0..50 {
            ward.run_day(Day(d), &[], &mut admitted, &mut released);
        }
        assert_eq!(ward.take_counters().staffed_bed_days, 5_000_000.0);
    }
}
