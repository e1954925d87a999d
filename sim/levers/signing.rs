//! Family-doctor signing drive (家庭医生签约): more chronic patients sign with their CHC's team.
//!
//! On its switch-on day each unsigned patient signs with the probability that lifts the signed
//! share from the scenario's rate to the drive's, drawn from the patient's own policy stream.

use super::common::{Context, Def, Lever, Systems, Text, on_day, start_day};
use crate::model::census::sign;
use crate::model::{Census, Model, Patient, SIGNED};
use crate::params::Params;
use crate::rng::Purpose;
use analysis::problem::Checker;
use bevy_ecs::prelude::*;
use rand::RngExt;
use serde::Deserialize;

/// Family-doctor signing drive.
#[derive(Debug, Clone, Deserialize)]
pub struct SigningFile {
    /// Share of chronic patients signed after the drive (at least `population.signing_rate`).
    /// unit: share · range: [0, 1]; at least `population.signing_rate` · default: required ·
    /// source: policy setting (Shanghai 2023: 44.36 % of residents, 84.85 % of key groups;
    /// params.csv shanghai_family_doctor_signing)
    pub rate: f64,
    /// Simulation day of the drive.
    /// unit: simulation day · range: integer 0..=(run.warmup_days + run.days − 1) · default: 0 (on
    /// from the first day) · source: policy setting
    #[serde(default)]
    pub start_day: i64,
}

/// The drive's settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Signing {
    /// Share of chronic patients signed after the drive.
    pub rate: f64,
}

pub fn validate(c: &mut Checker, s: &SigningFile, cx: &Context) -> Lever<Signing> {
    let key = "policy.signing";
    let rate = c.share(&format!("{key}.rate"), s.rate);
    if rate < cx.population.signing_rate {
        c.fail(
            format!("{key}.rate"),
            format!(
                "a signing drive cannot lower the signing rate: {rate} is below population.signing_rate = {}",
                cx.population.signing_rate
            ),
        );
    }
    Lever { start_day: start_day(c, key, s.start_day, cx), settings: Signing { rate } }
}

fn systems(params: &Params) -> Option<Systems> {
    let l = params.policy.get::<Lever<Signing>>()?;
    let base = params.population.signing_rate;
    let p = if base < 1.0 { (l.settings.rate - base) / (1.0 - base) } else { 0.0 };
    Some(
        (move |model: Res<Model>, mut census: ResMut<Census>, mut patients: Query<&mut Patient>| {
            for mut patient in &mut patients {
                if patient.has(SIGNED) {
                    continue;
                }
                let u: f64 = model.streams.patient(Purpose::Policy, patient.id, 0).random();
                if u < p {
                    sign(&mut patient, &mut census);
                }
            }
        })
        .run_if(on_day(l.start_day))
        .into_configs(),
    )
}

pub const DEF: Def = Def {
    text: Text {
        key: "signing",
        en: "Family-doctor signing drive",
        zh: "家庭医生签约",
        explain_en: "Residents signed with a CHC family-doctor team get priority booking there and prefer it as their first stop; a signing drive raises the share of chronic patients who are signed.",
        explain_zh: "与社区家庭医生团队签约的居民在社区享有优先预约，也更愿意把社区作为首诊；签约推广提高慢病患者的签约比例。",
    },
    source: include_str!("signing.rs"),
    systems,
    changes_hazards: None,
    build: None,
};
