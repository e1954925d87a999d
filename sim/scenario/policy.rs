//! Validation of the policy levers, including the rules that tie two keys together (a lever
//! that switches on after the run ends, more slots moved or reserved than the lead hospital has,
//! bed sinking without a shared ward to receive the beds, …). Such errors name both keys.

use super::file::*;
use super::shares::tier_shares;
use crate::params::*;
use crate::time::DAYS_PER_YEAR;
use analysis::problem::Checker;

/// What the policy rules need from the rest of the scenario.
pub(super) struct Context<'a> {
    pub run: &'a RunParams,
    pub care: &'a CareParams,
    pub population: &'a PopulationParams,
    pub referral: &'a ReferralParams,
    pub facilities: &'a [FacilityParams],
    pub has_screening: bool,
}

const WEEKDAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// The switch-on day of lever `key`: inside the run.
fn start_day(c: &mut Checker, key: &str, v: i64, cx: &Context) -> u32 {
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

pub(super) fn policy(c: &mut Checker, f: &PolicyFile, cx: &Context) -> PolicyParams {
    let mut p = PolicyParams::default();
    if let Some(g) = &f.gatekeeping {
        let key = "policy.gatekeeping";
        let mode = c.choice(
            &format!("{key}.mode"),
            &g.mode,
            &[("soft", GatekeepingMode::Soft), ("strict", GatekeepingMode::Strict)],
        );
        p.gatekeeping = Some(Lever {
            start_day: start_day(c, key, g.start_day, cx),
            settings: Gatekeeping {
                mode: mode.unwrap_or(GatekeepingMode::Soft),
                bypass_penalty: c.share(&format!("{key}.bypass_penalty"), g.bypass_penalty),
            },
        });
    }
    if let Some(r) = &f.referral_platform {
        let key = "policy.referral_platform";
        p.referral_platform = Some(Lever {
            start_day: start_day(c, key, r.start_day, cx),
            settings: ReferralPlatform {
                referral_completion: c.share(&format!("{key}.referral_completion"), r.referral_completion),
                friction_days: c.real(&format!("{key}.friction_days"), r.friction_days, 0.0, 365.0).round()
                    as u32,
            },
        });
        if r.referral_completion < cx.referral.referral_completion {
            c.fail(
                format!("{key}.referral_completion"),
                format!(
                    "a referral platform should not lose more referrals than before: {} is below \
                     referral.referral_completion = {}",
                    r.referral_completion, cx.referral.referral_completion
                ),
            );
        }
    }
    if let Some(g) = &f.green_channel {
        let key = "policy.green_channel";
        p.green_channel = Some(Lever {
            start_day: start_day(c, key, g.start_day, cx),
            settings: GreenChannel { outpatient: g.outpatient, admission: g.admission, signed: g.signed },
        });
    }
    if let Some(r) = &f.reserved_slots {
        let key = "policy.reserved_slots";
        let horizon = i64::from(cx.care.booking_horizon_days);
        p.reserved_slots = Some(Lever {
            start_day: start_day(c, key, r.start_day, cx),
            settings: ReservedSlots {
                share: c.share(&format!("{key}.share"), r.share),
                release_days: c.int(&format!("{key}.release_days"), r.release_days, 0, 365),
            },
        });
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
    }
    if let Some(d) = &f.down_referral {
        let key = "policy.down_referral";
        p.down_referral = Some(Lever {
            start_day: start_day(c, key, d.start_day, cx),
            settings: c.share(&format!("{key}.propensity"), d.propensity),
        });
    }
    if let Some(t) = &f.post_acute_transfer {
        let key = "policy.post_acute_transfer";
        p.post_acute_transfer = Some(Lever {
            start_day: start_day(c, key, t.start_day, cx),
            settings: c.real(&format!("{key}.share_multiplier"), t.share_multiplier, 0.0, 100.0),
        });
    }
    if let Some(r) = &f.reimbursement {
        let key = "policy.reimbursement";
        p.reimbursement = Some(Lever {
            start_day: start_day(c, key, r.start_day, cx),
            settings: [
                tier_shares(c, &format!("{key}.employee"), r.employee),
                tier_shares(c, &format!("{key}.resident"), r.resident),
            ],
        });
    }
    if let Some(b) = &f.global_budget {
        let key = "policy.global_budget";
        let k = |field: &str| format!("{key}.{field}");
        p.global_budget = Some(Lever {
            start_day: start_day(c, key, b.start_day, cx),
            settings: GlobalBudget {
                budget_yuan_per_day: c.real(&k("budget_yuan_per_year"), b.budget_yuan_per_year, 0.0, 1e13)
                    / DAYS_PER_YEAR,
                surplus_retention: c.share(&k("surplus_retention"), b.surplus_retention),
                down_referral_multiplier: c.real(
                    &k("down_referral_multiplier"),
                    b.down_referral_multiplier,
                    0.0,
                    100.0,
                ),
                complex_admission_multiplier: c.real(
                    &k("complex_admission_multiplier"),
                    b.complex_admission_multiplier,
                    0.0,
                    100.0,
                ),
                stay_multiplier: c.positive(&k("stay_multiplier"), b.stay_multiplier, 10.0),
            },
        });
    }
    if let Some(d) = &f.per_diem {
        p.per_diem = per_diem(c, d, cx);
    }
    if let Some(k) = &f.capitation {
        let key = "policy.capitation";
        p.capitation = Some(Lever {
            start_day: start_day(c, key, k.start_day, cx),
            settings: Capitation {
                yuan_per_signed_patient_per_day: c.real(
                    &format!("{key}.yuan_per_signed_patient_per_year"),
                    k.yuan_per_signed_patient_per_year,
                    0.0,
                    1e6,
                ) / DAYS_PER_YEAR,
                signed_bonus_gain: c.real(
                    &format!("{key}.signed_bonus_gain"),
                    k.signed_bonus_gain,
                    -50.0,
                    50.0,
                ),
            },
        });
    }
    let chcs = cx.facilities.iter().filter(|x| x.tier == Tier::Primary).count();
    if let Some(e) = &f.expert_sessions {
        let key = "policy.expert_sessions";
        let mut weekdays = [false; 7];
        for (i, d) in e.weekdays.iter().enumerate() {
            match WEEKDAYS.iter().position(|w| w == d) {
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
        if chcs == 0 {
            c.fail(format!("{key}.slot_share"), "needs at least one primary facility to hold the sessions");
        }
        p.expert_sessions = Some(Lever {
            start_day: start_day(c, key, e.start_day, cx),
            settings: ExpertSessions {
                slot_share: c.share(&format!("{key}.slot_share"), e.slot_share),
                weekdays,
                visit_price_yuan: c.real(&format!("{key}.visit_price_yuan"), e.visit_price_yuan, 0.0, 1e6),
            },
        });
    }
    for (i, s) in f.expert_studios.iter().enumerate() {
        let key = format!("policy.expert_studios[{i}]");
        let count = c.int(&format!("{key}.count"), s.count, 1, 100_000);
        if chcs == 0 {
            c.fail(format!("{key}.count"), "needs at least one primary facility to host the studios");
        }
        p.expert_studios.push(Lever { start_day: start_day(c, &key, s.start_day, cx), settings: count });
    }
    if let Some(l) = &f.capability_learning {
        let key = "policy.capability_learning";
        p.capability_learning = Some(CapabilityLearning {
            learning_rate_per_year: c.real(
                &format!("{key}.learning_rate_per_year"),
                l.learning_rate_per_year,
                0.0,
                100.0,
            ),
            capability_cap: c.share(&format!("{key}.capability_cap"), l.capability_cap),
            trust_gain: c.real(&format!("{key}.trust_gain"), l.trust_gain, -50.0, 50.0),
        });
    } else if f.expert_sessions.is_some() || !f.expert_studios.is_empty() {
        let which =
            if f.expert_sessions.is_some() { "policy.expert_sessions" } else { "policy.expert_studios" };
        c.fail(
            "policy.capability_learning",
            format!("is required with {which}: say how fast CHCs learn from the experts"),
        );
    }
    if let Some(b) = &f.bed_sinking {
        let key = "policy.bed_sinking";
        let has_shared = cx.facilities.iter().any(|x| {
            x.tier == Tier::Member && x.in_group && x.wards.iter().any(|w| w.kind == WardKind::Shared)
        });
        if !has_shared {
            c.fail(
                format!("{key}.bed_share"),
                "needs a member hospital with a shared ward (facilities[*].wards, kind = \"shared\") to \
                 receive the beds",
            );
        }
        p.bed_sinking = Some(Lever {
            start_day: start_day(c, key, b.start_day, cx),
            settings: BedSinking {
                bed_share: c.share(&format!("{key}.bed_share"), b.bed_share),
                routed_share: c.share(&format!("{key}.routed_share"), b.routed_share),
            },
        });
    }
    if let Some(s) = &f.signing {
        let key = "policy.signing";
        let rate = c.share(&format!("{key}.rate"), s.rate);
        if rate < cx.population.signing_rate {
            c.fail(
                format!("{key}.rate"),
                format!(
                    "a signing drive cannot lower the signing rate: {rate} is below population.signing_rate = {}",
                    cx.population.signing_rate
                ),
            );
        }
        p.signing = Some(Lever { start_day: start_day(c, key, s.start_day, cx), settings: rate });
    }
    if let Some(h) = &f.health_checks {
        let key = "policy.health_checks";
        let coverage = c.real(&format!("{key}.coverage"), h.coverage, 0.0, 0.999);
        if !cx.has_screening {
            c.fail(
                format!("{key}.coverage"),
                "needs a [screening] table (health_check_min_age, check_detection, …)",
            );
        }
        p.health_checks =
            Some(Lever { start_day: start_day(c, key, h.start_day, cx), settings: check_rate(coverage) });
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

fn per_diem(c: &mut Checker, d: &PerDiemFile, cx: &Context) -> Option<Lever<PerDiem>> {
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
    Some(Lever {
        start_day: start_day(c, key, d.start_day, cx),
        settings: PerDiem {
            segments,
            discharge_response: c.share(&format!("{key}.discharge_response"), d.discharge_response),
        },
    })
}

/// The daily hazard of a health check that gives a share `coverage` of people at least one
/// check a year: −ln(1 − coverage) / year.
fn check_rate(coverage: f64) -> f64 {
    -(1.0 - coverage).ln() / DAYS_PER_YEAR
}

/// Index of the age band whose `min_age` is `age`.
fn band_of(c: &mut Checker, key: &str, age: i64, population: &PopulationParams) -> usize {
    match population.age_bands.iter().position(|b| i64::from(b.min_age) == age) {
        Some(i) => i,
        None => {
            let ages: Vec<String> = population.age_bands.iter().map(|b| b.min_age.to_string()).collect();
            c.fail(key, format!("must be the min_age of an age band ({}), got {age}", ages.join(", ")));
            0
        }
    }
}

pub(super) fn screening(
    c: &mut Checker,
    f: Option<&ScreeningFile>,
    conditions: &[ConditionParams],
    cx: &Context,
) -> ScreeningParams {
    let Some(f) = f else { return ScreeningParams::default() };
    let key = "screening";
    let coverage = c.real(&format!("{key}.health_check_coverage"), f.health_check_coverage, 0.0, 0.999);
    let check_min_band =
        band_of(c, &format!("{key}.health_check_min_age"), f.health_check_min_age, cx.population);
    let mut campaigns = Vec::new();
    for (i, k) in f.campaigns.iter().enumerate() {
        let ck = format!("{key}.campaigns[{i}]");
        if k.name.trim().is_empty() {
            c.fail(format!("{ck}.name"), "must not be empty");
        }
        if f.campaigns[..i].iter().any(|o| o.name == k.name) {
            c.fail(format!("{ck}.name"), format!("\"{}\" appears twice", k.name));
        }
        let condition = match conditions.iter().position(|x| x.name == k.condition) {
            Some(j) => j,
            None => {
                let names: Vec<String> = conditions.iter().map(|x| format!("\"{}\"", x.name)).collect();
                c.fail(
                    format!("{ck}.condition"),
                    format!("must be one of {}, got \"{}\"", names.join(", "), k.condition),
                );
                0
            }
        };
        let min_band = band_of(c, &format!("{ck}.min_age"), k.min_age, cx.population);
        let eligible: f64 = f64::from(cx.population.residents)
            * cx.population.age_bands.iter().skip(min_band).map(|b| b.share).sum::<f64>();
        let screened = c.real(&format!("{ck}.screened_per_year"), k.screened_per_year, 0.0, 1e8);
        if screened > eligible {
            c.fail(
                format!("{ck}.screened_per_year"),
                format!("must be at most the eligible residents ({eligible:.0}: population.residents in the bands from min_age), got {screened}"),
            );
        }
        campaigns.push(Campaign {
            name: k.name.clone(),
            condition,
            min_band,
            start_day: start_day(c, &ck, k.start_day, cx),
            screened_per_day: screened / DAYS_PER_YEAR,
            rate_per_person_per_day: if eligible > 0.0 { screened / eligible / DAYS_PER_YEAR } else { 0.0 },
            sensitivity: c.share(&format!("{ck}.sensitivity"), k.sensitivity),
        });
    }
    ScreeningParams {
        present: true,
        check_rate_per_day: check_rate(coverage),
        check_min_band,
        check_detection: c.share(&format!("{key}.check_detection"), f.check_detection),
        enrolment_on_diagnosis: c.share(&format!("{key}.enrolment_on_diagnosis"), f.enrolment_on_diagnosis),
        campaigns,
    }
}
