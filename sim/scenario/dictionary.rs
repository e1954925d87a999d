//! The parameter dictionary (`scenarios/README.md`) and the published schema of the scenario file
//! (`scenarios/schema.json`), both derived from the serde types of the file.
//!
//! [`scenario_schema`] is the JSON Schema of [`ScenarioFile`] (with schemars, through
//! [`analysis::schema::publish`]): the doc comments of the types in [`super::file`],
//! [`super::shares`] and each lever's module in `crate::levers` become its descriptions, and each
//! field's tags (`unit`, `range`, `default`, `source`; the convention is in the module
//! documentation of `file.rs`) its annotations `x-unit`, `x-range`, `x-default` and `x-source`.
//! Editors with TOML schema support read it (every shipped scenario names it in its first line,
//! `#:schema …`) to validate and complete keys as a user types.
//!
//! [`Dictionary::from_schema`] walks that schema from its root to the TOML key paths: a property
//! whose schema is a reference to a table is a sub-table (`[path]`), an array of references an
//! array of tables (`[[…]]`, written `key[]` in a path), and a reference to `TierShares` the inline
//! table `{ primary, member, lead }`. It renders one markdown table per TOML table.
//!
//! A field without its meaning or one of its tags, or a `default` tag that contradicts the field's
//! `#[serde(default)]`, is an error, reported together with every other: a new key cannot ship
//! undocumented. This module does no I/O; the integration test `dictionary` compares both files
//! with what it generates and rewrites them on request.

use super::file::ScenarioFile;
use serde_json::Value;
use std::collections::BTreeSet;

/// The title of the published scenario schema.
pub const SCHEMA_TITLE: &str = "medgroup scenario file";

/// The tags every key of a scenario file must carry.
const TAGS: [&str; 4] = analysis::schema::TAGS;

/// Structs written as inline tables (one value per tier), documented once in a section of their
/// own rather than as a sub-table at every place they are used.
const INLINE: &[&str] = &["TierShares"];

/// The command that regenerates `scenarios/README.md` and the published schemas.
pub const UPDATE_COMMAND: &str = "UPDATE_DICTIONARY=1 cargo test dictionary";

/// The published JSON Schema of a scenario file, or every documentation error of its types.
pub fn scenario_schema() -> Result<Value, Vec<String>> {
    let mut schema = analysis::schema::publish::<ScenarioFile>(SCHEMA_TITLE, &TAGS)?;
    schema["x-schema-version"] = Value::from(super::schema::SCHEMA_VERSION);
    Ok(schema)
}

/// One key of the dictionary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// Full key path, e.g. `facilities[].wards[].beds`.
    pub key: String,
    pub unit: String,
    pub default: String,
    pub range: String,
    pub meaning: String,
    pub source: String,
}

/// The keys of one TOML table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    /// How the table is written in TOML (`[run]`, `[[facilities.wards]]`, the inline table's
    /// shape), or `Top-level keys`.
    pub title: String,
    pub doc: String,
    pub rows: Vec<Row>,
}

/// The whole dictionary: one section per TOML table, in the order the schema declares them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dictionary {
    pub sections: Vec<Section>,
    /// Every key path, including the members of inline tables (`conditions[].capability.lead`).
    pub keys: BTreeSet<String>,
}

/// A table of the schema: its name and its schema.
struct Table<'a> {
    name: &'a str,
    schema: &'a Value,
}

impl<'a> Table<'a> {
    fn doc(&self) -> String {
        self.schema.get("description").and_then(Value::as_str).unwrap_or("").to_string()
    }

    fn properties(&self) -> impl Iterator<Item = (&'a String, &'a Value)> {
        self.schema.get("properties").and_then(Value::as_object).into_iter().flatten()
    }
}

/// How a property appears in TOML.
enum Shape<'a> {
    Value,
    /// `[path]` (also for an optional table).
    Table(Table<'a>),
    /// `[[path]]`.
    Array(Table<'a>),
    Inline(Table<'a>),
}

/// The table a schema refers to (`$ref`, or schemars' `allOf: [{ $ref }]` beside a description).
fn reference<'a>(schema: &'a Value, definitions: &'a Value) -> Result<Option<Table<'a>>, String> {
    let target =
        schema.get("$ref").or_else(|| schema.get("allOf").and_then(|a| a.get(0)).and_then(|a| a.get("$ref")));
    let Some(target) = target.and_then(Value::as_str) else { return Ok(None) };
    let name = target.strip_prefix("#/definitions/").ok_or(format!("unknown reference {target}"))?;
    let schema = definitions.get(name).ok_or(format!("no definition {name}"))?;
    Ok(Some(Table { name, schema }))
}

fn shape<'a>(p: &'a Value, definitions: &'a Value) -> Result<Shape<'a>, String> {
    if let Some(t) = reference(p, definitions)? {
        return Ok(if INLINE.contains(&t.name) { Shape::Inline(t) } else { Shape::Table(t) });
    }
    if p.get("type").and_then(Value::as_str) == Some("array")
        && let Some(t) = p.get("items").map(|i| reference(i, definitions)).transpose()?.flatten()
    {
        if INLINE.contains(&t.name) {
            return Err(format!("a list of inline tables ({}) is not supported", t.name));
        }
        return Ok(Shape::Array(t));
    }
    Ok(Shape::Value)
}

impl Dictionary {
    /// The dictionary of the shipped schema.
    pub fn new() -> Result<Dictionary, Vec<String>> {
        Dictionary::from_schema(&scenario_schema()?)
    }

    /// The dictionary of a published schema (as [`analysis::schema::publish`] writes it).
    pub fn from_schema(schema: &Value) -> Result<Dictionary, Vec<String>> {
        let definitions = schema.get("definitions").unwrap_or(&Value::Null);
        let mut walk = Walk {
            definitions,
            sections: Vec::new(),
            keys: BTreeSet::new(),
            errors: Vec::new(),
            stack: Vec::new(),
        };
        let root = Table { name: schema.get("title").and_then(Value::as_str).unwrap_or("root"), schema };
        walk.table(root, "Top-level keys".into(), "", "");
        let mut inline_sections = Vec::new();
        for name in INLINE {
            if let Some(s) = definitions.get(*name) {
                let t = Table { name, schema: s };
                let rows = t.properties().map(|(k, p)| row(k.clone(), p)).collect();
                inline_sections.push(Section { title: inline_shape(&t), doc: t.doc(), rows });
            }
        }
        walk.sections.extend(inline_sections);
        if walk.errors.is_empty() {
            Ok(Dictionary { sections: walk.sections, keys: walk.keys })
        } else {
            Err(walk.errors)
        }
    }
    /// The dictionary as markdown: the introduction, then one table per TOML table.
    pub fn markdown(&self) -> String {
        let mut out = String::from(INTRO);
        out.push_str("\nThe tables, in the order of a scenario file:\n\n");
        let title = |s: &Section| {
            if s.title.starts_with(['[', '{']) { format!("`{}`", s.title) } else { s.title.clone() }
        };
        for s in &self.sections {
            out.push_str(&format!("- {}\n", title(s)));
        }
        for s in &self.sections {
            out.push_str(&format!("\n## {}\n\n", title(s)));
            if !s.doc.is_empty() {
                out.push_str(&format!("{}\n\n", s.doc));
            }
            out.push_str("| key | unit | default | allowed range | meaning | source |\n");
            out.push_str("|---|---|---|---|---|---|\n");
            for r in &s.rows {
                let cells = [
                    format!("`{}`", r.key),
                    cell(&r.unit),
                    cell(&r.default),
                    cell(&r.range),
                    cell(&r.meaning),
                    cell(&r.source),
                ];
                out.push_str(&format!("| {} |\n", cells.join(" | ")));
            }
        }
        out
    }
}

/// Escapes a table cell.
fn cell(text: &str) -> String {
    text.replace('|', "\\|")
}

/// A key's row, from its annotations; the meaning is its description up to the tags.
fn row(key: String, p: &Value) -> Row {
    let text = |k: &str| p.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    let description = text("description");
    let meaning = description.split("\n\n").next().unwrap_or("").to_string();
    Row {
        key,
        unit: text("x-unit"),
        default: text("x-default"),
        range: text("x-range"),
        meaning,
        source: text("x-source"),
    }
}

fn inline_shape(t: &Table) -> String {
    let names: Vec<&str> = t.properties().map(|(k, _)| k.as_str()).collect();
    format!("{{ {} }}", names.join(", "))
}

struct Walk<'a> {
    definitions: &'a Value,
    sections: Vec<Section>,
    keys: BTreeSet<String>,
    errors: Vec<String>,
    /// The tables being walked, outermost first (to refuse a recursive schema).
    stack: Vec<&'a str>,
}

impl<'a> Walk<'a> {
    /// Adds the section of table `t`, whose keys start with `prefix` (`facilities[].wards[]`) and
    /// whose TOML path is `dotted` (`facilities.wards`), then the sections of its sub-tables.
    fn table(&mut self, t: Table<'a>, title: String, prefix: &str, dotted: &str) {
        if self.stack.contains(&t.name) {
            self.errors.push(format!("{}: the schema is recursive", t.name));
            return;
        }
        self.stack.push(t.name);
        let index = self.sections.len();
        self.sections.push(Section { title, doc: t.doc(), rows: Vec::new() });
        let join = |base: &str, name: &str| {
            if base.is_empty() { name.to_string() } else { format!("{base}.{name}") }
        };
        let mut children = Vec::new();
        for (name, p) in t.properties() {
            let key = join(prefix, name);
            let mut r = row(key.clone(), p);
            self.keys.insert(key.clone());
            match shape(p, self.definitions) {
                Ok(Shape::Value) => {}
                Ok(Shape::Inline(inline)) => {
                    for (m, _) in inline.properties() {
                        self.keys.insert(format!("{key}.{m}"));
                    }
                    r.meaning.push_str(&format!(" An inline table `{}`.", inline_shape(&inline)));
                }
                Ok(Shape::Table(sub)) => {
                    let path = join(dotted, name);
                    r.meaning.push_str(&format!(" Keys: section `[{path}]`."));
                    children.push((sub, format!("[{path}]"), key, path));
                }
                Ok(Shape::Array(sub)) => {
                    let path = join(dotted, name);
                    r.meaning.push_str(&format!(" Keys: section `[[{path}]]`."));
                    children.push((sub, format!("[[{path}]]"), format!("{key}[]"), path));
                }
                Err(e) => self.errors.push(format!("{}.{name}: {e}", t.name)),
            }
            self.sections[index].rows.push(r);
        }
        for (sub, title, key, path) in children {
            self.table(sub, title, &key, &path);
        }
        self.stack.pop();
    }
}

const INTRO: &str = "\
# Scenario parameter dictionary

<!-- Generated from the published scenario schema (scenarios/schema.json), itself derived from
     the serde types and doc comments of sim/scenario/file.rs, shares.rs and the lever modules
     sim/levers/*.rs, by sim/scenario/dictionary.rs.
     Do not edit by hand: run `UPDATE_DICTIONARY=1 cargo test dictionary`. -->

A **scenario** is one TOML file that describes a medical group and an experiment: the resident
population and its chronic conditions, how patients seek care, choose a facility and are
referred, how care is paid for, the facilities with their clinics and wards, the policy levers,
and the run (days, warm-up, replications, seed). `medgroup validate FILE` checks one and
`medgroup run FILE` runs it. `baseline.toml` is a group before reform: it sets every key but
the levers, each with a comment giving its unit and source; start from it.

- **Variants.** `extends = \"baseline.toml\"` (a path relative to the extending file) loads that
  scenario first and lays this file's keys over it: tables merge key by key; arrays of tables whose
  entries have a `name` (age bands, conditions, facilities, wards) merge entry by entry, and an
  entry with a new name is added; any other value is replaced. A variant lists only what it
  changes.
- **Policy levers** live under `[policy]` (DESIGN.md section 3.4), one table per lever
  (`[policy.gatekeeping]`, `[policy.bed_sinking]`, …; `[[policy.expert_studios]]` is a list of
  batches). A lever whose table is absent is off. The values the levers replace (reimbursement,
  referral completion and processing time, down-referral) are set before reform in `[payment]` and
  `[referral]`.
- **`start_day`.** A lever switches on at the start of its `start_day` and stays on. Days count
  from 0, the first warm-up day, so a lever meant to start on recorded day *d* has `start_day =
  run.warmup_days + d`; a before/after comparison is one run. Leaving `start_day` out switches the
  lever on from day 0. It must fall inside the run (at most `run.warmup_days + run.days − 1`).
- **Errors.** Unknown keys are refused, and `validate` lists every problem at once with its key
  path and allowed range.
- **Editors.** `schema.json` beside this file is the same dictionary as a JSON Schema (draft 4),
  and every shipped scenario names it in its first line, `#:schema ./schema.json` (a path
  relative to the file). An editor with TOML schema support (Even Better TOML, which is Taplo, in
  VS Code; Taplo in Zed, Helix or Neovim) then completes keys, shows each key's meaning, unit,
  range and source, and flags unknown keys, wrong types and values outside a range it can check
  (`[a, b]`, `integer a..=b`, `one of …`). No key is marked required there, since a variant
  inherits most of them; `medgroup validate` checks that and the rules that tie keys together.
  Targets files name `targets.schema.json` the same way.

How to read the tables:

- **key**: the full path. `a.b` is key `b` of table `[a]`; `a[]` marks an array of tables
  (`[[a]]`), so `facilities[].wards[].beds` is `beds` in a `[[facilities.wards]]` entry.
  `{ primary, member, lead }` is an inline table with one value per tier, e.g.
  `capability = { primary = 0.7, member = 0.8, lead = 0.9 }`.
- **unit**: the unit the file is written in. Rates per year are converted to per day with 365.25
  days a year; shares and probabilities are written 0–1; money is in yuan; utilities are terms of
  the multinomial-logit choice.
- **default**: `required` means the key must be written (or inherited through `extends`);
  otherwise, what leaving it out means.
- **allowed range**: what validation enforces. `[a, b]` includes both ends, `(a, b]` excludes
  `a`, `integer a..=b` is a whole number; rules that tie keys together follow a semicolon.
- **source**: where the value in `baseline.toml` comes from, as its comments cite it: a row of
  `../shared/data/params.csv` (by its `parameter` name) or `../shared/data/pilot_sites.md`.
  *assumption — sweepable, calibratable* marks a behavioural response that no source pins down.
  *policy setting* is a value the scenario chooses (the baseline sets no lever); what the pilot
  sites did is cited beside it. *not a model parameter* marks labels and experiment settings.

This file and `schema.json` are generated from the scenario file's serde types and their doc
comments (`sim/scenario/file.rs` and `shares.rs`, and each lever's table in its module
`sim/levers/<lever>.rs`); a test fails when either is stale, and a key without its unit, range,
default and source fails the generator. To regenerate them after changing the schema's comments,
run `UPDATE_DICTIONARY=1 cargo test dictionary`.
";

#[cfg(test)]
mod tests {
    use super::*;
    use schemars::JsonSchema;
    use serde::Deserialize;

    /// A scenario.
    #[derive(Deserialize, JsonSchema)]
    #[allow(dead_code)]
    struct ScenarioFile {
        /// The run's name.
        /// unit: text · range: any string · default: required · source: not a model parameter
        name: String,
        /// Wards.
        /// unit: array of tables · range: at least 1 entry · default: none
        /// · source: see its keys
        #[serde(default)]
        wards: Vec<WardFile>,
        /// Switch-on day.
        /// unit: simulation day · range: integer 0..=9 · default: 0 (from the start) · source: policy setting
        #[serde(default)]
        start_day: Option<i64>,
    }

    /// A ward.
    #[derive(Deserialize, JsonSchema)]
    #[allow(dead_code)]
    struct WardFile {
        /// Staffed beds.
        /// unit: beds · range: integer 0..=100 · default: required · source: assumption
        beds: i64,
        /// Capability by tier.
        /// unit: probability · range: each in [0, 1] · default: required · source: assumption
        capability: TierShares,
    }

    /// One number per tier.
    #[derive(Deserialize, JsonSchema)]
    #[allow(dead_code)]
    struct TierShares {
        /// CHCs.
        /// unit: as held · range: as held · default: required · source: as held
        primary: f64,
        /// Member hospitals.
        /// unit: as held · range: as held · default: required · source: as held
        member: f64,
        /// The lead hospital.
        /// unit: as held · range: as held · default: required · source: as held
        lead: f64,
    }

    #[test]
    fn dictionary_walks_the_schema_to_key_paths_and_tables() {
        let schema = analysis::schema::publish::<ScenarioFile>("test", &TAGS).unwrap();
        let d = Dictionary::from_schema(&schema).unwrap();
        let titles: Vec<&str> = d.sections.iter().map(|s| s.title.as_str()).collect();
        assert_eq!(titles, ["Top-level keys", "[[wards]]", "{ primary, member, lead }"]);
        assert_eq!(d.sections[0].doc, "A scenario.");
        let keys: Vec<&str> = d.keys.iter().map(String::as_str).collect();
        assert_eq!(
            keys,
            [
                "name",
                "start_day",
                "wards",
                "wards[].beds",
                "wards[].capability",
                "wards[].capability.lead",
                "wards[].capability.member",
                "wards[].capability.primary",
            ]
        );
        let wards = &d.sections[0].rows[1];
        assert_eq!(wards.default, "none", "tags may wrap over lines");
        assert_eq!(wards.source, "see its keys");
        assert_eq!(d.sections[0].rows[2].default, "0 (from the start)");
        let md = d.markdown();
        assert!(
            md.contains(
                "| `wards[].beds` | beds | required | integer 0..=100 | Staffed beds. | assumption |"
            ),
            "{md}"
        );
        assert!(md.contains("An inline table `{ primary, member, lead }`."), "{md}");
        assert!(md.contains("Wards. Keys: section `[[wards]]`."), "{md}");
    }

    #[test]
    fn dictionary_of_the_schema_has_every_key() {
        let schema = scenario_schema().unwrap_or_else(|e| panic!("{}", e.join("\n")));
        assert_eq!(schema["x-schema-version"], super::super::schema::SCHEMA_VERSION);
        let d = Dictionary::from_schema(&schema).unwrap_or_else(|e| panic!("{}", e.join("\n")));
        for key in [
            "extends",
            "seed",
            "run.days",
            "population.age_bands[].share",
            "conditions[].capability.primary",
            "payment.reimbursement_resident.lead",
            "policy.gatekeeping.mode",
            "policy.per_diem.segments[].until_day",
            "policy.expert_studios[].start_day",
            "facilities[].member_hospitals",
            "facilities[].wards[].beds",
        ] {
            assert!(d.keys.contains(key), "{key} is missing");
        }
        // Every row carries its tags, and the bounds an editor checks are the range's.
        for s in &d.sections {
            for r in &s.rows {
                assert!(
                    ![&r.unit, &r.range, &r.default, &r.source, &r.meaning].iter().any(|t| t.is_empty()),
                    "{}",
                    r.key
                );
            }
        }
        let beds = &schema["definitions"]["WardFile"]["properties"]["beds"];
        assert_eq!(beds["x-range"].as_str().map(|r| r.starts_with("integer 1..=")), Some(true), "{beds}");
        assert_eq!(beds["minimum"], 1, "{beds}");
    }
}
