//! The parameter dictionary, `scenarios/README.md`, is generated from the doc comments of the
//! scenario schema (`sim/scenario/file.rs`) and must match them; every key a shipped scenario
//! writes must be in it.
//!
//! `UPDATE_DICTIONARY=1 cargo test dictionary` rewrites the file instead of comparing.

use crate::common::*;
use medgroup::scenario::dictionary::{Dictionary, UPDATE_COMMAND};
use toml::{Table, Value};

fn dictionary() -> Dictionary {
    Dictionary::new().unwrap_or_else(|errors| {
        panic!(
            "sim/scenario/file.rs: the doc comments do not document every key:\n  {}\n\
             Each field needs a meaning and `unit: … · range: … · default: … · source: …` \
             (see the module documentation of file.rs).",
            errors.join("\n  ")
        )
    })
}

#[test]
fn dictionary_is_up_to_date() {
    let fresh = dictionary().markdown();
    let path = repo("scenarios/README.md");
    if std::env::var("UPDATE_DICTIONARY").is_ok_and(|v| !v.is_empty() && v != "0") {
        std::fs::write(&path, &fresh).unwrap();
        println!("wrote {}", path.display());
        return;
    }
    let current = std::fs::read_to_string(&path).unwrap_or_default();
    if current != fresh {
        let line = current
            .lines()
            .zip(fresh.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| current.lines().count().min(fresh.lines().count()));
        panic!(
            "scenarios/README.md is stale: it no longer matches the doc comments of \
             sim/scenario/file.rs (first difference at line {}).\n\
             Regenerate it with\n\n    {UPDATE_COMMAND}\n\nand commit the result.",
            line + 1
        );
    }
}

/// The key paths of a TOML table, in the dictionary's notation (`facilities[].wards[].beds`).
fn keys(prefix: &str, table: &Table, out: &mut Vec<String>) {
    for (k, v) in table {
        let path = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
        match v {
            Value::Table(t) => keys(&path, t, out),
            Value::Array(items) if !items.is_empty() && items.iter().all(Value::is_table) => {
                for item in items.iter().filter_map(Value::as_table) {
                    keys(&format!("{path}[]"), item, out);
                }
            }
            _ => {}
        }
        out.push(path);
    }
}

/// The key paths of a TOML text.
fn keys_of(text: &str) -> Vec<String> {
    let table: Table = text.parse().unwrap();
    let mut found = Vec::new();
    keys("", &table, &mut found);
    found
}

#[test]
fn dictionary_key_walk_finds_nested_keys_and_misspellings() {
    let found = keys_of(
        "seed = 1\n[run]\ndayz = 3\n[[facilities]]\nname = \"a\"\n[[facilities.wards]]\nbeds = 2\n\
         [[conditions]]\ncapability = { primary = 0.5, member = 0.6, lead = 0.7 }\n",
    );
    for key in
        ["seed", "run", "run.dayz", "facilities", "facilities[].wards[].beds", "conditions[].capability.lead"]
    {
        assert!(found.iter().any(|k| k == key), "{key} not in {found:?}");
    }
    let d = dictionary();
    let missing: Vec<&String> = found.iter().filter(|k| !d.keys.contains(*k)).collect();
    assert_eq!(missing, ["run.dayz"], "only the misspelt key is missing");
}

#[test]
fn dictionary_has_every_key_of_the_shipped_scenarios() {
    let d = dictionary();
    let mut files = Vec::new();
    toml_files(&repo("scenarios"), &mut files);
    assert!(files.iter().any(|f| f.ends_with("baseline.toml")), "found {files:?}");
    for f in files {
        let found = keys_of(&std::fs::read_to_string(&f).unwrap());
        let missing: Vec<&String> = found.iter().filter(|k| !d.keys.contains(*k)).collect();
        assert!(
            missing.is_empty(),
            "{}: keys missing from the parameter dictionary: {missing:?}; document them in \
             sim/scenario/file.rs and run {UPDATE_COMMAND}",
            f.display()
        );
    }
}
