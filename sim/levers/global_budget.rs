//! Global budget with surplus retention (总额预算, 结余留用) for the whole group.
//!
//! On its switch-on day the budget is in force (the resource [`GlobalBudget`]) and its running
//! ledger starts ([`BudgetLedger`], in `PolicyNow`): each day the payment stage adds the day's
//! share of the yearly budget and the insurer's payments for the chronic-patient agents' care,
//! and sets the group's *pressure* from the year-to-date margin m = 1 − spent ÷ budget:
//! pressure = clamp((margin_target − m) ÷ margin_band, 0, 1) — none while the group keeps at
//! least its target surplus, full when it is `margin_band` short of it (a deficit). The ledger
//! starts afresh every 365 days from the switch-on (a budget year), keeping the last pressure
//! until the new year's first day is paid.
//!
//! The group's responses (all assumptions, sweepable and calibratable; each is written as its
//! value at full pressure and scales linearly with the pressure, 1 + pressure × (multiplier −
//! 1)) act only on the care the budget pays for, the agents': the down-referral propensity and
//! the complex-admission share after their hospital visits ([`response`], read by the
//! outpatient stage), the stays of their admissions to the group's hospital medical and
//! surgical wards (the admission stage), and a share of their inpatient charges moved to items
//! the patient pays in full (cost-shifting, the payment stage: [`shifted_share`]). The wards'
//! other patients are untouched.

use super::common::{Context, Def, Lever, Systems, Text, on_day, start_day};
use crate::model::Model;
pub use crate::model::policy::BudgetLedger;
use crate::params::Params;
use crate::time::DAYS_PER_YEAR;
use analysis::problem::Checker;
use bevy_ecs::prelude::*;
use schemars::JsonSchema;
use serde::Deserialize;

/// Global budget with surplus retention (总额预算, 结余留用) for the whole group.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
pub struct GlobalBudgetFile {
    /// The insurer's yearly budget for the group's chronic patients, in yuan.
    /// unit: yuan per year · range: [0, 10000000000000] · default: required · source: policy
    /// setting (Guangming signed a payment reform in the global-budget direction, no amount
    /// published, pilot_sites.md)
    pub budget_yuan_per_year: f64,
    /// Share of a surplus (or deficit) the group keeps (bears).
    /// unit: share · range: [0, 1] · default: required · source: policy setting
    pub surplus_retention: f64,
    /// Year-to-date surplus, as a share of the budget to date, below which the group starts to
    /// respond (pressure 0 at or above it).
    /// unit: share of the budget to date · range: [-1, 1] · default: required · source:
    /// assumption — sweepable, calibratable (Shanghai hospitals met a binding budget mainly by
    /// cutting admissions, params.csv global_budget_inpatient_volume_response_shanghai)
    pub margin_target: f64,
    /// Shortfall below `margin_target` at which the responses are full (pressure 1).
    /// unit: share of the budget to date · range: (0, 2] · default: required · source:
    /// assumption — sweepable, calibratable
    pub margin_band: f64,
    /// Behavioural response at full pressure (assumption): multiplies hospitals' down-referral
    /// propensity for the agents (the product is capped at 1).
    /// unit: multiplier · range: [0, 100] · default: required · source: assumption — sweepable,
    /// calibratable
    pub down_referral_multiplier: f64,
    /// Behavioural response at full pressure (assumption): multiplies
    /// `care.complex_admission_share` (fewer avoidable admissions when below 1; the product is
    /// capped at 1).
    /// unit: multiplier · range: [0, 100] · default: required · source: assumption — sweepable,
    /// calibratable (Shanghai: discharges −10.4 % at once under the budget, params.csv
    /// global_budget_inpatient_volume_response_shanghai)
    pub complex_admission_multiplier: f64,
    /// Behavioural response at full pressure (assumption): multiplies the stays of the agents'
    /// admissions to the group's hospital medical and surgical wards.
    /// unit: multiplier · range: (0, 10] · default: required · source: assumption — sweepable,
    /// calibratable
    pub stay_multiplier: f64,
    /// Behavioural response at full pressure: share of an agent's inpatient charge at a group
    /// hospital moved to items the patient pays in full (self-paid drugs, Class B/C items), so
    /// that the insurer pays its rate on the rest only.
    /// unit: share of the charge · range: [0, 1] · default: required · source: assumption, in the
    /// direction of a rural county's budget (out-of-pocket +188 CNY and reimbursement −447 CNY
    /// per inpatient case, DID; params.csv global_budget_cost_shift_oop_rural) and of DIP
    /// (params.csv dip_cost_shifting_oop_chd); the per-case cost behind those figures is not in
    /// the abstracts, so the share is not derived from them — sweepable, calibratable
    pub cost_shift_share: f64,
    /// Simulation day the lever switches on.
    /// unit: simulation day · range: integer 0..=(run.warmup_days + run.days − 1) · default: 0 (on
    /// from the first day) · source: policy setting
    #[serde(default)]
    pub start_day: i64,
}

/// The budget's settings; a resource while it is in force.
#[derive(Resource, Debug, Clone, Copy, PartialEq)]
pub struct GlobalBudget {
    pub budget_yuan_per_day: f64,
    pub surplus_retention: f64,
    pub margin_target: f64,
    pub margin_band: f64,
    pub down_referral_multiplier: f64,
    pub complex_admission_multiplier: f64,
    pub stay_multiplier: f64,
    pub cost_shift_share: f64,
}

impl GlobalBudget {
    /// Pays a day into the budget year's `ledger`: the day's budget share and the insurer's
    /// payments `spent_yuan`; sets the pressure.
    pub fn pay_day(&self, ledger: &mut BudgetLedger, spent_yuan: f64) {
        ledger.pay_day(self.budget_yuan_per_day, spent_yuan, self.margin_target, self.margin_band);
    }
}

/// A response at `pressure` whose full-pressure value is `multiplier`.
pub fn response(multiplier: f64, pressure: f64) -> f64 {
    1.0 + pressure * (multiplier - 1.0)
}

/// Share of an agent's inpatient charge moved to self-paid items at the budget's pressure today
/// (0 without a budget).
pub fn shifted_share(budget: Option<&GlobalBudget>, ledger: Option<&BudgetLedger>) -> f64 {
    match (budget, ledger) {
        (Some(b), Some(l)) => b.cost_shift_share * l.pressure,
        _ => 0.0,
    }
}

pub fn validate(c: &mut Checker, b: &GlobalBudgetFile, cx: &Context) -> Lever<GlobalBudget> {
    let key = "policy.global_budget";
    let k = |field: &str| format!("{key}.{field}");
    Lever {
        start_day: start_day(c, key, b.start_day, cx),
        settings: GlobalBudget {
            budget_yuan_per_day: c.real(&k("budget_yuan_per_year"), b.budget_yuan_per_year, 0.0, 1e13)
                / DAYS_PER_YEAR,
            surplus_retention: c.share(&k("surplus_retention"), b.surplus_retention),
            margin_target: c.real(&k("margin_target"), b.margin_target, -1.0, 1.0),
            margin_band: c.positive(&k("margin_band"), b.margin_band, 2.0),
            down_referral_multiplier: c.real(
                &k("down_referral_multiplier"),
                b.down_referral_multiplier,
                0.0,
                100.0,
            ),
            complex_admission_multiplier: c.real(
                &k("complex_admission_multiplier"),
                b.complex_admission_multiplier,
                0.0,
                100.0,
            ),
            stay_multiplier: c.positive(&k("stay_multiplier"), b.stay_multiplier, 10.0),
            cost_shift_share: c.share(&k("cost_shift_share"), b.cost_shift_share),
        },
    }
}

fn systems(params: &Params) -> Option<Systems> {
    let l = params.policy.get::<Lever<GlobalBudget>>()?;
    let b = l.settings;
    Some(
        (move |mut commands: Commands, mut model: ResMut<Model>| {
            commands.insert_resource(b);
            model.policy.budget = Some(BudgetLedger::default());
        })
        .run_if(on_day(l.start_day))
        .into_configs(),
    )
}

pub const DEF: Def = Def {
    text: Text {
        key: "global_budget",
        en: "Global budget with surplus retention",
        zh: "医保总额付费、结余留用",
        explain_en: "The insurer pays the group a yearly budget and the group keeps part of any surplus. The group responds as its year-to-date margin falls below its target: more down-referral, fewer avoidable admissions, shorter stays, and more of each stay's cost moved to items patients pay themselves. A group comfortably in surplus behaves as before.",
        explain_zh: "医保基金按年度向医疗集团打包支付，结余部分由集团留用。当年初至今的结余率低于目标时，集团作出反应：更多下转、更少可避免住院、更短住院日，并把更多住院费用转为患者自付项目。结余充裕的集团行为如常。",
    },
    systems,
    changes_hazards: None,
    build: None,
};
