//! The effective values of the core parameters today, as the levers have changed them.
//!
//! [`PolicyNow`] (part of [`super::Model`]) holds the numbers the stages read that levers
//! replace or multiply when they switch on (`crate::levers`): referral completion, processing
//! time and route,
//! the down-referral and complex-admission probabilities, the post-acute transfer multiplier, the
//! reimbursement rates, and the screening and health-check rates. A lever's own state (e.g.
//! gatekeeping's penalty) is a resource of its own, inserted when it switches on.

use crate::params::Params;
use crate::time::DAYS_PER_YEAR;

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
    /// The global budget's running account, while a budget is in force.
    pub budget: Option<BudgetLedger>,
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
            budget: None,
        }
    }
}

impl PolicyNow {
    /// The global budget's pressure on the group today (0 without a budget).
    pub fn budget_pressure(&self) -> f64 {
        self.budget.map_or(0.0, |l| l.pressure)
    }
}

/// A global budget's running account for the budget year and the pressure it puts on the group
/// (`crate::levers::global_budget`).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct BudgetLedger {
    /// Days of the budget year paid so far.
    pub days: u32,
    pub budget_to_date_yuan: f64,
    pub spent_to_date_yuan: f64,
    /// 0 (no response) … 1 (full response), from the margin at the last day paid.
    pub pressure: f64,
}

impl BudgetLedger {
    /// Year-to-date surplus as a share of the budget to date (negative: a deficit).
    pub fn margin(&self) -> f64 {
        if self.budget_to_date_yuan > 0.0 {
            1.0 - self.spent_to_date_yuan / self.budget_to_date_yuan
        } else {
            0.0
        }
    }

    /// Pays a day: the day's budget share and the insurer's payments; sets the pressure from
    /// the margin m, clamp((target − m) ÷ band, 0, 1); starts a new budget year after 365 days.
    pub fn pay_day(&mut self, budget_yuan: f64, spent_yuan: f64, target: f64, band: f64) {
        self.days += 1;
        self.budget_to_date_yuan += budget_yuan;
        self.spent_to_date_yuan += spent_yuan;
        self.pressure = ((target - self.margin()) / band).clamp(0.0, 1.0);
        if self.days >= DAYS_PER_YEAR as u32 {
            *self = BudgetLedger { pressure: self.pressure, ..BudgetLedger::default() };
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
