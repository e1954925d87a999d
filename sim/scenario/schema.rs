//! Versions of the scenario file schema, and the keys earlier versions had.
//!
//! A scenario file may say which schema it is written for (`schema_version`); without it, the
//! current one. A key that an earlier schema had and this one retired is refused with a message
//! naming what replaced it, so that a user's own file from an older release says how to update
//! it instead of "unknown key".

/// The schema this program reads.
pub const SCHEMA_VERSION: i64 = 2;

/// A key of an earlier schema that this one no longer has.
#[derive(Debug, Clone, Copy)]
pub struct Retired {
    /// The key path with array entries left out: `facilities.clinics.background_visits_per_day`
    /// matches `facilities[lead].clinics[outpatient].background_visits_per_day`.
    pub key: &'static str,
    /// The last schema that had it.
    pub until: i64,
    /// What replaces it, in words a user can act on.
    pub replacement: &'static str,
}

/// Every key retired since schema 1.
pub const RETIRED: &[Retired] = &[
    Retired {
        key: "facilities.clinics.background_visits_per_day",
        until: 1,
        replacement: "residents' visits are now drawn from the population (the [residents] table) and choose a \
                      facility; only visits by people living outside the catchment stay exogenous, as \
                      `nonresident_visits_per_day` of the clinic",
    },
    Retired {
        key: "facilities.background_emergency_visits_per_day",
        until: 1,
        replacement: "residents' emergency visits are now drawn from the population ([residents]); emergency visits \
                      by people living outside the catchment are `nonresident_emergency_visits_per_day` of the facility",
    },
    Retired {
        key: "referral.friction_days",
        until: 1,
        replacement: "the time a referral takes is now `referral.processing_days_mean` (with \
                      `referral.processing_days_cv`): a distribution of processing times, not a fixed delay",
    },
    Retired {
        key: "policy.referral_platform.friction_days",
        until: 1,
        replacement: "the platform now sets the mean processing time, `policy.referral_platform.processing_days_mean`",
    },
];

/// The key path `key` without its array selectors (`a[x].b[0].c` → `a.b.c`).
fn plain(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    let mut depth = 0;
    for c in key.chars() {
        match c {
            '[' => depth += 1,
            ']' => depth -= 1,
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

/// Whether an earlier schema had `key` (a key path as the loader reports it).
pub fn is_retired(key: &str) -> bool {
    let p = plain(key);
    RETIRED.iter().any(|r| r.key == p)
}

/// The message for an unknown key: its replacement when an earlier schema had it.
pub fn unknown_key_message(key: &str) -> String {
    let p = plain(key);
    match RETIRED.iter().find(|r| r.key == p) {
        Some(r) => format!(
            "retired after schema version {} (this program reads version {SCHEMA_VERSION}): {}",
            r.until, r.replacement
        ),
        None => "unknown key (check its spelling and section)".into(),
    }
}

/// Problems with `schema_version`: a version this program cannot read.
pub fn check_version(version: Option<i64>) -> Option<String> {
    match version {
        Some(v) if v > SCHEMA_VERSION => Some(format!(
            "the file is written for schema version {v}, newer than this program's {SCHEMA_VERSION}: use a newer medgroup"
        )),
        Some(v) if v < 1 => Some(format!("must be a schema version from 1 to {SCHEMA_VERSION}, got {v}")),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_retired_key_names_its_replacement_wherever_its_entries_are() {
        let m = unknown_key_message("facilities[lead].clinics[outpatient].background_visits_per_day");
        assert!(m.contains("nonresident_visits_per_day") && m.contains("schema version 1"), "{m}");
        assert!(unknown_key_message("referral.friction_days").contains("processing_days_mean"));
        assert!(unknown_key_message("referral.frictoin_days").starts_with("unknown key"));
        assert!(check_version(Some(SCHEMA_VERSION + 1)).is_some());
        assert!(check_version(Some(0)).is_some());
        assert!(check_version(Some(1)).is_none() && check_version(None).is_none());
    }
}
