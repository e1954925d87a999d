//! Record: counters, daily series and the replication's summary metrics.
//!
//! Every stage adds to today's [`Counts`] through [`Recorder::count`]; the record stage, last in
//! the day, reads the appointment books and wards, appends the day to the daily series (warm-up
//! days included, so that warm-up can be judged), and — after the warm-up — adds the day to the
//! run's totals. [`Recorder::finish`] turns the totals into the metrics of DESIGN.md section 3.5.
//! The results are plain data: the output writers and `analysis` never see the world.

use super::{CHECKED, Census, Channel, Clinics, ENROLLED, Model, Patient, Wards};
use crate::levers::capability_learning::{Learning, gain};
use crate::levers::capitation::Capitation;
use crate::levers::case_payment::CasePayment;
use crate::levers::global_budget::GlobalBudget;
use crate::metrics::{self as m, series};
use crate::params::Lever;
use crate::params::{ClinicKind, Params, Priority, Tier, WardKind};
use bevy_ecs::prelude::*;

/// Counts of one day, or of the whole recorded window.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Counts {
    pub deaths: u64,
    pub acute_events: u64,
    pub onsets: u64,
    pub referrals_up: u64,
    pub referrals_down: u64,
    pub referrals_lost: u64,
    pub transfers_to_shared: u64,
    /// Agents' admissions each facility's shared ward received from the lead, by route: bed
    /// sinking's routing, post-acute transfer.
    pub shared_received: Vec<[u64; 2]>,
    pub unserved_requests: u64,
    pub agent_visits: [u64; 3],
    /// Outpatient and emergency visits booked by residents without a chronic condition, and by
    /// non-residents, by tier.
    pub resident_visits: [u64; 3],
    pub nonresident_visits: [u64; 3],
    /// Up-referrals of residents without a chronic condition (in `referrals_up` too).
    pub referrals_up_other: u64,
    /// Up- and down-referrals by route: through the referral platform, or other routes.
    pub referrals_up_by_route: [u64; 2],
    pub referrals_down_by_route: [u64; 2],
    /// Up-referrals from a member hospital to the lead (in `referrals_up` too).
    pub referrals_up_from_member: u64,
    /// Hospital appointments booked from a CHC (CHC referrals through the platform).
    pub chc_booked_appointments: u64,
    /// Referral processing time (referral → first bookable day) and the wait for a slot after
    /// it, of booked referrals: (sum of days, count).
    pub referral_processing: (f64, u64),
    pub referral_slot_wait: (f64, u64),
    /// Visits forgone (no slot within the wait tolerance at any option): by population
    /// (chronic patients, other residents), by catchment, by scheme.
    pub forgone_by_population: [u64; 2],
    pub forgone_by_catchment: Vec<u64>,
    pub forgone_by_scheme: [u64; 2],
    /// Residents' booking waits by catchment and by scheme: (sum of days, count).
    pub wait_by_catchment: Vec<(f64, u64)>,
    pub wait_by_scheme: [(f64, u64); 2],
    /// Residents' out-of-pocket payments for visits, by catchment and by scheme: (yuan, visits).
    pub oop_by_catchment: Vec<(f64, u64)>,
    pub oop_by_scheme: [(f64, u64); 2],
    pub agent_discharges: u64,
    pub elective_procedures: u64,
    /// Emergency-department visits, by facility.
    pub emergency_visits: Vec<u64>,
    /// Booked agent visits not attended (death, admission), by facility.
    pub no_shows: Vec<u64>,
    /// Outpatient visits delivered (slots used − no-shows + emergency visits), by facility.
    pub visits: Vec<u64>,
    /// Of the in-scope visits, those at a CHC given by the lead's specialists (expert
    /// sessions): place-based primary care, provided by the lead's staff.
    pub session_visits_in_scope: u64,
    /// Booking waits by tier and channel: sum of days, count, and (agents only) a histogram of
    /// whole days.
    pub wait_sum: [[f64; 4]; 3],
    pub wait_n: [[u64; 4]; 3],
    pub wait_hist: Vec<u64>,
    /// Spending by tier: total, insurer, out of pocket (yuan), of every resident; and of the
    /// chronic-patient agents alone.
    pub spending: [[f64; 3]; 3],
    pub spending_chronic: [[f64; 3]; 3],
    /// Spending of every resident by tier, item (drugs, tests, services) and payer (insurer,
    /// out of pocket), when the scenario splits charges by item.
    pub spending_items: [[[f64; 2]; 3]; 3],
    pub patient_days: u64,
    pub uncontrolled_patient_days: u64,
    /// Visits at CHC expert clinics (sessions and studios), everyone's.
    pub expert_visits: u64,
    /// Capitation paid to CHCs (yuan).
    pub capitation_yuan: f64,
    /// Global budget accrued, and the insurer's payments while it was in force (yuan).
    pub budget_yuan: f64,
    pub budget_spent_yuan: f64,
    /// Insurer payments moved to the patients by a global budget's cost-shifting.
    pub cost_shifted_yuan: f64,
    /// Sum over days of the global budget's pressure, and the days a budget was in force.
    pub budget_pressure_days: f64,
    pub budget_days: u64,
    /// Agents' CHC health checks, and the undiagnosed conditions they found.
    pub health_checks: u64,
    pub check_found: u64,
    /// Undiagnosed conditions found by each screening campaign, and its days in force.
    pub campaign_found: Vec<u64>,
    pub campaign_days: Vec<u64>,
    /// In a city of several groups, by the patient's catchment (empty otherwise): outpatient
    /// visits at another group's hospitals, up-referrals, and spending (total, insurer; yuan).
    pub cross_group_visits: Vec<u64>,
    pub referrals_up_by_catchment: Vec<u64>,
    pub spending_by_catchment: Vec<[f64; 2]>,
}

impl Counts {
    fn new(facilities: usize, horizon: usize, campaigns: usize, catchments: usize, city: usize) -> Counts {
        Counts {
            cross_group_visits: vec![0; city],
            referrals_up_by_catchment: vec![0; city],
            spending_by_catchment: vec![[0.0; 2]; city],
            forgone_by_catchment: vec![0; catchments],
            wait_by_catchment: vec![(0.0, 0); catchments],
            oop_by_catchment: vec![(0.0, 0); catchments],
            campaign_found: vec![0; campaigns],
            campaign_days: vec![0; campaigns],
            emergency_visits: vec![0; facilities],
            no_shows: vec![0; facilities],
            visits: vec![0; facilities],
            shared_received: vec![[0; 2]; facilities],
            wait_hist: vec![0; 3 * 4 * (horizon + 1)],
            ..Counts::default()
        }
    }

    fn hist_len(&self) -> usize {
        self.wait_hist.len() / 12
    }

    /// One booking wait of `n` agents or background visits.
    pub fn outpatient_wait(&mut self, tier: Tier, channel: Channel, wait_days: f64, n: u64) {
        self.outpatient_wait_sum(tier, channel, wait_days * n as f64, n);
        let len = self.hist_len();
        let bin = (wait_days as usize).min(len - 1);
        self.wait_hist[(tier.index() * 4 + channel as usize) * len + bin] += n;
    }

    /// `n` booking waits summing to `sum_days` (no histogram).
    pub fn outpatient_wait_sum(&mut self, tier: Tier, channel: Channel, sum_days: f64, n: u64) {
        self.wait_sum[tier.index()][channel as usize] += sum_days;
        self.wait_n[tier.index()][channel as usize] += n;
    }

    pub fn emergency_visit(&mut self, facility: usize, n: u64) {
        self.emergency_visits[facility] += n;
    }

    /// A resident's booking wait, for the equity breakdowns (catchment `NO_CATCHMENT`: none).
    pub fn equity_wait(&mut self, catchment: u16, scheme: crate::params::Scheme, wait_days: f64) {
        if let Some(w) = self.wait_by_catchment.get_mut(catchment as usize) {
            w.0 += wait_days;
            w.1 += 1;
        }
        let w = &mut self.wait_by_scheme[scheme as usize];
        w.0 += wait_days;
        w.1 += 1;
    }

    /// A forgone visit of a chronic patient (`chronic`) or another resident.
    pub fn forgone(&mut self, chronic: bool, catchment: u16, scheme: crate::params::Scheme) {
        self.forgone_by_population[usize::from(!chronic)] += 1;
        if let Some(n) = self.forgone_by_catchment.get_mut(catchment as usize) {
            *n += 1;
        }
        self.forgone_by_scheme[scheme as usize] += 1;
    }

    /// An outpatient visit by a resident of `catchment` at another group's hospital.
    pub fn cross_group_visit(&mut self, catchment: u16) {
        if let Some(n) = self.cross_group_visits.get_mut(catchment as usize) {
            *n += 1;
        }
    }

    /// An up-referral of a resident of `catchment` (by group in a city).
    pub fn referral_up_of(&mut self, catchment: u16) {
        if let Some(n) = self.referrals_up_by_catchment.get_mut(catchment as usize) {
            *n += 1;
        }
    }

    /// Spending (total and the insurer's part) on a resident of `catchment` (by group in a city).
    pub fn spending_of(&mut self, catchment: u16, total: f64, insurer: f64) {
        if let Some(s) = self.spending_by_catchment.get_mut(catchment as usize) {
            s[0] += total;
            s[1] += insurer;
        }
    }

    /// Out-of-pocket payment for `visits` visits by residents of `catchment` in `scheme`.
    pub fn equity_oop(&mut self, catchment: u16, scheme: crate::params::Scheme, yuan: f64, visits: u64) {
        if let Some(o) = self.oop_by_catchment.get_mut(catchment as usize) {
            o.0 += yuan;
            o.1 += visits;
        }
        let o = &mut self.oop_by_scheme[scheme as usize];
        o.0 += yuan;
        o.1 += visits;
    }

    fn add(&mut self, o: &Counts) {
        self.deaths += o.deaths;
        self.acute_events += o.acute_events;
        self.onsets += o.onsets;
        self.referrals_up += o.referrals_up;
        self.referrals_down += o.referrals_down;
        self.referrals_lost += o.referrals_lost;
        self.transfers_to_shared += o.transfers_to_shared;
        add_pairs(&mut self.shared_received, &o.shared_received);
        self.unserved_requests += o.unserved_requests;
        self.agent_discharges += o.agent_discharges;
        self.elective_procedures += o.elective_procedures;
        self.patient_days += o.patient_days;
        self.uncontrolled_patient_days += o.uncontrolled_patient_days;
        self.expert_visits += o.expert_visits;
        self.session_visits_in_scope += o.session_visits_in_scope;
        self.capitation_yuan += o.capitation_yuan;
        self.budget_yuan += o.budget_yuan;
        self.budget_spent_yuan += o.budget_spent_yuan;
        self.cost_shifted_yuan += o.cost_shifted_yuan;
        self.budget_pressure_days += o.budget_pressure_days;
        self.budget_days += o.budget_days;
        self.health_checks += o.health_checks;
        self.check_found += o.check_found;
        add_vec(&mut self.campaign_found, &o.campaign_found);
        add_vec(&mut self.campaign_days, &o.campaign_days);
        self.referrals_up_other += o.referrals_up_other;
        self.referrals_up_from_member += o.referrals_up_from_member;
        self.chc_booked_appointments += o.chc_booked_appointments;
        add_pair(&mut self.referral_processing, o.referral_processing);
        add_pair(&mut self.referral_slot_wait, o.referral_slot_wait);
        for i in 0..2 {
            self.referrals_up_by_route[i] += o.referrals_up_by_route[i];
            self.referrals_down_by_route[i] += o.referrals_down_by_route[i];
        }
        add_vec(&mut self.forgone_by_catchment, &o.forgone_by_catchment);
        for i in 0..2 {
            self.forgone_by_population[i] += o.forgone_by_population[i];
            self.forgone_by_scheme[i] += o.forgone_by_scheme[i];
            add_pair(&mut self.wait_by_scheme[i], o.wait_by_scheme[i]);
            add_pair(&mut self.oop_by_scheme[i], o.oop_by_scheme[i]);
        }
        for (a, b) in self.wait_by_catchment.iter_mut().zip(&o.wait_by_catchment) {
            add_pair(a, *b);
        }
        for (a, b) in self.oop_by_catchment.iter_mut().zip(&o.oop_by_catchment) {
            add_pair(a, *b);
        }
        for t in 0..3 {
            self.agent_visits[t] += o.agent_visits[t];
            self.resident_visits[t] += o.resident_visits[t];
            self.nonresident_visits[t] += o.nonresident_visits[t];
            for c in 0..4 {
                self.wait_sum[t][c] += o.wait_sum[t][c];
                self.wait_n[t][c] += o.wait_n[t][c];
            }
            for p in 0..3 {
                self.spending[t][p] += o.spending[t][p];
                self.spending_chronic[t][p] += o.spending_chronic[t][p];
                for q in 0..2 {
                    self.spending_items[t][p][q] += o.spending_items[t][p][q];
                }
            }
        }
        add_vec(&mut self.emergency_visits, &o.emergency_visits);
        add_vec(&mut self.no_shows, &o.no_shows);
        add_vec(&mut self.visits, &o.visits);
        add_vec(&mut self.wait_hist, &o.wait_hist);
        add_vec(&mut self.cross_group_visits, &o.cross_group_visits);
        add_vec(&mut self.referrals_up_by_catchment, &o.referrals_up_by_catchment);
        for (a, b) in self.spending_by_catchment.iter_mut().zip(&o.spending_by_catchment) {
            a[0] += b[0];
            a[1] += b[1];
        }
    }

    /// Zero every count, keeping the vectors' allocations (the day's counts are cleared every
    /// day): the result equals `Counts::new` of the same sizes (tested).
    fn clear(&mut self) {
        fn zeroed<T: Default + Clone>(mut v: Vec<T>) -> Vec<T> {
            v.fill(T::default());
            v
        }
        let old = std::mem::take(self);
        *self = Counts {
            cross_group_visits: zeroed(old.cross_group_visits),
            referrals_up_by_catchment: zeroed(old.referrals_up_by_catchment),
            spending_by_catchment: zeroed(old.spending_by_catchment),
            forgone_by_catchment: zeroed(old.forgone_by_catchment),
            wait_by_catchment: zeroed(old.wait_by_catchment),
            oop_by_catchment: zeroed(old.oop_by_catchment),
            campaign_found: zeroed(old.campaign_found),
            campaign_days: zeroed(old.campaign_days),
            emergency_visits: zeroed(old.emergency_visits),
            no_shows: zeroed(old.no_shows),
            visits: zeroed(old.visits),
            shared_received: zeroed(old.shared_received),
            wait_hist: zeroed(old.wait_hist),
            ..Counts::default()
        };
    }
}

fn add_vec(a: &mut [u64], b: &[u64]) {
    for (x, y) in a.iter_mut().zip(b) {
        *x += y;
    }
}

fn add_pairs(a: &mut [[u64; 2]], b: &[[u64; 2]]) {
    for (x, y) in a.iter_mut().zip(b) {
        x[0] += y[0];
        x[1] += y[1];
    }
}

fn add_pair(a: &mut (f64, u64), b: (f64, u64)) {
    a.0 += b.0;
    a.1 += b.1;
}

/// Recorded totals of one ward.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WardTotals {
    pub counters: super::ward::WardCounters,
    /// Midnight census ÷ beds, one per recorded day.
    pub midnight_occupancy: Vec<f64>,
    /// Patients still waiting for a bed when the run ends, by priority class (their waits so far
    /// are in the wait sums: right-censored).
    pub censored: [u64; 3],
}

/// Recorded totals of one operating list.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TheatreTotals {
    pub counters: super::theatre::TheatreCounters,
    /// Cases still on the list when the run ends, and the sum of their waits so far
    /// (right-censored).
    pub censored: (u64, f64),
}

/// A replication's counters and series.
#[derive(Resource, Debug)]
pub struct Recorder {
    pub today: Counts,
    pub total: Counts,
    pub wards: Vec<WardTotals>,
    /// (facility index, ward index) of each ward, in `wards` order.
    pub ward_ids: Vec<(usize, usize)>,
    pub theatres: Vec<TheatreTotals>,
    /// (facility index, ward index) of each ward with an operating list, in `theatres` order.
    pub theatre_ids: Vec<(usize, usize)>,
    pub daily: DailyTable,
    /// Which daily series this scenario has something to report in.
    pub reported: Reported,
    pub days_recorded: u32,
    /// Mean share of the capability gap the CHCs have closed, at the last recorded day.
    pub chc_capability_gain: f64,
    /// Signed patients at the last recorded day.
    pub signed_patients: u64,
    /// Share of all residents (chronic patients and the others) signed, at the last recorded day.
    pub signed_resident_share: f64,
    /// One entry per management year of the recorded window (365 days from the end of the
    /// warm-up; the last may be partial).
    pub years: Vec<YearStats>,
}

/// What one management year of the recorded window adds up to. The management figures are
/// filled at the year's last day (`reviewed`), by a pass over every patient that also starts the
/// next year's follow-up counts and health-check flags afresh.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct YearStats {
    pub days: u32,
    pub visits: [u64; 3],
    pub primary_in_scope: u64,
    pub in_scope: u64,
    pub referrals_up: u64,
    pub reviewed: bool,
    /// Enrolled patients at the year's end, by condition (diagnosed with it) and in all.
    pub managed: Vec<u64>,
    pub managed_all: u64,
    /// Of those, patients with at least 4 CHC follow-ups in the year (national standard).
    pub standardised: Vec<u64>,
    pub standardised_all: u64,
    /// Enrolled patients with at least one follow-up, and the follow-ups they had.
    pub served: u64,
    pub followups: u64,
    /// Patients in the health-check age bands alive at the year's end, and those checked.
    pub check_eligible: u64,
    pub checked: u64,
}

/// The daily series a scenario has something to put in: a series about something the scenario
/// does not hold (outpatient visits at a tier without clinics, the cohort of a scenario without
/// chronic patients, CHC series without CHCs) would be a column of zeros or blanks on every day,
/// so it is not recorded. Decided from the parameters alone, so every replication and every day
/// has the same columns.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Reported {
    /// Visits by tier: the tier has a facility with clinics or an emergency department.
    pub visits: [bool; 3],
    /// Outpatient waits by tier (agents' channel): chronic patients, and clinics at the tier.
    pub waits: [bool; 3],
    /// The primary-care visit shares: an in-scope CHC with clinics.
    pub primary_share: bool,
    /// Referral and CHC series (referrals, CHC-booked appointments, expert sessions, learning):
    /// a CHC.
    pub chc: bool,
    /// The cohort's series (acute events, deaths, patients, enrolled, uncontrolled, signed):
    /// chronic patients.
    pub cohort: bool,
}

impl Reported {
    pub fn of(params: &Params) -> Reported {
        let cohort = params.population.residents > 0 && !params.conditions.is_empty();
        let mut r = Reported { cohort, ..Reported::default() };
        for f in &params.facilities {
            let t = f.tier.index();
            let clinics = !f.clinics.is_empty();
            r.visits[t] |= clinics || f.emergency_department;
            r.waits[t] |= clinics && cohort;
            if f.tier == Tier::Primary {
                r.chc = true;
                r.primary_share |= clinics && f.in_scope;
            }
        }
        r
    }
}

/// Referral routes, in the order of the counters: the referral platform, other routes.
pub const ROUTES: [&str; 2] = ["platform", "other"];

/// Follow-ups a year that make chronic-disease management "standardised" (national basic public
/// health service: at least four a year).
pub const STANDARD_FOLLOWUPS: u8 = 4;

impl Recorder {
    pub fn new(params: &Params) -> Recorder {
        let nf = params.facilities.len();
        let horizon = params.care.booking_horizon_days as usize;
        let ward_ids: Vec<(usize, usize)> = params
            .facilities
            .iter()
            .enumerate()
            .flat_map(|(f, fp)| (0..fp.wards.len()).map(move |w| (f, w)))
            .collect();
        let theatre_ids: Vec<(usize, usize)> = ward_ids
            .iter()
            .copied()
            .filter(|&(f, w)| params.facilities[f].wards[w].theatre.is_some())
            .collect();
        let catchments = params.chcs().len();
        let city = if params.city.several() { catchments } else { 0 };
        Recorder {
            theatres: vec![TheatreTotals::default(); theatre_ids.len()],
            theatre_ids,
            today: Counts::new(nf, horizon, params.screening.campaigns.len(), catchments, city),
            total: Counts::new(nf, horizon, params.screening.campaigns.len(), catchments, city),
            wards: vec![WardTotals::default(); ward_ids.len()],
            ward_ids,
            daily: DailyTable::default(),
            reported: Reported::of(params),
            days_recorded: 0,
            chc_capability_gain: 0.0,
            signed_patients: 0,
            signed_resident_share: 0.0,
            years: Vec::new(),
        }
    }

    /// Adds to today's counts.
    pub fn count(&mut self, f: impl FnOnce(&mut Counts)) {
        f(&mut self.today)
    }
}

/// Name of a ward in outputs: `facility/ward`.
pub fn ward_label(params: &Params, f: usize, w: usize) -> String {
    format!("{}/{}", params.facilities[f].name, params.facilities[f].wards[w].name)
}

/// Daily series of one replication: a value per (day, column), day-major.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DailyTable {
    /// (series, breakdown) of each column.
    pub columns: Vec<(String, String)>,
    pub values: Vec<f64>,
}

impl DailyTable {
    pub fn days(&self) -> usize {
        if self.columns.is_empty() { 0 } else { self.values.len() / self.columns.len() }
    }

    /// Starts the next day's row. Each value is put with its series and breakdown, so names and
    /// values cannot drift apart: the first day's row makes the columns, and every later row must
    /// put the same series in the same order.
    pub fn row(&mut self) -> DailyRow<'_> {
        let first = self.values.is_empty();
        DailyRow { table: self, column: 0, first }
    }
}

/// One day's row of a [`DailyTable`], being filled.
pub struct DailyRow<'a> {
    table: &'a mut DailyTable,
    column: usize,
    first: bool,
}

impl DailyRow<'_> {
    /// Puts the value of `series` with the breakdown `breakdown()` (made on the first day only).
    pub fn put(
        &mut self,
        series: &analysis::catalogue::Metric,
        breakdown: impl FnOnce() -> String,
        value: f64,
    ) {
        if self.first {
            self.table.columns.push((series.id.to_string(), breakdown()));
        } else {
            assert_eq!(
                self.table.columns.get(self.column).map(|c| c.0.as_str()),
                Some(series.id),
                "daily column {} changed series",
                self.column
            );
        }
        self.table.values.push(value);
        self.column += 1;
    }
}

impl Drop for DailyRow<'_> {
    fn drop(&mut self) {
        // A row with fewer values than columns would shift every later day.
        assert!(std::thread::panicking() || self.column == self.table.columns.len(), "a daily row is short");
    }
}

/// One summary number of one replication.
#[derive(Debug, Clone, PartialEq)]
pub struct Metric {
    pub name: String,
    /// `key=value` pairs joined by `;` (empty for a whole-system metric).
    pub breakdown: String,
    pub value: f64,
}

/// What a finished replication hands back: plain data.
#[derive(Debug, Clone, PartialEq)]
pub struct ReplicationResult {
    pub replication: u32,
    pub metrics: Vec<Metric>,
    pub daily: DailyTable,
    pub census: Census,
}

pub fn record(
    model: Res<Model>,
    census: Res<Census>,
    (learning, residents): (Option<Res<Learning>>, Option<Res<super::residents::Residents>>),
    mut rec: ResMut<Recorder>,
    mut clinics: Query<&mut Clinics>,
    mut wards: Query<&mut Wards>,
    mut patients: Query<&mut Patient>,
) {
    let params = &model.params;
    let day = model.day;
    let measuring = day.0 >= params.run.warmup_days;
    let rec = &mut *rec;
    for (f, &entity) in model.facilities.iter().enumerate() {
        if let Ok(mut c) = clinics.get_mut(entity) {
            for book in c.0.iter_mut() {
                let used = u64::from(book.used_today());
                rec.today.visits[f] += used;
                if book.kind == ClinicKind::ExpertSession {
                    rec.today.expert_visits += used;
                    if params.facilities[f].in_scope {
                        rec.today.session_visits_in_scope += used;
                    }
                }
                book.publish(params.choice.published_wait_smoothing_days);
            }
        }
        let t = &mut rec.today;
        t.visits[f] = t.visits[f] + t.emergency_visits[f] - t.no_shows[f].min(t.visits[f]);
    }
    rec.today.patient_days = census.alive;
    rec.today.uncontrolled_patient_days = census.uncontrolled;

    let mut tier_visits = [0u64; 3];
    let (mut primary, mut scope) = (0u64, 0u64);
    for (f, fp) in params.facilities.iter().enumerate() {
        let v = rec.today.visits[f];
        tier_visits[fp.tier.index()] += v;
        if fp.in_scope {
            scope += v;
            if fp.tier == Tier::Primary {
                primary += v;
            }
        }
    }
    let chcs = params.facilities.iter().filter(|f| f.tier == Tier::Primary).count();
    let learning = ratio(
        params
            .facilities
            .iter()
            .enumerate()
            .filter(|(_, f)| f.tier == Tier::Primary)
            .map(|(i, _)| gain(learning.as_deref(), i as u16))
            .sum(),
        chcs as f64,
    );
    let reported = rec.reported;
    let mut row = rec.daily.row();
    for t in Tier::ALL.into_iter().filter(|t| reported.visits[t.index()]) {
        row.put(&series::VISITS, || format!("tier={}", t.name()), tier_visits[t.index()] as f64);
    }
    if reported.primary_share {
        row.put(&series::PRIMARY_CARE_VISIT_SHARE, String::new, ratio(primary as f64, scope as f64));
        let provided = primary.saturating_sub(rec.today.session_visits_in_scope);
        row.put(
            &series::PRIMARY_CARE_VISIT_SHARE_PROVIDER,
            String::new,
            ratio(provided as f64, scope as f64),
        );
    }
    for t in Tier::ALL.into_iter().filter(|t| reported.waits[t.index()]) {
        let (s, n) = (0..3).fold((0.0, 0u64), |(s, n), c| {
            (s + rec.today.wait_sum[t.index()][c], n + rec.today.wait_n[t.index()][c])
        });
        row.put(
            &series::OUTPATIENT_WAIT_DAYS,
            || format!("tier={};channel=agents", t.name()),
            ratio(s, n as f64),
        );
    }
    for (k, &(f, w)) in rec.ward_ids.iter().enumerate() {
        let mut ws = wards.get_mut(model.facilities[f]).expect("facility entity");
        let ward = &mut ws.wards[w];
        let counters = ward.take_counters();
        let occ = ratio(f64::from(ward.occupied()), f64::from(ward.beds));
        row.put(&series::BED_OCCUPANCY_MIDNIGHT, || format!("ward={}", ward_label(params, f, w)), occ);
        if measuring {
            let tot = &mut rec.wards[k];
            let c = &mut tot.counters;
            c.occupied_bed_days += counters.occupied_bed_days;
            c.staffed_bed_days += counters.staffed_bed_days;
            c.arrivals += counters.arrivals;
            c.arrivals_waited += counters.arrivals_waited;
            c.admissions += counters.admissions;
            c.discharges += counters.discharges;
            c.admitted_stay_days += counters.admitted_stay_days;
            for p in 0..3 {
                c.wait_days_sum[p] += counters.wait_days_sum[p];
                c.wait_count[p] += counters.wait_count[p];
            }
            tot.midnight_occupancy.push(occ);
            if day.0 + 1 == params.run.total_days() {
                // The run ends: waits still running count as far as they have gone (a lower bound
                // of each), so that a growing queue is not read as a short wait.
                for (p, (n, s)) in ward.waiting_so_far(f64::from(day.0 + 1)).into_iter().enumerate() {
                    tot.censored[p] += n;
                    tot.counters.wait_days_sum[p] += s;
                    tot.counters.wait_count[p] += n;
                }
            }
        }
    }
    for (k, &(f, w)) in rec.theatre_ids.iter().enumerate() {
        let mut ws = wards.get_mut(model.facilities[f]).expect("facility entity");
        let theatre = ws.theatres[w].as_mut().expect("a ward with a list");
        let counters = theatre.take_counters();
        row.put(
            &series::ELECTIVE_LIST,
            || format!("ward={}", ward_label(params, f, w)),
            theatre.len() as f64,
        );
        if measuring {
            let tot = &mut rec.theatres[k];
            tot.counters.add(&counters);
            if day.0 + 1 == params.run.total_days() {
                tot.censored = theatre.waiting_so_far(day);
            }
        }
    }
    let t = &rec.today;
    if reported.chc {
        for (i, route) in ROUTES.iter().enumerate() {
            row.put(&series::REFERRALS_UP, || format!("route={route}"), t.referrals_up_by_route[i] as f64);
        }
        for (i, route) in ROUTES.iter().enumerate() {
            row.put(
                &series::REFERRALS_DOWN,
                || format!("route={route}"),
                t.referrals_down_by_route[i] as f64,
            );
        }
        row.put(&series::CHC_BOOKED_HOSPITAL_APPOINTMENTS, String::new, t.chc_booked_appointments as f64);
    }
    if reported.cohort {
        row.put(&series::ACUTE_EVENTS, String::new, t.acute_events as f64);
        row.put(&series::DEATHS, String::new, t.deaths as f64);
        row.put(&series::CHRONIC_PATIENTS, String::new, census.alive as f64);
        row.put(&series::ENROLLED_PATIENTS, String::new, census.enrolled as f64);
        row.put(
            &series::UNCONTROLLED_PATIENT_SHARE,
            String::new,
            ratio(census.uncontrolled as f64, census.alive as f64),
        );
        row.put(&series::SIGNED_PATIENTS, String::new, census.signed as f64);
    }
    if reported.chc {
        row.put(&series::EXPERT_SESSION_VISITS, String::new, t.expert_visits as f64);
        row.put(&series::CHC_CAPABILITY_GAIN, String::new, learning);
    }
    if params.policy.get::<Lever<GlobalBudget>>().is_some() {
        // 0 before the budget starts.
        let l = model.policy.budget.unwrap_or_default();
        row.put(&series::GROUP_BUDGET_MARGIN, String::new, l.margin());
        row.put(&series::GROUP_BUDGET_PRESSURE, String::new, l.pressure);
        if model.policy.budget.is_some() {
            rec.today.budget_pressure_days += l.pressure;
            rec.today.budget_days += 1;
        }
    }
    drop(row);
    if measuring {
        rec.chc_capability_gain = learning;
        rec.signed_patients = census.signed;
        let (signed, all) =
            residents.as_deref().map_or((0.0, 0.0), super::residents::Residents::signed_and_all);
        rec.signed_resident_share = ratio(census.signed as f64 + signed, census.alive as f64 + all);
    }
    if measuring {
        for (i, k) in params.screening.campaigns.iter().enumerate() {
            if k.start_day <= day.0 {
                rec.today.campaign_days[i] += 1;
            }
        }
        if rec.days_recorded.is_multiple_of(365) {
            rec.years.push(YearStats {
                managed: vec![0; params.conditions.len()],
                standardised: vec![0; params.conditions.len()],
                ..YearStats::default()
            });
        }
        let t = &rec.today;
        let y = rec.years.last_mut().expect("a year was started");
        y.days += 1;
        for (v, t) in y.visits.iter_mut().zip(tier_visits) {
            *v += t;
        }
        y.primary_in_scope += primary;
        y.in_scope += scope;
        y.referrals_up += t.referrals_up;
        let today = std::mem::take(&mut rec.today);
        rec.total.add(&today);
        rec.today = today;
        rec.days_recorded += 1;
    }
    rec.today.clear();
    // Management years end 365, 730, … days after the warm-up; the warm-up's own counts are
    // dropped at its end.
    let done = day.0 + 1;
    if done == params.run.warmup_days {
        review(&mut patients, params, None);
    } else if done > params.run.warmup_days && (done - params.run.warmup_days).is_multiple_of(365) {
        let y = rec.years.last_mut().expect("a year was started");
        review(&mut patients, params, Some(y));
    }
}

/// The rows of management year `year` (1-based) from its figures `y`, `prev` the year before.
/// With `whole_year` false, `y` is a year in progress counted up to today: only the rows whose
/// year-to-date value estimates the whole year's are put — shares and annual rates of flows,
/// and stocks (managed patients) — not the per-patient counts that grow through the year
/// (follow-ups per served patient, the standardised-management and health-check rates).
fn year_rows(
    params: &Params,
    y: &YearStats,
    year: usize,
    prev: Option<&YearStats>,
    whole_year: bool,
    put: &mut impl FnMut(&analysis::catalogue::Metric, String, f64),
) {
    let per_year = crate::time::DAYS_PER_YEAR / f64::from(y.days.max(1));
    for tier in Tier::ALL {
        put(
            &m::VISITS_PER_YEAR,
            format!("tier={};year={year}", tier.name()),
            y.visits[tier.index()] as f64 * per_year,
        );
    }
    put(
        &m::PRIMARY_CARE_VISIT_SHARE,
        format!("year={year}"),
        ratio(y.primary_in_scope as f64, y.in_scope as f64),
    );
    put(&m::REFERRALS_UP_PER_YEAR, format!("year={year}"), y.referrals_up as f64 * per_year);
    if let Some(prev) = prev {
        let rate = |y: &YearStats| y.visits[Tier::Primary.index()] as f64 / f64::from(y.days.max(1));
        put(&m::PRIMARY_VISITS_GROWTH, format!("year={year}"), ratio(rate(y), rate(prev)) - 1.0);
    }
    if !y.reviewed {
        return;
    }
    put(&m::MANAGED_PATIENTS, format!("year={year}"), y.managed_all as f64);
    if whole_year {
        put(
            &m::STANDARDISED_MANAGEMENT_RATE,
            format!("year={year}"),
            ratio(y.standardised_all as f64, y.managed_all as f64),
        );
    }
    for (c, k) in params.conditions.iter().enumerate() {
        let b = format!("condition={};year={year}", k.name);
        put(&m::MANAGED_PATIENTS, b.clone(), y.managed[c] as f64);
        if whole_year {
            put(&m::STANDARDISED_MANAGEMENT_RATE, b, ratio(y.standardised[c] as f64, y.managed[c] as f64));
        }
    }
    if whole_year {
        put(
            &m::FOLLOWUPS_PER_SERVED_PATIENT,
            format!("year={year}"),
            ratio(y.followups as f64, y.served as f64),
        );
        put(&m::HEALTH_CHECK_RATE, format!("year={year}"), ratio(y.checked as f64, y.check_eligible as f64));
    }
}

/// Ends a management year: counts managed, standardised and checked patients into `year` (if
/// given) and starts every patient's follow-up count and check flag afresh.
fn review(patients: &mut Query<&mut Patient>, params: &Params, mut year: Option<&mut YearStats>) {
    for mut p in patients.iter_mut() {
        if let Some(y) = year.as_deref_mut() {
            count_patient(&p, params, y);
        }
        if p.followups != 0 || p.has(CHECKED) {
            p.followups = 0;
            p.flags &= !CHECKED;
        }
    }
    if let Some(y) = year {
        y.reviewed = true;
    }
}

/// Adds one patient to a year's management figures (as the year's review counts them).
fn count_patient(p: &Patient, params: &Params, y: &mut YearStats) {
    if p.age_band as usize >= params.screening.check_min_band && params.screening.present {
        y.check_eligible += 1;
        y.checked += u64::from(p.has(CHECKED));
    }
    if p.has(ENROLLED) {
        let standard = p.followups >= STANDARD_FOLLOWUPS;
        y.managed_all += 1;
        y.standardised_all += u64::from(standard);
        for c in 0..params.conditions.len() {
            if p.diagnosed & p.conditions & (1 << c) != 0 {
                y.managed[c] += 1;
                y.standardised[c] += u64::from(standard);
            }
        }
        if p.followups > 0 {
            y.served += 1;
            y.followups += u64::from(p.followups);
        }
    }
}

/// A city's rows by group: its primary-care visit share and visits (at its facilities), and its
/// residents' visits at other groups' hospitals, up-referrals and spending.
fn by_group(
    params: &Params,
    t: &Counts,
    days: f64,
    per_year: f64,
    put: &mut impl FnMut(&analysis::catalogue::Metric, String, f64),
) {
    let groups = params.city.groups.len();
    let (mut primary, mut scope, mut visits) = (vec![0u64; groups], vec![0u64; groups], vec![0u64; groups]);
    for (f, fp) in params.facilities.iter().enumerate() {
        let g = fp.group as usize;
        if g >= groups {
            continue;
        }
        visits[g] += t.visits[f];
        if fp.in_scope {
            scope[g] += t.visits[f];
            if fp.tier == Tier::Primary {
                primary[g] += t.visits[f];
            }
        }
    }
    let (mut cross, mut up, mut spending) =
        (vec![0u64; groups], vec![0u64; groups], vec![[0.0f64; 2]; groups]);
    for (k, &f) in params.chcs().iter().enumerate() {
        let g = params.facilities[f].group as usize;
        if g < groups {
            cross[g] += t.cross_group_visits.get(k).copied().unwrap_or(0);
            up[g] += t.referrals_up_by_catchment.get(k).copied().unwrap_or(0);
            let s = t.spending_by_catchment.get(k).copied().unwrap_or([0.0; 2]);
            spending[g][0] += s[0];
            spending[g][1] += s[1];
        }
    }
    put(&m::CROSS_GROUP_VISITS_PER_DAY, String::new(), cross.iter().sum::<u64>() as f64 / days);
    for (g, group) in params.city.groups.iter().enumerate() {
        let b = format!("group={}", group.name);
        put(&m::PRIMARY_CARE_VISIT_SHARE, b.clone(), ratio(primary[g] as f64, scope[g] as f64));
        put(&m::VISITS_PER_DAY, b.clone(), visits[g] as f64 / days);
        put(&m::CROSS_GROUP_VISITS_PER_DAY, b.clone(), cross[g] as f64 / days);
        put(&m::REFERRALS_UP_PER_YEAR, b.clone(), up[g] as f64 * per_year);
        for (i, payer) in ["total", "insurer"].iter().enumerate() {
            put(&m::SPENDING_YUAN_PER_YEAR, format!("{b};payer={payer}"), spending[g][i] * per_year);
        }
    }
}

fn ratio(a: f64, b: f64) -> f64 {
    if b > 0.0 { a / b } else { f64::NAN }
}

impl Recorder {
    /// Year-to-date estimates of the management year in progress, counted up to the last
    /// recorded day as if the year ended there, `patients` every patient alive (read, not
    /// changed): the rows [`year_rows`] gives for a year in progress, under the year's own
    /// breakdown (`year=k`). Empty when no year is in progress (before the recorded window, or
    /// just after a year ended). For a check part-way through a run (the calibration's early
    /// look at a proposal); the run's own results never hold these rows.
    pub fn year_to_date<'a>(
        &self,
        params: &Params,
        patients: impl IntoIterator<Item = &'a Patient>,
    ) -> Vec<Metric> {
        let Some(current) = self.years.last().filter(|y| y.days > 0 && y.days < 365) else {
            return Vec::new();
        };
        let mut y = current.clone();
        for p in patients {
            count_patient(p, params, &mut y);
        }
        y.reviewed = true;
        let k = self.years.len() - 1;
        let mut out = Vec::new();
        let mut put = |metric: &analysis::catalogue::Metric, breakdown: String, value: f64| {
            if value.is_finite() {
                out.push(Metric { name: metric.id.to_string(), breakdown, value });
            }
        };
        year_rows(params, &y, k + 1, k.checked_sub(1).map(|j| &self.years[j]), false, &mut put);
        out
    }

    /// The replication's summary metrics over the recorded window.
    pub fn finish(&self, params: &Params, census: &Census) -> Vec<Metric> {
        let t = &self.total;
        let days = f64::from(self.days_recorded.max(1));
        let per_year = crate::time::DAYS_PER_YEAR / days;
        let mut out = Vec::new();
        let mut put = |metric: &analysis::catalogue::Metric, breakdown: String, value: f64| {
            if value.is_finite() {
                out.push(Metric { name: metric.id.to_string(), breakdown, value });
            }
        };
        let (mut primary, mut scope) = (0u64, 0u64);
        let mut tier_visits = [0u64; 3];
        let mut tier_emergency = [0u64; 3];
        for (f, fp) in params.facilities.iter().enumerate() {
            tier_visits[fp.tier.index()] += t.visits[f];
            tier_emergency[fp.tier.index()] += t.emergency_visits[f];
            if fp.in_scope {
                scope += t.visits[f];
                if fp.tier == Tier::Primary {
                    primary += t.visits[f];
                }
            }
        }
        put(&m::PRIMARY_CARE_VISIT_SHARE, String::new(), ratio(primary as f64, scope as f64));
        put(
            &m::PRIMARY_CARE_VISIT_SHARE_PROVIDER,
            String::new(),
            ratio(primary.saturating_sub(t.session_visits_in_scope) as f64, scope as f64),
        );
        for tier in Tier::ALL {
            let b = format!("tier={}", tier.name());
            put(&m::VISITS_PER_DAY, b.clone(), tier_visits[tier.index()] as f64 / days);
            put(&m::EMERGENCY_VISITS_PER_DAY, b.clone(), tier_emergency[tier.index()] as f64 / days);
            put(&m::AGENT_VISITS_PER_DAY, b.clone(), t.agent_visits[tier.index()] as f64 / days);
            put(&m::RESIDENT_VISITS_PER_DAY, b.clone(), t.resident_visits[tier.index()] as f64 / days);
            put(&m::NONRESIDENT_VISITS_PER_DAY, b, t.nonresident_visits[tier.index()] as f64 / days);
        }
        let len = t.hist_len();
        for tier in Tier::ALL {
            for ch in Channel::ALL {
                let (s, n) = (t.wait_sum[tier.index()][ch as usize], t.wait_n[tier.index()][ch as usize]);
                let b = format!("tier={};channel={}", tier.name(), ch.name());
                put(&m::OUTPATIENT_WAIT_DAYS, b.clone(), ratio(s, n as f64));
                if n > 0 {
                    let hist = &t.wait_hist[(tier.index() * 4 + ch as usize) * len..][..len];
                    put(&m::OUTPATIENT_WAIT_DAYS_P50, b.clone(), hist_quantile(hist, 0.5));
                    put(&m::OUTPATIENT_WAIT_DAYS_P90, b, hist_quantile(hist, 0.9));
                }
            }
        }
        // Equity: residents' waits, forgone visits and out-of-pocket payments by catchment and
        // by insurance scheme.
        let mut equity = |b: String, (w, n): (f64, u64), forgone: u64, (y, v): (f64, u64)| {
            put(&m::RESIDENT_WAIT_DAYS, b.clone(), ratio(w, n as f64));
            put(&m::FORGONE_VISITS_PER_YEAR, b.clone(), forgone as f64 * per_year);
            put(&m::OUT_OF_POCKET_YUAN_PER_VISIT, b, ratio(y, v as f64));
        };
        for (k, &f) in params.chcs().iter().enumerate() {
            let b = format!("catchment={}", params.facilities[f].name);
            equity(b, t.wait_by_catchment[k], t.forgone_by_catchment[k], t.oop_by_catchment[k]);
        }
        for (i, scheme) in ["employee", "resident"].iter().enumerate() {
            equity(
                format!("scheme={scheme}"),
                t.wait_by_scheme[i],
                t.forgone_by_scheme[i],
                t.oop_by_scheme[i],
            );
        }
        for (i, population) in ["chronic", "other"].iter().enumerate() {
            put(
                &m::FORGONE_VISITS_PER_YEAR,
                format!("population={population}"),
                t.forgone_by_population[i] as f64 * per_year,
            );
        }
        for (k, &(f, w)) in self.ward_ids.iter().enumerate() {
            let label = ward_label(params, f, w);
            let wp = &params.facilities[f].wards[w];
            let c = &self.wards[k].counters;
            let b = format!("ward={label}");
            put(&m::BED_OCCUPANCY, b.clone(), ratio(c.occupied_bed_days, c.staffed_bed_days));
            put(&m::WARD_STAFFED_BEDS, b.clone(), c.staffed_bed_days / days);
            let mut occ = self.wards[k].midnight_occupancy.clone();
            occ.sort_by(f64::total_cmp);
            if !occ.is_empty() {
                put(&m::BED_OCCUPANCY_P95, b.clone(), analysis::stats::quantile_sorted(&occ, 0.95));
                let full = occ.iter().filter(|&&o| o >= 0.95).count();
                put(&m::BED_OCCUPANCY_DAYS_AT_OR_ABOVE_95, b.clone(), full as f64 / occ.len() as f64);
            }
            put(&m::WARD_MEAN_CENSUS, b.clone(), c.occupied_bed_days / days);
            put(&m::WARD_ADMISSIONS_PER_DAY, b.clone(), c.admissions as f64 / days);
            put(&m::WARD_MEAN_STAY_DAYS, b.clone(), ratio(c.admitted_stay_days, c.admissions as f64));
            put(
                &m::ADMISSION_WAIT_PROB_POSITIVE,
                b.clone(),
                ratio(c.arrivals_waited as f64, c.arrivals as f64),
            );
            let (s, n) = (c.wait_days_sum.iter().sum::<f64>(), c.wait_count.iter().sum::<u64>());
            put(&m::ADMISSION_WAIT_DAYS, format!("{b};priority=all"), ratio(s, n as f64));
            put(&m::ADMISSION_WAITS_CENSORED, b.clone(), self.wards[k].censored.iter().sum::<u64>() as f64);
            for p in Priority::ALL {
                let i = p as usize;
                put(
                    &m::ADMISSION_WAIT_DAYS,
                    format!("{b};priority={}", p.name()),
                    ratio(c.wait_days_sum[i], c.wait_count[i] as f64),
                );
            }
            let i = Priority::Elective as usize;
            let bed_wait = ratio(c.wait_days_sum[i], c.wait_count[i] as f64);
            match self.theatre_ids.iter().position(|&id| id == (f, w)) {
                // Booking to operation: the list's wait, then the bed wait of the cases called in
                // (an operation waits for its patient's bed).
                Some(j) => {
                    let TheatreTotals { counters: tc, censored: (n_left, wait_left) } = &self.theatres[j];
                    let list = ratio(tc.wait_days_sum + wait_left, (tc.elective_operations + n_left) as f64);
                    put(
                        &m::ELECTIVE_SURGERY_WAIT_DAYS,
                        b,
                        list + if c.wait_count[i] > 0 { bed_wait } else { 0.0 },
                    );
                }
                None if wp.kind == WardKind::Surgical => put(&m::ELECTIVE_SURGERY_WAIT_DAYS, b, bed_wait),
                None => {}
            }
        }
        for (k, &(f, w)) in self.theatre_ids.iter().enumerate() {
            let b = format!("ward={}", ward_label(params, f, w));
            let TheatreTotals { counters: c, censored: (n_left, wait_left) } = &self.theatres[k];
            let waits = c.wait_days_sum + wait_left;
            put(
                &m::ELECTIVE_LIST_WAIT_DAYS,
                b.clone(),
                ratio(waits, (c.elective_operations + n_left) as f64),
            );
            if let (Some(p50), Some(p90)) = (c.wait_quantile(0.5), c.wait_quantile(0.9)) {
                put(&m::ELECTIVE_LIST_WAIT_DAYS_P50, b.clone(), p50);
                put(&m::ELECTIVE_LIST_WAIT_DAYS_P90, b.clone(), p90);
            }
            put(&m::ELECTIVE_LIST_SIZE, b.clone(), c.list_days / days);
            put(&m::ELECTIVE_LIST_WAITS_CENSORED, b.clone(), *n_left as f64);
            put(&m::ELECTIVE_OPERATIONS_PER_DAY, b.clone(), c.elective_operations as f64 / days);
            put(&m::EMERGENCY_OPERATIONS_PER_DAY, b.clone(), c.emergency_operations as f64 / days);
            put(
                &m::THEATRE_UTILISATION,
                b.clone(),
                ratio((c.elective_operations + c.emergency_operations) as f64, c.capacity as f64),
            );
            put(&m::ELECTIVE_CANCELLATIONS_PER_YEAR, b.clone(), c.cancellations as f64 * per_year);
            if params.facilities[f].wards[w].kind == WardKind::Shared {
                // A shared ward's list is operated by the lead's surgeons in the member hospital.
                put(&m::EXPERT_OPERATIONS_PER_YEAR, b.clone(), c.elective_operations as f64 * per_year);
            }
            put(&m::ELECTIVE_BOOKINGS_TURNED_AWAY_PER_YEAR, b, c.turned_away as f64 * per_year);
        }
        for &(f, w) in &self.ward_ids {
            if params.facilities[f].wards[w].kind != WardKind::Shared {
                continue;
            }
            let b = format!("ward={}", ward_label(params, f, w));
            for (i, route) in ["bed_sinking", "post_acute"].iter().enumerate() {
                put(
                    &m::SHARED_WARD_ADMISSIONS_RECEIVED_PER_YEAR,
                    format!("{b};route={route}"),
                    t.shared_received[f][i] as f64 * per_year,
                );
            }
        }
        if params.city.several() {
            by_group(params, t, days, per_year, &mut put);
        }
        put(&m::REFERRALS_UP_PER_YEAR, String::new(), t.referrals_up as f64 * per_year);
        put(&m::REFERRALS_DOWN_PER_YEAR, String::new(), t.referrals_down as f64 * per_year);
        for (i, route) in ROUTES.iter().enumerate() {
            let b = format!("route={route}");
            put(&m::REFERRALS_UP_PER_YEAR, b.clone(), t.referrals_up_by_route[i] as f64 * per_year);
            put(&m::REFERRALS_DOWN_PER_YEAR, b, t.referrals_down_by_route[i] as f64 * per_year);
        }
        put(&m::REFERRALS_UP_PER_YEAR, "population=other".into(), t.referrals_up_other as f64 * per_year);
        put(&m::REFERRALS_UP_PER_YEAR, "origin=member".into(), t.referrals_up_from_member as f64 * per_year);
        put(
            &m::CHC_BOOKED_HOSPITAL_APPOINTMENTS_PER_YEAR,
            String::new(),
            t.chc_booked_appointments as f64 * per_year,
        );
        let (s, n) = t.referral_processing;
        put(&m::REFERRAL_PROCESSING_DAYS, String::new(), ratio(s, n as f64));
        let (s, n) = t.referral_slot_wait;
        put(&m::REFERRAL_SLOT_WAIT_DAYS, String::new(), ratio(s, n as f64));
        put(&m::REFERRALS_LOST_PER_YEAR, String::new(), t.referrals_lost as f64 * per_year);
        put(
            &m::REFERRAL_UP_TO_DOWN_RATIO,
            String::new(),
            ratio(t.referrals_up as f64, t.referrals_down as f64),
        );
        put(&m::TRANSFERS_TO_SHARED_WARD_PER_YEAR, String::new(), t.transfers_to_shared as f64 * per_year);
        put(&m::ACUTE_EVENTS_PER_YEAR, String::new(), t.acute_events as f64 * per_year);
        put(&m::DEATHS_PER_YEAR, String::new(), t.deaths as f64 * per_year);
        put(&m::NEW_PATIENTS_PER_YEAR, String::new(), t.onsets as f64 * per_year);
        put(&m::AGENT_DISCHARGES_PER_YEAR, String::new(), t.agent_discharges as f64 * per_year);
        put(&m::ELECTIVE_PROCEDURES_PER_YEAR, String::new(), t.elective_procedures as f64 * per_year);
        put(&m::OUTPATIENT_REQUESTS_UNSERVED_PER_YEAR, String::new(), t.unserved_requests as f64 * per_year);
        put(
            &m::UNCONTROLLED_PATIENT_DAY_SHARE,
            String::new(),
            ratio(t.uncontrolled_patient_days as f64, t.patient_days as f64),
        );
        put(&m::EXPERT_SESSION_VISITS_PER_DAY, String::new(), t.expert_visits as f64 / days);
        put(&m::CHC_CAPABILITY_GAIN, String::new(), self.chc_capability_gain);
        put(&m::SIGNED_PATIENTS, String::new(), self.signed_patients as f64);
        put(&m::SIGNED_RESIDENT_SHARE, String::new(), self.signed_resident_share);
        put(&m::CHRONIC_PATIENTS, String::new(), census.alive as f64);
        put(&m::ENROLLED_PATIENTS, String::new(), census.enrolled as f64);
        for tier in Tier::ALL {
            for (p, payer) in ["total", "insurer", "out_of_pocket"].iter().enumerate() {
                put(
                    &m::SPENDING_YUAN_PER_YEAR,
                    format!("tier={};payer={payer}", tier.name()),
                    t.spending[tier.index()][p] * per_year,
                );
            }
        }
        if params.payment.items.is_some() {
            for tier in Tier::ALL {
                for (i, item) in ["drugs", "tests", "services"].iter().enumerate() {
                    for (p, payer) in ["insurer", "out_of_pocket"].iter().enumerate() {
                        put(
                            &m::SPENDING_BY_ITEM_YUAN_PER_YEAR,
                            format!("tier={};item={item};payer={payer}", tier.name()),
                            t.spending_items[tier.index()][i][p] * per_year,
                        );
                    }
                }
            }
        }
        let patient_years = t.patient_days as f64 / crate::time::DAYS_PER_YEAR;
        for (p, payer) in ["total", "insurer", "out_of_pocket"].iter().enumerate() {
            let all: f64 = (0..3).map(|tier| t.spending_chronic[tier][p]).sum();
            put(&m::SPENDING_YUAN_PER_PATIENT_YEAR, format!("payer={payer}"), ratio(all, patient_years));
        }
        if params.policy.get::<Lever<Capitation>>().is_some() {
            put(&m::CAPITATION_YUAN_PER_YEAR, String::new(), t.capitation_yuan * per_year);
        }
        // Chronic-disease management, screening and checks.
        put(&m::HEALTH_CHECKS_PER_YEAR, String::new(), t.health_checks as f64 * per_year);
        put(&m::CONDITIONS_FOUND_BY_CHECKS_PER_YEAR, String::new(), t.check_found as f64 * per_year);
        for (i, k) in params.screening.campaigns.iter().enumerate() {
            let b = format!("campaign={}", k.name);
            let screened = k.screened_per_day * t.campaign_days[i] as f64;
            put(&m::SCREENING_FOUND_PER_YEAR, b.clone(), t.campaign_found[i] as f64 * per_year);
            put(&m::SCREENING_YIELD, b, ratio(t.campaign_found[i] as f64, screened));
        }
        // Equity across CHC catchments: each CHC's visits a day, and the spread.
        let chc_visits: Vec<f64> = params
            .facilities
            .iter()
            .enumerate()
            .filter(|(_, f)| f.tier == Tier::Primary)
            .map(|(i, f)| {
                let v = t.visits[i] as f64 / days;
                put(&m::CHC_VISITS_PER_DAY, format!("facility={}", f.name), v);
                v
            })
            .collect();
        if !chc_visits.is_empty() {
            let max = chc_visits.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let min = chc_visits.iter().copied().fold(f64::INFINITY, f64::min);
            put(&m::CHC_DAILY_VISITS_MAX_OVER_MIN, String::new(), ratio(max, min));
        }
        // Each complete management year of the recorded window: a window that does not end on
        // a year's last day leaves its partial last year out (its days still count in the
        // window's own rows).
        for (k, y) in self.years.iter().enumerate().filter(|(_, y)| y.days == 365) {
            let prev = k.checked_sub(1).map(|j| &self.years[j]);
            year_rows(params, y, k + 1, prev, true, &mut put);
        }
        if params.policy.get::<Lever<GlobalBudget>>().is_some()
            || params.policy.get::<Lever<CasePayment>>().is_some()
        {
            put(&m::COST_SHIFTED_TO_PATIENTS_YUAN_PER_YEAR, String::new(), t.cost_shifted_yuan * per_year);
        }
        if let Some(b) = params.policy.get::<Lever<GlobalBudget>>() {
            let surplus = (t.budget_yuan - t.budget_spent_yuan) * per_year;
            put(&m::GROUP_SURPLUS_YUAN_PER_YEAR, String::new(), surplus);
            put(
                &m::GROUP_SURPLUS_RETAINED_YUAN_PER_YEAR,
                String::new(),
                surplus * b.settings.surplus_retention,
            );
            put(
                &m::GROUP_BUDGET_PRESSURE,
                String::new(),
                ratio(t.budget_pressure_days, t.budget_days as f64),
            );
        }
        out
    }
}

/// The `q` quantile of whole-day waits from a histogram (the smallest day whose cumulative share
/// reaches `q`).
fn hist_quantile(hist: &[u64], q: f64) -> f64 {
    let n: u64 = hist.iter().sum();
    let target = (q * n as f64).ceil().max(1.0) as u64;
    let mut acc = 0;
    for (d, &h) in hist.iter().enumerate() {
        acc += h;
        if acc >= target {
            return d as f64;
        }
    }
    (hist.len() - 1) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A day's counts after `clear` equal fresh counts of the same sizes, whatever was counted
    /// in them: no vector is lost or left with old values.
    #[test]
    fn cleared_counts_are_fresh_counts() {
        let mut c = Counts::new(3, 5, 2, 4, 2);
        c.deaths = 4;
        c.visits[1] = 7;
        c.wait_hist[3] = 2;
        c.spending[1][2] = 3.0;
        c.campaign_days[1] = 1;
        c.spending_by_catchment[1][0] = 2.0;
        c.oop_by_catchment[3] = (1.5, 1);
        c.budget_yuan = 1.0;
        assert_ne!(c, Counts::new(3, 5, 2, 4, 2));
        c.clear();
        assert_eq!(c, Counts::new(3, 5, 2, 4, 2));
    }
}
