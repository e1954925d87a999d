//! Post-acute transfer of lead-ward discharges to shared wards.
//!
//! On its switch-on day it sets the multiplier of every condition's post-acute transfer share
//! ([`crate::model::policy::PolicyNow`]), which the referral stage reads at a discharge.

use super::common::{Context, Def, Lever, Systems, Text, on_day, start_day};
use crate::model::Model;
use crate::params::Params;
use analysis::problem::Checker;
use bevy_ecs::prelude::*;
use schemars::JsonSchema;
use serde::Deserialize;

/// Post-acute transfer of lead-ward discharges to shared wards.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
pub struct PostAcuteTransferFile {
    /// Multiplies every condition's `post_acute_transfer_share` (the product is capped at 1).
    /// unit: multiplier · range: [0, 100] · default: required · source: assumption — sweepable,
    /// calibratable
    pub share_multiplier: f64,
    /// Simulation day the lever switches on.
    /// unit: simulation day · range: integer 0..=(run.warmup_days + run.days − 1) · default: 0 (on
    /// from the first day) · source: policy setting
    #[serde(default)]
    pub start_day: i64,
}

/// The lever's settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PostAcuteTransfer {
    pub share_multiplier: f64,
}

pub fn validate(c: &mut Checker, t: &PostAcuteTransferFile, cx: &Context) -> Lever<PostAcuteTransfer> {
    let key = "policy.post_acute_transfer";
    Lever {
        start_day: start_day(c, key, t.start_day, cx),
        settings: PostAcuteTransfer {
            share_multiplier: c.real(&format!("{key}.share_multiplier"), t.share_multiplier, 0.0, 100.0),
        },
    }
}

fn systems(params: &Params) -> Option<Systems> {
    let l = params.policy.get::<Lever<PostAcuteTransfer>>()?;
    let m = l.settings.share_multiplier;
    Some(
        (move |mut model: ResMut<Model>| model.policy.post_acute_transfer_multiplier = m)
            .run_if(on_day(l.start_day))
            .into_configs(),
    )
}

pub const DEF: Def = Def {
    text: Text {
        key: "post_acute_transfer",
        en: "Post-acute transfer to shared wards",
        zh: "急性期后转入共管病房",
        explain_en: "After an acute admission at the lead hospital, more patients continue their recovery in a shared ward of a member hospital, where lead-hospital specialists still look after them at member-hospital prices. Lead beds are freed sooner.",
        explain_zh: "在牵头医院急性期住院后，更多患者转到成员医院的共管病房继续康复，仍由牵头医院专家管理，按成员医院价格收费。牵头医院的床位更早腾出。",
    },
    systems,
    changes_hazards: None,
    build: None,
};
