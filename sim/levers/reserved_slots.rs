//! Reserved referral slots (专家号源直挂): a share of the lead hospital's specialist slots
//! bookable only through a CHC referral, released to everyone shortly before the day if still
//! free.
//!
//! On its switch-on day it holds the slots in the lead's specialist book
//! ([`crate::model::clinic::SlotBook::set_reserved`]); referred and green-channel patients book
//! them there.

use super::common::{Context, Def, Lever, Systems, Text, on_day, start_day};
use crate::model::{Clinics, Model};
use crate::params::{ClinicKind, Params};
use analysis::problem::Checker;
use bevy_ecs::prelude::*;
use schemars::JsonSchema;
use serde::Deserialize;

/// Reserved referral slots (专家号源直挂): lead specialist slots bookable only through a CHC
/// referral, released to everyone shortly before the day if still free.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
pub struct ReservedSlotsFile {
    /// Share of the lead hospital's specialist slots of each day held for referrals.
    /// unit: share · range: [0, 1]; with `policy.expert_sessions.slot_share` at most 1 in all;
    /// needs a lead hospital with a "specialist" clinic · default: required · source: policy
    /// setting (Guangming: hospital specialist slots offered to CHCs first, pilot_sites.md)
    pub share: f64,
    /// A held slot still free this many days before its day is released to everyone.
    /// unit: days · range: integer 0..=365; below `care.booking_horizon_days` · default: required
    /// · source: policy setting
    pub release_days: i64,
    /// Simulation day the lever switches on.
    /// unit: simulation day · range: integer 0..=(run.warmup_days + run.days − 1) · default: 0 (on
    /// from the first day) · source: policy setting
    #[serde(default)]
    pub start_day: i64,
}

/// The reserved slots' settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ReservedSlots {
    pub share: f64,
    pub release_days: u32,
}

pub fn validate(c: &mut Checker, r: &ReservedSlotsFile, cx: &Context) -> Lever<ReservedSlots> {
    let key = "policy.reserved_slots";
    let horizon = i64::from(cx.care.booking_horizon_days);
    let lever = Lever {
        start_day: start_day(c, key, r.start_day, cx),
        settings: ReservedSlots {
            share: c.share(&format!("{key}.share"), r.share),
            release_days: c.int(&format!("{key}.release_days"), r.release_days, 0, 365),
        },
    };
    if r.release_days >= horizon {
        c.fail(
            format!("{key}.release_days"),
            format!(
                "must be below care.booking_horizon_days = {horizon}, or no held slot is ever \
                 released, got {}",
                r.release_days
            ),
        );
    }
    lever
}

fn systems(params: &Params) -> Option<Systems> {
    let l = params.policy.get::<Lever<ReservedSlots>>()?;
    let s = l.settings;
    // Held slots are a share of each lead's original specialist capacity.
    let held: Vec<(usize, [u32; 7])> = params
        .leads()
        .into_iter()
        .map(|lead| {
            let original = params.facilities[lead]
                .clinics
                .iter()
                .find(|k| k.kind == ClinicKind::Specialist)
                .map_or([0; 7], |k| k.slots_per_weekday);
            (lead, original.map(|slots| (f64::from(slots) * s.share).round() as u32))
        })
        .collect();
    if held.is_empty() {
        return None;
    }
    Some(
        (move |model: Res<Model>, mut clinics: Query<&mut Clinics>| {
            for &(lead, held) in &held {
                if let Ok(mut c) = clinics.get_mut(model.facilities[lead])
                    && let Some(book) = c.get_mut(ClinicKind::Specialist)
                {
                    book.set_reserved(held, s.release_days);
                }
            }
        })
        .run_if(on_day(l.start_day))
        .into_configs(),
    )
}

pub const DEF: Def = Def {
    text: Text {
        key: "reserved_slots",
        en: "Reserved referral slots",
        zh: "专家号源直挂",
        explain_en: "A share of the lead hospital's specialist slots can be booked only through a CHC referral; a reserved slot still free shortly before its day goes to everyone. Referred patients find a slot sooner, self-referred ones may wait longer.",
        explain_zh: "牵头医院的一部分专家号源只能通过社区转诊预约；临近就诊日仍未约满的预留号源向所有人开放。转诊患者更快约到号，自行就诊的患者可能等得更久。",
    },
    systems,
    changes_hazards: None,
    build: None,
};
