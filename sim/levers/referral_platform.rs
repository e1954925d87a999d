//! A one-click referral platform (一键转诊): fewer referrals lost on the way, less friction.
//!
//! On its switch-on day it replaces the referral completion and friction in force
//! ([`crate::model::policy::PolicyNow`]), which the outpatient and referral stages read.

use super::common::{Context, Def, Lever, Systems, Text, on_day, start_day};
use crate::model::Model;
use crate::params::Params;
use analysis::problem::Checker;
use bevy_ecs::prelude::*;
use serde::Deserialize;

/// A one-click referral platform (一键转诊): fewer lost referrals, less friction.
#[derive(Debug, Clone, Deserialize)]
pub struct ReferralPlatformFile {
    /// Share of up-referrals completed (replaces `referral.referral_completion`).
    /// unit: share · range: [0, 1]; at least `referral.referral_completion` · default: required ·
    /// source: assumption — sweepable, calibratable (Qingpu's district platform from December
    /// 2023 and Guangming's one-click referral report no completion rate, pilot_sites.md)
    pub referral_completion: f64,
    /// Days of referral friction (replaces `referral.friction_days`).
    /// unit: days (rounded to whole days) · range: [0, 365] · default: required · source:
    /// assumption — sweepable, calibratable
    pub friction_days: f64,
    /// Simulation day the lever switches on.
    /// unit: simulation day · range: integer 0..=(run.warmup_days + run.days − 1) · default: 0 (on
    /// from the first day) · source: policy setting
    #[serde(default)]
    pub start_day: i64,
}

/// The platform's settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ReferralPlatform {
    pub referral_completion: f64,
    pub friction_days: u32,
}

pub fn validate(c: &mut Checker, r: &ReferralPlatformFile, cx: &Context) -> Lever<ReferralPlatform> {
    let key = "policy.referral_platform";
    let lever = Lever {
        start_day: start_day(c, key, r.start_day, cx),
        settings: ReferralPlatform {
            referral_completion: c.share(&format!("{key}.referral_completion"), r.referral_completion),
            friction_days: c.real(&format!("{key}.friction_days"), r.friction_days, 0.0, 365.0).round()
                as u32,
        },
    };
    if r.referral_completion < cx.referral.referral_completion {
        c.fail(
            format!("{key}.referral_completion"),
            format!(
                "a referral platform should not lose more referrals than before: {} is below \
                 referral.referral_completion = {}",
                r.referral_completion, cx.referral.referral_completion
            ),
        );
    }
    lever
}

fn systems(params: &Params) -> Option<Systems> {
    let l = params.policy.get::<Lever<ReferralPlatform>>()?;
    let s = l.settings;
    Some(
        (move |mut model: ResMut<Model>| {
            model.policy.referral_completion = s.referral_completion;
            model.policy.friction_days = s.friction_days;
        })
        .run_if(on_day(l.start_day))
        .into_configs(),
    )
}

pub const DEF: Def = Def {
    text: Text {
        key: "referral_platform",
        en: "One-click referral",
        zh: "一键转诊",
        explain_en: "A shared platform on which the CHC doctor books the hospital appointment directly, with priority. It lowers referral friction, so fewer referrals are lost on the way.",
        explain_zh: "社区医生通过共享平台直接为患者预约医院号源，并享有优先。它降低转诊阻力，途中流失的转诊更少。",
    },
    source: include_str!("referral_platform.rs"),
    systems,
    changes_hazards: None,
    build: None,
};
