//! Problems found in an input file (a scenario, a targets file): where each one is, and what is
//! allowed there.
//!
//! Validation never stops at the first broken rule: a [`Checker`] collects a [`Problem`] for
//! each one and carries on, so that a user fixes every mistake of a file in one round. Key paths
//! are written the way a user finds the key in the file: `facilities[2].wards[0].beds`,
//! `target[1].output` ([`key_path`] turns the paths of serde's helpers into that form).

use serde::{Deserialize, Serialize};
use std::fmt;

/// One broken rule: where, and what is allowed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    /// Key path, e.g. `facilities[2].wards[0].beds`.
    pub key: String,
    /// What is wrong and what is allowed, e.g. `must be an integer in 0..=100000, got -3`.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.key, self.message)
    }
}

/// How many problems a list shows; the rest are counted (after fixing the first ones, the
/// next run shows the next).
pub const MAX_SHOWN: usize = 50;

/// The problems as an indented list, one `  - key: message` line each: the first
/// [`MAX_SHOWN`], then how many more there are.
pub fn list(problems: &[Problem]) -> String {
    list_of(problems, problems.len())
}

/// As [`list`], for the first of `total` problems (the rest were counted, not kept).
pub fn list_of(problems: &[Problem], total: usize) -> String {
    let mut lines: Vec<String> = problems.iter().take(MAX_SHOWN).map(|p| format!("  - {p}")).collect();
    let shown = lines.len();
    if total > shown {
        lines.push(format!("  … and {} more (the first {shown} are shown)", total - shown));
    }
    lines.join("\n")
}

/// Collects problems while a file is checked. The typed checks return a usable value even when
/// they fail (the lower bound, or the upper one for [`Checker::positive`]), so that checking can
/// go on.
#[derive(Debug, Default)]
pub struct Checker {
    problems: Vec<Problem>,
}

impl Checker {
    pub fn new() -> Checker {
        Checker::default()
    }

    /// Records a broken rule.
    pub fn fail(&mut self, key: impl Into<String>, message: impl Into<String>) {
        self.problems.push(Problem { key: key.into(), message: message.into() });
    }

    /// Adds problems found elsewhere.
    pub fn extend(&mut self, problems: impl IntoIterator<Item = Problem>) {
        self.problems.extend(problems);
    }

    /// How many problems have been found so far.
    pub fn count(&self) -> usize {
        self.problems.len()
    }

    pub fn is_empty(&self) -> bool {
        self.problems.is_empty()
    }

    /// The problems found, each reported once (a rule broken by every copy of an entry, e.g. a
    /// facility with `count` > 1, is reported once).
    pub fn into_problems(self) -> Vec<Problem> {
        let mut seen = std::collections::HashSet::new();
        self.problems.into_iter().filter(|p| seen.insert((p.key.clone(), p.message.clone()))).collect()
    }

    /// `Ok(value)` if nothing was found, else every problem.
    pub fn finish<T>(self, value: T) -> Result<T, Vec<Problem>> {
        if self.problems.is_empty() { Ok(value) } else { Err(self.into_problems()) }
    }

    /// A real number in [lo, hi].
    pub fn real(&mut self, key: &str, v: f64, lo: f64, hi: f64) -> f64 {
        if !(v.is_finite() && v >= lo && v <= hi) {
            self.fail(key, format!("must be a number in [{lo}, {hi}], got {v}"));
            return lo;
        }
        v
    }

    /// A share: a number in [0, 1].
    pub fn share(&mut self, key: &str, v: f64) -> f64 {
        self.real(key, v, 0.0, 1.0)
    }

    /// A real number > 0 and ≤ hi.
    pub fn positive(&mut self, key: &str, v: f64, hi: f64) -> f64 {
        if !(v.is_finite() && v > 0.0 && v <= hi) {
            self.fail(key, format!("must be a number in (0, {hi}], got {v}"));
            return hi;
        }
        v
    }

    /// An integer in [lo, hi].
    pub fn int(&mut self, key: &str, v: i64, lo: i64, hi: i64) -> u32 {
        if v < lo || v > hi {
            self.fail(key, format!("must be an integer in {lo}..={hi}, got {v}"));
            return lo.max(0) as u32;
        }
        v as u32
    }

    /// A name (of a scenario, a facility, a ward, …): not empty, and without control characters,
    /// which would break output files and reports.
    pub fn name(&mut self, key: &str, v: &str) {
        if v.trim().is_empty() {
            self.fail(key, "must not be empty");
        } else if v.chars().any(char::is_control) {
            self.fail(
                key,
                format!("must not contain control characters (such as NUL or a line break), got {v:?}"),
            );
        }
    }

    /// One of the named options.
    pub fn choice<T: Copy>(&mut self, key: &str, v: &str, options: &[(&str, T)]) -> Option<T> {
        match options.iter().find(|(name, _)| *name == v) {
            Some(&(_, t)) => Some(t),
            None => {
                let names: Vec<String> = options.iter().map(|(n, _)| format!("\"{n}\"")).collect();
                self.fail(key, format!("must be one of {}, got \"{v}\"", names.join(", ")));
                None
            }
        }
    }
}

/// `target.0.?.windw` (the path form of serde_ignored and serde_path_to_error, with `?` for an
/// Option's `Some`) → `target[0].windw`.
pub fn key_path(raw: &str) -> String {
    let mut out = String::new();
    for seg in raw.split('.').filter(|s| *s != "?") {
        if !seg.is_empty() && seg.chars().all(|c| c.is_ascii_digit()) {
            out.push_str(&format!("[{seg}]"));
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(seg);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_problem_is_kept_once_with_its_key() {
        let mut c = Checker::new();
        assert_eq!(c.share("a.share", 1.5), 0.0);
        assert_eq!(c.int("a.beds", -3, 0, 100), 0);
        assert_eq!(c.positive("a.stay", 0.0, 10.0), 10.0);
        assert_eq!(c.choice("a.kind", "x", &[("y", 1)]), None);
        c.fail("a.beds", "must be an integer in 0..=100, got -3");
        assert_eq!(c.count(), 5);
        let p = c.into_problems();
        assert_eq!(p.len(), 4, "the repeated problem is reported once: {p:?}");
        assert_eq!(p[0].to_string(), "a.share: must be a number in [0, 1], got 1.5");
        assert_eq!(p[3].message, "must be one of \"y\", got \"x\"");
        assert_eq!(list(&p[..1]), "  - a.share: must be a number in [0, 1], got 1.5");
    }

    #[test]
    fn key_paths_read_like_the_file() {
        assert_eq!(key_path("target.0.?.windw"), "target[0].windw");
        assert_eq!(key_path("facilities.2.wards.0.beds"), "facilities[2].wards[0].beds");
        assert_eq!(key_path(""), "");
    }
}
