//! Extreme parameters with known answers.

use crate::common::*;

fn total(results: &[medgroup::model::record::ReplicationResult], name: &str) -> f64 {
    results.iter().flat_map(|r| r.metrics.iter().filter(|m| m.name == name).map(|m| m.value)).sum()
}

#[test]
fn zero_demand_gives_zero_visits() {
    let mut p = small_baseline(40_000, 60, 30);
    p.population.residents = 0;
    for f in &mut p.facilities {
        f.nonresident_emergency_visits_per_day = 0.0;
        for c in &mut f.clinics {
            c.nonresident_visits_per_day = 0.0;
        }
        for w in &mut f.wards {
            w.background_admissions_per_day = 0.0;
            if let Some(t) = &mut w.theatre {
                t.background_bookings_per_day = 0.0;
            }
        }
    }
    let r = run(&p, 1);
    assert_eq!(total(&r, "visits_per_day"), 0.0);
    assert_eq!(total(&r, "ward_admissions_per_day"), 0.0);
    assert_eq!(total(&r, "chronic_patients"), 0.0);
}

#[test]
fn zero_referral_propensity_gives_no_referrals() {
    let mut p = small_baseline(40_000, 120, 30);
    p.referral.up_referral_propensity = 0.0;
    p.referral.complex_up_referral_share = 0.0;
    p.referral.down_referral_propensity = 0.0;
    p.referral.member_up_referral_propensity = 0.0;
    for k in &mut p.conditions {
        k.post_acute_transfer_share = 0.0;
    }
    let r = run(&p, 1);
    assert_eq!(total(&r, "referrals_up_per_year"), 0.0);
    assert_eq!(total(&r, "referrals_down_per_year"), 0.0);
    assert_eq!(total(&r, "transfers_to_shared_ward_per_year"), 0.0);
    // The same scenario with the baseline's propensities does refer, so the zero is the lever's.
    let base = run(&small_baseline(40_000, 120, 30), 1);
    assert!(total(&base, "referrals_up_per_year") > 0.0);
    assert!(total(&base, "referrals_down_per_year") > 0.0);
}

#[test]
fn ample_capacity_gives_zero_waits() {
    let mut p = small_baseline(40_000, 120, 30);
    for f in &mut p.facilities {
        for c in &mut f.clinics {
            for s in &mut c.slots_per_weekday {
                *s = 1_000_000;
            }
        }
        for w in &mut f.wards {
            w.beds = 100_000;
            if let Some(t) = &mut w.theatre {
                // Sessions every day, cases admitted on their operating day, none cancelled (a
                // cancelled case waits for the next day whatever the capacity).
                t.sessions_per_weekday = [10_000; 7];
                t.preop_days = 0;
                t.cancellation_probability = 0.0;
            }
        }
    }
    let r = run(&p, 1);
    let mut checked = 0;
    for m in &r[0].metrics {
        if m.name.contains("wait_days") || m.name == "admission_wait_prob_positive" {
            // Every wait, a referred patient's too, runs from the first day the visit could take
            // place (for a referral, the end of its processing time): none with ample capacity.
            assert_eq!(m.value, 0.0, "{} {{{}}} with ample capacity", m.name, m.breakdown);
            checked += 1;
        }
        if m.name == "referral_processing_days" {
            // The processing time is not a queue: it stays, at least a day.
            assert!(m.value >= 1.0, "referral processing {} days", m.value);
        }
    }
    assert!(checked > 10, "only {checked} wait metrics found");
}
