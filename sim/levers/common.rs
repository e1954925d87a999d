//! What the lever modules share: the registry entry each provides, the context their validation
//! reads, the check of a switch-on day, the run condition of a switch-on system, and the stay cut
//! of the payment levers that stop paying for days.

use crate::model::{Model, Wards};
use crate::params::{
    CareParams, FacilityParams, Params, PopulationParams, ReferralParams, RunParams, WardParams,
};
use crate::rng::{Purpose, name_key};
use analysis::problem::Checker;
use bevy_ecs::prelude::*;
use bevy_ecs::schedule::ScheduleConfigs;
use bevy_ecs::system::ScheduleSystem;

pub use crate::params::Lever;
/// A lever's explanation for the report, in both languages.
pub use analysis::catalogue::Lever as Text;

/// The systems a lever adds to the first phase of the day.
pub type Systems = ScheduleConfigs<ScheduleSystem>;

/// A lever as the registry (`crate::levers::REGISTRY`) lists it.
pub struct Def {
    /// Its table under `[policy]`, its name and its explanation.
    pub text: Text,
    /// The lever's systems for a scenario that sets it (`None` when it does not): what it does
    /// on its switch-on day and, for some levers, every day after.
    pub systems: fn(&Params) -> Option<Systems>,
    /// Whether switching it on changes every patient's disease hazards (the disease clocks are
    /// then re-filed that day); its switch-on days, for a scenario that sets it.
    pub changes_hazards: Option<fn(&Params) -> Vec<u32>>,
    /// What the lever puts into a new world before day 0, for a scenario that sets it.
    pub build: Option<fn(&mut World, &Params)>,
}

/// What the rules that tie a lever to the rest of the scenario need from it.
pub struct Context<'a> {
    pub run: &'a RunParams,
    pub care: &'a CareParams,
    pub population: &'a PopulationParams,
    /// `residents.signing_rate` (0 without residents' demand).
    pub residents_signing_rate: f64,
    pub referral: &'a ReferralParams,
    pub facilities: &'a [FacilityParams],
    pub has_screening: bool,
}

/// The switch-on day of lever `key`: inside the run.
pub fn start_day(c: &mut Checker, key: &str, v: i64, cx: &Context) -> u32 {
    let end = i64::from(cx.run.total_days());
    if v < 0 || v >= end {
        c.fail(
            format!("{key}.start_day"),
            format!(
                "must be a day inside the run, 0..={} (run.warmup_days + run.days = {end}), got {v}",
                end - 1
            ),
        );
        return 0;
    }
    v as u32
}

/// A run condition: the day being simulated is `day`.
pub fn on_day(day: u32) -> impl FnMut(Res<Model>) -> bool + Clone {
    move |model: Res<Model>| model.day.0 == day
}

/// Sets a stay cut on every ward for which `cut_day` gives a day of stay: a stay running past it
/// ends there with `probability` (a payment lever's discharge response), drawn from the policy
/// stream keyed by "facility/ward" and `tag` (empty for the first lever that used it, per-diem).
pub fn cut_stays(
    model: &Model,
    wards: &mut Query<&mut Wards>,
    probability: f64,
    tag: &str,
    cut_day: impl Fn(&FacilityParams, &WardParams) -> Option<f64>,
) {
    for (f, fp) in model.params.facilities.iter().enumerate() {
        let Ok(mut w) = wards.get_mut(model.facilities[f]) else { continue };
        for (ward, wp) in w.wards.iter_mut().zip(&fp.wards) {
            let Some(cut) = cut_day(fp, wp) else { continue };
            let key = name_key(&format!("{}/{}{tag}", fp.name, wp.name));
            ward.set_stay_cut(cut, probability, model.streams.stream(Purpose::Policy, key));
        }
    }
}
