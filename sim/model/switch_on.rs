//! The system that switches levers on: on a lever's `start_day` it makes the lever's one-off
//! changes (slots moved to expert sessions or held for referrals, beds moved to shared wards,
//! stays scaled, patients signed), and every day it advances CHC learning. It runs at the start
//! of each day, after the appointment books have moved to today. Levers never switch off.

use super::census::sign;
use super::events::schedule_disease;
use super::policy::screen_rates;
use super::{Calendars, Census, Clinics, Model, Patient, Place, SIGNED, Wards};
use crate::params::*;
use crate::rng::{Purpose, name_key};
use crate::time::DAYS_PER_YEAR;
use bevy_ecs::prelude::*;
use rand::RngExt;

/// Switches on the levers whose day is today and advances CHC learning.
pub fn apply_policies(
    mut model: ResMut<Model>,
    mut census: ResMut<Census>,
    mut cal: ResMut<Calendars>,
    mut clinics: Query<&mut Clinics>,
    mut wards: Query<&mut Wards>,
    mut patients: Query<(Entity, &mut Patient)>,
) {
    let params = model.params.clone();
    let pol = &params.policy;
    let day = model.day.0;
    let on = |start: u32| start == day;
    let model = &mut *model;

    if let Some(l) = pol.gatekeeping.as_ref().filter(|l| on(l.start_day)) {
        model.policy.gatekeeping = Some(l.settings);
    }
    if let Some(l) = pol.referral_platform.as_ref().filter(|l| on(l.start_day)) {
        model.policy.referral_completion = l.settings.referral_completion;
        model.policy.friction_days = l.settings.friction_days;
    }
    if let Some(l) = pol.green_channel.as_ref().filter(|l| on(l.start_day)) {
        model.policy.green_channel = Some(l.settings);
    }
    if let Some(l) = pol.down_referral.as_ref().filter(|l| on(l.start_day)) {
        let m = model.policy.global_budget.map_or(1.0, |b| b.down_referral_multiplier);
        model.policy.down_referral_propensity = (l.settings * m).min(1.0);
    }
    if let Some(l) = pol.post_acute_transfer.as_ref().filter(|l| on(l.start_day)) {
        model.policy.post_acute_transfer_multiplier = l.settings;
    }
    if let Some(l) = pol.reimbursement.as_ref().filter(|l| on(l.start_day)) {
        model.policy.reimbursement = l.settings;
    }
    if let Some(l) = pol.capitation.as_ref().filter(|l| on(l.start_day)) {
        model.policy.capitation = Some(l.settings);
    }
    if let Some(l) = pol.global_budget.as_ref().filter(|l| on(l.start_day)) {
        let b = l.settings;
        model.policy.global_budget = Some(b);
        model.policy.down_referral_propensity =
            (model.policy.down_referral_propensity * b.down_referral_multiplier).min(1.0);
        model.policy.complex_admission_share =
            (model.policy.complex_admission_share * b.complex_admission_multiplier).min(1.0);
        for (f, fp) in params.facilities.iter().enumerate() {
            if fp.tier == Tier::Primary || !fp.in_group {
                continue;
            }
            let Ok(mut w) = wards.get_mut(model.facilities[f]) else { continue };
            for (ward, wp) in w.wards.iter_mut().zip(&fp.wards) {
                if wp.kind != WardKind::Shared {
                    ward.set_stay_scale(b.stay_multiplier);
                }
            }
        }
    }
    if let Some(l) = pol.per_diem.as_ref().filter(|l| on(l.start_day)) {
        model.policy.per_diem = true;
        for (f, fp) in params.facilities.iter().enumerate() {
            let Ok(mut w) = wards.get_mut(model.facilities[f]) else { continue };
            for (ward, wp) in w.wards.iter_mut().zip(&fp.wards) {
                if wp.kind != WardKind::Shared {
                    continue;
                }
                if let Some(cut) = l.settings.first_loss_day(fp.bed_day_price_yuan) {
                    let key = name_key(&format!("{}/{}", fp.name, wp.name));
                    ward.set_stay_cut(
                        cut,
                        l.settings.discharge_response,
                        model.streams.stream(Purpose::Policy, key),
                    );
                }
            }
        }
    }
    let lead = params.lead();
    if let (Some(l), Some(lead)) = (pol.expert_sessions.as_ref().filter(|l| on(l.start_day)), lead) {
        let e = l.settings;
        model.policy.expert_sessions = Some(e);
        sink_slots(model, &params, lead, &e, &mut clinics);
    }
    if let (Some(l), Some(lead)) = (pol.reserved_slots.as_ref().filter(|l| on(l.start_day)), lead) {
        // Held slots are a share of the lead's original specialist capacity.
        let original = params.facilities[lead]
            .clinics
            .iter()
            .find(|k| k.kind == ClinicKind::Specialist)
            .map_or([0; 7], |k| k.slots_per_weekday);
        let held = original.map(|s| (f64::from(s) * l.settings.share).round() as u32);
        if let Ok(mut c) = clinics.get_mut(model.facilities[lead])
            && let Some(book) = c.get_mut(ClinicKind::Specialist)
        {
            book.set_reserved(held, l.settings.release_days);
        }
    }
    if let (Some(l), Some(lead)) = (pol.bed_sinking.as_ref().filter(|l| on(l.start_day)), lead) {
        model.policy.bed_sinking = Some(l.settings);
        sink_beds(model, &params, lead, &l.settings, &mut wards);
    }
    if let Some(l) = pol.signing.as_ref().filter(|l| on(l.start_day)) {
        // Each unsigned patient signs with the probability that lifts the signed share from
        // the scenario's rate to the drive's, drawn from the patient's own policy stream.
        let base = params.population.signing_rate;
        let p = if base < 1.0 { (l.settings - base) / (1.0 - base) } else { 0.0 };
        for (_, mut patient) in &mut patients {
            if patient.has(SIGNED) {
                continue;
            }
            let u: f64 = model.streams.patient(Purpose::Policy, patient.id, 0).random();
            if u < p {
                sign(&mut patient, &mut census);
            }
        }
    }
    // Screening campaigns that start today, or a health-check drive, change every eligible
    // patient's hazards: re-file the disease clocks of patients whose clock runs.
    let campaign_starts = day > 0 && params.screening.campaigns.iter().any(|k| k.start_day == day);
    let drive = pol.health_checks.as_ref().filter(|l| on(l.start_day));
    if let Some(l) = drive {
        model.policy.check_rate_per_day = l.settings;
    }
    if campaign_starts || drive.is_some() {
        model.policy.screen_rate = screen_rates(&params, day);
        let now = model.day.start();
        for (entity, mut patient) in &mut patients {
            if matches!(patient.place, Place::Home | Place::Booked) {
                schedule_disease(&mut patient, entity, now, model, &mut cal);
            }
        }
    }

    let chcs: Vec<usize> = params
        .facilities
        .iter()
        .enumerate()
        .filter(|(_, f)| f.tier == Tier::Primary)
        .map(|(i, _)| i)
        .collect();
    let mut next = 0usize;
    for l in &pol.expert_studios {
        // Studios are assigned to CHCs in turn, batch after batch.
        for _ in 0..l.settings {
            if on(l.start_day) && !chcs.is_empty() {
                model.policy.studios[chcs[next % chcs.len()]] += 1;
            }
            next += 1;
        }
    }

    // Learning: each CHC closes the gap to its cap at a speed set by the experts it hosts.
    if let Some(learn) = pol.capability_learning {
        let sessions = f64::from(u8::from(model.policy.expert_sessions.is_some()));
        for &f in &chcs {
            let speed = learn.learning_rate_per_year * (sessions + f64::from(model.policy.studios[f]));
            if speed > 0.0 {
                let g = &mut model.policy.learning[f];
                *g += (1.0 - (-speed / DAYS_PER_YEAR).exp()) * (learn.capability_cap - *g);
            }
        }
    }
}

/// Moves `slot_share` of the lead's weekly specialist slots to expert sessions, spread evenly
/// over the CHCs and the session weekdays (whole slots; the remainder goes to the first CHCs and
/// days).
fn sink_slots(
    model: &Model,
    params: &Params,
    lead: usize,
    e: &ExpertSessions,
    clinics: &mut Query<&mut Clinics>,
) {
    let Ok(mut c) = clinics.get_mut(model.facilities[lead]) else { return };
    let Some(book) = c.get_mut(ClinicKind::Specialist) else { return };
    let before = book.slots_per_weekday();
    let after = before.map(|s| (f64::from(s) * (1.0 - e.slot_share)).round() as u32);
    let moved: u32 = before.iter().sum::<u32>() - after.iter().sum::<u32>();
    book.set_capacity(after);
    // The background patients of the moved slots follow them to the sessions.
    let background = book.background_per_day;
    let moved_background = background * e.slot_share;
    book.set_background(background - moved_background);
    let chcs: Vec<usize> = params
        .facilities
        .iter()
        .enumerate()
        .filter(|(_, f)| f.tier == Tier::Primary)
        .map(|(i, _)| i)
        .collect();
    let days: Vec<usize> = (0..7).filter(|&d| e.weekdays[d]).collect();
    let cells = (chcs.len() * days.len()) as u32;
    if cells == 0 {
        return;
    }
    for (k, &f) in chcs.iter().enumerate() {
        let mut slots = [0u32; 7];
        for (j, &d) in days.iter().enumerate() {
            let cell = (k * days.len() + j) as u32;
            slots[d] = moved / cells + u32::from(cell < moved % cells);
        }
        if let Ok(mut c) = clinics.get_mut(model.facilities[f])
            && let Some(book) = c.get_mut(ClinicKind::ExpertSession)
        {
            book.set_capacity(slots);
            book.set_background(moved_background / chcs.len() as f64);
        }
    }
}

/// Moves `bed_share` of the lead's medical and surgical beds to the group's member hospitals'
/// shared wards (evenly), with `routed_share` of the lead's non-emergency background
/// admissions. The beds are taken from the lead's wards in proportion to their non-emergency
/// background workload (rate × mean stay; in proportion to beds if there is none), where the
/// step-down demand that follows them comes from. The shared wards' background rate rises by the moved bed-days divided by their
/// own mean stay, so the moved workload in bed-days is what the lead sheds.
fn sink_beds(model: &Model, params: &Params, lead: usize, b: &BedSinking, wards: &mut Query<&mut Wards>) {
    let now = f64::from(model.day.0);
    let mut moved_beds = 0u32;
    // Moved background workload, in bed-days per day.
    let mut moved_load = 0.0;
    if let Ok(mut w) = wards.get_mut(model.facilities[lead]) {
        let lead_wards = &params.facilities[lead].wards;
        let eligible = |wp: &WardParams| wp.kind != WardKind::Shared;
        let workload = |wp: &WardParams| {
            if wp.background_priority == Priority::Emergency {
                0.0
            } else {
                wp.background_admissions_per_day * wp.stay.mean_days()
            }
        };
        let total_beds: u32 =
            w.wards.iter().zip(lead_wards).filter(|(_, wp)| eligible(wp)).map(|(x, _)| x.beds).sum();
        let total_load: f64 = lead_wards.iter().filter(|wp| eligible(wp)).map(workload).sum();
        let to_move = (f64::from(total_beds) * b.bed_share).round();
        let mut moved_so_far = 0.0;
        let mut weight_so_far = 0.0;
        for (ward, wp) in w.wards.iter_mut().zip(lead_wards) {
            if !eligible(wp) {
                continue;
            }
            // Cumulative rounding: the wards' shares add up to exactly `to_move`.
            weight_so_far += if total_load > 0.0 {
                workload(wp) / total_load
            } else {
                f64::from(ward.beds) / f64::from(total_beds.max(1))
            };
            let moved = ((to_move * weight_so_far).round() - moved_so_far).clamp(0.0, f64::from(ward.beds));
            moved_so_far += moved;
            let moved = moved as u32;
            moved_beds += moved;
            ward.set_beds(ward.beds - moved);
            if wp.background_priority != Priority::Emergency {
                let rate = ward.background_rate();
                moved_load += rate * b.routed_share * wp.stay.mean_days();
                ward.set_background_rate(rate * (1.0 - b.routed_share), now);
            }
        }
    }
    let shared: Vec<(usize, usize)> = params
        .facilities
        .iter()
        .enumerate()
        .filter(|(_, f)| f.tier == Tier::Member && f.in_group)
        .filter_map(|(i, f)| f.wards.iter().position(|w| w.kind == WardKind::Shared).map(|j| (i, j)))
        .collect();
    let n = shared.len() as u32;
    for (k, &(f, j)) in shared.iter().enumerate() {
        let Ok(mut w) = wards.get_mut(model.facilities[f]) else { continue };
        let ward = &mut w.wards[j];
        let beds = moved_beds / n + u32::from((k as u32) < moved_beds % n);
        ward.set_beds(ward.beds + beds);
        let stay = params.facilities[f].wards[j].stay.mean_days();
        let rate = ward.background_rate() + moved_load / stay / f64::from(n);
        ward.set_background_rate(rate, now);
    }
}
