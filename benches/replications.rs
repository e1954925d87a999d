//! One scaling axis: replications in parallel. Eight replications of `scenarios/small.toml`
//! (30,000 residents, 360 days each) run as one experiment in rayon pools of 1 and 2 threads;
//! the ratio of the two times is the replication speed-up (DESIGN.md asks for at least 1.8 on 2
//! cores). The CLI figures for the full-scale baseline are in BENCHMARKS.md.

use criterion::{Criterion, criterion_group, criterion_main};
use medgroup::experiment::{Experiment, Kind, Spec, record};
use medgroup::scenario;
use std::hint::black_box;
use std::path::Path;

fn small_run(replications: u32) -> Experiment {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/small.toml");
    let loaded = scenario::load(&path).expect("small.toml loads");
    let spec = Spec {
        kind: Kind::Run,
        version: medgroup::VERSION.into(),
        seed: loaded.params.seed,
        independent: false,
        scenarios: vec![record(&loaded)],
        sweep: None,
        warmup: None,
        mid: Default::default(),
        different_windows: false,
        uncertainty: None,
    };
    Experiment::build(spec, replications).expect("the experiment builds")
}

fn replications(c: &mut Criterion) {
    let exp = small_run(8);
    let mut group = c.benchmark_group("small_8_replications");
    group.sample_size(10);
    for threads in [1, 2] {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("a thread pool");
        group.bench_function(format!("{threads}_threads"), |b| {
            b.iter(|| black_box(pool.install(|| exp.run_all())))
        });
    }
    group.finish();
}

criterion_group!(benches, replications);
criterion_main!(benches);
