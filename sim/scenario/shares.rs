//! One number per tier (`{ primary, member, lead }`), checked into the model's `[f64; 3]`.

use super::file::TierShares;
use analysis::problem::Checker;

/// Checks each tier's value as a share under `key` and returns them by tier index.
pub(super) fn tier_shares(c: &mut Checker, key: &str, t: TierShares) -> [f64; 3] {
    [
        c.share(&format!("{key}.primary"), t.primary),
        c.share(&format!("{key}.member"), t.member),
        c.share(&format!("{key}.lead"), t.lead),
    ]
}
