//! Disease: control transitions, acute events, elective needs, deaths, and new patients.
//!
//! Reads the disease calendar; writes `AcuteEvent` (to outpatient, which runs the emergency
//! department) and `CareRequest` (elective needs, to choice); changes `Patient`; spawns and
//! despawns patients. A patient's competing hazards (per condition: loss of control, acute
//! event, elective need; plus death) are summed, the time to the next event is exponential with
//! that sum, and the event's kind is drawn in proportion to its hazard when it fires. Loss of
//! control is faster for a patient outside chronic-disease management and acute events are more
//! likely when a condition is uncontrolled or undiagnosed. New chronic patients enter at the
//! cohort's initial expected exit rate, so the cohort stays stable over long runs.

use crate::model::policy::PolicyNow;
use crate::model::population::{Synth, file_first_events};
use crate::model::record::Recorder;
use crate::model::*;
use crate::params::Params;
use rand_distr::Poisson;

/// What a disease event turns out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transition {
    LoseControl(u8),
    Acute(u8),
    Elective(u8),
    /// A screening campaign finds an undiagnosed condition.
    Screened(u8),
    /// An annual health check at the CHC.
    HealthCheck,
    Death,
}

fn hazards(p: &Patient, params: &Params, now: &PolicyNow, mut visit: impl FnMut(f64, Transition) -> bool) {
    let managed = p.has(ENROLLED);
    let band = p.age_band as usize;
    if band >= params.screening.check_min_band
        && now.check_rate_per_day > 0.0
        && visit(now.check_rate_per_day, Transition::HealthCheck)
    {
        return;
    }
    for (c, k) in params.conditions.iter().enumerate() {
        let bit = 1u16 << c;
        if p.conditions & bit == 0 {
            continue;
        }
        let c8 = c as u8;
        let controlled = p.uncontrolled & bit == 0;
        if controlled {
            let loss = if managed {
                k.loss_of_control_per_day
            } else {
                k.loss_of_control_per_day * k.unmanaged_loss_multiplier
            };
            if visit(loss, Transition::LoseControl(c8)) {
                return;
            }
        }
        let acute = if controlled {
            k.acute_events_per_day
        } else {
            k.acute_events_per_day * k.uncontrolled_acute_multiplier
        };
        if visit(acute, Transition::Acute(c8)) {
            return;
        }
        if p.diagnosed & bit != 0 && visit(k.elective_procedures_per_day, Transition::Elective(c8)) {
            return;
        }
        if p.diagnosed & bit == 0 {
            let screen = now.screen_rate.get(band).map_or(0.0, |r| r[c]);
            if screen > 0.0 && visit(screen, Transition::Screened(c8)) {
                return;
            }
        }
    }
    let death = params.population.age_bands[p.age_band as usize].mortality_per_day
        + params
            .conditions
            .iter()
            .enumerate()
            .filter(|(c, _)| p.conditions & (1 << c) != 0)
            .map(|(_, k)| k.excess_mortality_per_day)
            .sum::<f64>();
    visit(death, Transition::Death);
}

/// Sum of the patient's hazards, per day.
pub fn total_hazard(p: &Patient, params: &Params, now: &PolicyNow) -> f64 {
    let mut total = 0.0;
    hazards(p, params, now, |h, _| {
        total += h;
        false
    });
    total
}

/// The transition whose share of the total hazard contains `u` ∈ [0, 1).
pub fn pick(p: &Patient, params: &Params, now: &PolicyNow, u: f64) -> Transition {
    let target = u * total_hazard(p, params, now);
    let mut acc = 0.0;
    let mut chosen = Transition::Death;
    hazards(p, params, now, |h, t| {
        acc += h;
        if target < acc && h > 0.0 {
            chosen = t;
            true
        } else {
            false
        }
    });
    chosen
}

/// Marks `found` as diagnosed after a check or a screening, enrols the patient with
/// `screening.enrolment_on_diagnosis`, and files a visit for the newly known, untreated
/// conditions.
#[allow(clippy::too_many_arguments)] // the patient, what was found, and the state a diagnosis touches
fn diagnose(
    p: &mut Patient,
    entity: Entity,
    found: u16,
    t: SimTime,
    rng: &mut crate::rng::Rng,
    model: &Model,
    cal: &mut Calendars,
    census: &mut Census,
) {
    p.diagnosed |= found;
    if rng.random::<f64>() < model.params.screening.enrolment_on_diagnosis {
        enrol(p, census);
    }
    if p.place == Place::Home {
        schedule_symptomatic(p, entity, t, model, cal);
    }
}

/// Removes a patient from the cohort's counts (the caller despawns it).
pub fn count_death(p: &Patient, census: &mut Census, rec: &mut Recorder) {
    census.alive -= 1;
    census.died += 1;
    if p.has(SIGNED) {
        census.signed -= 1;
    }
    if p.uncontrolled != 0 {
        census.uncontrolled -= 1;
    }
    if p.has(ENROLLED) {
        census.enrolled -= 1;
    }
    rec.count(|c| c.deaths += 1);
}

#[allow(clippy::too_many_arguments)] // one parameter per resource and message stream this stage uses
pub fn disease(
    mut model: ResMut<Model>,
    mut cal: ResMut<Calendars>,
    mut census: ResMut<Census>,
    mut rec: ResMut<Recorder>,
    mut patients: Query<&mut Patient>,
    mut commands: Commands,
    mut acute: MessageWriter<AcuteEvent>,
    mut requests: MessageWriter<CareRequest>,
) {
    let day = model.day;
    let params = model.params.clone();
    for e in cal.disease.take(day) {
        let Ok(mut p) = patients.get_mut(e.patient) else { continue };
        if p.disease_epoch != e.epoch {
            continue;
        }
        let t = DayFraction(e.data).on(day);
        let mut rng = model.streams.patient(Purpose::Disease, p.id, p.disease_draws);
        p.disease_draws += 1;
        let u: f64 = rng.random();
        match pick(&p, &params, &model.policy, u) {
            Transition::Death => {
                count_death(&p, &mut census, &mut rec);
                commands.entity(e.patient).despawn();
                continue;
            }
            Transition::LoseControl(c) => {
                let mask = p.uncontrolled | 1 << c;
                set_uncontrolled(&mut p, mask, &mut census);
                if p.diagnosed & (1 << c) != 0 && p.place == Place::Home {
                    schedule_symptomatic(&mut p, e.patient, t, &model, &mut cal);
                }
            }
            Transition::Acute(c) => {
                rec.count(|k| k.acute_events += 1);
                p.diagnosed |= 1 << c;
                let v: f64 = rng.random();
                if v < params.conditions[c as usize].acute_case_fatality {
                    count_death(&p, &mut census, &mut rec);
                    commands.entity(e.patient).despawn();
                    continue;
                }
                // The emergency department decides what happens next; the disease clock
                // pauses until then.
                p.disease_epoch = p.disease_epoch.wrapping_add(1);
                acute.write(AcuteEvent { patient: e.patient, condition: c, time: t });
                continue;
            }
            Transition::Elective(c) => {
                if p.place == Place::Home {
                    requests.write(CareRequest { patient: e.patient, need: Need::Elective, condition: c });
                }
            }
            Transition::Screened(c) => {
                let band = p.age_band as usize;
                let campaign =
                    params.screening.campaigns.iter().position(|k| {
                        k.condition == c as usize && k.start_day <= day.0 && k.min_band <= band
                    });
                rec.count(|k| {
                    if let Some(i) = campaign {
                        k.campaign_found[i] += 1;
                    }
                });
                diagnose(&mut p, e.patient, 1 << c, t, &mut rng, &model, &mut cal, &mut census);
            }
            Transition::HealthCheck => {
                let s = &params.screening;
                p.flags |= CHECKED;
                let mut found = 0u16;
                for c in 0..params.conditions.len() {
                    let bit = 1u16 << c;
                    if p.conditions & bit != 0
                        && p.diagnosed & bit == 0
                        && rng.random::<f64>() < s.check_detection
                    {
                        found |= bit;
                    }
                }
                rec.count(|k| {
                    k.health_checks += 1;
                    k.check_found += u64::from(found.count_ones());
                });
                if found != 0 {
                    diagnose(&mut p, e.patient, found, t, &mut rng, &model, &mut cal, &mut census);
                }
            }
        }
        schedule_disease(&mut p, e.patient, t, &model, &mut cal);
    }

    // New chronic patients.
    if model.onset_per_day > 0.0 {
        let mut rng = model.streams.stream(Purpose::Onset, u64::from(day.0));
        let n = Poisson::new(model.onset_per_day).expect("positive rate").sample(&mut rng) as u64;
        let synth = Synth::new(&params);
        for _ in 0..n {
            let id = model.next_patient_id;
            let Some(mut p) = synth.newcomer(&mut rng, id) else { break };
            model.next_patient_id += 1;
            let entity = commands.spawn_empty().id();
            file_first_events(&mut p, entity, &model, &mut cal, &mut census, false);
            commands.entity(entity).insert(p);
            rec.count(|k| k.onsets += 1);
        }
    }
}
