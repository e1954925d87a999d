//! Expert studios (名医工作室) at CHCs, in batches assigned to the CHCs in turn.
//!
//! On a batch's day its studios open at the CHCs (the first CHCs after the previous batch's last
//! one). Each studio speeds up its CHC's learning ([`super::capability_learning`]) and holds a
//! weekly clinic there: `visits_per_week` slots of the CHC's expert clinic
//! ([`ExpertClinics`]), taken from the lead's specialist clinic on the same weekday (the expert's
//! hours move, not the patients). Studio n, counted over all batches, holds its clinic on weekday
//! n mod 5 (Monday to Friday), so that a CHC's studios spread over the week. Patients book the
//! clinic by choosing it, as an expert session; with studios alone, its visit is priced like a
//! lead-hospital visit and reimbursed at the primary rate.

use super::capability_learning::Learning;
use super::common::{Context, Def, Lever, Systems, Text, start_day};
use super::expert_sessions::{ExpertClinics, ExpertSessions, move_specialist_slots, open_expert_clinic};
use crate::model::{Clinics, Model};
use crate::params::{Params, Tier};
use analysis::problem::Checker;
use bevy_ecs::prelude::*;
use schemars::JsonSchema;
use serde::Deserialize;

/// A batch of expert studios (名医工作室) at CHCs, assigned to CHCs in turn.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
pub struct ExpertStudiosFile {
    /// Studios opened in this batch.
    /// unit: count · range: integer 1..=100000; needs a primary facility · default: required ·
    /// source: policy setting (Qingpu: 20 studios from October 2023, 17 more from March 2024;
    /// Qingdao: 7 studios in a member hospital; pilot_sites.md)
    pub count: i64,
    /// Visits a week each studio's expert sees at the CHC, taken from the lead's specialist
    /// clinic.
    /// unit: visits per week · range: integer 0..=1000 · default: 20 · source: assumption (one
    /// half-day clinic a week of about 20 visits; the pilots report studios, not their hours,
    /// pilot_sites.md)
    #[serde(default)]
    pub visits_per_week: Option<i64>,
    /// Simulation day the batch opens.
    /// unit: simulation day · range: integer 0..=(run.warmup_days + run.days − 1) · default: 0 (open
    /// from the first day) · source: policy setting
    #[serde(default)]
    pub start_day: i64,
}

/// A batch: studios and each one's visits a week.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Batch {
    pub count: u32,
    pub visits_per_week: u32,
}

/// The batches by opening day.
#[derive(Debug, Clone, PartialEq)]
pub struct ExpertStudios {
    pub batches: Vec<Lever<Batch>>,
}

pub fn validate(c: &mut Checker, files: &[ExpertStudiosFile], cx: &Context) -> ExpertStudios {
    let chcs = cx.facilities.iter().filter(|x| x.tier == Tier::Primary).count();
    let mut batches = Vec::new();
    for (i, s) in files.iter().enumerate() {
        let key = format!("policy.expert_studios[{i}]");
        let count = c.int(&format!("{key}.count"), s.count, 1, 100_000);
        if chcs == 0 {
            c.fail(format!("{key}.count"), "needs at least one primary facility to host the studios");
        }
        let visits_per_week =
            c.int(&format!("{key}.visits_per_week"), s.visits_per_week.unwrap_or(20), 0, 1000);
        if cx.facilities.iter().all(|x| x.tier != Tier::Lead || !x.in_group) {
            c.fail(
                format!("{key}.count"),
                "needs a lead hospital in the group, whose experts run the studios",
            );
        }
        batches.push(Lever {
            start_day: start_day(c, &key, s.start_day, cx),
            settings: Batch { count, visits_per_week },
        });
    }
    ExpertStudios { batches }
}

fn systems(params: &Params) -> Option<Systems> {
    let studios = params.policy.get::<ExpertStudios>()?.clone();
    let days: Vec<u32> = studios.batches.iter().map(|b| b.start_day).collect();
    // The CHCs in turn across the groups (the first CHC of every group, then the second, …), so
    // that a batch is spread over a city's groups; one group's order is its file order.
    let mut seen = vec![0usize; params.city.groups.len() + 1];
    let mut order: Vec<(usize, u16, usize)> = params
        .chcs()
        .into_iter()
        .map(|f| {
            let g = params.facilities[f].group;
            let k = &mut seen[usize::from(g).min(params.city.groups.len())];
            *k += 1;
            (*k, g, f)
        })
        .collect();
    order.sort_unstable();
    let chcs: Vec<usize> = order.into_iter().map(|(_, _, f)| f).collect();
    params.leads().first()?;
    Some(
        (move |model: Res<Model>,
               mut learning: ResMut<Learning>,
               mut open: ResMut<ExpertClinics>,
               mut clinics: Query<&mut Clinics>| {
            let mut next = 0usize;
            for b in &studios.batches {
                for _ in 0..b.settings.count {
                    if b.start_day == model.day.0 && !chcs.is_empty() {
                        let f = chcs[next % chcs.len()];
                        learning.studios[f] += 1;
                        open_expert_clinic(&model, &mut open, &mut clinics, f);
                        move_specialist_slots(
                            &model,
                            model.lead_of(f as u16) as usize,
                            f,
                            next % 5,
                            b.settings.visits_per_week,
                            &mut clinics,
                        );
                    }
                    next += 1;
                }
            }
        })
        .run_if(move |model: Res<Model>| days.contains(&model.day.0))
        .into_configs(),
    )
}

/// The expert clinics' resource ([`ExpertClinics`], shared with the expert sessions), when
/// sessions or studios are in the scenario.
fn build(world: &mut World, params: &Params) {
    let lead_price = |f: &crate::params::FacilityParams| {
        params.lead_of_group(f.group).map_or(f.visit_price_yuan, |l| params.facilities[l].visit_price_yuan)
    };
    let price: Vec<f64> =
        match (params.policy.get::<Lever<ExpertSessions>>(), params.policy.get::<ExpertStudios>()) {
            (Some(l), _) => vec![l.settings.visit_price_yuan; params.facilities.len()],
            (None, Some(_)) if !params.leads().is_empty() => {
                params.facilities.iter().map(lead_price).collect()
            }
            _ => return,
        };
    world.insert_resource(ExpertClinics {
        visit_price_yuan: price,
        open: vec![false; params.facilities.len()],
    });
}

pub const DEF: Def = Def {
    text: Text {
        key: "expert_studios",
        en: "Expert studios at CHCs",
        zh: "名医工作室",
        explain_en: "A lead-hospital expert sets up a studio at a CHC, sees patients there once a week (hours taken from the lead's own clinic) and works with its doctors over months. Patients choose the studio's clinic like any other; each studio adds to how fast that CHC learns.",
        explain_zh: "牵头医院专家在社区设立工作室，每周在社区坐诊一次（时间来自牵头医院自己的门诊），并与社区医生长期合作带教。患者像选择其他门诊一样选择工作室门诊；每个工作室都加快所在社区的能力提升。",
    },
    systems,
    changes_hazards: None,
    build: Some(build),
};
