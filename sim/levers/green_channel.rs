//! Green channel (绿色通道 / 三优先) at the lead hospital: priority for referred (and, if the
//! scenario says so, signed) patients.
//!
//! In force, it is the resource [`GreenChannel`]: at the lead hospital a green-channel patient
//! books ahead of the day's other requests and may use slots held for referrals
//! ([`outpatient_priority`]), and a non-emergency admission joins the `referred` class instead of
//! `elective` ([`admission_priority`]).

use super::common::{Context, Def, Lever, Systems, Text, on_day, start_day};
use crate::params::Params;
use analysis::problem::Checker;
use bevy_ecs::prelude::*;
use schemars::JsonSchema;
use serde::Deserialize;

/// Green channel (绿色通道 / 三优先) at the lead hospital.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
pub struct GreenChannelFile {
    /// Referred (and, with `signed`, signed) patients book lead-hospital slots ahead of the
    /// day's other requests and may use reserved referral slots.
    /// unit: boolean · range: true or false · default: required · source: policy setting
    /// (Guangming: priority appointment for referred patients, pilot_sites.md)
    pub outpatient: bool,
    /// Their non-emergency admissions join the "referred" priority class instead of "elective".
    /// unit: boolean · range: true or false · default: required · source: policy setting
    /// (Guangming: priority admission for referred patients, pilot_sites.md)
    pub admission: bool,
    /// Whether signed patients share the green channel with referred ones.
    /// unit: boolean · range: true or false · default: required · source: policy setting (Qingpu:
    /// "three priorities" for signed residents, pilot_sites.md)
    pub signed: bool,
    /// Simulation day the lever switches on.
    /// unit: simulation day · range: integer 0..=(run.warmup_days + run.days − 1) · default: 0 (on
    /// from the first day) · source: policy setting
    #[serde(default)]
    pub start_day: i64,
}

/// The green channel's settings; a resource while it is in force.
#[derive(Resource, Debug, Clone, Copy, PartialEq)]
pub struct GreenChannel {
    pub outpatient: bool,
    pub admission: bool,
    pub signed: bool,
}

pub fn validate(c: &mut Checker, g: &GreenChannelFile, cx: &Context) -> Lever<GreenChannel> {
    Lever {
        start_day: start_day(c, "policy.green_channel", g.start_day, cx),
        settings: GreenChannel { outpatient: g.outpatient, admission: g.admission, signed: g.signed },
    }
}

fn systems(params: &Params) -> Option<Systems> {
    let l = params.policy.get::<Lever<GreenChannel>>()?;
    let settings = l.settings;
    Some(
        (move |mut commands: Commands| commands.insert_resource(settings))
            .run_if(on_day(l.start_day))
            .into_configs(),
    )
}

/// The green channel a patient gets: a referred patient, or a signed one when signed patients
/// share it.
fn channel(g: Option<&GreenChannel>, referred: bool, signed: bool) -> Option<&GreenChannel> {
    g.filter(|g| referred || (signed && g.signed))
}

/// Whether the patient books lead-hospital slots through the green channel.
pub fn outpatient_priority(g: Option<&GreenChannel>, referred: bool, signed: bool) -> bool {
    channel(g, referred, signed).is_some_and(|g| g.outpatient)
}

/// Whether the patient's non-emergency admission at the lead hospital is in the green channel.
pub fn admission_priority(g: Option<&GreenChannel>, referred: bool, signed: bool) -> bool {
    channel(g, referred, signed).is_some_and(|g| g.admission)
}

pub const DEF: Def = Def {
    text: Text {
        key: "green_channel",
        en: "Green channel",
        zh: "绿色通道（三优先）",
        explain_en: "Referred patients (and, where the rule covers them, patients signed with a family doctor) get priority at the lead hospital: they book ahead of others, may use slots kept for referrals, and wait for a bed ahead of elective patients.",
        explain_zh: "转诊患者（以及规则覆盖时的家庭医生签约患者）在牵头医院享有优先：优先预约、可使用为转诊预留的号源，入院时排在择期患者之前。",
    },
    systems,
    changes_hazards: None,
    build: None,
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn referred_patients_and_signed_ones_if_covered_get_priority() {
        let g = GreenChannel { outpatient: true, admission: false, signed: false };
        assert!(outpatient_priority(Some(&g), true, false));
        assert!(!outpatient_priority(Some(&g), false, true), "signed patients are not covered");
        assert!(outpatient_priority(Some(&GreenChannel { signed: true, ..g }), false, true));
        assert!(!admission_priority(Some(&g), true, false));
        assert!(!outpatient_priority(None, true, true));
    }
}
