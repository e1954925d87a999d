//! The bad-input suite: every file in `tests/bad_inputs/` is a scenario a user might write by
//! mistake, and `tests/bad_inputs/expect.toml` says what the program must answer. Each file is
//! given to the command as a user would (`medgroup validate FILE`, or the entry's `command`):
//! it must exit 1 — not 0 (a silent acceptance) and not with a panic or a hang — print every
//! `expect` text, and, where `problems` is given, report exactly that many problems (errors that
//! follow from an earlier one are not repeated).

use crate::common::repo;
use rayon::prelude::*;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Runs the command with `args`; returns (exit code, stderr), or an error if it hangs.
fn medgroup(args: &[String]) -> Result<(Option<i32>, String), String> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_medgroup"))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| e.to_string())?;
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
            let mut err = String::new();
            use std::io::Read as _;
            child.stderr.take().expect("piped").read_to_string(&mut err).map_err(|e| e.to_string())?;
            return Ok((status.code(), err));
        }
        if started.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            return Err(format!("`medgroup {}` did not finish in 60 s", args.join(" ")));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The problem count a validation error reports (`…: N problem(s):`), if any.
fn problem_count(stderr: &str) -> Option<usize> {
    let at = stderr.find(" problem(s):")?;
    stderr[..at].rsplit(' ').next()?.parse().ok()
}

#[test]
fn every_bad_input_is_refused_with_a_clear_message() {
    let dir = repo("tests/bad_inputs");
    let manifest: toml::Table =
        std::fs::read_to_string(dir.join("expect.toml")).unwrap().parse().expect("expect.toml is TOML");
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != "expect.toml")
        .collect();
    files.sort();
    for f in &files {
        assert!(manifest.contains_key(f), "tests/bad_inputs/{f} has no entry in expect.toml");
    }
    assert!(files.len() >= 120, "the suite has {} files", files.len());
    let tmp = tempfile::tempdir().unwrap();
    let failures: Vec<String> = manifest
        .iter()
        .collect::<Vec<_>>()
        .par_iter()
        .filter_map(|(name, entry)| {
            let file = dir.join(name);
            if !file.exists() {
                return Some(format!("{name}: listed in expect.toml but missing"));
            }
            let command = entry.get("command").and_then(|c| c.as_str()).unwrap_or("validate {file}");
            let case_tmp = tmp.path().join(name);
            let args: Vec<String> = command
                .split_whitespace()
                .map(|a| {
                    a.replace("{file}", &file.display().to_string())
                        .replace("{tmp}", &case_tmp.display().to_string())
                })
                .collect();
            let (code, err) = match medgroup(&args) {
                Ok(r) => r,
                Err(e) => return Some(format!("{name}: {e}")),
            };
            let mut wrong = Vec::new();
            if code != Some(1) {
                wrong.push(format!("exit code {code:?}, expected 1"));
            }
            if err.contains("panicked") {
                wrong.push("panicked".to_string());
            }
            for e in entry["expect"].as_array().expect("expect is a list") {
                let e = e.as_str().expect("expected texts are strings");
                if !err.contains(e) {
                    wrong.push(format!("missing «{e}»"));
                }
            }
            if let Some(n) = entry.get("problems").and_then(|p| p.as_integer()) {
                let got = problem_count(&err).unwrap_or(if code == Some(1) { 1 } else { 0 });
                if got as i64 != n {
                    wrong.push(format!("{got} problem(s), expected {n}"));
                }
            }
            (!wrong.is_empty()).then(|| {
                format!("{name} ({}): {}\n    stderr: {}", entry["case"], wrong.join("; "), err.trim())
            })
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} bad inputs were not refused as expected:\n{}",
        failures.len(),
        manifest.len(),
        failures.join("\n")
    );
}

/// A file far larger than any scenario is refused before it is read whole.
#[test]
fn an_oversized_file_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let big = tmp.path().join("big.toml");
    let line = "# padding padding padding padding padding padding padding padding padding padding\n";
    std::fs::write(&big, line.repeat((5 << 20) / line.len())).unwrap();
    let (code, err) = medgroup(&["validate".into(), big.display().to_string()]).unwrap();
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("more than the 4 MiB"), "{err}");
}

/// A file of nothing but misspelt keys gets a bounded answer: the first problems and a count.
#[test]
fn a_flood_of_unknown_keys_gets_a_short_answer() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("flood.toml");
    let base = repo("scenarios/baseline.toml");
    let mut text = format!("extends = {:?}\n[population]\n", base.display().to_string());
    for i in 0..150_000 {
        text.push_str(&format!("k{i} = 1\n"));
    }
    assert!(text.len() < 4 << 20);
    std::fs::write(&file, text).unwrap();
    let (code, err) = medgroup(&["validate".into(), file.display().to_string()]).unwrap();
    assert_eq!(code, Some(1));
    assert!(err.contains("150000 problem(s)"), "{}", &err[..err.len().min(2000)]);
    assert!(err.contains("… and"), "the list is cut after the first problems");
    assert!(err.len() < 20_000, "stderr is {} bytes", err.len());
    assert!(Path::new(&file).exists());
}
