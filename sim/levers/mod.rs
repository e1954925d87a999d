//! The policy levers (DESIGN.md section 3.4): one module per lever, and the registry that
//! drives them.
//!
//! A lever's module holds all of it: the schema of its `[policy.<lever>]` table, its validation,
//! its settings, what it does when it switches on (its systems, with a run condition), the hooks
//! the daily stages call, and its explanation for the report. This file lists the levers:
//! - [`PolicyFile`], the `[policy]` table of a scenario file, with a field per lever;
//! - [`validate`], which checks each lever's table into its settings in [`Policy`] (and the rules
//!   that tie two levers together);
//! - [`REGISTRY`], in the order the levers switch on within a day: their systems and their report
//!   texts;
//! - [`InForce`], the levers in force that the stages read (each a resource its switch-on
//!   inserts), and [`Now`], the same as plain references for the rules.
//!
//! Adding a lever is its module, a field in [`PolicyFile`], a line in [`validate`] and
//! [`REGISTRY`], and (if the stages read it) a field in [`InForce`] and [`Now`].

pub mod bed_sinking;
pub mod capability_learning;
pub mod capitation;
pub mod case_payment;
pub mod common;
pub mod down_referral;
pub mod expert_sessions;
pub mod expert_studios;
pub mod gatekeeping;
pub mod global_budget;
pub mod green_channel;
pub mod health_checks;
pub mod per_diem;
pub mod post_acute_transfer;
pub mod referral_platform;
pub mod reimbursement;
pub mod reserved_slots;
pub mod signing;

use crate::params::{ClinicKind, Params, Policy, Tier};
use analysis::problem::Checker;
use bevy_ecs::prelude::*;
use bevy_ecs::system::SystemParam;
use common::{Context, Def};
use schemars::JsonSchema;
use serde::Deserialize;

/// The policy levers. Each is a table; leaving a table out leaves the lever off.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
pub struct PolicyFile {
    /// Gatekeeping (基层首诊): first contact at the CHC.
    /// unit: optional table · range: see its section · default: off · source: policy setting
    #[serde(default)]
    pub gatekeeping: Option<gatekeeping::GatekeepingFile>,
    /// One-click referral platform (一键转诊).
    /// unit: optional table · range: see its section · default: off · source: policy setting
    #[serde(default)]
    pub referral_platform: Option<referral_platform::ReferralPlatformFile>,
    /// Green channel (绿色通道 / 三优先) at the lead hospital.
    /// unit: optional table · range: see its section · default: off · source: policy setting
    #[serde(default)]
    pub green_channel: Option<green_channel::GreenChannelFile>,
    /// Reserved referral slots (专家号源直挂) at the lead hospital.
    /// unit: optional table · range: see its section · default: off · source: policy setting
    #[serde(default)]
    pub reserved_slots: Option<reserved_slots::ReservedSlotsFile>,
    /// Down-referral programme.
    /// unit: optional table · range: see its section · default: off · source: policy setting
    #[serde(default)]
    pub down_referral: Option<down_referral::DownReferralFile>,
    /// Post-acute transfer of lead-ward discharges to shared wards.
    /// unit: optional table · range: see its section · default: off · source: policy setting
    #[serde(default)]
    pub post_acute_transfer: Option<post_acute_transfer::PostAcuteTransferFile>,
    /// Differential reimbursement: new rates by scheme and tier.
    /// unit: optional table · range: see its section · default: off · source: policy setting
    #[serde(default)]
    pub reimbursement: Option<reimbursement::ReimbursementFile>,
    /// Global budget with surplus retention (总额预算, 结余留用).
    /// unit: optional table · range: see its section · default: off (fee-for-service) · source:
    /// policy setting
    #[serde(default)]
    pub global_budget: Option<global_budget::GlobalBudgetFile>,
    /// Tiered per-diem (分段日付费) for shared wards.
    /// unit: optional table · range: see its section · default: off (shared wards paid their
    /// `bed_day_price_yuan`) · source: policy setting
    #[serde(default)]
    pub per_diem: Option<per_diem::PerDiemFile>,
    /// Case-based payment (DRG/DIP) for the group hospitals' medical and surgical wards.
    /// unit: optional table · range: see its section · default: off (stays paid by the bed-day) ·
    /// source: policy setting
    #[serde(default)]
    pub case_payment: Option<case_payment::CasePaymentFile>,
    /// Family-doctor capitation (按人头付费).
    /// unit: optional table · range: see its section · default: off · source: policy setting
    #[serde(default)]
    pub capitation: Option<capitation::CapitationFile>,
    /// Slot sinking (号源下沉) into expert sessions at CHCs.
    /// unit: optional table · range: see its section; needs `policy.capability_learning` ·
    /// default: off · source: policy setting
    #[serde(default)]
    pub expert_sessions: Option<expert_sessions::ExpertSessionsFile>,
    /// Batches of expert studios (名医工作室) at CHCs.
    /// unit: array of tables · range: see its section; needs `policy.capability_learning` ·
    /// default: no studios · source: policy setting
    #[serde(default)]
    pub expert_studios: Vec<expert_studios::ExpertStudiosFile>,
    /// How expert sessions and studios raise CHC capability and trust.
    /// unit: optional table · range: see its section · default: none: allowed only without
    /// `policy.expert_sessions` and `policy.expert_studios` · source: see its keys
    #[serde(default)]
    pub capability_learning: Option<capability_learning::CapabilityLearningFile>,
    /// Bed sinking (床位下沉) into shared wards.
    /// unit: optional table · range: see its section · default: off · source: policy setting
    #[serde(default)]
    pub bed_sinking: Option<bed_sinking::BedSinkingFile>,
    /// Family-doctor signing drive.
    /// unit: optional table · range: see its section · default: off · source: policy setting
    #[serde(default)]
    pub signing: Option<signing::SigningFile>,
    /// Health-check drive for older residents.
    /// unit: optional table · range: see its section · default: off · source: policy setting
    #[serde(default)]
    pub health_checks: Option<health_checks::HealthChecksFile>,
}

/// Every lever, in the order they switch on within a day (a later lever sees what an earlier one
/// did that day: a down-referral programme switched on after a global budget takes the budget's
/// multiplier; CHC learning counts the sessions and studios opened that day).
pub const REGISTRY: &[&Def] = &[
    &gatekeeping::DEF,
    &referral_platform::DEF,
    &green_channel::DEF,
    &down_referral::DEF,
    &post_acute_transfer::DEF,
    &reimbursement::DEF,
    &capitation::DEF,
    &global_budget::DEF,
    &per_diem::DEF,
    &case_payment::DEF,
    &expert_sessions::DEF,
    &reserved_slots::DEF,
    &bed_sinking::DEF,
    &signing::DEF,
    &health_checks::DEF,
    &expert_studios::DEF,
    &capability_learning::DEF,
];

/// The levers' explanations, in registry order (for the report's catalogue).
pub const TEXTS: &[analysis::catalogue::Lever] = &[
    gatekeeping::DEF.text,
    referral_platform::DEF.text,
    green_channel::DEF.text,
    down_referral::DEF.text,
    post_acute_transfer::DEF.text,
    reimbursement::DEF.text,
    capitation::DEF.text,
    global_budget::DEF.text,
    per_diem::DEF.text,
    case_payment::DEF.text,
    expert_sessions::DEF.text,
    reserved_slots::DEF.text,
    bed_sinking::DEF.text,
    signing::DEF.text,
    health_checks::DEF.text,
    expert_studios::DEF.text,
    capability_learning::DEF.text,
];

/// Checks every lever's table of `f` into its settings, and the rules that tie two levers
/// together (each such error names both keys).
pub fn validate(c: &mut Checker, f: &PolicyFile, cx: &Context) -> Policy {
    let mut p = Policy::default();
    if let Some(g) = &f.gatekeeping {
        p.set("gatekeeping", gatekeeping::validate(c, g, cx));
    }
    if let Some(r) = &f.referral_platform {
        p.set("referral_platform", referral_platform::validate(c, r, cx));
    }
    if let Some(g) = &f.green_channel {
        p.set("green_channel", green_channel::validate(c, g, cx));
    }
    if let Some(r) = &f.reserved_slots {
        p.set("reserved_slots", reserved_slots::validate(c, r, cx));
    }
    if let Some(d) = &f.down_referral {
        p.set("down_referral", down_referral::validate(c, d, cx));
    }
    if let Some(t) = &f.post_acute_transfer {
        p.set("post_acute_transfer", post_acute_transfer::validate(c, t, cx));
    }
    if let Some(r) = &f.reimbursement {
        p.set("reimbursement", reimbursement::validate(c, r, cx));
    }
    if let Some(b) = &f.global_budget {
        p.set("global_budget", global_budget::validate(c, b, cx));
    }
    if let Some(d) = &f.per_diem {
        p.set("per_diem", per_diem::validate(c, d, cx));
    }
    if let Some(k) = &f.case_payment {
        p.set("case_payment", case_payment::validate(c, k, cx));
    }
    if let Some(k) = &f.capitation {
        p.set("capitation", capitation::validate(c, k, cx));
    }
    if let Some(e) = &f.expert_sessions {
        p.set("expert_sessions", expert_sessions::validate(c, e, cx));
    }
    if !f.expert_studios.is_empty() {
        p.set("expert_studios", expert_studios::validate(c, &f.expert_studios, cx));
    }
    if let Some(l) = &f.capability_learning {
        p.set("capability_learning", capability_learning::validate(c, l, cx));
    } else if f.expert_sessions.is_some() || !f.expert_studios.is_empty() {
        let which =
            if f.expert_sessions.is_some() { "policy.expert_sessions" } else { "policy.expert_studios" };
        c.fail(
            "policy.capability_learning",
            format!("is required with {which}: say how fast CHCs learn from the experts"),
        );
    }
    if let Some(b) = &f.bed_sinking {
        p.set("bed_sinking", bed_sinking::validate(c, b, cx));
    }
    if let Some(s) = &f.signing {
        p.set("signing", signing::validate(c, s, cx));
    }
    if let Some(h) = &f.health_checks {
        p.set("health_checks", health_checks::validate(c, h, cx));
    }
    if let (Some(r), Some(e)) = (&f.reserved_slots, &f.expert_sessions)
        && r.share + e.slot_share > 1.0
    {
        c.fail(
            "policy.reserved_slots.share",
            format!(
                "policy.reserved_slots.share ({}) + policy.expert_sessions.slot_share ({}) is more than \
                 all of the lead hospital's specialist slots",
                r.share, e.slot_share
            ),
        );
    }
    let lead_has_slots = cx.facilities.iter().any(|x| {
        x.tier == Tier::Lead && x.in_group && x.clinics.iter().any(|k| k.kind == ClinicKind::Specialist)
    });
    for (lever, set) in [
        ("policy.reserved_slots.share", f.reserved_slots.is_some()),
        ("policy.expert_sessions.slot_share", f.expert_sessions.is_some()),
    ] {
        if set && !lead_has_slots {
            c.fail(lever, "needs a lead hospital with a \"specialist\" clinic (facilities[*].clinics)");
        }
    }
    p
}

/// The switch-on systems of the levers `params` sets, in registry order (position, systems).
pub fn systems(params: &Params) -> Vec<(usize, common::Systems)> {
    REGISTRY.iter().enumerate().filter_map(|(i, d)| (d.systems)(params).map(|s| (i, s))).collect()
}

/// Days on which a lever that changes the disease hazards switches on.
pub fn hazard_change_days(params: &Params) -> Vec<u32> {
    REGISTRY.iter().filter_map(|d| d.changes_hazards).flat_map(|days| days(params)).collect()
}

/// Puts what the levers `params` sets keep from the start into a new world.
pub fn build(world: &mut World, params: &Params) {
    for d in REGISTRY {
        if let Some(build) = d.build {
            build(world, params);
        }
    }
}

/// The levers in force that the day's stages read: each is a resource that its switch-on
/// inserts (or, for CHC learning, the world's build).
#[derive(SystemParam)]
pub struct InForce<'w> {
    gatekeeping: Option<Res<'w, gatekeeping::Gatekeeping>>,
    green_channel: Option<Res<'w, green_channel::GreenChannel>>,
    global_budget: Option<Res<'w, global_budget::GlobalBudget>>,
    per_diem: Option<Res<'w, per_diem::PerDiem>>,
    capitation: Option<Res<'w, capitation::Capitation>>,
    expert_sessions: Option<Res<'w, expert_sessions::ExpertSessions>>,
    expert_clinics: Option<Res<'w, expert_sessions::ExpertClinics>>,
    bed_sinking: Option<Res<'w, bed_sinking::BedSinking>>,
    learning: Option<Res<'w, capability_learning::Learning>>,
}

impl InForce<'_> {
    /// The levers in force as plain references, for the rules.
    pub fn now(&self) -> Now<'_> {
        Now {
            gatekeeping: self.gatekeeping.as_deref(),
            green_channel: self.green_channel.as_deref(),
            global_budget: self.global_budget.as_deref(),
            per_diem: self.per_diem.as_deref(),
            capitation: self.capitation.as_deref(),
            expert_sessions: self.expert_sessions.as_deref(),
            expert_clinics: self.expert_clinics.as_deref(),
            bed_sinking: self.bed_sinking.as_deref(),
            learning: self.learning.as_deref(),
        }
    }
}

/// The levers in force today (`None`: off).
#[derive(Debug, Clone, Copy, Default)]
pub struct Now<'a> {
    pub gatekeeping: Option<&'a gatekeeping::Gatekeeping>,
    pub green_channel: Option<&'a green_channel::GreenChannel>,
    pub global_budget: Option<&'a global_budget::GlobalBudget>,
    pub per_diem: Option<&'a per_diem::PerDiem>,
    pub capitation: Option<&'a capitation::Capitation>,
    pub expert_sessions: Option<&'a expert_sessions::ExpertSessions>,
    /// Where an expert clinic (a session or a studio's) is open at a CHC, and its price.
    pub expert_clinics: Option<&'a expert_sessions::ExpertClinics>,
    pub bed_sinking: Option<&'a bed_sinking::BedSinking>,
    pub learning: Option<&'a capability_learning::Learning>,
}
