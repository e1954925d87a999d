//! Setting scenario values by key path: the mechanism behind `--set` and `--range`.
//!
//! An assignment works on the resolved TOML document (after `extends`), before the schema and
//! validation, so an assigned value is checked exactly like one written in the file: an unknown
//! key or an out-of-range value gives the usual error, with its key path. Nothing here knows a
//! particular key, so new scenario keys can be set as soon as the schema has them.
//!
//! Key paths are dot-separated keys, with a selector in brackets for an element of an array:
//!
//! | path | addresses |
//! |---|---|
//! | `seed` | a top-level key |
//! | `population.signing_rate` | a key in a table |
//! | `payment.reimbursement_resident.primary` | a key in an inline table |
//! | `facilities[lead].wards[medical].beds` | arrays of tables selected by their `name` |
//! | `facilities[chc].clinics[kind=general_practice].slots_per_weekday` | selected by another key |
//! | `facilities[chc].clinics[0].slots_per_weekday[5]` | selected by position (0-based) |
//!
//! `[text]` selects the entry whose `name` is `text`; `[key=text]` the entry whose `key` is
//! `text`; `[3]` the fourth entry. A facility with `count = 12` is one entry (its copies are made
//! by validation), so `facilities[chc]` sets all twelve. A selector that matches nothing, or a key
//! under something that is not a table, is an error naming what exists there. A missing last key
//! (or a missing table on the way) is created and left to the schema, which refuses it if the
//! scenario format has no such key.

use super::error::ScenarioError;
use super::load::{Loaded, finish};
use std::fmt;
use toml::{Table, Value};

/// One step of a key path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// A key of a table.
    Key(String),
    /// An array element by position.
    Index(usize),
    /// The array element whose `key` equals `value` (`key` is `name` for `[value]`).
    Match { key: String, value: String },
}

/// A parsed key path, e.g. `facilities[lead].wards[medical].beds`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyPath {
    text: String,
    steps: Vec<Step>,
}

impl fmt::Display for KeyPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// Why a key path or an assignment cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct SetError(pub String);

impl KeyPath {
    /// Parses a key path (see the module documentation for the syntax).
    pub fn parse(text: &str) -> Result<KeyPath, SetError> {
        let bad = |why: &str| SetError(format!("bad key path `{text}`: {why}"));
        let mut steps = Vec::new();
        let mut rest = text.trim();
        if rest.is_empty() {
            return Err(bad("it is empty"));
        }
        loop {
            let end = rest.find(['.', '[']).unwrap_or(rest.len());
            let key = &rest[..end];
            if key.is_empty() {
                return Err(bad("a key is empty"));
            }
            steps.push(Step::Key(key.to_string()));
            rest = &rest[end..];
            while let Some(after) = rest.strip_prefix('[') {
                let close = after.find(']').ok_or_else(|| bad("a `[` is not closed"))?;
                let sel = after[..close].trim();
                if sel.is_empty() {
                    return Err(bad("a selector `[]` is empty"));
                }
                steps.push(if let Ok(i) = sel.parse::<usize>() {
                    Step::Index(i)
                } else if let Some((k, v)) = sel.split_once('=') {
                    Step::Match { key: k.trim().to_string(), value: unquote(v.trim()).to_string() }
                } else {
                    Step::Match { key: "name".into(), value: unquote(sel).to_string() }
                });
                rest = &after[close + 1..];
            }
            if rest.is_empty() {
                break;
            }
            rest = rest.strip_prefix('.').ok_or_else(|| bad("expected `.` after `]`"))?;
        }
        Ok(KeyPath { text: text.trim().to_string(), steps })
    }

    /// The path as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The value at this path in `table`, if there is one.
    pub fn get<'a>(&self, table: &'a Table) -> Option<&'a Value> {
        let (first, rest) = self.steps.split_first()?;
        let Step::Key(k) = first else { return None };
        let mut v = table.get(k)?;
        for step in rest {
            v = match (step, v) {
                (Step::Key(k), Value::Table(t)) => t.get(k)?,
                (Step::Index(i), Value::Array(a)) => a.get(*i)?,
                (Step::Match { key, value }, Value::Array(a)) => a.iter().find(|e| matches(e, key, value))?,
                _ => return None,
            };
        }
        Some(v)
    }

    /// Sets the value at this path in `table` (see the module documentation for what may be
    /// created). An integer given for a key that holds a float becomes a float, so that a
    /// scenario's hash does not depend on whether `3` or `3.0` was typed.
    pub fn set(&self, table: &mut Table, value: Value) -> Result<(), SetError> {
        let Some(Step::Key(first)) = self.steps.first() else { unreachable!("a key path starts with a key") };
        if self.steps.len() == 1 {
            put(table, first, value);
            return Ok(());
        }
        let mut cur: &mut Value = table.entry(first.clone()).or_insert_with(|| Value::Table(Table::new()));
        let mut here = first.clone();
        for (i, step) in self.steps.iter().enumerate().skip(1) {
            let last = i + 1 == self.steps.len();
            cur = match (step, cur) {
                (Step::Key(k), Value::Table(t)) => {
                    if last {
                        put(t, k, value);
                        return Ok(());
                    }
                    // A missing table may be created (the schema judges it); a missing array
                    // cannot, since its entries would not exist.
                    if !t.contains_key(k) && !matches!(self.steps[i + 1], Step::Key(_)) {
                        let keys: Vec<String> = t.keys().map(|k| format!("`{k}`")).collect();
                        return Err(SetError(format!(
                            "`{self}`: `{here}` has no key `{k}` (there: {})",
                            if keys.is_empty() { "none".to_string() } else { keys.join(", ") }
                        )));
                    }
                    t.entry(k.clone()).or_insert_with(|| Value::Table(Table::new()))
                }
                (Step::Index(n), Value::Array(a)) => {
                    let len = a.len();
                    a.get_mut(*n).ok_or_else(|| {
                        SetError(format!("`{self}`: `{here}` has {len} entries, so there is no [{n}]"))
                    })?
                }
                (Step::Match { key, value: want }, Value::Array(a)) => {
                    match a.iter().position(|e| matches(e, key, want)) {
                        Some(p) => &mut a[p],
                        None => {
                            let names: Vec<String> = a
                                .iter()
                                .filter_map(|e| e.get(key))
                                .map(|s| format!("`{}`", scalar_text(s)))
                                .collect();
                            let there = if names.is_empty() { "none".to_string() } else { names.join(", ") };
                            return Err(SetError(format!(
                                "`{self}`: no entry of `{here}` has {key} = `{want}` (there: {there})"
                            )));
                        }
                    }
                }
                (Step::Key(k), other) => {
                    return Err(SetError(format!(
                        "`{self}`: `{here}` is {}, not a table, so it has no key `{k}`",
                        describe(other)
                    )));
                }
                (_, other) => {
                    return Err(SetError(format!("`{self}`: `{here}` is {}, not an array", describe(other))));
                }
            };
            if last {
                *cur = coerce(cur, value);
                return Ok(());
            }
            here.push_str(&step_text(step));
        }
        unreachable!("the last step returns")
    }
}

fn put(t: &mut Table, k: &str, value: Value) {
    let v = match t.get(k) {
        Some(old) => coerce(old, value),
        None => value,
    };
    t.insert(k.to_string(), v);
}

fn coerce(old: &Value, new: Value) -> Value {
    match (old, new) {
        (Value::Float(_), Value::Integer(i)) => Value::Float(i as f64),
        (_, v) => v,
    }
}

fn step_text(step: &Step) -> String {
    match step {
        Step::Key(k) => format!(".{k}"),
        Step::Index(i) => format!("[{i}]"),
        Step::Match { key, value } if key == "name" => format!("[{value}]"),
        Step::Match { key, value } => format!("[{key}={value}]"),
    }
}

fn describe(v: &Value) -> String {
    match v {
        Value::Table(_) | Value::Array(_) => format!("a {}", v.type_str()),
        _ => format!("a {} ({})", v.type_str(), value_text(v)),
    }
}

fn unquote(s: &str) -> &str {
    s.strip_prefix('"').and_then(|s| s.strip_suffix('"')).unwrap_or(s)
}

fn matches(entry: &Value, key: &str, want: &str) -> bool {
    entry.get(key).is_some_and(|v| scalar_text(v) == want)
}

fn scalar_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => value_text(other),
    }
}

/// A value as it would be written in TOML (strings unquoted when they are a plain word), for
/// output columns and messages.
pub fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Integer(i) => i.to_string(),
        Value::Float(f) => {
            if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e15 {
                format!("{f:.1}")
            } else {
                format!("{f}")
            }
        }
        Value::Boolean(b) => b.to_string(),
        other => {
            let mut t = Table::new();
            t.insert("v".into(), other.clone());
            let s = toml::to_string(&t).expect("a value serialises");
            s.trim().trim_start_matches("v =").trim().to_string()
        }
    }
}

/// Parses one value as TOML (`3`, `0.5`, `true`, `[1, 2]`, `"text"`); anything that is not TOML
/// is taken as a string, so `--set payment.mode=global_budget` needs no quotes.
pub fn parse_value(text: &str) -> Value {
    let text = text.trim();
    match format!("v = {text}").parse::<Table>() {
        Ok(mut t) => t.remove("v").expect("the key just written"),
        Err(_) => Value::String(text.to_string()),
    }
}

/// Splits `key=v1,v2,…` into the key path and its values. The key ends at the first `=`
/// outside brackets; values are separated by commas outside brackets and quotes.
pub fn parse_assignment(arg: &str) -> Result<(KeyPath, Vec<Value>), SetError> {
    let eq = top_level(arg, '=').into_iter().next().ok_or_else(|| {
        SetError(format!("`{arg}`: expected key=value (or key=v1,v2,… for several values)"))
    })?;
    let key = KeyPath::parse(&arg[..eq])?;
    let rest = &arg[eq + 1..];
    let mut values = Vec::new();
    let mut start = 0;
    for comma in top_level(rest, ',').into_iter().chain([rest.len()]) {
        let part = rest[start..comma].trim();
        if part.is_empty() {
            return Err(SetError(format!("`{arg}`: a value is empty")));
        }
        values.push(parse_value(part));
        start = comma + 1;
    }
    Ok((key, values))
}

/// Splits `key=lo:hi` into the key path and the range.
pub fn parse_range(arg: &str) -> Result<(KeyPath, f64, f64), SetError> {
    let bad = || SetError(format!("`{arg}`: expected key=lo:hi with numbers lo < hi"));
    let eq = top_level(arg, '=').into_iter().next().ok_or_else(bad)?;
    let key = KeyPath::parse(&arg[..eq])?;
    let (lo, hi) = arg[eq + 1..].split_once(':').ok_or_else(bad)?;
    let lo: f64 = lo.trim().parse().map_err(|_| bad())?;
    let hi: f64 = hi.trim().parse().map_err(|_| bad())?;
    if !(lo.is_finite() && hi.is_finite() && lo < hi) {
        return Err(bad());
    }
    Ok((key, lo, hi))
}

/// Byte positions of `c` in `s` outside brackets and double quotes.
fn top_level(s: &str, c: char) -> Vec<usize> {
    let mut depth = 0i32;
    let mut quoted = false;
    let mut out = Vec::new();
    for (i, ch) in s.char_indices() {
        match ch {
            '"' => quoted = !quoted,
            '[' | '{' if !quoted => depth += 1,
            ']' | '}' if !quoted => depth -= 1,
            _ if ch == c && depth == 0 && !quoted => out.push(i),
            _ => {}
        }
    }
    out
}

/// The run overrides a command line or a front end applies on top of a scenario (`--seed`,
/// `--days`, `--warmup-days`), as key assignments for [`Loaded::with_values`], in that order. A
/// seed beyond TOML's integers becomes the largest of them, which validation then refuses with
/// the seed's range, as it refuses any other seed out of range.
pub fn run_overrides(
    seed: Option<u64>,
    days: Option<u32>,
    warmup_days: Option<u32>,
) -> Vec<(KeyPath, Value)> {
    let plain = |k: &str, v: i64| (KeyPath::parse(k).expect("a plain key"), Value::Integer(v));
    let mut out = Vec::new();
    if let Some(s) = seed {
        out.push(plain("seed", i64::try_from(s).unwrap_or(i64::MAX)));
    }
    if let Some(d) = days {
        out.push(plain("run.days", i64::from(d)));
    }
    if let Some(w) = warmup_days {
        out.push(plain("run.warmup_days", i64::from(w)));
    }
    out
}

impl Loaded {
    /// This scenario with `assignments` applied to its resolved document, deserialised and
    /// validated again. Errors say which assignment was being applied when they are about it,
    /// and otherwise are the scenario's usual errors (unknown key, value out of range).
    pub fn with_values(&self, assignments: &[(KeyPath, Value)]) -> Result<Loaded, ScenarioError> {
        let path = self.chain.first().cloned().unwrap_or_default();
        let mut resolved = self.resolved.clone();
        for (key, value) in assignments {
            key.set(&mut resolved, value.clone())
                .map_err(|e| ScenarioError::Schema { path: path.clone(), message: e.0 })?;
        }
        finish(&path, self.chain.clone(), resolved).map_err(|e| with_context(e, assignments))
    }
}

fn with_context(e: ScenarioError, assignments: &[(KeyPath, Value)]) -> ScenarioError {
    let set: Vec<String> = assignments.iter().map(|(k, v)| format!("{k}={}", value_text(v))).collect();
    let note = format!(" (after setting {})", set.join(", "));
    match e {
        ScenarioError::Schema { path, message } => ScenarioError::Schema { path, message: message + &note },
        ScenarioError::Invalid { path, problems, omitted } => ScenarioError::Invalid {
            path,
            omitted,
            problems: problems
                .into_iter()
                .map(|p| analysis::problem::Problem { key: p.key, message: p.message + &note })
                .collect(),
        },
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc() -> Table {
        r#"
seed = 1
[run]
days = 10
[payment]
rates = { primary = 0.9, lead = 0.5 }
[[facilities]]
name = "lead"
[[facilities.wards]]
name = "medical"
beds = 900
mean_stay_days = 8.3
[[facilities.clinics]]
kind = "specialist"
slots_per_weekday = [1, 2, 3]
"#
        .parse()
        .unwrap()
    }

    #[test]
    fn paths_parse_and_address_named_entries() {
        let mut t = doc();
        let set = |t: &mut Table, p: &str, v: &str| KeyPath::parse(p).unwrap().set(t, parse_value(v));
        set(&mut t, "facilities[lead].wards[medical].beds", "450").unwrap();
        set(&mut t, "facilities[0].wards[name=medical].mean_stay_days", "9").unwrap();
        set(&mut t, "facilities[lead].clinics[kind=specialist].slots_per_weekday[2]", "7").unwrap();
        set(&mut t, "payment.rates.primary", "0.95").unwrap();
        set(&mut t, "seed", "2").unwrap();
        let get = |t: &Table, p: &str| KeyPath::parse(p).unwrap().get(t).cloned();
        assert_eq!(get(&t, "facilities[lead].wards[medical].beds"), Some(Value::Integer(450)));
        // An integer typed for a float key stays a float.
        assert_eq!(get(&t, "facilities[lead].wards[medical].mean_stay_days"), Some(Value::Float(9.0)));
        assert_eq!(get(&t, "facilities[lead].clinics[0].slots_per_weekday[2]"), Some(Value::Integer(7)));
        assert_eq!(get(&t, "payment.rates.primary"), Some(Value::Float(0.95)));
        assert_eq!(get(&t, "seed"), Some(Value::Integer(2)));
    }

    #[test]
    fn paths_that_do_not_exist_are_named() {
        let mut t = doc();
        let err = |p: &str| KeyPath::parse(p).unwrap().set(&mut t.clone(), Value::Integer(1)).unwrap_err().0;
        let e = err("facilities[member].wards[medical].beds");
        assert!(e.contains("no entry of `facilities` has name = `member` (there: `lead`)"), "{e}");
        let e = err("facilities[lead].wards[3].beds");
        assert!(e.contains("`facilities[lead].wards` has 1 entries, so there is no [3]"), "{e}");
        let e = err("seed.value");
        assert!(e.contains("`seed` is a integer (1), not a table"), "{e}");
        let e = err("facilities[lead].wardz[medical].beds");
        assert!(
            e.contains("`facilities[lead]` has no key `wardz` (there: `clinics`, `name`, `wards`)"),
            "{e}"
        );
        assert!(KeyPath::parse("a[b").is_err());
        assert!(KeyPath::parse("a..b").is_err());
        // A missing last key is created (the schema decides whether it is allowed).
        KeyPath::parse("run.new_key").unwrap().set(&mut t, Value::Integer(1)).unwrap();
        assert_eq!(t["run"]["new_key"], Value::Integer(1));
    }

    #[test]
    fn assignments_split_values_outside_brackets() {
        let (k, v) = parse_assignment("facilities[kind=x].slots=[1, 2],[3,4]").unwrap();
        assert_eq!(k.as_str(), "facilities[kind=x].slots");
        assert_eq!(v.len(), 2);
        assert_eq!(value_text(&v[0]), "[1, 2]");
        let (_, v) = parse_assignment("payment.mode=global_budget,\"fee, for service\",0.5,3,true").unwrap();
        assert_eq!(
            v,
            vec![
                Value::String("global_budget".into()),
                Value::String("fee, for service".into()),
                Value::Float(0.5),
                Value::Integer(3),
                Value::Boolean(true)
            ]
        );
        assert!(parse_assignment("seed").is_err());
        assert!(parse_assignment("seed=1,,2").is_err());
        let (k, lo, hi) = parse_range("population.signing_rate=0.2:0.9").unwrap();
        assert_eq!((k.as_str(), lo, hi), ("population.signing_rate", 0.2, 0.9));
        assert!(parse_range("x=2:1").is_err());
        assert!(parse_range("x=a:1").is_err());
    }
}
