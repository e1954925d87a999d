//! A drive to give more residents of the health-check ages their annual CHC health check.
//!
//! On its switch-on day it replaces the health-check rate in force
//! ([`crate::model::policy::PolicyNow`]); checks are hazards of the disease clock, so every
//! patient's clock is re-filed that day (the start of the day re-files them,
//! `model::systems::start`).

use super::common::{Context, Def, Lever, Systems, Text, on_day, start_day};
use crate::model::Model;
use crate::params::Params;
use crate::time::DAYS_PER_YEAR;
use analysis::problem::Checker;
use bevy_ecs::prelude::*;
use schemars::JsonSchema;
use serde::Deserialize;

/// A drive to give more residents 65+ their annual health check.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
pub struct HealthChecksFile {
    /// Share of residents aged `screening.health_check_min_age` or more checked in a year after
    /// the drive (replaces `screening.health_check_coverage`).
    /// unit: share per year · range: [0, 0.999]; needs a `[screening]` table · default: required ·
    /// source: policy setting (Guangming: 43.9 % in 2019 → 82.5 % in 2021, pilot_sites.md G4)
    pub coverage: f64,
    /// Simulation day the drive starts.
    /// unit: simulation day · range: integer 0..=(run.warmup_days + run.days − 1) · default: 0 (on
    /// from the first day) · source: policy setting
    #[serde(default)]
    pub start_day: i64,
}

/// The drive's settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HealthChecks {
    /// Health checks per resident-day of the eligible ages.
    pub check_rate_per_day: f64,
}

/// The daily hazard of a health check that gives a share `coverage` of people at least one
/// check a year: −ln(1 − coverage) / year.
pub fn check_rate(coverage: f64) -> f64 {
    -(1.0 - coverage).ln() / DAYS_PER_YEAR
}

pub fn validate(c: &mut Checker, h: &HealthChecksFile, cx: &Context) -> Lever<HealthChecks> {
    let key = "policy.health_checks";
    let coverage = c.real(&format!("{key}.coverage"), h.coverage, 0.0, 0.999);
    if !cx.has_screening {
        c.fail(
            format!("{key}.coverage"),
            "needs a [screening] table (health_check_min_age, check_detection, …)",
        );
    }
    Lever {
        start_day: start_day(c, key, h.start_day, cx),
        settings: HealthChecks { check_rate_per_day: check_rate(coverage) },
    }
}

fn systems(params: &Params) -> Option<Systems> {
    let l = params.policy.get::<Lever<HealthChecks>>()?;
    let rate = l.settings.check_rate_per_day;
    Some(
        (move |mut model: ResMut<Model>| model.policy.check_rate_per_day = rate)
            .run_if(on_day(l.start_day))
            .into_configs(),
    )
}

fn start_days(params: &Params) -> Vec<u32> {
    params.policy.get::<Lever<HealthChecks>>().map(|l| l.start_day).into_iter().collect()
}

pub const DEF: Def = Def {
    text: Text {
        key: "health_checks",
        en: "Health-check drive",
        zh: "老年人健康体检推进",
        explain_en: "CHCs give more residents of the health-check ages (65 and over) their yearly health check. Checks find conditions nobody knew of, and the people found can enrol in chronic-disease management.",
        explain_zh: "社区为更多 65 岁及以上居民提供年度健康体检。体检能发现此前未知的慢病，被发现的患者可以纳入慢病管理。",
    },
    systems,
    changes_hazards: Some(start_days),
    build: None,
};
