//! The steady-state fit: rates that make the survey shares a scenario starts from stationary.
//!
//! A scenario's initial cohort is drawn at survey shares (diagnosed, controlled among the
//! diagnosed, enrolled among the diagnosed). Nothing in the survey says the model's transition
//! rates hold those shares steady, and rates set by assumption do not: the cohort then drifts for
//! years, and a reform's effect depends on when it is measured. This fit chooses, per condition,
//! the loss-of-control rate and the rate of diagnosis (the health check's detection where the
//! check tests for the condition, otherwise the share of acute events that diagnose it), and for
//! the group the rate of leaving chronic-disease management, so that at the survey shares the
//! flows in and out of each state balance.
//!
//! Method: a fixed-point iteration on per-capita rates observed in the model itself. Each
//! iteration runs `replications` replications (pooled) through their warm-up and then observes every patient day by day
//! for `observe_days`, counting person-days in each state and the transitions between them
//! (gains and losses of control, diagnoses, enrolments, exits, deaths). From those rates it
//! computes the rate each fitted parameter needs for the flows to balance at the *target* stocks
//! (the shares on day 0), not at the stocks the run happens to have reached:
//!
//! - controlled share q of the diagnosed: the controlled stock is stationary when losses equal
//!   gains less deaths, ℓ* = g (1 − q) / q − m_C, with g the gain rate per uncontrolled diagnosed
//!   person-day and m_C the death rate of the controlled. The loss flow is proportional to
//!   `loss_of_control_per_year` at a given state, so the rate is scaled by ℓ* / ℓ.
//! - diagnosed share d: the diagnosed stock is stationary when diagnoses equal the deaths of the
//!   diagnosed, δ* = (m_C q + m_U (1 − q)) d / (1 − d) per undiagnosed person-day. The expected
//!   diagnoses by health check and by acute event are known from the hazards; the one route being
//!   fitted makes up the difference to δ*, within [0, 1].
//! - enrolled share s of diagnosed patients: the enrolled stock is stationary when enrolments
//!   equal exits and deaths, x* = i (1 − s) / s − m_E, with i the enrolment rate per diagnosed,
//!   unenrolled patient-day; the exit hazard is x*, at least 0.
//!
//! The other flows react (more visits when more patients are uncontrolled, for instance), so the
//! steps repeat from the new rates until no fitted value moves by more than `tolerance` (relative)
//! or `max_iterations` is reached. A value held at a bound is reported: its share cannot be held
//! steady by that route, and the report says how far it still moves in a year.
//!
//! Deterministic: the same scenario, replication and settings give the same fit. No I/O.

use crate::metrics::series;
use crate::model::{ENROLLED, Model, Patient};
use crate::params::Params;
use crate::run::run_replication_with;
use crate::time::DAYS_PER_YEAR;
use bevy_ecs::world::World;
use rayon::prelude::*;
use std::sync::Arc;

/// How the fit runs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Settings {
    /// First replication whose streams the iterations use.
    pub replication: u32,
    /// Replications observed per iteration (in parallel), their flows pooled: more for a small
    /// scenario, whose observed rates are noisier.
    pub replications: u32,
    /// Days observed after the scenario's warm-up in each iteration.
    pub observe_days: u32,
    pub max_iterations: u32,
    /// Largest relative change of any fitted value at which the fit has converged.
    pub tolerance: f64,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings { replication: 0, replications: 1, observe_days: 365, max_iterations: 8, tolerance: 0.02 }
    }
}

/// Which rate of a condition is fitted for its diagnosed share.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DiagnosisRoute {
    /// The health check's detection of the condition (`conditions[c].check_detection`).
    HealthCheck,
    /// The share of acute events that diagnose it (`conditions[c].acute_diagnosis_share`).
    AcuteEvent,
}

/// One fitted value.
#[derive(Debug, Clone, PartialEq)]
pub struct Fitted {
    /// The scenario key, e.g. `conditions[hypertension].loss_of_control_per_year`.
    pub key: String,
    /// In the scenario's unit (per year for rates).
    pub value: f64,
    /// The share it holds steady, and that share on day 0.
    pub share: &'static str,
    pub target: f64,
    /// The share at the end of the last iteration's observed window.
    pub reached: f64,
    /// Binomial standard errors of `reached` and of `target` (the mean of the replications'
    /// shares; patients counted on those days as the denominators).
    pub reached_se: f64,
    pub target_se: f64,
    /// Change of the share per year over the last iteration's observed window.
    pub drift_per_year: f64,
    /// The value is held at a bound of its range: the share cannot be held steady by it.
    pub at_bound: bool,
}

/// One iteration: every fitted value after it, in the order of [`Fit::fitted`].
#[derive(Debug, Clone, PartialEq)]
pub struct Iteration {
    pub values: Vec<f64>,
    /// Largest relative change of a fitted value in this iteration.
    pub largest_change: f64,
}

#[derive(Debug, Clone)]
pub struct Fit {
    /// The scenario's parameters with the fitted values.
    pub params: Params,
    pub fitted: Vec<Fitted>,
    pub iterations: Vec<Iteration>,
    pub converged: bool,
}

/// The state of one patient on the previous observed day.
#[derive(Debug, Clone, Copy, Default)]
struct Seen {
    alive: bool,
    conditions: u16,
    diagnosed: u16,
    uncontrolled: u16,
    enrolled: bool,
}

/// Person-days and transitions of one condition over the observed window.
#[derive(Debug, Clone, Copy, Default)]
struct ConditionFlows {
    /// Person-days controlled and diagnosed, uncontrolled and diagnosed, undiagnosed; and
    /// undiagnosed in the age bands the health check covers.
    controlled: f64,
    uncontrolled: f64,
    undiagnosed: f64,
    undiagnosed_checked_bands: f64,
    gains: f64,
    losses: f64,
    diagnoses: f64,
    deaths_controlled: f64,
    deaths_uncontrolled: f64,
}

/// Person-days and transitions of patients with a diagnosed condition (enrolment is per patient).
#[derive(Debug, Clone, Copy, Default)]
struct EnrolmentFlows {
    enrolled: f64,
    unenrolled: f64,
    enrolments: f64,
    exits: f64,
    deaths_enrolled: f64,
}

/// Shares of one day: per condition (diagnosed, controlled of diagnosed), and enrolled of
/// diagnosed patients.
#[derive(Debug, Clone, PartialEq)]
struct Shares {
    diagnosed: Vec<f64>,
    controlled: Vec<f64>,
    enrolled: f64,
    /// Binomial sampling variances of the three, p (1 − p) ÷ patients counted (of the mean of
    /// the replications, once pooled).
    diagnosed_var: Vec<f64>,
    controlled_var: Vec<f64>,
    enrolled_var: f64,
}

struct Observer {
    conditions: usize,
    check_min_band: u8,
    first_day: u32,
    last_day: u32,
    seen: Vec<Seen>,
    flows: Vec<ConditionFlows>,
    enrolment: EnrolmentFlows,
    start: Option<Shares>,
    first: Option<Shares>,
    last: Option<Shares>,
}

impl Observer {
    fn new(params: &Params) -> Observer {
        let n = params.conditions.len();
        Observer {
            conditions: n,
            check_min_band: params.screening.check_min_band as u8,
            first_day: params.run.warmup_days,
            last_day: params.run.total_days() - 1,
            seen: Vec::new(),
            flows: vec![ConditionFlows::default(); n],
            enrolment: EnrolmentFlows::default(),
            start: None,
            first: None,
            last: None,
        }
    }

    fn shares(&self, world: &mut World) -> Shares {
        let n = self.conditions;
        let (mut with, mut diagnosed, mut controlled) = (vec![0u64; n], vec![0u64; n], vec![0u64; n]);
        let (mut patients, mut enrolled) = (0u64, 0u64);
        for p in world.query::<&Patient>().iter(world) {
            for c in 0..n {
                let bit = 1u16 << c;
                if p.conditions & bit != 0 {
                    with[c] += 1;
                    if p.diagnosed & bit != 0 {
                        diagnosed[c] += 1;
                        controlled[c] += u64::from(p.uncontrolled & bit == 0);
                    }
                }
            }
            if p.diagnosed != 0 {
                patients += 1;
                enrolled += u64::from(p.has(ENROLLED));
            }
        }
        let ratio = |a: u64, b: u64| if b == 0 { 0.0 } else { a as f64 / b as f64 };
        let var = |a: u64, b: u64| {
            let p = ratio(a, b);
            if b == 0 { 0.0 } else { p * (1.0 - p) / b as f64 }
        };
        Shares {
            diagnosed: (0..n).map(|c| ratio(diagnosed[c], with[c])).collect(),
            controlled: (0..n).map(|c| ratio(controlled[c], diagnosed[c])).collect(),
            enrolled: ratio(enrolled, patients),
            diagnosed_var: (0..n).map(|c| var(diagnosed[c], with[c])).collect(),
            controlled_var: (0..n).map(|c| var(controlled[c], diagnosed[c])).collect(),
            enrolled_var: var(enrolled, patients),
        }
    }

    fn after_day(&mut self, world: &mut World) {
        let day = world.resource::<Model>().day.0;
        if day == 0 {
            self.start = Some(self.shares(world));
        }
        if day + 1 < self.first_day {
            return;
        }
        let next = world.resource::<Model>().next_patient_id as usize;
        if self.seen.len() < next {
            self.seen.resize(next, Seen::default());
        }
        let observing = day >= self.first_day;
        let mut today = vec![false; next];
        for p in world.query::<&Patient>().iter(world) {
            let i = p.id as usize;
            today[i] = true;
            let now = Seen {
                alive: true,
                conditions: p.conditions,
                diagnosed: p.diagnosed,
                uncontrolled: p.uncontrolled,
                enrolled: p.has(ENROLLED),
            };
            let before = self.seen[i];
            self.seen[i] = now;
            if !observing {
                continue;
            }
            for c in 0..self.conditions {
                let bit = 1u16 << c;
                if p.conditions & bit == 0 {
                    continue;
                }
                let f = &mut self.flows[c];
                if p.diagnosed & bit == 0 {
                    f.undiagnosed += 1.0;
                    if p.age_band >= self.check_min_band {
                        f.undiagnosed_checked_bands += 1.0;
                    }
                } else if p.uncontrolled & bit != 0 {
                    f.uncontrolled += 1.0;
                } else {
                    f.controlled += 1.0;
                }
                if before.alive {
                    let was_diagnosed = before.diagnosed & bit != 0;
                    let was_controlled = was_diagnosed && before.uncontrolled & bit == 0;
                    let is_controlled = p.diagnosed & bit != 0 && p.uncontrolled & bit == 0;
                    if !was_diagnosed && p.diagnosed & bit != 0 {
                        f.diagnoses += 1.0;
                    }
                    if was_controlled && !is_controlled {
                        f.losses += 1.0;
                    }
                    if !was_controlled && is_controlled {
                        f.gains += 1.0;
                    }
                }
            }
            if p.diagnosed != 0 {
                let e = &mut self.enrolment;
                if now.enrolled {
                    e.enrolled += 1.0;
                } else {
                    e.unenrolled += 1.0;
                }
                if before.alive && before.diagnosed != 0 {
                    match (before.enrolled, now.enrolled) {
                        (false, true) => e.enrolments += 1.0,
                        (true, false) => e.exits += 1.0,
                        _ => {}
                    }
                }
            }
        }
        // Patients seen yesterday and gone today died.
        for (i, s) in self.seen.iter_mut().enumerate() {
            if s.alive && !today[i] {
                if observing {
                    for c in 0..self.conditions {
                        let bit = 1u16 << c;
                        if s.conditions & bit != 0 && s.diagnosed & bit != 0 {
                            let f = &mut self.flows[c];
                            if s.uncontrolled & bit == 0 {
                                f.deaths_controlled += 1.0;
                            } else {
                                f.deaths_uncontrolled += 1.0;
                            }
                        }
                    }
                    if s.enrolled {
                        self.enrolment.deaths_enrolled += 1.0;
                    }
                }
                s.alive = false;
            }
        }
        if day == self.first_day {
            self.first = Some(self.shares(world));
        }
        if day == self.last_day {
            self.last = Some(self.shares(world));
        }
    }
}

/// Runs one iteration's replications and returns their pooled observations.
fn observe(params: &Params, settings: &Settings) -> Observer {
    let mut run = params.clone();
    run.run.days = settings.observe_days;
    let run = Arc::new(run);
    let reps: Vec<u32> = (0..settings.replications.max(1)).map(|k| settings.replication + k).collect();
    let observers: Vec<Observer> = reps
        .par_iter()
        .map(|&r| {
            let mut observer = Observer::new(&run);
            drop(run_replication_with(&run, r, |w| observer.after_day(w)));
            observer
        })
        .collect();
    pool(observers)
}

/// Sums the person-days and transitions of several replications and averages their shares.
fn pool(mut observers: Vec<Observer>) -> Observer {
    let n = observers.len() as f64;
    let mut first = observers.remove(0);
    let shares = |a: &mut Option<Shares>, b: &Option<Shares>| {
        if let (Some(a), Some(b)) = (a.as_mut(), b.as_ref()) {
            for (x, y) in a.diagnosed.iter_mut().zip(&b.diagnosed) {
                *x += y;
            }
            for (x, y) in a.controlled.iter_mut().zip(&b.controlled) {
                *x += y;
            }
            a.enrolled += b.enrolled;
            for (x, y) in a.diagnosed_var.iter_mut().zip(&b.diagnosed_var) {
                *x += y;
            }
            for (x, y) in a.controlled_var.iter_mut().zip(&b.controlled_var) {
                *x += y;
            }
            a.enrolled_var += b.enrolled_var;
        }
    };
    for o in &observers {
        for (a, b) in first.flows.iter_mut().zip(&o.flows) {
            a.controlled += b.controlled;
            a.uncontrolled += b.uncontrolled;
            a.undiagnosed += b.undiagnosed;
            a.undiagnosed_checked_bands += b.undiagnosed_checked_bands;
            a.gains += b.gains;
            a.losses += b.losses;
            a.diagnoses += b.diagnoses;
            a.deaths_controlled += b.deaths_controlled;
            a.deaths_uncontrolled += b.deaths_uncontrolled;
        }
        let (a, b) = (&mut first.enrolment, &o.enrolment);
        a.enrolled += b.enrolled;
        a.unenrolled += b.unenrolled;
        a.enrolments += b.enrolments;
        a.exits += b.exits;
        a.deaths_enrolled += b.deaths_enrolled;
        shares(&mut first.start, &o.start);
        shares(&mut first.first, &o.first);
        shares(&mut first.last, &o.last);
    }
    for s in [&mut first.start, &mut first.first, &mut first.last].into_iter().flatten() {
        s.diagnosed.iter_mut().chain(s.controlled.iter_mut()).for_each(|x| *x /= n);
        s.enrolled /= n;
        // The variance of a mean of n independent replications' shares.
        s.diagnosed_var.iter_mut().chain(s.controlled_var.iter_mut()).for_each(|x| *x /= n * n);
        s.enrolled_var /= n * n;
    }
    first.seen = Vec::new();
    first
}

/// What is fitted for condition `c`: its diagnosis route, by the scenario's health checks.
pub fn diagnosis_route(params: &Params, c: usize) -> DiagnosisRoute {
    let s = &params.screening;
    let detection = params.conditions[c].check_detection.unwrap_or(s.check_detection);
    if s.present && s.check_rate_per_day > 0.0 && detection > 0.0 {
        DiagnosisRoute::HealthCheck
    } else {
        DiagnosisRoute::AcuteEvent
    }
}

fn current_values(params: &Params, routes: &[DiagnosisRoute]) -> Vec<f64> {
    let mut v = Vec::new();
    for (c, k) in params.conditions.iter().enumerate() {
        v.push(k.loss_of_control_per_day * DAYS_PER_YEAR);
        v.push(match routes[c] {
            DiagnosisRoute::HealthCheck => k.check_detection.unwrap_or(params.screening.check_detection),
            DiagnosisRoute::AcuteEvent => k.acute_diagnosis_share,
        });
    }
    v.push(params.care.management_exit_per_day * DAYS_PER_YEAR);
    v
}

fn set_values(params: &mut Params, values: &[f64], routes: &[DiagnosisRoute]) {
    for (c, k) in params.conditions.iter_mut().enumerate() {
        k.loss_of_control_per_day = values[2 * c] / DAYS_PER_YEAR;
        match routes[c] {
            DiagnosisRoute::HealthCheck => k.check_detection = Some(values[2 * c + 1]),
            DiagnosisRoute::AcuteEvent => k.acute_diagnosis_share = values[2 * c + 1],
        }
    }
    params.care.management_exit_per_day = values[values.len() - 1] / DAYS_PER_YEAR;
}

/// The values that balance the flows `o` observed under `params` at the target shares, and
/// whether each is held at a bound.
fn step(params: &Params, routes: &[DiagnosisRoute], o: &Observer, target: &Shares) -> (Vec<f64>, Vec<bool>) {
    let mut values = Vec::new();
    let mut bounded = Vec::new();
    let per = |a: f64, b: f64| if b > 0.0 { a / b } else { 0.0 };
    for (c, k) in params.conditions.iter().enumerate() {
        let f = &o.flows[c];
        let (q, d) = (target.controlled[c], target.diagnosed[c]);
        let g = per(f.gains, f.uncontrolled);
        let l = per(f.losses, f.controlled);
        let m_c = per(f.deaths_controlled, f.controlled);
        let m_u = per(f.deaths_uncontrolled, f.uncontrolled);
        // Loss of control.
        let lambda = k.loss_of_control_per_day * DAYS_PER_YEAR;
        let (value, at_bound) = if f.controlled == 0.0 || l == 0.0 || q <= 0.0 {
            (lambda, true)
        } else {
            let wanted = g * (1.0 - q) / q - m_c;
            let v = lambda * wanted / l;
            if v < 0.0 {
                (0.0, true)
            } else if v > 365.0 {
                (365.0, true)
            } else {
                (v, false)
            }
        };
        values.push(value);
        bounded.push(at_bound);
        // Diagnosis.
        let s = &params.screening;
        let check = s.check_rate_per_day * per(f.undiagnosed_checked_bands, f.undiagnosed);
        let detection = k.check_detection.unwrap_or(s.check_detection);
        let acute = k.acute_per_day(false, false) * (1.0 - k.acute_case_fatality);
        let expected_check = check * detection;
        let expected_acute = acute * k.acute_diagnosis_share;
        let observed = per(f.diagnoses, f.undiagnosed);
        let other = (observed - expected_check - expected_acute).max(0.0);
        let wanted = if d >= 1.0 { f64::INFINITY } else { (m_c * q + m_u * (1.0 - q)) * d / (1.0 - d) };
        // The route fitted, its rate per unit of the fitted value, and the other route's expected
        // diagnoses.
        let (route_rate, current, unfitted) = match routes[c] {
            DiagnosisRoute::HealthCheck => (check, detection, expected_acute),
            DiagnosisRoute::AcuteEvent => (acute, k.acute_diagnosis_share, expected_check),
        };
        let (value, at_bound) = if route_rate <= 0.0 || f.undiagnosed == 0.0 {
            (current, true)
        } else {
            let v = (wanted - other - unfitted) / route_rate;
            if v < 0.0 {
                (0.0, true)
            } else if v > 1.0 {
                (1.0, true)
            } else {
                (v, false)
            }
        };
        values.push(value);
        bounded.push(at_bound);
    }
    // Leaving management.
    let e = &o.enrolment;
    let s = target.enrolled;
    let i = per(e.enrolments, e.unenrolled);
    let m_e = per(e.deaths_enrolled, e.enrolled);
    let x = if s > 0.0 { (i * (1.0 - s) / s - m_e) * DAYS_PER_YEAR } else { 0.0 };
    values.push(x.clamp(0.0, 365.0));
    bounded.push(!(0.0..=365.0).contains(&x));
    (values, bounded)
}

/// Fits the steady-state rates of `params` (see the module comment).
pub fn fit(params: &Params, settings: &Settings, mut progress: impl FnMut(u32, f64)) -> Fit {
    // The route of each condition is fixed by the scenario as given: a detection fitted to 0
    // stays the fitted value.
    let routes: Vec<DiagnosisRoute> =
        (0..params.conditions.len()).map(|c| diagnosis_route(params, c)).collect();
    let mut current = params.clone();
    let mut iterations = Vec::new();
    let mut converged = false;
    let mut last = None;
    let mut bounded = Vec::new();
    for k in 0..settings.max_iterations {
        let o = observe(&current, settings);
        let target = o.start.clone().expect("day 0 observed");
        let before = current_values(&current, &routes);
        let (values, at_bound) = step(&current, &routes, &o, &target);
        let change = before
            .iter()
            .zip(&values)
            .map(|(a, b)| if *a == 0.0 && *b == 0.0 { 0.0 } else { (b - a).abs() / a.abs().max(b.abs()) })
            .fold(0.0, f64::max);
        progress(k + 1, change);
        last = Some(o);
        bounded = at_bound;
        if change <= settings.tolerance {
            // The values that produced these flows already balance them.
            iterations.push(Iteration { values: before, largest_change: change });
            converged = true;
            break;
        }
        set_values(&mut current, &values, &routes);
        iterations.push(Iteration { values, largest_change: change });
    }
    let o = last.expect("at least one iteration");
    let target = o.start.clone().expect("day 0 observed");
    let first = o.first.clone().expect("window observed");
    let end = o.last.clone().expect("window observed");
    let years = f64::from(settings.observe_days) / DAYS_PER_YEAR;
    let values = current_values(&current, &routes);
    let mut fitted = Vec::new();
    for (c, k) in current.conditions.iter().enumerate() {
        let name = &k.name;
        fitted.push(Fitted {
            key: format!("conditions[{name}].loss_of_control_per_year"),
            value: values[2 * c],
            share: "controlled_share_of_diagnosed",
            target: target.controlled[c],
            reached: end.controlled[c],
            reached_se: end.controlled_var[c].sqrt(),
            target_se: target.controlled_var[c].sqrt(),
            drift_per_year: (end.controlled[c] - first.controlled[c]) / years,
            at_bound: bounded[2 * c],
        });
        let field = match routes[c] {
            DiagnosisRoute::HealthCheck => "check_detection",
            DiagnosisRoute::AcuteEvent => "acute_diagnosis_share",
        };
        fitted.push(Fitted {
            key: format!("conditions[{name}].{field}"),
            value: values[2 * c + 1],
            share: "diagnosed_share",
            target: target.diagnosed[c],
            reached: end.diagnosed[c],
            reached_se: end.diagnosed_var[c].sqrt(),
            target_se: target.diagnosed_var[c].sqrt(),
            drift_per_year: (end.diagnosed[c] - first.diagnosed[c]) / years,
            at_bound: bounded[2 * c + 1],
        });
    }
    fitted.push(Fitted {
        key: "care.management_exit_per_year".into(),
        value: values[values.len() - 1],
        share: "enrolled_share_of_diagnosed_patients",
        target: target.enrolled,
        reached: end.enrolled,
        reached_se: end.enrolled_var.sqrt(),
        target_se: target.enrolled_var.sqrt(),
        drift_per_year: (end.enrolled - first.enrolled) / years,
        at_bound: bounded[bounded.len() - 1],
    });
    Fit { params: current, fitted, iterations, converged }
}

/// The drift bound of a steady start (docs/steady_state.md): a share may move by less than 1
/// percentage point a year, a count by less than 2 % of its level a year.
pub const SHARE_BOUND_PP: f64 = 1.0;
pub const COUNT_BOUND_PCT: f64 = 2.0;

/// The cohort series whose drift is checked: the uncontrolled share, the enrolled patients, the
/// acute events and every ward's occupancy.
pub fn drift_checked(name: &str) -> bool {
    [
        series::UNCONTROLLED_PATIENT_SHARE.id,
        series::ENROLLED_PATIENTS.id,
        series::ACUTE_EVENTS.id,
        series::BED_OCCUPANCY_MIDNIGHT.id,
    ]
    .contains(&name)
}

/// How far one daily series moves a year over the recorded days.
#[derive(Debug, Clone, PartialEq)]
pub struct Drift {
    pub series: String,
    pub breakdown: String,
    /// A share (drift in percentage points a year) or a count (drift in % of its level a year).
    pub share: bool,
    /// Mean over replications of the series over the recorded days.
    pub level: f64,
    /// Mean over replications of each replication's least-squares trend, a year (pp or %).
    pub drift: f64,
    /// Its standard error across replications (NaN with one replication).
    pub se: f64,
    /// [`SHARE_BOUND_PP`] or [`COUNT_BOUND_PCT`].
    pub bound: f64,
}

impl Drift {
    /// Within the bound with its upper confidence limit: |drift| + 2 SE < bound, so a trend that
    /// cannot be told from the bound does not hold.
    pub fn holds(&self) -> bool {
        self.drift.abs() + 2.0 * self.se < self.bound
    }
}

/// Least-squares slope of `y` against its index, per 365 steps.
fn slope_per_year(y: &[f64]) -> f64 {
    let n = y.len() as f64;
    let mx = (n - 1.0) / 2.0;
    let my = y.iter().sum::<f64>() / n;
    let (mut sxy, mut sxx) = (0.0, 0.0);
    for (i, v) in y.iter().enumerate() {
        let dx = i as f64 - mx;
        sxy += dx * (v - my);
        sxx += dx * dx;
    }
    365.0 * sxy / sxx
}

/// The drift of every checked cohort series ([`drift_checked`]) over the days after `warmup`:
/// each replication's daily trend, then their mean and standard error across replications.
/// The replications must share the scenario (the same daily columns).
pub fn drift(results: &[crate::model::record::ReplicationResult], warmup: usize) -> Vec<Drift> {
    let Some(first) = results.first() else { return Vec::new() };
    let columns = &first.daily.columns;
    let mut out = Vec::new();
    for (c, (series, breakdown)) in columns.iter().enumerate() {
        if !drift_checked(series) {
            continue;
        }
        let share = crate::experiment::warmup::is_share(series);
        let (mut slopes, mut means) = (Vec::new(), Vec::new());
        for r in results {
            let k = r.daily.columns.len();
            let y: Vec<f64> = (warmup..r.daily.days()).map(|d| r.daily.values[d * k + c]).collect();
            if y.len() < 2 {
                continue;
            }
            means.push(y.iter().sum::<f64>() / y.len() as f64);
            slopes.push(slope_per_year(&y));
        }
        if slopes.is_empty() {
            continue;
        }
        let n = slopes.len() as f64;
        let mean = slopes.iter().sum::<f64>() / n;
        let se = if slopes.len() < 2 {
            f64::NAN
        } else {
            (slopes.iter().map(|s| (s - mean).powi(2)).sum::<f64>() / (n - 1.0) / n).sqrt()
        };
        let level = means.iter().sum::<f64>() / n;
        let (drift, se, bound) = if share {
            (100.0 * mean, 100.0 * se, SHARE_BOUND_PP)
        } else {
            (100.0 * mean / level, 100.0 * se / level, COUNT_BOUND_PCT)
        };
        out.push(Drift {
            series: series.clone(),
            breakdown: breakdown.clone(),
            share,
            level,
            drift,
            se,
            bound,
        });
    }
    out
}
