//! Every lever of the registry (`medgroup::levers::REGISTRY`) has every part: its explanation in
//! both languages (for the report), its table in the parameter dictionary, a validation that
//! accepts it in a scenario, and a direction-of-effect test in `levers.rs`.

use medgroup::levers::REGISTRY;
use medgroup::scenario::dictionary::Dictionary;

/// The direction-of-effect tests, read as text: each sets its levers with `policy.set("<key>"`.
const DIRECTION_TESTS: &str = include_str!("levers.rs");

#[test]
fn every_lever_has_its_text_dictionary_entry_and_direction_test() {
    let dictionary = Dictionary::new().expect("the schema documents every key");
    let compact: String = DIRECTION_TESTS.chars().filter(|c| !c.is_whitespace()).collect();
    let mut keys: Vec<&str> = Vec::new();
    for d in REGISTRY {
        let t = &d.text;
        assert!(!keys.contains(&t.key), "{} is listed twice", t.key);
        keys.push(t.key);
        assert!(!t.en.trim().is_empty() && !t.explain_en.trim().is_empty(), "{}: English text", t.key);
        assert!(t.zh.chars().any(|c| c > '\u{2e80}'), "{}: Chinese name", t.key);
        assert!(t.explain_zh.chars().any(|c| c > '\u{2e80}'), "{}: Chinese explanation", t.key);
        let prefix = [format!("policy.{}.", t.key), format!("policy.{}[].", t.key)];
        assert!(
            dictionary.keys.iter().any(|k| prefix.iter().any(|p| k.starts_with(p.as_str()))),
            "{}: no key policy.{}.… in the parameter dictionary",
            t.key,
            t.key
        );
        assert!(
            compact.contains(&format!("policy.set(\"{}\"", t.key)),
            "{}: no direction-of-effect test in tests/integration/levers.rs sets it",
            t.key
        );
    }
    assert_eq!(keys.len(), medgroup::levers::TEXTS.len(), "the report's lever texts follow the registry");
}

#[test]
fn every_lever_table_of_a_scenario_becomes_its_settings() {
    // The combined reform and the pilots set most levers; each key they set is in the policy.
    for rel in
        ["scenarios/reforms/combined.toml", "scenarios/pilots/qingpu.toml", "scenarios/pilots/guangming.toml"]
    {
        let loaded = crate::common::load(rel);
        let tables: Vec<String> = loaded
            .resolved
            .get("policy")
            .and_then(|p| p.as_table())
            .map(|t| t.keys().cloned().collect())
            .unwrap_or_default();
        for table in &tables {
            assert!(
                loaded.params.policy.has(table),
                "{rel}: [policy.{table}] is not in the validated policy"
            );
        }
        assert_eq!(loaded.params.policy.keys().count(), tables.len(), "{rel}");
    }
}
