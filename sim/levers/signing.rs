//! Family-doctor signing drive (家庭医生签约): more residents sign with their CHC's team.
//!
//! On its switch-on day each unsigned chronic patient signs with the probability that lifts the
//! signed share from the scenario's rate to the drive's, drawn from the patient's own policy
//! stream; with `residents_rate`, the same share of the other residents moves to the signed
//! strata. A catchment whose CHC gives its family doctors a panel (`family_doctors.panel_size`)
//! signs no more than doctors × panel: when the drive would exceed it, every unsigned resident's
//! chance is scaled down alike (so who signs does not depend on any order).

use super::common::{Context, Def, Lever, Systems, Text, on_day, start_day};
use crate::model::census::sign;
use crate::model::residents::Residents;
use crate::model::{Census, Model, Patient, SIGNED};
use crate::params::Params;
use crate::rng::Purpose;
use analysis::problem::Checker;
use bevy_ecs::prelude::*;
use rand::RngExt;
use schemars::JsonSchema;
use serde::Deserialize;

/// Family-doctor signing drive.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
pub struct SigningFile {
    /// Share of chronic patients signed after the drive (at least `population.signing_rate`).
    /// unit: share · range: [0, 1]; at least `population.signing_rate` · default: required ·
    /// source: policy setting (Shanghai 2023: 44.36 % of residents, 84.85 % of key groups;
    /// params.csv shanghai_family_doctor_signing)
    pub rate: f64,
    /// Share of the other residents (without a chronic condition) signed after the drive; left
    /// out, their share stays `residents.signing_rate`.
    /// unit: share · range: [0, 1]; at least `residents.signing_rate` · default: unchanged ·
    /// source: policy setting (Shanghai 2023: 44.36 % of all residents, params.csv
    /// shanghai_family_doctor_signing)
    #[serde(default)]
    pub residents_rate: Option<f64>,
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
    /// Share of the other residents signed after the drive, if the drive reaches them.
    pub residents_rate: Option<f64>,
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
    let residents_rate = s.residents_rate.map(|r| c.share(&format!("{key}.residents_rate"), r));
    if let Some(r) = residents_rate
        && r < cx.residents_signing_rate
    {
        c.fail(
            format!("{key}.residents_rate"),
            format!(
                "a signing drive cannot lower the signing rate: {r} is below residents.signing_rate = {}",
                cx.residents_signing_rate
            ),
        );
    }
    Lever { start_day: start_day(c, key, s.start_day, cx), settings: Signing { rate, residents_rate } }
}

fn systems(params: &Params) -> Option<Systems> {
    let l = params.policy.get::<Lever<Signing>>()?;
    let lift = |from: f64, to: f64| if from < 1.0 { ((to - from) / (1.0 - from)).max(0.0) } else { 0.0 };
    let p_agents = lift(params.population.signing_rate, l.settings.rate);
    let p_residents = l.settings.residents_rate.map_or(0.0, |r| lift(params.residents.signing_rate, r));
    // Signed residents each catchment's family doctors can hold (infinite without a panel).
    let capacity: Vec<f64> = params
        .chcs()
        .iter()
        .map(|&f| {
            params.facilities[f]
                .clinics
                .iter()
                .find_map(|c| c.family_doctors)
                .map_or(f64::INFINITY, |fd| fd.capacity())
        })
        .collect();
    Some(
        (move |model: Res<Model>,
               mut census: ResMut<Census>,
               residents: Option<ResMut<Residents>>,
               mut patients: Query<&mut Patient>| {
            let n = capacity.len();
            // Signed and unsigned residents of each catchment now.
            let (mut signed, mut unsigned_agents, mut unsigned_others) =
                (vec![0.0; n], vec![0.0; n], vec![0.0; n]);
            for p in &patients {
                if let Some(k) = model.catchment.get(p.home as usize).map(|&k| k as usize).filter(|&k| k < n)
                {
                    if p.has(SIGNED) { signed[k] += 1.0 } else { unsigned_agents[k] += 1.0 }
                }
            }
            if let Some(r) = residents.as_deref() {
                for s in &r.strata {
                    let g = &r.groups[s.group as usize];
                    let k = g.catchment as usize;
                    if g.chooser.signed {
                        signed[k] += s.residents
                    } else {
                        unsigned_others[k] += s.residents
                    }
                }
            }
            // The drive's chance in each catchment, scaled down alike where the panel is full.
            let scale: Vec<f64> = (0..n)
                .map(|k| {
                    let wanted = p_agents * unsigned_agents[k] + p_residents * unsigned_others[k];
                    let room = (capacity[k] - signed[k]).max(0.0);
                    if wanted > room { room / wanted } else { 1.0 }
                })
                .collect();
            for mut patient in &mut patients {
                if patient.has(SIGNED) {
                    continue;
                }
                let k = model
                    .catchment
                    .get(patient.home as usize)
                    .map_or(0, |&k| k as usize)
                    .min(n.saturating_sub(1));
                let u: f64 = model.streams.patient(Purpose::Policy, patient.id, 0).random();
                if u < p_agents * scale.get(k).copied().unwrap_or(1.0) {
                    sign(&mut patient, &mut census);
                }
            }
            if let Some(mut r) = residents
                && p_residents > 0.0
            {
                r.sign(|catchment| p_residents * scale.get(catchment as usize).copied().unwrap_or(1.0));
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
        explain_en: "Residents signed with a CHC family-doctor team get priority booking there and prefer it as their first stop; a signing drive raises the share of chronic patients (and, if set, of the other residents) who are signed, up to what the family doctors' panels can hold.",
        explain_zh: "与社区家庭医生团队签约的居民在社区享有优先预约，也更愿意把社区作为首诊；签约推广提高慢病患者（如有设定，也包括其他居民）的签约比例，但不超过家庭医生签约容量。",
    },
    systems,
    changes_hazards: None,
    build: None,
};
