//! Every shipped scenario loads and validates; bad scenarios get clear errors that name the file,
//! the key and the allowed range; the command exits non-zero without a panic.

use crate::common::*;
use medgroup::scenario::{ScenarioError, load, load_str};
use std::process::Command;

#[test]
fn every_shipped_scenario_validates() {
    let mut files = Vec::new();
    toml_files(&repo("scenarios"), &mut files);
    assert!(files.len() >= 2, "found {files:?}");
    for f in files {
        if let Err(e) = load(&f) {
            panic!("{}: {e}", f.display());
        }
    }
}

/// The baseline's text with `from` replaced by `to` (which must occur).
fn baseline_with(from: &str, to: &str) -> String {
    let text = std::fs::read_to_string(repo("scenarios/baseline.toml")).unwrap();
    assert!(text.contains(from), "baseline has no {from:?}");
    text.replacen(from, to, 1)
}

fn error_of(text: &str) -> ScenarioError {
    load_str(&repo("scenarios/bad.toml"), text).expect_err("the scenario should be refused")
}

#[test]
fn every_problem_is_reported_at_once_with_key_and_range() {
    let text = baseline_with("beds = 900", "beds = -3")
        .replacen("signing_rate = 0.842", "signing_rate = 1.4", 1)
        .replacen(
            "member_hospitals = [\"member-1\", \"member-2\"]",
            "member_hospitals = [\"member-1\", \"member-9\"]",
            1,
        );
    let e = error_of(&text);
    let msg = e.to_string();
    println!("{msg}");
    assert!(msg.contains("bad.toml"), "names the file: {msg}");
    assert_eq!(e.problems().len(), 3, "three problems: {msg}");
    assert!(msg.contains("facilities[0].wards[0].beds: must be an integer in 1..=100000, got -3"), "{msg}");
    assert!(msg.contains("population.signing_rate: must be a number in [0, 1], got 1.4"), "{msg}");
    assert!(
        msg.contains("facilities[2].member_hospitals: no member or lead hospital named \"member-9\""),
        "{msg}"
    );
}

#[test]
fn unknown_keys_are_all_rejected() {
    let text = baseline_with("frailty_variance = 0.3", "frailty_variance = 0.3\nfrailty_varianse = 0.3")
        .replacen("[care]", "[care]\nfollowup_adherance = 0.5", 1);
    let e = error_of(&text);
    let msg = e.to_string();
    assert!(msg.contains("population.frailty_varianse: unknown key"), "{msg}");
    assert!(msg.contains("care.followup_adherance: unknown key"), "{msg}");
}

#[test]
fn malformed_and_mistyped_files_are_refused() {
    let e = error_of("name = \"x\"\n[run\ndays = 1");
    assert!(matches!(e, ScenarioError::Syntax { .. }), "{e}");
    assert!(e.to_string().contains("bad.toml is not valid TOML"), "{e}");
    let e = error_of(&baseline_with("days = 365", "days = \"a year\""));
    assert!(e.to_string().contains("run.days"), "names the key: {e}");
    let e = error_of(&baseline_with("stay_cv = 0.8                         # assumption", ""));
    assert!(
        e.to_string().contains("facilities[0].wards[0].stay_cv: is required with stay_law = \"lognormal\""),
        "{e}"
    );
}

#[test]
fn extends_merges_and_detects_cycles() {
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().join("base.toml");
    std::fs::copy(repo("scenarios/baseline.toml"), &base).unwrap();
    let variant = dir.path().join("variant.toml");
    std::fs::write(
        &variant,
        "extends = \"base.toml\"\nname = \"variant\"\n[run]\ndays = 30\n[[facilities]]\nname = \"lead\"\n[[facilities.wards]]\nname = \"medical\"\nbeds = 950\n",
    )
    .unwrap();
    let v = load(&variant).unwrap();
    assert_eq!(v.params.name, "variant");
    assert_eq!(v.params.run.days, 30);
    assert_eq!(v.params.run.warmup_days, 180, "inherited");
    assert_eq!(v.params.facilities[0].wards[0].beds, 950, "merged by name");
    assert_eq!(v.params.facilities[0].wards[1].beds, 500, "sibling ward kept");
    assert_eq!(v.chain.len(), 2);

    let a = dir.path().join("a.toml");
    let b = dir.path().join("b.toml");
    std::fs::write(&a, "extends = \"b.toml\"\n").unwrap();
    std::fs::write(&b, "extends = \"a.toml\"\n").unwrap();
    let e = load(&a).unwrap_err();
    assert!(matches!(e, ScenarioError::ExtendsCycle { .. }), "{e}");
}

#[test]
fn the_command_reports_errors_and_exits_non_zero() {
    let exe = env!("CARGO_BIN_EXE_medgroup");
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, baseline_with("beds = 900", "beds = -3")).unwrap();
    for args in [vec!["validate", bad.to_str().unwrap()], vec!["run", bad.to_str().unwrap()]] {
        let out = Command::new(exe).args(&args).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
        assert!(err.contains("beds: must be an integer in 1..=100000, got -3"), "{err}");
        assert!(!err.contains("panicked"), "{err}");
    }
    let out = Command::new(exe).args(["validate", "no/such/file.toml"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read scenario file no/such/file.toml"));
    let ok = Command::new(exe)
        .args(["validate", repo("scenarios/baseline.toml").to_str().unwrap()])
        .output()
        .unwrap();
    assert!(ok.status.success());
    let help = Command::new(exe).args(["run", "--help"]).output().unwrap();
    let help = String::from_utf8_lossy(&help.stdout);
    for opt in ["--seed", "--replications", "--days", "--warmup-days", "--out"] {
        assert!(help.contains(opt), "run --help explains {opt}");
    }
}

#[test]
fn contradictory_levers_are_refused_naming_both_keys() {
    let levers = "
[policy.reserved_slots]
share = 0.8
release_days = 400
start_day = 10

[policy.expert_sessions]
slot_share = 0.4
weekdays = [\"tue\", \"someday\"]
visit_price_yuan = 354
start_day = 900

[policy.bed_sinking]
bed_share = 1.5
routed_share = 0.3

[policy.signing]
rate = 0.5
";
    let e = error_of(&(std::fs::read_to_string(repo("scenarios/baseline.toml")).unwrap() + levers));
    let msg = e.to_string();
    for expected in [
        // more slots held and sunk than the lead hospital has: both keys named
        "policy.reserved_slots.share: policy.reserved_slots.share (0.8) + policy.expert_sessions.slot_share (0.4) is more than all",
        // a switch-on day after the run ends, with the run's keys
        "policy.expert_sessions.start_day: must be a day inside the run, 0..=544 (run.warmup_days + run.days = 545), got 900",
        "policy.reserved_slots.release_days: must be below care.booking_horizon_days",
        "policy.expert_sessions.weekdays[1]: must be one of",
        "policy.bed_sinking.bed_share: must be a number in [0, 1], got 1.5",
        "policy.signing.rate: a signing drive cannot lower the signing rate: 0.5 is below population.signing_rate = 0.842",
        "policy.capability_learning: is required with policy.expert_sessions",
    ] {
        assert!(msg.contains(expected), "missing «{expected}» in:\n{msg}");
    }
    // Bed sinking needs a shared ward to receive the beds.
    let text = baseline_with("kind = \"shared\"", "kind = \"medical\"")
        .replace("name = \"shared\"", "name = \"medical2\"")
        + "\n[policy.bed_sinking]\nbed_share = 0.25\nrouted_share = 0.3\nroutted_share = 0.3\n";
    let msg = error_of(&text).to_string();
    assert!(msg.contains("policy.bed_sinking.routted_share: unknown key"), "{msg}");
    let text = baseline_with("kind = \"shared\"", "kind = \"medical\"")
        .replace("name = \"shared\"", "name = \"medical2\"")
        + "\n[policy.bed_sinking]\nbed_share = 0.25\nrouted_share = 0.3\n";
    let msg = error_of(&text).to_string();
    assert!(
        msg.contains("policy.bed_sinking.bed_share: needs a member hospital with a shared ward"),
        "{msg}"
    );
}
