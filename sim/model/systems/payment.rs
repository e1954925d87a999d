//! Payment: every charge is split into the insurer's and the patient's part.
//!
//! Reads `Charge`; changes the `Recorder`'s ledger. The insurer pays the reimbursement rate of
//! the patient's scheme at the facility's tier; the patient pays the rest out of pocket.

use crate::model::record::Recorder;
use crate::model::*;

pub fn payment(model: Res<Model>, mut rec: ResMut<Recorder>, mut charges: MessageReader<Charge>) {
    let rates = &model.params.payment.reimbursement;
    for c in charges.read() {
        let rate = rates[c.scheme as usize][c.tier.index()];
        rec.count(|k| {
            let l = &mut k.spending[c.tier.index()];
            l[0] += c.amount_yuan;
            l[1] += c.amount_yuan * rate;
            l[2] += c.amount_yuan * (1.0 - rate);
        });
    }
}
