//! Experiments: common random numbers, seeds that follow content, `--set` through validation,
//! `--precision`, and sweeps.

use crate::common::*;
use medgroup::experiment::merge::comparisons;
use medgroup::experiment::{
    Design, Experiment, Kind, Shard, Spec, SweepRecord, independent_seed, literal, record,
};
use medgroup::scenario::{KeyPath, Loaded, parse_value};
use std::process::Command;

/// The small town (scenarios/small.toml) with a shorter run, and `sets` applied.
fn small(days: u32, warmup: u32, sets: &[(&str, &str)]) -> Loaded {
    let mut all: Vec<(KeyPath, toml::Value)> = vec![
        (KeyPath::parse("run.days").unwrap(), toml::Value::Integer(i64::from(days))),
        (KeyPath::parse("run.warmup_days").unwrap(), toml::Value::Integer(i64::from(warmup))),
    ];
    all.extend(sets.iter().map(|(k, v)| (KeyPath::parse(k).unwrap(), parse_value(v))));
    load("scenarios/small.toml").with_values(&all).unwrap_or_else(|e| panic!("{e}"))
}

fn spec(kind: Kind, independent: bool, scenarios: &[&Loaded], sweep: Option<SweepRecord>) -> Spec {
    Spec {
        kind,
        version: medgroup::VERSION.into(),
        seed: scenarios[0].params.seed,
        independent,
        scenarios: scenarios.iter().map(|l| record(l)).collect(),
        sweep,
        warmup: None,
        mid: Default::default(),
        different_windows: false,
        uncertainty: None,
    }
}

/// Raising the CHC reimbursement rate (a real payment lever) and comparing with the base: with
/// common random numbers both arms face the same patients and disease histories, so the paired
/// difference of the primary-care visit share has a far smaller spread than with independent
/// seeds, where it carries the full between-replication variance of both arms.
#[test]
fn common_random_numbers_narrow_the_paired_ci_of_a_real_lever() {
    let base = small(90, 30, &[]);
    let reform = small(
        90,
        30,
        &[
            ("name", "\"full_chc_reimbursement\""),
            ("payment.reimbursement_resident.primary", "1.0"),
            ("payment.reimbursement_employee.primary", "1.0"),
        ],
    );
    let reps = 8;
    let diff = |independent: bool| {
        let exp = Experiment::build(spec(Kind::Compare, independent, &[&base, &reform], None), reps).unwrap();
        let results = exp.run_all();
        let rows = comparisons(&exp, &results);
        rows.into_iter()
            .find(|c| c.metric == "primary_care_visit_share" && c.breakdown.is_empty())
            .unwrap()
            .paired
    };
    let crn = diff(false);
    let ind = diff(true);
    let half = |p: &analysis::stats::Paired| (p.diff_ci_high - p.diff_ci_low) / 2.0;
    println!(
        "CRN: diff {:.5} ± {:.5} (sd {:.5}); independent: diff {:.5} ± {:.5} (sd {:.5})",
        crn.diff_mean,
        half(&crn),
        crn.diff_sd,
        ind.diff_mean,
        half(&ind),
        ind.diff_sd
    );
    assert_eq!((crn.n, ind.n), (8, 8));
    // Direction of effect: cheaper CHC visits raise the primary-care share, and with CRN the
    // 95 % CI of the difference excludes 0.
    assert!(crn.diff_mean > 0.0 && crn.significant(), "{crn:?}");
    // The independent-seed difference has SD ≈ √2 × the between-replication SD of one arm
    // (here ≈ 0.0017, so a CI half-width ≈ 0.0014 with 8 pairs); CRN removes most of it (SD
    // ≈ 0.00005, half-width ≈ 0.00004 for an effect of ≈ 0.0007). Require CRN's CI to be at
    // most a third as wide — a ratio of 3 where the design gives about 30.
    assert!(half(&crn) < half(&ind) / 3.0, "CRN {} vs independent {}", half(&crn), half(&ind));
}

/// A replication's metrics as (name, breakdown, bits of the value).
type Bits = Vec<(String, String, u64)>;

fn metrics_of(r: &medgroup::model::record::ReplicationResult) -> Bits {
    r.metrics.iter().map(|m| (m.name.clone(), m.breakdown.clone(), m.value.to_bits())).collect()
}

/// A point's results depend on what the point is, not where it stands in the list: reversing a
/// grid's values or the reform arms gives each point the same results, under common random
/// numbers and under independent seeds alike.
#[test]
fn seeds_follow_point_content_not_position() {
    let base = small(30, 10, &[]);
    let sweep = |values: &[&str], independent: bool| {
        let rec = SweepRecord {
            parameters: vec!["facilities[lead].wards[medical].beds".into()],
            design: Design::Grid,
            points: values.iter().map(|v| vec![literal(&parse_value(v))]).collect(),
        };
        let exp = Experiment::build(spec(Kind::Sweep, independent, &[&base], Some(rec)), 2).unwrap();
        let results = exp.run_all();
        let by_value: std::collections::BTreeMap<String, Vec<Bits>> = exp
            .points
            .iter()
            .zip(&results)
            .map(|(p, rs)| (literal(&p.values[0]), rs.iter().map(metrics_of).collect()))
            .collect();
        (exp, by_value)
    };
    for independent in [false, true] {
        let (e1, a) = sweep(&["15", "30", "45"], independent);
        let (e2, b) = sweep(&["45", "15", "30"], independent);
        assert_eq!(a, b, "independent = {independent}");
        // Seeds: the master seed under CRN, a hash of (master seed, point identity) otherwise.
        for p in e1.points.iter().chain(&e2.points) {
            let want = if independent { independent_seed(base.params.seed, p.key) } else { base.params.seed };
            assert_eq!(p.params.seed, want);
        }
        if independent {
            assert_ne!(e1.points[0].params.seed, e1.points[1].params.seed);
        }
    }
    // Arms of a comparison: swapping the two reforms changes nothing for either.
    let r1 = small(30, 10, &[("name", "\"more_beds\""), ("facilities[lead].wards[medical].beds", "40")]);
    let r2 = small(30, 10, &[("name", "\"cheap_chc\""), ("payment.reimbursement_resident.primary", "1.0")]);
    let run = |arms: &[&Loaded]| {
        let exp = Experiment::build(spec(Kind::Compare, true, arms, None), 2).unwrap();
        let results = exp.run_all();
        exp.points
            .iter()
            .zip(results)
            .map(|(p, rs)| (p.label.clone(), rs.iter().map(metrics_of).collect::<Vec<_>>()))
            .collect::<std::collections::BTreeMap<_, _>>()
    };
    assert_eq!(run(&[&base, &r1, &r2]), run(&[&base, &r2, &r1]));
}

/// `--set` works on any key path, and what it sets goes through the schema and validation, so
/// a bad path, an unknown key or an out-of-range value gives a clear error and exit code 1.
#[test]
fn set_values_go_through_validation() {
    let set = |path: &str, value: &str| {
        let (k, v) = medgroup::scenario::parse_assignment(&format!("{path}={value}")).unwrap();
        load("scenarios/small.toml").with_values(&[(k, v.into_iter().next().unwrap())])
    };
    let l = set("facilities[lead].wards[medical].beds", "31").unwrap();
    let lead = l.params.facilities.iter().find(|f| f.name == "lead").unwrap();
    assert_eq!(lead.wards.iter().find(|w| w.name == "medical").unwrap().beds, 31);
    let l = set(
        "facilities[chc].clinics[kind=general_practice].family_doctors.opening_by_weekday",
        "[1, 1, 1, 1, 1, 0, 0]",
    )
    .unwrap();
    assert!(
        l.params
            .facilities
            .iter()
            .filter(|f| f.name.starts_with("chc-"))
            .all(|f| f.clinics[0].slots_per_weekday[5] == 0)
    );
    assert_ne!(l.hash(), load("scenarios/small.toml").hash());
    let msg = set("facilities[lead].wards[medical].beds", "-3").unwrap_err().to_string();
    assert!(msg.contains("facilities[0].wards[0].beds: must be an integer in 1..=100000, got -3"), "{msg}");
    assert!(msg.contains("after setting facilities[lead].wards[medical].beds=-3"), "{msg}");
    let msg = set("population.frailty_varianse", "0.3").unwrap_err().to_string();
    assert!(msg.contains("population.frailty_varianse: unknown key"), "{msg}");
    let msg = set("facilities[hospital].wards[medical].beds", "3").unwrap_err().to_string();
    assert!(
        msg.contains("no entry of `facilities` has name = `hospital` (there: `lead`, `member`, `chc`)"),
        "{msg}"
    );
    // The command line reports the same and exits 1.
    let out = Command::new(env!("CARGO_BIN_EXE_medgroup"))
        .args([
            "run",
            repo("scenarios/small.toml").to_str().unwrap(),
            "--set",
            "population.signing_rate=1.5",
            "-q",
        ])
        .args(["--out", tempfile::tempdir().unwrap().path().to_str().unwrap()])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("population.signing_rate: must be a number in [0, 1], got 1.5"), "{err}");
}

fn medgroup(args: &[&str]) -> (String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_medgroup")).args(args).output().unwrap();
    let (o, e) = (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    );
    assert!(out.status.success(), "medgroup {args:?} failed:\n{e}");
    (o, e)
}

/// `--precision` adds deterministic batches until every headline metric is precise enough, or
/// says plainly that the cap stopped it.
#[test]
fn precision_adds_batches_until_met_or_capped() {
    let scenario = repo("scenarios/validation/mmc_ward.toml");
    let s = scenario.to_str().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = |name: &str| dir.path().join(name).to_str().unwrap().to_string();
    // The ward's occupancy (mean ≈ 0.92) is precise to 2 % within a few replications of 400 days.
    let args = |o: &str, rel: &str, cap: &str| {
        vec![
            "run",
            s,
            "--days",
            "400",
            "--warmup-days",
            "100",
            "--replications",
            "3",
            "--precision",
            rel,
            "--max-replications",
            cap,
            "--out",
            o,
        ]
        .into_iter()
        .map(String::from)
        .collect::<Vec<_>>()
    };
    let run = |a: Vec<String>| medgroup(&a.iter().map(String::as_str).collect::<Vec<_>>());
    // Loose enough to be met: the mean wait in queue has a wide relative CI (it is short and
    // skewed), so 25 % takes a few batches; the manifest records how many were run.
    let (o1, e1) = run(args(&out("a"), "0.25", "60"));
    println!("{e1}{o1}");
    assert!(o1.contains("precision reached"), "{o1}");
    let m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("a/manifest.json")).unwrap()).unwrap();
    let n = m["replications"].as_u64().unwrap();
    assert!(n > 3 && n <= 60, "{n}");
    // The same command again redoes nothing and gives the same files.
    let (_, e2) = run(args(&out("a"), "0.25", "60"));
    assert!(e2.contains(&format!("resuming: {n} unit(s) already finished")), "{e2}");
    assert!(!e2.contains("units done"), "nothing was rerun: {e2}");
    // A precision the cap cannot reach is reported plainly.
    let (o3, _) = run(args(&out("b"), "0.001", "5"));
    assert!(o3.contains("precision NOT reached: stopped at the cap of 5 replication(s)"), "{o3}");
    let m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("b/manifest.json")).unwrap()).unwrap();
    assert_eq!(m["replications"], 5);
}

/// A grid sweep writes one tidy row per point × replication × metric with the parameter values
/// as columns, and a summary per point; an LHS sweep covers its ranges.
#[test]
fn sweeps_write_tidy_files() {
    let dir = tempfile::tempdir().unwrap();
    let s = repo("scenarios/small.toml");
    let o = dir.path().join("grid");
    medgroup(&[
        "sweep",
        s.to_str().unwrap(),
        "--days",
        "20",
        "--warmup-days",
        "5",
        "--replications",
        "2",
        "--set",
        "facilities[lead].wards[medical].beds=10,40",
        "--set",
        "population.signing_rate=0.2,0.5,0.9",
        "--out",
        o.to_str().unwrap(),
        "-q",
    ]);
    let long = std::fs::read_to_string(o.join("sweep.csv")).unwrap();
    let mut lines = long.lines();
    assert_eq!(
        lines.next().unwrap(),
        "point,facilities_lead_wards_medical_beds,population_signing_rate,replication,metric,breakdown,value"
    );
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    // Every point × replication has its rows (the number of metrics can differ: a breakdown
    // with no events has no row).
    let units: std::collections::BTreeSet<(&str, &str)> = rows.iter().map(|r| (r[0], r[3])).collect();
    assert_eq!(units.len(), 6 * 2, "6 points × 2 replications: {units:?}");
    assert!(rows.len() > 12 * 50);
    // First key slowest: point 1 is beds 10, signing 0.5; point 3 is beds 40, signing 0.2.
    assert!(rows.iter().any(|r| r[..3] == ["1", "10", "0.5"]));
    assert!(rows.iter().any(|r| r[..3] == ["3", "40", "0.2"]));
    let summary = std::fs::read_to_string(o.join("sweep_summary.csv")).unwrap();
    assert!(summary.starts_with(
        "point,facilities_lead_wards_medical_beds,population_signing_rate,metric,breakdown,tier,channel,ward,priority,payer,condition,campaign,facility,group,year,catchment,scheme,population,route,origin,item,unit,n,mean,sd,ci_low,ci_high\n"
    ));
    let m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(o.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(m["kind"], "sweep");
    assert_eq!(m["parameters"][1], "population.signing_rate");
    // Column names survive R's read.csv; the manifest maps them back to the key paths.
    assert_eq!(m["columns"]["facilities_lead_wards_medical_beds"], "facilities[lead].wards[medical].beds");
    assert_eq!(m["design"]["kind"], "grid");
    let o = dir.path().join("lhs");
    medgroup(&[
        "sweep",
        s.to_str().unwrap(),
        "--days",
        "20",
        "--warmup-days",
        "5",
        "--replications",
        "1",
        "--lhs",
        "8",
        "--range",
        "facilities[lead].wards[medical].beds=10:50",
        "--range",
        "population.signing_rate=0.2:0.9",
        "--out",
        o.to_str().unwrap(),
        "-q",
    ]);
    let m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(o.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(m["design"]["kind"], "lhs");
    let points = m["points"].as_array().unwrap();
    assert_eq!(points.len(), 8);
    // One point in each eighth of each range; the integer key gets integers.
    let mut strata = [[false; 8]; 2];
    for p in points {
        let beds: i64 =
            p["values"]["facilities[lead].wards[medical].beds"].as_str().unwrap().parse().unwrap();
        let rate: f64 = p["values"]["population.signing_rate"].as_str().unwrap().parse().unwrap();
        assert!((10..=50).contains(&beds) && (0.2..0.9).contains(&rate));
        strata[1][((rate - 0.2) / 0.7 * 8.0) as usize] = true;
        strata[0][(((beds as f64 - 10.0) / 40.0 * 8.0) as usize).min(7)] |= true;
    }
    assert!(strata[1].iter().all(|&s| s), "{strata:?}");
    // Errors: no parameters, --range without --lhs.
    let out =
        Command::new(env!("CARGO_BIN_EXE_medgroup")).args(["sweep", s.to_str().unwrap()]).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("a sweep needs parameters"));
}

#[test]
fn shard_numbers_come_from_the_scheduler() {
    let none = |_: &str| None;
    assert_eq!(Shard::parse("2/8", none), Ok(Shard { index: 2, count: 8 }));
    let slurm = |k: &str| (k == "SLURM_ARRAY_TASK_ID").then(|| "3".to_string());
    assert_eq!(Shard::parse("auto/4", slurm), Ok(Shard { index: 3, count: 4 }));
    let k8s = |k: &str| (k == "JOB_COMPLETION_INDEX").then(|| "0".to_string());
    assert_eq!(Shard::parse("auto/4", k8s), Ok(Shard { index: 1, count: 4 }));
    assert!(
        Shard::parse("auto/4", none)
            .unwrap_err()
            .contains("neither SLURM_ARRAY_TASK_ID nor JOB_COMPLETION_INDEX")
    );
    assert!(Shard::parse("0/4", none).unwrap_err().contains("shard 0 of 4 does not exist"));
    assert!(Shard::parse("5/4", none).is_err());
    let big = |k: &str| (k == "SLURM_ARRAY_TASK_ID").then(|| "9".to_string());
    assert!(Shard::parse("auto/4", big).unwrap_err().contains("--array=1-4"));
    assert!(Shard::parse("2", none).is_err());
}

/// `compare` writes comparison.csv in the documented layout, each arm's run files, and a
/// manifest naming the arms and the base; the terminal table marks significant differences.
/// `--warmup-days auto`: one pilot of the base picks the warm-up, every arm runs with it, and
/// the manifests say so.
#[test]
fn an_automatic_warm_up_is_picked_once_and_applied_to_every_arm() {
    let dir = tempfile::tempdir().unwrap();
    let o = dir.path().join("cmp");
    let (_, stderr) = medgroup(&[
        "compare",
        repo("scenarios/small.toml").to_str().unwrap(),
        repo("scenarios/small_chc_reimbursement.toml").to_str().unwrap(),
        "--days",
        "60",
        "--warmup-days",
        "auto",
        "--replications",
        "2",
        "--out",
        o.to_str().unwrap(),
    ]);
    assert!(stderr.contains("warm-up: a pilot of \"small\""), "{stderr}");
    let read = |p: std::path::PathBuf| -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
    };
    let m = read(o.join("manifest.json"));
    let c = &m["warmup_choice"];
    assert_eq!(c["mode"], "auto");
    assert_eq!(c["pilot_replications"], 2);
    let days = c["days"].as_u64().unwrap();
    assert!(days > 0 && days % 7 == 0, "{c}");
    for arm in ["small", "small_chc_reimbursement"] {
        let a = read(o.join("arms").join(arm).join("manifest.json"));
        assert_eq!(a["warmup_days"].as_u64(), Some(days), "{arm}");
        assert_eq!(a["warmup_choice"], *c, "{arm}");
    }
}

#[test]
fn compare_writes_the_documented_files() {
    let dir = tempfile::tempdir().unwrap();
    let o = dir.path().join("cmp");
    let (stdout, _) = medgroup(&[
        "compare",
        repo("scenarios/small.toml").to_str().unwrap(),
        repo("scenarios/small_chc_reimbursement.toml").to_str().unwrap(),
        "--days",
        "60",
        "--warmup-days",
        "20",
        "--replications",
        "4",
        "--out",
        o.to_str().unwrap(),
    ]);
    assert!(stdout.contains("* the 95 % CI of the paired difference excludes 0"), "{stdout}");
    let line = stdout.lines().find(|l| l.trim_start().starts_with("primary_care_visit_share ")).unwrap();
    assert!(line.contains("small_chc_reimbursement") && line.contains("share"), "{line}");
    let csv = std::fs::read_to_string(o.join("comparison.csv")).unwrap();
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(
        header,
        "arm,metric,breakdown,tier,channel,ward,priority,payer,condition,campaign,facility,group,year,catchment,scheme,population,route,origin,item,unit,n,base_mean,arm_mean,diff_mean,diff_sd,diff_ci_low,diff_ci_high,pct_change,pct_ci_low,pct_ci_high,significant,mid,better,verdict"
            .split(',')
            .collect::<Vec<_>>()
    );
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let share: Vec<&str> = lines
        .find(|l| l.starts_with("small_chc_reimbursement,primary_care_visit_share,all,"))
        .unwrap()
        .split(',')
        .collect();
    assert_eq!(share[col("unit")], "share");
    assert_eq!(share[col("n")], "4");
    assert_eq!(share[col("tier")], "NA");
    let f = |name: &str| share[col(name)].parse::<f64>().unwrap();
    // diff = arm − base, inside its CI; % change = 100 (arm / base − 1).
    assert!((f("diff_mean") - (f("arm_mean") - f("base_mean"))).abs() < 1e-12);
    assert!(f("diff_ci_low") <= f("diff_mean") && f("diff_mean") <= f("diff_ci_high"));
    assert!((f("pct_change") - 100.0 * (f("arm_mean") / f("base_mean") - 1.0)).abs() < 1e-9);
    let significant = f("diff_ci_low") > 0.0 || f("diff_ci_high") < 0.0;
    assert_eq!(share[col("significant")], if significant { "true" } else { "false" });
    // The share's MID is 1 pp and higher is better: the verdict follows the CI.
    assert_eq!(f("mid"), 0.01);
    assert_eq!(share[col("better")], "higher");
    let verdict = if !significant {
        "not significant"
    } else if f("diff_ci_low") > -0.01 && f("diff_ci_high") < 0.01 {
        "negligible"
    } else if f("diff_mean") > 0.0 {
        "better"
    } else {
        "worse"
    };
    assert_eq!(share[col("verdict")], verdict);
    for arm in ["small", "small_chc_reimbursement"] {
        for file in ["summary.csv", "daily.csv", "replications.jsonl", "manifest.json"] {
            assert!(o.join("arms").join(arm).join(file).is_file(), "arms/{arm}/{file}");
        }
    }
    let m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(o.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(m["kind"], "compare");
    assert_eq!(m["base"], "small");
    assert_eq!(m["arms"][1]["name"], "small_chc_reimbursement");
    assert!(m["arms"][1]["scenario_file"].as_str().unwrap().ends_with("small_chc_reimbursement.toml"));
    assert_eq!(m["arms"][0]["seed"], m["arms"][1]["seed"], "common random numbers: the same seed");
    assert_eq!(m["arms"][1]["scenario_hash"].as_str().unwrap().len(), 16);
}

/// Arms with different run windows would pair replications over different periods: refused,
/// naming both windows, unless asked for with --different-windows.
#[test]
fn compare_refuses_arms_with_different_run_windows_unless_asked() {
    let dir = tempfile::tempdir().unwrap();
    let longer = dir.path().join("longer.toml");
    std::fs::write(
        &longer,
        format!(
            "extends = {:?}\nname = \"longer\"\n[run]\ndays = 90\nwarmup_days = 30\n",
            repo("scenarios/small.toml").display().to_string()
        ),
    )
    .unwrap();
    let base = dir.path().join("base.toml");
    std::fs::write(
        &base,
        format!(
            "extends = {:?}\nname = \"base\"\n[run]\ndays = 60\nwarmup_days = 30\n",
            repo("scenarios/small.toml").display().to_string()
        ),
    )
    .unwrap();
    let out = dir.path().join("c");
    let s = |p: &std::path::Path| p.display().to_string();
    let args = |extra: &[&str]| {
        let mut v: Vec<String> = vec![
            "compare".into(),
            s(&base),
            s(&longer),
            "--replications".into(),
            "2".into(),
            "--out".into(),
            s(&out),
        ];
        v.push("-q".into());
        v.extend(extra.iter().map(|x| x.to_string()));
        v
    };
    let o = Command::new(env!("CARGO_BIN_EXE_medgroup")).args(args(&[])).output().unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains("arm \"longer\" runs 30 warm-up + 90 recorded days, the base \"base\" 30 + 60")
            && err.contains("--different-windows"),
        "{err}"
    );
    medgroup(&args(&["--different-windows"]).iter().map(String::as_str).collect::<Vec<_>>());
    assert!(out.join("comparison.csv").is_file());
}
