//! The same scenario and seed give byte-identical files, whatever the thread count.

use crate::common::*;
use medgroup::output::write_results;
use medgroup::run::run_replications;
use std::sync::Arc;

fn files_of(dir: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (e.file_name().to_string_lossy().into_owned(), std::fs::read(e.path()).unwrap())
        })
        .collect();
    out.sort();
    out
}

#[test]
fn same_seed_gives_identical_files_on_one_or_many_threads() {
    let mut loaded = load("scenarios/baseline.toml");
    loaded.params = small_baseline(30_000, 60, 20);
    loaded.params.run.replications = 3;
    let params = Arc::new(loaded.params.clone());
    let reps = [0, 1, 2];
    let run_on = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        pool.install(|| run_replications(&params, &reps, |_| {}))
    };
    let one = run_on(1);
    let many = run_on(3);
    // (Daily series hold NaN for 0/0 days, so results are compared through their files.)
    for (a, b) in one.iter().zip(&many) {
        assert_eq!(a.metrics, b.metrics, "metrics differ between 1 and 3 threads");
    }
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    write_results(a.path(), &loaded, &one, None).unwrap();
    write_results(b.path(), &loaded, &many, None).unwrap();
    let (fa, fb) = (files_of(a.path()), files_of(b.path()));
    assert_eq!(fa.len(), 4, "four result files");
    assert_eq!(fa, fb, "files differ between runs");
    // A different seed gives different results.
    let mut other = (*params).clone();
    other.seed += 1;
    assert_ne!(run(&other, 1)[0].metrics, one[0].metrics);
}

#[test]
fn result_files_are_self_describing() {
    let mut loaded = load("scenarios/baseline.toml");
    loaded.params = small_baseline(20_000, 30, 10);
    loaded.params.run.replications = 2;
    let results = run(&loaded.params, 2);
    let dir = tempfile::tempdir().unwrap();
    write_results(dir.path(), &loaded, &results, None).unwrap();
    let text = std::fs::read_to_string(dir.path().join("replications.jsonl")).unwrap();
    let lines: Vec<serde_json::Value> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    // One object per replication × metric × breakdown, with integer replications and no header
    // or footer rows (pandas reads it whole with read_json(lines=True)).
    let metrics: Vec<_> =
        results.iter().flat_map(|r| r.metrics.iter().map(move |m| (r.replication, m))).collect();
    assert_eq!(lines.len(), metrics.len());
    for (line, (rep, m)) in lines.iter().zip(&metrics) {
        assert_eq!(line["replication"].as_u64(), Some(u64::from(*rep)));
        assert_eq!(line["metric"], m.name.as_str());
        assert_eq!(line["breakdown"], if m.breakdown.is_empty() { "all" } else { m.breakdown.as_str() });
        assert_eq!(line["unit"], medgroup::metrics::unit(&m.name));
        // Every value reads back exactly.
        assert_eq!(line["value"].as_f64().unwrap().to_bits(), m.value.to_bits());
    }
    let summary = std::fs::read_to_string(dir.path().join("summary.csv")).unwrap();
    assert!(summary.starts_with(
        "metric,breakdown,tier,channel,ward,priority,payer,condition,campaign,facility,group,year,catchment,scheme,population,route,origin,item,unit,n,mean,sd,se,ci_low,ci_high"
    ));
    assert!(
        summary.contains(
            "\nprimary_care_visit_share,all,NA,NA,NA,NA,NA,NA,NA,NA,NA,NA,NA,NA,NA,NA,NA,NA,share,2,"
        )
    );
    assert!(summary.contains(
        "\nbed_occupancy,ward=lead/medical,NA,NA,lead/medical,NA,NA,NA,NA,NA,NA,NA,NA,NA,NA,NA,NA,NA,share,2,"
    ));
    let daily = std::fs::read_to_string(dir.path().join("daily.csv")).unwrap();
    assert!(daily.starts_with("replication,day,series,breakdown,value\n"));
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["seed"], loaded.params.seed);
    assert_eq!(manifest["format"], medgroup::output::FORMAT);
    let listed =
        manifest["files"].as_array().unwrap().iter().find(|f| f["name"] == "replications.jsonl").unwrap();
    assert_eq!(listed["rows"].as_u64().unwrap() as usize, lines.len());
    assert!(manifest["resolved_scenario"].as_str().unwrap().contains("[run]"));
}
