//! Down-referral programme (下转): hospitals send more stable outpatients back to the CHC.
//!
//! On its switch-on day it sets the down-referral propensity in force
//! ([`crate::model::policy::PolicyNow`]); the outpatient stage reads it after a hospital visit
//! (times a global budget's response when one is in force).

use super::common::{Context, Def, Lever, Systems, Text, on_day, start_day};
use crate::model::Model;
use crate::params::Params;
use analysis::problem::Checker;
use bevy_ecs::prelude::*;
use schemars::JsonSchema;
use serde::Deserialize;

/// Down-referral programme: hospitals send more stable outpatients back to the CHC.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
pub struct DownReferralFile {
    /// Probability that a hospital sends a stable outpatient back to the CHC (replaces
    /// `referral.down_referral_propensity`; a global budget's response multiplies it, at most
    /// 1).
    /// unit: probability · range: [0, 1] · default: required · source: assumption — sweepable,
    /// calibratable (37.6 % of patients willing to be referred down, Yu W et al., BMJ Open 2017;
    /// params.csv downward_referral_willingness_shanghai)
    pub propensity: f64,
    /// Simulation day the lever switches on.
    /// unit: simulation day · range: integer 0..=(run.warmup_days + run.days − 1) · default: 0 (on
    /// from the first day) · source: policy setting
    #[serde(default)]
    pub start_day: i64,
}

/// The programme's settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DownReferral {
    pub propensity: f64,
}

pub fn validate(c: &mut Checker, d: &DownReferralFile, cx: &Context) -> Lever<DownReferral> {
    let key = "policy.down_referral";
    Lever {
        start_day: start_day(c, key, d.start_day, cx),
        settings: DownReferral { propensity: c.share(&format!("{key}.propensity"), d.propensity) },
    }
}

fn systems(params: &Params) -> Option<Systems> {
    let l = params.policy.get::<Lever<DownReferral>>()?;
    let s = l.settings;
    Some(
        (move |mut model: ResMut<Model>| {
            model.policy.down_referral_propensity = s.propensity;
        })
        .run_if(on_day(l.start_day))
        .into_configs(),
    )
}

pub const DEF: Def = Def {
    text: Text {
        key: "down_referral",
        en: "Down-referral programme",
        zh: "下转机制",
        explain_en: "Hospitals send patients whose conditions are under control back to their CHC for follow-up (down-referral). It frees hospital clinics and keeps long-term care close to home.",
        explain_zh: "医院把病情已控制的患者转回社区随访（下转）。它为医院门诊腾出号源，让长期照护回到家门口。",
    },
    systems,
    changes_hazards: None,
    build: None,
};
