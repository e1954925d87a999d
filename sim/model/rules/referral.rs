//! Referral decisions: a CHC referring a patient up after a visit, a hospital deciding what
//! follows an outpatient visit (admission, or sending a stable patient back to the CHC), and the
//! transfer of a lead-hospital discharge to a shared ward.

use crate::model::ward::Reason;
use crate::model::{Need, Severity};
use crate::params::{ReferralParams, WardKind};
use crate::rng::Rng;
use rand::RngExt;
use rand_distr::{Distribution, Gamma};

/// Whether a CHC refers the patient up after a visit: a complex request with
/// `complex_up_referral_share`; otherwise a condition the visit failed to control, with
/// `up_referral_propensity` (not after an expert session, whose specialist treated it). One draw
/// when a rule applies, none otherwise.
pub fn chc_refers_up(
    sev: Severity,
    still_open: u16,
    expert: bool,
    r: &ReferralParams,
    rng: &mut Rng,
) -> bool {
    if sev == Severity::Complex {
        rng.random::<f64>() < r.complex_up_referral_share
    } else if still_open != 0 && !expert {
        rng.random::<f64>() < r.up_referral_propensity
    } else {
        false
    }
}

/// Whether a referral is completed (the rest are lost to friction): one draw.
pub fn completed(completion: f64, rng: &mut Rng) -> bool {
    rng.random::<f64>() < completion
}

/// The processing time of an up-referral in whole days: gamma-distributed with `mean` and
/// coefficient of variation `cv` (always the mean when `cv` is 0), rounded up, at least one day.
/// One draw from the gamma sampler when `mean` and `cv` are positive, none otherwise.
pub fn processing_days(mean: f64, cv: f64, rng: &mut Rng) -> u32 {
    let t = if mean <= 0.0 {
        0.0
    } else if cv <= 0.0 {
        mean
    } else {
        let shape = 1.0 / (cv * cv);
        Gamma::new(shape, mean / shape).expect("positive shape and scale").sample(rng)
    };
    (t.ceil() as u32).max(1)
}

/// What follows an outpatient visit at a hospital.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterHospitalVisit {
    /// Admitted to a ward of this kind for this reason.
    Admit(WardKind, Reason),
    /// A stable patient sent back to the home CHC (down-referral).
    DownRefer,
    /// Nothing more: back home.
    Home,
}

/// The hospital's decision after an outpatient visit: an elective need is admitted to a
/// surgical ward; a complex case to a medical ward with `complex_admission_share`; a patient
/// whose conditions are all under control is sent back to the CHC with
/// `down_referral_propensity`. Draws (in that order) only for the rules that apply.
pub fn after_hospital_visit(
    need: Need,
    sev: Severity,
    still_open: u16,
    complex_admission_share: f64,
    down_referral_propensity: f64,
    rng: &mut Rng,
) -> AfterHospitalVisit {
    if need == Need::Elective {
        AfterHospitalVisit::Admit(WardKind::Surgical, Reason::Elective)
    } else if sev == Severity::Complex && rng.random::<f64>() < complex_admission_share {
        AfterHospitalVisit::Admit(WardKind::Medical, Reason::Complex)
    } else if still_open == 0 && rng.random::<f64>() < down_referral_propensity {
        AfterHospitalVisit::DownRefer
    } else {
        AfterHospitalVisit::Home
    }
}

/// The chance that a discharge after an acute admission at the lead hospital is transferred to
/// a shared ward: the condition's `post_acute_transfer_share` times the multiplier in force, at
/// most 1.
pub fn post_acute_transfer_share(condition_share: f64, multiplier: f64) -> f64 {
    (condition_share * multiplier).min(1.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn referral(complex: f64, propensity: f64) -> ReferralParams {
        ReferralParams {
            up_referral_propensity: propensity,
            complex_up_referral_share: complex,
            referral_completion: 1.0,
            down_referral_propensity: 0.0,
            processing_days_mean: 0.0,
            processing_days_cv: 0.0,
            member_up_referral_propensity: 0.0,
        }
    }

    #[test]
    fn a_chc_refers_up_complex_cases_and_failures() {
        let mut rng = Rng::seed_from_u64(1);
        // A complex request follows the complex share, whatever the visit's outcome.
        assert!(chc_refers_up(Severity::Complex, 0, false, &referral(1.0, 0.0), &mut rng));
        assert!(!chc_refers_up(Severity::Complex, 1, false, &referral(0.0, 1.0), &mut rng));
        // A failure to control is referred with the propensity, unless an expert saw it.
        assert!(chc_refers_up(Severity::Symptomatic, 1, false, &referral(0.0, 1.0), &mut rng));
        assert!(!chc_refers_up(Severity::Symptomatic, 1, true, &referral(0.0, 1.0), &mut rng));
        // A controlled routine case is not referred, and takes no draw.
        let (mut a, mut b) = (Rng::seed_from_u64(2), Rng::seed_from_u64(2));
        assert!(!chc_refers_up(Severity::Routine, 0, false, &referral(1.0, 1.0), &mut a));
        assert_eq!(a.random::<u64>(), b.random::<u64>());
    }

    #[test]
    fn processing_times_are_whole_days_with_the_mean_asked_for() {
        let mut rng = Rng::seed_from_u64(3);
        assert_eq!(processing_days(0.0, 1.0, &mut rng), 1, "a referral takes at least a day");
        assert_eq!(processing_days(2.2, 0.0, &mut rng), 3, "the mean, rounded up");
        // Gamma(mean 3, CV 0.8) rounded up has mean 3 + E[ceil(T) − T] ≈ 3.5; 20,000 draws give
        // an SE of 0.8 × 3 / √20000 ≈ 0.017; tolerance 4 SE around the continuous mean plus the
        // rounding, which lies in (0, 1).
        let n = 20_000;
        let mean: f64 =
            (0..n).map(|_| f64::from(processing_days(3.0, 0.8, &mut rng))).sum::<f64>() / f64::from(n);
        assert!(mean > 3.0 - 4.0 * 0.017 && mean < 4.0 + 4.0 * 0.017, "{mean}");
    }

    #[test]
    fn a_hospital_admits_electives_and_complex_cases_and_sends_stable_patients_back() {
        let mut rng = Rng::seed_from_u64(1);
        let after = |need, sev, open, complex, down, rng: &mut Rng| {
            after_hospital_visit(need, sev, open, complex, down, rng)
        };
        assert_eq!(
            after(Need::Elective, Severity::Complex, 0, 0.0, 1.0, &mut rng),
            AfterHospitalVisit::Admit(WardKind::Surgical, Reason::Elective)
        );
        assert_eq!(
            after(Need::Care, Severity::Complex, 1, 1.0, 1.0, &mut rng),
            AfterHospitalVisit::Admit(WardKind::Medical, Reason::Complex)
        );
        assert_eq!(
            after(Need::Care, Severity::Routine, 0, 1.0, 1.0, &mut rng),
            AfterHospitalVisit::DownRefer
        );
        assert_eq!(after(Need::Care, Severity::Symptomatic, 1, 1.0, 1.0, &mut rng), AfterHospitalVisit::Home);
    }

    #[test]
    fn transfer_shares_are_capped_at_one() {
        assert_eq!(post_acute_transfer_share(0.4, 2.0), 0.8);
        assert_eq!(post_acute_transfer_share(0.8, 2.0), 1.0);
    }
}
