//! Global budget with surplus retention (总额预算, 结余留用) for the whole group.
//!
//! On its switch-on day the budget is in force (the resource [`GlobalBudget`], against which the
//! payment stage sets the insurer's payments of each day), and its behavioural responses — all
//! assumptions, sweepable and calibratable — act: the down-referral propensity and the
//! complex-admission share in force are multiplied, and stays in the group's hospital medical and
//! surgical wards are scaled.

use super::common::{Context, Def, Lever, Systems, Text, on_day, start_day};
use crate::model::{Model, Wards};
use crate::params::{Params, Tier, WardKind};
use crate::time::DAYS_PER_YEAR;
use analysis::problem::Checker;
use bevy_ecs::prelude::*;
use serde::Deserialize;

/// Global budget with surplus retention (总额预算, 结余留用) for the whole group.
#[derive(Debug, Clone, Deserialize)]
pub struct GlobalBudgetFile {
    /// The insurer's yearly budget for the group's chronic patients, in yuan.
    /// unit: yuan per year · range: [0, 10000000000000] · default: required · source: policy
    /// setting (Guangming signed a payment reform in the global-budget direction, no amount
    /// published, pilot_sites.md)
    pub budget_yuan_per_year: f64,
    /// Share of a surplus (or deficit) the group keeps (bears).
    /// unit: share · range: [0, 1] · default: required · source: policy setting
    pub surplus_retention: f64,
    /// Behavioural response (assumption): multiplies hospitals' down-referral propensity (the
    /// product is capped at 1).
    /// unit: multiplier · range: [0, 100] · default: required · source: assumption — sweepable,
    /// calibratable
    pub down_referral_multiplier: f64,
    /// Behavioural response (assumption): multiplies `care.complex_admission_share`
    /// (fewer avoidable admissions when below 1; the product is capped at 1).
    /// unit: multiplier · range: [0, 100] · default: required · source: assumption — sweepable,
    /// calibratable
    pub complex_admission_multiplier: f64,
    /// Behavioural response (assumption): multiplies stays in hospital medical and surgical
    /// wards.
    /// unit: multiplier · range: (0, 10] · default: required · source: assumption — sweepable,
    /// calibratable
    pub stay_multiplier: f64,
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
    pub down_referral_multiplier: f64,
    pub complex_admission_multiplier: f64,
    pub stay_multiplier: f64,
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
        },
    }
}

fn systems(params: &Params) -> Option<Systems> {
    let l = params.policy.get::<Lever<GlobalBudget>>()?;
    let b = l.settings;
    Some(
        (move |mut commands: Commands, mut model: ResMut<Model>, mut wards: Query<&mut Wards>| {
            commands.insert_resource(b);
            let model = &mut *model;
            model.policy.down_referral_propensity =
                (model.policy.down_referral_propensity * b.down_referral_multiplier).min(1.0);
            model.policy.complex_admission_share =
                (model.policy.complex_admission_share * b.complex_admission_multiplier).min(1.0);
            for (f, fp) in model.params.facilities.iter().enumerate() {
                if fp.tier == Tier::Primary || !fp.in_group {
                    continue;
                }
                let Ok(mut w) = wards.get_mut(model.facilities[f]) else { continue };
                for (ward, wp) in w.wards.iter_mut().zip(&fp.wards) {
                    if wp.kind != WardKind::Shared {
                        ward.set_stay_scale(b.stay_multiplier);
                    }
                }
            }
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
        explain_en: "The insurer pays the group a yearly budget and the group keeps part of any surplus. This rewards keeping residents healthy and treating them at the cheapest suitable tier: more down-referral, fewer avoidable admissions.",
        explain_zh: "医保基金按年度向医疗集团打包支付，结余部分由集团留用。这激励集团让居民少生病、在合适的最低层级治疗：更多下转，更少可避免的住院。",
    },
    source: include_str!("global_budget.rs"),
    systems,
    changes_hazards: None,
    build: None,
};
