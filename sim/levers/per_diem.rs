//! Tiered per-diem (分段日付费) for shared wards: the insurer pays a daily rate that falls by
//! stay segment.
//!
//! In force, it is the resource [`PerDiem`]: the admission stage charges a shared-ward stay by
//! its schedule ([`PerDiem::charge`]). Its behavioural response (an assumption, sweepable and
//! calibratable): a stay running into the first segment paid below the ward's bed-day price (its
//! cost) ends at that segment's start with `discharge_response`
//! ([`crate::model::ward::Ward::set_stay_cut`]).

use super::common::{Context, Def, Lever, Systems, Text, cut_stays, on_day, start_day};
use crate::model::{Model, Wards};
use crate::params::{Params, WardKind};
use analysis::problem::Checker;
use bevy_ecs::prelude::*;
use schemars::JsonSchema;
use serde::Deserialize;

/// Tiered per-diem (分段日付费) for shared wards.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
pub struct PerDiemFile {
    /// Stay segments in order; the last has no `until_day`.
    /// unit: array of tables · range: at least 1 entry; the scenario needs a shared ward ·
    /// default: required · source: policy setting (Qingdao: rehabilitation shared ward paid per
    /// diem, tiered by stage, pilot_sites.md)
    pub segments: Vec<PerDiemSegmentFile>,
    /// Behavioural response (assumption): probability that a stay running into the first
    /// segment paid below the ward's `bed_day_price_yuan` ends at that segment's start.
    /// unit: probability · range: [0, 1] · default: required · source: assumption — sweepable,
    /// calibratable
    pub discharge_response: f64,
    /// Simulation day the lever switches on.
    /// unit: simulation day · range: integer 0..=(run.warmup_days + run.days − 1) · default: 0 (on
    /// from the first day) · source: policy setting
    #[serde(default)]
    pub start_day: i64,
}

/// One segment of a tiered per-diem schedule.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
pub struct PerDiemSegmentFile {
    /// Day of stay at which the segment ends (exclusive); absent for the last segment.
    /// unit: day of stay · range: after the previous segment's end and at most 3650; required for
    /// every segment but the last · default: none: only the last segment (which must leave it out)
    /// · source: policy setting
    #[serde(default)]
    pub until_day: Option<f64>,
    /// Daily rate paid in this segment, in yuan.
    /// unit: yuan per bed-day · range: [0, 1000000] · default: required · source: policy setting
    pub rate_yuan: f64,
}

/// Tiered per-diem: segments (end day of stay, exclusive, or infinity; daily rate); a resource
/// while it is in force.
#[derive(Resource, Debug, Clone, PartialEq)]
pub struct PerDiem {
    pub segments: Vec<(f64, f64)>,
    pub discharge_response: f64,
}

impl PerDiem {
    /// Payment for a stay of `days` days.
    pub fn charge(&self, days: f64) -> f64 {
        let mut start = 0.0;
        let mut total = 0.0;
        for &(end, rate) in &self.segments {
            if days <= start {
                break;
            }
            total += (days.min(end) - start) * rate;
            start = end;
        }
        total
    }

    /// Start day of the first segment paid below `price` per day (where a ward that loses money
    /// on a bed-day has a reason to discharge), if any.
    pub fn first_loss_day(&self, price: f64) -> Option<f64> {
        let mut start = 0.0;
        for &(end, rate) in &self.segments {
            if rate < price {
                return Some(start);
            }
            start = end;
        }
        None
    }
}

pub fn validate(c: &mut Checker, d: &PerDiemFile, cx: &Context) -> Lever<PerDiem> {
    let key = "policy.per_diem";
    let mut segments = Vec::new();
    let mut last_end = 0.0;
    for (i, s) in d.segments.iter().enumerate() {
        let k = format!("{key}.segments[{i}]");
        let rate = c.real(&format!("{k}.rate_yuan"), s.rate_yuan, 0.0, 1e6);
        let last = i + 1 == d.segments.len();
        let end = match (s.until_day, last) {
            (None, true) => f64::INFINITY,
            (Some(_), true) => {
                c.fail(format!("{k}.until_day"), "the last segment has no end: leave until_day out");
                f64::INFINITY
            }
            (None, false) => {
                c.fail(format!("{k}.until_day"), "is required for every segment but the last");
                last_end
            }
            (Some(u), false) => {
                if !(u.is_finite() && u > last_end && u <= 3650.0) {
                    c.fail(
                        format!("{k}.until_day"),
                        format!(
                            "must be after the previous segment's end ({last_end}) and at most 3650, got {u}"
                        ),
                    );
                }
                u
            }
        };
        last_end = end;
        segments.push((end, rate));
    }
    if segments.is_empty() {
        c.fail(format!("{key}.segments"), "needs at least one segment");
    }
    if !cx.facilities.iter().any(|x| x.wards.iter().any(|w| w.kind == WardKind::Shared)) {
        c.fail(
            format!("{key}.segments"),
            "applies to shared wards, and the scenario has none (facilities[*].wards, kind = \"shared\")",
        );
    }
    Lever {
        start_day: start_day(c, key, d.start_day, cx),
        settings: PerDiem {
            segments,
            discharge_response: c.share(&format!("{key}.discharge_response"), d.discharge_response),
        },
    }
}

fn systems(params: &Params) -> Option<Systems> {
    let l = params.policy.get::<Lever<PerDiem>>()?;
    let settings = l.settings.clone();
    Some(
        (move |mut commands: Commands, model: Res<Model>, mut wards: Query<&mut Wards>| {
            commands.insert_resource(settings.clone());
            cut_stays(&model, &mut wards, settings.discharge_response, "", |fp, wp| {
                (wp.kind == WardKind::Shared)
                    .then(|| settings.first_loss_day(fp.bed_day_price_yuan))
                    .flatten()
            });
        })
        .run_if(on_day(l.start_day))
        .into_configs(),
    )
}

pub const DEF: Def = Def {
    text: Text {
        key: "per_diem",
        en: "Tiered per-diem for shared wards",
        zh: "共管病房分段按床日付费",
        explain_en: "The insurer pays a shared ward a daily rate that falls as the stay goes on. When the later days are paid below their cost, the ward has a reason to discharge sooner: shorter stays, more patients per bed.",
        explain_zh: "医保按床日向共管病房付费，住院越久日付费越低。当后期床日的支付低于成本时，病房有动力更早安排出院：住院日缩短，每张床可收治更多患者。",
    },
    systems,
    changes_hazards: None,
    build: None,
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stay_is_paid_segment_by_segment() {
        let p = PerDiem {
            segments: vec![(10.0, 500.0), (20.0, 300.0), (f64::INFINITY, 100.0)],
            discharge_response: 0.5,
        };
        assert_eq!(p.charge(5.0), 2500.0);
        assert_eq!(p.charge(15.0), 5000.0 + 1500.0);
        assert_eq!(p.charge(30.0), 5000.0 + 3000.0 + 1000.0);
        assert_eq!(p.first_loss_day(400.0), Some(10.0));
        assert_eq!(p.first_loss_day(50.0), None);
    }
}
