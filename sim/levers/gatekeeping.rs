//! Gatekeeping (基层首诊): first contact at the CHC.
//!
//! Soft gatekeeping reimburses a hospital visit without a CHC referral `bypass_penalty` less;
//! strict gatekeeping also closes the lead hospital to non-emergency patients without a
//! referral. In force, it is the resource [`Gatekeeping`]; the choice and payment stages read
//! it through [`reimbursed_share`] and [`lead_open_to_self_referral`].

use super::common::{Context, Def, Lever, Systems, Text, on_day, start_day};
use crate::model::policy::PolicyNow;
use crate::params::{Params, Scheme, Tier};
use analysis::problem::Checker;
use bevy_ecs::prelude::*;
use schemars::JsonSchema;
use serde::Deserialize;

/// Gatekeeping (基层首诊): first contact at the CHC.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
pub struct GatekeepingFile {
    /// How strict the rule is. "soft": a hospital visit without a CHC referral is reimbursed
    /// `bypass_penalty` less; "strict": in addition, the lead hospital sees non-emergency patients
    /// only on referral.
    /// unit: text · range: one of "soft", "strict" · default: required · source: policy setting
    pub mode: String,
    /// Cut in the reimbursement rate of a self-referred hospital visit, as a share (0.2 = 20
    /// percentage points off the rate; the rate does not go below 0).
    /// unit: share (of the charge) · range: [0, 1] · default: required · source: policy setting
    pub bypass_penalty: f64,
    /// Simulation day the lever switches on (day 0 is the first warm-up day).
    /// unit: simulation day · range: integer 0..=(run.warmup_days + run.days − 1) · default: 0 (on
    /// from the first day) · source: policy setting
    #[serde(default)]
    pub start_day: i64,
}

/// Gatekeeping mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GatekeepingMode {
    /// A self-referred hospital visit is reimbursed less.
    Soft,
    /// As soft, and the lead hospital sees non-emergency patients only on referral.
    Strict,
}

/// Gatekeeping's settings; a resource while it is in force.
#[derive(Resource, Debug, Clone, Copy, PartialEq)]
pub struct Gatekeeping {
    pub mode: GatekeepingMode,
    pub bypass_penalty: f64,
}

pub fn validate(c: &mut Checker, g: &GatekeepingFile, cx: &Context) -> Lever<Gatekeeping> {
    let key = "policy.gatekeeping";
    let mode = c.choice(
        &format!("{key}.mode"),
        &g.mode,
        &[("soft", GatekeepingMode::Soft), ("strict", GatekeepingMode::Strict)],
    );
    Lever {
        start_day: start_day(c, key, g.start_day, cx),
        settings: Gatekeeping {
            mode: mode.unwrap_or(GatekeepingMode::Soft),
            bypass_penalty: c.share(&format!("{key}.bypass_penalty"), g.bypass_penalty),
        },
    }
}

fn systems(params: &Params) -> Option<Systems> {
    let l = params.policy.get::<Lever<Gatekeeping>>()?;
    let settings = l.settings;
    Some(
        (move |mut commands: Commands| commands.insert_resource(settings))
            .run_if(on_day(l.start_day))
            .into_configs(),
    )
}

/// The share of a charge the insurer pays: the reimbursement rate in force for the scheme and
/// tier, less the gatekeeping penalty for a self-referred (`bypass`) hospital visit.
pub fn reimbursed_share(
    policy: &PolicyNow,
    gatekeeping: Option<&Gatekeeping>,
    scheme: Scheme,
    tier: Tier,
    bypass: bool,
) -> f64 {
    let rate = policy.reimbursement[scheme as usize][tier.index()];
    match (gatekeeping, bypass && tier != Tier::Primary) {
        (Some(g), true) => (rate - g.bypass_penalty).max(0.0),
        _ => rate,
    }
}

/// Whether the lead hospital sees a non-emergency, non-referred request.
pub fn lead_open_to_self_referral(gatekeeping: Option<&Gatekeeping>) -> bool {
    !matches!(gatekeeping, Some(Gatekeeping { mode: GatekeepingMode::Strict, .. }))
}

pub const DEF: Def = Def {
    text: Text {
        key: "gatekeeping",
        en: "Gatekeeping",
        zh: "基层首诊（守门人制度）",
        explain_en: "Under strict gatekeeping a non-emergency visit to the lead hospital needs a referral from the patient's CHC; under soft gatekeeping, bypassing the CHC costs the patient more. It moves routine care to the CHCs, and can add a step for patients who do need a specialist.",
        explain_zh: "严格守门时，非急诊到牵头医院就诊必须持有社区转诊；软性守门时，越过社区直接就诊要多付费。它把常规诊疗引向社区，但也可能让确需专科的患者多走一步。",
    },
    systems,
    changes_hazards: None,
    build: None,
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_penalty_falls_on_self_referred_hospital_visits_only() {
        let mut now = PolicyNow::new(&crate::testing::small());
        now.reimbursement = [[0.9, 0.7, 0.5]; 2];
        let g = Gatekeeping { mode: GatekeepingMode::Soft, bypass_penalty: 0.6 };
        assert_eq!(reimbursed_share(&now, Some(&g), Scheme::Resident, Tier::Lead, true), 0.0);
        assert!((reimbursed_share(&now, Some(&g), Scheme::Resident, Tier::Member, true) - 0.1).abs() < 1e-12);
        assert_eq!(reimbursed_share(&now, Some(&g), Scheme::Resident, Tier::Lead, false), 0.5);
        assert_eq!(reimbursed_share(&now, Some(&g), Scheme::Resident, Tier::Primary, true), 0.9);
        assert_eq!(reimbursed_share(&now, None, Scheme::Resident, Tier::Lead, true), 0.5);
        assert!(lead_open_to_self_referral(Some(&g)));
        assert!(!lead_open_to_self_referral(Some(&Gatekeeping { mode: GatekeepingMode::Strict, ..g })));
    }
}
