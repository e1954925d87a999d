//! Building a replication's world: facilities with their clinics and wards, the synthesised
//! population as patient entities with their first events, the resources the stages read, and
//! what the levers keep from the start (`crate::levers::build`).

use super::events::file_first_events;
use super::population::{Synth, expected_exits_per_day};
use super::record::Recorder;
use super::theatre::Theatre;
use super::*;
use crate::rng::{Purpose, name_key};

/// How much a price weighs in a choice at an option of `quality`: (quality ÷ the lead hospital's
/// quality) ^ `choice.price_quality_exponent`, at most 1 (1 with exponent 0).
pub fn price_weight(params: &Params, quality: f64) -> f64 {
    let k = params.choice.price_quality_exponent;
    let lead = params.lead_quality();
    if k > 0.0 && lead > 0.0 { (quality / lead).min(1.0).powf(k) } else { 1.0 }
}

/// Builds the world of `replication`, ready to run day 0.
pub fn build_world(params: Arc<Params>, replication: u32) -> World {
    let streams = Streams::new(params.seed, replication);
    let mut world = World::new();
    register_messages(&mut world);
    let days = params.run.total_days();

    let mut facilities = Vec::with_capacity(params.facilities.len());
    let mut ward_of_kind = Vec::with_capacity(params.facilities.len());
    for (i, f) in params.facilities.iter().enumerate() {
        let clinics: Vec<SlotBook> =
            f.clinics.iter().map(|c| SlotBook::new(c, params.care.booking_horizon_days)).collect();
        let wards: Vec<Ward> = f
            .wards
            .iter()
            .map(|w| Ward::new(w, streams.stream(Purpose::Ward, name_key(&format!("{}/{}", f.name, w.name)))))
            .collect();
        let theatres: Vec<Option<Theatre>> = f
            .wards
            .iter()
            .map(|w| {
                w.theatre.as_ref().map(|t| {
                    let key = name_key(&format!("{}/{}", f.name, w.name));
                    Theatre::new(t, w.stay.mean_days(), streams.stream(Purpose::Theatre, key))
                })
            })
            .collect();
        let mut kinds = [None; 4];
        for (j, w) in f.wards.iter().enumerate() {
            kinds[w.kind as usize].get_or_insert(j as u8);
        }
        ward_of_kind.push(kinds);
        let pending = vec![Vec::new(); wards.len()];
        let e = world
            .spawn((
                Facility { index: i as u16, tier: f.tier },
                Clinics(clinics),
                Wards { wards, pending, theatres },
            ))
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
        onset_bands: Vec::new(),
        next_patient_id: 0,
        policy: crate::model::policy::PolicyNow::new(&params),
        outside_hospitals: params
            .facilities
            .iter()
            .enumerate()
            .filter(|(_, f)| !f.in_group && f.tier != Tier::Primary && !f.clinics.is_empty())
            .map(|(i, _)| i as u16)
            .collect(),
        price_weight: params.facilities.iter().map(|f| price_weight(&params, f.quality)).collect(),
        lead_of: params
            .facilities
            .iter()
            .map(|f| params.lead_of_group(f.group).map_or(NO_FACILITY, |l| l as u16))
            .collect(),
        other_leads: (0..params.city.groups.len() as u16)
            .map(|g| {
                let others = params.city.nearest_others(g).into_iter();
                others.filter_map(|h| params.lead_of_group(h).map(|l| l as u16)).collect()
            })
            .collect(),
        extra_minutes: (0..params.city.groups.len() as u16)
            .flat_map(|g| params.facilities.iter().map(move |f| (g, f.group)))
            .map(|(g, to)| params.city.extra_minutes(g, to))
            .collect(),
        catchment: {
            let mut k = 0u16;
            params
                .facilities
                .iter()
                .map(|f| {
                    if f.tier == Tier::Primary {
                        k += 1;
                        k - 1
                    } else {
                        NO_CATCHMENT
                    }
                })
                .collect()
        },
    };
    let mut cal = Calendars {
        disease: DayCalendar::new(days),
        care: DayCalendar::new(days),
        visits: DayCalendar::new(days),
    };
    let mut census = Census::default();

    let synth = Synth::new(&params);
    let mut rng = streams.stream(Purpose::Population, 0);
    let mut exits_by_band = vec![0.0; params.population.age_bands.len()];
    let residents = params.population.residents;
    let primaries = params.facilities.iter().any(|f| f.tier == Tier::Primary);
    // Residents of each age band without a chronic condition: the strata of `Residents`.
    let mut non_chronic: Vec<f64> =
        params.population.age_bands.iter().map(|band| (f64::from(residents) * band.share).round()).collect();
    if !params.conditions.is_empty() && primaries {
        let mut patients = Vec::new();
        for (b, band) in params.population.age_bands.iter().enumerate() {
            let n = (f64::from(residents) * band.share).round() as u64;
            for _ in 0..n {
                if let Some(p) = synth.resident(&mut rng, b, model.next_patient_id) {
                    model.next_patient_id += 1;
                    exits_by_band[b] += expected_exits_per_day(&p, &params);
                    patients.push(p);
                    non_chronic[b] -= 1.0;
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
    model.onset_per_day = exits_by_band.iter().sum();
    model.onset_bands = exits_by_band
        .iter()
        .scan(0.0, |acc, x| {
            *acc += x / model.onset_per_day;
            Some(*acc)
        })
        .collect();
    world.insert_resource(Recorder::new(&params));
    if params.residents.present() && primaries {
        world.insert_resource(super::residents::Residents::new(&params, &non_chronic));
    }
    world.insert_resource(census);
    world.insert_resource(cal);
    world.insert_resource(model);
    crate::levers::build(&mut world, &params);
    world
}
