//! Family-doctor capitation (按人头付费): the insurer pays the CHCs a yearly amount per signed
//! patient.
//!
//! In force, it is the resource [`Capitation`]: the payment stage pays it every day, and the
//! choice stage adds its behavioural response (an assumption, sweepable and calibratable) to the
//! home CHC's utility for signed patients ([`signed_bonus`]).

use super::common::{Context, Def, Lever, Systems, Text, on_day, start_day};
use crate::params::Params;
use crate::time::DAYS_PER_YEAR;
use analysis::problem::Checker;
use bevy_ecs::prelude::*;
use schemars::JsonSchema;
use serde::Deserialize;

/// Family-doctor capitation (按人头付费).
#[derive(Debug, Clone, Deserialize, JsonSchema)]
pub struct CapitationFile {
    /// Yearly payment per signed chronic patient to the CHC, in yuan (paid by the insurer).
    /// unit: yuan per signed patient per year · range: [0, 1000000] · default: required · source:
    /// policy setting
    pub yuan_per_signed_patient_per_year: f64,
    /// Behavioural response (assumption): extra utility of the home CHC for signed patients
    /// when family doctors are paid per head.
    /// unit: utility · range: [-50, 50] · default: required · source: assumption — sweepable,
    /// calibratable
    pub signed_bonus_gain: f64,
    /// Simulation day the lever switches on.
    /// unit: simulation day · range: integer 0..=(run.warmup_days + run.days − 1) · default: 0 (on
    /// from the first day) · source: policy setting
    #[serde(default)]
    pub start_day: i64,
}

/// Capitation's settings; a resource while it is in force.
#[derive(Resource, Debug, Clone, Copy, PartialEq)]
pub struct Capitation {
    pub yuan_per_signed_patient_per_day: f64,
    pub signed_bonus_gain: f64,
}

pub fn validate(c: &mut Checker, k: &CapitationFile, cx: &Context) -> Lever<Capitation> {
    let key = "policy.capitation";
    Lever {
        start_day: start_day(c, key, k.start_day, cx),
        settings: Capitation {
            yuan_per_signed_patient_per_day: c.real(
                &format!("{key}.yuan_per_signed_patient_per_year"),
                k.yuan_per_signed_patient_per_year,
                0.0,
                1e6,
            ) / DAYS_PER_YEAR,
            signed_bonus_gain: c.real(&format!("{key}.signed_bonus_gain"), k.signed_bonus_gain, -50.0, 50.0),
        },
    }
}

fn systems(params: &Params) -> Option<Systems> {
    let l = params.policy.get::<Lever<Capitation>>()?;
    let settings = l.settings;
    Some(
        (move |mut commands: Commands| commands.insert_resource(settings))
            .run_if(on_day(l.start_day))
            .into_configs(),
    )
}

/// The utility of the home CHC for a signed patient: the scenario's bonus, plus capitation's
/// gain when it is in force.
pub fn signed_bonus(base: f64, capitation: Option<&Capitation>) -> f64 {
    base + capitation.map_or(0.0, |c| c.signed_bonus_gain)
}

pub const DEF: Def = Def {
    text: Text {
        key: "capitation",
        en: "Family-doctor capitation",
        zh: "家庭医生按人头付费",
        explain_en: "The insurer pays each CHC a yearly amount for every patient signed with its family doctors, whatever care they use. Family doctors gain from keeping their patients well and close: signed patients are drawn more to their own CHC.",
        explain_zh: "医保按签约人数每年向社区支付固定金额，与实际就诊多少无关。家庭医生因此更愿意管好签约患者，签约患者也更倾向于在自己的社区就诊。",
    },
    systems,
    changes_hazards: None,
    build: None,
};
