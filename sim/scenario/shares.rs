//! One number per tier (`{ primary, member, lead }`), checked into the model's `[f64; 3]`.

use analysis::problem::Checker;
use schemars::JsonSchema;
use serde::Deserialize;

/// One number per tier, written as an inline table, e.g. `{ primary = 0.7, member = 0.8, lead =
/// 0.9 }`. Its unit, range and source are those of the key that holds it
/// (`conditions[].capability`, `payment.reimbursement_employee`, …).
#[derive(Debug, Clone, Copy, Deserialize, JsonSchema)]
pub struct TierShares {
    /// Value at community health centres (tier "primary").
    /// unit: that of the key holding the table · range: that of the key holding the table ·
    /// default: required · source: that of the key holding the table
    pub primary: f64,
    /// Value at member hospitals (tier "member"), their shared wards included.
    /// unit: that of the key holding the table · range: that of the key holding the table ·
    /// default: required · source: that of the key holding the table
    pub member: f64,
    /// Value at the lead hospital (tier "lead").
    /// unit: that of the key holding the table · range: that of the key holding the table ·
    /// default: required · source: that of the key holding the table
    pub lead: f64,
}

/// Checks each tier's value as a share under `key` and returns them by tier index.
pub fn tier_shares(c: &mut Checker, key: &str, t: TierShares) -> [f64; 3] {
    [
        c.share(&format!("{key}.primary"), t.primary),
        c.share(&format!("{key}.member"), t.member),
        c.share(&format!("{key}.lead"), t.lead),
    ]
}
