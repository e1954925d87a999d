//! Reading scenario files and resolving `extends`.
//!
//! `extends = "other.toml"` (a path relative to the file that says it) makes a variant: the
//! parent is loaded first, then the child's keys are laid over it. Tables merge key by key;
//! arrays of tables whose entries all have a `name` merge entry by entry (an entry with a new name
//! is appended); any other value is replaced. `replace = ["facilities"]` beside `extends` drops
//! the named top-level keys of the parent first, so the child's own take their place whole (a city
//! built on the baseline's model of care, with facilities of its own). Unknown keys anywhere are
//! collected and reported together.

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
    let replaced = take_replace(path, &mut table)?;
    match take_extends(path, &mut table)? {
        Some(parent) => {
            let base = resolve(&parent, &mut chain)?;
            table = merge(drop_keys(base, &replaced), table);
        }
        None => no_parent(path, &replaced)?,
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
    if resolved.is_empty() {
        return Err(ScenarioError::Schema {
            path: path.to_path_buf(),
            message: "the file is empty: a scenario needs at least `name`, `seed`, a [run] table and \
                      [[facilities]] (or `extends` naming a scenario to modify)"
                .into(),
        });
    }
    let mut unknown = Vec::new();
    let mut more_unknown = 0usize;
    let value = Value::Table(resolved.clone());
    // serde_ignored writes `?` for an Option's `Some`: leave it out of the key path. Only the
    // first keys are kept: a file of nothing but misspellings must not fill the memory.
    let mut track = |p: serde_ignored::Path<'_>| {
        if unknown.len() < MAX_UNKNOWN_KEPT {
            unknown.push(key_path(&p.to_string()));
        } else {
            more_unknown += 1;
        }
    };
    let de = serde_ignored::Deserializer::new(value, &mut track);
    let file: Result<ScenarioFile, _> = serde_path_to_error::deserialize(de);
    let file = match file {
        Ok(f) => f,
        // A key an older schema had usually leaves its replacement missing too: the retired
        // key, with what replaces it, is the message (the missing key follows from it).
        Err(_) if unknown.iter().any(|k| super::schema::is_retired(k)) => {
            let problems = unknown
                .into_iter()
                .filter(|k| super::schema::is_retired(k))
                .map(|key| {
                    let message = super::schema::unknown_key_message(&key);
                    Problem { key, message }
                })
                .collect();
            return Err(ScenarioError::Invalid { path: path.to_path_buf(), problems, omitted: 0 });
        }
        Err(e) => {
            return Err(ScenarioError::Schema {
                path: path.to_path_buf(),
                message: schema_message(&key_path(&e.path().to_string()), &e.inner().to_string()),
            });
        }
    };
    if !unknown.is_empty() {
        let problems: Vec<Problem> = unknown
            .into_iter()
            .map(|key| {
                let message = super::schema::unknown_key_message(&key);
                Problem { key, message }
            })
            .collect();
        return Err(ScenarioError::Invalid { path: path.to_path_buf(), problems, omitted: more_unknown });
    }
    let params = validate(&file).map_err(|problems| ScenarioError::Invalid {
        path: path.to_path_buf(),
        problems,
        omitted: 0,
    })?;
    Ok(Loaded { chain, resolved, params })
}

fn resolve(path: &Path, chain: &mut Vec<PathBuf>) -> Result<Table, ScenarioError> {
    let canonical = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    if chain.iter().any(|p| p.canonicalize().unwrap_or_else(|_| p.clone()) == canonical) {
        let mut names: Vec<String> = chain.iter().map(|p| p.display().to_string()).collect();
        names.push(path.display().to_string());
        return Err(ScenarioError::ExtendsCycle { path: path.to_path_buf(), chain: names.join(" -> ") });
    }
    let from = chain.last().cloned();
    chain.push(path.to_path_buf());
    let text = read_text(path, MAX_FILE_BYTES).map_err(|message| ScenarioError::Read {
        path: path.to_path_buf(),
        from,
        message,
    })?;
    let mut table = parse(path, &text)?;
    let replaced = take_replace(path, &mut table)?;
    match take_extends(path, &mut table)? {
        Some(parent) => Ok(merge(drop_keys(resolve(&parent, chain)?, &replaced), table)),
        None => no_parent(path, &replaced).map(|()| table),
    }
}

/// The top-level keys of the parent a file replaces whole (`replace = [...]`).
fn take_replace(path: &Path, table: &mut Table) -> Result<Vec<String>, ScenarioError> {
    let bad = |message: String| ScenarioError::Invalid {
        path: path.to_path_buf(),
        problems: vec![Problem { key: "replace".into(), message }],
        omitted: 0,
    };
    let Some(value) = table.remove("replace") else { return Ok(Vec::new()) };
    let Value::Array(items) = value else {
        return Err(bad(format!("must be a list of top-level key names, got {}", value.type_str())));
    };
    let mut keys = Vec::new();
    for item in items {
        match item.as_str() {
            Some(k) if REPLACEABLE.contains(&k) => keys.push(k.to_string()),
            Some(k) => {
                return Err(bad(format!("\"{k}\" cannot be replaced (one of {})", REPLACEABLE.join(", "))));
            }
            None => return Err(bad(format!("must list key names (strings), got {}", item.type_str()))),
        }
    }
    Ok(keys)
}

/// Top-level keys `replace` may name: the arrays of tables that otherwise merge by name.
const REPLACEABLE: [&str; 2] = ["facilities", "conditions"];

fn drop_keys(mut base: Table, keys: &[String]) -> Table {
    for k in keys {
        base.remove(k);
    }
    base
}

fn no_parent(path: &Path, replaced: &[String]) -> Result<(), ScenarioError> {
    if replaced.is_empty() {
        return Ok(());
    }
    Err(ScenarioError::Invalid {
        path: path.to_path_buf(),
        problems: vec![Problem {
            key: "replace".into(),
            message: "applies only with `extends` (it drops keys of the parent scenario)".into(),
        }],
        omitted: 0,
    })
}

/// Largest scenario or targets file read, in bytes: far above any real scenario (the shipped ones
/// are under 40 kB), far below what would exhaust the memory.
pub const MAX_FILE_BYTES: u64 = 4 << 20;

/// Unknown keys listed at most (the rest are counted).
const MAX_UNKNOWN_KEPT: usize = 200;

/// Reads a text file of at most `limit` bytes; a device, a folder or a larger file is refused
/// before anything is read. The error says why, without the path (the caller names the file).
pub fn read_text(path: &Path, limit: u64) -> Result<String, String> {
    use std::io::Read as _;
    let meta = std::fs::metadata(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".to_string(),
        _ => e.to_string(),
    })?;
    if !meta.is_file() {
        return Err("not a regular file (a folder, a device or a pipe)".into());
    }
    if meta.len() > limit {
        return Err(format!(
            "{} bytes, more than the {} MiB a scenario or targets file may have",
            meta.len(),
            limit >> 20
        ));
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(limit + 1).read_to_end(&mut bytes))
        .map_err(|e| e.to_string())?;
    if bytes.len() as u64 > limit {
        return Err(format!("more than the {} MiB a scenario or targets file may have", limit >> 20));
    }
    String::from_utf8(bytes).map_err(|_| "not UTF-8 text".to_string())
}

/// A serde error in words a user can act on: `population = 5` → "must be a table …, got an
/// integer"; a missing key at the top of the file is named as such.
fn schema_message(key: &str, raw: &str) -> String {
    // The deserialiser may add a line naming the table; the key path says it already.
    let raw = raw.lines().next().unwrap_or(raw).trim();
    fn what(t: &str) -> &str {
        match t {
            "a sequence" => "an array",
            "a map" => "a table",
            other => other,
        }
    }
    if let Some(rest) = raw.strip_prefix("invalid type: ")
        && let Some((got, expected)) = rest.split_once(", expected ")
    {
        let expected = if expected.starts_with("struct ") { "a table" } else { what(expected) };
        let got = got.split(' ').next().unwrap_or(got);
        let got = match got {
            "integer" => "an integer",
            "floating" => "a number",
            "string" => "a string",
            "boolean" => "a boolean",
            "sequence" => "an array",
            "map" => "a table",
            other => other,
        };
        let key = if key.is_empty() { "the file" } else { key };
        return format!("{key}: must be {expected}, got {got}");
    }
    if let Some(field) = raw.strip_prefix("missing field ") {
        return if key.is_empty() || key == "." {
            format!("missing key {field} at the top of the file")
        } else {
            format!("{key}: missing key {field}")
        };
    }
    if key.is_empty() { raw.to_string() } else { format!("{key}: {raw}") }
}

/// Arrays of named tables in one file whose names repeat: entries merge by name through
/// `extends`, so a repeated name would silently keep only the last entry.
fn repeated_names(t: &Table, prefix: &str, out: &mut Vec<Problem>) {
    for (k, v) in t {
        let path = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
        match v {
            Value::Table(sub) => repeated_names(sub, &path, out),
            Value::Array(items) => {
                let mut seen: Vec<&str> = Vec::new();
                for (i, item) in items.iter().enumerate() {
                    let Some(sub) = item.as_table() else { continue };
                    let name = sub.get("name").and_then(Value::as_str);
                    let here = format!("{path}[{}]", name.map_or(i.to_string(), str::to_string));
                    if let Some(n) = name {
                        if seen.contains(&n) {
                            out.push(Problem {
                                key: format!("{path}[{i}].name"),
                                message: format!(
                                    "\"{n}\" appears twice in this file (entries are matched by name; give each its own)"
                                ),
                            });
                        }
                        seen.push(n);
                    }
                    repeated_names(sub, &here, out);
                }
            }
            _ => {}
        }
    }
}

fn parse(path: &Path, text: &str) -> Result<Table, ScenarioError> {
    let table = text
        .parse::<Table>()
        .map_err(|e| ScenarioError::Syntax { path: path.to_path_buf(), message: e.to_string() })?;
    let mut problems = Vec::new();
    repeated_names(&table, "", &mut problems);
    if problems.is_empty() {
        Ok(table)
    } else {
        Err(ScenarioError::Invalid { path: path.to_path_buf(), problems, omitted: 0 })
    }
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
