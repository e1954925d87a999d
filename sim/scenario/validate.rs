//! From file to parameters: range checks, cross-references and unit conversion.
//!
//! Every rule that fails adds a [`Problem`] naming the key path and the allowed range; nothing
//! stops at the first one. Upper bounds that are not physical limits (e.g. at most 2 × 10⁷ residents,
//! 100,000 beds a ward) are there to refuse a typing slip before it allocates memory.

use super::file::*;
use super::shares::tier_shares;
use crate::params::*;
use analysis::problem::Checker;
use analysis::problem::Problem;

/// Largest population a scenario may ask for: a 20-million city of agents fits in about 4 GB.
pub const MAX_RESIDENTS: i64 = 20_000_000;
use crate::time::DAYS_PER_YEAR;

/// Validates a scenario file into model parameters, or returns every problem found.
pub fn validate(f: &ScenarioFile) -> Result<Params, Vec<Problem>> {
    let mut c = Checker::new();
    let seed = c.real("seed", f.seed as f64, 0.0, 9.007_199_254_740_992e15) as u64;
    c.name("name", &f.name);
    if let Some(m) = super::schema::check_version(f.schema_version) {
        c.fail("schema_version", m);
    }
    let run = RunParams {
        days: c.int("run.days", f.run.days, 1, 36_500),
        warmup_days: c.int("run.warmup_days", f.run.warmup_days, 0, 36_500),
        replications: c.int("run.replications", f.run.replications, 1, 100_000),
    };
    let has_patients = !f.conditions.is_empty();
    let has_clinics = f.facilities.iter().any(|x| !x.clinics.is_empty());
    if u64::from(run.days) + u64::from(run.warmup_days) > 65_000 {
        c.fail("run.days", "days + warmup_days must be at most 65000 (about 178 years)");
    }
    let population = match &f.population {
        Some(p) => population(&mut c, p),
        None => {
            if has_patients {
                c.fail("population", "is required when the scenario has conditions");
            }
            PopulationParams::none()
        }
    };
    let bands = population.age_bands.len();
    let residents = match &f.residents {
        Some(r) => residents(&mut c, r, bands),
        None => ResidentsParams::none(),
    };
    let conditions: Vec<ConditionParams> =
        f.conditions.iter().enumerate().map(|(i, k)| condition(&mut c, i, k, bands)).collect();
    if conditions.len() > 16 {
        c.fail("conditions", format!("at most 16 conditions, got {}", conditions.len()));
    }
    for (i, k) in f.conditions.iter().enumerate() {
        if f.conditions[..i].iter().any(|o| o.name == k.name) {
            c.fail(format!("conditions[{i}].name"), format!("\"{}\" appears twice", k.name));
        }
    }
    let care = match &f.care {
        Some(k) => care(&mut c, k),
        None => {
            if has_patients || has_clinics {
                c.fail("care", "is required when the scenario has conditions or outpatient clinics");
            }
            CareParams::unused()
        }
    };
    let choice = match &f.choice {
        Some(k) => choice(&mut c, k),
        None => {
            if has_patients {
                c.fail("choice", "is required when the scenario has conditions");
            }
            ChoiceParams::unused()
        }
    };
    let referral = match &f.referral {
        Some(r) => referral(&mut c, r),
        None => {
            if has_patients {
                c.fail("referral", "is required when the scenario has conditions");
            }
            ReferralParams::unused()
        }
    };
    let payment = match &f.payment {
        Some(k) => PaymentParams {
            reimbursement: [
                tier_shares(&mut c, "payment.reimbursement_employee", k.reimbursement_employee),
                tier_shares(&mut c, "payment.reimbursement_resident", k.reimbursement_resident),
            ],
            items: k.items.as_ref().map(|i| {
                let k = |name: &str| format!("payment.items.{name}");
                let out = [
                    [
                        tier_shares(&mut c, &k("outpatient_drugs"), i.outpatient_drugs),
                        tier_shares(&mut c, &k("outpatient_tests"), i.outpatient_tests),
                    ],
                    [
                        tier_shares(&mut c, &k("inpatient_drugs"), i.inpatient_drugs),
                        tier_shares(&mut c, &k("inpatient_tests"), i.inpatient_tests),
                    ],
                ];
                for (s, setting) in ["outpatient", "inpatient"].iter().enumerate() {
                    for (t, tier) in ["primary", "member", "lead"].iter().enumerate() {
                        let sum = out[s][0][t] + out[s][1][t];
                        if sum > 1.0 + 1e-12 {
                            c.fail(
                                k(&format!("{setting}_tests.{tier}")),
                                format!(
                                    "drugs and tests together must be at most 1 of the charge, got {sum}"
                                ),
                            );
                        }
                    }
                }
                out
            }),
        },
        None => {
            if has_patients {
                c.fail("payment", "is required when the scenario has conditions");
            }
            PaymentParams::unused()
        }
    };
    let before = c.count();
    let mut city = city(&mut c, f.city.as_ref());
    // With the group list itself refused, the facilities' groups are not checked against it.
    let groups_refused = c.count() > before;
    let facilities =
        facilities(&mut c, &f.facilities, population.residents, &conditions, &mut city, groups_refused);
    if city.several() && f.policy.global_budget.is_some() {
        c.fail(
            "policy.global_budget",
            "is not modelled in a city of several groups yet (a budget is one group's ledger; one ledger for \
             the whole city would let one group's spending press on the others)",
        );
    }
    let policy = crate::levers::validate(
        &mut c,
        &f.policy,
        &crate::levers::common::Context {
            run: &run,
            care: &care,
            population: &population,
            residents_signing_rate: residents.signing_rate,
            referral: &referral,
            facilities: &facilities,
            has_screening: f.screening.is_some(),
        },
    );
    let screening = super::screening::screening(
        &mut c,
        f.screening.as_ref(),
        &conditions,
        &crate::levers::common::Context {
            run: &run,
            care: &care,
            population: &population,
            residents_signing_rate: residents.signing_rate,
            referral: &referral,
            facilities: &facilities,
            has_screening: true,
        },
    );
    c.finish(Params {
        name: f.name.clone(),
        description: f.description.clone(),
        seed,
        run,
        population,
        residents,
        conditions,
        care,
        choice,
        referral,
        payment,
        screening,
        policy,
        facilities,
        city,
    })
}

/// The city's groups (one group without a `[city]` table).
fn city(c: &mut Checker, f: Option<&CityFile>) -> CityParams {
    let Some(f) = f else {
        let group = GroupParams { name: "group".into(), x_km: 0.0, y_km: 0.0, lead: None };
        return CityParams { groups: vec![group], minutes_per_km: 0.0, nearest_other_groups: 0 };
    };
    let n = f.groups.len();
    if !(2..=64).contains(&n) {
        c.fail(
            "city.groups",
            format!("a city needs 2..=64 groups (leave [city] out for one group), got {n}"),
        );
    }
    let mut groups = Vec::with_capacity(n);
    for (i, g) in f.groups.iter().enumerate() {
        let key = |k: &str| format!("city.groups[{i}].{k}");
        c.name(&key("name"), &g.name);
        if g.name.contains([';', '=']) {
            c.fail(
                key("name"),
                format!(
                    "must not contain ';' or '=' (it is written as group=NAME in outputs), got {:?}",
                    g.name
                ),
            );
        }
        if f.groups[..i].iter().any(|o| o.name == g.name) {
            c.fail(key("name"), format!("\"{}\" appears twice", g.name));
        }
        groups.push(GroupParams {
            name: g.name.clone(),
            x_km: c.real(&key("x_km"), g.x_km, -1000.0, 1000.0),
            y_km: c.real(&key("y_km"), g.y_km, -1000.0, 1000.0),
            lead: None,
        });
    }
    let most = (n.saturating_sub(1)).min(4) as i64;
    CityParams {
        groups,
        minutes_per_km: c.real("city.minutes_per_km", f.minutes_per_km, 0.0, 120.0),
        nearest_other_groups: c.int("city.nearest_other_groups", f.nearest_other_groups, 0, most) as usize,
    }
}

fn referral(c: &mut Checker, r: &ReferralFile) -> ReferralParams {
    ReferralParams {
        up_referral_propensity: c.share("referral.up_referral_propensity", r.up_referral_propensity),
        complex_up_referral_share: c.share("referral.complex_up_referral_share", r.complex_up_referral_share),
        referral_completion: c.share("referral.referral_completion", r.referral_completion),
        down_referral_propensity: c.share("referral.down_referral_propensity", r.down_referral_propensity),
        processing_days_mean: c.real("referral.processing_days_mean", r.processing_days_mean, 0.0, 365.0),
        processing_days_cv: c.real("referral.processing_days_cv", r.processing_days_cv, 0.0, 10.0),
        member_up_referral_propensity: c
            .share("referral.member_up_referral_propensity", r.member_up_referral_propensity),
    }
}

fn population(c: &mut Checker, p: &PopulationFile) -> PopulationParams {
    let residents = c.int("population.residents", p.residents, 0, MAX_RESIDENTS);
    let mut age_bands = Vec::new();
    for (i, b) in p.age_bands.iter().enumerate() {
        let key = format!("population.age_bands[{i}]");
        c.name(&format!("{key}.name"), &b.name);
        age_bands.push(AgeBand {
            name: b.name.clone(),
            min_age: c.int(&format!("{key}.min_age"), b.min_age, 0, 120),
            share: c.share(&format!("{key}.share"), b.share),
            male_share: c.share(&format!("{key}.male_share"), b.male_share),
            mortality_per_day: c.real(
                &format!("{key}.mortality_per_1000_per_year"),
                b.mortality_per_1000_per_year,
                0.0,
                1000.0,
            ) / 1000.0
                / DAYS_PER_YEAR,
        });
        if i > 0 && b.min_age <= p.age_bands[i - 1].min_age {
            c.fail(format!("{key}.min_age"), "age bands must be in increasing order of min_age");
        }
    }
    if age_bands.is_empty() {
        c.fail("population.age_bands", "needs at least one age band");
    } else {
        let total: f64 = age_bands.iter().map(|b| b.share).sum();
        if (total - 1.0).abs() > 1e-6 {
            c.fail("population.age_bands[*].share", format!("shares must sum to 1, got {total}"));
        }
    }
    PopulationParams {
        residents,
        employee_scheme_share: c.share("population.employee_scheme_share", p.employee_scheme_share),
        signing_rate: c.share("population.signing_rate", p.signing_rate),
        frailty_variance: c.real("population.frailty_variance", p.frailty_variance, 0.0, 10.0),
        age_bands,
    }
}

fn condition(c: &mut Checker, i: usize, k: &ConditionFile, bands: usize) -> ConditionParams {
    let key = |field: &str| format!("conditions[{i}].{field}");
    c.name(&key("name"), &k.name);
    if k.prevalence_by_age_band.len() != bands {
        c.fail(
            key("prevalence_by_age_band"),
            format!("needs one share per age band ({bands}), got {}", k.prevalence_by_age_band.len()),
        );
    }
    let prevalence_by_age_band = k
        .prevalence_by_age_band
        .iter()
        .enumerate()
        .map(|(j, &v)| c.share(&key(&format!("prevalence_by_age_band[{j}]")), v))
        .collect();
    let male_only = c.choice(&key("sex"), &k.sex, &[("any", false), ("male", true)]).unwrap_or(false);
    let per_day = |c: &mut Checker, field: &str, v: f64| c.real(&key(field), v, 0.0, 365.0) / DAYS_PER_YEAR;
    ConditionParams {
        name: k.name.clone(),
        prevalence_by_age_band,
        male_only,
        diagnosed_share: c.share(&key("diagnosed_share"), k.diagnosed_share),
        controlled_share_of_diagnosed: c
            .share(&key("controlled_share_of_diagnosed"), k.controlled_share_of_diagnosed),
        enrolled_share_of_diagnosed: c
            .share(&key("enrolled_share_of_diagnosed"), k.enrolled_share_of_diagnosed),
        diagnosed_at_onset: c.share(&key("diagnosed_at_onset"), k.diagnosed_at_onset),
        loss_of_control_per_day: per_day(c, "loss_of_control_per_year", k.loss_of_control_per_year),
        unmanaged_loss_multiplier: c.real(
            &key("unmanaged_loss_multiplier"),
            k.unmanaged_loss_multiplier,
            0.0,
            100.0,
        ),
        symptomatic_loss_share: c.share(&key("symptomatic_loss_share"), k.symptomatic_loss_share),
        acute_events_per_day: per_day(c, "acute_events_per_year", k.acute_events_per_year),
        uncontrolled_acute_multiplier: c.real(
            &key("uncontrolled_acute_multiplier"),
            k.uncontrolled_acute_multiplier,
            0.0,
            100.0,
        ),
        // Left out, it is the uncontrolled multiplier (checked once, above).
        undiagnosed_acute_multiplier: match k.undiagnosed_acute_multiplier {
            Some(v) => c.real(&key("undiagnosed_acute_multiplier"), v, 0.0, 100.0),
            None => k.uncontrolled_acute_multiplier,
        },
        acute_admission_share: c.share(&key("acute_admission_share"), k.acute_admission_share),
        acute_case_fatality: c.share(&key("acute_case_fatality"), k.acute_case_fatality),
        acute_diagnosis_share: c.share(&key("acute_diagnosis_share"), k.acute_diagnosis_share),
        check_detection: k.check_detection.map(|v| c.share(&key("check_detection"), v)),
        post_acute_transfer_share: c.share(&key("post_acute_transfer_share"), k.post_acute_transfer_share),
        elective_procedures_per_day: per_day(
            c,
            "elective_procedures_per_year",
            k.elective_procedures_per_year,
        ),
        excess_mortality_per_day: c.real(
            &key("excess_mortality_per_1000_per_year"),
            k.excess_mortality_per_1000_per_year,
            0.0,
            1000.0,
        ) / 1000.0
            / DAYS_PER_YEAR,
        capability: tier_shares(c, &key("capability"), k.capability),
    }
}

fn care(c: &mut Checker, k: &CareFile) -> CareParams {
    CareParams {
        enrolled_followup_interval_days: c.positive(
            "care.enrolled_followup_interval_days",
            k.enrolled_followup_interval_days,
            3650.0,
        ),
        unenrolled_followup_interval_days: c.positive(
            "care.unenrolled_followup_interval_days",
            k.unenrolled_followup_interval_days,
            3650.0,
        ),
        followup_adherence: c.share("care.followup_adherence", k.followup_adherence),
        symptom_delay_days: c.positive("care.symptom_delay_days", k.symptom_delay_days, 3650.0),
        post_discharge_followup_days: c.positive(
            "care.post_discharge_followup_days",
            k.post_discharge_followup_days,
            3650.0,
        ),
        post_acute_complex_days: c.real(
            "care.post_acute_complex_days",
            k.post_acute_complex_days,
            0.0,
            3650.0,
        ) as u32,
        enrolment_on_chc_visit: c.share("care.enrolment_on_chc_visit", k.enrolment_on_chc_visit),
        management_exit_per_day: c.real(
            "care.management_exit_per_year",
            k.management_exit_per_year,
            0.0,
            365.0,
        ) / DAYS_PER_YEAR,
        emergency_lead_share: c.share("care.emergency_lead_share", k.emergency_lead_share),
        complex_admission_share: c.share("care.complex_admission_share", k.complex_admission_share),
        booking_horizon_days: c.int("care.booking_horizon_days", k.booking_horizon_days, 1, 365),
        wait_tolerance_days: [0, 1, 2]
            .map(|s| c.int(&format!("care.wait_tolerance_days[{s}]"), k.wait_tolerance_days[s], 0, 365)),
    }
}

fn residents(c: &mut Checker, r: &ResidentsFile, bands: usize) -> ResidentsParams {
    let mut by_band = |field: &str, v: &[f64]| -> Vec<f64> {
        if v.len() != bands {
            c.fail(
                format!("residents.{field}"),
                format!("needs one rate per age band ({bands}), got {}", v.len()),
            );
        }
        v.iter()
            .enumerate()
            .map(|(j, &x)| c.real(&format!("residents.{field}[{j}]"), x, 0.0, 365.0) / DAYS_PER_YEAR)
            .collect()
    };
    let visits = by_band("visits_per_year_by_age_band", &r.visits_per_year_by_age_band);
    let emergency =
        by_band("emergency_visits_per_year_by_age_band", &r.emergency_visits_per_year_by_age_band);
    ResidentsParams {
        visits_per_day_by_band: if bands == 0 { Vec::new() } else { visits },
        emergency_per_day_by_band: emergency,
        complex_share: c.share("residents.complex_share", r.complex_share),
        signing_rate: c.share("residents.signing_rate", r.signing_rate),
        trust: c.share("residents.trust", r.trust),
        capability: tier_shares(c, "residents.capability", r.capability),
        access_elasticity: c.real("residents.access_elasticity", r.access_elasticity, 0.0, 1.0),
    }
}

fn choice(c: &mut Checker, k: &ChoiceFile) -> ChoiceParams {
    let mut quality_by_severity = [0.0; 3];
    for (s, q) in k.quality_by_severity.iter().enumerate() {
        quality_by_severity[s] = c.real(&format!("choice.quality_by_severity[{s}]"), *q, 0.0, 50.0);
    }
    ChoiceParams {
        quality_by_severity,
        cost_per_100_yuan: c.real("choice.cost_per_100_yuan", k.cost_per_100_yuan, -50.0, 0.0),
        wait_per_day: c.real("choice.wait_per_day", k.wait_per_day, -50.0, 0.0),
        travel_per_10_minutes: c.real("choice.travel_per_10_minutes", k.travel_per_10_minutes, -50.0, 0.0),
        signed_bonus: c.real("choice.signed_bonus", k.signed_bonus, -50.0, 50.0),
        continuity_bonus: c.real("choice.continuity_bonus", k.continuity_bonus, -50.0, 50.0),
        bypass_sd: c.real("choice.bypass_sd", k.bypass_sd, 0.0, 50.0),
        trust_weight: c.real("choice.trust_weight", k.trust_weight, 0.0, 50.0),
        trust_step: c.share("choice.trust_step", k.trust_step),
        published_wait_smoothing_days: c.positive(
            "choice.published_wait_smoothing_days",
            k.published_wait_smoothing_days,
            3650.0,
        ),
        price_quality_exponent: c.real("choice.price_quality_exponent", k.price_quality_exponent, 0.0, 10.0),
    }
}

fn facilities(
    c: &mut Checker,
    files: &[FacilityFile],
    residents: u32,
    conditions: &[ConditionParams],
    city: &mut CityParams,
    groups_refused: bool,
) -> Vec<FacilityParams> {
    const TIERS: [(&str, Tier); 3] =
        [("primary", Tier::Primary), ("member", Tier::Member), ("lead", Tier::Lead)];
    let mut out: Vec<FacilityParams> = Vec::new();
    // (expanded facility index, file index, member hospital names, copy number)
    let mut links: Vec<(usize, usize, Vec<String>, usize)> = Vec::new();
    let mut weights: Vec<(usize, f64)> = Vec::new();
    // The file entry of each expanded facility, and whether that entry had a problem of its own:
    // rules that look at a facility's clinics, wards or tier as a whole are not checked for a
    // broken entry, since what they would say follows from the problem already reported.
    let mut file_of: Vec<usize> = Vec::new();
    let mut broken: Vec<bool> = Vec::new();
    let mut tier_unknown = false;
    // A group problem of a facility's own: the groups' lead counts would only repeat it.
    let mut group_problem = groups_refused;
    for (i, f) in files.iter().enumerate() {
        let before = c.count();
        let key = |field: &str| format!("facilities[{i}].{field}");
        c.name(&key("name"), &f.name);
        let tier = c.choice(&key("tier"), &f.tier, &TIERS);
        tier_unknown |= tier.is_none();
        let count = c.int(&key("count"), f.count.unwrap_or(1), 1, 10_000) as usize;
        let clinics: Vec<ClinicParams> = f
            .clinics
            .iter()
            .enumerate()
            .filter_map(|(j, k)| clinic(c, &key(&format!("clinics[{j}]")), k))
            .collect();
        let mut wards: Vec<WardParams> = f
            .wards
            .iter()
            .enumerate()
            .filter_map(|(j, w)| ward(c, &key(&format!("wards[{j}]")), w))
            .collect();
        transfers(c, &key, &f.wards, &mut wards);
        for (j, k) in f.clinics.iter().enumerate() {
            if f.clinics[..j].iter().any(|o| o.kind == k.kind) {
                c.fail(key(&format!("clinics[{j}].kind")), format!("\"{}\" appears twice", k.kind));
            }
        }
        for (j, w) in f.wards.iter().enumerate() {
            if f.wards[..j].iter().any(|o| o.name == w.name) {
                c.fail(key(&format!("wards[{j}].name")), format!("\"{}\" appears twice", w.name));
            }
        }
        let weight = match (tier, f.catchment_weight) {
            (Some(Tier::Primary), Some(w)) => c.real(&key("catchment_weight"), w, 0.0, 1e9),
            (Some(Tier::Primary), None) => {
                c.fail(key("catchment_weight"), "is required for a primary facility (a number ≥ 0)");
                0.0
            }
            (Some(_), Some(_)) => {
                c.fail(key("catchment_weight"), "applies only to primary facilities");
                0.0
            }
            _ => 0.0,
        };
        match (tier, &f.member_hospitals) {
            (Some(Tier::Primary), _) | (_, None) | (None, _) => {}
            (Some(_), Some(_)) => c.fail(key("member_hospitals"), "applies only to primary facilities"),
        }
        if tier == Some(Tier::Primary) && f.in_group == Some(false) {
            c.fail(key("in_group"), "only hospitals (member or lead tier) can be outside the group");
        }
        if tier == Some(Tier::Primary) && !f.wards.is_empty() {
            c.fail(key("wards"), "primary facilities have no wards in this model");
        }
        let in_group = f.in_group.unwrap_or(true);
        let before_group = c.count();
        // The group named here (a CHC without one takes its member hospitals' group below).
        let group = match (&f.group, city.several() && !groups_refused) {
            _ if groups_refused => NO_GROUP,
            (Some(_), false) => {
                c.fail(key("group"), "applies only in a city of several groups (a [city] table)");
                0
            }
            (Some(_), true) if !in_group => {
                c.fail(key("group"), "a hospital outside every group (in_group = false) has no group");
                NO_GROUP
            }
            (Some(name), true) => match city.groups.iter().position(|g| &g.name == name) {
                Some(g) => g as u16,
                None => {
                    let names: Vec<String> = city.groups.iter().map(|g| format!("\"{}\"", g.name)).collect();
                    c.fail(
                        key("group"),
                        format!("no group \"{name}\" in city.groups (one of {})", names.join(", ")),
                    );
                    NO_GROUP
                }
            },
            (None, _) if !in_group => NO_GROUP,
            (None, false) => 0,
            (None, true) => {
                if tier.is_some_and(|t| t != Tier::Primary) {
                    c.fail(
                        key("group"),
                        "is required for a hospital in a city of several groups (a name in city.groups)",
                    );
                }
                NO_GROUP
            }
        };
        group_problem |= c.count() > before_group;
        for copy in 0..count {
            let name = if count == 1 { f.name.clone() } else { format!("{}-{}", f.name, copy + 1) };
            let index = out.len();
            file_of.push(i);
            if tier == Some(Tier::Primary) {
                weights.push((index, weight));
                links.push((index, i, f.member_hospitals.clone().unwrap_or_default(), copy));
            }
            out.push(FacilityParams {
                name,
                tier: tier.unwrap_or(Tier::Primary),
                in_scope: f.in_scope,
                in_group,
                group,
                quality: c.share(&key("quality"), f.quality),
                travel_minutes: c.real(&key("travel_minutes"), f.travel_minutes, 0.0, 1440.0),
                visit_price_yuan: c.real(&key("visit_price_yuan"), f.visit_price_yuan, 0.0, 1e6),
                bed_day_price_yuan: c.real(&key("bed_day_price_yuan"), f.bed_day_price_yuan, 0.0, 1e6),
                emergency_department: f.emergency_department,
                nonresident_emergency_visits_per_day: c.real(
                    &key("nonresident_emergency_visits_per_day"),
                    f.nonresident_emergency_visits_per_day,
                    0.0,
                    1e6,
                ),
                catchment_share: 0.0,
                member_hospital: None,
                clinics: clinics.clone(),
                wards: wards.clone(),
            });
        }
        broken.push(c.count() > before);
    }
    let whole = |j: usize| !broken[file_of[j]];
    for (j, f) in out.iter().enumerate() {
        if out[..j].iter().any(|o| o.name == f.name) {
            c.fail(
                "facilities",
                format!("facility name \"{}\" appears twice after expanding `count`", f.name),
            );
        }
        if f.nonresident_emergency_visits_per_day > 0.0 && !f.emergency_department {
            c.fail(
                format!("facilities[{}].nonresident_emergency_visits_per_day", file_of[j]),
                "must be 0 when emergency_department = false",
            );
        }
    }
    let outside =
        out.iter().filter(|f| !f.in_group && f.tier != Tier::Primary && !f.clinics.is_empty()).count();
    let most = crate::model::rules::choice::MAX_OUTSIDE_HOSPITALS;
    if outside > most {
        c.fail(
            "facilities",
            format!(
                "at most {most} hospitals outside the group with outpatient clinics (each is an option of every \
                 request), got {outside}"
            ),
        );
    }
    let total: f64 = weights.iter().map(|(_, w)| w).sum();
    // A weight refused above already counts as 0: do not report the sum as well.
    let weight_refused = files
        .iter()
        .any(|f| f.catchment_weight.is_some_and(|w| !(w.is_finite() && (0.0..=1e9).contains(&w))));
    if !weights.is_empty() && total <= 0.0 && !weight_refused {
        c.fail("facilities[*].catchment_weight", "primary catchment weights must not all be 0");
    }
    for &(index, w) in &weights {
        out[index].catchment_share = if total > 0.0 { w / total } else { 0.0 };
    }
    // CHC entries whose member hospitals' group was already reported (once per entry).
    let mut reported: Vec<usize> = Vec::new();
    // The group the first copy of each CHC entry without a `group` took.
    let mut links_groups: Vec<(usize, u16)> = Vec::new();
    for (index, file_index, members, copy) in links {
        let key = format!("facilities[{file_index}].member_hospitals");
        if members.is_empty() {
            c.fail(&key, "is required for a primary facility: names of member or lead hospitals");
            continue;
        }
        let wanted = &members[copy % members.len()];
        match out.iter().position(|f| &f.name == wanted && f.tier != Tier::Primary) {
            Some(m) if !out[m].in_group => {
                c.fail(&key, format!("\"{wanted}\" is outside the group (in_group = false)"))
            }
            Some(m) => {
                out[index].member_hospital = Some(m);
                let (mine, theirs) = (out[index].group, out[m].group);
                if files[file_index].group.is_none() {
                    // Copies of one entry take their groups from their member hospitals: they
                    // must all land in one group, or the entry needs a `group` of its own.
                    let first = links_groups.iter().find(|&&(fi, _)| fi == file_index).map(|&(_, g)| g);
                    match first {
                        Some(g) if g != theirs && city.several() && !reported.contains(&file_index) => {
                            reported.push(file_index);
                            group_problem = true;
                            c.fail(
                                &key,
                                "names member hospitals of different groups: give the entry a `group` (and one group's hospitals)",
                            );
                        }
                        Some(_) => {}
                        None => links_groups.push((file_index, theirs)),
                    }
                    out[index].group = theirs;
                } else if mine != theirs
                    && mine != NO_GROUP
                    && theirs != NO_GROUP
                    && !reported.contains(&file_index)
                {
                    reported.push(file_index);
                    group_problem = true;
                    c.fail(
                        &key,
                        format!(
                            "\"{wanted}\" is in group \"{}\", not in this CHC's group \"{}\"",
                            city.groups[theirs as usize].name, city.groups[mine as usize].name
                        ),
                    );
                }
            }
            None => c.fail(&key, format!("no member or lead hospital named \"{wanted}\"")),
        }
    }
    for (g, group) in city.groups.iter_mut().enumerate() {
        group.lead = out.iter().position(|f| f.tier == Tier::Lead && f.in_group && f.group == g as u16);
    }
    if residents > 0 && !conditions.is_empty() && !tier_unknown {
        if !out.iter().any(|f| f.tier == Tier::Primary) {
            c.fail("facilities", "a scenario with chronic patients needs at least one primary facility");
        }
        for (g, group) in city.groups.iter().enumerate() {
            let leads =
                out.iter().filter(|f| f.tier == Tier::Lead && f.in_group && f.group == g as u16).count();
            if leads == 1 || group_problem {
                continue;
            }
            if city.several() {
                c.fail(
                    "facilities",
                    format!("group \"{}\" needs exactly one lead hospital, got {leads}", group.name),
                );
            } else {
                c.fail(
                    "facilities",
                    format!("a scenario with chronic patients needs exactly one lead hospital in the group, got {leads}"),
                );
            }
        }
        for (j, f) in out.iter().enumerate().filter(|&(j, _)| whole(j)) {
            let (kind, what) = if f.tier == Tier::Primary {
                (ClinicKind::GeneralPractice, "a primary facility needs a \"general_practice\" clinic")
            } else {
                (ClinicKind::Specialist, "a hospital needs a \"specialist\" clinic")
            };
            if !f.clinics.iter().any(|k| k.kind == kind) {
                c.fail(format!("facilities[{}].clinics", file_of[j]), what);
            }
        }
        for (j, lead) in
            city.groups.iter().filter_map(|g| g.lead).map(|j| (j, &out[j])).filter(|&(j, _)| whole(j))
        {
            for kind in [WardKind::Medical, WardKind::Surgical] {
                if !lead.wards.iter().any(|w| w.kind == kind) {
                    c.fail(
                        format!("facilities[{}].wards", file_of[j]),
                        format!(
                            "the lead hospital needs a {} ward (kind = \"{}\")",
                            kind.name(),
                            kind.name()
                        ),
                    );
                }
            }
            if !lead.emergency_department {
                c.fail(
                    format!("facilities[{}].emergency_department", file_of[j]),
                    "the lead hospital needs one",
                );
            }
        }
    }
    if out.is_empty() {
        c.fail("facilities", "needs at least one facility");
    }
    if out.len() > 60_000 {
        c.fail("facilities", format!("at most 60000 facilities after expanding `count`, got {}", out.len()));
    }
    out
}

fn clinic(c: &mut Checker, key: &str, k: &ClinicFile) -> Option<ClinicParams> {
    let kind = c.choice(
        &format!("{key}.kind"),
        &k.kind,
        &[("general_practice", ClinicKind::GeneralPractice), ("specialist", ClinicKind::Specialist)],
    );
    let mut slots = [0u32; 7];
    let mut family_doctors = None;
    let mut signed_priority = false;
    match (&k.slots_per_weekday, &k.family_doctors) {
        (Some(_), Some(_)) => c.fail(
            format!("{key}.family_doctors"),
            "gives the slots of the clinic: leave out slots_per_weekday (or the family_doctors table)",
        ),
        (None, None) => c.fail(
            format!("{key}.slots_per_weekday"),
            "is required unless family_doctors gives the slots (7 numbers, Monday … Sunday)",
        ),
        (Some(days), None) => {
            if days.len() != 7 {
                c.fail(
                    format!("{key}.slots_per_weekday"),
                    format!("needs 7 numbers (Monday … Sunday), got {}", days.len()),
                );
            }
            for (d, &s) in days.iter().take(7).enumerate() {
                slots[d] = c.int(&format!("{key}.slots_per_weekday[{d}]"), s, 0, 1_000_000);
            }
        }
        (None, Some(t)) => {
            let k2 = format!("{key}.family_doctors");
            if kind.is_some() && kind != Some(ClinicKind::GeneralPractice) {
                c.fail(k2.clone(), "applies only to a general_practice clinic");
            }
            let doctors = c.positive(&format!("{k2}.doctors"), t.doctors, 100_000.0);
            let visits = c.positive(&format!("{k2}.visits_per_doctor_day"), t.visits_per_doctor_day, 1000.0);
            if t.opening_by_weekday.len() != 7 {
                c.fail(
                    format!("{k2}.opening_by_weekday"),
                    format!("needs 7 shares (Monday … Sunday), got {}", t.opening_by_weekday.len()),
                );
            }
            for (d, &o) in t.opening_by_weekday.iter().take(7).enumerate() {
                let o = c.share(&format!("{k2}.opening_by_weekday[{d}]"), o);
                slots[d] = (doctors * visits * o).round().min(1e6) as u32;
            }
            let panel_size = c.int(&format!("{k2}.panel_size"), t.panel_size, 1, 100_000);
            family_doctors = Some(FamilyDoctors { doctors, panel_size });
            signed_priority = t.signed_priority;
        }
    }
    let nonresident =
        c.real(&format!("{key}.nonresident_visits_per_day"), k.nonresident_visits_per_day, 0.0, 1e6);
    Some(ClinicParams {
        kind: kind?,
        slots_per_weekday: slots,
        nonresident_visits_per_day: nonresident,
        signed_priority,
        family_doctors,
    })
}

fn ward(c: &mut Checker, key: &str, w: &WardFile) -> Option<WardParams> {
    let kind = c.choice(&format!("{key}.kind"), &w.kind, &WardKind::ALL.map(|k| (k.name(), k)));
    c.name(&format!("{key}.name"), &w.name);
    let beds = c.int(&format!("{key}.beds"), w.beds, 1, 100_000);
    let mean = c.positive(&format!("{key}.mean_stay_days"), w.mean_stay_days, 3650.0);
    let stay = match (w.stay_law.as_str(), w.stay_cv) {
        ("exponential", None) => Some(StayLaw::Exponential { mean_days: mean }),
        ("exponential", Some(_)) => {
            c.fail(
                format!("{key}.stay_cv"),
                "applies only to stay_law = \"lognormal\" (exponential has cv 1)",
            );
            None
        }
        ("lognormal", Some(cv)) => {
            Some(StayLaw::LogNormal { mean_days: mean, cv: c.positive(&format!("{key}.stay_cv"), cv, 10.0) })
        }
        ("lognormal", None) => {
            c.fail(
                format!("{key}.stay_cv"),
                "is required with stay_law = \"lognormal\" (a number in (0, 10])",
            );
            None
        }
        (other, _) => {
            c.fail(
                format!("{key}.stay_law"),
                format!("must be one of \"exponential\", \"lognormal\", got \"{other}\""),
            );
            None
        }
    };
    let background =
        c.real(&format!("{key}.background_admissions_per_day"), w.background_admissions_per_day, 0.0, 1e6);
    let priority = c.choice(&format!("{key}.background_priority"), &w.background_priority, &PRIORITIES);
    let theatre = w.theatre.as_ref().and_then(|t| theatre(c, &format!("{key}.theatre"), t, mean));
    Some(WardParams {
        name: w.name.clone(),
        kind: kind?,
        beds,
        stay: stay?,
        background_admissions_per_day: background,
        background_priority: priority?,
        theatre,
        // Resolved by `transfers` once the facility's wards are known.
        transfer: None,
    })
}

const PRIORITIES: [(&str, Priority); 3] =
    [("emergency", Priority::Emergency), ("referred", Priority::Referred), ("elective", Priority::Elective)];

fn theatre(c: &mut Checker, key: &str, t: &TheatreFile, mean_stay: f64) -> Option<TheatreParams> {
    let before = c.count();
    if t.sessions_per_weekday.len() != 7 {
        c.fail(
            format!("{key}.sessions_per_weekday"),
            format!("needs 7 numbers (Monday … Sunday), got {}", t.sessions_per_weekday.len()),
        );
    }
    let mut sessions = [0u32; 7];
    for (d, &n) in t.sessions_per_weekday.iter().take(7).enumerate() {
        sessions[d] = c.int(&format!("{key}.sessions_per_weekday[{d}]"), n, 0, 10_000);
    }
    let preop = c.int(&format!("{key}.preop_days"), t.preop_days, 0, 30);
    if f64::from(preop) >= mean_stay {
        c.fail(
            format!("{key}.preop_days"),
            format!("must be below the ward's mean_stay_days ({mean_stay}), got {preop}"),
        );
    }
    let p = TheatreParams {
        sessions_per_weekday: sessions,
        cases_per_session: c.int(&format!("{key}.cases_per_session"), t.cases_per_session, 1, 100),
        emergency_cases_per_day: c.real(
            &format!("{key}.emergency_cases_per_day"),
            t.emergency_cases_per_day,
            0.0,
            1e5,
        ),
        cancellation_probability: c
            .share(&format!("{key}.cancellation_probability"), t.cancellation_probability),
        preop_days: preop,
        background_bookings_per_day: c.real(
            &format!("{key}.background_bookings_per_day"),
            t.background_bookings_per_day,
            0.0,
            1e5,
        ),
        wait_tolerance_days: t
            .wait_tolerance_days
            .map(|d| c.positive(&format!("{key}.wait_tolerance_days"), d, 3650.0)),
    };
    (c.count() == before).then_some(p)
}

/// Resolves each ward's `transfer` to a later ward of the same facility.
fn transfers(c: &mut Checker, key: &dyn Fn(&str) -> String, files: &[WardFile], wards: &mut [WardParams]) {
    if files.len() != wards.len() {
        return; // a ward had a problem of its own
    }
    for (j, w) in files.iter().enumerate() {
        let Some(t) = &w.transfer else { continue };
        let k = key(&format!("wards[{j}].transfer"));
        let share = c.share(&format!("{k}.share"), t.share);
        let priority =
            c.choice(&format!("{k}.priority"), t.priority.as_deref().unwrap_or("referred"), &PRIORITIES);
        let to = match files.iter().position(|o| o.name == t.to) {
            Some(i) if i > j => Some(i as u8),
            Some(_) => {
                c.fail(
                    format!("{k}.to"),
                    format!(
                        "\"{}\" must be listed after \"{}\" (a transfer goes on to a later ward)",
                        t.to, w.name
                    ),
                );
                None
            }
            None => {
                c.fail(format!("{k}.to"), format!("names no ward of this facility: \"{}\"", t.to));
                None
            }
        };
        if let (Some(to), Some(priority)) = (to, priority) {
            wards[j].transfer = Some(WardTransfer { to, share, priority });
        }
    }
}
