//! One scaling axis: one simulated year of `scenarios/baseline.toml` at full scale (1.2 million
//! residents, about 375,000 chronic-patient agents), one replication, one thread; and the memory
//! the agents take. The figures go in BENCHMARKS.md.

use criterion::{Criterion, criterion_group, criterion_main};
use medgroup::model::world::build_world;
use medgroup::model::{Calendars, Patient};
use medgroup::run::run_replication;
use medgroup::scenario;
use std::hint::black_box;
use std::path::Path;
use std::sync::Arc;

fn baseline() -> medgroup::params::Params {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/baseline.toml");
    let mut p = scenario::load(&path).expect("baseline.toml loads").params;
    p.run.days = 365;
    p.run.warmup_days = 0;
    p.run.replications = 1;
    p
}

/// Resident memory of this process, in bytes (Linux).
fn rss_bytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}

fn memory_report() {
    let p = Arc::new(baseline());
    let before = rss_bytes();
    let mut world = build_world(p, 0);
    let after = rss_bytes();
    let agents = world.query::<&Patient>().iter(&world).count() as f64;
    let cal = world.resource::<Calendars>();
    let calendar_bytes = (cal.disease.heap_bytes() + cal.care.heap_bytes() + cal.visits.heap_bytes()) as f64;
    println!("agents: {agents:.0}; Patient component: {} bytes", size_of::<Patient>());
    if let (Some(b), Some(a)) = (before, after) {
        let total = (a - b) as f64;
        println!(
            "resident memory of the built world: {:.1} MB = {:.1} bytes per agent, of which calendars {:.1} bytes per agent",
            total / 1e6,
            total / agents,
            calendar_bytes / agents
        );
        println!(
            "ECS storage (world minus calendars): {:.1} bytes per agent",
            (total - calendar_bytes) / agents
        );
    }
}

fn bench(c: &mut Criterion) {
    memory_report();
    let p = Arc::new(baseline());
    let mut g = c.benchmark_group("baseline");
    g.sample_size(10);
    g.bench_function("one_year_one_replication", |b| b.iter(|| black_box(run_replication(&p, 0))));
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
