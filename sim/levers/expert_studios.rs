//! Expert studios (名医工作室) at CHCs, in batches assigned to the CHCs in turn.
//!
//! On a batch's day its studios open at the CHCs (the first CHCs after the previous batch's last
//! one); each studio speeds up its CHC's learning ([`super::capability_learning`]).

use super::capability_learning::Learning;
use super::common::{Context, Def, Lever, Systems, Text, start_day};
use crate::model::Model;
use crate::params::{Params, Tier};
use analysis::problem::Checker;
use bevy_ecs::prelude::*;
use serde::Deserialize;

/// A batch of expert studios (名医工作室) at CHCs, assigned to CHCs in turn.
#[derive(Debug, Clone, Deserialize)]
pub struct ExpertStudiosFile {
    /// Studios opened in this batch.
    /// unit: count · range: integer 1..=100000; needs a primary facility · default: required ·
    /// source: policy setting (Qingpu: 20 studios from October 2023, 17 more from March 2024;
    /// Qingdao: 7 studios in a member hospital; pilot_sites.md)
    pub count: i64,
    /// Simulation day the batch opens.
    /// unit: simulation day · range: integer 0..=(run.warmup_days + run.days − 1) · default: 0 (open
    /// from the first day) · source: policy setting
    #[serde(default)]
    pub start_day: i64,
}

/// The batches: (opening day, studios).
#[derive(Debug, Clone, PartialEq)]
pub struct ExpertStudios {
    pub batches: Vec<Lever<u32>>,
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
        batches.push(Lever { start_day: start_day(c, &key, s.start_day, cx), settings: count });
    }
    ExpertStudios { batches }
}

fn systems(params: &Params) -> Option<Systems> {
    let studios = params.policy.get::<ExpertStudios>()?.clone();
    let days: Vec<u32> = studios.batches.iter().map(|b| b.start_day).collect();
    let chcs = params.chcs();
    Some(
        (move |model: Res<Model>, mut learning: ResMut<Learning>| {
            let mut next = 0usize;
            for b in &studios.batches {
                for _ in 0..b.settings {
                    if b.start_day == model.day.0 && !chcs.is_empty() {
                        learning.studios[chcs[next % chcs.len()]] += 1;
                    }
                    next += 1;
                }
            }
        })
        .run_if(move |model: Res<Model>| days.contains(&model.day.0))
        .into_configs(),
    )
}

pub const DEF: Def = Def {
    text: Text {
        key: "expert_studios",
        en: "Expert studios at CHCs",
        zh: "名医工作室",
        explain_en: "A lead-hospital expert sets up a studio at a CHC and works with its doctors over months. Each studio adds to how fast that CHC learns.",
        explain_zh: "牵头医院专家在社区设立工作室，与社区医生长期合作带教。每个工作室都加快所在社区的能力提升。",
    },
    source: include_str!("expert_studios.rs"),
    systems,
    changes_hazards: None,
    build: None,
};
