//! The published schemas, `scenarios/schema.json` and `scenarios/targets.schema.json`, are
//! generated from the serde types of the two files and must match them; every shipped scenario
//! and targets file names its schema in its first line (`#:schema …`, read by editors with TOML
//! schema support) and is valid against it, as an editor would check it; and the schema flags
//! what an editor should flag as a user types.
//!
//! `UPDATE_DICTIONARY=1 cargo test dictionary` rewrites both schemas with the dictionary.

use crate::common::*;
use medgroup::scenario::dictionary::{UPDATE_COMMAND, scenario_schema};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// The published schemas: (file under `scenarios/`, its text).
fn published() -> Vec<(&'static str, String)> {
    let text = |s: Result<Value, Vec<String>>| {
        let s = s
            .unwrap_or_else(|e| panic!("the schema's types are not fully documented:\n  {}", e.join("\n  ")));
        serde_json::to_string_pretty(&s).unwrap() + "\n"
    };
    vec![("schema.json", text(scenario_schema())), ("targets.schema.json", text(analysis::targets::schema()))]
}

#[test]
fn dictionary_published_schemas_are_up_to_date() {
    let update = std::env::var("UPDATE_DICTIONARY").is_ok_and(|v| !v.is_empty() && v != "0");
    for (name, fresh) in published() {
        let path = repo("scenarios").join(name);
        if update {
            std::fs::write(&path, &fresh).unwrap();
            println!("wrote {}", path.display());
            continue;
        }
        let current = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            current == fresh,
            "scenarios/{name} is stale: it no longer matches the serde types and doc comments it is \
             derived from. Regenerate it with\n\n    {UPDATE_COMMAND}\n\nand commit the result."
        );
    }
}

/// Every shipped scenario and targets file, with the schema it must name.
fn shipped() -> Vec<(PathBuf, &'static str)> {
    fn walk(dir: &Path, out: &mut Vec<(PathBuf, &'static str)>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "toml") {
                let targets = p.to_string_lossy().ends_with(".targets.toml");
                out.push((p, if targets { "targets.schema.json" } else { "schema.json" }));
            }
        }
    }
    let mut out = Vec::new();
    walk(&repo("scenarios"), &mut out);
    out.sort();
    out
}

/// The schema a file names in its first line, resolved against the file's folder.
fn named_schema(path: &Path) -> Option<PathBuf> {
    let text = std::fs::read_to_string(path).unwrap();
    let rel = text.lines().next()?.strip_prefix("#:schema ")?.trim();
    Some(path.parent().unwrap().join(rel))
}

#[test]
fn every_shipped_file_names_its_schema_and_is_valid_against_it() {
    let files = shipped();
    assert!(files.len() > 25, "found {files:?}");
    let validators: Vec<(&str, jsonschema::Validator)> = published()
        .into_iter()
        .map(|(name, text)| (name, jsonschema::draft4::new(&serde_json::from_str(&text).unwrap()).unwrap()))
        .collect();
    for (path, schema) in files {
        let named = named_schema(&path).unwrap_or_else(|| {
            panic!(
                "{}: the first line must be `#:schema <relative path to scenarios/{schema}>`",
                path.display()
            )
        });
        assert_eq!(
            named.canonicalize().ok(),
            repo("scenarios").join(schema).canonicalize().ok(),
            "{}: names {} instead of scenarios/{schema}",
            path.display(),
            named.display()
        );
        let instance = as_json(&std::fs::read_to_string(&path).unwrap());
        let v = &validators.iter().find(|(n, _)| *n == schema).unwrap().1;
        let errors: Vec<String> =
            v.iter_errors(&instance).map(|e| format!("{}: {e}", e.instance_path())).collect();
        assert!(
            errors.is_empty(),
            "{} is not valid against scenarios/{schema}:\n  {}",
            path.display(),
            errors.join("\n  ")
        );
    }
}

/// A TOML text as the JSON an editor validates.
fn as_json(text: &str) -> Value {
    let table: toml::Table = text.parse().unwrap();
    serde_json::to_value(table).unwrap()
}

/// The instance paths the scenario schema flags in `text`.
fn flagged(text: &str) -> Vec<String> {
    let schema = scenario_schema().unwrap();
    let v = jsonschema::draft4::new(&schema).unwrap();
    let instance = as_json(text);
    v.iter_errors(&instance).map(|e| e.instance_path().to_string()).collect()
}

#[test]
fn the_scenario_schema_flags_what_an_editor_should() {
    // A variant lists only what it changes: nothing it inherits is flagged as missing.
    assert_eq!(
        flagged("extends = \"baseline.toml\"\nname = \"v\"\n[policy.gatekeeping]\nmode = \"soft\"\n"),
        Vec::<String>::new()
    );
    // A misspelt key, a value out of range, a word outside the allowed list, a wrong type.
    let cases = [
        ("name = \"v\"\n[run]\ndayz = 3\n", "/run"),
        (
            "[[facilities]]\nname = \"lead\"\n[[facilities.wards]]\nname = \"m\"\nbeds = -1\n",
            "/facilities/0/wards/0/beds",
        ),
        ("[policy.gatekeeping]\nmode = \"sof\"\n", "/policy/gatekeeping/mode"),
        ("seed = \"twelve\"\n", "/seed"),
        ("[payment.reimbursement_resident]\nprimary = 1.5\n", "/payment/reimbursement_resident/primary"),
    ];
    for (text, path) in cases {
        assert_eq!(flagged(text), [path], "{text}");
    }
}
