//! How expert sessions and studios raise CHC capability and trust (assumptions, sweepable and
//! calibratable).
//!
//! Not a lever of its own but the response to two (expert sessions, expert studios): each CHC
//! closes a share of the gap between its capability and the lead hospital's, with
//! dg/dt = speed·(cap − g) and speed = `learning_rate_per_year` × (1 while expert sessions are in
//! force + the studios at that CHC). The state is the resource [`Learning`], put into the world
//! at build and advanced every day; treatment reads it ([`crate::model::rules::treatment`]), and
//! choice adds the trust it brings ([`trust`]).

use super::common::{Context, Def, Systems, Text};
use super::expert_sessions::ExpertSessions;
use crate::model::Model;
use crate::params::{Params, Tier};
use crate::time::DAYS_PER_YEAR;
use analysis::problem::Checker;
use bevy_ecs::prelude::*;
use schemars::JsonSchema;
use serde::Deserialize;

/// How expert sessions and studios raise CHC capability and trust (assumptions).
#[derive(Debug, Clone, Deserialize, JsonSchema)]
pub struct CapabilityLearningFile {
    /// Learning speed per year at a CHC with expert sessions, and again per studio there.
    /// unit: per year · range: [0, 100] · default: required · source: assumption — sweepable,
    /// calibratable
    pub learning_rate_per_year: f64,
    /// Largest share of the gap between CHC and lead-hospital capability that learning closes.
    /// unit: share · range: [0, 1] · default: required · source: assumption — sweepable,
    /// calibratable
    pub capability_cap: f64,
    /// Utility added to the home CHC when learning reaches the cap (scaled in between).
    /// unit: utility · range: [-50, 50] · default: required · source: assumption — sweepable,
    /// calibratable
    pub trust_gain: f64,
}

/// The learning response's settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CapabilityLearning {
    pub learning_rate_per_year: f64,
    pub capability_cap: f64,
    pub trust_gain: f64,
}

/// What the CHCs have learnt: a resource from the start of a scenario that sets the response.
#[derive(Resource, Debug, Clone, PartialEq)]
pub struct Learning {
    pub settings: CapabilityLearning,
    /// Active expert studios at each facility (CHCs only).
    pub studios: Vec<u32>,
    /// Share of the gap to the lead hospital's capability each facility has closed (CHCs only).
    pub gain: Vec<f64>,
}

pub fn validate(c: &mut Checker, l: &CapabilityLearningFile, _cx: &Context) -> CapabilityLearning {
    let key = "policy.capability_learning";
    CapabilityLearning {
        learning_rate_per_year: c.real(
            &format!("{key}.learning_rate_per_year"),
            l.learning_rate_per_year,
            0.0,
            100.0,
        ),
        capability_cap: c.share(&format!("{key}.capability_cap"), l.capability_cap),
        trust_gain: c.real(&format!("{key}.trust_gain"), l.trust_gain, -50.0, 50.0),
    }
}

fn build(world: &mut World, params: &Params) {
    if let Some(&settings) = params.policy.get::<CapabilityLearning>() {
        let n = params.facilities.len();
        world.insert_resource(Learning { settings, studios: vec![0; n], gain: vec![0.0; n] });
    }
}

/// Advances every CHC's learning by one day.
fn advance(model: Res<Model>, sessions: Option<Res<ExpertSessions>>, mut learning: ResMut<Learning>) {
    let learning = &mut *learning;
    let s = learning.settings;
    let sessions = f64::from(u8::from(sessions.is_some()));
    for (f, fp) in model.params.facilities.iter().enumerate() {
        if fp.tier != Tier::Primary {
            continue;
        }
        let speed = s.learning_rate_per_year * (sessions + f64::from(learning.studios[f]));
        if speed > 0.0 {
            let g = &mut learning.gain[f];
            *g += (1.0 - (-speed / DAYS_PER_YEAR).exp()) * (s.capability_cap - *g);
        }
    }
}

fn systems(params: &Params) -> Option<Systems> {
    params.policy.get::<CapabilityLearning>()?;
    Some(advance.into_configs())
}

/// The utility a CHC's learning adds to it as the home CHC (trust in the CHC): `trust_gain` at
/// the cap, in proportion below it.
pub fn trust(learning: Option<&Learning>, facility: u16) -> f64 {
    match learning {
        Some(l) if l.settings.capability_cap > 0.0 => {
            l.settings.trust_gain * l.gain[facility as usize] / l.settings.capability_cap
        }
        _ => 0.0,
    }
}

/// The share of the capability gap `facility` has closed (0 without learning).
pub fn gain(learning: Option<&Learning>, facility: u16) -> f64 {
    learning.map_or(0.0, |l| l.gain[facility as usize])
}

pub const DEF: Def = Def {
    text: Text {
        key: "capability_learning",
        en: "CHCs learning from the experts",
        zh: "社区向专家学习、能力提升",
        explain_en: "Where lead-hospital experts hold sessions or run studios, CHC doctors learn from them: the CHC brings more conditions under control on its own, and residents come to trust it more. How fast and how far is an assumption of the scenario.",
        explain_zh: "牵头医院专家在社区出诊或设立工作室后，社区医生向专家学习：社区自己能控制更多病情，居民也更信任社区。学习的速度和上限是情景中的假设。",
    },
    systems,
    changes_hazards: None,
    build: Some(build),
};
