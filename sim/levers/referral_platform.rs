//! A one-click referral platform (一键转诊): the CHC doctor books the hospital slot at the
//! referral, so fewer referrals are lost and processing is faster.
//!
//! On its switch-on day it replaces the referral completion and processing time in force
//! ([`crate::model::policy::PolicyNow`]) and routes referrals through the platform: the
//! hospital appointment is booked from the CHC (counted in
//! `chc_booked_hospital_appointments_per_year`).

use super::common::{Context, Def, Lever, Systems, Text, on_day, start_day};
use crate::model::Model;
use crate::params::Params;
use analysis::problem::Checker;
use bevy_ecs::prelude::*;
use schemars::JsonSchema;
use serde::Deserialize;

/// A one-click referral platform (一键转诊): fewer lost referrals, faster processing.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
pub struct ReferralPlatformFile {
    /// Share of up-referrals completed (replaces `referral.referral_completion`).
    /// unit: share · range: [0, 1]; at least `referral.referral_completion` · default: required ·
    /// source: assumption — sweepable, calibratable (Qingpu's district platform from December
    /// 2023 and Guangming's one-click referral report no completion rate, pilot_sites.md)
    pub referral_completion: f64,
    /// Mean referral processing time through the platform (replaces
    /// `referral.processing_days_mean`; the coefficient of variation stays).
    /// unit: days · range: [0, 365]; at most `referral.processing_days_mean` · default: required
    /// · source: an internet referral platform cut the median referral time by 64 % (Li Q et al.
    /// 2025, params.csv internet_referral_platform_time_effect): 0.36 × the base mean —
    /// sweepable, calibratable
    pub processing_days_mean: f64,
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
    pub processing_days_mean: f64,
}

pub fn validate(c: &mut Checker, r: &ReferralPlatformFile, cx: &Context) -> Lever<ReferralPlatform> {
    let key = "policy.referral_platform";
    let lever = Lever {
        start_day: start_day(c, key, r.start_day, cx),
        settings: ReferralPlatform {
            referral_completion: c.share(&format!("{key}.referral_completion"), r.referral_completion),
            processing_days_mean: c.real(
                &format!("{key}.processing_days_mean"),
                r.processing_days_mean,
                0.0,
                365.0,
            ),
        },
    };
    if r.processing_days_mean > cx.referral.processing_days_mean {
        c.fail(
            format!("{key}.processing_days_mean"),
            format!(
                "a referral platform should not process referrals more slowly than before: {} is above \
                 referral.processing_days_mean = {}",
                r.processing_days_mean, cx.referral.processing_days_mean
            ),
        );
    }
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
            model.policy.processing_days_mean = s.processing_days_mean;
            model.policy.platform = true;
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
        explain_en: "A shared platform on which the CHC doctor books the hospital appointment directly, with priority. Referrals are processed faster and fewer are lost on the way.",
        explain_zh: "社区医生通过共享平台直接为患者预约医院号源，并享有优先。转诊办理更快，途中流失的转诊更少。",
    },
    systems,
    changes_hazards: None,
    build: None,
};
