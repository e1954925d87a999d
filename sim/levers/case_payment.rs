//! Case-based payment (按病组/病种分值付费, DRG/DIP, China 2021–2024) for the group hospitals'
//! medical and surgical wards.
//!
//! In force, it is the resource [`CasePayment`]: the insurer pays each stay in a group hospital's
//! medical or surgical ward one rate per case, by tier, instead of its bed-days (the admission
//! stage charges it). The hospital's responses (assumptions, sweepable and calibratable; set
//! beside the evidence in docs/validation.md):
//! - **shorter stays**: each day beyond the case rate ÷ the hospital's bed-day price (the day a
//!   stay starts to lose money) is unpaid, so a stay running past that day ends there with
//!   `discharge_response` ([`crate::model::ward::Ward::set_stay_cut`]); this acts on every
//!   patient of those wards, agents and others, since the reform covers every insured inpatient;
//! - **cost-shifting**: `cost_shift_share` of an agent's case charge is moved to items the patient
//!   pays in full (the payment stage).
//!
//! Readmissions and case-mix shifts are not represented: the evidence is that 30-day readmissions
//! fell slightly or stayed level, and case-mix responses run both ways (see the fields' sources).

use super::common::{Context, Def, Lever, Systems, Text, cut_stays, on_day, start_day};
use crate::model::{Model, Wards};
use crate::params::{Params, Tier, WardKind};
use analysis::problem::Checker;
use bevy_ecs::prelude::*;
use schemars::JsonSchema;
use serde::Deserialize;

/// Case-based payment (DRG/DIP) for the group hospitals' medical and surgical wards.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
pub struct CasePaymentFile {
    /// Payment per stay in a member hospital's medical or surgical ward, in yuan.
    /// unit: yuan per case · range: (0, 10000000] · default: required · source: policy setting
    /// (e.g. the mean inpatient cost at secondary public hospitals, 6,821.5 yuan, Jan–May 2022,
    /// NHC)
    pub member_rate_yuan: f64,
    /// Payment per stay in the lead hospital's medical or surgical ward, in yuan.
    /// unit: yuan per case · range: (0, 10000000] · default: required · source: policy setting
    /// (e.g. the mean inpatient cost at tertiary public hospitals, 14,016.9 yuan, Jan–May 2022,
    /// NHC)
    pub lead_rate_yuan: f64,
    /// Behavioural response (assumption): probability that a stay running past the day it starts
    /// to lose money (case rate ÷ bed-day price) ends on that day.
    /// unit: probability · range: [0, 1] · default: required · source: assumption — sweepable,
    /// calibratable; compare the stay effects of DRG, −2 days (95 % CI −3.43 to −0.70; Zhang H et
    /// al., Healthcare 2025;13(19):2424, RDD and ITS in one city) and DIP, −1.08 days (DID,
    /// params.csv dip_effect_did_cost_los_casemix), and a DIP city where stays rose (params.csv
    /// dip_effect_cost_los_by_hospital_level)
    pub discharge_response: f64,
    /// Behavioural response: share of an agent's case charge moved to items the patient pays in
    /// full (self-paid drugs, Class B/C items).
    /// unit: share of the charge · range: [0, 1] · default: required · source: assumption, in the
    /// direction of out-of-pocket +8 % per case under DRG (95 % CI 5–10 %; Zhang H et al.,
    /// Healthcare 2025) and of DIP's shift to self-payment (params.csv dip_cost_shifting_oop_chd,
    /// dip_effect_oop_readmission_guangzhou) — sweepable, calibratable
    pub cost_shift_share: f64,
    /// Simulation day the lever switches on.
    /// unit: simulation day · range: integer 0..=(run.warmup_days + run.days − 1) · default: 0 (on
    /// from the first day) · source: policy setting
    #[serde(default)]
    pub start_day: i64,
}

/// Case payment's settings; a resource while it is in force.
#[derive(Resource, Debug, Clone, Copy, PartialEq)]
pub struct CasePayment {
    /// Rate per case by tier index (primary, member, lead; primary unused).
    pub rate_yuan: [f64; 3],
    pub discharge_response: f64,
    pub cost_shift_share: f64,
}

impl CasePayment {
    /// The case rate for a stay in ward kind `kind` at a group facility of tier `tier`, if case
    /// payment covers it.
    pub fn rate(&self, tier: Tier, kind: WardKind, in_group: bool) -> Option<f64> {
        (in_group && tier != Tier::Primary && matches!(kind, WardKind::Medical | WardKind::Surgical))
            .then_some(self.rate_yuan[tier.index()])
    }
}

pub fn validate(c: &mut Checker, f: &CasePaymentFile, cx: &Context) -> Lever<CasePayment> {
    let key = "policy.case_payment";
    let k = |field: &str| format!("{key}.{field}");
    Lever {
        start_day: start_day(c, key, f.start_day, cx),
        settings: CasePayment {
            rate_yuan: [
                0.0,
                c.positive(&k("member_rate_yuan"), f.member_rate_yuan, 1e7),
                c.positive(&k("lead_rate_yuan"), f.lead_rate_yuan, 1e7),
            ],
            discharge_response: c.share(&k("discharge_response"), f.discharge_response),
            cost_shift_share: c.share(&k("cost_shift_share"), f.cost_shift_share),
        },
    }
}

fn systems(params: &Params) -> Option<Systems> {
    let l = params.policy.get::<Lever<CasePayment>>()?;
    let settings = l.settings;
    Some(
        (move |mut commands: Commands, model: Res<Model>, mut wards: Query<&mut Wards>| {
            commands.insert_resource(settings);
            cut_stays(&model, &mut wards, settings.discharge_response, "/case_payment", |fp, wp| {
                let rate = settings.rate(fp.tier, wp.kind, fp.in_group)?;
                (fp.bed_day_price_yuan > 0.0).then(|| rate / fp.bed_day_price_yuan)
            });
        })
        .run_if(on_day(l.start_day))
        .into_configs(),
    )
}

pub const DEF: Def = Def {
    text: Text {
        key: "case_payment",
        en: "Case-based payment (DRG/DIP)",
        zh: "按病组/病种分值付费（DRG/DIP）",
        explain_en: "The insurer pays a hospital one rate per inpatient case instead of per day. Days beyond what the rate covers earn nothing, so hospitals have a reason to discharge sooner; some also move costs to items patients pay themselves.",
        explain_zh: "医保按病例向医院支付固定费用，而不是按住院日付费。超出支付标准覆盖天数的住院日没有收入，医院因此有动力更早安排出院；部分医院还会把费用转为患者自付项目。",
    },
    systems,
    changes_hazards: None,
    build: None,
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rate_covers_group_hospital_medical_and_surgical_wards_only() {
        let p =
            CasePayment { rate_yuan: [0.0, 6000.0, 14000.0], discharge_response: 0.3, cost_shift_share: 0.0 };
        assert_eq!(p.rate(Tier::Lead, WardKind::Surgical, true), Some(14000.0));
        assert_eq!(p.rate(Tier::Member, WardKind::Medical, true), Some(6000.0));
        assert_eq!(p.rate(Tier::Member, WardKind::Shared, true), None);
        assert_eq!(p.rate(Tier::Lead, WardKind::Medical, false), None);
    }
}
