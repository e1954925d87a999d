//! Fuzzing the scenario and targets parsers with mutated copies of the shipped files (proptest):
//! lines deleted, duplicated or swapped, values replaced by hostile ones (huge, negative, NaN,
//! wrong types, NUL bytes), keys misspelt, table headers inserted, raw bytes spliced in, the text
//! cut short. Every mutant must be accepted or refused with an error — never a panic — and an
//! error names at most 50 problems in a bounded message (the input limits of `scenario::load`);
//! an accepted mutant of the small town must also build and run (two days).
//! The generator is seeded, so every run tries the same mutants; the number of cases is fixed.

use crate::common::repo;
use analysis::targets::{self, Known};
use medgroup::scenario::{self, KeyPath};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

/// Values a mutation writes in place of a `key = value` line's value.
const VALUES: &[&str] = &[
    "-1",
    "0",
    "1e308",
    "-1e308",
    "nan",
    "inf",
    "-inf",
    "99999999999999999999",
    "4294967296",
    "0.5",
    "\"\"",
    "\"text\"",
    "\"\\u0000\"",
    "[]",
    "[1, 2]",
    "[[1]]",
    "{}",
    "{ a = 1 }",
    "true",
    "1979-05-27",
];

/// Table headers a mutation inserts.
const HEADERS: &[&str] = &[
    "[run]",
    "[[facilities]]",
    "[[facilities.wards]]",
    "[[facilities.clinics]]",
    "[[conditions]]",
    "[policy.gatekeeping]",
    "[policy.global_budget]",
    "[screening]",
    "[[parameter]]",
    "[[target]]",
    "[abc]",
    "[nonsense]",
];

#[derive(Debug, Clone)]
enum Mutation {
    DeleteLine(usize),
    DuplicateLine(usize),
    SwapLines(usize, usize),
    ReplaceValue(usize, usize),
    MisspellKey(usize),
    InsertHeader(usize, usize),
    InsertBytes(usize, Vec<u8>),
    Truncate(usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        any::<usize>().prop_map(Mutation::DeleteLine),
        any::<usize>().prop_map(Mutation::DuplicateLine),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Mutation::SwapLines(a, b)),
        (any::<usize>(), 0..VALUES.len()).prop_map(|(a, v)| Mutation::ReplaceValue(a, v)),
        any::<usize>().prop_map(Mutation::MisspellKey),
        (any::<usize>(), 0..HEADERS.len()).prop_map(|(a, h)| Mutation::InsertHeader(a, h)),
        (any::<usize>(), proptest::collection::vec(any::<u8>(), 1..8))
            .prop_map(|(a, b)| Mutation::InsertBytes(a, b)),
        any::<usize>().prop_map(Mutation::Truncate),
    ]
}

/// `text` with `mutations` applied in order (indices taken modulo the current length).
fn mutate(text: &str, mutations: &[Mutation]) -> Vec<u8> {
    let mut lines: Vec<Vec<u8>> = text.lines().map(|l| l.as_bytes().to_vec()).collect();
    for m in mutations {
        if lines.is_empty() {
            break;
        }
        let n = lines.len();
        match m {
            Mutation::DeleteLine(i) => {
                lines.remove(i % n);
            }
            Mutation::DuplicateLine(i) => {
                let l = lines[i % n].clone();
                lines.insert(i % n, l);
            }
            Mutation::SwapLines(a, b) => lines.swap(a % n, b % n),
            Mutation::ReplaceValue(i, v) => {
                // The i-th `key = value` line (modulo their number), if there is one.
                let assignments: Vec<usize> = (0..n).filter(|&k| lines[k].contains(&b'=')).collect();
                if let Some(&k) = assignments.get(i % assignments.len().max(1)) {
                    let eq = lines[k].iter().position(|&c| c == b'=').expect("has =");
                    let mut l = lines[k][..=eq].to_vec();
                    l.extend_from_slice(b" ");
                    l.extend_from_slice(VALUES[*v].as_bytes());
                    lines[k] = l;
                }
            }
            Mutation::MisspellKey(i) => {
                let l = &mut lines[i % n];
                if let Some(eq) = l.iter().position(|&c| c == b'=') {
                    let end = l[..eq].iter().rposition(|c| !c.is_ascii_whitespace()).map_or(0, |p| p + 1);
                    l.insert(end, b'x');
                }
            }
            Mutation::InsertHeader(i, h) => lines.insert(i % (n + 1), HEADERS[*h].as_bytes().to_vec()),
            Mutation::InsertBytes(i, bytes) => {
                let l = &mut lines[i % n];
                let at = i % (l.len() + 1);
                l.splice(at..at, bytes.iter().copied());
            }
            Mutation::Truncate(i) => {
                let total: usize = lines.iter().map(|l| l.len() + 1).sum();
                let mut keep = i % (total + 1);
                let mut out = Vec::new();
                for l in lines.drain(..) {
                    if keep == 0 {
                        break;
                    }
                    let take = l.len().min(keep);
                    out.push(l[..take].to_vec());
                    keep = keep.saturating_sub(l.len() + 1);
                }
                lines = out;
            }
        }
    }
    lines.join(&b'\n')
}

fn runner(cases: u32, seed: u8) -> TestRunner {
    let config = Config { cases, failure_persistence: None, ..Config::default() };
    TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &[seed; 32]))
}

/// An error message stays readable: at most 50 problems listed (and a count of the others),
/// so it is short whatever the input.
fn bounded(message: &str) -> Result<(), TestCaseError> {
    prop_assert!(!message.trim().is_empty(), "an empty error message");
    prop_assert!(message.len() < 64 * 1024, "an error message of {} bytes", message.len());
    let listed = message.lines().filter(|l| l.trim_start().starts_with("- ")).count();
    prop_assert!(listed <= 51, "{listed} problems listed");
    Ok(())
}

#[test]
fn mutated_scenarios_are_accepted_or_refused_never_a_panic() {
    let files = ["scenarios/small.toml", "scenarios/baseline.toml", "scenarios/reforms/combined.toml"];
    let texts: Vec<(std::path::PathBuf, String)> =
        files.iter().map(|f| (repo(f), std::fs::read_to_string(repo(f)).unwrap())).collect();
    let strategy = (0..texts.len(), proptest::collection::vec(mutation(), 1..5));
    let (accepted, refused) = (std::cell::Cell::new(0), std::cell::Cell::new(0));
    runner(1000, 1)
        .run(&strategy, |(which, mutations)| {
            let (path, text) = &texts[which];
            let bytes = mutate(text, &mutations);
            let text = String::from_utf8_lossy(&bytes);
            match scenario::load_str(path, &text) {
                Ok(loaded) => {
                    accepted.set(accepted.get() + 1);
                    // An accepted mutant of the small town also builds and runs two days: what
                    // validation lets through, the model must take.
                    let short = [("run.days", 2), ("run.warmup_days", 0)]
                        .map(|(k, v)| (KeyPath::parse(k).unwrap(), toml::Value::Integer(v)));
                    if which == 0
                        && loaded.params.population.residents <= 100_000
                        && let Ok(short) = loaded.with_values(&short)
                    {
                        medgroup::run::run_replication(&std::sync::Arc::new(short.params), 0);
                    }
                }
                Err(e) => {
                    refused.set(refused.get() + 1);
                    bounded(&e.to_string())?;
                }
            }
            Ok(())
        })
        .unwrap();
    let (accepted, refused) = (accepted.get(), refused.get());
    // Both outcomes occur, so the generator neither breaks every file nor leaves them all intact.
    assert!(accepted > 0 && refused > 0, "{accepted} accepted, {refused} refused");
}

/// Raw bytes (invalid UTF-8 included) through the file reader, as a user's damaged file arrives.
#[test]
fn mutated_scenario_files_on_disk_are_refused_with_a_message() {
    let dir = tempfile::tempdir().unwrap();
    let baseline = repo("scenarios/baseline.toml");
    let text = std::fs::read_to_string(repo("scenarios/small.toml"))
        .unwrap()
        .replace("extends = \"baseline.toml\"", &format!("extends = {:?}", baseline.display().to_string()));
    let path = dir.path().join("mutant.toml");
    runner(500, 2)
        .run(&proptest::collection::vec(mutation(), 1..5), |mutations| {
            std::fs::write(&path, mutate(&text, &mutations)).unwrap();
            if let Err(e) = scenario::load(&path) {
                bounded(&e.to_string())?;
            }
            Ok(())
        })
        .unwrap();
}

#[test]
fn mutated_targets_files_are_accepted_or_refused_never_a_panic() {
    let base = scenario::load(&repo("scenarios/small.toml")).unwrap();
    let has = |k: &str| {
        KeyPath::parse(k)
            .ok()
            .is_some_and(|k| k.get(&base.resolved).is_some_and(|v| v.is_integer() || v.is_float()))
    };
    let outputs = medgroup::metrics::names();
    let known = Known { outputs: &outputs, has_parameter: &has, recorded_days: Some(base.params.run.days) };
    let texts: Vec<String> = ["qingpu", "shinan", "guangming"]
        .iter()
        .map(|s| std::fs::read_to_string(repo(&format!("scenarios/pilots/{s}.targets.toml"))).unwrap())
        .collect();
    let strategy = (0..texts.len(), proptest::collection::vec(mutation(), 1..5));
    let (parsed, refused) = (std::cell::Cell::new(0), std::cell::Cell::new(0));
    runner(1000, 3)
        .run(&strategy, |(which, mutations)| {
            let bytes = mutate(&texts[which], &mutations);
            let text = String::from_utf8_lossy(&bytes);
            match targets::parse(&text) {
                Ok(file) => {
                    parsed.set(parsed.get() + 1);
                    if let Err(problems) = file.validate(&known) {
                        prop_assert!(!problems.is_empty());
                        prop_assert!(problems.iter().all(|p| !p.message.is_empty()));
                    }
                }
                Err(e) => {
                    refused.set(refused.get() + 1);
                    bounded(&e.to_string())?;
                }
            }
            Ok(())
        })
        .unwrap();
    let (parsed, refused) = (parsed.get(), refused.get());
    assert!(parsed > 0 && refused > 0, "{parsed} parsed, {refused} refused");
}
