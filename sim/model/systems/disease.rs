//! Disease: control transitions, acute events, elective needs, deaths, and new patients.
//!
//! Reads the disease calendar; writes `AcuteEvent` (to outpatient, which runs the emergency
//! department) and `CareRequest` (elective needs, to choice); changes `Patient`; spawns and
//! despawns patients. A patient's competing hazards (per condition: loss of control, acute
//! event, elective need; plus death) are summed, the time to the next event is exponential with
//! that sum, and the event's kind is drawn in proportion to its hazard when it fires. Loss of
//! control is faster for a patient outside chronic-disease management and acute events are more
//! likely when a condition is uncontrolled or undiagnosed. A loss of control brings the patient
//! in only when it is symptomatic; an acute event makes an undiagnosed condition known with
//! `acute_diagnosis_share`. New chronic patients enter at the cohort's initial expected exit
//! rate, undiagnosed, in the age bands of those exits, so the cohort's size and age mix stay
//! stable over long runs.

use crate::model::census::{count_death, enrol, set_uncontrolled, unenrol};
use crate::model::events::{
    cancel_disease_events, file_first_events, is_pending_disease, schedule_disease, schedule_symptomatic,
};
use crate::model::population::Synth;
use crate::model::record::Recorder;
use crate::model::rules::disease::{Transition, pick};
use crate::model::*;
use crate::rng::Purpose;
use crate::time::DayFraction;
use rand::RngExt;
use rand_distr::{Distribution, Poisson};

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
        if !is_pending_disease(&p, &e) {
            continue;
        }
        let t = DayFraction(e.data).on(day);
        let mut rng = model.streams.patient(Purpose::Disease, p.id, p.disease_draws);
        p.disease_draws += 1;
        let u: f64 = rng.random();
        match pick(&p, &params, &model.policy, u) {
            Transition::Death => {
                count_death(&p, &mut census);
                rec.count(|k| k.deaths += 1);
                commands.entity(e.patient).despawn();
                continue;
            }
            Transition::LoseControl(c) => {
                let mask = p.uncontrolled | 1 << c;
                set_uncontrolled(&mut p, mask, &mut census);
                // A silent loss waits for the next scheduled visit; a symptomatic one brings the
                // patient in.
                let symptomatic = rng.random::<f64>() < params.conditions[c as usize].symptomatic_loss_share;
                if symptomatic && p.diagnosed & (1 << c) != 0 && p.place == Place::Home {
                    schedule_symptomatic(&mut p, e.patient, t, &model, &mut cal);
                }
            }
            Transition::Acute(c) => {
                rec.count(|k| k.acute_events += 1);
                let k = &params.conditions[c as usize];
                let v: f64 = rng.random();
                if v < k.acute_case_fatality {
                    count_death(&p, &mut census);
                    rec.count(|k| k.deaths += 1);
                    commands.entity(e.patient).despawn();
                    continue;
                }
                if p.diagnosed & (1 << c) == 0 && rng.random::<f64>() < k.acute_diagnosis_share {
                    p.diagnosed |= 1 << c;
                }
                // The emergency department decides what happens next; the disease clock
                // pauses until then.
                cancel_disease_events(&mut p);
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
            Transition::LeaveManagement => unenrol(&mut p, &mut census),
            Transition::HealthCheck => {
                let s = &params.screening;
                p.flags |= CHECKED;
                let mut found = 0u16;
                for (c, k) in params.conditions.iter().enumerate() {
                    let bit = 1u16 << c;
                    if p.conditions & bit != 0
                        && p.diagnosed & bit == 0
                        && rng.random::<f64>() < k.check_detection.unwrap_or(s.check_detection)
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
            let Some(mut p) = synth.newcomer(&mut rng, &model.onset_bands, id) else { break };
            model.next_patient_id += 1;
            let entity = commands.spawn_empty().id();
            file_first_events(&mut p, entity, &model, &mut cal, &mut census, false);
            commands.entity(entity).insert(p);
            rec.count(|k| k.onsets += 1);
        }
    }
}
