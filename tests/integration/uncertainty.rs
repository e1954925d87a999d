//! Runs and comparisons under parameter uncertainty (`--uncertainty prior|posterior`): the draws
//! reach the results through the scenario, a draw of one fixed parameter vector gives what an
//! ordinary comparison gives, and the files do not depend on shards or threads.

use crate::common::repo;
use std::path::Path;
use std::process::Command;

fn medgroup(args: &[&str]) -> Result<(String, String), String> {
    let out = Command::new(env!("CARGO_BIN_EXE_medgroup")).args(args).output().unwrap();
    let (o, e) = (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    );
    if out.status.success() { Ok((o, e)) } else { Err(e) }
}

fn ok(args: &[&str]) -> String {
    medgroup(args).unwrap_or_else(|e| panic!("medgroup {args:?} failed:\n{e}")).0
}

fn small() -> String {
    repo("scenarios/small.toml").display().to_string()
}

fn reform() -> String {
    repo("scenarios/small_chc_reimbursement.toml").display().to_string()
}

/// The rows of a CSV file as maps from column to cell.
fn table(path: &Path) -> Vec<std::collections::HashMap<String, String>> {
    let mut r = csv::Reader::from_path(path).unwrap();
    let header: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
    r.records()
        .map(|row| header.iter().cloned().zip(row.unwrap().iter().map(str::to_string)).collect())
        .collect()
}

fn row<'a>(
    rows: &'a [std::collections::HashMap<String, String>],
    want: &[(&str, &str)],
) -> &'a std::collections::HashMap<String, String> {
    rows.iter()
        .find(|r| want.iter().all(|(k, v)| r[*k] == *v))
        .unwrap_or_else(|| panic!("no row with {want:?}"))
}

fn f(r: &std::collections::HashMap<String, String>, col: &str) -> f64 {
    r[col].parse().unwrap_or_else(|_| panic!("{col} = {}", r[col]))
}

/// Spearman's rank correlation of two samples without ties.
fn spearman(x: &[f64], y: &[f64]) -> f64 {
    let rank = |v: &[f64]| {
        let mut idx: Vec<usize> = (0..v.len()).collect();
        idx.sort_by(|&a, &b| v[a].total_cmp(&v[b]));
        let mut r = vec![0.0; v.len()];
        for (k, &i) in idx.iter().enumerate() {
            r[i] = k as f64;
        }
        r
    };
    let (rx, ry) = (rank(x), rank(y));
    let n = x.len() as f64;
    let d2: f64 = rx.iter().zip(&ry).map(|(a, b)| (a - b).powi(2)).sum();
    1.0 - 6.0 * d2 / (n * (n * n - 1.0))
}

/// Follow-up adherence drawn over [0.2, 0.9] moves the primary-care share of the small town: its
/// draw means rank like the drawn values, most of their spread is the parameter's, and the
/// parameter interval is wider than one draw's stochastic interval.
#[test]
fn prior_draws_reach_the_results_through_the_scenario() {
    let dir = tempfile::tempdir().unwrap();
    let targets = dir.path().join("t.targets.toml");
    std::fs::write(
        &targets,
        "[[parameter]]\nkey = \"care.followup_adherence\"\nprior = \"uniform\"\nlo = 0.2\nhi = 0.9\n",
    )
    .unwrap();
    let out = dir.path().join("u");
    let stdout = ok(&[
        "run",
        &small(),
        "--uncertainty",
        "prior",
        "--targets",
        targets.to_str().unwrap(),
        "--draws",
        "10",
        "--replications",
        "3",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(stdout.contains("across 10 prior draw(s) of care.followup_adherence"), "{stdout}");
    let draws = table(&out.join("draws.csv"));
    let share: Vec<_> = draws
        .iter()
        .filter(|r| r["metric"] == "primary_care_visit_share" && r["quantity"] == "level")
        .collect();
    assert_eq!(share.len(), 10);
    // A Latin hypercube: one draw in each tenth of the prior's range.
    let mut strata: Vec<usize> =
        share.iter().map(|r| ((f(r, "care_followup_adherence") - 0.2) / 0.07) as usize).collect();
    strata.sort_unstable();
    assert_eq!(strata, (0..10).collect::<Vec<_>>());
    // Under no effect, a rank correlation of 10 pairs above 0.8 has probability < 0.003; the
    // mechanism (adherent patients keep their CHC follow-ups) gives about 0.97.
    let x: Vec<f64> = share.iter().map(|r| f(r, "care_followup_adherence")).collect();
    let y: Vec<f64> = share.iter().map(|r| f(r, "mean")).collect();
    let rho = spearman(&x, &y);
    assert!(rho > 0.8, "rank correlation of adherence and primary-care share across draws: {rho}");
    let u = table(&out.join("uncertainty.csv"));
    let s = row(&u, &[("metric", "primary_care_visit_share"), ("quantity", "level")]);
    assert_eq!((s["draws"].as_str(), s["replications"].as_str()), ("10", "3"));
    assert!(f(s, "parameter_share") > 0.8, "parameter share {}", s["parameter_share"]);
    assert!(
        f(s, "param_high") - f(s, "param_low") > f(s, "stochastic_high") - f(s, "stochastic_low"),
        "parameter interval [{}, {}] vs stochastic [{}, {}]",
        s["param_low"],
        s["param_high"],
        s["stochastic_low"],
        s["stochastic_high"]
    );
    let m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(m["uncertainty"]["source"], "prior");
    assert_eq!(m["draws"].as_array().unwrap().len(), 10);
    for file in ["uncertainty.svg", "uncertainty.png"] {
        assert!(out.join(file).is_file(), "{file}");
    }
}

/// A posterior of one particle: every draw has the same parameters and its own seeds, so the
/// effect's mean across 6 draws × 4 replications estimates what an ordinary comparison at those
/// parameters estimates with 24 replications. The two agree within 4 standard errors of their
/// difference (effect on the primary-care share measured +0.0026 and +0.0026, SEs 0.00006 and 0.00005).
#[test]
fn one_fixed_parameter_vector_gives_the_ordinary_comparison() {
    let dir = tempfile::tempdir().unwrap();
    let sample = dir.path().join("posterior_sample.csv");
    std::fs::write(
        &sample,
        "generation,index,weight,distance,care.followup_adherence,sim:T\n3,7,1,0.1,0.6,0.5\n",
    )
    .unwrap();
    let u = dir.path().join("u");
    let common = ["--days", "120", "--warmup-days", "60"];
    let mut args = vec!["compare", &small(), &reform()].into_iter().map(String::from).collect::<Vec<_>>();
    args.extend(common.iter().map(|s| s.to_string()));
    let mut psa = args.clone();
    psa.extend(
        [
            "--uncertainty",
            "posterior",
            "--posterior",
            dir.path().to_str().unwrap(),
            "--draws",
            "6",
            "--replications",
            "4",
            "--out",
            u.to_str().unwrap(),
            "-q",
        ]
        .map(String::from),
    );
    ok(&psa.iter().map(String::as_str).collect::<Vec<_>>());
    let plain = dir.path().join("c");
    let mut ord = args.clone();
    ord.extend(
        [
            "--set",
            "care.followup_adherence=0.6",
            "--replications",
            "24",
            "--out",
            plain.to_str().unwrap(),
            "-q",
        ]
        .map(String::from),
    );
    ok(&ord.iter().map(String::as_str).collect::<Vec<_>>());
    let rows = table(&u.join("uncertainty.csv"));
    let e = row(&rows, &[("metric", "primary_care_visit_share"), ("quantity", "difference")]);
    assert_eq!(e["arm"], "small_chc_reimbursement");
    let c = table(&plain.join("comparison.csv"));
    let c = row(&c, &[("metric", "primary_care_visit_share"), ("arm", "small_chc_reimbursement")]);
    let se_u = f(e, "se");
    let se_c = f(c, "diff_sd") / 24f64.sqrt();
    let gap = f(e, "mean") - f(c, "diff_mean");
    let bound = 4.0 * (se_u * se_u + se_c * se_c).sqrt();
    assert!(
        gap.abs() < bound,
        "uncertainty mean effect {} (SE {se_u}) vs ordinary comparison {} (SE {se_c}): gap {gap}, bound {bound}",
        e["mean"],
        c["diff_mean"]
    );
    // The reform makes CHC visits free, so the share rises in every draw: P(better) = 1 (the
    // effect, ≈ 40 SE from 0, is never of the other sign).
    assert!(f(e, "mean") > 10.0 * se_u, "effect {} SE {se_u}", e["mean"]);
    assert_eq!(e["p_improve"], "1");
    assert_eq!(e["better"], "higher");
    // Every draw has the same parameters: the manifest records six draws of 0.6, each with its
    // own seed.
    let m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(u.join("manifest.json")).unwrap()).unwrap();
    let draws = m["draws"].as_array().unwrap();
    assert!(draws.iter().all(|d| d["values"]["care.followup_adherence"] == "0.6"));
    let mut seeds: Vec<u64> = draws.iter().map(|d| d["seed"].as_u64().unwrap()).collect();
    seeds.sort_unstable();
    seeds.dedup();
    assert_eq!(seeds.len(), 6);
}

/// Sharded on three array tasks with one thread each and merged, the files are the bytes of a
/// one-machine run on two threads.
#[test]
fn uncertainty_files_do_not_depend_on_shards_or_threads() {
    let dir = tempfile::tempdir().unwrap();
    let targets = dir.path().join("t.targets.toml");
    std::fs::write(
        &targets,
        "[[parameter]]\nkey = \"care.followup_adherence\"\nprior = \"uniform\"\nlo = 0.4\nhi = 0.8\n\n\
         [[parameter]]\nkey = \"choice.bypass_sd\"\nprior = \"log_uniform\"\nlo = 0.5\nhi = 2.0\n",
    )
    .unwrap();
    let t = targets.to_str().unwrap().to_string();
    let (a, b) = (small(), reform());
    let base = [
        "compare",
        &a,
        &b,
        "--days",
        "60",
        "--warmup-days",
        "20",
        "--uncertainty",
        "prior",
        "--targets",
        &t,
        "--draws",
        "4",
        "--replications",
        "3",
        "-q",
    ];
    let whole = dir.path().join("whole");
    let mut args = base.to_vec();
    args.extend(["--threads", "2", "--out", whole.to_str().unwrap()]);
    ok(&args);
    let sharded = dir.path().join("sharded");
    for k in 1..=3 {
        let shard = format!("{k}/3");
        let mut args = base.to_vec();
        args.extend(["--threads", "1", "--shard", &shard, "--out", sharded.to_str().unwrap()]);
        ok(&args);
    }
    ok(&["merge", sharded.to_str().unwrap(), "-q"]);
    for file in ["uncertainty.csv", "draws.csv", "manifest.json", "uncertainty.svg", "uncertainty.png"] {
        let x = std::fs::read(whole.join(file)).unwrap();
        let y = std::fs::read(sharded.join(file)).unwrap();
        assert!(x == y, "{file} differs between one machine and three shards");
    }
}

/// What cannot be drawn from is refused with the file, the key and what is needed.
#[test]
fn bad_uncertainty_inputs_are_refused_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let s = small();
    let no_params = dir.path().join("none.targets.toml");
    std::fs::write(&no_params, "").unwrap();
    let e = medgroup(&["run", &s, "--uncertainty", "prior", "--targets", no_params.to_str().unwrap()])
        .unwrap_err();
    assert!(e.contains("at least one [[parameter]] with a prior is needed to draw from"), "{e}");
    let unknown = dir.path().join("unknown.csv");
    std::fs::write(&unknown, "generation,index,weight,distance,care.no_such_key\n1,1,1,0,0.5\n").unwrap();
    let e = medgroup(&["run", &s, "--uncertainty", "posterior", "--posterior", unknown.to_str().unwrap()])
        .unwrap_err();
    assert!(e.contains("care.no_such_key"), "{e}");
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, "generation,index,weight,distance,care.followup_adherence\n1,1,1,0,1.7\n").unwrap();
    let e = medgroup(&["run", &s, "--uncertainty", "posterior", "--posterior", bad.to_str().unwrap()])
        .unwrap_err();
    assert!(e.contains("draw 0") && e.contains("care.followup_adherence"), "{e}");
    let e = medgroup(&["run", &s, "--uncertainty", "prior"]).unwrap_err();
    assert!(e.contains("give --targets FILE"), "{e}");
    let e = medgroup(&["sweep", &s, "--uncertainty", "prior"]).unwrap_err();
    assert!(e.contains("--uncertainty"), "{e}");
}

/// The shipped priors over the baseline's behavioural parameters validate against the baseline
/// and the small town, every prior notes its source or says it is an assumption, and draws from
/// them give valid scenarios.
#[test]
fn the_shipped_behavioural_priors_validate() {
    use medgroup::experiment::Uncertainty;
    let path = repo("scenarios/behaviour.targets.toml");
    for scenario in ["scenarios/baseline.toml", "scenarios/small.toml"] {
        let base = crate::common::load(scenario);
        let priors = medgroup::calibration::read_priors(&base, &path).unwrap();
        assert_eq!(priors.len(), 6);
        for p in &priors {
            assert!(p.note.contains("assumption") || p.note.contains("20"), "{}: {}", p.key, p.note);
        }
        let draws =
            medgroup::calibration::uncertainty_draws(&base, Uncertainty::Prior, &path, 12, 1).unwrap();
        assert_eq!(draws.draws.len(), 12);
    }
}
