//! The published JSON Schemas of the input files (`scenarios/schema.json` for scenarios,
//! `scenarios/targets.schema.json` for targets files), derived from their serde types.
//!
//! [`publish`] asks schemars for the schema of a type (its doc comments become descriptions) and
//! then shapes it for TOML editors, which read JSON Schema draft 4 (Taplo, the engine of most TOML
//! editor plug-ins, reads no later draft):
//!
//! - every table refuses keys it does not declare (`additionalProperties: false`), as the loaders
//!   do;
//! - no key is listed as `required`: a variant inherits most keys through `extends`, and a table of
//!   a variant lists only what it changes, so an editor would flag every variant. Whether a key
//!   must be written is the `x-default` annotation (`required`), and `medgroup validate` checks it;
//! - TOML has no null: an optional key's schema is the schema of its value;
//! - each key's doc comment is split into its meaning (the `description`) and its tags (`unit: … ·
//!   range: … · default: … · source: …`, the convention of `sim/scenario/file.rs`), which become
//!   the annotations `x-unit`, `x-range`, `x-default` and `x-source` and are repeated after the
//!   meaning, so that an editor's hover shows them;
//! - a range an editor can check is also written as a bound or a list of values: `[a, b]`, `(a,
//!   b]` and `integer a..=b` become `minimum`/`maximum` (with draft 4's `exclusiveMinimum: true`
//!   for an open end), `one of "x", "y"` becomes `enum`, and `each in …`/`each one of …` apply
//!   to the items of a list (or to every key of a table of numbers such as `{ primary, member,
//!   lead }`). What follows a semicolon (rules that tie keys together) stays text:
//!   `medgroup validate` checks it.
//!
//! A key without its meaning or a tag the file requires, an unknown or repeated tag, and a
//! `default` tag that contradicts the type (`required` on a key serde may leave out, or a default
//! on one it may not) are errors, reported together: a new key cannot ship undocumented.

use schemars::JsonSchema;
use schemars::generate::SchemaSettings;
use serde_json::{Map, Value, json};

/// The meta-schema the published schemas conform to.
pub const DRAFT_04: &str = "http://json-schema.org/draft-04/schema#";

/// The tags a key's doc comment may carry, in the order they are written.
pub const TAGS: [&str; 4] = ["unit", "range", "default", "source"];

/// The published schema of type `T`: titled `title`, each key's tags split off its description,
/// every tag of `required_tags` demanded of every key. Errors name the struct and field
/// (`WardFile.beds: missing tag `range:``).
pub fn publish<T: JsonSchema>(title: &str, required_tags: &[&str]) -> Result<Value, Vec<String>> {
    let mut root = SchemaSettings::draft07().into_generator().into_root_schema_for::<T>().to_value();
    let root_name = root.get("title").and_then(Value::as_str).unwrap_or("root").to_string();
    let mut errors = Vec::new();
    if let Some(definitions) = root.get_mut("definitions").and_then(Value::as_object_mut) {
        for (name, def) in definitions.iter_mut() {
            table(name, def, required_tags, &mut errors);
        }
    }
    table(&root_name, &mut root, required_tags, &mut errors);
    let Value::Object(fields) = root else { unreachable!("a struct's schema is an object") };
    // The meta-schema and title first, then the rest in schemars' order.
    let mut out = Map::new();
    out.insert("$schema".into(), json!(DRAFT_04));
    out.insert("title".into(), json!(title));
    out.extend(fields.into_iter().filter(|(k, _)| k != "$schema" && k != "title"));
    if errors.is_empty() { Ok(Value::Object(out)) } else { Err(errors) }
}

/// Shapes the schema of struct `name` (a table) and of each of its keys.
fn table(name: &str, schema: &mut Value, required_tags: &[&str], errors: &mut Vec<String>) {
    let Some(o) = schema.as_object_mut() else { return };
    if !o.contains_key("properties") {
        return;
    }
    let required: Vec<String> = o
        .remove("required")
        .and_then(|r| r.as_array().cloned())
        .unwrap_or_default()
        .into_iter()
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect();
    o.insert("additionalProperties".into(), Value::Bool(false));
    if let Some(d) = o.get("description").and_then(Value::as_str) {
        let one = join(&d.lines().collect::<Vec<_>>());
        o.insert("description".into(), Value::String(one));
    }
    let Some(properties) = o.get_mut("properties").and_then(Value::as_object_mut) else { return };
    for (field, p) in properties.iter_mut() {
        let what = format!("{name}.{field}");
        drop_null(p);
        match key_doc(&what, p, required.contains(field), required_tags) {
            Ok(tags) => annotate(p, &tags),
            Err(e) => errors.extend(e),
        }
    }
}

/// An optional key's schema without its null: TOML cannot write null.
fn drop_null(p: &mut Value) {
    let Some(o) = p.as_object_mut() else { return };
    if o.get("default").is_some_and(Value::is_null) {
        o.remove("default");
    }
    if let Some(Value::Array(types)) = o.get("type") {
        let kept: Vec<Value> = types.iter().filter(|t| t.as_str() != Some("null")).cloned().collect();
        let one = if kept.len() == 1 { kept[0].clone() } else { Value::Array(kept) };
        o.insert("type".into(), one);
    }
    if let Some(Value::Array(any)) = o.get("anyOf") {
        let kept: Vec<Value> =
            any.iter().filter(|s| s.get("type").and_then(Value::as_str) != Some("null")).cloned().collect();
        if kept.len() < any.len() {
            o.remove("anyOf");
            o.insert("allOf".into(), Value::Array(kept));
        }
    }
}

/// One key's tags, in the order of [`TAGS`] (`None` for a tag not written).
type Tags = [Option<String>; 4];

/// Splits the doc comment of key `what` into its meaning and its tags and checks them.
fn key_doc(what: &str, p: &mut Value, required: bool, required_tags: &[&str]) -> Result<Tags, Vec<String>> {
    let doc = p.get("description").and_then(Value::as_str).unwrap_or("").to_string();
    let lines: Vec<&str> = doc.lines().collect();
    if lines.iter().all(|l| l.trim().is_empty()) && !required_tags.is_empty() {
        return Err(vec![format!(
            "{what}: has no doc comment (meaning, then `unit: … · range: … · default: … · source: …`)"
        )]);
    }
    let split = lines.iter().position(|s| s.trim_start().starts_with("unit:")).unwrap_or(lines.len());
    let meaning = join(&lines[..split]);
    let written = join(&lines[split..]);
    let mut errors = Vec::new();
    if meaning.is_empty() {
        errors.push(format!(
            "{what}: the doc comment needs a sentence saying what the key means before its tags"
        ));
    }
    let mut found: Tags = Default::default();
    for part in written.split(" · ").filter(|p| !p.trim().is_empty()) {
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
        if found[k].is_none() && required_tags.contains(tag) {
            errors.push(format!("{what}: missing tag `{tag}:`"));
        }
    }
    if let Some(default) = &found[2] {
        if !required && default == "required" {
            errors.push(format!(
                "{what}: has #[serde(default)] (or is an Option), so its `default` tag must say what leaving it out means"
            ));
        }
        if required && default != "required" {
            errors.push(format!("{what}: has no #[serde(default)], so its `default` tag must be `required`"));
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut description = meaning;
    let shown: Vec<String> =
        TAGS.iter().zip(&found).filter_map(|(t, v)| v.as_ref().map(|v| format!("{t}: {v}"))).collect();
    if !shown.is_empty() {
        description.push_str("\n\n");
        description.push_str(&shown.join(" · "));
    }
    p["description"] = Value::String(description);
    Ok(found)
}

/// Lines of a doc comment in one line.
fn join(lines: &[&str]) -> String {
    lines.iter().map(|s| s.trim()).filter(|s| !s.is_empty()).collect::<Vec<_>>().join(" ")
}

/// Writes a key's tags as annotations, and its range as bounds or values where it can.
fn annotate(p: &mut Value, tags: &Tags) {
    for (tag, value) in TAGS.iter().zip(tags) {
        if let Some(v) = value {
            p[format!("x-{tag}")] = Value::String(v.clone());
        }
    }
    let Some(range) = &tags[1] else { return };
    // Rules that tie keys together follow a semicolon: an editor cannot check them.
    let range = range.split(';').next().unwrap_or("").trim();
    let ty = |s: &Value| s.get("type").and_then(Value::as_str).map(str::to_string);
    match ty(p).as_deref() {
        Some("number" | "integer" | "string") => constrain(p, range),
        Some("array") => {
            if let Some(each) = range.find("each ").map(|i| &range[i + "each ".len()..]) {
                let each = each.strip_prefix("in ").unwrap_or(each);
                if let Some(items) = p.get_mut("items")
                    && matches!(ty(items).as_deref(), Some("number" | "integer" | "string"))
                {
                    constrain(items, each);
                }
            }
        }
        _ => {
            // A table of numbers (`{ primary, member, lead }`) whose range is `each in …`: the bound
            // applies to every key of the referenced table.
            let each = range.strip_prefix("each in ").and_then(bounds);
            if let (Some(b), Some(Value::Array(all))) = (each, p.get_mut("allOf")) {
                let mut every = json!({});
                put_bounds(&mut every, b);
                all.push(json!({ "patternProperties": { "^": every } }));
            }
        }
    }
}

/// Adds what an editor can check of `range` to the schema of a value.
fn constrain(s: &mut Value, range: &str) {
    let string = s.get("type").and_then(Value::as_str) == Some("string");
    if string {
        if let Some(values) = one_of(range) {
            s["enum"] = Value::Array(values.into_iter().map(Value::String).collect());
        }
    } else if let Some(b) = bounds(range) {
        put_bounds(s, b);
    }
}

/// Writes bounds as draft 4 does: `minimum`/`maximum`, with `exclusiveMinimum: true` for an open end.
fn put_bounds(s: &mut Value, b: Bounds) {
    if let Some((lo, open)) = b.lo {
        s["minimum"] = lo;
        if open {
            s["exclusiveMinimum"] = Value::Bool(true);
        }
    }
    if let Some((hi, open)) = b.hi {
        s["maximum"] = hi;
        if open {
            s["exclusiveMaximum"] = Value::Bool(true);
        }
    }
}

/// The values of a range written `one of "a", "b"` (also `each one of …`, or a comma after the
/// list: `one of "a", "b", at most …` keeps the quoted ones).
pub fn one_of(range: &str) -> Option<Vec<String>> {
    let list = range.strip_prefix("one of ")?;
    let values: Vec<String> = list
        .split(',')
        .map(str::trim)
        .take_while(|v| v.len() >= 2 && v.starts_with('"') && v.ends_with('"'))
        .map(|v| v[1..v.len() - 1].to_string())
        .collect();
    (!values.is_empty()).then_some(values)
}

/// The bounds of a numeric range: each end's value and whether it is open.
#[derive(Debug, PartialEq)]
pub struct Bounds {
    pub lo: Option<(Value, bool)>,
    pub hi: Option<(Value, bool)>,
}

/// The bounds of a range written `[a, b]`, `(a, b]`, `[a, b)` or `integer a..=b` (an end that is
/// not a number, such as `integer 0..=(run.days − 1)`, is left out).
pub fn bounds(range: &str) -> Option<Bounds> {
    let number = |t: &str| -> Option<Value> {
        let t = t.trim().replace('−', "-");
        if let Ok(i) = t.parse::<i64>() {
            return Some(json!(i));
        }
        t.parse::<f64>().ok().filter(|x| x.is_finite()).map(|x| json!(x))
    };
    if let Some(rest) = range.strip_prefix("integer ") {
        let (lo, hi) = rest.split_once("..=")?;
        let hi = hi.split([',', ' ']).next().unwrap_or("");
        let b = Bounds { lo: number(lo).map(|v| (v, false)), hi: number(hi).map(|v| (v, false)) };
        return (b.lo.is_some() || b.hi.is_some()).then_some(b);
    }
    let open_lo = match range.chars().next()? {
        '[' => false,
        '(' => true,
        _ => return None,
    };
    let close = range.find([']', ')'])?;
    let open_hi = range[close..].starts_with(')');
    let (lo, hi) = range[1..close].split_once(',')?;
    let b = Bounds { lo: number(lo).map(|v| (v, open_lo)), hi: number(hi).map(|v| (v, open_hi)) };
    (b.lo.is_some() || b.hi.is_some()).then_some(b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    /// A file.
    #[derive(Deserialize, JsonSchema)]
    #[allow(dead_code)]
    struct FileDoc {
        /// Beds.
        /// unit: beds · range: integer 1..=100; at most the ward's · default: required
        beds: i64,
        /// A share.
        /// unit: share · range: (0, 1] · default: 1
        #[serde(default)]
        share: Option<f64>,
        /// The mode.
        /// unit: text · range: one of "soft", "strict" · default: "soft"
        #[serde(default)]
        mode: Option<String>,
        /// Days.
        /// unit: day names · range: each one of "mon", "tue" · default: required
        days: Vec<String>,
        /// Sub-table.
        /// unit: table · range: see its section · default: required
        sub: Sub,
    }

    /// A sub-table.
    #[derive(Deserialize, JsonSchema)]
    #[allow(dead_code)]
    struct Sub {
        /// Per band.
        /// unit: days · range: one number per band, each in [0, 365] · default: required
        per_band: Vec<f64>,
    }

    #[test]
    fn publish_splits_tags_into_annotations_and_bounds() {
        let s = publish::<FileDoc>("A file", &["unit", "range", "default"]).unwrap();
        assert_eq!(s["$schema"], DRAFT_04);
        assert_eq!(s["title"], "A file");
        assert_eq!(s["additionalProperties"], false);
        assert!(s.get("required").is_none(), "a variant may leave any key to its parent");
        let p = &s["properties"];
        assert_eq!(p["beds"]["x-unit"], "beds");
        assert_eq!(
            p["beds"]["description"],
            "Beds.\n\nunit: beds · range: integer 1..=100; at most the ward's · default: required"
        );
        assert_eq!((p["beds"]["minimum"].clone(), p["beds"]["maximum"].clone()), (json!(1), json!(100)));
        assert_eq!(p["share"]["type"], "number", "no null in TOML");
        assert_eq!(p["share"]["exclusiveMinimum"], true);
        assert_eq!(p["share"]["minimum"], json!(0));
        assert_eq!(p["mode"]["enum"], json!(["soft", "strict"]));
        assert_eq!(p["days"]["items"]["enum"], json!(["mon", "tue"]));
        let sub = &s["definitions"]["Sub"];
        assert_eq!(sub["additionalProperties"], false);
        assert_eq!(sub["properties"]["per_band"]["items"]["maximum"], json!(365));
        assert_eq!(p["sub"]["allOf"][0]["$ref"], "#/definitions/Sub");
    }

    /// A broken file.
    #[derive(Deserialize, JsonSchema)]
    #[allow(dead_code)]
    struct Broken {
        /// No tags.
        a: i64,
        /// unit: x · range: y · default: required
        b: i64,
        /// Optional but said required.
        /// unit: x · range: y · default: required
        #[serde(default)]
        c: i64,
        /// Required but given a default.
        /// unit: x · range: y · default: 3 · colour: red
        d: i64,
        e: i64,
    }

    #[test]
    fn publish_reports_every_documentation_error() {
        let errors = publish::<Broken>("Broken", &["unit", "range", "default"]).unwrap_err();
        let all = errors.join("\n");
        for e in [
            "Broken.a: missing tag `unit:`",
            "Broken.a: missing tag `range:`",
            "Broken.a: missing tag `default:`",
            "Broken.b: the doc comment needs a sentence",
            "Broken.c: has #[serde(default)]",
            "Broken.d: unknown tag `colour`",
            "Broken.d: has no #[serde(default)], so its `default` tag must be `required`",
            "Broken.e: has no doc comment",
        ] {
            assert!(all.contains(e), "{e} not in\n{all}");
        }
        assert_eq!(errors.len(), 8, "{all}");
    }

    #[test]
    fn ranges_an_editor_can_check() {
        let b = bounds("[0, 1]").unwrap();
        assert_eq!(b, Bounds { lo: Some((json!(0), false)), hi: Some((json!(1), false)) });
        let b = bounds("(0, 3650]").unwrap();
        assert_eq!(b.lo, Some((json!(0), true)));
        assert_eq!(bounds("[-50, 0]").unwrap().lo, Some((json!(-50), false)));
        assert_eq!(bounds("[0.5, 2.5)").unwrap().hi, Some((json!(2.5), true)));
        let b = bounds("integer 0..=(run.warmup_days + run.days − 1)").unwrap();
        assert_eq!((b.lo, b.hi), (Some((json!(0), false)), None));
        assert_eq!(
            bounds("integer 0..=4, at most the number of groups − 1").unwrap().hi,
            Some((json!(4), false))
        );
        assert_eq!(
            bounds("integer 0..=9007199254740992 (2^53)").unwrap().hi,
            Some((json!(9007199254740992_i64), false))
        );
        assert_eq!(bounds("any string"), None);
        assert_eq!(bounds("true or false"), None);
        assert_eq!(one_of(r#"one of "a", "b""#).unwrap(), ["a", "b"]);
        assert_eq!(one_of(r#"one of `conditions[].name`"#), None);
    }
}
