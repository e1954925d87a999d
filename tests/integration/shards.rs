//! Shards, merge and resume: results never depend on how the work was split, interrupted or
//! threaded; merge refuses anything but every complete shard of one experiment.

use crate::common::*;
use medgroup::output::write_results;
use medgroup::run::run_replications;
use medgroup::scenario::KeyPath;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Arc;

fn medgroup(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_medgroup")).args(args).output().unwrap()
}

fn ok(args: &[&str]) -> String {
    let out = medgroup(args);
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "medgroup {args:?} failed:\n{err}");
    err
}

fn refused(args: &[&str]) -> String {
    let out = medgroup(args);
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(1), "medgroup {args:?} should fail:\n{err}");
    assert!(!err.contains("panicked"), "{err}");
    err
}

/// Every result file under `dir` except the shard files, with its bytes, by relative path.
fn result_files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<(String, Vec<u8>)>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            let rel = p.strip_prefix(root).unwrap().to_string_lossy().into_owned();
            if rel == ".lock" {
                // The folder's lock file: who last wrote the folder, not a result.
                continue;
            }
            if p.is_dir() {
                if rel != "shards" {
                    walk(root, &p, out);
                }
            } else {
                out.push((rel, std::fs::read(&p).unwrap()));
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// The small town for `days` recorded days after 5 warm-up days.
fn small_args(days: &str) -> Vec<String> {
    let small = repo("scenarios/small.toml");
    vec![s(&small).to_string(), "--days".into(), days.into(), "--warmup-days".into(), "5".into(), "-q".into()]
}

/// Runs `cmd` (run, compare or sweep, with its arguments) on one machine and as N shards for
/// each N, merges, and checks that the result files are byte for byte the same.
fn check_layouts(cmd: &[String], layouts: &[u32]) {
    let dir = tempfile::tempdir().unwrap();
    let one = dir.path().join("one");
    let args = |extra: &[&str]| -> Vec<String> {
        cmd.iter().cloned().chain(extra.iter().map(|e| e.to_string())).collect()
    };
    let run = |a: Vec<String>| ok(&a.iter().map(String::as_str).collect::<Vec<_>>());
    run(args(&["--out", s(&one)]));
    let reference = result_files(&one);
    assert!(reference.len() >= 3, "{:?}", reference.iter().map(|f| &f.0).collect::<Vec<_>>());
    for &n in layouts {
        let out = dir.path().join(format!("n{n}"));
        for k in 1..=n {
            run(args(&["--out", s(&out), "--shard", &format!("{k}/{n}"), "--threads", "1"]));
        }
        ok(&["merge", s(&out), "-q"]);
        let merged = result_files(&out);
        assert_eq!(
            merged.iter().map(|f| &f.0).collect::<Vec<_>>(),
            reference.iter().map(|f| &f.0).collect::<Vec<_>>()
        );
        for (a, b) in reference.iter().zip(&merged) {
            assert!(a.1 == b.1, "{} differs between one machine and {n} shards", a.0);
        }
    }
}

#[test]
fn merged_shards_equal_the_one_machine_run_byte_for_byte() {
    // 5 units; 8 and 12 shards are more shards than units (some shards own nothing).
    let mut cmd = vec!["run".to_string()];
    cmd.extend(small_args("20"));
    cmd.extend(["--replications".into(), "5".into()]);
    check_layouts(&cmd, &[1, 2, 3, 8, 12]);
}

#[test]
fn merged_sweep_and_comparison_shards_equal_one_machine() {
    let mut sweep = vec!["sweep".to_string()];
    sweep.extend(small_args("15"));
    sweep.extend(
        ["--replications", "2", "--set", "facilities[lead].wards[medical].beds=10,30,50"].map(String::from),
    );
    check_layouts(&sweep, &[2, 3, 7]);
    let dir = tempfile::tempdir().unwrap();
    let reform = dir.path().join("reform.toml");
    std::fs::write(
        &reform,
        format!(
            "extends = {:?}\nname = \"more_lead_beds\"\n[[facilities]]\nname = \"lead\"\n[[facilities.wards]]\nname = \"medical\"\nbeds = 40\n",
            s(&repo("scenarios/small.toml"))
        ),
    )
    .unwrap();
    let mut compare = vec!["compare".to_string()];
    compare.extend(small_args("15"));
    compare.insert(2, s(&reform).to_string());
    compare.extend(["--replications".into(), "3".into()]);
    check_layouts(&compare, &[2, 4]);
}

/// The command's own path (shard 1 of 1, then merge) writes exactly what writing the in-memory
/// results writes, on one thread or two, and the hash is the one `validate` prints.
#[test]
fn one_machine_files_match_in_memory_results_on_any_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = vec!["run".to_string()];
    a.extend(small_args("20"));
    a.extend(["--replications".into(), "3".into(), "--seed".into(), "99".into()]);
    let run = |out: &Path, threads: &str| {
        let mut v = a.clone();
        v.extend(["--out".into(), s(out).into(), "--threads".into(), threads.into()]);
        ok(&v.iter().map(String::as_str).collect::<Vec<_>>());
        result_files(out)
    };
    let t1 = run(&dir.path().join("t1"), "1");
    let t2 = run(&dir.path().join("t2"), "2");
    assert!(t1 == t2, "1 thread and 2 threads differ");
    let sets: Vec<(KeyPath, toml::Value)> =
        [("run.days", 20), ("run.warmup_days", 5), ("run.replications", 3), ("seed", 99)]
            .iter()
            .map(|(k, v)| (KeyPath::parse(k).unwrap(), toml::Value::Integer(*v)))
            .collect();
    let mut loaded = load("scenarios/small.toml");
    loaded.chain[0] = PathBuf::from(s(&repo("scenarios/small.toml")));
    let loaded = loaded.with_values(&sets).unwrap();
    let results = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .unwrap()
        .install(|| run_replications(&Arc::new(loaded.params.clone()), &[0, 1, 2], |_| {}));
    let mem = dir.path().join("mem");
    write_results(&mem, &loaded, &results, None).unwrap();
    let mem = result_files(&mem);
    assert_eq!(mem.len(), 4);
    // The command also records the folder's owner.
    let t1: Vec<_> = t1.into_iter().filter(|f| f.0 != "folder.json").collect();
    for (x, y) in mem.iter().zip(&t1) {
        assert_eq!(x.0, y.0);
        assert!(x.1 == y.1, "{} differs between the command and the in-memory results", x.0);
    }
    let manifest: serde_json::Value =
        serde_json::from_slice(&t1.iter().find(|f| f.0 == "manifest.json").unwrap().1).unwrap();
    assert_eq!(manifest["kind"], "run");
    assert_eq!(manifest["scenario_hash"], loaded.hash());
}

#[test]
fn merge_refuses_missing_duplicated_truncated_and_mismatched_shards() {
    let dir = tempfile::tempdir().unwrap();
    let shard = |out: &Path, k: u32, n: u32, extra: &[&str]| {
        let mut v = vec!["run".to_string()];
        v.extend(small_args("10"));
        if !extra.contains(&"--replications") {
            v.extend(["--replications".into(), "4".into()]);
        }
        v.extend(["--out", s(out), "--shard", &format!("{k}/{n}")].map(String::from));
        v.extend(extra.iter().map(|e| e.to_string()));
        ok(&v.iter().map(String::as_str).collect::<Vec<_>>());
        out.join("shards").join(format!("shard-{k}-of-{n}.jsonl"))
    };
    let good = dir.path().join("good");
    let files: Vec<PathBuf> = (1..=3).map(|k| shard(&good, k, 3, &[])).collect();
    ok(&["merge", s(&good), "-q"]);
    let fresh = |name: &str| {
        let d = dir.path().join(name).join("shards");
        std::fs::create_dir_all(&d).unwrap();
        for f in &files {
            std::fs::copy(f, d.join(f.file_name().unwrap())).unwrap();
        }
        d
    };
    // Missing.
    let d = fresh("missing");
    std::fs::remove_file(d.join("shard-2-of-3.jsonl")).unwrap();
    let e = refused(&["merge", s(d.parent().unwrap())]);
    assert!(e.contains("1 of 3 shards missing: 2/3"), "{e}");
    // Duplicated: the same shard given twice.
    let e = refused(&[
        "merge",
        s(&files[0]),
        s(&files[1]),
        s(&files[2]),
        s(&files[1]),
        "--out",
        s(&dir.path().join("dup")),
    ]);
    assert!(e.contains("shard 2/3 is given twice"), "{e}");
    // Truncated: the last line cut short, or the footer lost.
    let d = fresh("cut");
    let f = d.join("shard-3-of-3.jsonl");
    let bytes = std::fs::read(&f).unwrap();
    std::fs::write(&f, &bytes[..bytes.len() - 200]).unwrap();
    let e = refused(&["merge", s(d.parent().unwrap())]);
    assert!(e.contains("shard 3/3") && e.contains("is incomplete") && e.contains("cut short"), "{e}");
    let text = String::from_utf8(bytes).unwrap();
    let without_footer: String =
        text.lines().filter(|l| !l.contains("\"footer\"")).map(|l| format!("{l}\n")).collect();
    std::fs::write(&f, without_footer).unwrap();
    let e = refused(&["merge", s(d.parent().unwrap())]);
    assert!(e.contains("is incomplete: 1 of 1 units finished and no footer"), "{e}");
    // A footer that does not match the rows.
    std::fs::write(&f, text.replace("\"rows\":1}", "\"rows\":2}")).unwrap();
    let e = refused(&["merge", s(d.parent().unwrap())]);
    assert!(e.contains("is damaged: its footer says 2 rows, it holds 1"), "{e}");
    // Mismatched: a shard of the same layout from another seed, replication count or layout.
    for (name, extra, what) in [
        ("seed", vec!["--seed", "5"], "they differ in seed"),
        ("reps", vec!["--replications", "6"], "they differ in replication count"),
        ("signing", vec!["--set", "population.signing_rate=0.5"], "they differ in scenario hash"),
    ] {
        let d = fresh(name);
        let out = d.parent().unwrap();
        // The odd shard is run in a folder of its own (this folder belongs to the other
        // experiment and refuses it) and copied in, as from a cluster node.
        let odd = shard(&dir.path().join(format!("{name}-odd")), 2, 3, &extra);
        std::fs::copy(odd, d.join("shard-2-of-3.jsonl")).unwrap();
        let e = refused(&["merge", s(out)]);
        assert!(e.contains(&format!("shard files are not from the same experiment ({what})")), "{e}");
    }
    let d = fresh("layout");
    let odd = shard(&dir.path().join("layout-odd"), 1, 2, &[]);
    std::fs::copy(odd, d.join("shard-1-of-2.jsonl")).unwrap();
    let e = refused(&["merge", s(d.parent().unwrap())]);
    assert!(e.contains("they differ in number of shards"), "{e}");
    // Not a shard file at all.
    let junk = dir.path().join("junk.jsonl");
    std::fs::write(&junk, "hello\n").unwrap();
    let e = refused(&["merge", s(&junk), "--out", s(&dir.path().join("x"))]);
    assert!(e.contains("is not a medgroup shard file"), "{e}");
}

/// An interrupted run keeps its finished units; the same command again runs only the rest, and
/// its files equal an uninterrupted run's. A finished unit changed on disk (one digit flipped)
/// fails its checksum: the rerun says which line, runs that unit again, and the files are still
/// those of an uninterrupted run.
#[test]
fn an_interrupted_run_resumes_without_redoing_finished_units() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = vec!["run".to_string()];
    a.extend(small_args("20"));
    a.extend(["--replications".into(), "6".into()]);
    let run = |out: &Path| {
        let mut v = a.clone();
        v.extend(["--out".into(), s(out).into()]);
        v.retain(|x| x != "-q");
        ok(&v.iter().map(String::as_str).collect::<Vec<_>>())
    };
    let full = dir.path().join("full");
    run(&full);
    let reference = result_files(&full);
    let text = std::fs::read_to_string(full.join("shards/shard-1-of-1.jsonl")).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    // Header, two finished units, and half of a third: what an interruption leaves.
    let cut = |alter: bool| {
        let mut row = lines[1].to_string();
        if alter {
            // Flip one digit inside the row's metrics.
            let at = row.find("\"metrics\"").unwrap()
                + row[row.find("\"metrics\"").unwrap()..].find(|c: char| c.is_ascii_digit()).unwrap();
            let d = row.as_bytes()[at];
            row.replace_range(at..at + 1, if d == b'9' { "8" } else { "9" });
        }
        format!("{}\n{}\n{}\n{}", lines[0], row, lines[2], &lines[3][..lines[3].len() / 2])
    };
    for alter in [false, true] {
        let out = dir.path().join(format!("resumed-{alter}"));
        std::fs::create_dir_all(out.join("shards")).unwrap();
        std::fs::write(out.join("shards/shard-1-of-1.jsonl"), cut(alter)).unwrap();
        let err = run(&out);
        if alter {
            assert!(
                err.contains("line 2 is damaged (its checksum does not match): its replication runs again"),
                "{err}"
            );
            assert!(err.contains("resuming: 1 unit(s) already finished"), "{err}");
            assert!(err.contains("5/5 units done"), "the damaged unit ran again: {err}");
        } else {
            assert!(err.contains("resuming: 2 unit(s) already finished"), "{err}");
            assert!(err.contains("4/4 units done"), "only the four missing units ran: {err}");
        }
        assert!(result_files(&out) == reference, "a resumed run differs from an uninterrupted one");
        // Once finished, the same command again runs nothing.
        let err = run(&out);
        assert!(err.contains("resuming: 6 unit(s) already finished") && !err.contains("units done"), "{err}");
    }
}

/// Merging refuses a shard file whose finished unit was changed on disk, naming the line.
#[test]
fn merge_refuses_a_damaged_unit() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("d");
    let mut v = vec!["run".to_string()];
    v.extend(small_args("20"));
    v.extend(["--replications".into(), "2".into(), "--out".into(), s(&out).into()]);
    ok(&v.iter().map(String::as_str).collect::<Vec<_>>());
    let file = out.join("shards/shard-1-of-1.jsonl");
    let text = std::fs::read_to_string(&file).unwrap();
    let at = text.find("\"value\"").map(|i| i + 1).unwrap_or_else(|| text.rfind("\"metrics\"").unwrap() + 12);
    let digit = at + text[at..].find(|c: char| c.is_ascii_digit()).unwrap();
    let mut changed = text.clone();
    let d = text.as_bytes()[digit];
    changed.replace_range(digit..digit + 1, if d == b'9' { "8" } else { "9" });
    std::fs::write(&file, changed).unwrap();
    let e = refused(&["merge", s(&out)]);
    assert!(e.contains("is damaged: its checksum does not match"), "{e}");
}

/// Asking for fewer replications keeps the finished ones: the summary uses the first N, the
/// shard file still holds them all, and asking for the larger number again runs nothing.
#[test]
fn fewer_replications_keep_the_finished_ones() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("few");
    let run = |n: &str| {
        let mut v = vec!["run".to_string()];
        v.extend(small_args("20"));
        v.extend(["--replications".into(), n.into(), "--out".into(), s(&out).into()]);
        v.retain(|x| x != "-q");
        ok(&v.iter().map(String::as_str).collect::<Vec<_>>())
    };
    run("6");
    let six = std::fs::read_to_string(out.join("summary.csv")).unwrap();
    let err = run("4");
    assert!(err.contains("resuming: 6 unit(s) already finished") && !err.contains("units done"), "{err}");
    let shard = std::fs::read_to_string(out.join("shards/shard-1-of-1.jsonl")).unwrap();
    assert_eq!(
        shard.lines().filter(|l| l.starts_with("{\"row\"")).count(),
        6,
        "no finished replication is deleted"
    );
    let four = std::fs::read_to_string(out.join("summary.csv")).unwrap();
    assert!(four.contains(",share,4,") && !four.contains(",share,6,"), "the summary uses the first 4");
    let err = run("6");
    assert!(err.contains("resuming: 6 unit(s) already finished") && !err.contains("units done"), "{err}");
    assert_eq!(std::fs::read_to_string(out.join("summary.csv")).unwrap(), six);
}

/// Ctrl-C (SIGINT, which ends the process) leaves every finished unit on disk, and the rerun
/// completes the run with the same files as an uninterrupted one.
#[test]
fn ctrl_c_leaves_finished_units_and_the_rerun_completes() {
    let dir = tempfile::tempdir().unwrap();
    let args = |out: &Path| -> Vec<String> {
        let mut v = vec!["run".to_string()];
        v.extend(small_args("800"));
        v.extend(["--replications", "12", "--threads", "1", "--out", s(out)].map(String::from));
        v
    };
    let out = dir.path().join("interrupted");
    let shard = out.join("shards/shard-1-of-1.jsonl");
    let child = Command::new(env!("CARGO_BIN_EXE_medgroup"))
        .args(args(&out))
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    // Wait for at least two finished units (three lines), then interrupt.
    loop {
        let lines = std::fs::read_to_string(&shard).map(|t| t.matches('\n').count()).unwrap_or(0);
        if lines >= 3 || started.elapsed().as_secs() > 60 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    // The shell's own `kill`, so that no procps is needed.
    Command::new("sh").args(["-c", &format!("kill -INT {}", child.id())]).status().unwrap();
    let output = child.wait_with_output().unwrap();
    let status = output.status;
    let stderr = String::from_utf8_lossy(&output.stderr);
    let text = std::fs::read_to_string(&shard).unwrap();
    let kept =
        text.split_inclusive('\n').filter(|l| l.ends_with('\n') && l.contains("\"kind\":\"unit\"")).count();
    println!("interrupted: {status}; {kept} unit(s) on disk");
    assert!(kept >= 2);
    if !status.success() {
        assert!(kept < 12, "interrupted before the end");
        // It says what it kept (counted as each unit is written, so at most what is on disk)
        // and how to go on, and exits with 130 (128 + SIGINT).
        assert_eq!(status.code(), Some(130), "{stderr}");
        let said = stderr
            .split("interrupted: ")
            .nth(1)
            .and_then(|t| t.split(' ').next())
            .and_then(|n| n.parse::<usize>().ok())
            .unwrap_or_else(|| panic!("no count of kept replications in: {stderr}"));
        assert!(said >= 2 && said <= kept, "said {said}, {kept} on disk: {stderr}");
        assert!(
            stderr.contains("of 12 replication(s) finished and kept in")
                && stderr.contains("shard-1-of-1.jsonl")
                && stderr.contains("run the same command again to resume"),
            "{stderr}"
        );
    }
    let rerun: Vec<String> = args(&out).into_iter().filter(|x| x != "-q").collect();
    let err = ok(&rerun.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(err.contains(&format!("resuming: {kept} unit(s) already finished")), "{err}");
    let full = dir.path().join("full");
    ok(&args(&full).iter().map(String::as_str).collect::<Vec<_>>());
    assert!(result_files(&out) == result_files(&full), "the resumed run differs from an uninterrupted one");
}
