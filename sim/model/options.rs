//! The vocabulary of a choice: its options, who chooses, and a table of choice shares. Plain
//! data, so that what holds choice shares (residents' strata) need not know how they are made
//! (`rules::choice`, which reads the levers in force).

use crate::model::{Patient, SIGNED};
use crate::params::{ClinicKind, Scheme};

/// Most options a request can have: the home CHC and its session, the member and lead
/// hospitals, up to [`MAX_OTHER_GROUP_LEADS`] other groups' leads, and the hospitals outside the
/// groups (validation allows at most [`MAX_OUTSIDE_HOSPITALS`]).
pub const MAX_OPTIONS: usize = 16;
/// Most other groups' leads in a choice set (`city.nearest_other_groups`).
pub const MAX_OTHER_GROUP_LEADS: usize = 4;
/// Most hospitals outside the groups a scenario may have (each is an option of every request).
pub const MAX_OUTSIDE_HOSPITALS: usize = MAX_OPTIONS - 4 - MAX_OTHER_GROUP_LEADS;

/// One option of a choice: a clinic of a facility.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Opt {
    pub facility: u16,
    pub clinic: ClinicKind,
}

impl Default for Opt {
    fn default() -> Opt {
        Opt { facility: 0, clinic: ClinicKind::GeneralPractice }
    }
}

impl Opt {
    /// Whether the option is a lead specialist's clinic held at a CHC.
    pub fn expert(self) -> bool {
        self.clinic == ClinicKind::ExpertSession
    }
}

/// Who is choosing: what the utility reads of a patient agent, or of a stratum of residents
/// (whose bypass propensity is integrated over, and who have no facility of a last visit).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Chooser {
    pub home: u16,
    pub scheme: Scheme,
    pub signed: bool,
    /// Trust in the home CHC, 0–1.
    pub trust: f64,
    /// Propensity to bypass the home CHC, in utility units.
    pub bypass: f64,
    /// Facility of the last outpatient visit (`NO_FACILITY` if none).
    pub last_facility: u16,
}

impl Chooser {
    pub fn of(p: &Patient) -> Chooser {
        Chooser {
            home: p.home,
            scheme: p.scheme(),
            signed: p.has(SIGNED),
            trust: f64::from(p.trust),
            bypass: f64::from(p.bypass),
            last_facility: p.last_facility,
        }
    }
}

/// The options of a request, in a fixed order.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    pub opts: [Opt; MAX_OPTIONS],
    pub n: usize,
}

impl Options {
    pub fn as_slice(&self) -> &[Opt] {
        &self.opts[..self.n]
    }
    pub fn add(&mut self, o: Opt) {
        if self.n < MAX_OPTIONS && !self.opts[..self.n].contains(&o) {
            self.opts[self.n] = o;
            self.n += 1;
        }
    }
}

/// Choice shares of a group of choosers over a set of options: what one of them chooses, drawn
/// by a uniform number, and the group's expected maximum utility (log-sum).
#[derive(Debug, Clone, Copy, Default)]
pub struct Table {
    pub options: Options,
    /// Cumulative choice shares, in option order (the last is 1).
    pub cum: [f64; MAX_OPTIONS],
    /// E[log Σ_j exp U_j] over the group's bypass propensities.
    pub logsum: f64,
}

impl Table {
    /// The option a uniform `u` picks, leaving out `excluded` (the shares of the others
    /// renormalised); `None` if no option is left.
    pub fn draw(&self, u: f64, excluded: Option<Opt>) -> Option<Opt> {
        let n = self.options.n;
        let share = |k: usize| self.cum[k] - if k == 0 { 0.0 } else { self.cum[k - 1] };
        let gone = excluded.and_then(|x| self.options.as_slice().iter().position(|&o| o == x));
        let total = 1.0 - gone.map_or(0.0, share);
        if n == 0 || total <= 0.0 {
            return None;
        }
        let target = u * total;
        let mut acc = 0.0;
        let mut last = None;
        for k in 0..n {
            if Some(k) == gone {
                continue;
            }
            acc += share(k);
            last = Some(self.options.opts[k]);
            if target < acc {
                return last;
            }
        }
        last
    }
}
