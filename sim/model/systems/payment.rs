//! Payment: every charge is split into the insurer's and the patient's part.
//!
//! Reads `Charge`; changes the `Recorder`'s ledger (every resident's, the chronic-patient agents'
//! apart, and out-of-pocket payments per visit by catchment and scheme). The insurer pays the reimbursement rate in
//! force for the patient's scheme at the facility's tier (less the gatekeeping penalty for a
//! self-referred hospital visit); the patient pays the rest out of pocket. Under family-doctor
//! capitation the insurer also pays the CHCs a daily amount per signed patient. Under a global
//! budget the day's share of the yearly budget is set against the insurer's payments of the day
//! (the difference is the group's surplus, or deficit), the budget year's ledger sets the group's
//! pressure for tomorrow, and at that pressure a share of each agent's inpatient charge at a
//! group hospital is moved to items the patient pays in full (cost-shifting).

use crate::levers::InForce;
use crate::levers::gatekeeping::reimbursed_share;
use crate::levers::global_budget::shifted_share;
use crate::model::record::Recorder;
use crate::model::*;

pub fn payment(
    mut model: ResMut<Model>,
    levers: InForce,
    census: Res<Census>,
    mut rec: ResMut<Recorder>,
    mut charges: MessageReader<Charge>,
) {
    let now = levers.now();
    let shift = shifted_share(now.global_budget, model.policy.budget.as_ref());
    let mut insurer = 0.0;
    let mut shifted = 0.0;
    for c in charges.read() {
        let mut rate = reimbursed_share(&model.policy, now.gatekeeping, c.scheme, c.tier, c.bypass);
        let budget_shift = if c.chronic && c.visits == 0 && c.tier != Tier::Primary { shift } else { 0.0 };
        let moved = (c.self_paid_share + budget_shift).min(1.0);
        if moved > 0.0 {
            // The shifted part is paid by the patient in full; the insurer pays its rate on the
            // rest.
            shifted += c.amount_yuan * moved * rate;
            rate *= 1.0 - moved;
        }
        if c.chronic {
            // The global budget is set against the chronic-patient agents' care, which is what
            // the budget scenarios are sized to (the hospital side is rebuilt separately).
            insurer += c.amount_yuan * rate;
        }
        let items = model.params.payment.items.map(|s| {
            let setting = usize::from(c.visits == 0);
            let (d, t) = (s[setting][0][c.tier.index()], s[setting][1][c.tier.index()]);
            [d, t, (1.0 - d - t).max(0.0)]
        });
        rec.count(|k| {
            let oop = c.amount_yuan * (1.0 - rate);
            if let Some(shares) = items {
                for (i, share) in shares.iter().enumerate() {
                    let l = &mut k.spending_items[c.tier.index()][i];
                    l[0] += c.amount_yuan * share * rate;
                    l[1] += c.amount_yuan * share * (1.0 - rate);
                }
            }
            for l in [
                Some(&mut k.spending[c.tier.index()]),
                c.chronic.then_some(&mut k.spending_chronic[c.tier.index()]),
            ]
            .into_iter()
            .flatten()
            {
                l[0] += c.amount_yuan;
                l[1] += c.amount_yuan * rate;
                l[2] += oop;
            }
            if c.visits > 0 {
                k.equity_oop(c.catchment, c.scheme, oop, c.visits);
            }
            k.spending_of(c.catchment, c.amount_yuan, c.amount_yuan * rate);
        });
    }
    rec.count(|k| k.cost_shifted_yuan += shifted);
    if let Some(cap) = now.capitation {
        let amount = cap.yuan_per_signed_patient_per_day * census.signed as f64;
        insurer += amount;
        rec.count(|k| {
            for l in [&mut k.spending[Tier::Primary.index()], &mut k.spending_chronic[Tier::Primary.index()]]
            {
                l[0] += amount;
                l[1] += amount;
            }
            k.capitation_yuan += amount;
        });
    }
    if let Some(b) = now.global_budget {
        rec.count(|k| {
            k.budget_yuan += b.budget_yuan_per_day;
            k.budget_spent_yuan += insurer;
        });
        if let Some(ledger) = model.policy.budget.as_mut() {
            b.pay_day(ledger, insurer);
        }
    }
}
