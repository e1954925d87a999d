//! Reading scenario files and resolving `extends`.
//!
//! `extends = "other.toml"` (a path relative to the file that says it) makes a variant: the
//! parent is loaded first, then the child's keys are laid over it. Tables merge key by key;
//! arrays of tables whose entries all have a `name` merge entry by entry (an entry with a new name
//! is appended); any other value is replaced. Unknown keys anywhere are collected and reported
//! together.

// Unknown-key paths: `facilities.0.wards.?.bedz` (serde_ignored's form) → `facilities[0].wards.bedz`.
use super::error::ScenarioError;
use super::file::ScenarioFile;
use super::validate::validate;
use crate::params::Params;
use analysis::problem::Problem;
use analysis::problem::key_path;
use std::path::{Path, PathBuf};
use toml::{Table, Value};

/// A loaded and validated scenario.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The file that was named, then each file it extends.
    pub chain: Vec<PathBuf>,
    /// The merged document, canonical: used for hashing and recorded in the manifest.
    pub resolved: Table,
    pub params: Params,
}

impl Loaded {
    /// A stable 64-bit hash (FNV-1a) of the resolved scenario, as 16 hex digits. Two files that
    /// resolve to the same keys and values have the same hash, whatever their comments or layout.
    pub fn hash(&self) -> String {
        let text = toml::to_string(&self.resolved).expect("a parsed table serialises");
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in text.bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
        format!("{h:016x}")
    }
}

/// Loads, merges, checks and validates the scenario at `path`.
pub fn load(path: &Path) -> Result<Loaded, ScenarioError> {
    let mut chain = Vec::new();
    let resolved = resolve(path, &mut chain)?;
    finish(path, chain, resolved)
}

/// Loads a scenario from text, as if it were the file `path` (which names it in errors and
/// anchors a relative `extends`).
pub fn load_str(path: &Path, text: &str) -> Result<Loaded, ScenarioError> {
    let mut chain = vec![path.to_path_buf()];
    let mut table = parse(path, text)?;
    if let Some(parent) = take_extends(path, &mut table)? {
        let base = resolve(&parent, &mut chain)?;
        table = merge(base, table);
    }
    finish(path, chain, table)
}

/// Checks and validates an already resolved document, as if it came from `chain` (the files it
/// was resolved from, first the one that was named). Used to rebuild a scenario recorded in a
/// result file.
pub fn from_resolved(chain: Vec<PathBuf>, resolved: Table) -> Result<Loaded, ScenarioError> {
    let path = chain.first().cloned().unwrap_or_default();
    finish(&path, chain, resolved)
}

pub(crate) fn finish(path: &Path, chain: Vec<PathBuf>, resolved: Table) -> Result<Loaded, ScenarioError> {
    let mut unknown = Vec::new();
    let value = Value::Table(resolved.clone());
    // serde_ignored writes `?` for an Option's `Some`: leave it out of the key path.
    let mut track = |p: serde_ignored::Path<'_>| unknown.push(key_path(&p.to_string()));
    let de = serde_ignored::Deserializer::new(value, &mut track);
    let file: ScenarioFile = serde_path_to_error::deserialize(de).map_err(|e| {
        let key = e.path().to_string();
        ScenarioError::Schema { path: path.to_path_buf(), message: format!("{key}: {}", e.inner()) }
    })?;
    if !unknown.is_empty() {
        let problems = unknown
            .into_iter()
            .map(|key| Problem { key, message: "unknown key (check its spelling and section)".into() })
            .collect();
        return Err(ScenarioError::Invalid { path: path.to_path_buf(), problems });
    }
    let params =
        validate(&file).map_err(|problems| ScenarioError::Invalid { path: path.to_path_buf(), problems })?;
    Ok(Loaded { chain, resolved, params })
}

fn resolve(path: &Path, chain: &mut Vec<PathBuf>) -> Result<Table, ScenarioError> {
    let canonical = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    if chain.iter().any(|p| p.canonicalize().unwrap_or_else(|_| p.clone()) == canonical) {
        let mut names: Vec<String> = chain.iter().map(|p| p.display().to_string()).collect();
        names.push(path.display().to_string());
        return Err(ScenarioError::ExtendsCycle { path: path.to_path_buf(), chain: names.join(" -> ") });
    }
    chain.push(path.to_path_buf());
    let text = std::fs::read_to_string(path)
        .map_err(|source| ScenarioError::Read { path: path.to_path_buf(), source })?;
    let mut table = parse(path, &text)?;
    match take_extends(path, &mut table)? {
        Some(parent) => Ok(merge(resolve(&parent, chain)?, table)),
        None => Ok(table),
    }
}

fn parse(path: &Path, text: &str) -> Result<Table, ScenarioError> {
    text.parse::<Table>()
        .map_err(|e| ScenarioError::Syntax { path: path.to_path_buf(), message: e.to_string() })
}

fn take_extends(path: &Path, table: &mut Table) -> Result<Option<PathBuf>, ScenarioError> {
    match table.remove("extends") {
        None => Ok(None),
        Some(Value::String(rel)) => {
            let dir = path.parent().unwrap_or(Path::new("."));
            Ok(Some(dir.join(rel)))
        }
        Some(other) => Err(ScenarioError::Schema {
            path: path.to_path_buf(),
            message: format!("extends: must be a path string, got {}", other.type_str()),
        }),
    }
}

/// Lays `over` on top of `base` (see the module documentation).
pub(crate) fn merge(mut base: Table, over: Table) -> Table {
    for (key, value) in over {
        let merged = match (base.remove(&key), value) {
            (Some(Value::Table(b)), Value::Table(o)) => Value::Table(merge(b, o)),
            (Some(Value::Array(b)), Value::Array(o)) if named(&b) && named(&o) => {
                Value::Array(merge_named(b, o))
            }
            (_, v) => v,
        };
        base.insert(key, merged);
    }
    base
}

fn named(items: &[Value]) -> bool {
    !items.is_empty() && items.iter().all(|v| v.get("name").and_then(Value::as_str).is_some())
}

fn merge_named(mut base: Vec<Value>, over: Vec<Value>) -> Vec<Value> {
    for item in over {
        let name = item.get("name").and_then(Value::as_str).map(str::to_owned);
        let slot = base.iter().position(|b| b.get("name").and_then(Value::as_str) == name.as_deref());
        match (slot, item) {
            (Some(i), Value::Table(o)) => {
                let Value::Table(b) = std::mem::replace(&mut base[i], Value::Boolean(false)) else {
                    unreachable!("named entries are tables")
                };
                base[i] = Value::Table(merge(b, o));
            }
            (_, item) => base.push(item),
        }
    }
    base
}
