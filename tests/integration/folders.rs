//! A results folder belongs to one experiment: a second writer at the same time is refused with
//! the holder's pid and command; a folder of another experiment, or holding a user's own files,
//! is refused unless --force; every command has its own default folder. Nothing finished is
//! lost on the way.

use crate::common::repo;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

fn medgroup_in(cwd: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_medgroup")).current_dir(cwd).args(args).output().unwrap()
}

fn ok_in(cwd: &Path, args: &[&str]) -> String {
    let out = medgroup_in(cwd, args);
    let text = String::from_utf8_lossy(&out.stderr).into_owned() + &String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "medgroup {args:?} failed:\n{text}");
    text
}

fn refused_in(cwd: &Path, args: &[&str]) -> String {
    let out = medgroup_in(cwd, args);
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(1), "medgroup {args:?} should fail:\n{err}");
    assert!(!err.contains("panicked"), "{err}");
    err
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn small() -> String {
    repo("scenarios/small.toml").to_str().unwrap().to_string()
}

/// `run` of the small town, short, with 3 replications unless `extra` says otherwise.
fn run_args(extra: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = vec!["run".into(), small()];
    v.extend(["--days", "10", "--warmup-days", "5", "--threads", "1"].map(String::from));
    if !extra.contains(&"--replications") {
        v.extend(["--replications".into(), "3".into()]);
    }
    v.extend(extra.iter().map(|e| e.to_string()));
    v
}

fn strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

/// Starts medgroup and stops it (SIGSTOP) once it has written its pid into `lock`: it then
/// holds its locks for as long as the test needs, whatever the machine's speed.
fn start_and_hold(args: &[String], lock: &Path) -> Child {
    let child = Command::new(env!("CARGO_BIN_EXE_medgroup"))
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = format!("\"pid\":{}", child.id());
    let started = Instant::now();
    while !std::fs::read_to_string(lock).is_ok_and(|t| t.contains(&pid)) {
        assert!(started.elapsed() < Duration::from_secs(60), "{} never took {}", child.id(), lock.display());
        std::thread::sleep(Duration::from_millis(5));
    }
    signal(&child, "-STOP");
    child
}

fn signal(child: &Child, sig: &str) {
    let status = Command::new("kill").args([sig, &child.id().to_string()]).status().unwrap();
    assert!(status.success());
}

/// Lets a held process go on and waits for it to succeed.
fn release(mut child: Child) {
    signal(&child, "-CONT");
    let out = child.stderr.take();
    let status = child.wait().unwrap();
    let mut err = String::new();
    std::io::Read::read_to_string(&mut out.unwrap(), &mut err).unwrap();
    assert!(status.success(), "the first writer failed:\n{err}");
}

fn replications_in(out: &Path) -> usize {
    let text = std::fs::read_to_string(out.join("replications.jsonl")).unwrap();
    let mut reps: Vec<u64> = text
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["replication"].as_u64().unwrap())
        .collect();
    reps.sort();
    reps.dedup();
    reps.len()
}

#[test]
fn a_second_writer_is_refused_with_the_holders_pid_and_nothing_is_lost() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x");
    let first = run_args(&["--out", s(&out), "-q"]);
    let held = start_and_hold(&first, &out.join(".lock"));
    let pid = held.id();
    // The same command, and a different one, into the same folder while the first runs.
    for args in [first.clone(), run_args(&["--out", s(&out), "--seed", "9"])] {
        let e = refused_in(dir.path(), &strs(&args));
        assert!(e.contains(&format!("is in use by pid {pid}")) && e.contains("medgroup run"), "{e}");
        assert!(e.contains("--days 10"), "the holder's command line is named: {e}");
    }
    // Merge and report wait too.
    let e = refused_in(dir.path(), &["merge", s(&out)]);
    assert!(e.contains(&format!("pid {pid}")), "{e}");
    let e = refused_in(dir.path(), &["report", s(&out)]);
    assert!(e.contains(&format!("pid {pid}")), "{e}");
    release(held);
    // The first writer finished every replication, and the folder is free again.
    assert_eq!(replications_in(&out), 3);
    let again = ok_in(dir.path(), &strs(&run_args(&["--out", s(&out)])));
    assert!(again.contains("every replication was already finished"), "{again}");
}

#[test]
fn shard_runs_share_a_folder_but_not_a_shard_and_merge_waits_for_them() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x");
    let shard = |k: u32| run_args(&["--out", s(&out), "--shard", &format!("{k}/2")]);
    let held = start_and_hold(&shard(1), &out.join("shards/shard-1-of-2.lock"));
    let pid = held.id();
    // Another shard runs beside it.
    ok_in(dir.path(), &strs(&shard(2)));
    // The same shard twice is refused, and so are merge and a one-machine run.
    let e = refused_in(dir.path(), &strs(&shard(1)));
    assert!(e.contains("shard-1-of-2.lock") && e.contains(&format!("pid {pid}")), "{e}");
    for args in [vec!["merge".to_string(), s(&out).into()], run_args(&["--out", s(&out)])] {
        let e = refused_in(dir.path(), &strs(&args));
        assert!(e.contains(&format!("is in use by pid {pid}")) && e.contains("--shard 1/2"), "{e}");
    }
    release(held);
    ok_in(dir.path(), &["merge", s(&out), "-q"]);
    assert_eq!(replications_in(&out), 3);
    // And a one-machine run cannot use the folder's own locks to race with --force.
    let e = refused_in(dir.path(), &strs(&run_args(&["--out", s(&out), "--shard", "1/2", "--force"])));
    assert!(e.contains("--force with --shard"), "{e}");
}

#[test]
fn a_folder_of_another_experiment_or_with_foreign_files_is_refused_unless_forced() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x");
    ok_in(dir.path(), &strs(&run_args(&["--out", s(&out), "--seed", "1", "-q"])));
    let summary = std::fs::read(out.join("summary.csv")).unwrap();
    std::fs::write(out.join("notes.txt"), "my notes").unwrap();
    // Another seed is another experiment: refused, nothing touched.
    let e = refused_in(dir.path(), &strs(&run_args(&["--out", s(&out), "--seed", "2"])));
    assert!(e.contains("another experiment") && e.contains("seed 1 → 2") && e.contains("--force"), "{e}");
    assert_eq!(std::fs::read(out.join("summary.csv")).unwrap(), summary);
    // A comparison into the run's folder: refused; forced, no file of the run is left beside it.
    let reform = repo("scenarios/small_chc_reimbursement.toml");
    let mut compare: Vec<String> = vec!["compare".into(), small(), s(&reform).into()];
    compare.extend(
        ["--days", "10", "--warmup-days", "5", "--replications", "2", "--out", s(&out)].map(String::from),
    );
    let e = refused_in(dir.path(), &strs(&compare));
    assert!(e.contains("another experiment") && e.contains("run of \"small\""), "{e}");
    compare.push("--force".into());
    let forced = ok_in(dir.path(), &strs(&compare));
    assert!(forced.contains("note: removed from") && forced.contains("summary.csv"), "{forced}");
    for stale in ["summary.csv", "daily.csv", "replications.jsonl"] {
        assert!(!out.join(stale).exists(), "{stale} of the run stayed beside comparison.csv");
    }
    let shard = std::fs::read_to_string(out.join("shards/shard-1-of-1.jsonl")).unwrap();
    assert!(
        shard.lines().next().unwrap().contains("\"experiment_kind\":\"compare\""),
        "the run's shard went"
    );
    assert!(out.join("comparison.csv").exists());
    assert_eq!(
        std::fs::read_to_string(out.join("notes.txt")).unwrap(),
        "my notes",
        "the user's file is kept"
    );
    // A folder holding the user's own summary.csv is not medgroup's to overwrite.
    let mine = dir.path().join("mine");
    std::fs::create_dir_all(&mine).unwrap();
    std::fs::write(mine.join("summary.csv"), "mine").unwrap();
    let e = refused_in(dir.path(), &strs(&run_args(&["--out", s(&mine)])));
    assert!(e.contains("did not write") && e.contains("summary.csv"), "{e}");
    assert_eq!(std::fs::read_to_string(mine.join("summary.csv")).unwrap(), "mine");
}

#[test]
fn every_command_has_its_own_default_folder() {
    let dir = tempfile::tempdir().unwrap();
    let cwd = dir.path();
    let text = ok_in(cwd, &strs(&run_args(&[])));
    let run_dir: PathBuf = cwd.join("out/run/small");
    assert!(text.contains("out/run/small"), "the folder is printed: {text}");
    let summary = std::fs::read(run_dir.join("summary.csv")).unwrap();
    // Another scenario's run does not touch it.
    let ward = repo("scenarios/validation/mmc_ward.toml");
    ok_in(cwd, &["run", s(&ward), "--days", "10", "--warmup-days", "0", "--replications", "2", "-q"]);
    let names: Vec<String> = std::fs::read_dir(cwd.join("out/run"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
    assert_eq!(std::fs::read(run_dir.join("summary.csv")).unwrap(), summary);
    // A comparison is named after its arms.
    let reform = repo("scenarios/small_chc_reimbursement.toml");
    let text = ok_in(
        cwd,
        &["compare", &small(), s(&reform), "--days", "10", "--warmup-days", "5", "--replications", "2"],
    );
    let compare_dir = std::fs::read_dir(cwd.join("out/compare")).unwrap().next().unwrap().unwrap().path();
    let name = compare_dir.file_name().unwrap().to_string_lossy().into_owned();
    assert!(name.starts_with("small-vs-"), "{name}");
    assert!(text.contains(&format!("out/compare/{name}")), "{text}");
    assert!(compare_dir.join("comparison.csv").exists());
}

#[test]
fn results_that_change_take_their_old_report_with_them() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x");
    ok_in(dir.path(), &strs(&run_args(&["--out", s(&out), "--report"])));
    assert!(out.join("report.en.html").exists() && out.join("charts").is_dir());
    // The same command again: the results do not change, and the report stays.
    ok_in(dir.path(), &strs(&run_args(&["--out", s(&out)])));
    assert!(out.join("report.en.html").exists());
    // More replications change the results: the report of the old ones goes.
    let text = ok_in(dir.path(), &strs(&run_args(&["--out", s(&out), "--replications", "4"])));
    assert!(!out.join("report.en.html").exists() && !out.join("charts").exists());
    assert!(text.contains("note: removed from") && text.contains("report.en.html"), "{text}");
}
