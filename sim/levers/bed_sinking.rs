//! Bed sinking (床位下沉): lead-hospital beds run as shared wards in the member hospitals.
//!
//! On its switch-on day `bed_share` of the lead's medical and surgical beds move to the member
//! hospitals' shared wards with `routed_share` of the lead's non-emergency background
//! admissions and list bookings; bed sinking is then in force (the resource [`BedSinking`]), and
//! the admission rule routes `routed_share` of the agents' non-emergency lead admissions to the
//! catchment's shared ward ([`crate::model::rules::admission::route`]) — an elective case onto
//! the shared ward's operating list when it has one (lead surgeons operating in the member
//! hospital, charged at its prices).

use super::common::{Context, Def, Lever, Systems, Text, on_day, start_day};
use crate::model::{Model, Wards};
use crate::params::{Params, Priority, Tier, WardKind, WardParams};
use analysis::problem::Checker;
use bevy_ecs::prelude::*;
use schemars::JsonSchema;
use serde::Deserialize;

/// Bed sinking (床位下沉): lead beds run as shared wards in member hospitals.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
pub struct BedSinkingFile {
    /// Share of the lead hospital's medical and surgical beds moved to the member hospitals'
    /// shared wards (split evenly among them).
    /// unit: share · range: [0, 1]; needs a member hospital in the group with a shared ward ·
    /// default: required · source: policy setting (national pilot rule: at least 1/4 of the lead
    /// hospital's beds, pilot_sites.md)
    pub bed_share: f64,
    /// Share of the lead's non-emergency admissions (agents and background) that go to the
    /// catchment's shared ward instead.
    /// unit: share · range: [0, 1] · default: required · source: assumption — sweepable,
    /// calibratable
    pub routed_share: f64,
    /// Simulation day the lever switches on.
    /// unit: simulation day · range: integer 0..=(run.warmup_days + run.days − 1) · default: 0 (on
    /// from the first day) · source: policy setting
    #[serde(default)]
    pub start_day: i64,
}

/// Bed sinking's settings; a resource while it is in force.
#[derive(Resource, Debug, Clone, Copy, PartialEq)]
pub struct BedSinking {
    pub bed_share: f64,
    pub routed_share: f64,
}

pub fn validate(c: &mut Checker, b: &BedSinkingFile, cx: &Context) -> Lever<BedSinking> {
    let key = "policy.bed_sinking";
    let has_shared = cx
        .facilities
        .iter()
        .any(|x| x.tier == Tier::Member && x.in_group && x.wards.iter().any(|w| w.kind == WardKind::Shared));
    if !has_shared {
        c.fail(
            format!("{key}.bed_share"),
            "needs a member hospital with a shared ward (facilities[*].wards, kind = \"shared\") to \
             receive the beds",
        );
    }
    Lever {
        start_day: start_day(c, key, b.start_day, cx),
        settings: BedSinking {
            bed_share: c.share(&format!("{key}.bed_share"), b.bed_share),
            routed_share: c.share(&format!("{key}.routed_share"), b.routed_share),
        },
    }
}

fn systems(params: &Params) -> Option<Systems> {
    let l = params.policy.get::<Lever<BedSinking>>()?;
    // A group with no member hospital holding a shared ward keeps its beds (in a city, validation
    // asks only that some group has one).
    let leads: Vec<usize> = params
        .leads()
        .into_iter()
        .filter(|&l| {
            params.facilities.iter().any(|x| {
                x.tier == Tier::Member
                    && x.in_group
                    && x.group == params.facilities[l].group
                    && x.wards.iter().any(|w| w.kind == WardKind::Shared)
            })
        })
        .collect();
    if leads.is_empty() {
        return None;
    }
    let b = l.settings;
    Some(
        (move |mut commands: Commands, model: Res<Model>, mut wards: Query<&mut Wards>| {
            commands.insert_resource(b);
            // Each group's lead moves beds to its own group's member hospitals.
            for &lead in &leads {
                sink_beds(&model, lead, &b, &mut wards);
            }
        })
        .run_if(on_day(l.start_day))
        .into_configs(),
    )
}

/// Moves `bed_share` of the lead's medical and surgical beds to the group's member hospitals'
/// shared wards (evenly), with `routed_share` of the lead's non-emergency background
/// admissions and of its operating lists' bookings by non-agents. The beds are taken from the
/// lead's wards in proportion to their non-emergency workload of non-agents (admissions and list
/// bookings a day × mean stay; in proportion to beds if there is none), where the step-down
/// demand that follows them comes from. A shared ward with an operating list of its own (lead
/// surgeons' sessions in the member hospital) takes the moved bookings onto its list; otherwise
/// the moved bed-days raise its background rate (moved bed-days ÷ its mean stay), keeping the
/// moved workload in bed-days what the lead sheds.
fn sink_beds(model: &Model, lead: usize, b: &BedSinking, wards: &mut Query<&mut Wards>) {
    let params = &model.params;
    let now = f64::from(model.day.0);
    let mut moved_beds = 0u32;
    // Moved workload of non-agents, in bed-days per day, and moved list bookings a day (with
    // their bed-days, part of the workload).
    let mut moved_load = 0.0;
    let mut moved_bookings = 0.0;
    let mut moved_booking_load = 0.0;
    if let Ok(mut w) = wards.get_mut(model.facilities[lead]) {
        let w = &mut *w;
        let lead_wards = &params.facilities[lead].wards;
        let eligible = |wp: &WardParams| matches!(wp.kind, WardKind::Medical | WardKind::Surgical);
        let workload = |wp: &WardParams| {
            let admissions = if wp.background_priority == Priority::Emergency {
                0.0
            } else {
                wp.background_admissions_per_day
            };
            let bookings = wp.theatre.as_ref().map_or(0.0, |t| t.background_bookings_per_day);
            (admissions + bookings) * wp.stay.mean_days()
        };
        let total_beds: u32 =
            w.wards.iter().zip(lead_wards).filter(|(_, wp)| eligible(wp)).map(|(x, _)| x.beds).sum();
        let total_load: f64 = lead_wards.iter().filter(|wp| eligible(wp)).map(workload).sum();
        let to_move = (f64::from(total_beds) * b.bed_share).round();
        let mut moved_so_far = 0.0;
        let mut weight_so_far = 0.0;
        for ((ward, theatre), wp) in w.wards.iter_mut().zip(w.theatres.iter_mut()).zip(lead_wards) {
            if !eligible(wp) {
                continue;
            }
            // Cumulative rounding: the wards' shares add up to exactly `to_move`.
            weight_so_far += if total_load > 0.0 {
                workload(wp) / total_load
            } else {
                f64::from(ward.beds) / f64::from(total_beds.max(1))
            };
            let moved = ((to_move * weight_so_far).round() - moved_so_far).clamp(0.0, f64::from(ward.beds));
            moved_so_far += moved;
            let moved = moved as u32;
            moved_beds += moved;
            ward.set_beds(ward.beds - moved);
            if wp.background_priority != Priority::Emergency {
                let rate = ward.background_rate();
                moved_load += rate * b.routed_share * wp.stay.mean_days();
                ward.set_background_rate(rate * (1.0 - b.routed_share), now);
            }
            if let Some(t) = theatre {
                let rate = t.background_bookings();
                moved_bookings += rate * b.routed_share;
                moved_booking_load += rate * b.routed_share * wp.stay.mean_days();
                t.set_background_bookings(rate * (1.0 - b.routed_share));
            }
        }
    }
    let shared: Vec<(usize, usize)> = params
        .facilities
        .iter()
        .enumerate()
        .filter(|(_, f)| f.tier == Tier::Member && f.in_group && f.group == params.facilities[lead].group)
        .filter_map(|(i, f)| f.wards.iter().position(|w| w.kind == WardKind::Shared).map(|j| (i, j)))
        .collect();
    let n = shared.len() as u32;
    for (k, &(f, j)) in shared.iter().enumerate() {
        let Ok(mut w) = wards.get_mut(model.facilities[f]) else { continue };
        let w = &mut *w;
        let ward = &mut w.wards[j];
        let beds = moved_beds / n + u32::from((k as u32) < moved_beds % n);
        ward.set_beds(ward.beds + beds);
        let stay = params.facilities[f].wards[j].stay.mean_days();
        let mut load = moved_load;
        match &mut w.theatres[j] {
            Some(t) => t.set_background_bookings(t.background_bookings() + moved_bookings / f64::from(n)),
            None => load += moved_booking_load,
        }
        let rate = ward.background_rate() + load / stay / f64::from(n);
        ward.set_background_rate(rate, now);
    }
}

pub const DEF: Def = Def {
    text: Text {
        key: "bed_sinking",
        en: "Bed sinking into shared wards",
        zh: "床位下沉（共管病房）",
        explain_en: "The national pilot rule asks the lead hospital to run at least 1/4 of its beds as shared wards in member hospitals: beds co-managed by lead-hospital specialists, with lead-hospital quality at member-hospital prices. Part of the lead's non-emergency admissions go there instead.",
        explain_zh: "国家试点要求牵头医院至少将 1/4 的床位作为成员医院的共管病房：由牵头医院专家共同管理，牵头医院的质量、成员医院的价格。牵头医院的一部分非急诊住院改到共管病房。",
    },
    systems,
    changes_hazards: None,
    build: None,
};
