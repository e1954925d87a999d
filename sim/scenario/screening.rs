//! Validation of the `[screening]` table: annual health checks and screening campaigns.

use super::file::ScreeningFile;
use crate::levers::common::{Context, start_day};
use crate::levers::health_checks::check_rate;
use crate::params::{Campaign, ConditionParams, PopulationParams, ScreeningParams};
use crate::time::DAYS_PER_YEAR;
use analysis::problem::Checker;

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
        c.name(&format!("{ck}.name"), &k.name);
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
