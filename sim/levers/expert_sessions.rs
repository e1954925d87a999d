//! Slot sinking (号源下沉) into expert sessions at CHCs: lead-hospital specialists hold clinics
//! at the CHCs on a weekly schedule.
//!
//! On its switch-on day, `slot_share` of the lead's weekly specialist slots move to expert-session
//! books at the CHCs, spread evenly over the CHCs and the session weekdays: the specialists' hours
//! move, the patients do not. Sessions are then in force (the resource [`ExpertSessions`]) and
//! every CHC has an expert clinic ([`ExpertClinics`], shared with the expert studios' clinics).
//! Patients with a non-routine request may choose their CHC's expert clinic (the lead's quality,
//! the CHC's travel time, the expert price reimbursed at the primary rate); a visit there counts
//! as primary care by place, as the lead's by provider, and treats with the lead hospital's
//! capability.

use super::common::{Context, Def, Lever, Systems, Text, on_day, start_day};
use crate::model::clinic::SlotBook;
use crate::model::{Clinics, Model};
use crate::params::{ClinicKind, ClinicParams, Params, Tier};
use analysis::problem::Checker;
use bevy_ecs::prelude::*;
use schemars::JsonSchema;
use serde::Deserialize;

/// Slot sinking (号源下沉) into expert sessions at CHCs.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
pub struct ExpertSessionsFile {
    /// Share of the lead hospital's weekly specialist slots moved to expert sessions, spread
    /// evenly over the CHCs.
    /// unit: share · range: [0, 1]; with `policy.reserved_slots.share` at most 1 in all; needs a
    /// primary facility and a lead hospital with a "specialist" clinic · default: required ·
    /// source: policy setting (national pilot rule: the lead hospital sinks at least 1/3 of its
    /// outpatient slots; Qingdao: 6,000+ expert slots released to CHCs, pilot_sites.md)
    pub slot_share: f64,
    /// Weekdays with sessions: "mon", "tue", "wed", "thu", "fri", "sat", "sun".
    /// unit: list of weekdays · range: each one of "mon", "tue", "wed", "thu", "fri", "sat",
    /// "sun"; at least one, none twice · default: required · source: policy setting (Guangming: fixed weekly
    /// sessions in every CHC, pilot_sites.md)
    pub weekdays: Vec<String>,
    /// Price of an expert-session visit, in yuan (reimbursed at the primary tier's rate).
    /// unit: yuan per visit · range: [0, 1000000] · default: required · source: policy setting
    pub visit_price_yuan: f64,
    /// Simulation day the lever switches on.
    /// unit: simulation day · range: integer 0..=(run.warmup_days + run.days − 1) · default: 0 (on
    /// from the first day) · source: policy setting
    #[serde(default)]
    pub start_day: i64,
}

/// The sessions' settings; a resource while they are in force.
#[derive(Resource, Debug, Clone, Copy, PartialEq)]
pub struct ExpertSessions {
    pub slot_share: f64,
    /// Session days, Monday = 0.
    pub weekdays: [bool; 7],
    pub visit_price_yuan: f64,
}

/// Where lead-hospital specialists see patients at CHCs (expert sessions or studios' clinics),
/// and the price of such a visit: a resource from the start when either lever is in the scenario,
/// with no CHC open until a lever opens one.
#[derive(Resource, Debug, Clone, PartialEq)]
pub struct ExpertClinics {
    /// By facility: the price of a visit there, in yuan: the sessions' `visit_price_yuan`, or with
    /// studios alone the visit price of the CHC's group's lead hospital.
    pub visit_price_yuan: Vec<f64>,
    /// By facility: its expert clinic is open.
    pub open: Vec<bool>,
}

impl ExpertClinics {
    /// The expert clinic's price at `facility`, if one is open there.
    pub fn at(&self, facility: u16) -> Option<f64> {
        let f = usize::from(facility);
        self.open.get(f).copied().unwrap_or(false).then(|| self.visit_price_yuan[f])
    }
}

const WEEKDAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

pub fn validate(c: &mut Checker, e: &ExpertSessionsFile, cx: &Context) -> Lever<ExpertSessions> {
    let key = "policy.expert_sessions";
    let mut weekdays = [false; 7];
    for (i, d) in e.weekdays.iter().enumerate() {
        match WEEKDAYS.iter().position(|w| w == d) {
            Some(j) if weekdays[j] => {
                c.fail(format!("{key}.weekdays[{i}]"), format!("\"{d}\" appears twice"))
            }
            Some(j) => weekdays[j] = true,
            None => c.fail(
                format!("{key}.weekdays[{i}]"),
                format!("must be one of \"{}\", got \"{d}\"", WEEKDAYS.join("\", \"")),
            ),
        }
    }
    if !weekdays.contains(&true) {
        c.fail(format!("{key}.weekdays"), "needs at least one session day");
    }
    if !cx.facilities.iter().any(|x| x.tier == Tier::Primary) {
        c.fail(format!("{key}.slot_share"), "needs at least one primary facility to hold the sessions");
    }
    Lever {
        start_day: start_day(c, key, e.start_day, cx),
        settings: ExpertSessions {
            slot_share: c.share(&format!("{key}.slot_share"), e.slot_share),
            weekdays,
            visit_price_yuan: c.real(&format!("{key}.visit_price_yuan"), e.visit_price_yuan, 0.0, 1e6),
        },
    }
}

fn systems(params: &Params) -> Option<Systems> {
    let l = params.policy.get::<Lever<ExpertSessions>>()?;
    let leads: Vec<(usize, u16)> =
        params.leads().into_iter().map(|l| (l, params.facilities[l].group)).collect();
    let e = l.settings;
    Some(
        (move |mut commands: Commands,
               model: Res<Model>,
               mut open: ResMut<ExpertClinics>,
               mut clinics: Query<&mut Clinics>| {
            commands.insert_resource(e);
            for f in model.params.chcs() {
                open_expert_clinic(&model, &mut open, &mut clinics, f);
            }
            // Each group's lead moves its slots to its own group's CHCs.
            for &(lead, group) in &leads {
                sink_slots(&model, lead, &model.params.chcs_of(group), &e, &mut clinics);
            }
        })
        .run_if(on_day(l.start_day))
        .into_configs(),
    )
}

/// Opens an expert clinic at CHC `f` (once): an expert-session book, empty until slots are moved
/// to it, at today's date.
pub fn open_expert_clinic(
    model: &Model,
    open: &mut ExpertClinics,
    clinics: &mut Query<&mut Clinics>,
    f: usize,
) {
    let empty = ClinicParams {
        kind: ClinicKind::ExpertSession,
        slots_per_weekday: [0; 7],
        nonresident_visits_per_day: 0.0,
        signed_priority: false,
        family_doctors: None,
    };
    let Ok(mut c) = clinics.get_mut(model.facilities[f]) else { return };
    if c.get(ClinicKind::ExpertSession).is_none() {
        let mut book = SlotBook::new(&empty, model.params.care.booking_horizon_days);
        book.advance_to(model.day);
        c.0.push(book);
    }
    open.open[f] = true;
}

/// Moves up to `n` of the lead's specialist slots on weekday `d` to CHC `f`'s expert clinic
/// (which must be open): the hours move, so the lead keeps fewer. Returns the slots moved.
pub fn move_specialist_slots(
    model: &Model,
    lead: usize,
    f: usize,
    d: usize,
    n: u32,
    clinics: &mut Query<&mut Clinics>,
) -> u32 {
    let Ok(mut c) = clinics.get_mut(model.facilities[lead]) else { return 0 };
    let Some(book) = c.get_mut(ClinicKind::Specialist) else { return 0 };
    let mut slots = book.slots_per_weekday();
    let moved = n.min(slots[d]);
    slots[d] -= moved;
    book.set_capacity(slots);
    if let Ok(mut c) = clinics.get_mut(model.facilities[f])
        && let Some(book) = c.get_mut(ClinicKind::ExpertSession)
    {
        let mut slots = book.slots_per_weekday();
        slots[d] += moved;
        book.set_capacity(slots);
    }
    moved
}

/// Moves `slot_share` of the lead's weekly specialist slots to expert sessions, spread evenly
/// over the CHCs and the session weekdays (whole slots; the remainder goes to the first CHCs and
/// days).
fn sink_slots(
    model: &Model,
    lead: usize,
    chcs: &[usize],
    e: &ExpertSessions,
    clinics: &mut Query<&mut Clinics>,
) {
    if chcs.is_empty() || !e.weekdays.contains(&true) {
        // No CHC (or no session day) to move the specialists' hours to: the lead keeps them.
        return;
    }
    let Ok(mut c) = clinics.get_mut(model.facilities[lead]) else { return };
    let Some(book) = c.get_mut(ClinicKind::Specialist) else { return };
    let before = book.slots_per_weekday();
    let after = before.map(|s| (f64::from(s) * (1.0 - e.slot_share)).round() as u32);
    let moved: u32 = before.iter().sum::<u32>() - after.iter().sum::<u32>();
    // The specialists' hours move; the patients do not: sessions are booked by those who choose
    // them.
    book.set_capacity(after);
    let days: Vec<usize> = (0..7).filter(|&d| e.weekdays[d]).collect();
    let cells = (chcs.len() * days.len()) as u32;
    if cells == 0 {
        return;
    }
    for (k, &f) in chcs.iter().enumerate() {
        let mut slots = [0u32; 7];
        for (j, &d) in days.iter().enumerate() {
            let cell = (k * days.len() + j) as u32;
            slots[d] = moved / cells + u32::from(cell < moved % cells);
        }
        if let Ok(mut c) = clinics.get_mut(model.facilities[f])
            && let Some(book) = c.get_mut(ClinicKind::ExpertSession)
        {
            // Added to what a studio's clinic there already holds.
            let held = book.slots_per_weekday();
            book.set_capacity(std::array::from_fn(|d| held[d] + slots[d]));
        }
    }
}

pub const DEF: Def = Def {
    text: Text {
        key: "expert_sessions",
        en: "Expert sessions at CHCs (slot sinking)",
        zh: "专家号源下沉到社区",
        explain_en: "The national pilot rule asks the lead hospital to move at least 1/3 of its outpatient slots to sessions its specialists hold at CHCs. Patients can see a lead-hospital expert close to home at the CHC's price, and the CHC's doctors learn from the experts; the lead hospital keeps fewer slots of its own.",
        explain_zh: "国家试点要求牵头医院至少将 1/3 的门诊号源下沉，由其专家到社区出诊。患者在家门口就能按社区价格看牵头医院专家，社区医生也向专家学习；牵头医院自留的号源随之减少。",
    },
    systems,
    changes_hazards: None,
    build: None,
};
