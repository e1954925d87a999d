//! The policy levers in force today.
//!
//! [`PolicyNow`] (part of [`super::Model`]) holds what every stage reads today: reimbursement
//! rates, gatekeeping, referral completion and friction, green channel, the effective
//! down-referral and complex-admission probabilities, each CHC's learning from the experts, and
//! the screening and health-check rates. The levers' switch-on ([`super::switch_on`]) changes it.

use crate::params::*;

/// The levers in force today.
#[derive(Debug, Clone)]
pub struct PolicyNow {
    pub gatekeeping: Option<Gatekeeping>,
    pub referral_completion: f64,
    pub friction_days: u32,
    pub green_channel: Option<GreenChannel>,
    pub down_referral_propensity: f64,
    pub complex_admission_share: f64,
    pub post_acute_transfer_multiplier: f64,
    /// Reimbursement rate by scheme index then tier index.
    pub reimbursement: [[f64; 3]; 2],
    pub global_budget: Option<GlobalBudget>,
    pub per_diem: bool,
    pub capitation: Option<Capitation>,
    pub expert_sessions: Option<ExpertSessions>,
    pub bed_sinking: Option<BedSinking>,
    /// Active studios at each facility (CHCs only).
    pub studios: Vec<u32>,
    /// Share of the gap to the lead hospital's capability each facility has closed (CHCs only).
    pub learning: Vec<f64>,
    /// Health checks per resident-day in the eligible age bands.
    pub check_rate_per_day: f64,
    /// Daily chance that screening finds an undiagnosed condition, by age band then condition
    /// (campaigns in force, sensitivity included).
    pub screen_rate: Vec<Vec<f64>>,
}

impl PolicyNow {
    /// Everything off: the scenario's own parameters.
    pub fn new(params: &Params) -> PolicyNow {
        let n = params.facilities.len();
        PolicyNow {
            gatekeeping: None,
            referral_completion: params.referral.referral_completion,
            friction_days: params.referral.friction_days,
            green_channel: None,
            down_referral_propensity: params.referral.down_referral_propensity,
            complex_admission_share: params.care.complex_admission_share,
            post_acute_transfer_multiplier: 1.0,
            reimbursement: params.payment.reimbursement,
            global_budget: None,
            per_diem: false,
            capitation: None,
            expert_sessions: None,
            bed_sinking: None,
            studios: vec![0; n],
            learning: vec![0.0; n],
            check_rate_per_day: params.screening.check_rate_per_day,
            screen_rate: screen_rates(params, 0),
        }
    }

    /// Reimbursement rate of a charge; `bypass` is a self-referred hospital visit, reimbursed
    /// `bypass_penalty` less under gatekeeping.
    pub fn rate(&self, scheme: Scheme, tier: Tier, bypass: bool) -> f64 {
        let rate = self.reimbursement[scheme as usize][tier.index()];
        match (&self.gatekeeping, bypass && tier != Tier::Primary) {
            (Some(g), true) => (rate - g.bypass_penalty).max(0.0),
            _ => rate,
        }
    }

    /// Whether the lead hospital sees this non-emergency, non-referred request.
    pub fn lead_open_to_self_referral(&self) -> bool {
        !matches!(self.gatekeeping, Some(Gatekeeping { mode: GatekeepingMode::Strict, .. }))
    }

    /// Whether a patient gets the green channel at the lead hospital.
    pub fn green(&self, referred: bool, signed: bool) -> Option<GreenChannel> {
        self.green_channel.filter(|g| referred || (signed && g.signed))
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
