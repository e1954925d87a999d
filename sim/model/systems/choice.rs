//! Choice: each request picks a facility by multinomial logit.
//!
//! Reads `CareRequest`; writes `BookingRequest` (to outpatient). The options are the patient's
//! home CHC, its expert clinic (where expert sessions or a studio opened one and the request is not
//! routine), the member hospital serving that catchment, and the lead hospital (not under strict
//! gatekeeping, unless referred). The utility of option j for patient i with a request of
//! severity s is
//!
//! ```text
//! U_ij = q_s·quality_j + β_cost·OOP_ij/100 + β_wait·published_wait_j + β_travel·travel_j/10
//!        + [j = home CHC]·(β_signed·signed_i + β_trust·trust_i + learning trust_j − bypass_i)
//!        + [j = expert session]·β_signed·signed_i
//!        + [j = last facility]·β_continuity
//! ```
//!
//! and the choice probability is the logit share exp(U_ij) / Σ_k exp(U_ik). An expert session
//! has the lead hospital's quality, the CHC's travel time, and the session price reimbursed at
//! the primary rate. Out-of-pocket cost uses the rates in force, with the gatekeeping penalty on
//! a self-referred hospital visit; under capitation signed patients get `signed_bonus_gain` more.

use crate::levers::InForce;
use crate::model::events::care_rng;
use crate::model::record::Recorder;
use crate::model::residents::{COMPLEX, Request, Residents, SYMPTOMATIC, channel, clinic_slot};
use crate::model::rules::choice::{Chooser, Opt, options, pick, published_wait, refresh_residents};
use crate::model::systems::outpatient::poisson;
use crate::model::*;
use crate::rng::{Purpose, hash_words};
use rand::RngExt;
use rand_distr::{Binomial, Distribution};

pub fn choice(
    model: Res<Model>,
    levers: InForce,
    mut reader: MessageReader<CareRequest>,
    mut patients: Query<&mut Patient>,
    clinics: Query<&Clinics>,
    mut out: MessageWriter<BookingRequest>,
) {
    let wait = |o: Opt| published_wait(o, clinics.get(model.facilities[o.facility as usize]).ok());
    let now = levers.now();
    for r in reader.read() {
        let Ok(mut p) = patients.get_mut(r.patient) else { continue };
        if p.place != Place::Home {
            continue;
        }
        let sev = if r.need == Need::Elective { Severity::Complex } else { p.severity(model.day) };
        let chooser = Chooser::of(&p);
        let opts = options(&chooser, sev, &model, &now, false);
        let u: f64 = care_rng(&mut p, &model).random();
        let Some(o) = pick(&chooser, opts.as_slice(), None, sev, false, u, &model, &now, &wait) else {
            continue;
        };
        let channel =
            if o.facility == p.home && p.has(SIGNED) { Channel::Signed } else { Channel::SelfReferred };
        out.write(BookingRequest {
            patient: r.patient,
            visit: Visit {
                facility: o.facility,
                channel,
                need: r.need,
                condition: r.condition,
                clinic: o.clinic,
            },
        });
    }
}

/// Residents without a chronic condition: today's choice shares of every group, then each
/// stratum's visits of the day, drawn and each choosing an option (queued by clinic for the
/// outpatient stage), and its emergency visits (to the lead hospital's emergency department with
/// `care.emergency_lead_share`, else the catchment's member hospital's).
pub fn residents_choose(
    model: Res<Model>,
    levers: InForce,
    residents: Option<ResMut<Residents>>,
    clinics: Query<&Clinics>,
    mut rec: ResMut<Recorder>,
    mut charges: MessageWriter<Charge>,
) {
    let Some(mut residents) = residents else { return };
    if residents.strata.is_empty() {
        return;
    }
    let now = levers.now();
    let day = model.day;
    let params = &model.params;
    let r = &params.residents;
    let of = |f: u16| clinics.get(model.facilities[f as usize]).ok();
    refresh_residents(&mut residents, &model, &now, &of);
    let residents = &mut *residents;
    for (i, s) in residents.strata.iter().enumerate() {
        let g = &residents.groups[s.group as usize];
        let home = g.chooser.home;
        // Illness does not keep opening hours: needs arise evenly over the week, and clinics
        // that open less at the weekend carry a backlog into Monday.
        let mean = residents.mean_visits(s, 1.0, r.complex_share, r.access_elasticity);
        let mut rng = model.streams.stream(Purpose::Residents, hash_words(&[s.key, u64::from(day.0)]));
        let n = poisson(&mut rng, mean);
        for _ in 0..n {
            let complex = rng.random::<f64>() < r.complex_share;
            let table = &g.tables[if complex { COMPLEX } else { SYMPTOMATIC }];
            let Some(o) = table.draw(rng.random(), None) else { continue };
            residents.today[clinic_slot(o.facility, o.clinic)].push(Request {
                stratum: i as u32,
                complex,
                channel: channel(&g.chooser, o),
                tried: None,
                earliest: day.0,
            });
        }
        let e = poisson(&mut rng, s.residents * residents.emergency_per_day[s.band as usize]);
        if e > 0 {
            let member = model.member_of(home);
            let member_ed = params.facilities[member as usize].emergency_department;
            let to_lead = if member_ed {
                Binomial::new(e, params.care.emergency_lead_share).expect("a share").sample(&mut rng)
            } else {
                e
            };
            for (ed, k) in [(model.lead_of(home), to_lead), (member, e - to_lead)] {
                if k == 0 {
                    continue;
                }
                let f = &params.facilities[ed as usize];
                rec.count(|c| {
                    c.emergency_visit(ed as usize, k);
                    c.resident_visits[f.tier.index()] += k;
                });
                charges.write(Charge {
                    tier: f.tier,
                    scheme: g.chooser.scheme,
                    amount_yuan: f.visit_price_yuan * k as f64,
                    bypass: false,
                    chronic: false,
                    catchment: g.catchment,
                    visits: k,
                    self_paid_share: 0.0,
                });
            }
        }
    }
}
