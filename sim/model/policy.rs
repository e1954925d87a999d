//! The effective values of the core parameters today, as the levers have changed them.
//!
//! [`PolicyNow`] (part of [`super::Model`]) holds the numbers the stages read that levers
//! replace or multiply when they switch on (`crate::levers`): referral completion, processing
//! time and route,
//! the down-referral and complex-admission probabilities, the post-acute transfer multiplier, the
//! reimbursement rates, and the screening and health-check rates. A lever's own state (e.g.
//! gatekeeping's penalty) is a resource of its own, inserted when it switches on.

use crate::params::Params;

/// The effective values in force today.
#[derive(Debug, Clone)]
pub struct PolicyNow {
    pub referral_completion: f64,
    /// Mean and coefficient of variation of the referral processing time, in days.
    pub processing_days_mean: f64,
    pub processing_days_cv: f64,
    /// Whether referrals go through the one-click platform (the CHC books the hospital slot).
    pub platform: bool,
    pub down_referral_propensity: f64,
    pub complex_admission_share: f64,
    pub post_acute_transfer_multiplier: f64,
    /// Reimbursement rate by scheme index then tier index.
    pub reimbursement: [[f64; 3]; 2],
    /// Health checks per resident-day in the eligible age bands.
    pub check_rate_per_day: f64,
    /// Daily chance that screening finds an undiagnosed condition, by age band then condition
    /// (campaigns in force, sensitivity included).
    pub screen_rate: Vec<Vec<f64>>,
}

impl PolicyNow {
    /// Every lever off: the scenario's own parameters.
    pub fn new(params: &Params) -> PolicyNow {
        PolicyNow {
            referral_completion: params.referral.referral_completion,
            processing_days_mean: params.referral.processing_days_mean,
            processing_days_cv: params.referral.processing_days_cv,
            platform: false,
            down_referral_propensity: params.referral.down_referral_propensity,
            complex_admission_share: params.care.complex_admission_share,
            post_acute_transfer_multiplier: 1.0,
            reimbursement: params.payment.reimbursement,
            check_rate_per_day: params.screening.check_rate_per_day,
            screen_rate: screen_rates(params, 0),
        }
    }
}

/// Screening rates by age band and condition of the campaigns that have started by `day`.
pub fn screen_rates(params: &Params, day: u32) -> Vec<Vec<f64>> {
    let mut out = vec![vec![0.0; params.conditions.len()]; params.population.age_bands.len()];
    for k in params.screening.campaigns.iter().filter(|k| k.start_day <= day) {
        for band in out.iter_mut().skip(k.min_band) {
            band[k.condition] += k.rate_per_person_per_day * k.sensitivity;
        }
    }
    out
}
