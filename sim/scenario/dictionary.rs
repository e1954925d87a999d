//! The parameter dictionary (`scenarios/README.md`), generated from the schema's doc comments.
//!
//! The schema's sources ([`schema_sources`]: [`super::file`], [`super::shares`], and the
//! `[policy]` table and each lever's table in `crate::levers`) are embedded with `include_str!`
//! and read by a small parser made for their regular shape: `pub struct Name {` … `}` blocks
//! deriving `Deserialize` (other items of a lever module are skipped) with one field a line
//! (`pub name: Type,`), each field preceded by `///` doc comments and `#[…]` attributes. Every
//! field's comment holds its meaning and its tags (`unit`, `range`, `default`, `source`; the
//! convention is in the module documentation of `file.rs`). [`Dictionary::from_sources`] walks from
//! `ScenarioFile` through the field types to the TOML key paths: `Option<T>` and `T` of a schema
//! struct are sub-tables, `Vec<T>` an array of tables (`[[…]]`, written `key[]` in a path), and
//! `TierShares` the inline table `{ primary, member, lead }`. It renders one markdown table per
//! TOML table.
//!
//! A field without its meaning or one of its tags, a `default` tag that contradicts the field's
//! `#[serde(default)]`, a type the walk does not know and a struct the walk never reaches are all
//! errors, reported together: a new key cannot ship undocumented. This module does no I/O; the
//! integration test `dictionary` compares the result with the file and rewrites it on request.

use std::collections::{BTreeSet, HashSet};

/// The source files of the scenario schema: the file's own structure, the inline tables, the
/// `[policy]` table and each lever's module (whose schema structs are those deriving
/// `Deserialize`), as (path in the repository, text).
pub fn schema_sources() -> Vec<(String, &'static str)> {
    let mut out = vec![
        ("sim/scenario/file.rs".to_string(), include_str!("file.rs")),
        ("sim/scenario/shares.rs".to_string(), include_str!("shares.rs")),
        ("sim/levers/mod.rs".to_string(), include_str!("../levers/mod.rs")),
    ];
    for d in crate::levers::REGISTRY {
        out.push((format!("sim/levers/{}.rs", d.text.key), d.source));
    }
    out
}

/// The struct a whole scenario file deserialises into.
const ROOT: &str = "ScenarioFile";

/// Structs written as inline tables (one value per tier), documented once in a section of their
/// own rather than as a sub-table at every place they are used.
const INLINE: &[&str] = &["TierShares"];

/// The command that regenerates `scenarios/README.md`.
pub const UPDATE_COMMAND: &str = "UPDATE_DICTIONARY=1 cargo test dictionary";

/// The tags every field must carry, in the order the convention writes them.
const TAGS: [&str; 4] = ["unit", "range", "default", "source"];

/// A field of a schema struct, as written in the source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    pub name: String,
    /// The Rust type, as written (`Option<Vec<String>>`).
    pub ty: String,
    /// The doc comment before the tags, in one line.
    pub meaning: String,
    pub unit: String,
    pub range: String,
    pub default: String,
    pub source: String,
    /// Whether the field has `#[serde(default)]`.
    pub serde_default: bool,
}

/// A schema struct: one TOML table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Struct {
    pub name: String,
    /// The struct's doc comment, in one line (may be empty).
    pub doc: String,
    pub fields: Vec<Field>,
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

/// Parses the struct definitions of a schema source, or returns every documentation error.
pub fn parse(source: &str) -> Result<Vec<Struct>, Vec<String>> {
    let mut errors = Vec::new();
    let mut structs: Vec<Struct> = Vec::new();
    let mut open = false;
    let mut doc: Vec<String> = Vec::new();
    let mut serde_default = false;
    let mut deserialize = false;
    // Inside a struct that is not part of the schema (no `Deserialize`): skipped to its end.
    let mut skipping = false;
    for (i, raw) in source.lines().enumerate() {
        let n = i + 1;
        let line = raw.trim();
        if skipping {
            skipping = line != "}";
            continue;
        }
        if let Some(text) = line.strip_prefix("///") {
            doc.push(text.strip_prefix(' ').unwrap_or(text).to_string());
            continue;
        }
        if line.starts_with("#[") {
            let compact = line.replace(' ', "");
            serde_default |= compact.contains("serde(default)");
            deserialize |= compact.starts_with("#[derive(") && compact.contains("Deserialize");
            continue;
        }
        if line.is_empty() || line.starts_with("//") {
            continue;
        }
        if let Some(rest) = line.strip_prefix("pub struct ").filter(|_| !open) {
            let name: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
            if !deserialize {
                // Settings, resources and other types of a lever module: not the file schema.
                skipping = line.ends_with('{');
            } else {
                if !line.ends_with('{') {
                    errors.push(format!(
                        "line {n}: struct {name} must be written `pub struct {name} {{` with named fields"
                    ));
                }
                open = true;
                structs.push(Struct { name, doc: join(&doc), fields: Vec::new() });
            }
        } else if open && line == "}" {
            open = false;
        } else if let (true, Some(rest)) = (open, line.strip_prefix("pub ")) {
            let current = structs.last_mut().expect("a struct is open");
            match rest.split_once(':') {
                Some((name, ty)) => {
                    let name = name.trim().to_string();
                    let ty = ty.trim().trim_end_matches(',').trim().to_string();
                    match field(n, &current.name, name, ty, &doc, serde_default) {
                        Ok(f) => current.fields.push(f),
                        Err(e) => errors.extend(e),
                    }
                }
                None => errors.push(format!("line {n}: cannot read the field `{line}` of {}", current.name)),
            }
        } else if open {
            errors.push(format!("line {n}: the dictionary parser cannot read `{line}`"));
        }
        doc.clear();
        serde_default = false;
        deserialize = false;
    }
    if open {
        errors.push("the last struct is not closed".to_string());
    }
    if errors.is_empty() { Ok(structs) } else { Err(errors) }
}

fn join(doc: &[String]) -> String {
    doc.iter().map(|s| s.trim()).filter(|s| !s.is_empty()).collect::<Vec<_>>().join(" ")
}

/// Splits the doc comment of field `name` (on line `line` of struct `owner`) into meaning and
/// tags, checking each.
fn field(
    line: usize,
    owner: &str,
    name: String,
    ty: String,
    doc: &[String],
    serde_default: bool,
) -> Result<Field, Vec<String>> {
    let what = format!("line {line}: {owner}.{name}");
    if doc.is_empty() {
        return Err(vec![format!(
            "{what}: has no doc comment (meaning, then `unit: … · range: … · default: … · source: …`)"
        )]);
    }
    let split = doc.iter().position(|s| s.trim_start().starts_with("unit:")).unwrap_or(doc.len());
    let meaning = join(&doc[..split]);
    let tags = join(&doc[split..]);
    let mut errors = Vec::new();
    if meaning.is_empty() {
        errors.push(format!(
            "{what}: the doc comment needs a sentence saying what the key means before its tags"
        ));
    }
    let mut found: [Option<String>; 4] = Default::default();
    for part in tags.split(" · ").filter(|p| !p.trim().is_empty()) {
        let (tag, value) = part.split_once(':').unwrap_or((part, ""));
        let (tag, value) = (tag.trim(), value.trim());
        match TAGS.iter().position(|t| *t == tag) {
            Some(_) if value.is_empty() => errors.push(format!("{what}: tag `{tag}` is empty")),
            Some(k) if found[k].is_some() => errors.push(format!("{what}: tag `{tag}` appears twice")),
            Some(k) => found[k] = Some(value.to_string()),
            None => errors.push(format!("{what}: unknown tag `{tag}` (the tags are {})", TAGS.join(", "))),
        }
    }
    for (k, tag) in TAGS.iter().enumerate() {
        if found[k].is_none() {
            errors.push(format!("{what}: missing tag `{tag}:`"));
        }
    }
    if let Some(default) = &found[2] {
        if serde_default && default == "required" {
            errors.push(format!(
                "{what}: has #[serde(default)], so its `default` tag must say what leaving it out means"
            ));
        }
        if !serde_default && default != "required" {
            errors.push(format!("{what}: has no #[serde(default)], so its `default` tag must be `required`"));
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let [unit, range, default, source] = found.map(Option::unwrap_or_default);
    Ok(Field { name, ty, meaning, unit, range, default, source, serde_default })
}

/// How a field's type appears in TOML.
enum Shape<'a> {
    Value,
    /// `[path]` (also for `Option<T>`).
    Table(&'a Struct),
    /// `[[path]]`.
    Array(&'a Struct),
    Inline(&'a Struct),
}

fn shape<'a>(ty: &str, structs: &'a [Struct]) -> Result<Shape<'a>, String> {
    // A type named by its path (`gatekeeping::GatekeepingFile`) is found by its last segment.
    let find = |name: &str| structs.iter().find(|s| s.name == name.rsplit("::").next().unwrap_or(name));
    let inline = |name: &str| INLINE.contains(&name.rsplit("::").next().unwrap_or(name));
    let ty = inner(ty, "Option<").unwrap_or(ty);
    if let Some(item) = inner(ty, "Vec<") {
        return match find(item) {
            Some(_) if inline(item) => Err(format!("a list of inline tables ({item}) is not supported")),
            Some(s) => Ok(Shape::Array(s)),
            None => plain(item).then_some(Shape::Value).ok_or(format!("unknown type {item}")),
        };
    }
    match find(ty) {
        Some(s) if inline(ty) => Ok(Shape::Inline(s)),
        Some(s) => Ok(Shape::Table(s)),
        None => plain(ty).then_some(Shape::Value).ok_or(format!("unknown type {ty}")),
    }
}

/// `T` of `Wrapper<T>` (with `wrapper` = `"Wrapper<"`).
fn inner<'t>(ty: &'t str, wrapper: &str) -> Option<&'t str> {
    ty.strip_prefix(wrapper).and_then(|r| r.strip_suffix('>')).map(str::trim)
}

/// Whether a type is a plain TOML value: a string, boolean, number, or a list of them.
fn plain(ty: &str) -> bool {
    const SCALARS: [&str; 8] = ["String", "bool", "f64", "f32", "i64", "i32", "u64", "u32"];
    let ty = ty.trim();
    if let Some(item) = inner(ty, "Vec<") {
        return plain(item);
    }
    if let Some(body) = ty.strip_prefix('[').and_then(|r| r.strip_suffix(']')) {
        return body
            .split_once(';')
            .is_some_and(|(item, n)| plain(item) && n.trim().parse::<usize>().is_ok());
    }
    SCALARS.contains(&ty)
}

impl Dictionary {
    /// The dictionary of the shipped schema.
    pub fn new() -> Result<Dictionary, Vec<String>> {
        Dictionary::from_sources(&schema_sources())
    }

    /// The dictionary of a schema source whose root struct is `ScenarioFile`.
    pub fn from_source(source: &str) -> Result<Dictionary, Vec<String>> {
        Dictionary::from_sources(&[("schema".to_string(), source)])
    }

    /// The dictionary of schema sources (name, text) whose root struct is `ScenarioFile`; an
    /// error names the source it is in.
    pub fn from_sources(sources: &[(String, &str)]) -> Result<Dictionary, Vec<String>> {
        let mut structs = Vec::new();
        let mut errors = Vec::new();
        for (name, text) in sources {
            match parse(text) {
                Ok(s) => structs.extend(s),
                Err(e) => errors.extend(
                    e.into_iter().map(|e| if sources.len() > 1 { format!("{name}: {e}") } else { e }),
                ),
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let Some(root) = structs.iter().find(|s| s.name == ROOT) else {
            return Err(vec![format!("no struct {ROOT} in the schema")]);
        };
        let mut walk = Walk {
            structs: &structs,
            sections: Vec::new(),
            keys: BTreeSet::new(),
            errors: Vec::new(),
            stack: vec![ROOT],
        };
        let mut reached = HashSet::from([ROOT.to_string()]);
        walk.table(root, "Top-level keys".into(), "", "", &mut reached);
        for s in &structs {
            if !reached.contains(&s.name) {
                walk.errors.push(format!("struct {} is not reachable from {ROOT}", s.name));
            }
        }
        for name in INLINE {
            if let Some(s) = structs.iter().find(|s| s.name == *name).filter(|s| reached.contains(&s.name)) {
                let rows = s.fields.iter().map(|f| row(f.name.clone(), f)).collect();
                walk.sections.push(Section { title: inline_shape(s), doc: s.doc.clone(), rows });
            }
        }
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

fn row(key: String, f: &Field) -> Row {
    Row {
        key,
        unit: f.unit.clone(),
        default: f.default.clone(),
        range: f.range.clone(),
        meaning: f.meaning.clone(),
        source: f.source.clone(),
    }
}

fn inline_shape(s: &Struct) -> String {
    let names: Vec<&str> = s.fields.iter().map(|f| f.name.as_str()).collect();
    format!("{{ {} }}", names.join(", "))
}

struct Walk<'a> {
    structs: &'a [Struct],
    sections: Vec<Section>,
    keys: BTreeSet<String>,
    errors: Vec<String>,
    /// The structs being walked, outermost first (to refuse a recursive schema).
    stack: Vec<&'a str>,
}

impl<'a> Walk<'a> {
    /// Adds the section of table `s`, whose keys start with `prefix` (`facilities[].wards[]`) and
    /// whose TOML path is `dotted` (`facilities.wards`), then the sections of its sub-tables.
    fn table(
        &mut self,
        s: &'a Struct,
        title: String,
        prefix: &str,
        dotted: &str,
        reached: &mut HashSet<String>,
    ) {
        let index = self.sections.len();
        self.sections.push(Section { title, doc: s.doc.clone(), rows: Vec::new() });
        let join = |base: &str, name: &str| {
            if base.is_empty() { name.to_string() } else { format!("{base}.{name}") }
        };
        let mut children = Vec::new();
        for f in &s.fields {
            let key = join(prefix, &f.name);
            let mut r = row(key.clone(), f);
            self.keys.insert(key.clone());
            match shape(&f.ty, self.structs) {
                Ok(Shape::Value) => {}
                Ok(Shape::Inline(t)) => {
                    reached.insert(t.name.clone());
                    for m in &t.fields {
                        self.keys.insert(format!("{key}.{}", m.name));
                    }
                    r.meaning.push_str(&format!(" An inline table `{}`.", inline_shape(t)));
                }
                Ok(Shape::Table(t)) => {
                    let path = join(dotted, &f.name);
                    r.meaning.push_str(&format!(" Keys: section `[{path}]`."));
                    children.push((t, format!("[{path}]"), key, path));
                }
                Ok(Shape::Array(t)) => {
                    let path = join(dotted, &f.name);
                    r.meaning.push_str(&format!(" Keys: section `[[{path}]]`."));
                    children.push((t, format!("[[{path}]]"), format!("{key}[]"), path));
                }
                Err(e) => self.errors.push(format!("{}.{}: {e}", s.name, f.name)),
            }
            self.sections[index].rows.push(r);
        }
        for (t, title, key, path) in children {
            if self.stack.contains(&t.name.as_str()) {
                self.errors.push(format!("{}: the schema is recursive", t.name));
                continue;
            }
            reached.insert(t.name.clone());
            self.stack.push(&t.name);
            self.table(t, title, &key, &path, reached);
            self.stack.pop();
        }
    }
}

const INTRO: &str = "\
# Scenario parameter dictionary

<!-- Generated from the doc comments of the scenario schema (sim/scenario/file.rs, shares.rs and
     the lever modules sim/levers/*.rs) by sim/scenario/dictionary.rs.
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

This file is generated from the doc comments of the scenario schema (`sim/scenario/file.rs` and
`shares.rs`, and each lever's table in its module `sim/levers/<lever>.rs`); a
test fails when it is stale, and a key without its unit, range, default and source fails the
generator. To regenerate it after changing the schema's comments, run
`UPDATE_DICTIONARY=1 cargo test dictionary`.
";

#[cfg(test)]
mod tests {
    use super::*;

    const SNIPPET: &str = r#"
/// A scenario.
#[derive(Debug, Deserialize)]
pub struct ScenarioFile {
    /// The run's name.
    /// unit: text · range: any string · default: required · source: not a model parameter
    pub name: String,
    /// Wards.
    /// unit: array of tables · range: at least 1 entry · default: none
    /// · source: see its keys
    #[serde(default)]
    pub wards: Vec<WardFile>,
    /// Switch-on day.
    /// unit: simulation day · range: integer 0..=9 · default: 0 (from the start) · source: policy setting
    #[serde(default)]
    pub start_day: Option<i64>,
}

/// A ward.
#[derive(Debug, Deserialize)]
pub struct WardFile {
    /// Staffed beds.
    /// unit: beds · range: integer 0..=100 · default: required · source: assumption
    pub beds: i64,
    /// Capability by tier.
    /// unit: probability · range: each in [0, 1] · default: required · source: assumption
    pub capability: TierShares,
}

/// One number per tier.
#[derive(Debug, Deserialize)]
pub struct TierShares {
    /// CHCs.
    /// unit: as held · range: as held · default: required · source: as held
    pub primary: f64,
    /// Member hospitals.
    /// unit: as held · range: as held · default: required · source: as held
    pub member: f64,
    /// The lead hospital.
    /// unit: as held · range: as held · default: required · source: as held
    pub lead: f64,
}
"#;

    #[test]
    fn dictionary_parser_reads_fields_tags_and_key_paths() {
        let structs = parse(SNIPPET).unwrap();
        assert_eq!(structs.len(), 3);
        let wards = &structs[0].fields[1];
        assert_eq!(wards.name, "wards");
        assert_eq!(wards.ty, "Vec<WardFile>");
        assert_eq!(wards.meaning, "Wards.");
        assert_eq!(wards.default, "none", "tags may wrap over lines");
        assert_eq!(wards.source, "see its keys");
        assert!(wards.serde_default);
        assert_eq!(structs[0].fields[2].default, "0 (from the start)");

        let d = Dictionary::from_source(SNIPPET).unwrap();
        let titles: Vec<&str> = d.sections.iter().map(|s| s.title.as_str()).collect();
        assert_eq!(titles, ["Top-level keys", "[[wards]]", "{ primary, member, lead }"]);
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
        let md = d.markdown();
        assert!(
            md.contains(
                "| `wards[].beds` | beds | required | integer 0..=100 | Staffed beds. | assumption |"
            ),
            "{md}"
        );
        assert!(md.contains("An inline table `{ primary, member, lead }`."), "{md}");
    }

    #[test]
    fn dictionary_parser_reports_every_missing_tag() {
        let broken = SNIPPET
            .replace(
                "unit: beds · range: integer 0..=100 · default: required · source: assumption",
                "unit: beds",
            )
            .replace("    /// The run's name.\n", "")
            .replacen("default: 0 (from the start)", "default: required", 1);
        let errors = Dictionary::from_source(&broken).unwrap_err();
        let all = errors.join("\n");
        assert!(all.contains("WardFile.beds: missing tag `range:`"), "{all}");
        assert!(all.contains("WardFile.beds: missing tag `default:`"), "{all}");
        assert!(all.contains("WardFile.beds: missing tag `source:`"), "{all}");
        assert!(all.contains("ScenarioFile.name: the doc comment needs a sentence"), "{all}");
        assert!(all.contains("ScenarioFile.start_day: has #[serde(default)]"), "{all}");
        assert_eq!(errors.len(), 5, "{all}");

        let undocumented = SNIPPET.replace("    /// Staffed beds.\n    /// unit: beds · range: integer 0..=100 · default: required · source: assumption\n", "");
        let errors = Dictionary::from_source(&undocumented).unwrap_err();
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(errors[0].contains("WardFile.beds: has no doc comment"), "{errors:?}");

        let orphan = format!("{SNIPPET}\n/// Unused.\n#[derive(Deserialize)]\npub struct Orphan {{\n}}\n");
        let errors = Dictionary::from_source(&orphan).unwrap_err();
        assert_eq!(errors, ["struct Orphan is not reachable from ScenarioFile"]);
    }

    #[test]
    fn dictionary_of_the_schema_has_every_key() {
        let d = Dictionary::new().unwrap_or_else(|e| panic!("{}", e.join("\n")));
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
        let fields: usize = schema_sources()
            .iter()
            .map(|(_, text)| parse(text).unwrap().iter().map(|s| s.fields.len()).sum::<usize>())
            .sum();
        let rows: usize = d.sections.iter().map(|s| s.rows.len()).sum();
        assert_eq!(rows, fields, "one row per field of every struct");
    }
}
