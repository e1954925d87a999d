//! Calibration and sensitivity: parameters the model itself generated are recovered; bad input is
//! refused before any simulation; Morris screening ranks a parameter that matters above one that
//! does not.

use crate::common::*;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A small town (10,000 residents, the baseline's capacities scaled) with one recorded year.
fn town(dir: &Path) -> std::path::PathBuf {
    let path = dir.join("town.toml");
    let small = repo("scenarios/small.toml");
    std::fs::write(
        &path,
        format!(
            "extends = {:?}\nname = \"town\"\n[run]\ndays = 365\nwarmup_days = 60\nreplications = 4\n",
            small.display().to_string()
        ),
    )
    .unwrap();
    path
}

/// The options of a `medgroup calibrate` command line.
struct CalibrateArgs {
    scenario: PathBuf,
    targets: PathBuf,
    params: Vec<String>,
    out: PathBuf,
    shard: Option<String>,
    advance_only: bool,
    /// Further options, as written.
    extra: Vec<String>,
}

fn args(scenario: &Path, targets: &Path, out: &Path) -> CalibrateArgs {
    CalibrateArgs {
        scenario: scenario.to_path_buf(),
        targets: targets.to_path_buf(),
        params: Vec::new(),
        out: out.to_path_buf(),
        shard: None,
        advance_only: false,
        extra: Vec::new(),
    }
}

/// Runs the command (quiet, 2 threads); the error is its stderr.
fn medgroup(args: Vec<String>) -> Result<(), String> {
    let out = Command::new(env!("CARGO_BIN_EXE_medgroup")).args(&args).output().unwrap();
    if out.status.success() { Ok(()) } else { Err(String::from_utf8_lossy(&out.stderr).into_owned()) }
}

fn calibrate(a: CalibrateArgs) -> Result<(), String> {
    let mut cl: Vec<String> = vec!["calibrate".into(), a.scenario.display().to_string()];
    cl.extend([
        "--targets".into(),
        a.targets.display().to_string(),
        "--out".into(),
        a.out.display().to_string(),
    ]);
    cl.extend(["--threads".into(), "2".into(), "--quiet".into()]);
    for p in a.params {
        cl.extend(["--param".into(), p]);
    }
    if let Some(s) = a.shard {
        cl.extend(["--shard".into(), s]);
    }
    if a.advance_only {
        cl.push("--advance-only".into());
    }
    cl.extend(a.extra);
    medgroup(cl)
}

/// Rows of `posterior.csv`: key → (q05, median, q95).
fn posterior(out: &Path) -> Vec<(String, f64, f64, f64)> {
    let text = std::fs::read_to_string(out.join("posterior.csv")).unwrap();
    text.lines()
        .skip(1)
        .map(|l| {
            let c: Vec<&str> = l.split(',').collect();
            (c[0].to_string(), c[3].parse().unwrap(), c[4].parse().unwrap(), c[5].parse().unwrap())
        })
        .collect()
}

#[test]
fn calibration_recovers_parameters_the_model_generated() {
    // Truth: up-referral propensity 0.5, enrolled follow-up interval 60 days. The observed values
    // are the means of 4 replications at the truth with a seed the calibration never uses; the
    // tolerances are about 2 replication SDs (referrals 1,527 ± 72 SD; follow-ups 3.155 ± 0.015).
    let dir = tempfile::tempdir().unwrap();
    let scenario = town(dir.path());
    let truth = {
        let mut p = load_path(&scenario).params;
        p.seed = 99;
        p.referral.up_referral_propensity = 0.5;
        p.care.enrolled_followup_interval_days = 60.0;
        run(&p, 4)
    };
    let mean = |name: &str| values(&truth, name, "year=1").iter().sum::<f64>() / 4.0;
    let (referrals, followups) = (mean("referrals_up_per_year"), mean("followups_per_served_patient"));
    println!("observed: referrals {referrals:.1}, follow-ups per served patient {followups:.4}");
    let targets = dir.path().join("targets.toml");
    std::fs::write(
        &targets,
        format!(
            "[[target]]\nname = \"referrals\"\noutput = \"referrals_up_per_year\"\nwindow = {{ from_day = 0, to_day = 365 }}\n\
             observed = {referrals}\ntolerance = 145.0\nweight = 1.0\nsource = \"the model\"\ndefinition = \"up-referrals, year 1\"\n\n\
             [[target]]\nname = \"followups\"\noutput = \"followups_per_served_patient\"\nbreakdown = \"year=1\"\n\
             observed = {followups}\ntolerance = 0.03\nweight = 1.0\nsource = \"the model\"\ndefinition = \"follow-ups per served patient\"\n\n\
             [[parameter]]\nkey = \"referral.up_referral_propensity\"\nprior = \"uniform\"\nlo = 0.1\nhi = 0.9\n\n\
             [[parameter]]\nkey = \"care.enrolled_followup_interval_days\"\nprior = \"uniform\"\nlo = 30.0\nhi = 180.0\n\n\
             [abc]\nparticles = 30\nsimulations_per_generation = 80\ngenerations = 3\npredictive_simulations = 10\n"
        ),
    )
    .unwrap();
    let out = dir.path().join("cal");
    calibrate(args(&scenario, &targets, &out)).unwrap();
    let post = posterior(&out);
    for ((key, q05, median, q95), truth) in post.iter().zip([0.5, 60.0]) {
        println!("{key}: median {median:.3}, 90 % interval [{q05:.3}, {q95:.3}], truth {truth}");
        assert!(*q05 <= truth && truth <= *q95, "{key}: truth {truth} outside [{q05}, {q95}]");
    }
    // The interval is informative for the follow-up interval (prior width 150 days).
    assert!(post[1].3 - post[1].1 < 30.0, "follow-up interval not narrowed: {:?}", post[1]);
    for f in ["posterior_sample.csv", "fit.csv", "fit_report.md", "calibrated.toml"] {
        assert!(out.join(f).exists(), "{f} written");
    }
    let calibrated = medgroup::scenario::load(&out.join("calibrated.toml")).unwrap();
    assert!((calibrated.params.care.enrolled_followup_interval_days - post[1].2).abs() < 1e-9);
    // A rerun resumes: the same files, nothing simulated again (the state is kept).
    let before = std::fs::read(out.join("posterior_sample.csv")).unwrap();
    calibrate(args(&scenario, &targets, &out)).unwrap();
    assert_eq!(before, std::fs::read(out.join("posterior_sample.csv")).unwrap());
}

#[test]
fn sharded_generations_give_the_state_one_machine_gives() {
    // Without and with the early look (lazy ABC): its verdicts come from each proposal's own
    // stream, so shards give what one machine gives.
    for lazy in ["", "\n[abc.lazy]\ncheck_day = 120\nfactor = 1.0\n"] {
        let dir = tempfile::tempdir().unwrap();
        let scenario = town(dir.path());
        let targets = dir.path().join("targets.toml");
        std::fs::write(
            &targets,
            format!(
                "[[target]]\nname = \"referrals\"\noutput = \"referrals_up_per_year\"\nobserved = 1500.0\ntolerance = 150.0\n\
                 weight = 1.0\nsource = \"s\"\ndefinition = \"d\"\n\n[[parameter]]\nkey = \"referral.up_referral_propensity\"\n\
                 prior = \"uniform\"\nlo = 0.1\nhi = 0.9\n\n[abc]\nparticles = 6\nsimulations_per_generation = 12\ngenerations = 2\n\
                 predictive_simulations = 4\n{lazy}"
            ),
        )
        .unwrap();
        let one = dir.path().join("one");
        calibrate(args(&scenario, &targets, &one)).unwrap();
        let many = dir.path().join("many");
        for _generation in 0..2 {
            for k in 1..=3 {
                let mut a = args(&scenario, &targets, &many);
                a.shard = Some(format!("{k}/3"));
                calibrate(a).unwrap();
            }
            let mut a = args(&scenario, &targets, &many);
            a.advance_only = true;
            calibrate(a).unwrap();
        }
        calibrate(args(&scenario, &targets, &many)).unwrap();
        for f in ["posterior_sample.csv", "posterior.csv", "fit.csv", "calibrated.toml"] {
            assert_eq!(
                std::fs::read(one.join(f)).unwrap(),
                std::fs::read(many.join(f)).unwrap(),
                "{f} differs"
            );
        }
        // Generation 1 is the first with a tolerance to compare with: its proposals are looked
        // at, and with factor 1 (flag whatever already looks worse than the last population)
        // and α = 0.2 some of the 12 stop. Generation 0 has no look.
        let generation =
            |g: u32| std::fs::read_to_string(one.join(format!("calibration/gen-{g}.jsonl"))).unwrap();
        assert!(!generation(0).contains("\"early\""));
        let looks = generation(1).matches("\"early\"").count();
        let stopped = generation(1).matches("\"stopped\":true").count();
        if lazy.is_empty() {
            assert_eq!(looks, 0);
        } else {
            assert_eq!(looks, 12, "{}", generation(1));
            assert!(stopped > 0, "no proposal stopped:\n{}", generation(1));
            let report = std::fs::read_to_string(one.join("fit_report.md")).unwrap();
            assert!(report.contains("| generation | ε | ESS | simulations | stopped early |"), "{report}");
            let row = report.lines().find(|l| l.starts_with("| 1 | ")).expect("generation 1's row");
            assert_eq!(row.split('|').nth(5).map(str::trim), Some(stopped.to_string().as_str()), "{row}");
            // The command-line option is the table with its defaults (factor 1, α 0.2).
            let plain = dir.path().join("plain.toml");
            let text = std::fs::read_to_string(&targets).unwrap();
            std::fs::write(&plain, text.replace(lazy, "")).unwrap();
            let cli = dir.path().join("cli");
            let mut a = args(&scenario, &plain, &cli);
            a.extra = vec!["--lazy-check-day".into(), "120".into()];
            calibrate(a).unwrap();
            for f in ["posterior_sample.csv", "posterior.csv", "fit.csv"] {
                assert_eq!(
                    std::fs::read(one.join(f)).unwrap(),
                    std::fs::read(cli.join(f)).unwrap(),
                    "{f} differs"
                );
            }
        }
    }
}

/// A replication run in steps: ended at the end of management year 1, it has the full run's
/// year-1 rows exactly (a day depends only on the days before it); part-way through the year,
/// the year-to-date shares and rates are the window's own (the window is that year so far).
#[test]
fn a_run_in_steps_gives_the_full_runs_year_and_its_year_to_date() {
    let mut p = load("scenarios/small.toml").params;
    p.run.warmup_days = 30;
    p.run.days = 420;
    let p = std::sync::Arc::new(p);
    let full = medgroup::run::run_replication(&p, 0);
    let year1 = |metrics: &[medgroup::model::record::Metric]| {
        let mut v: Vec<(String, String, f64)> = metrics
            .iter()
            .filter(|m| m.breakdown.split(';').any(|kv| kv == "year=1"))
            .map(|m| (m.name.clone(), m.breakdown.clone(), m.value))
            .collect();
        v.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
        v
    };
    let mut steps = medgroup::run::Replication::new(&p, 0);
    steps.run_until(30 + 200, |_| {});
    let ytd = steps.year_to_date();
    let so_far = steps.results().metrics;
    let get = |m: &[medgroup::model::record::Metric], name: &str, b: &str| {
        m.iter().find(|x| x.name == name && x.breakdown == b).map(|x| x.value)
    };
    assert!(year1(&so_far).is_empty(), "no year-1 row before the year ends");
    assert_eq!(get(&ytd, "primary_care_visit_share", "year=1"), get(&so_far, "primary_care_visit_share", ""));
    let per_day = get(&so_far, "visits_per_day", "tier=primary").unwrap();
    let per_year = get(&ytd, "visits_per_year", "tier=primary;year=1").unwrap();
    assert!(
        (per_year - per_day * medgroup::time::DAYS_PER_YEAR).abs() < 1e-9 * per_year,
        "{per_year} vs {per_day} a day"
    );
    assert!(get(&ytd, "managed_patients", "year=1").is_some_and(|v| v > 0.0));
    for cumulative in ["followups_per_served_patient", "standardised_management_rate", "health_check_rate"] {
        assert!(get(&ytd, cumulative, "year=1").is_none(), "{cumulative} has no year-to-date estimate");
    }
    steps.run_until(30 + 365, |_| {});
    assert!(steps.year_to_date().is_empty(), "no year in progress on the day after a year ends");
    let ended = steps.results().metrics;
    assert!(!year1(&ended).is_empty());
    assert_eq!(year1(&ended), year1(&full.metrics));
}

#[test]
fn bad_targets_are_refused_before_any_simulation() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = town(dir.path());
    let targets = dir.path().join("bad.toml");
    std::fs::write(
        &targets,
        "[[target]]\nname = \"x\"\noutput = \"primary_care_visits_share\"\nobserved = 0.5\ntolerance = 0.03\n\
         weight = 1.0\nsource = \"s\"\ndefinition = \"d\"\n\n[[parameter]]\nkey = \"referral.up_referral_propensity\"\n\
         prior = \"uniform\"\nlo = 0.9\nhi = 0.9\n\n[[parameter]]\nkey = \"referral.not_a_key\"\nprior = \"uniform\"\n\
         lo = 0.1\nhi = 0.9\n",
    )
    .unwrap();
    let out = dir.path().join("out");
    let e = calibrate(args(&scenario, &targets, &out)).unwrap_err();
    for expected in [
        "target[0].output",
        "primary_care_visits_share",
        "parameter[0].prior: uniform prior needs lo < hi",
        "parameter[1].key: `referral.not_a_key` is not a parameter of the scenario",
    ] {
        assert!(e.contains(expected), "missing «{expected}» in: {e}");
    }
    assert!(!out.exists(), "nothing is written before the inputs are valid");
    // A prior whose bound is outside the key's allowed range is refused too.
    let targets = dir.path().join("range.toml");
    std::fs::write(
        &targets,
        "[[target]]\nname = \"x\"\noutput = \"primary_care_visit_share\"\nobserved = 0.5\ntolerance = 0.03\n\
         weight = 1.0\nsource = \"s\"\ndefinition = \"d\"\n\n[[parameter]]\nkey = \"referral.up_referral_propensity\"\n\
         prior = \"uniform\"\nlo = 0.5\nhi = 1.5\n",
    )
    .unwrap();
    let e = calibrate(args(&scenario, &targets, &out)).unwrap_err();
    assert!(e.contains("the prior's bound 1.5 does not give a valid scenario"), "{e}");
    assert!(e.contains("referral.up_referral_propensity: must be a number in [0, 1]"), "{e}");
    // An early look on or after the run's last recorded day (the town records 365) is refused.
    let targets = dir.path().join("lazy.toml");
    std::fs::write(
        &targets,
        "[[target]]\nname = \"x\"\noutput = \"primary_care_visit_share\"\nobserved = 0.5\ntolerance = 0.03\n\
         weight = 1.0\nsource = \"s\"\ndefinition = \"d\"\n\n[[parameter]]\nkey = \"referral.up_referral_propensity\"\n\
         prior = \"uniform\"\nlo = 0.1\nhi = 0.9\n\n[abc.lazy]\ncheck_day = 365\n",
    )
    .unwrap();
    let fresh = dir.path().join("fresh");
    let e = calibrate(args(&scenario, &targets, &fresh)).unwrap_err();
    assert!(e.contains("abc.lazy.check_day must be fewer than the scenario's 365 recorded days"), "{e}");
    assert!(!fresh.exists(), "nothing is written before the inputs are valid");
}

#[test]
fn morris_ranks_a_parameter_that_matters_above_one_that_does_not() {
    // The up-referral propensity drives referrals; the referral's processing time only delays
    // the hospital visit, so it moves referrals_up_per_year little (only when the delay leaves no
    // slot within the patient's tolerance).
    let dir = tempfile::tempdir().unwrap();
    let scenario = town(dir.path());
    let out = dir.path().join("morris");
    medgroup(
        [
            "sensitivity",
            scenario.to_str().unwrap(),
            "--param",
            "referral.up_referral_propensity=uniform:0.1:0.9",
            "--param",
            "referral.processing_days_mean=uniform:0:10",
            "--method",
            "morris",
            "--trajectories",
            "6",
            "--levels",
            "4",
            "--out",
            out.to_str().unwrap(),
            "--threads",
            "2",
            "--quiet",
        ]
        .map(String::from)
        .to_vec(),
    )
    .unwrap();
    let table = std::fs::read_to_string(out.join("sensitivity.csv")).unwrap();
    let rank = |param: &str| -> usize {
        let line = table
            .lines()
            .find(|l| l.starts_with("referrals_up_per_year,") && l.contains(param))
            .unwrap_or_else(|| panic!("no row for {param} in\n{table}"));
        println!("{line}");
        line.split(',').nth(1).unwrap().parse().unwrap()
    };
    assert_eq!(rank("referral.up_referral_propensity"), 1);
    assert_eq!(rank("referral.processing_days_mean"), 2);
}

/// `check` runs a scenario against a targets file without fitting: the fit report names every
/// target, a pass within tolerance and a fail outside it, and the direction of a compared pair.
#[test]
fn check_reports_every_target_without_fitting() {
    let dir = tempfile::tempdir().unwrap();
    let targets = dir.path().join("small.targets.toml");
    let observed = |name: &str, output: &str, breakdown: &str, value: f64, tol: f64, with: &str| {
        format!(
            "[[target]]\nname = \"{name}\"\noutput = \"{output}\"\n{}observed = {value}\ntolerance = {tol}\nweight = 1\n\
             source = \"test\"\ndefinition = \"test\"\n{}\n",
            if breakdown.is_empty() { String::new() } else { format!("breakdown = \"{breakdown}\"\n") },
            if with.is_empty() { String::new() } else { format!("compare_with = \"{with}\"\n") }
        )
    };
    // The small town's share is about 0.39: 0.39 ± 0.05 passes, 0.9 ± 0.01 fails. The lead sees
    // more visits a day than a member hospital in the file's observed values, and in the model.
    let text = [
        observed("share", "primary_care_visit_share", "", 0.39, 0.05, ""),
        observed("far", "primary_care_visit_share_provider", "", 0.9, 0.01, ""),
        observed("member", "visits_per_day", "tier=member", 50.0, 1000.0, ""),
        observed("lead", "visits_per_day", "tier=lead", 100.0, 1000.0, "member"),
    ]
    .concat();
    std::fs::write(&targets, text).unwrap();
    let out = dir.path().join("check");
    let args: Vec<String> = [
        "check",
        repo("scenarios/small.toml").to_str().unwrap(),
        "--targets",
        targets.to_str().unwrap(),
        "--replications",
        "2",
        "--out",
        out.to_str().unwrap(),
        "-q",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    medgroup(args).unwrap();
    let csv = std::fs::read_to_string(out.join("fit.csv")).unwrap();
    let rows: Vec<Vec<&str>> = csv.lines().skip(1).map(|l| l.split(',').collect()).collect();
    let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    let col = |n: &str| header.iter().position(|h| *h == n).unwrap();
    assert_eq!(rows.len(), 4);
    assert_eq!(rows[0][col("pass")], "true", "{csv}");
    assert_eq!(rows[1][col("pass")], "false", "{csv}");
    assert_eq!(rows[3][col("compared_with")], "member");
    assert_eq!(rows[3][col("direction_right")], "true", "{csv}");
    assert!(std::fs::read_to_string(out.join("fit_report.md")).unwrap().contains("Nothing is fitted"));
    assert!(out.join("fit.png").is_file());
}
