//! One scaling axis: events per CPU-second in a large M/M/c ward.
//!
//! A 400-bed ward, exponential stays of 5 days, Poisson admissions at utilisation 0.95. Two
//! measurements: the ward's own event loop (`Ward::run_day`), and the whole daily schedule of
//! a scenario that holds only that ward (what `medgroup run` does). Events are arrivals plus
//! discharges. The figures go in BENCHMARKS.md.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use medgroup::model::ward::Ward;
use medgroup::params::{Params, Priority, StayLaw, WardKind, WardParams};
use medgroup::rng::{Purpose, Streams};
use medgroup::run::run_replication;
use medgroup::scenario;
use medgroup::time::Day;
use std::hint::black_box;
use std::path::Path;
use std::sync::Arc;

const BEDS: u32 = 400;
const MEAN_STAY_DAYS: f64 = 5.0;
const UTILISATION: f64 = 0.95;
const DAYS: u32 = 2_000;

fn ward_params() -> WardParams {
    WardParams {
        name: "ward".into(),
        kind: WardKind::Medical,
        beds: BEDS,
        stay: StayLaw::Exponential { mean_days: MEAN_STAY_DAYS },
        background_admissions_per_day: UTILISATION * f64::from(BEDS) / MEAN_STAY_DAYS,
        background_priority: Priority::Elective,
        theatre: None,
        transfer: None,
    }
}

fn scenario_params() -> Params {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/validation/mmc_ward.toml");
    let mut p = scenario::load(&path).expect("mmc_ward.toml loads").params;
    p.facilities[0].wards[0] = ward_params();
    p.run.days = DAYS;
    p.run.warmup_days = 0;
    p.run.replications = 1;
    p
}

fn bench(c: &mut Criterion) {
    let events_per_run = 2.0 * ward_params().background_admissions_per_day * f64::from(DAYS);
    let mut g = c.benchmark_group("mmc_400_beds");
    g.sample_size(20);
    g.throughput(Throughput::Elements(events_per_run as u64));
    g.bench_function("ward_event_loop", |b| {
        b.iter(|| {
            let mut ward = Ward::new(&ward_params(), Streams::new(1, 0).stream(Purpose::Ward, 1));
            let (mut admitted, mut released) = (Vec::new(), Vec::new());
            for d in 0..DAYS {
                ward.run_day(Day(d), &[], &mut admitted, &mut released);
            }
            black_box(ward.take_counters())
        })
    });
    let p = Arc::new(scenario_params());
    g.bench_function("daily_schedule", |b| b.iter(|| black_box(run_replication(&p, 0))));
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
