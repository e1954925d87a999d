//! Differential reimbursement (差别化报销): new insurer rates by scheme and tier.
//!
//! On its switch-on day it replaces the reimbursement rates in force
//! ([`crate::model::policy::PolicyNow`]), which the choice stage (out-of-pocket cost) and the
//! payment stage read.

use super::common::{Context, Def, Lever, Systems, Text, on_day, start_day};
use crate::model::Model;
use crate::params::Params;
use crate::scenario::shares::{TierShares, tier_shares};
use analysis::problem::Checker;
use bevy_ecs::prelude::*;
use schemars::JsonSchema;
use serde::Deserialize;

/// Differential reimbursement: new rates by scheme and tier.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
pub struct ReimbursementFile {
    /// Rates for the employee scheme (replace `payment.reimbursement_employee`).
    /// unit: share of the charge paid by the insurer, by tier · range: each in [0, 1] · default:
    /// required · source: policy setting (typical gaps of 5–15 points between tiers, from memory,
    /// unverified, params.csv reimbursement_rate_by_level_typical)
    pub employee: TierShares,
    /// Rates for the resident scheme (replace `payment.reimbursement_resident`).
    /// unit: share of the charge paid by the insurer, by tier · range: each in [0, 1] · default:
    /// required · source: policy setting (typical gaps of 5–15 points between tiers, from memory,
    /// unverified, params.csv reimbursement_rate_by_level_typical)
    pub resident: TierShares,
    /// Simulation day the lever switches on.
    /// unit: simulation day · range: integer 0..=(run.warmup_days + run.days − 1) · default: 0 (on
    /// from the first day) · source: policy setting
    #[serde(default)]
    pub start_day: i64,
}

/// The new rates: by scheme index (employee, resident), then tier index.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Reimbursement {
    pub rates: [[f64; 3]; 2],
}

pub fn validate(c: &mut Checker, r: &ReimbursementFile, cx: &Context) -> Lever<Reimbursement> {
    let key = "policy.reimbursement";
    Lever {
        start_day: start_day(c, key, r.start_day, cx),
        settings: Reimbursement {
            rates: [
                tier_shares(c, &format!("{key}.employee"), r.employee),
                tier_shares(c, &format!("{key}.resident"), r.resident),
            ],
        },
    }
}

fn systems(params: &Params) -> Option<Systems> {
    let l = params.policy.get::<Lever<Reimbursement>>()?;
    let rates = l.settings.rates;
    Some(
        (move |mut model: ResMut<Model>| model.policy.reimbursement = rates)
            .run_if(on_day(l.start_day))
            .into_configs(),
    )
}

pub const DEF: Def = Def {
    text: Text {
        key: "reimbursement",
        en: "Differential reimbursement",
        zh: "差别化报销",
        explain_en: "The insurer reimburses a larger share of the bill at CHCs than at hospitals, so patients pay less out of pocket near home; a wider gap pulls more visits into primary care.",
        explain_zh: "在社区就诊的报销比例高于医院，患者在家门口看病自付更少；差距越大，流向基层的就诊越多。",
    },
    systems,
    changes_hazards: None,
    build: None,
};
