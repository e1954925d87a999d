//! Building a replication's world: facilities, the synthesised population, and the first events.
//!
//! Residents are drawn band by band: sex, a gamma frailty shared by the person's conditions
//! (mean 1, variance `frailty_variance`; it induces multimorbidity), and each condition with
//! probability min(1, prevalence × frailty). Residents with at least one condition become agents;
//! the others exist only as background demand. All draws come from the replication's population
//! stream, so the same seed gives the same people whatever the policy levers.

use super::*;
use crate::params::{AgeBand, ClinicParams, ConditionParams, PopulationParams};
use crate::rng::{Rng, name_key};
use rand_distr::Gamma;

/// Builds the world of `replication`, ready to run day 0.
pub fn build_world(params: Arc<Params>, replication: u32) -> World {
    let streams = Streams::new(params.seed, replication);
    let mut world = World::new();
    register_messages(&mut world);
    let days = params.run.total_days();

    let mut facilities = Vec::with_capacity(params.facilities.len());
    let mut ward_of_kind = Vec::with_capacity(params.facilities.len());
    for (i, f) in params.facilities.iter().enumerate() {
        let mut clinics: Vec<SlotBook> =
            f.clinics.iter().map(|c| SlotBook::new(c, params.care.booking_horizon_days)).collect();
        if f.tier == Tier::Primary && params.policy.expert_sessions.is_some() {
            // Empty until `policy.expert_sessions` switches on.
            let empty = ClinicParams {
                kind: ClinicKind::ExpertSession,
                slots_per_weekday: [0; 7],
                background_visits_per_day: 0.0,
            };
            clinics.push(SlotBook::new(&empty, params.care.booking_horizon_days));
        }
        let wards: Vec<Ward> = f
            .wards
            .iter()
            .map(|w| Ward::new(w, streams.stream(Purpose::Ward, name_key(&format!("{}/{}", f.name, w.name)))))
            .collect();
        let mut kinds = [None; 3];
        for (j, w) in f.wards.iter().enumerate() {
            kinds[w.kind as usize].get_or_insert(j as u8);
        }
        ward_of_kind.push(kinds);
        let pending = vec![Vec::new(); wards.len()];
        let e = world
            .spawn((Facility { index: i as u16, tier: f.tier }, Clinics(clinics), Wards { wards, pending }))
            .id();
        facilities.push(e);
    }

    let mut model = Model {
        params: params.clone(),
        streams,
        replication,
        day: Day(0),
        facilities,
        ward_of_kind,
        onset_per_day: 0.0,
        next_patient_id: 0,
        policy: crate::model::policy::PolicyNow::new(&params),
    };
    let mut cal = Calendars {
        disease: DayCalendar::new(days),
        care: DayCalendar::new(days),
        visits: DayCalendar::new(days),
    };
    let mut census = Census::default();

    let synth = Synth::new(&params);
    let mut rng = streams.stream(Purpose::Population, 0);
    let mut exits_per_day = 0.0;
    let residents = params.population.residents;
    let primaries = params.facilities.iter().any(|f| f.tier == Tier::Primary);
    if !params.conditions.is_empty() && primaries {
        let mut patients = Vec::new();
        for (b, band) in params.population.age_bands.iter().enumerate() {
            let n = (f64::from(residents) * band.share).round() as u64;
            for _ in 0..n {
                if let Some(p) = synth.resident(&mut rng, b, model.next_patient_id) {
                    model.next_patient_id += 1;
                    exits_per_day += expected_exits_per_day(&p, &params);
                    patients.push(p);
                }
            }
        }
        // One batch, so that the ECS tables are sized once instead of grown by doubling.
        let entities: Vec<Entity> = world.spawn_batch(patients).collect();
        for e in entities {
            let mut p = world.get_mut::<Patient>(e).expect("just spawned");
            file_first_events(&mut p, e, &model, &mut cal, &mut census, true);
        }
    }
    model.onset_per_day = exits_per_day;
    world.insert_resource(Recorder::new(&params));
    world.insert_resource(census);
    world.insert_resource(cal);
    world.insert_resource(model);
    world
}

/// Files the disease clock and first care need of a patient entering the cohort and counts it.
pub fn file_first_events(
    p: &mut Patient,
    entity: Entity,
    model: &Model,
    cal: &mut Calendars,
    census: &mut Census,
    initial: bool,
) {
    census.alive += 1;
    census.spawned += 1;
    if p.has(SIGNED) {
        census.signed += 1;
    }
    if p.uncontrolled != 0 {
        census.uncontrolled += 1;
    }
    if p.has(ENROLLED) {
        census.enrolled += 1;
    }
    let now = if initial { SimTime(0.0) } else { model.day.start() };
    schedule_disease(p, entity, now, model, cal);
    if p.diagnosed != 0 {
        let care = &model.params.care;
        let interval = if p.has(ENROLLED) {
            care.enrolled_followup_interval_days
        } else {
            care.unenrolled_followup_interval_days
        };
        let u: f64 = care_rng(p, model).random();
        let first = if initial { u * interval } else { u * care.symptom_delay_days * 2.0 };
        schedule_care(p, entity, model.day.plus(first as u32), care_kind::ROUTINE, cal);
    }
}

/// Expected exits (deaths, including acute deaths) per day of a patient in its current state.
pub fn expected_exits_per_day(p: &Patient, params: &Params) -> f64 {
    let mut h = params.population.age_bands[p.age_band as usize].mortality_per_day;
    for (c, k) in params.conditions.iter().enumerate() {
        if p.conditions & (1 << c) != 0 {
            let acute = if p.uncontrolled & (1 << c) != 0 {
                k.acute_events_per_day * k.uncontrolled_acute_multiplier
            } else {
                k.acute_events_per_day
            };
            h += k.excess_mortality_per_day + acute * k.acute_case_fatality;
        }
    }
    h
}

/// Draws residents and their conditions.
pub struct Synth<'a> {
    population: &'a PopulationParams,
    conditions: &'a [ConditionParams],
    frailty: Option<Gamma<f64>>,
    bypass_sd: f64,
    /// Cumulative catchment shares of primary facilities, with their facility indices.
    catchments: Vec<(f64, u16)>,
}

impl<'a> Synth<'a> {
    pub fn new(params: &'a Params) -> Synth<'a> {
        let v = params.population.frailty_variance;
        let mut acc = 0.0;
        let catchments = params
            .facilities
            .iter()
            .enumerate()
            .filter(|(_, f)| f.tier == Tier::Primary)
            .map(|(i, f)| {
                acc += f.catchment_share;
                (acc, i as u16)
            })
            .collect();
        Synth {
            population: &params.population,
            conditions: &params.conditions,
            frailty: (v > 0.0).then(|| Gamma::new(1.0 / v, v).expect("validated frailty variance")),
            bypass_sd: params.choice.bypass_sd,
            catchments,
        }
    }

    /// Draws one resident of age band `b`; returns the patient if they have a chronic condition.
    pub fn resident(&self, rng: &mut Rng, b: usize, id: u32) -> Option<Patient> {
        let band: &AgeBand = &self.population.age_bands[b];
        let male = rng.random::<f64>() < band.male_share;
        let frailty = self.frailty.map_or(1.0, |g| g.sample(rng));
        let mut conditions = 0u16;
        for (c, k) in self.conditions.iter().enumerate() {
            let p = k.prevalence_by_age_band[b] * frailty;
            if (!k.male_only || male) && rng.random::<f64>() < p {
                conditions |= 1 << c;
            }
        }
        if conditions == 0 {
            return None;
        }
        let mut diagnosed = 0u16;
        let mut uncontrolled = 0u16;
        let mut enrol_share: f64 = 0.0;
        for (c, k) in self.conditions.iter().enumerate() {
            if conditions & (1 << c) == 0 {
                continue;
            }
            if rng.random::<f64>() < k.diagnosed_share {
                diagnosed |= 1 << c;
                enrol_share = enrol_share.max(k.enrolled_share_of_diagnosed);
                if rng.random::<f64>() >= k.controlled_share_of_diagnosed {
                    uncontrolled |= 1 << c;
                }
            } else {
                uncontrolled |= 1 << c;
            }
        }
        let mut flags = 0;
        if male {
            flags |= MALE;
        }
        if rng.random::<f64>() < self.population.signing_rate {
            flags |= SIGNED;
        }
        if rng.random::<f64>() < self.population.employee_scheme_share {
            flags |= EMPLOYEE;
        }
        if diagnosed != 0 && rng.random::<f64>() < enrol_share {
            flags |= ENROLLED;
        }
        let u: f64 = rng.random();
        let home =
            self.catchments.iter().find(|(acc, _)| u < *acc).or(self.catchments.last()).map_or(0, |c| c.1);
        Some(Patient {
            id,
            disease_draws: 0,
            care_draws: 0,
            bypass: (self.bypass_sd * rng.sample::<f64, _>(rand_distr::StandardNormal)) as f32,
            // Initial trust in the home CHC: uniform on [0.25, 0.75] (an assumption; it then
            // moves with each CHC visit's outcome).
            trust: (0.25 + 0.5 * rng.random::<f64>()) as f32,
            conditions,
            diagnosed,
            uncontrolled,
            home,
            last_facility: NO_FACILITY,
            complex_until: 0,
            disease_epoch: 0,
            care_epoch: 0,
            age_band: b as u8,
            flags,
            place: Place::Home,
            followups: 0,
        })
    }

    /// Draws a new chronic patient: a resident drawn by age band share until one has a
    /// condition (at most 10,000 tries, for populations where conditions are very rare).
    pub fn newcomer(&self, rng: &mut Rng, id: u32) -> Option<Patient> {
        for _ in 0..10_000 {
            let u: f64 = rng.random();
            let mut acc = 0.0;
            let mut band = self.population.age_bands.len() - 1;
            for (b, a) in self.population.age_bands.iter().enumerate() {
                acc += a.share;
                if u < acc {
                    band = b;
                    break;
                }
            }
            if let Some(p) = self.resident(rng, band, id) {
                return Some(p);
            }
        }
        None
    }
}
